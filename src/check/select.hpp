// --only: which cases to run. A comma-separated list of patterns, each an id ("7.3.2"), an id
// prefix ending in ".*" ("6.*", "6.3.*"), a bare id prefix that names a subgroup ("6.3"), or a
// group name ("utf8"). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/case.hpp"

namespace wscope::check {

struct Selection {
    std::vector<std::string> patterns;  // empty: everything
};

// Splits the --only value. Returns an error message for an empty pattern.
[[nodiscard]] std::string parse_selection(std::string_view text, Selection& out);

[[nodiscard]] bool matches(const Case& c, std::string_view pattern);
[[nodiscard]] bool selected(const Case& c, const Selection& s);

}  // namespace wscope::check
