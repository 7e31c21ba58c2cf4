// The interactive client (SPEC §2.2): a readline prompt where typed lines become messages and
// slash commands (repl_command.hpp), while received messages, pongs and closes appear above
// it through the console. It runs on the same loop as pipe mode; only the input differs.
#pragma once

#include <optional>

#include "app/console.hpp"
#include "app/options.hpp"
#include "app/pipe_mode.hpp"
#include "app/stats_report.hpp"
#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/deflate.hpp"

namespace wscope::app {

// The client runs the REPL when stdin and stdout are terminals and no option asks for
// pipe-mode behaviour (-d, --echo, --jsonl, -n, -w, -0, --whole, --chunk).
[[nodiscard]] bool client_wants_repl(const ClientOptions& options);

[[nodiscard]] SessionEnd run_repl(net::Loop& loop, Console& console, net::Stream& stream,
                                  proto::ByteView leftover, const ClientOptions& options,
                                  const std::optional<proto::DeflateParams>& deflate,
                                  const Timings& timings, const std::string& url,
                                  const SessionContext& context,
                                       session::Observer* record = nullptr);

}  // namespace wscope::app
