// Strict parsing of ws:// and wss:// URLs (RFC 6455 §3, RFC 3986 syntax). Rules:
//   - the scheme is required and case-insensitive; http/https are read as ws/wss;
//   - spaces and control characters are rejected anywhere, never guessed around;
//   - the host is a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address;
//   - a port, if written, is 1-65535; otherwise 80 (ws) or 443 (wss);
//   - the target is path + query ("/" when empty); a fragment is dropped, since RFC 6455 §3
//     forbids it in a WebSocket URI; characters a request line cannot carry are %-encoded;
//   - user:password@ is percent-decoded for Basic auth.
// Every failure is one line naming the problem: bad URL "foo": no scheme (did you mean ws://foo?)
#include "net/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdio>
#include <optional>
#include <utility>

namespace wscope::net {

namespace {

// RFC 1035 §2.3.4 size limits for DNS names.
constexpr std::size_t max_label_length = 63;
constexpr std::size_t max_host_length = 253;

constexpr std::uint16_t ws_default_port = 80;
constexpr std::uint16_t wss_default_port = 443;

NetError fail(std::string why) {
    return NetError{NetErrc::bad_url, std::move(why)};
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_control(char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    return lower(c) - 'a' + 10;
}

std::string hex_byte(unsigned char c) {
    std::array<char, 4> buf{};
    std::snprintf(buf.data(), buf.size(), "%02X", c);
    return buf.data();
}

// The input as it may appear inside "…" in a one-line message.
std::string quote(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (is_control(c)) {
            out += "\\x" + to_lower(hex_byte(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

// RFC 3986 §2.3 unreserved and §2.2 sub-delims: allowed anywhere in a path or query.
bool is_unreserved(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
    return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// Spaces and control characters have no place in a URL (RFC 3986 §2); reject, don't trim.
NetResult<void> check_characters(std::string_view text) {
    for (const char c : text) {
        if (c == ' ') return fail("contains a space (write it as %20)");
        if (is_control(c)) {
            return fail("contains a control character (\\x" +
                        to_lower(hex_byte(static_cast<unsigned char>(c))) + ")");
        }
    }
    return {};
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) {
    if (s.empty() || !is_alpha(s.front())) return false;
    for (const char c : s) {
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

bool is_known_scheme(std::string_view lowered) {
    return lowered == "ws" || lowered == "wss" || lowered == "http" || lowered == "https";
}

// What the user probably meant: "foo" → "ws://foo", "//foo" → "ws://foo", "://foo" → "ws://foo".
std::string suggest_scheme(std::string_view text) {
    if (text.starts_with("://")) return "ws" + std::string(text);
    if (text.starts_with("//")) return "ws:" + std::string(text);
    return "ws://" + std::string(text);
}

// Splits "scheme://rest"; sets tls from the scheme and returns rest.
NetResult<std::string_view> split_scheme(std::string_view text, bool& tls) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos || !is_scheme(text.substr(0, sep))) {
        const auto colon = text.find(':');
        if (colon != std::string_view::npos && is_known_scheme(to_lower(text.substr(0, colon)))) {
            return fail("expected \"//\" after \"" + std::string(text.substr(0, colon + 1)) + "\"");
        }
        return fail("no scheme (did you mean " + quote(suggest_scheme(text)) + "?)");
    }
    const std::string scheme = to_lower(text.substr(0, sep));
    if (scheme == "ws+unix") {
        return fail("unsupported scheme \"" + scheme + "\" (use a ws:// URL with --unix-socket)");
    }
    if (!is_known_scheme(scheme)) {
        return fail("unsupported scheme \"" + quote(scheme) + "\" (use ws:// or wss://)");
    }
    tls = scheme == "wss" || scheme == "https";
    return text.substr(sep + 3);
}

// Decodes %XX escapes (RFC 3986 §2.1); `what` names the part for messages.
NetResult<std::string> percent_decode(std::string_view s, const char* what) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
            return fail(std::string("bad percent-escape \"") + quote(s.substr(i, 3)) + "\" in " +
                        what);
        }
        out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
        i += 2;
    }
    return out;
}

NetResult<void> parse_userinfo(std::string_view info, Url& url) {
    const auto colon = info.find(':');
    auto user = percent_decode(info.substr(0, colon), "user name");
    if (!user) return user.error();
    // RFC 7617 §2: the user-id of Basic auth cannot contain a colon.
    if (user->find(':') != std::string::npos) return fail("user name contains ':'");
    url.user = std::move(*user);
    if (colon != std::string_view::npos) {
        auto password = percent_decode(info.substr(colon + 1), "password");
        if (!password) return password.error();
        url.password = std::move(*password);
    }
    url.has_userinfo = true;
    return {};
}

NetResult<std::uint16_t> parse_port(std::string_view digits) {
    if (digits.empty()) return fail("empty port after ':'");
    for (const char c : digits) {
        if (!is_digit(c)) return fail("port \"" + quote(digits) + "\" is not a number");
    }
    unsigned long value = 0;
    for (const char c : digits) {
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535)
            return fail("port " + std::string(digits) + " is out of range (1-65535)");
    }
    if (value == 0) return fail("port 0 is not allowed (1-65535)");
    return static_cast<std::uint16_t>(value);
}

// "[::1]" (already without brackets). Zone ids (RFC 6874, "fe80::1%25eth0") are refused:
// they name an interface of this machine and cannot go into a Host header.
NetResult<void> check_ipv6(std::string_view host) {
    if (host.find('%') != std::string_view::npos) {
        return fail("IPv6 zone identifiers are not supported (\"" + quote(host) + "\")");
    }
    if (!host.empty() && lower(host.front()) == 'v') {
        return fail("IPvFuture addresses are not supported (\"" + quote(host) + "\")");
    }
    in6_addr addr{};
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
        return fail("bad IPv6 address \"[" + quote(host) + "]\"");
    }
    return {};
}

bool all_digits_and_dots(std::string_view host) {
    for (const char c : host) {
        if (!is_digit(c) && c != '.') return false;
    }
    return true;
}

// A DNS name (letters, digits, '-', '_', dots; one trailing dot allowed) or a dotted quad.
NetResult<void> check_name(std::string_view host) {
    if (host.empty()) return fail("empty host");
    if (all_digits_and_dots(host)) {
        in_addr addr{};
        if (::inet_pton(AF_INET, std::string(host).c_str(), &addr) != 1) {
            return fail("bad IPv4 address \"" + std::string(host) + "\"");
        }
        return {};
    }
    for (const char c : host) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return fail("non-ASCII host names must be written in their xn-- (punycode) form");
        }
        if (c == '%') return fail("percent-encoded host names are not supported");
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') {
            return fail(std::string("invalid character '") + c + "' in host");
        }
    }
    std::string_view name = host.ends_with('.') ? host.substr(0, host.size() - 1) : host;
    if (name.size() > max_host_length) return fail("host name longer than 253 characters");
    std::size_t start = 0;
    for (;;) {
        const auto dot = name.find('.', start);
        const auto label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty()) return fail("empty label in host \"" + std::string(host) + "\"");
        if (label.size() > max_label_length)
            return fail("host name label longer than 63 characters");
        if (dot == std::string_view::npos) return {};
        start = dot + 1;
    }
}

// host[:port] or [v6][:port]; returns what follows the host, i.e. ":port" or "".
NetResult<std::string_view> parse_host(std::string_view hostport, Url& url) {
    if (hostport.starts_with('[')) {
        const auto close = hostport.find(']');
        if (close == std::string_view::npos) return fail("unterminated IPv6 address (missing ']')");
        const auto v6 = hostport.substr(1, close - 1);
        if (auto ok = check_ipv6(v6); !ok) return ok.error();
        url.host = to_lower(v6);
        url.ipv6_literal = true;
        const auto rest = hostport.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            return fail("unexpected \"" + quote(rest) + "\" after IPv6 address");
        }
        return rest;
    }
    const auto colon = hostport.find(':');
    if (colon != std::string_view::npos &&
        hostport.find(':', colon + 1) != std::string_view::npos) {
        return fail("an IPv6 address must be in brackets, as in ws://[::1]:9000/");
    }
    const auto host = hostport.substr(0, colon);
    if (auto ok = check_name(host); !ok) return ok.error();
    url.host = to_lower(host);
    return colon == std::string_view::npos ? std::string_view{} : hostport.substr(colon);
}

NetResult<void> parse_authority(std::string_view authority, Url& url) {
    const auto at = authority.find('@');
    if (at != std::string_view::npos) {
        if (authority.find('@', at + 1) != std::string_view::npos) {
            return fail("'@' in the user name or password must be written %40");
        }
        if (auto ok = parse_userinfo(authority.substr(0, at), url); !ok) return ok.error();
        authority.remove_prefix(at + 1);
    }
    if (authority.empty()) return fail("empty host");
    auto rest = parse_host(authority, url);
    if (!rest) return rest.error();
    url.port = url.tls ? wss_default_port : ws_default_port;
    if (!rest->empty()) {
        auto port = parse_port(rest->substr(1));
        if (!port) return port.error();
        url.port = *port;
        url.explicit_port = true;
    }
    return {};
}

// Allowed unencoded in a request-target (RFC 3986 §3.3 pchar, plus '/' and '?').
bool is_target_char(char c) {
    return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '?';
}

// Path and query, without the fragment; "" → "/", "?q" → "/?q". Characters a request line
// cannot carry (non-ASCII, "<>{}|\^`[]) are %-encoded, as browsers do; a malformed %-escape
// is an error because its meaning cannot be guessed.
NetResult<std::string> make_target(std::string_view rest) {
    rest = rest.substr(0, rest.find('#'));
    std::string target = rest.starts_with('/') ? "" : "/";
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == '%') {
            if (i + 2 >= rest.size() || !is_hex(rest[i + 1]) || !is_hex(rest[i + 2])) {
                return fail("bad percent-escape \"" + quote(rest.substr(i, 3)) + "\" in path");
            }
            target += rest.substr(i, 3);
            i += 2;
        } else if (is_target_char(c)) {
            target += c;
        } else {
            target += "%" + hex_byte(static_cast<unsigned char>(c));
        }
    }
    return target;
}

NetResult<Url> parse_parts(std::string_view text) {
    if (text.empty()) return fail("empty URL");
    if (auto ok = check_characters(text); !ok) return ok.error();
    Url url;
    auto rest = split_scheme(text, url.tls);
    if (!rest) return rest.error();
    const auto end = rest->find_first_of("/?#");
    if (auto ok = parse_authority(rest->substr(0, end), url); !ok) return ok.error();
    auto target = make_target(end == std::string_view::npos ? "" : rest->substr(end));
    if (!target) return target.error();
    url.target = std::move(*target);
    return url;
}

// The input with the password of "user:password@" replaced by "***", so that an error
// message does not copy a secret into a terminal or a log.
std::string redact_password(std::string_view text) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) return std::string(text);
    const auto start = sep + 3;
    const auto end = text.find_first_of("/?#", start);
    const auto authority = text.substr(start, end == std::string_view::npos ? end : end - start);
    const auto at = authority.rfind('@');
    const auto colon = authority.find(':');
    if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
        return std::string(text);
    }
    return std::string(text.substr(0, start + colon + 1)) + "***" +
           std::string(text.substr(start + at));
}

}  // namespace

std::string Url::host_header() const {
    std::string out = ipv6_literal ? "[" + host + "]" : host;
    const std::uint16_t default_port = tls ? wss_default_port : ws_default_port;
    if (port != default_port) out += ":" + std::to_string(port);
    return out;
}

std::string Url::to_string() const {
    const std::string bracketed = ipv6_literal ? "[" + host + "]" : host;
    return (tls ? "wss://" : "ws://") + bracketed + ":" + std::to_string(port) + target;
}

NetResult<Url> parse_url(std::string_view text) {
    auto url = parse_parts(text);
    if (!url)
        return fail("bad URL \"" + quote(redact_password(text)) + "\": " + url.error().message);
    return url;
}

}  // namespace wscope::net
