// The listen options of a test server that misbehaves on purpose: --fault, --script, --header,
// --greeting, --ping-interval and --ping-timeout (SPEC §2.6, §2.7).
#pragma once

#include <CLI/CLI.hpp>

#include "app/options.hpp"

namespace wscope::app {

void add_listen_fault_options(CLI::App& listen, ListenOptions& options);

}  // namespace wscope::app
