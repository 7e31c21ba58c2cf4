// The seam between the session and presentation: what happened, in order, in both directions.
// Every callback has a default that ignores it; a front end overrides what it shows.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proto/bytes.hpp"
#include "proto/errc.hpp"
#include "proto/event.hpp"
#include "proto/frame.hpp"

namespace wscope::session {

enum class Direction : std::uint8_t { in, out };

class Observer {
public:
    virtual ~Observer() = default;

    // Frame-level reporting costs a little work per frame: only done when asked for.
    [[nodiscard]] virtual bool wants_frames() const { return false; }
    // A frame header; raw is the header as on the wire.
    virtual void on_frame_header(Direction, const proto::FrameHeader&, proto::ByteView /*raw*/) {}
    // With permessage-deflate: what the next outgoing frame holds before compression (called
    // just before its on_frame_header).
    virtual void on_frame_uncompressed(Direction, proto::ByteView /*data*/) {}
    // A piece of that frame's payload, unmasked (offset within the frame's payload).
    virtual void on_frame_payload(Direction, proto::ByteView /*data*/, std::uint64_t /*offset*/,
                                  bool /*frame_end*/) {}

    // A received data message, in one or more pieces.
    virtual void on_message(proto::MessageType, proto::ByteView /*data*/, bool /*first*/,
                            bool /*last*/) {}
    virtual void on_ping(Direction, proto::ByteView /*payload*/) {}
    // rtt: when the pong answers a ping we sent.
    virtual void on_pong(Direction, proto::ByteView /*payload*/,
                         std::optional<std::chrono::microseconds> /*rtt*/) {}
    virtual void on_close(Direction, std::optional<std::uint16_t> /*code*/,
                          std::string_view /*reason*/) {}
    // The peer broke a rule; we are closing with close_code_for(error.code).
    virtual void on_violation(const proto::Error&) {}
};

}  // namespace wscope::session
