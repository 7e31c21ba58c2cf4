// Close codes and the Close frame body (RFC 6455 §5.5.1, §7.4).
#include "proto/close_code.hpp"

#include <algorithm>
#include <string>

#include "proto/result.hpp"
#include "proto/utf8.hpp"

namespace wscope::proto {

bool is_valid_on_wire(std::uint16_t code) noexcept {
    // §7.4.2: 0-999 are not used.
    if (code < 1000) return false;
    // §7.4.1: 1004 is reserved; 1005 and 1006 only stand for "no code" and "no close frame".
    if (code >= 1004 && code <= 1006) return false;
    // 1000-1003, 1007-1011 (§7.4.1) and 1012-1014 (IANA registry) are defined.
    if (code <= 1014) return true;
    // 1015 stands for "TLS handshake failed"; 1016-2999 are reserved for future revisions.
    if (code < 3000) return false;
    // 3000-3999 registered with IANA, 4000-4999 private use.
    return code <= 4999;
}

std::string_view close_code_name(std::uint16_t code) noexcept {
    switch (code) {
        case 1000: return "normal";
        case 1001: return "going away";
        case 1002: return "protocol error";
        case 1003: return "unsupported data";
        case 1004: return "reserved";
        case 1005: return "no status";
        case 1006: return "abnormal closure";
        case 1007: return "invalid payload data";
        case 1008: return "policy violation";
        case 1009: return "message too big";
        case 1010: return "mandatory extension";
        case 1011: return "internal error";
        case 1012: return "service restart";
        case 1013: return "try again later";
        case 1014: return "bad gateway";
        case 1015: return "TLS handshake";
        default: break;
    }
    if (code >= 3000 && code <= 3999) return "registered";
    if (code >= 4000 && code <= 4999) return "private use";
    return "unknown";
}

Result<CloseInfo, Error> parse_close_payload(ByteView payload) {
    CloseInfo info;
    if (payload.empty()) return info;
    // §5.5.1: if there is a body, its first two bytes are the status code.
    if (payload.size() == 1) return Errc::close_payload_too_short;
    const std::uint16_t code = load_be16(payload.data());
    if (!is_valid_on_wire(code))
        return Error{Errc::invalid_close_code,
                     "close code " + std::to_string(code) + " may not be sent on the wire"};
    const ByteView reason = payload.subspan(2);
    // §5.5.1: the reason is UTF-8 encoded.
    if (!is_valid_utf8(reason))
        return Error{Errc::invalid_utf8, "close reason is not valid UTF-8"};
    info.code = code;
    info.reason.assign(as_chars(reason));
    return info;
}

Bytes format_close_payload(std::uint16_t code, std::string_view reason) {
    Bytes out;
    if (code == 0) return out;
    std::size_t n = std::min(reason.size(), max_close_reason);
    // Cut on a code point boundary: never leave a partial UTF-8 sequence behind.
    while (n > 0 && n < reason.size() && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80)
        --n;
    out.resize(2 + n);
    store_be16(out.data(), code);
    std::copy_n(reason.data(), n, out.data() + 2);
    return out;
}

Bytes format_close_payload(CloseCode code, std::string_view reason) {
    return format_close_payload(static_cast<std::uint16_t>(code), reason);
}

}  // namespace wscope::proto
