#include "check/catalogue.hpp"

#include <algorithm>
#include <charconv>

#include "check/catalogue_parts.hpp"

namespace wscope::check {

namespace {

// Dotted ids compare number by number: 1.2.10 comes after 1.2.9.
bool id_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        unsigned x = 0, y = 0;
        auto pa = std::from_chars(a.data() + i, a.data() + a.size(), x).ptr;
        auto pb = std::from_chars(b.data() + j, b.data() + b.size(), y).ptr;
        if (x != y) return x < y;
        i = static_cast<std::size_t>(pa - a.data()) + 1;
        j = static_cast<std::size_t>(pb - b.data()) + 1;
    }
    return a.size() - std::min(a.size(), i) < b.size() - std::min(b.size(), j);
}

}  // namespace

const std::vector<Group>& groups() {
    static const std::vector<Group> all = {
        {"1", "handshake", "opening handshake"},
        {"2", "framing", "payload lengths and frame boundaries"},
        {"3", "ping", "ping and pong"},
        {"4", "reserved", "reserved bits and opcodes"},
        {"5", "fragmentation", "fragmentation and control frames between fragments"},
        {"6", "utf8", "UTF-8 in text messages"},
        {"7", "close", "closing handshake and close codes"},
        {"8", "masking", "masking of client frames"},
        {"9", "performance", "timed cases"},
    };
    return all;
}

std::vector<Case> catalogue(crypto::MaskSource& masks) {
    FrameMaker f(masks);
    std::vector<Case> out;
    detail::add_handshake_cases(out);
    detail::add_framing_cases(out, f);
    detail::add_ping_cases(out, f);
    detail::add_reserved_cases(out, f);
    detail::add_fragmentation_cases(out, f);
    detail::add_utf8_cases(out, f);
    detail::add_close_cases(out, f);
    detail::add_masking_cases(out, f);
    detail::add_performance_cases(out, f);
    std::stable_sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return id_less(a.id, b.id); });
    return out;
}

}  // namespace wscope::check
