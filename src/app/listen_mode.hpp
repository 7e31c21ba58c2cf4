// Listen mode: a test server. Accepts many clients at once on one poll() loop, checks each
// handshake, then prints, echoes or broadcasts their messages.
#pragma once

#include "app/options.hpp"

namespace wscope::app {

[[nodiscard]] int run_listen(const ListenOptions& options);

}  // namespace wscope::app
