// Test helper: bytes from a hex literal, "81 85 37 fa" → {0x81, 0x85, 0x37, 0xfa}.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::present::test {

inline proto::Bytes hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    proto::Bytes out;
    int high = -1;
    for (const char c : text) {
        if (c == ' ') continue;
        const int n = nibble(c);
        if (n < 0) throw std::invalid_argument("bad hex digit");
        if (high < 0) {
            high = n;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | n));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd number of hex digits");
    return out;
}

// Bytes lo, lo+1, …, lo+n-1 (wrapping at 256).
inline proto::Bytes ramp(std::size_t n, std::uint8_t lo = 0) {
    proto::Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(lo + i);
    return out;
}

inline proto::ByteView view(std::string_view s) { return proto::as_bytes(s); }

}  // namespace wscope::present::test
