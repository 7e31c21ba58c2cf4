// The session's timing defaults: each defined once, here, with its reason. The command line,
// its --help text and the man page take them from here.
#pragma once

#include <chrono>
#include <cstdint>

namespace wscope::session {

using namespace std::chrono_literals;

// Silence allowed while closing (--close-timeout): long enough for a Close to cross a slow
// link, short enough that a peer that never answers does not hold the user.
inline constexpr std::chrono::milliseconds default_close_timeout = 2s;
// A pong may take this long (--ping-timeout): a short --ping-interval must not turn one slow
// pong on a busy machine or link into a failure.
inline constexpr std::chrono::milliseconds default_ping_timeout = 30s;
// A server that failed a connection waits this long for the client's Close before it closes
// TCP (RFC 6455 §7.1.7 lets it close at once; a little time lets the Close reach the client).
inline constexpr std::chrono::milliseconds default_failure_linger = 500ms;
// After failing a connection, this much of what the peer goes on sending is read (and
// dropped) to see its Close and its end; then the socket is not read again before the
// failure's deadline, so a never-ending message cannot keep us busy.
inline constexpr std::uint64_t failure_drain_limit = 256 * 1024;
// Connecting and the opening handshake, without --connect-timeout.
inline constexpr std::chrono::milliseconds default_connect_timeout = 30s;
// A server drops a client that has not finished its opening handshake by then.
inline constexpr std::chrono::milliseconds default_handshake_timeout = 10s;
// A send or echo buffer that a large message made big is kept while traffic flows (a stream of
// large messages reuses it, with no allocation or page faults per message) and released once
// the connection has been quiet this long: an idle connection holds no large buffer.
inline constexpr std::chrono::milliseconds idle_release_after = 100ms;
// After stdin's end, the client waits for replies until the peer was this long silent (-w).
inline constexpr std::chrono::milliseconds default_linger = 500ms;

}  // namespace wscope::session
