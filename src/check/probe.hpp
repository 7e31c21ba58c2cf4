// Plays one case against a server, without I/O: bytes and time in, bytes out, and at the end
// an Observation for the case's evaluator.
//
// The order of a case: write the upgrade request, read the response head (a handshake case
// ends there), then run the steps, then (close_at_end) send Close 1000. Whatever arrives is
// decoded by a client-role proto::Connection and recorded as Replies. A Close from the server
// is answered at once (with its code), then the probe waits a short grace for the server to
// close TCP (RFC 6455 §7.1.1: the server closes first). A rule broken by the server ends the
// case at once, as does EOF. Pings from the server are answered.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "check/case.hpp"
#include "check/wire.hpp"
#include "crypto/mask_source.hpp"
#include "proto/connection.hpp"
#include "proto/http1.hpp"

namespace wscope::check {

using TimePoint = std::chrono::steady_clock::time_point;

// How long the server may take to close TCP after the close handshake before we do.
inline constexpr std::chrono::milliseconds close_grace{100};

struct ProbeTarget {
    std::string host;    // the Host header value
    std::string target;  // "/chat"
};

class Probe {
public:
    // key: the Sec-WebSocket-Key to send. record_wire keeps the wire items for -F/-X.
    Probe(const Case& c, const ProbeTarget& target, crypto::MaskSource& masks, std::string key,
          bool record_wire, TimePoint now);

    // Bytes waiting to be written; report what was written with wrote().
    [[nodiscard]] proto::ByteView output() const noexcept;
    void wrote(std::size_t n, TimePoint now);

    void on_input(proto::ByteView data, TimePoint now);
    void on_eof(TimePoint now);
    void on_error(std::string message, TimePoint now);
    // Time passed: ends pauses and the close grace.
    void on_time(TimePoint now);
    // The case's time is up.
    void expire(TimePoint now);

    // When on_time() has something to do (a pause or the grace ends).
    [[nodiscard]] std::optional<TimePoint> wake_at() const noexcept;
    [[nodiscard]] bool done() const noexcept { return done_; }
    [[nodiscard]] const Observation& observation() const noexcept { return obs_; }
    [[nodiscard]] const std::vector<WireItem>& wire() const noexcept { return wire_; }

private:
    enum class Phase : std::uint8_t { handshake, open };

    void send(proto::Bytes bytes);
    void advance(TimePoint now);
    void on_head(TimePoint now);
    void drain(TimePoint now);
    void finish(End end, TimePoint now, std::string detail = {});
    [[nodiscard]] std::size_t answers() const noexcept { return answers_; }

    const Case& case_;
    crypto::MaskSource& masks_;
    bool record_;
    TimePoint start_;
    Phase phase_ = Phase::handshake;
    bool done_ = false;

    proto::Bytes out_;
    std::size_t out_done_ = 0;

    proto::HeadReader head_;
    proto::Connection conn_;
    proto::Bytes in_;  // the piece given to conn_, alive until drained

    std::size_t step_ = 0;
    std::optional<TimePoint> pause_until_;
    std::optional<TimePoint> grace_until_;
    bool close_sent_ = false;
    bool close_received_ = false;
    std::size_t answers_ = 0;  // data messages and pongs so far

    Reply message_;  // the data message being assembled
    bool in_message_ = false;

    Observation obs_;
    std::vector<WireItem> wire_;
    FrameSplitter split_out_, split_in_;
};

}  // namespace wscope::check
