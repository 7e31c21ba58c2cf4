// Byte helpers for the presentation tests: hex() from tests/support, ramp() and view().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/bytes.hpp"
#include "support/hex.hpp"

namespace wscope::present::test {

using wscope::test::hex;

// Bytes lo, lo+1, …, lo+n-1 (wrapping at 256).
inline proto::Bytes ramp(std::size_t n, std::uint8_t lo = 0) {
    proto::Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(lo + i);
    return out;
}

inline proto::ByteView view(std::string_view s) { return proto::as_bytes(s); }

}  // namespace wscope::present::test
