// Proxies: parsing a proxy URL (http://, socks5://, socks5h://), choosing a proxy for a target
// the way curl reads http_proxy/https_proxy/all_proxy/no_proxy, and opening an HTTP CONNECT
// tunnel (RFC 9110 §9.3.6) through which the WebSocket connection (plain or TLS) then runs.
// The SOCKS5 exchange is in net/socks5.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "net/error.hpp"
#include "net/stream.hpp"
#include "net/url.hpp"
#include "proto/bytes.hpp"
#include "proto/http1.hpp"

namespace wscope::net {

// curl's default port for a proxy URL without one.
inline constexpr std::uint16_t default_proxy_port = 1080;

struct ProxyCredentials {
    std::string user;
    std::string password;
};

// What a proxy URL's scheme asks for (curl's names).
enum class ProxyKind : std::uint8_t {
    http,     // http://: an HTTP CONNECT tunnel
    socks5,   // socks5://: SOCKS5, the target's name resolved here and sent as an address
    socks5h,  // socks5h://: SOCKS5, the name sent for the proxy to resolve
};

struct ProxySpec {
    std::string host;  // without brackets
    std::uint16_t port = default_proxy_port;
    std::optional<ProxyCredentials> credentials;  // from user:pass@, percent-decoded
    ProxyKind kind = ProxyKind::http;

    // "http://127.0.0.1:8888" / "socks5h://[::1]:1080" (never the password), for messages.
    [[nodiscard]] std::string to_string() const;
};

// "SCHEME://[user[:pass]@]host[:port][/]" with SCHEME http, socks5 or socks5h (any case), or,
// as curl allows, "host[:port]" (http assumed). Other schemes (https://, socks4://) are
// bad_url errors naming the scheme. The port defaults to 1080 for every scheme, as in curl.
[[nodiscard]] NetResult<ProxySpec> parse_proxy_url(std::string_view text);

// Reads one environment variable; nullopt when unset. Tests pass a table.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (getenv).
[[nodiscard]] EnvLookup process_env();

// Whether host matches a no_proxy list (curl's rules): comma-separated entries; "*" alone
// matches everything; "example.com" and ".example.com" both match example.com and its
// subdomains; IP addresses match exactly, "10.0.0.0/8" / "fd00::/8" by prefix. Case-insensitive;
// brackets around IPv6 entries are ignored.
[[nodiscard]] bool no_proxy_matches(std::string_view host, std::string_view no_proxy);

// The proxy URL for a target, or nullopt for a direct connection:
//   1. the no-proxy list (`noproxy_option` if given, else no_proxy, else NO_PROXY) matching the
//      host means direct, even with an explicit proxy (as curl does);
//   2. an explicit proxy (-x) wins; an empty one means direct;
//   3. ws:// reads http_proxy (lower case only, like curl), wss:// https_proxy then
//      HTTPS_PROXY; then all_proxy, ALL_PROXY. Empty variables count as unset.
// As in curl, the value's scheme, not the variable, says what kind of proxy it is:
// http_proxy=socks5h://host:1080 is a SOCKS5 proxy for ws:// URLs.
[[nodiscard]] std::optional<std::string> choose_proxy_url(
    const Url& target, const std::optional<std::string>& explicit_proxy,
    const std::optional<std::string>& noproxy_option, const EnvLookup& env);

// choose_proxy_url, then parse_proxy_url; a bad URL (from -x or the environment) is an error
// naming where it came from.
[[nodiscard]] NetResult<std::optional<ProxySpec>> choose_proxy(
    const Url& target, const std::optional<std::string>& explicit_proxy,
    const std::optional<std::string>& noproxy_option, const EnvLookup& env);

struct Tunnel {
    proto::HttpHead response;  // the proxy's 2xx answer ("200 Connection established")
    proto::Bytes leftover;     // bytes that followed the answer's head: already the target's
};

// Sends "CONNECT host:port HTTP/1.1" (with Proxy-Authorization when credentials are given)
// on a stream connected to the proxy and reads the answer, waiting at most `timeout` (0: no
// limit). A non-2xx answer is NetErrc::proxy "proxy refused CONNECT: 407 Proxy
// Authentication Required"; a proxy that hangs up or answers garbage is NetErrc::proxy too.
[[nodiscard]] NetResult<Tunnel> connect_tunnel(Stream& to_proxy, const std::string& host,
                                               std::uint16_t port,
                                               const std::optional<ProxyCredentials>& credentials,
                                               std::chrono::milliseconds timeout);

// "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n…\r\n\r\n"
[[nodiscard]] std::string make_connect_request(const std::string& host, std::uint16_t port,
                                               const std::optional<ProxyCredentials>& credentials);

}  // namespace wscope::net
