// Pipe mode: stdin records → messages; received messages → stdout. The loop reads stdin only
// while the session takes more input (bounded buffers: a peer that echoes while we send can
// never deadlock us), and at stdin's end lingers for replies (SPEC §2.1) before it closes and
// keeps printing until the peer's Close.
#pragma once

#include <chrono>
#include <optional>

#include "app/console.hpp"
#include "app/options.hpp"
#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/deflate.hpp"
#include "session/outcome.hpp"
#include "session/session.hpp"

namespace wscope::app {

// How a client's session ended.
struct SessionEnd {
    session::Failure failure;
    session::SessionStats stats;
    int signal = 0;  // the signal that ended it (SIGINT, SIGTERM, SIGHUP), or 0
    std::string peer_reason;  // the peer's close reason (raw bytes: escape before showing)
    bool we_closed = false;   // the front end started the close (input over, -n, a signal, --max-time)
};

// What the client's run tells a front end about this session.
struct SessionContext {
    std::optional<session::TimePoint> deadline;  // --max-time: close 1000 then, and end with exit 7
    double max_time = 0;                         // its seconds, for the message
    unsigned reconnect_try = 0;                  // --reconnect: this session's try; 0: the first
};

// The failure --max-time ends a session with.
[[nodiscard]] session::Failure max_time_failure(double seconds);
// When --max-time is up, the peer's Close is awaited for at most this (or --close-timeout,
// when shorter), so that the run ends close to the time asked for.
inline constexpr std::chrono::seconds max_time_close_grace{1};
[[nodiscard]] session::TimePoint max_time_give_up(const ClientOptions& o);

// The session settings the client's options ask for (pipe mode and the REPL alike).
[[nodiscard]] session::SessionOptions client_session_options(
    const ClientOptions& options, const std::optional<proto::DeflateParams>& deflate);

[[nodiscard]] SessionEnd run_pipe_mode(net::Loop& loop, Console& console, net::Stream& stream,
                                       proto::ByteView leftover, const ClientOptions& options,
                                       const std::optional<proto::DeflateParams>& deflate,
                                       const SessionContext& context,
                                       session::Observer* record = nullptr);

}  // namespace wscope::app
