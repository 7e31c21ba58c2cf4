// listen --exec CMD: every client gets its own run of CMD (websocketd style). Received
// messages go to the program's stdin (text as lines; with --binary as they are), its stdout
// becomes messages (a line each; with --binary what each read gives), its stderr goes to the
// log with the client's id, and its exit closes the connection: Close 1000 for status 0,
// else 1011 with the status (or the signal) as the reason. When the client closes first,
// stdin gets EOF and the program has --close-timeout to exit before SIGTERM (exec_program.hpp).
//
// Backpressure runs both ways, per client: while the program's stdin has a backlog the
// client's socket is not read, and while the client has too much unsent the program's stdout
// is not read. --max-clients bounds the programs alive at once, those still winding down
// after their client left included. CMD runs as /bin/sh -c CMD, with a CGI-style environment
// (exec_environment.hpp).
#pragma once

#include <memory>

#include "app/listen_feature.hpp"

namespace wscope::app {

[[nodiscard]] std::unique_ptr<ListenFeature> make_exec_feature(const ListenOptions& options, Console& console);

}  // namespace wscope::app
