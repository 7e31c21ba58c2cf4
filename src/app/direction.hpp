// The session's direction as the presentation layer names it (">>"/"out", "<<"/"in").
#pragma once

#include "present/direction.hpp"
#include "session/observer.hpp"

namespace wscope::app {

[[nodiscard]] constexpr present::Direction to_present(session::Direction d) noexcept {
    return d == session::Direction::in ? present::Direction::in : present::Direction::out;
}

}  // namespace wscope::app
