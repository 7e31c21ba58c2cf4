// The process exit status (SPEC §2.5, man page EXIT STATUS): one table, one place.
#pragma once

#include "session/outcome.hpp"

namespace wscope::app {

enum class ExitCode : int {
    ok = 0,                  // closed normally
    usage = 1,               // bad option, bad URL, invalid input
    connect = 2,             // DNS, refused, timeout, proxy
    tls = 3,                 // TLS handshake or certificate verification
    handshake = 4,           // WebSocket upgrade rejected
    protocol = 5,            // the peer violated the protocol
    lost = 6,                // lost without a close, or the peer closed with an error code
    timeout = 7,             // ping or close timeout after the connection was open
    check = 8,               // wscope check: a case failed; a scenario's expect was not met
};

// 128 + the signal number, as shells report a process a signal ended: 130 for SIGINT, 143
// for SIGTERM, 129 for SIGHUP (SPEC §2.5: after a clean Close 1001 was sent).
[[nodiscard]] constexpr int exit_code_for_signal(int signo) noexcept { return 128 + signo; }

// "SIGINT", "SIGTERM", "SIGHUP", or "a signal".
[[nodiscard]] constexpr const char* signal_name(int signo) noexcept {
    switch (signo) {
        case 1: return "SIGHUP";
        case 2: return "SIGINT";
        case 15: return "SIGTERM";
    }
    return "a signal";
}

[[nodiscard]] constexpr ExitCode exit_code_for(session::Outcome o) noexcept {
    using session::Outcome;
    switch (o) {
        case Outcome::normal: return ExitCode::ok;
        case Outcome::usage: return ExitCode::usage;
        case Outcome::connect_failed: return ExitCode::connect;
        case Outcome::tls_failed: return ExitCode::tls;
        case Outcome::handshake_rejected: return ExitCode::handshake;
        case Outcome::protocol_violation: return ExitCode::protocol;
        case Outcome::connection_lost: return ExitCode::lost;
        case Outcome::peer_error_close: return ExitCode::lost;
        case Outcome::timeout: return ExitCode::timeout;
    }
    return ExitCode::lost;
}

}  // namespace wscope::app
