// `wscope check URL` (SPEC §2.9): runs the conformance cases against a server and reports a
// verdict per case. Exit 0 when no case FAILed, 8 when one did.
#pragma once

#include <string_view>

#include "app/check_cli.hpp"
#include "app/console.hpp"

namespace wscope::app {

// Result lines go to stdout, the wire (-F/-X) and errors to stderr, through the console.
[[nodiscard]] int run_check(const CheckOptions& options, Console& console);
// With stdout and stderr.
[[nodiscard]] int run_check(const CheckCommand& command);

}  // namespace wscope::app
