// --stats: a summary of the connection on stderr at exit, like curl's -w timings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "session/session.hpp"

namespace wscope::app {

struct Timings {
    std::chrono::microseconds connect{0};    // DNS + TCP (+ proxy)
    std::optional<std::chrono::microseconds> tls;  // wss:// only
    std::chrono::microseconds handshake{0};  // the HTTP upgrade
};

// The summary as text, one "stats: name: value" line each (prefix before every line: listen
// mode's "[3] "). Without timings (a server's client), the connect and handshake lines are left out.
[[nodiscard]] std::string format_stats(const Timings* t, const session::SessionStats& s,
                                       session::TimePoint end, std::string_view prefix = {});

}  // namespace wscope::app
