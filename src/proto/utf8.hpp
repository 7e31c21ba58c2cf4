// Incremental UTF-8 validation (RFC 3629, as required for text messages by RFC 6455 §8.1).
//
// Feed a message in pieces of any size: code points may be split across pieces (and so across
// frames). feed() fails at the first byte that can no longer begin or continue a valid
// sequence — overlong forms, UTF-16 surrogates (U+D800-DFFF), values above U+10FFFF, the bytes
// C0, C1 and F5-FF — so that a bad message is rejected as early as the bytes allow ("fail fast",
// §8.1). finish() fails when the message ends inside a sequence. Runs of ASCII are skipped a
// machine word at a time.
#pragma once

#include <cstdint>

#include "proto/bytes.hpp"

namespace wscope::proto {

class Utf8Validator {
public:
    // False once the bytes so far cannot be a prefix of valid UTF-8; it stays false.
    [[nodiscard]] bool feed(ByteView data) noexcept;
    // True if everything fed is complete, valid UTF-8. Resets for the next message.
    [[nodiscard]] bool finish() noexcept;
    void reset() noexcept { state_ = accept; }

    [[nodiscard]] bool failed() const noexcept { return state_ == reject; }

private:
    static constexpr std::uint8_t accept = 0;
    static constexpr std::uint8_t reject = 1;
    std::uint8_t state_ = accept;
};

// Whole-buffer convenience.
[[nodiscard]] bool is_valid_utf8(ByteView data) noexcept;

}  // namespace wscope::proto
