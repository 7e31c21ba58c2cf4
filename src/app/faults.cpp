// The --fault grammar, the handshake rewrites and the violation frames (faults.hpp). The
// feature that applies them to clients is in fault_feature.cpp.
#include "app/faults.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "app/value_checks.hpp"
#include "proto/close_code.hpp"
#include "proto/frame.hpp"

namespace wscope::app {
namespace {

struct Word {
    std::string_view name;
    FaultKind kind;
    enum class Arg : std::uint8_t { none, number, text, header, close, fragment, violation } arg;
    bool at;  // takes @N
};

using A = Word::Arg;
constexpr std::array words{
    Word{"delay-handshake", FaultKind::delay_handshake, A::number, false},
    Word{"reject", FaultKind::reject, A::number, false},
    Word{"bad-accept", FaultKind::bad_accept, A::none, false},
    Word{"no-accept", FaultKind::no_accept, A::none, false},
    Word{"no-upgrade", FaultKind::no_upgrade, A::none, false},
    Word{"no-connection", FaultKind::no_connection, A::none, false},
    Word{"extra-protocol", FaultKind::extra_protocol, A::text, false},
    Word{"extra-extension", FaultKind::extra_extension, A::text, false},
    Word{"cut-handshake", FaultKind::cut_handshake, A::none, false},
    Word{"header", FaultKind::header, A::header, false},
    Word{"delay", FaultKind::delay, A::number, false},
    Word{"fragment", FaultKind::fragment, A::fragment, false},
    Word{"chop", FaultKind::chop, A::number, false},
    Word{"slow-read", FaultKind::slow_read, A::number, false},
    Word{"ping-every", FaultKind::ping_every, A::number, false},
    Word{"no-pong", FaultKind::no_pong, A::none, false},
    Word{"no-close-reply", FaultKind::no_close_reply, A::none, false},
    Word{"close", FaultKind::close, A::close, true},
    Word{"drop", FaultKind::drop, A::none, true},
    Word{"reset", FaultKind::reset, A::none, true},
    Word{"violate", FaultKind::violate, A::violation, true},
};

constexpr std::array<std::pair<std::string_view, ViolationKind>, 9> violations{{
    {"masked", ViolationKind::masked},
    {"rsv1", ViolationKind::rsv1},
    {"opcode=3", ViolationKind::opcode3},
    {"bad-utf8", ViolationKind::bad_utf8},
    {"long-ping", ViolationKind::long_ping},
    {"fragmented-ping", ViolationKind::fragmented_ping},
    {"bad-close-code", ViolationKind::bad_close_code},
    {"non-minimal-length", ViolationKind::non_minimal_length},
    {"continuation", ViolationKind::continuation},
}};

// What each argument must be, for the error messages.
std::string_view arg_shape(FaultKind k) {
    switch (k) {
        case FaultKind::delay_handshake:
        case FaultKind::delay: return "MS, a number of milliseconds";
        case FaultKind::reject: return "STATUS, an HTTP status from 200 to 599";
        case FaultKind::chop: return "N, a positive number of bytes";
        case FaultKind::fragment: return "N[,ping], a positive number of bytes";
        case FaultKind::slow_read: return "BPS, a positive number of bytes per second";
        case FaultKind::ping_every: return "S, a positive number of seconds";
        case FaultKind::close: return "CODE[:REASON], a close code that may be sent (1000-1003, 1007-1014, 3000-4999)";
        case FaultKind::header: return "NAME:VALUE";
        case FaultKind::violate:
            return "KIND: masked, rsv1, opcode=3, bad-utf8, long-ping, fragmented-ping, bad-close-code, "
                   "non-minimal-length or continuation";
        default: return "NAME";
    }
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool is_field_value(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

FaultParse parse_fault(std::string_view spec) {
    const std::string quoted = "\"" + std::string(spec) + "\"";
    Fault f;
    f.spec = std::string(spec);
    const std::size_t name_end = spec.find_first_of("=@");
    const std::string_view name = spec.substr(0, name_end);
    const auto word = std::find_if(words.begin(), words.end(), [&](const Word& w) { return w.name == name; });
    if (word == words.end())
        return quoted + " is not a fault (see FAULTS in the man page: reject=STATUS, drop@N, violate=KIND@N…)";
    f.kind = word->kind;
    std::string_view rest = name_end == std::string_view::npos ? std::string_view() : spec.substr(name_end);
    // @N, for the faults that happen on a message.
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const auto n = checks::parse_unsigned(rest.substr(at + 1));
        if (!word->at) return quoted + ": " + std::string(name) + " takes no @N";
        if (!n || *n == 0) return quoted + ": @N must be a positive message count";
        f.at = *n;
        rest = rest.substr(0, at);
    }
    const bool has_arg = !rest.empty() && rest.front() == '=';
    const std::string_view arg = has_arg ? rest.substr(1) : std::string_view();
    if (!rest.empty() && !has_arg) return quoted + " is not a fault (expected NAME, NAME=VALUE or NAME@N)";
    if (word->arg == A::none) {
        if (has_arg) return quoted + ": " + std::string(name) + " takes no value";
        return f;
    }
    if (!has_arg || arg.empty())
        return quoted + ": " + std::string(name) + " needs " + std::string(arg_shape(f.kind));
    const std::string bad = quoted + ": " + std::string(name) + " needs " + std::string(arg_shape(f.kind));
    switch (word->arg) {
        case A::number: {
            if (f.kind == FaultKind::ping_every) {
                const auto s = checks::parse_seconds(arg);
                if (!s || *s <= 0 || *s > 1e6) return bad;
                f.number = static_cast<std::uint64_t>(*s * 1000.0 + 0.5);
                if (f.number == 0) f.number = 1;
                return f;
            }
            const auto n = checks::parse_unsigned(arg);
            if (!n) return bad;
            if (f.kind == FaultKind::reject && (*n < 200 || *n > 599)) return bad;
            if ((f.kind == FaultKind::chop || f.kind == FaultKind::slow_read) && *n == 0) return bad;
            if ((f.kind == FaultKind::delay || f.kind == FaultKind::delay_handshake) && *n > 3'600'000) return bad;
            f.number = *n;
            return f;
        }
        case A::text:
            if (!is_token(arg)) return quoted + ": " + std::string(name) + " needs a token NAME";
            f.name = std::string(arg);
            return f;
        case A::header: {
            const auto colon = arg.find(':');
            if (colon == std::string_view::npos || !is_token(arg.substr(0, colon)) || !is_field_value(arg.substr(colon + 1)))
                return bad;
            f.name = std::string(arg.substr(0, colon));
            std::string_view value = arg.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            f.value = std::string(value);
            return f;
        }
        case A::close: {
            const auto colon = arg.find(':');
            const auto code = checks::parse_unsigned(arg.substr(0, colon));
            if (!code || *code > 0xFFFF || !proto::is_valid_on_wire(static_cast<std::uint16_t>(*code))) return bad;
            f.number = *code;
            if (colon != std::string_view::npos) f.name = std::string(arg.substr(colon + 1));
            if (f.name.size() > 123) return quoted + ": a close reason holds at most 123 bytes";
            return f;
        }
        case A::fragment: {
            std::string_view n_text = arg;
            if (const auto comma = arg.find(','); comma != std::string_view::npos) {
                if (arg.substr(comma + 1) != "ping") return bad;
                f.ping = true;
                n_text = arg.substr(0, comma);
            }
            const auto n = checks::parse_unsigned(n_text);
            if (!n || *n == 0) return bad;
            f.number = *n;
            return f;
        }
        case A::violation: {
            const auto v = std::find_if(violations.begin(), violations.end(), [&](const auto& p) { return p.first == arg; });
            if (v == violations.end()) return bad;
            f.violation = v->second;
            return f;
        }
        case A::none: break;
    }
    return f;
}

bool is_handshake_fault(FaultKind k) {
    return k <= FaultKind::header;  // FaultKind lists the handshake's faults first
}

namespace {

// The head's lines, without the blank line that ends it; the body after it.
struct Head {
    std::vector<std::string> lines;
    std::string body;
};

Head split_head(const std::string& response) {
    Head h;
    const auto end = response.find("\r\n\r\n");
    const std::string head = response.substr(0, end);
    if (end != std::string::npos) h.body = response.substr(end + 4);
    std::size_t at = 0;
    while (at <= head.size()) {
        const auto nl = head.find("\r\n", at);
        h.lines.push_back(head.substr(at, nl - at));
        if (nl == std::string::npos) break;
        at = nl + 2;
    }
    return h;
}

std::string join_head(const Head& h) {
    std::string out;
    for (const auto& line : h.lines) out += line + "\r\n";
    return out + "\r\n" + h.body;
}

bool named(const std::string& line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    return std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

void remove_field(Head& h, std::string_view name) {
    std::erase_if(h.lines, [&](const std::string& l) { return named(l, name); });
}

void set_field(Head& h, std::string_view name, std::string_view value) {
    remove_field(h, name);
    h.lines.push_back(std::string(name) + ": " + std::string(value));
}

std::string_view reason_phrase(std::uint64_t status) {
    switch (status) {
        case 200: return "OK";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 409: return "Conflict";
        case 426: return "Upgrade Required";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        default: return "Rejected";
    }
}

}  // namespace

void apply_handshake_fault(const Fault& f, HandshakeReply& reply) {
    if (f.kind == FaultKind::delay_handshake) {
        reply.delay += std::chrono::milliseconds(f.number);
        return;
    }
    if (f.kind == FaultKind::reject) {
        const std::string body = "rejected on purpose (--fault " + f.spec + ")\r\n";
        reply.response = "HTTP/1.1 " + std::to_string(f.number) + " " + std::string(reason_phrase(f.number)) +
                         "\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
        reply.accepted = false;
        return;
    }
    if (f.kind == FaultKind::cut_handshake) {
        reply.cut_after = reply.response.size() / 2;
        return;
    }
    Head h = split_head(reply.response);
    switch (f.kind) {
        case FaultKind::bad_accept:
            for (auto& line : h.lines) {
                if (!named(line, "Sec-WebSocket-Accept")) continue;
                // Still 28 characters of base64, one of them wrong.
                const auto at = line.find(':') + 2;
                if (at < line.size()) line[at] = line[at] == 'A' ? 'B' : 'A';
            }
            break;
        case FaultKind::no_accept: remove_field(h, "Sec-WebSocket-Accept"); break;
        case FaultKind::no_upgrade: remove_field(h, "Upgrade"); break;
        case FaultKind::no_connection: remove_field(h, "Connection"); break;
        case FaultKind::extra_protocol: set_field(h, "Sec-WebSocket-Protocol", f.name); break;
        case FaultKind::extra_extension: set_field(h, "Sec-WebSocket-Extensions", f.name); break;
        case FaultKind::header: h.lines.push_back(f.name + ": " + f.value); break;
        default: return;
    }
    reply.response = join_head(h);
}

CraftedFrame violation_frame(ViolationKind kind) {
    using proto::Opcode;
    CraftedFrame c;
    auto frame = [&c](Opcode op, std::string_view payload, bool fin = true, std::uint8_t rsv = 0) {
        c.header.fin = fin;
        c.header.rsv = rsv;
        c.header.opcode = op;
        c.payload.assign(payload.begin(), payload.end());
        c.header.payload_len = c.payload.size();
    };
    switch (kind) {
        case ViolationKind::masked:
            frame(Opcode::text, "masked");
            c.header.mask = proto::MaskKey{0x37, 0xfa, 0x21, 0x3d};
            break;
        case ViolationKind::rsv1: frame(Opcode::text, "rsv1", true, 4); break;
        case ViolationKind::opcode3: frame(static_cast<Opcode>(3), "opcode 3"); break;
        case ViolationKind::bad_utf8: frame(Opcode::text, std::string_view("bad \xc3\x28 utf-8", 12)); break;
        case ViolationKind::long_ping: frame(Opcode::ping, std::string(126, 'p')); break;
        case ViolationKind::fragmented_ping: frame(Opcode::ping, "fragmented", false); break;
        case ViolationKind::bad_close_code: frame(Opcode::close, std::string_view("\x03\xed", 2)); break;  // 1005
        case ViolationKind::continuation: frame(Opcode::continuation, "continuation"); break;
        case ViolationKind::non_minimal_length:
            // "hi" with a 16-bit length (§5.2: the minimal number of bytes MUST be used).
            c.wire = {0x81, 0x7e, 0x00, 0x02, 'h', 'i'};
            break;
    }
    return c;
}

}  // namespace wscope::app
