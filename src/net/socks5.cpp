// The SOCKS5 client: RFC 1928 (greeting, method selection, CONNECT and its reply) and RFC 1929
// (username/password). Rules, each checked once, in the order the bytes arrive:
//   - every answer starts with the version we spoke (5; 1 for the RFC 1929 status);
//   - the proxy selects one of the methods we offered, or 0xFF for none;
//   - a password status other than 0 is a failure (RFC 1929 §2), and the proxy then closes;
//   - the CONNECT reply's REP is 0 for success; its bound address has the length its ATYP
//     says and is read to the last byte, since the target's data follows right after it.
#include "net/socks5.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <cstdio>

#include "net/fd.hpp"
#include "net/fd_stream.hpp"

namespace wscope::net {

namespace {

using Status = IoResult::Status;
using Clock = std::chrono::steady_clock;

// RFC 1928 §3: the version byte of every SOCKS5 message.
constexpr std::uint8_t socks_version = 0x05;
// RFC 1929 §2: the version of the username/password sub-negotiation.
constexpr std::uint8_t password_version = 0x01;
// RFC 1928 §4: the CONNECT command.
constexpr std::uint8_t cmd_connect = 0x01;
// RFC 1928 §4-5: address types.
constexpr std::uint8_t atyp_ipv4 = 0x01;
constexpr std::uint8_t atyp_name = 0x03;
constexpr std::uint8_t atyp_ipv6 = 0x04;
// One length byte carries names, user names and passwords (RFC 1928 §5, RFC 1929 §2).
constexpr std::size_t max_field = 255;

std::string hex_byte(std::uint8_t b) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", b);
    return text;
}

// A name from the peer, for a trace line: printable ASCII only.
std::string printable(proto::ByteView bytes) {
    std::string out;
    for (const std::uint8_t b : bytes) out += (b >= 0x20 && b < 0x7F) ? static_cast<char>(b) : '?';
    return out;
}

std::string host_port(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// One exchange with the proxy: writes and exact reads, all under one deadline.
class Exchange {
  public:
    Exchange(Stream& s, std::chrono::milliseconds timeout)
        : s_(s), timeout_(timeout), name_("SOCKS5 proxy " + s.peer_name()) {
        if (timeout.count() > 0) end_ = Clock::now() + timeout;
    }

    [[nodiscard]] const std::string& name() const { return name_; }

    // `what` names the step in messages: "the greeting", "CONNECT".
    [[nodiscard]] std::optional<NetError> send(proto::ByteView bytes, const std::string& what) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const IoResult r = s_.write_some(bytes.subspan(sent));
            if (r.status == Status::ok) {
                sent += r.n;
                continue;
            }
            if (r.status == Status::error || r.status == Status::eof) {
                return NetError{NetErrc::proxy,
                                "cannot send " + what + " to " + name_ + ": " +
                                    (r.message.empty() ? "connection closed" : r.message)};
            }
            if (auto e = wait(r.status, what, "")) return e;
        }
        return std::nullopt;
    }

    // Fills `into` completely, never reading past it. `hint` follows the message when the
    // proxy hangs up or stays silent.
    [[nodiscard]] std::optional<NetError> recv(proto::MutableByteView into, const std::string& what,
                                               const std::string& hint = "") {
        std::size_t got = 0;
        while (got < into.size()) {
            const IoResult r = s_.read_some(into.subspan(got));
            if (r.status == Status::ok) {
                got += r.n;
                continue;
            }
            if (r.status == Status::eof) {
                return NetError{NetErrc::proxy,
                                name_ + " closed the connection before answering " + what + hint};
            }
            if (r.status == Status::error) {
                return NetError{NetErrc::proxy, name_ + " connection failed: " + r.message};
            }
            if (auto e = wait(r.status, what, hint)) return e;
        }
        return std::nullopt;
    }

  private:
    std::optional<NetError> wait(Status want, const std::string& what, const std::string& hint) {
        for (;;) {
            pollfd p{s_.fd(), static_cast<short>(want == Status::want_read ? POLLIN : POLLOUT), 0};
            const int rc = ::poll(&p, 1, poll_ms(end_));
            if (rc > 0) return std::nullopt;
            if (rc < 0 && errno == EINTR) continue;
            if (rc < 0) return NetError{NetErrc::io, "poll failed: " + errno_text(errno)};
            return NetError{NetErrc::timeout, name_ + " did not answer " + what + " within " +
                                                  seconds_text(timeout_) + hint};
        }
    }

    Stream& s_;
    std::chrono::milliseconds timeout_;
    std::optional<Clock::time_point> end_;
    std::string name_;
};

// The answer to the greeting did not start with version 5: say what it looks like.
NetError not_socks5(const std::string& name, std::uint8_t first, std::uint8_t second) {
    if (first == 'H' && second == 'T') {
        return NetError{NetErrc::proxy, name +
                                            " is not a SOCKS5 proxy: it answered in HTTP "
                                            "(for an HTTP proxy, use http://)"};
    }
    return NetError{NetErrc::proxy, name + " is not a SOCKS5 proxy: its answer starts with " +
                                        hex_byte(first) + ", not the version 0x05"};
}

// BND.ADDR:BND.PORT of a complete reply, for the trace.
std::string bound_address(proto::ByteView reply) {
    const std::uint16_t port = proto::load_be16(reply.data() + reply.size() - 2);
    char text[INET6_ADDRSTRLEN] = "?";
    switch (reply[3]) {
        case atyp_ipv4:
            ::inet_ntop(AF_INET, reply.data() + 4, text, sizeof text);
            return host_port(text, port);
        case atyp_ipv6:
            ::inet_ntop(AF_INET6, reply.data() + 4, text, sizeof text);
            return host_port(text, port);
        default:
            return printable(reply.subspan(5, reply[4])) + ":" + std::to_string(port);
    }
}

// Sends the RFC 1929 request and checks the status.
std::optional<NetError> authenticate(Exchange& x, const ProxyCredentials& credentials) {
    auto request = socks5_auth_request(credentials);
    if (!request) return request.error();
    if (auto e = x.send(request.value(), "the user name and password")) return e;
    std::array<std::uint8_t, 2> answer{};
    if (auto e = x.recv(answer, "the user name and password")) return e;
    // RFC 1929 §2: VER is 1. Some servers echo the SOCKS version 5 here instead; the status
    // byte means the same in both, so either is accepted.
    if (answer[0] != password_version && answer[0] != socks_version) {
        return NetError{NetErrc::proxy, x.name() +
                                            " sent a bad answer to the user name and "
                                            "password (version " +
                                            hex_byte(answer[0]) + ")"};
    }
    // RFC 1929 §2: "A STATUS field of X'00' indicates success."
    if (answer[1] != 0x00) {
        return NetError{NetErrc::proxy, x.name() + " rejected the user name and password (user \"" +
                                            credentials.user + "\")"};
    }
    return std::nullopt;
}

// Reads and checks the method the proxy selected; runs the password step when it is that.
std::optional<NetError> negotiate(Exchange& x, const std::optional<ProxyCredentials>& credentials,
                                  bool& authenticated) {
    const std::string hint = " (is it a SOCKS5 proxy?)";
    if (auto e = x.send(socks5_greeting(credentials.has_value()), "the greeting")) return e;
    std::array<std::uint8_t, 2> choice{};
    if (auto e = x.recv(choice, "the greeting", hint)) return e;
    if (choice[0] != socks_version) return not_socks5(x.name(), choice[0], choice[1]);
    const auto method = static_cast<Socks5Method>(choice[1]);
    if (method == Socks5Method::no_acceptable) {
        return NetError{
            NetErrc::proxy,
            x.name() + (credentials ? " accepts none of the authentication methods offered (none, "
                                      "username/password)"
                                    : " requires authentication: give user:password@ in the "
                                      "proxy URL")};
    }
    if (method == Socks5Method::none) return std::nullopt;
    if (method == Socks5Method::password && credentials) {
        authenticated = true;
        return authenticate(x, *credentials);
    }
    return NetError{NetErrc::proxy, x.name() + " selected authentication method " +
                                        hex_byte(choice[1]) + ", which was not offered"};
}

}  // namespace

proto::Bytes socks5_greeting(bool with_credentials) {
    // RFC 1928 §3: VER NMETHODS METHODS.
    if (!with_credentials) return {socks_version, 1, static_cast<std::uint8_t>(Socks5Method::none)};
    return {socks_version, 2, static_cast<std::uint8_t>(Socks5Method::none),
            static_cast<std::uint8_t>(Socks5Method::password)};
}

NetResult<proto::Bytes> socks5_auth_request(const ProxyCredentials& credentials) {
    if (credentials.user.size() > max_field) {
        return NetError{NetErrc::bad_url,
                        "the proxy user name is longer than 255 bytes, the most SOCKS5 can send"};
    }
    if (credentials.password.size() > max_field) {
        return NetError{NetErrc::bad_url,
                        "the proxy password is longer than 255 bytes, the most SOCKS5 can send"};
    }
    proto::Bytes out{password_version, static_cast<std::uint8_t>(credentials.user.size())};
    proto::append(out, proto::as_bytes(credentials.user));
    out.push_back(static_cast<std::uint8_t>(credentials.password.size()));
    proto::append(out, proto::as_bytes(credentials.password));
    return out;
}

NetResult<proto::Bytes> socks5_connect_request(const Socks5Destination& dest) {
    proto::Bytes out{socks_version, cmd_connect, 0x00};  // RSV is 0
    std::array<std::uint8_t, 16> addr{};
    if (::inet_pton(AF_INET, dest.host.c_str(), addr.data()) == 1) {
        out.push_back(atyp_ipv4);
        out.insert(out.end(), addr.begin(), addr.begin() + 4);
    } else if (::inet_pton(AF_INET6, dest.host.c_str(), addr.data()) == 1) {
        out.push_back(atyp_ipv6);
        out.insert(out.end(), addr.begin(), addr.end());
    } else {
        if (dest.host.empty() || dest.host.size() > max_field) {
            return NetError{NetErrc::bad_url, "the host name \"" + dest.host +
                                                  "\" cannot be sent to a SOCKS5 proxy (1 to "
                                                  "255 bytes)"};
        }
        out.push_back(atyp_name);
        out.push_back(static_cast<std::uint8_t>(dest.host.size()));
        proto::append(out, proto::as_bytes(dest.host));
    }
    out.resize(out.size() + 2);
    proto::store_be16(out.data() + out.size() - 2, dest.port);
    return out;
}

std::size_t socks5_reply_size(proto::ByteView first5) {
    // VER REP RSV ATYP BND.ADDR BND.PORT(2)
    switch (first5[3]) {
        case atyp_ipv4:
            return 4 + 4 + 2;
        case atyp_ipv6:
            return 4 + 16 + 2;
        case atyp_name:
            return 4 + 1 + first5[4] + 2;
        default:
            return 0;
    }
}

std::string socks5_reply_text(std::uint8_t code) {
    switch (static_cast<Socks5Reply>(code)) {
        case Socks5Reply::succeeded:
            return "succeeded";
        case Socks5Reply::general_failure:
            return "general SOCKS server failure";
        case Socks5Reply::not_allowed:
            return "connection not allowed by the proxy's rules";
        case Socks5Reply::network_unreachable:
            return "network unreachable";
        case Socks5Reply::host_unreachable:
            return "host unreachable";
        case Socks5Reply::connection_refused:
            return "connection refused";
        case Socks5Reply::ttl_expired:
            return "TTL expired";
        case Socks5Reply::command_not_supported:
            return "command not supported";
        case Socks5Reply::address_type_not_supported:
            return "address type not supported";
    }
    return "unassigned reply code " + hex_byte(code);
}

NetResult<Socks5Tunnel> socks5_connect(Stream& to_proxy, const Socks5Destination& dest,
                                       const std::optional<ProxyCredentials>& credentials,
                                       std::chrono::milliseconds timeout) {
    // Checked before a byte is sent: a name the protocol cannot carry never works.
    auto request = socks5_connect_request(dest);
    if (!request) return request.error();
    Exchange x(to_proxy, timeout);
    Socks5Tunnel tunnel;
    if (auto e = negotiate(x, credentials, tunnel.authenticated)) return *e;
    if (auto e = x.send(request.value(), "CONNECT")) return *e;

    // VER REP RSV ATYP and the first address byte: enough to know the reply's size.
    std::array<std::uint8_t, 4 + 1 + max_field + 2> reply{};
    if (auto e = x.recv(proto::MutableByteView(reply.data(), 5), "CONNECT")) return *e;
    const std::string target = host_port(dest.host, dest.port);
    if (reply[0] != socks_version) {
        return NetError{NetErrc::proxy, x.name() + " sent a bad reply to CONNECT (version " +
                                            hex_byte(reply[0]) + ")"};
    }
    if (reply[1] != static_cast<std::uint8_t>(Socks5Reply::succeeded)) {
        std::string msg = x.name() + " could not connect to " + target + ": " +
                          socks5_reply_text(reply[1]) + " (reply " + hex_byte(reply[1]) + ")";
        const bool by_name = request.value()[3] == atyp_name;
        if (reply[1] == static_cast<std::uint8_t>(Socks5Reply::address_type_not_supported) &&
            by_name)
            msg += "; it may not resolve names: try socks5://";
        return NetError{NetErrc::proxy, msg};
    }
    const std::size_t size = socks5_reply_size(proto::ByteView(reply.data(), 5));
    if (size == 0) {
        return NetError{NetErrc::proxy, x.name() + " sent a bad reply to CONNECT (address type " +
                                            hex_byte(reply[3]) + ")"};
    }
    if (auto e = x.recv(proto::MutableByteView(reply.data() + 5, size - 5), "CONNECT")) return *e;
    tunnel.bound = bound_address(proto::ByteView(reply.data(), size));
    return tunnel;
}

}  // namespace wscope::net
