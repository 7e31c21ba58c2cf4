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
    check = 8,               // wscope check: the server failed at least one case
};

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
