// One line per WebSocket frame for -F/--frames (no trailing newline):
//
//   >> TEXT   fin=1 rsv=000 mask=3f1a09c2 len=5 "hello"
//   << BINARY fin=1 rsv=000 len=300 (16-bit) 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …
//   << CONT#2 fin=0 rsv=000 len=3 "lo!"
//   << CLOSE  fin=1 rsv=000 len=5 1000 (normal) "bye"
//   << RSV3 (0x3) fin=1 rsv=000 len=0
//
// Fields: direction mark (">>" sent, "<<" received), opcode name padded to 6 columns
// (continuations numbered within their message, reserved opcodes with their number), FIN,
// RSV1-3, the masking key when there is one, the payload length (with "(16-bit)"/"(64-bit)"
// when it was not in the 7-bit field, and the uncompressed size with permessage-deflate),
// then a preview of the payload:
//   text         quoted and escaped (see quoted_text.hpp), at most frame_preview_columns
//                columns, "…" after the closing quote when cut
//   binary       hex of the first frame_preview_bytes bytes, "…" when there is more
//   close        CODE (name) "reason", (no status) when empty, (malformed: 1 byte)
//   ping / pong  as text when valid UTF-8, as hex otherwise
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "present/direction.hpp"
#include "present/style.hpp"
#include "proto/bytes.hpp"
#include "proto/event.hpp"
#include "proto/frame.hpp"

namespace wscope::present {

// About a terminal line's worth of payload text.
inline constexpr std::size_t frame_preview_columns = 60;
// One hex dump row's worth of binary payload.
inline constexpr std::size_t frame_preview_bytes = 16;

struct FrameInfo {
    Direction dir = Direction::in;
    proto::FrameHeader header{};
    // The payload, unmasked and, with permessage-deflate, inflated; it may be only the first
    // part of the payload (header.payload_len bytes, or uncompressed_len when set).
    proto::ByteView payload{};
    // Continuation frames: 1 for the first continuation of a message, 2 for the next…;
    // 0 when unknown (shown as plain "CONT").
    std::uint64_t continuation_index = 0;
    // Continuation frames: the type of the message they continue, which decides the preview.
    proto::MessageType message_type = proto::MessageType::binary;
    // With permessage-deflate: the payload size before compression / after inflation.
    std::optional<std::uint64_t> uncompressed_len{};
    // The frame broke a rule: the direction mark takes the error colour.
    bool flagged = false;
};

[[nodiscard]] std::string frame_line(const FrameInfo& frame, const Style& style = {});
void append_frame_line(std::string& out, const FrameInfo& frame, const Style& style = {});

// The opcode column without padding: "TEXT", "CONT#2", "RSVB (0xb)".
[[nodiscard]] std::string opcode_label(proto::Opcode op, std::uint64_t continuation_index = 0);

// The close body as shown after a CLOSE frame: 1000 (normal) "bye", (no status),
// (malformed: 1 byte). partial: body is only the start of the payload.
void append_close_preview(std::string& out, proto::ByteView body, bool partial = false);

}  // namespace wscope::present
