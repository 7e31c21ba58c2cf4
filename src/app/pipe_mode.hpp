// Pipe mode: stdin records → messages; received messages → stdout. One poll() loop over stdin
// and the socket with bounded buffers, so a peer that echoes while we send can never
// deadlock us, and at stdin EOF we close and keep printing until the peer's Close.
#pragma once

#include "app/options.hpp"
#include "app/output.hpp"
#include "app/reporter.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/deflate.hpp"
#include "session/observer.hpp"
#include "session/outcome.hpp"
#include "session/session.hpp"

namespace wscope::app {

// Runs the session to its end and returns how it ended. Received messages go to out (raw,
// or, with --jsonl, only through the observer); observer (may be null) sees every event:
// frames, messages, pings, closes.
struct SessionEnd {
    session::Failure failure;
    session::SessionStats stats;
};

// The session settings the client's options ask for (pipe mode and the REPL alike).
[[nodiscard]] session::SessionOptions client_session_options(
    const ClientOptions& options, const std::optional<proto::DeflateParams>& deflate);

[[nodiscard]] SessionEnd run_pipe_mode(net::Stream& stream, proto::ByteView leftover,
                                             const ClientOptions& options,
                                             const std::optional<proto::DeflateParams>& deflate, Output& out,
                                             session::Observer* observer);

}  // namespace wscope::app
