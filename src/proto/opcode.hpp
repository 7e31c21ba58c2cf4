// Opcodes (RFC 6455 §5.2, §11.8). All 16 values of the 4-bit field have a name, so that a
// reserved opcode sent by a broken peer can still be shown.
#pragma once

#include <cstdint>
#include <string_view>

namespace wscope::proto {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    // 0x3-0x7: reserved for further non-control frames
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
    // 0xB-0xF: reserved for further control frames
};

// Control frames have the most significant opcode bit set (§5.5).
[[nodiscard]] constexpr bool is_control(Opcode op) noexcept {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

[[nodiscard]] constexpr bool is_reserved(Opcode op) noexcept {
    const auto v = static_cast<std::uint8_t>(op);
    return (v >= 0x3 && v <= 0x7) || v >= 0xB;
}

// "CONT", "TEXT", "BINARY", "CLOSE", "PING", "PONG", or "RSV3".."RSV7", "RSVB".."RSVF".
[[nodiscard]] std::string_view name(Opcode op) noexcept;

// Inverse of name(), case-insensitive; also accepts "continuation" and numbers 0-15
// (decimal or 0x-hex). Returns false when the text names no opcode.
[[nodiscard]] bool parse_opcode(std::string_view text, Opcode& out) noexcept;

}  // namespace wscope::proto
