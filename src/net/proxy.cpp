// Proxies: the proxy URL, curl's rules for picking a proxy from the environment,
// and the tunnel handshake. The CONNECT answer is read with proto::HeadReader, byte-exact, so
// nothing the target sends after the proxy's head is lost.
#include "net/proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "net/fd.hpp"
#include "net/fd_stream.hpp"

namespace wscope::net {

namespace {

using Status = IoResult::Status;
using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string_view strip_brackets(std::string_view s) {
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return s.substr(1, s.size() - 2);
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX → byte; a '%' not followed by two hex digits stays as it is (curl is as lenient).
std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

NetError bad_proxy(std::string_view text, const std::string& why) {
    return NetError{NetErrc::bad_url, "bad proxy URL \"" + std::string(text) + "\": " + why};
}

// "[::1]:443" / "example.com:443"
std::string authority(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

// ---- no_proxy ------------------------------------------------------------------------------

struct IpAddr {
    int family = 0;  // AF_INET / AF_INET6, 0 = not an IP address
    std::array<unsigned char, 16> bytes{};
};

IpAddr parse_ip(std::string_view text) {
    IpAddr ip;
    const std::string s(text);
    if (::inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
        ip.family = AF_INET;
    } else if (::inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
        ip.family = AF_INET6;
    }
    return ip;
}

// Whether the first `bits` bits of a and b agree.
bool same_prefix(const IpAddr& a, const IpAddr& b, unsigned bits) {
    for (unsigned i = 0; i < bits / 8; ++i)
        if (a.bytes[i] != b.bytes[i]) return false;
    if (bits % 8 == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - bits % 8));
    return (a.bytes[bits / 8] & mask) == (b.bytes[bits / 8] & mask);
}

bool ip_entry_matches(const IpAddr& host, std::string_view entry) {
    const std::size_t slash = entry.find('/');
    const IpAddr net = parse_ip(strip_brackets(entry.substr(0, slash)));
    if (net.family != host.family) return false;
    const unsigned max_bits = host.family == AF_INET ? 32 : 128;
    unsigned bits = max_bits;
    if (slash != std::string_view::npos) {
        const std::string digits(entry.substr(slash + 1));
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        bits = static_cast<unsigned>(std::stoul(digits));
        if (bits > max_bits) return false;
    }
    return same_prefix(host, net, bits);
}

bool name_entry_matches(std::string_view host, std::string_view entry) {
    while (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == '.') entry.remove_suffix(1);
    if (entry.empty()) return false;
    if (host == entry) return true;
    // A suffix only at a label boundary: "example.com" matches "a.example.com", not
    // "badexample.com".
    return host.size() > entry.size() && host.ends_with(entry) &&
           host[host.size() - entry.size() - 1] == '.';
}

std::optional<std::string> first_set(const EnvLookup& env,
                                     std::initializer_list<const char*> names) {
    for (const char* name : names) {
        std::optional<std::string> v = env(name);
        if (v && !trim(*v).empty()) return std::string(trim(*v));
    }
    return std::nullopt;
}

// ---- Waiting on the proxy ------------------------------------------------------------------


// Waits for what the last call asked for; false on timeout, error text on failure.
std::optional<NetError> wait(Stream& s, Status want, const std::optional<Clock::time_point>& end,
                             std::chrono::milliseconds timeout) {
    if (want == Status::want_read && s.has_buffered()) return std::nullopt;
    for (;;) {
        pollfd p{s.fd(), static_cast<short>(want == Status::want_read ? POLLIN : POLLOUT), 0};
        const int rc = ::poll(&p, 1, poll_ms(end));
        if (rc > 0) return std::nullopt;
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return NetError{NetErrc::io, "poll failed: " + errno_text(errno)};
        return NetError{
            NetErrc::timeout,
            "proxy " + s.peer_name() + " did not answer CONNECT within " + seconds_text(timeout)};
    }
}

}  // namespace

std::string ProxySpec::to_string() const {
    const char* scheme = "http://";
    if (kind == ProxyKind::socks5) scheme = "socks5://";
    if (kind == ProxyKind::socks5h) scheme = "socks5h://";
    return scheme + authority(host, port);
}

NetResult<ProxySpec> parse_proxy_url(std::string_view text) {
    std::string_view rest = trim(text);
    if (rest.empty()) return bad_proxy(text, "empty");
    ProxySpec spec;
    if (const std::size_t colon = rest.find("://"); colon != std::string_view::npos) {
        const std::string scheme = lower(rest.substr(0, colon));
        if (scheme == "socks5") {
            spec.kind = ProxyKind::socks5;
        } else if (scheme == "socks5h") {
            spec.kind = ProxyKind::socks5h;
        } else if (scheme != "http") {
            return bad_proxy(text, "unsupported scheme \"" + scheme +
                                       "\" (http://, socks5:// and socks5h:// are supported)");
        }
        rest.remove_prefix(colon + 3);
    }
    // The authority ends at the path, query or fragment; a proxy URL's path is ignored.
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view info = rest.substr(0, at);
        const std::size_t colon = info.find(':');
        ProxyCredentials creds;
        creds.user = percent_decode(info.substr(0, colon));
        if (colon != std::string_view::npos)
            creds.password = percent_decode(info.substr(colon + 1));
        spec.credentials = std::move(creds);
        rest.remove_prefix(at + 1);
    }
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos)
            return bad_proxy(text, "missing ']' after IPv6 address");
        spec.host = std::string(rest.substr(1, close - 1));
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return bad_proxy(text, "unexpected text after ']'");
        if (!after.empty()) port_text = after.substr(1);
        if (!parse_ip(spec.host).family) return bad_proxy(text, "not an IPv6 address in brackets");
    } else {
        const std::size_t colon = rest.find(':');
        if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos)
            return bad_proxy(text, "IPv6 addresses must be in brackets: http://[::1]:3128");
        spec.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = rest.substr(colon + 1);
            if (port_text.empty()) return bad_proxy(text, "empty port");
        }
    }
    if (spec.host.empty()) return bad_proxy(text, "no host");
    if (!port_text.empty()) {
        unsigned long port = 0;
        for (const char c : port_text) {
            if (c < '0' || c > '9') return bad_proxy(text, "port is not a number");
            port = port * 10 + static_cast<unsigned long>(c - '0');
            if (port > 65535) break;
        }
        if (port == 0 || port > 65535) return bad_proxy(text, "port out of range (1-65535)");
        spec.port = static_cast<std::uint16_t>(port);
    }
    return spec;
}

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

bool no_proxy_matches(std::string_view host_in, std::string_view no_proxy) {
    std::string host = lower(strip_brackets(trim(host_in)));
    while (!host.empty() && host.back() == '.') host.pop_back();
    const IpAddr host_ip = parse_ip(host);
    std::string_view rest = no_proxy;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string entry = lower(trim(rest.substr(0, comma)));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (entry.empty()) continue;
        if (entry == "*") return true;
        if (host_ip.family != 0) {
            if (ip_entry_matches(host_ip, entry)) return true;
            continue;
        }
        if (name_entry_matches(host, entry)) return true;
    }
    return false;
}

std::optional<std::string> choose_proxy_url(const Url& target,
                                            const std::optional<std::string>& explicit_proxy,
                                            const std::optional<std::string>& noproxy_option,
                                            const EnvLookup& env) {
    const std::optional<std::string> no_proxy =
        noproxy_option ? noproxy_option : first_set(env, {"no_proxy", "NO_PROXY"});
    if (no_proxy && no_proxy_matches(target.host, *no_proxy)) return std::nullopt;
    if (explicit_proxy) {
        if (trim(*explicit_proxy).empty()) return std::nullopt;  // -x "": no proxy at all
        return explicit_proxy;
    }
    // curl reads http_proxy in lower case only: HTTP_PROXY can be set by a CGI request header.
    const std::optional<std::string> scheme_proxy =
        target.tls ? first_set(env, {"https_proxy", "HTTPS_PROXY"})
                   : first_set(env, {"http_proxy"});
    if (scheme_proxy) return scheme_proxy;
    return first_set(env, {"all_proxy", "ALL_PROXY"});
}

NetResult<std::optional<ProxySpec>> choose_proxy(const Url& target,
                                                 const std::optional<std::string>& explicit_proxy,
                                                 const std::optional<std::string>& noproxy_option,
                                                 const EnvLookup& env) {
    const std::optional<std::string> url =
        choose_proxy_url(target, explicit_proxy, noproxy_option, env);
    if (!url) return std::optional<ProxySpec>();
    auto spec = parse_proxy_url(*url);
    if (!spec) {
        NetError e = spec.error();
        if (!explicit_proxy) e.message += " (from the environment)";
        return e;
    }
    return std::optional<ProxySpec>(std::move(spec.value()));
}

std::string make_connect_request(const std::string& host, std::uint16_t port,
                                 const std::optional<ProxyCredentials>& credentials) {
    const std::string target = authority(std::string(strip_brackets(host)), port);
    // RFC 9110 §9.3.6: the request target of CONNECT is host:port, and Host repeats it.
    std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (credentials) {
        req += "Proxy-Authorization: Basic " +
               base64(credentials->user + ":" + credentials->password) + "\r\n";
    }
    req += "User-Agent: wscope\r\n\r\n";
    return req;
}

NetResult<Tunnel> connect_tunnel(Stream& to_proxy, const std::string& host, std::uint16_t port,
                                 const std::optional<ProxyCredentials>& credentials,
                                 std::chrono::milliseconds timeout) {
    std::optional<Clock::time_point> end;
    if (timeout.count() > 0) end = Clock::now() + timeout;
    const std::string proxy = to_proxy.peer_name();

    const std::string request = make_connect_request(host, port, credentials);
    std::size_t sent = 0;
    while (sent < request.size()) {
        const IoResult r = to_proxy.write_some(proto::as_bytes(request).subspan(sent));
        if (r.status == Status::ok) {
            sent += r.n;
            continue;
        }
        if (r.status == Status::error || r.status == Status::eof) {
            return NetError{NetErrc::proxy,
                            "cannot send CONNECT to proxy " + proxy + ": " +
                                (r.message.empty() ? "connection closed" : r.message)};
        }
        if (auto e = wait(to_proxy, r.status, end, timeout)) return *e;
    }

    proto::HeadReader reader;
    std::vector<std::uint8_t> buf(4096);
    for (;;) {
        const IoResult r = to_proxy.read_some(buf);
        if (r.status == Status::ok) {
            proto::ByteView in(buf.data(), r.n);
            const auto status = reader.feed(in);
            if (status == proto::HeadReader::Status::error) {
                return NetError{NetErrc::proxy,
                                "proxy " + proxy +
                                    " sent a bad answer to CONNECT: " + reader.error().describe()};
            }
            if (status == proto::HeadReader::Status::need_more) continue;
            auto head = proto::parse_response_head(reader.head());
            if (!head) {
                return NetError{
                    NetErrc::proxy,
                    "proxy " + proxy + " sent a bad answer to CONNECT: " + head.error().describe()};
            }
            if (head->status < 200 || head->status > 299) {
                std::string msg = "proxy refused CONNECT: " + std::to_string(head->status) +
                                  (head->reason.empty() ? "" : " " + head->reason);
                if (head->status == 407 && !credentials) msg += " (no proxy credentials given)";
                if (head->status == 407 && credentials) msg += " (credentials rejected)";
                return NetError{NetErrc::proxy, msg};
            }
            Tunnel tunnel;
            tunnel.response = std::move(head.value());
            tunnel.leftover.assign(in.begin(), in.end());
            return tunnel;
        }
        if (r.status == Status::eof) {
            return NetError{NetErrc::proxy,
                            "proxy " + proxy + " closed the connection before answering CONNECT"};
        }
        if (r.status == Status::error) {
            return NetError{NetErrc::proxy, "proxy " + proxy + " connection failed: " + r.message};
        }
        if (auto e = wait(to_proxy, r.status, end, timeout)) return *e;
    }
}

}  // namespace wscope::net
