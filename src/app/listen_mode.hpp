// Listen mode: a test server. Accepts many clients at once on one event loop, checks each
// handshake, then prints, echoes or broadcasts their messages.
#pragma once

#include "app/console.hpp"
#include "app/options.hpp"

namespace wscope::app {

[[nodiscard]] int run_listen(const ListenOptions& options, Console& console);

}  // namespace wscope::app
