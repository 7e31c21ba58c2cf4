// What a Connection reports (bytes in → events out). Views point into the buffer given to
// Connection::receive() or into the Connection itself: they are valid until the next call to
// receive() or next_event().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/bytes.hpp"
#include "proto/errc.hpp"
#include "proto/frame.hpp"

namespace wscope::proto {

enum class MessageType : std::uint8_t { text, binary };

// A frame header arrived (every frame, control and data, valid or not: a header that breaks a
// rule is reported before the Violation so that it can be shown).
struct FrameStart {
    FrameHeader header;
    ByteView raw;  // the header bytes as on the wire
    // Continuation frames: 1 for the first continuation of the open message, 2 for the next…
    std::uint64_t continuation_index = 0;
    // The type of the message this data frame starts or continues.
    MessageType message_type = MessageType::binary;
};

// A piece of the current frame's payload, unmasked, as on the wire (before any inflation).
struct FramePayload {
    ByteView data;
    std::uint64_t offset = 0;  // of data within the frame's payload
    bool frame_end = false;    // this is the last piece of the frame
    // The same piece as it was on the wire (still masked), when ConnectionOptions::keep_wire
    // asked for it (hex dumps); empty otherwise.
    ByteView wire;
};

// A piece of a data message, ready for the application (unmasked, inflated, UTF-8 checked so
// far). A message is one or more chunks: the first has first set, the last has last set. An
// empty message is one chunk with both set.
struct MessageData {
    MessageType type = MessageType::text;
    ByteView data;
    bool first = false;
    bool last = false;
    // Payload bytes of the current frame still to come after this piece, as its header said
    // (0: the frame is done, or the message is compressed, whose inflated size is not on the
    // wire). Never more than the message size limit the header was checked against.
    std::uint64_t frame_left = 0;
};

struct PingReceived {
    ByteView payload;
};

struct PongReceived {
    ByteView payload;
};

// The peer's Close (already validated). Reply policy belongs to the caller.
struct CloseReceived {
    std::optional<std::uint16_t> code;  // absent: empty Close body (reported as 1005)
    std::string_view reason;
};

// The peer broke a rule. The connection is now failed: the caller should send
// Close(close_code_for(error.code)) — unless the stream is already gone — and stop reading.
struct Violation {
    Errc code{};
    std::string_view detail;  // may be empty; held by the Connection

    [[nodiscard]] Error error() const { return Error{code, std::string(detail)}; }
};

// The byte stream ended (receive_eof()). clean is true when the closing handshake had
// completed (or at least the peer's Close had arrived); otherwise the close is abnormal (1006).
struct StreamEnded {
    bool clean = false;
};

using Event = std::variant<FrameStart, FramePayload, MessageData, PingReceived, PongReceived,
                           CloseReceived, Violation, StreamEnded>;

}  // namespace wscope::proto
