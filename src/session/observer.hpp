// The seam between the session and everything that shows or records it: what happened, in
// order, in both directions, as one event type. A front end subscribes observers to a
// session's Observers fan-out; each observer looks at the kinds it cares about and ignores
// the rest. Forwarding is done once, here, for every kind at once: a new kind added to
// SessionEvent reaches every observer without any class in between having to know of it.
//
// Views in an event are valid only during the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/errc.hpp"
#include "proto/event.hpp"
#include "proto/frame.hpp"

namespace wscope::session {

enum class Direction : std::uint8_t { in, out };

// A frame's header: every received header (one that breaks a rule too, before its
// ViolationEvent) and every frame we send, as it was encoded.
struct FrameHeaderEvent {
    Direction dir = Direction::in;
    proto::FrameHeader header{};
    proto::ByteView raw;                   // the header bytes as on the wire
    std::uint64_t continuation_index = 0;  // continuation frames: 1, 2… within the message
    proto::MessageType message_type = proto::MessageType::binary;
    // Sent with permessage-deflate: the data before compression (data frames only).
    std::optional<proto::ByteView> uncompressed;
};

// A piece of the frame's payload: unmasked (still compressed if the frame is). Sent frames
// come as one piece with their wire bytes; received ones as they were read, with wire bytes
// only when an observer asked for them (Interest::wire).
struct FramePayloadEvent {
    Direction dir = Direction::in;
    proto::ByteView data;
    proto::ByteView wire;  // the piece as on the wire (masked when the frame is); may be empty
    std::uint64_t offset = 0;
    bool frame_end = false;
};

// A data message, in one or more pieces (first on the first, last on the last), either way:
// received (inflated, UTF-8 checked) or sent (before compression).
struct MessageEvent {
    Direction dir = Direction::in;
    proto::MessageType type = proto::MessageType::text;
    proto::ByteView data;
    bool first = true;
    bool last = true;
    // Received: proto::MessageData::frame_left, a hint for sizing a buffer once.
    std::uint64_t frame_left = 0;
};

struct PingEvent {
    Direction dir = Direction::in;
    proto::ByteView payload;
};

struct PongEvent {
    Direction dir = Direction::in;
    proto::ByteView payload;
    std::optional<std::chrono::microseconds> rtt;  // it answered a ping of ours
};

struct CloseEvent {
    Direction dir = Direction::in;
    std::optional<std::uint16_t> code;  // absent: an empty Close body
    std::string_view reason;
};

// The peer broke a rule; we are closing with close_code_for(error.code).
struct ViolationEvent {
    const proto::Error& error;
};

// A timer or the stream ended the session (the outcome is in Session::failure()).
struct EndEvent {};

using SessionEvent = std::variant<FrameHeaderEvent, FramePayloadEvent, MessageEvent, PingEvent,
                                  PongEvent, CloseEvent, ViolationEvent, EndEvent>;

// What an observer needs beyond messages, pings and closes: frame events cost a little work
// per frame, wire copies of received payloads a copy each.
struct Interest {
    bool frames = false;
    bool wire = false;
};

class Observer {
public:
    virtual ~Observer() = default;
    [[nodiscard]] virtual Interest interest() const { return {}; }
    virtual void on_event(const SessionEvent& event) = 0;
};

// The fan-out a session reports to: every event goes to every subscriber, in the order they
// subscribed. Frame events go only to subscribers that asked for frames.
class Observers final : public Observer {
public:
    void subscribe(Observer& o) { list_.push_back(&o); }
    [[nodiscard]] Interest interest() const override {
        Interest all;
        for (const Observer* o : list_) {
            const Interest i = o->interest();
            all.frames = all.frames || i.frames;
            all.wire = all.wire || i.wire;
        }
        return all;
    }
    void on_event(const SessionEvent& event) override {
        const bool frame = std::holds_alternative<FrameHeaderEvent>(event) ||
                           std::holds_alternative<FramePayloadEvent>(event);
        for (Observer* o : list_)
            if (!frame || o->interest().frames) o->on_event(event);
    }

private:
    std::vector<Observer*> list_;
};

// Calls f with the event when it holds an E: `if_event<MessageEvent>(ev, [&](auto& m) {…})`.
template <typename E, typename F>
void if_event(const SessionEvent& event, F&& f) {
    if (const E* e = std::get_if<E>(&event)) f(*e);
}

}  // namespace wscope::session
