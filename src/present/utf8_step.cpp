// One UTF-8 sequence at a time (RFC 3629 §4): the lead byte fixes the length and the range
// allowed for the second byte; every later byte is 80-BF.
#include "present/utf8_step.hpp"

namespace wscope::present {
namespace {

struct Lead {
    std::size_t len = 0;  // 0: not a lead byte
    std::uint8_t second_lo = 0x80;
    std::uint8_t second_hi = 0xBF;
    char32_t bits = 0;  // payload bits of the lead byte
};

Lead classify(std::uint8_t b) noexcept {
    if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF, char32_t(b & 0x1F)};
    if (b == 0xE0) return {3, 0xA0, 0xBF, 0};          // E0 80-9F would be overlong
    if (b == 0xED) return {3, 0x80, 0x9F, 0xD};        // ED A0-BF would be a surrogate
    if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF, char32_t(b & 0x0F)};
    if (b == 0xF0) return {4, 0x90, 0xBF, 0};          // F0 80-8F would be overlong
    if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF, char32_t(b & 0x07)};
    if (b == 0xF4) return {4, 0x80, 0x8F, 4};          // F4 90+ would exceed U+10FFFF
    return {};  // 80-BF (no lead), C0-C1 (overlong), F5-FF (beyond U+10FFFF)
}

bool in_range(std::uint8_t b, std::uint8_t lo, std::uint8_t hi) noexcept {
    return b >= lo && b <= hi;
}

}  // namespace

Utf8Step utf8_step(proto::ByteView data, std::size_t pos) noexcept {
    const std::uint8_t b0 = data[pos];
    if (b0 < 0x80) return {Utf8Step::Kind::ok, b0, 1};
    const Lead lead = classify(b0);
    if (lead.len == 0) return {Utf8Step::Kind::invalid, 0, 1};
    char32_t cp = lead.bits;
    for (std::size_t i = 1; i < lead.len; ++i) {
        if (pos + i >= data.size()) return {Utf8Step::Kind::incomplete, 0, i};
        const std::uint8_t b = data[pos + i];
        const bool ok = i == 1 ? in_range(b, lead.second_lo, lead.second_hi)
                               : in_range(b, 0x80, 0xBF);
        if (!ok) return {Utf8Step::Kind::invalid, 0, 1};
        cp = (cp << 6) | (b & 0x3F);
    }
    return {Utf8Step::Kind::ok, cp, lead.len};
}

}  // namespace wscope::present
