// Helpers shared by the documentation renderers (docgen.cpp: man; docgen_shell.cpp: the
// bash, zsh and fish completions). Internal to them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/docgen.hpp"

namespace wscope::app::docs::detail {


inline std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += sep;
        out += w;
    }
    return out;
}

// Options of a command in --help order: group by group, each in definition order.
inline std::vector<const OptionDoc*> in_help_order(const CommandDoc& c) {
    std::vector<const OptionDoc*> out;
    for (const auto& g : c.groups)
        for (const auto& o : c.options)
            if (o.group == g) out.push_back(&o);
    return out;
}

// Replaces every occurrence of from in s.
inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// A description as a sentence.
inline std::string sentence(std::string text) {
    if (!text.empty() && std::string_view(".!?").find(text.back()) == std::string_view::npos)
        text += '.';
    return text;
}

// The first code point of s (UTF-8); len receives its length in bytes. Malformed: the byte.
inline std::uint32_t decode_utf8(std::string_view s, std::size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    len = b0 < 0x80 ? 1 : b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
    if (len > s.size()) len = 1;
    if (len == 1) return b0;
    std::uint32_t cp = b0 & (0x3f >> (len - 1));
    for (std::size_t i = 1; i < len; ++i) cp = cp << 6 | (static_cast<unsigned char>(s[i]) & 0x3f);
    return cp;
}


// The completion scripts.
[[nodiscard]] std::string bash(const std::vector<CommandDoc>& cmds);
[[nodiscard]] std::string zsh(const std::vector<CommandDoc>& cmds);
[[nodiscard]] std::string fish(const std::vector<CommandDoc>& cmds);

}  // namespace wscope::app::docs::detail
