// The cases of `wscope check`, written from RFC 6455. Ids are ours: GROUP.SUBGROUP.N, with the
// groups in the order below. Each case names the section of the RFC it checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/case.hpp"
#include "crypto/mask_source.hpp"

namespace wscope::check {

struct Group {
    std::string_view number;  // "6"
    std::string_view name;    // "utf8"
    std::string_view title;   // "UTF-8 in text messages"
};

[[nodiscard]] const std::vector<Group>& groups();

// Every case, in id order. Frames are masked with keys from masks.
[[nodiscard]] std::vector<Case> catalogue(crypto::MaskSource& masks);

}  // namespace wscope::check
