// Test helpers for writing wire bytes as text: hex("81 05 48 65 6c 6c 6f") → Bytes, and back.
// Header-only; used by every layer's tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::test {

using proto::ByteView;
using proto::Bytes;

// Hex digits in pairs; spaces, tabs, newlines, ':' and '|' between bytes are ignored. Anything
// else (or an odd number of digits) is a mistake in the test itself: it throws, which doctest
// reports as a failure of the test case.
inline Bytes hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    int high = -1;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '|') {
            if (high >= 0) throw std::invalid_argument("hex(): half a byte before a separator");
            continue;
        }
        const int v = nibble(c);
        if (v < 0) throw std::invalid_argument("hex(): not a hex digit: " + std::string(1, c));
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("hex(): odd number of digits");
    return out;
}

// "81 05 48 65 6c 6c 6f" (lower case, one space between bytes, none at the ends).
inline std::string to_hex(ByteView bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0) out += ' ';
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0xF];
    }
    return out;
}

// The bytes of a string literal (no terminating NUL).
inline Bytes bytes_of(std::string_view text) {
    const ByteView v = proto::as_bytes(text);
    return Bytes(v.begin(), v.end());
}

// Concatenation, for building a byte stream out of frames.
inline Bytes concat(std::initializer_list<ByteView> parts) {
    Bytes out;
    for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// n bytes of a simple, position-dependent pattern (0, 1, …, 250, 0, 1, …: 251 is prime, so the
// pattern does not line up with 4-byte mask keys or 8-byte words).
inline Bytes pattern(std::size_t n, std::uint8_t seed = 0) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((i + seed) % 251);
    return out;
}

}  // namespace wscope::test
