// SOCKS5 proxies (RFC 1928) with no authentication or username/password (RFC 1929), as curl
// speaks them: the greeting, the method the proxy selects, the sub-negotiation when it asks
// for a password, then CONNECT to the target by address (socks5://, resolved here) or by name
// (socks5h://, resolved by the proxy). The messages are built by pure functions; the exchange
// itself is blocking, bounded by one timeout, and reads each answer to its exact length, so
// nothing the target sends after the proxy's reply is consumed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "net/error.hpp"
#include "net/proxy.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"

namespace wscope::net {

// RFC 1928 §3: the authentication methods we offer or may be offered.
enum class Socks5Method : std::uint8_t {
    none = 0x00,           // no authentication required
    gssapi = 0x01,         // never offered by us
    password = 0x02,       // username/password, RFC 1929
    no_acceptable = 0xFF,  // the proxy accepts none of the offered methods
};

// RFC 1928 §6: the REP field of the reply to CONNECT.
enum class Socks5Reply : std::uint8_t {
    succeeded = 0x00,
    general_failure = 0x01,
    not_allowed = 0x02,
    network_unreachable = 0x03,
    host_unreachable = 0x04,
    connection_refused = 0x05,
    ttl_expired = 0x06,
    command_not_supported = 0x07,
    address_type_not_supported = 0x08,
    // 0x09-0xFF are unassigned.
};

// Where the proxy is to connect: an IPv4/IPv6 address in text form (sent as ATYP 1 or 4), or
// any other host name (sent as ATYP 3, for the proxy to resolve). No brackets.
struct Socks5Destination {
    std::string host;
    std::uint16_t port = 0;
};

// "05 01 00" (no authentication), or "05 02 00 02" (no authentication or username/password)
// when credentials are given: the proxy may still let us in without them.
[[nodiscard]] proto::Bytes socks5_greeting(bool with_credentials);

// RFC 1929 §2: "01 ULEN UNAME PLEN PASSWD". A user name or password longer than 255 bytes
// cannot be sent: NetErrc::bad_url.
[[nodiscard]] NetResult<proto::Bytes> socks5_auth_request(const ProxyCredentials& credentials);

// RFC 1928 §4: "05 01 00 ATYP DST.ADDR DST.PORT". A name longer than 255 bytes cannot be
// sent: NetErrc::bad_url.
[[nodiscard]] NetResult<proto::Bytes> socks5_connect_request(const Socks5Destination& dest);

// The reply's size in bytes, from its first five (VER REP RSV ATYP and the first address
// byte, which is the name's length for ATYP 3); 0 for an address type RFC 1928 does not have.
[[nodiscard]] std::size_t socks5_reply_size(proto::ByteView first5);

// "connection refused", "connection not allowed by the proxy's rules", …; "unassigned reply
// code 0x2a" for codes RFC 1928 does not define.
[[nodiscard]] std::string socks5_reply_text(std::uint8_t code);

struct Socks5Tunnel {
    bool authenticated = false;  // the proxy asked for, and accepted, username/password
    std::string bound;           // BND.ADDR:BND.PORT from the reply ("127.0.0.1:40312")
};

// Runs the exchange on a stream connected to the proxy and leaves the stream at the first
// byte of the target's data. Waits at most `timeout` in all (0: no limit). Every failure is
// one line naming the proxy (its peer_name()) and the cause: NetErrc::proxy for a refusal, a
// failed authentication or a peer that is not a SOCKS5 proxy, NetErrc::timeout when it stays
// silent, NetErrc::bad_url for credentials or a name too long for the protocol.
[[nodiscard]] NetResult<Socks5Tunnel> socks5_connect(
    Stream& to_proxy, const Socks5Destination& dest,
    const std::optional<ProxyCredentials>& credentials, std::chrono::milliseconds timeout);

}  // namespace wscope::net
