// The opening handshake over a stream, in both roles: write our head, read the peer's (bounded
// in size and time), check it with proto/handshake, and keep the bytes that followed it.
#pragma once

#include <functional>
#include <string>

#include "net/stream.hpp"
#include "proto/handshake.hpp"
#include "proto/http1.hpp"
#include "session/clock.hpp"
#include "session/outcome.hpp"

namespace wscope::session {

struct ClientHandshake {
    proto::HttpHead response;
    proto::Agreement agreed;
    proto::Bytes leftover;  // frames that arrived with the response
};

// Sends the request, waits up to timeout for the response, and checks it. A non-101 or invalid
// answer is Outcome::handshake_rejected; a broken stream is connect_failed. trace (may be
// empty) receives "> " request lines and "< " response lines for -v.
// When response_out is given, it receives the response head whenever one arrived (e.g. a 3xx
// with its Location, for -L).
[[nodiscard]] proto::Result<ClientHandshake, Failure> client_handshake(
    net::Stream& stream, const proto::ClientRequest& request, Duration timeout,
    const std::function<void(const std::string&)>& trace, proto::HttpHead* response_out = nullptr);

// Writes all of data, waiting with poll() up to deadline.
[[nodiscard]] proto::Result<void, Failure> write_all(net::Stream& stream, proto::ByteView data,
                                                     TimePoint deadline);

}  // namespace wscope::session
