// ANSI SGR colouring of short pieces of text (ECMA-48 §8.3.117).
#include "present/style.hpp"

namespace wscope::present {
namespace {

constexpr std::string_view reset = "\x1b[0m";

std::string_view sgr(Tone tone) noexcept {
    switch (tone) {
        case Tone::outgoing: return "\x1b[32m";
        case Tone::incoming: return "\x1b[36m";
        case Tone::error: return "\x1b[31m";
    }
    return reset;
}

}  // namespace

void append_painted(std::string& out, const Style& style, Tone tone, std::string_view text) {
    if (!style.colour) {
        out += text;
        return;
    }
    out += sgr(tone);
    out += text;
    out += reset;
}

std::string painted(const Style& style, Tone tone, std::string_view text) {
    std::string out;
    append_painted(out, style, tone, text);
    return out;
}

}  // namespace wscope::present
