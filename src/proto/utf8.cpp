// Incremental UTF-8 validation as a small state machine over the well-formed byte sequences
// of RFC 3629 §4 (Table 3-7 of the Unicode standard):
//
//   00-7F
//   C2-DF 80-BF
//   E0    A0-BF 80-BF        (E0 80-9F would be overlong)
//   E1-EC 80-BF 80-BF
//   ED    80-9F 80-BF        (ED A0-BF would encode surrogates)
//   EE-EF 80-BF 80-BF
//   F0    90-BF 80-BF 80-BF  (F0 80-8F would be overlong)
//   F1-F3 80-BF 80-BF 80-BF
//   F4    80-8F 80-BF 80-BF  (F4 90+ would exceed U+10FFFF)
//
// Every state names the range the next byte must fall in, so a byte outside it is rejected
// immediately: the validator fails as early as the bytes allow.
#include "proto/utf8.hpp"

#include <cstring>

namespace wscope::proto {
namespace {

enum State : std::uint8_t {
    s_accept = 0,
    s_reject = 1,
    s_tail1,   // one more 80-BF
    s_tail2,   // two more 80-BF
    s_tail3,   // three more 80-BF
    s_e0,      // A0-BF, then one more
    s_ed,      // 80-9F, then one more
    s_f0,      // 90-BF, then two more
    s_f4,      // 80-8F, then two more
};

constexpr bool in(std::uint8_t b, std::uint8_t lo, std::uint8_t hi) { return b >= lo && b <= hi; }

std::uint8_t after_lead(std::uint8_t b) {
    if (b < 0x80) return s_accept;
    if (in(b, 0xC2, 0xDF)) return s_tail1;
    if (b == 0xE0) return s_e0;
    if (b == 0xED) return s_ed;
    if (in(b, 0xE1, 0xEF)) return s_tail2;
    if (b == 0xF0) return s_f0;
    if (in(b, 0xF1, 0xF3)) return s_tail3;
    if (b == 0xF4) return s_f4;
    return s_reject;  // 80-BF (no lead), C0-C1 (overlong), F5-FF (beyond U+10FFFF)
}

std::uint8_t step(std::uint8_t state, std::uint8_t b) {
    switch (state) {
        case s_accept: return after_lead(b);
        case s_tail1: return in(b, 0x80, 0xBF) ? s_accept : s_reject;
        case s_tail2: return in(b, 0x80, 0xBF) ? s_tail1 : s_reject;
        case s_tail3: return in(b, 0x80, 0xBF) ? s_tail2 : s_reject;
        case s_e0: return in(b, 0xA0, 0xBF) ? s_tail1 : s_reject;
        case s_ed: return in(b, 0x80, 0x9F) ? s_tail1 : s_reject;
        case s_f0: return in(b, 0x90, 0xBF) ? s_tail2 : s_reject;
        case s_f4: return in(b, 0x80, 0x8F) ? s_tail2 : s_reject;
        default: return s_reject;
    }
}

constexpr std::uint64_t high_bits = 0x8080808080808080ull;

}  // namespace

bool Utf8Validator::feed(ByteView data) noexcept {
    std::uint8_t state = state_;
    const std::uint8_t* p = data.data();
    const std::uint8_t* end = p + data.size();
    while (p < end) {
        if (state == s_reject) break;
        if (state == s_accept) {
            // ASCII fast path: skip 16, then 8 bytes at a time while no byte has its top bit.
            while (end - p >= 16) {
                std::uint64_t a, b;
                std::memcpy(&a, p, 8);
                std::memcpy(&b, p + 8, 8);
                if (((a | b) & high_bits) != 0) break;
                p += 16;
            }
            while (end - p >= 8) {
                std::uint64_t a;
                std::memcpy(&a, p, 8);
                if ((a & high_bits) != 0) break;
                p += 8;
            }
            if (p == end) break;
        }
        state = step(state, *p++);
    }
    state_ = state;
    return state != s_reject;
}

bool Utf8Validator::finish() noexcept {
    const bool ok = state_ == s_accept;
    state_ = s_accept;
    return ok;
}

bool is_valid_utf8(ByteView data) noexcept {
    Utf8Validator v;
    return v.feed(data) && v.finish();
}

}  // namespace wscope::proto
