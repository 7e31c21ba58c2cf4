// Which way a frame or message went, as the presentation layer shows it: ">>" / "out" for what
// we sent, "<<" / "in" for what the peer sent (curl -v's marks).
#pragma once

#include <cstdint>
#include <string_view>

namespace wscope::present {

enum class Direction : std::uint8_t { in, out };

// "<<" for incoming, ">>" for outgoing.
[[nodiscard]] constexpr std::string_view mark(Direction d) noexcept {
    return d == Direction::out ? ">>" : "<<";
}

// "in" / "out", the JSON Lines "dir" values.
[[nodiscard]] constexpr std::string_view json_name(Direction d) noexcept {
    return d == Direction::out ? "out" : "in";
}

}  // namespace wscope::present
