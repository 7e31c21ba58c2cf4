// How a connection ended, in terms a front end can turn into an exit status.
#pragma once

#include <cstdint>
#include <string>

namespace wscope::session {

enum class Outcome : std::uint8_t {
    normal,              // closing handshake completed (or we were asked to stop)
    usage,               // the user asked for something impossible
    connect_failed,      // DNS, refused, timeout, proxy
    tls_failed,          // TLS handshake or certificate verification
    handshake_rejected,  // the WebSocket upgrade was refused or malformed
    protocol_violation,  // the peer broke RFC 6455; we closed with 1002/1007/1009
    connection_lost,     // the stream ended without a closing handshake, or an I/O error
    peer_error_close,    // the peer closed with an error code
    timeout,             // ping or close timeout on an open connection
};

struct Failure {
    Outcome outcome = Outcome::normal;
    std::string message;  // one line, naming the cause
};

}  // namespace wscope::session
