// Opcode names, for frame lines, JSON and the REPL's /frame command.
#include "proto/opcode.hpp"

#include <array>
#include <charconv>
#include <cctype>
#include <string>

namespace wscope::proto {
namespace {

constexpr std::array<std::string_view, 16> kNames{
    "CONT", "TEXT", "BINARY", "RSV3", "RSV4", "RSV5", "RSV6", "RSV7",
    "CLOSE", "PING", "PONG", "RSVB", "RSVC", "RSVD", "RSVE", "RSVF"};

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool parse_number(std::string_view text, unsigned& out) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
    return ec == std::errc{} && ptr == end && !text.empty();
}

}  // namespace

std::string_view name(Opcode op) noexcept { return kNames[static_cast<std::uint8_t>(op) & 0xF]; }

bool parse_opcode(std::string_view text, Opcode& out) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (iequal(text, kNames[i])) {
            out = static_cast<Opcode>(i);
            return true;
        }
    }
    if (iequal(text, "continuation")) {
        out = Opcode::continuation;
        return true;
    }
    unsigned n = 0;
    if (!parse_number(text, n) || n > 15) return false;
    out = static_cast<Opcode>(n);
    return true;
}

}  // namespace wscope::proto
