// A slow, obviously correct UTF-8 checker to hold proto::Utf8Validator against (unit tests and
// fuzz/utf8_fuzz.cpp). It decodes code points arithmetically instead of walking a byte-range
// table, so the two share no logic.
//
// A prefix is "viable" when some continuation could still make it valid UTF-8: every complete
// sequence decodes to a scalar value (U+0000-U+D7FF or U+E000-U+10FFFF) in its shortest form,
// and the code points an incomplete last sequence could still become — an interval, found by
// completing it with all 80 bytes or all BF bytes — meet that set in the shortest-form range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wscope::test {

struct Utf8Verdict {
    enum Kind { valid, invalid, truncated } kind = valid;
    // invalid: index of the first byte after which the prefix is no longer viable.
    std::size_t reject_at = 0;
};

inline Utf8Verdict reference_utf8(std::span<const std::uint8_t> s) {
    std::size_t i = 0;
    int need = 0;              // continuation bytes still expected
    int total = 0;             // length of the current sequence
    std::uint32_t cp = 0;      // bits so far
    for (; i < s.size(); ++i) {
        const std::uint8_t b = s[i];
        if (need == 0) {
            if (b < 0x80) continue;
            if ((b & 0xE0) == 0xC0) {
                total = 2;
                cp = b & 0x1F;
            } else if ((b & 0xF0) == 0xE0) {
                total = 3;
                cp = b & 0x0F;
            } else if ((b & 0xF8) == 0xF0) {
                total = 4;
                cp = b & 0x07;
            } else {
                return {Utf8Verdict::invalid, i};  // continuation byte or F8-FF as a lead
            }
            need = total - 1;
        } else {
            if ((b & 0xC0) != 0x80) return {Utf8Verdict::invalid, i};
            cp = (cp << 6) | (b & 0x3F);
            --need;
        }
        // The interval of code points this sequence can still become.
        const std::uint32_t lo = cp << (6 * need);
        const std::uint32_t hi = lo | ((std::uint32_t{1} << (6 * need)) - 1);
        const std::uint32_t shortest = total == 2 ? 0x80 : total == 3 ? 0x800 : 0x10000;
        const std::uint32_t from = lo < shortest ? shortest : lo;
        const std::uint32_t to = hi > 0x10FFFF ? 0x10FFFF : hi;
        bool reachable = false;
        if (from <= to) {
            // [from, to] minus the surrogates D800-DFFF is non-empty?
            reachable = from < 0xD800 || to > 0xDFFF;
        }
        if (!reachable) return {Utf8Verdict::invalid, i};
    }
    return {need == 0 ? Utf8Verdict::valid : Utf8Verdict::truncated, 0};
}

}  // namespace wscope::test
