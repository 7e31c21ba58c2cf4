// How human-readable output looks: colour on or off, decided once by the front-end (tty,
// --color, NO_COLOR). With colour off, no escape byte is ever written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wscope::present {

struct Style {
    bool colour = false;
};

// What a piece of text stands for; each tone has one colour (ANSI SGR).
enum class Tone : std::uint8_t {
    outgoing,  // green
    incoming,  // cyan
    error,     // red
};

// Appends text to out, wrapped in the tone's SGR sequence and a reset when style.colour is set,
// unchanged otherwise.
void append_painted(std::string& out, const Style& style, Tone tone, std::string_view text);

[[nodiscard]] std::string painted(const Style& style, Tone tone, std::string_view text);

}  // namespace wscope::present
