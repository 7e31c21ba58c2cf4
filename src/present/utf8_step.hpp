// Decoding one UTF-8 code point at a time, for output that must show text faithfully and
// never pass a malformed sequence through (terminal previews, JSON strings). Validation of
// whole messages is proto::Utf8Validator's job; this only walks a buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/bytes.hpp"

namespace wscope::present {

struct Utf8Step {
    enum class Kind : std::uint8_t {
        ok,          // a well-formed sequence of len bytes encoding code_point
        invalid,     // the byte at pos begins no well-formed sequence (len is 1)
        incomplete,  // a well-formed prefix that the end of the buffer cuts short (len bytes)
    };
    Kind kind = Kind::ok;
    char32_t code_point = 0;
    std::size_t len = 1;
};

// The sequence starting at data[pos] (pos < data.size()), by the RFC 3629 §4 byte ranges:
// overlong forms, surrogates and values above U+10FFFF are invalid.
[[nodiscard]] Utf8Step utf8_step(proto::ByteView data, std::size_t pos) noexcept;

}  // namespace wscope::present
