// `wscope replay FILE [URL]` (SPEC §2.8): a client that plays a transcript's client side
// against a server, in order, with the recorded gaps, waiting for the recorded replies; with
// --expect it compares them and exits 8 at the first difference. --export writes the
// transcript for another tool instead.
#pragma once

#include "app/replay_cli.hpp"

namespace wscope::app {

[[nodiscard]] int run_replay(const ReplayOptions& options);

}  // namespace wscope::app
