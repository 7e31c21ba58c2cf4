#include "check/select.hpp"

namespace wscope::check {

std::string parse_selection(std::string_view text, Selection& out) {
    out.patterns.clear();
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        std::string_view p = text.substr(at, comma - at);
        while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
        while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
        if (p.empty()) return "--only: empty pattern in \"" + std::string(text) + "\"";
        out.patterns.emplace_back(p);
        at = comma + 1;
    }
    return {};
}

bool matches(const Case& c, std::string_view pattern) {
    if (pattern == "*" || pattern == c.group || pattern == c.id) return true;
    std::string_view prefix = pattern;
    if (prefix.size() >= 2 && prefix.substr(prefix.size() - 2) == ".*") prefix.remove_suffix(1);
    else if (!prefix.empty() && prefix.back() != '.') {
        std::string with_dot(prefix);
        with_dot += '.';
        return c.id.rfind(with_dot, 0) == 0;
    }
    return c.id.rfind(prefix, 0) == 0;
}

bool selected(const Case& c, const Selection& s) {
    if (s.patterns.empty()) return true;
    for (const auto& p : s.patterns)
        if (matches(c, p)) return true;
    return false;
}

}  // namespace wscope::check
