// The client front end: URL → connection → handshake → pipe mode.
#pragma once

#include "app/options.hpp"

namespace wscope::app {

[[nodiscard]] int run_client(const ClientOptions& options);

}  // namespace wscope::app
