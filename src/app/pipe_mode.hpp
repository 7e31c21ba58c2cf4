// Pipe mode: stdin records → messages; received messages → stdout. One poll() loop over stdin
// and the socket with bounded buffers, so a peer that echoes while we send can never
// deadlock us, and at stdin EOF we close and keep printing until the peer's Close.
#pragma once

#include "app/options.hpp"
#include "app/reporter.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "session/observer.hpp"
#include "session/outcome.hpp"

namespace wscope::app {

// Runs the session to its end and returns how it ended. inspector (may be null) also sees
// every event (frames, pings, closes) for -F/-X/-v.
[[nodiscard]] session::Failure run_pipe_mode(net::Stream& stream, proto::ByteView leftover,
                                             const ClientOptions& options, const Reporter& report,
                                             session::Observer* inspector);

}  // namespace wscope::app
