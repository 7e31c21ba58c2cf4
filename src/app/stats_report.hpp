// --stats: a summary of the connection on stderr at exit, like curl's -w timings.
#pragma once

#include <chrono>
#include <string>

#include "session/session.hpp"

namespace wscope::app {

struct Timings {
    std::chrono::microseconds connect{0};    // DNS + TCP (+ proxy)
    std::chrono::microseconds handshake{0};  // the HTTP upgrade
};

// The summary as text, one "name: value" line each.
[[nodiscard]] std::string format_stats(const Timings& t, const session::SessionStats& s,
                                       session::TimePoint end);

}  // namespace wscope::app
