// The client front end: URL → connection → handshake → pipe mode or the REPL.
#pragma once

#include "app/console.hpp"
#include "app/options.hpp"

namespace wscope::app {

[[nodiscard]] int run_client(const ClientOptions& options, Console& console);

}  // namespace wscope::app
