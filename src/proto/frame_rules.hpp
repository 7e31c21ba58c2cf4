// The header rules of RFC 6455 §5 that need context: who we are, what was negotiated, and
// whether a fragmented message is open. One rule, one check, one error, in the order a
// reader of the RFC meets them. Runs on the header alone, before a byte of the payload is
// stored, so a hostile length is refused before anything is allocated for it.
#pragma once

#include <cstdint>
#include <optional>

#include "proto/errc.hpp"
#include "proto/frame.hpp"
#include "proto/role.hpp"

namespace wscope::proto {

// The default maximum message size: large enough for any interactive or scripted use, small
// enough that a peer's claimed length cannot make us hold gigabytes.
inline constexpr std::uint64_t default_max_message = 64ull * 1024 * 1024;

// A data frame whose payload fits the 7-bit length field (§5.2) is tiny: it costs as much to
// parse as it brings. Larger frames always bring their message well closer to max_message;
// tiny ones need not (an empty frame brings nothing).
inline constexpr std::uint64_t tiny_frame_payload = 125;

// The default bound on tiny frames in one message. Honest senders cut large messages into
// frames of kilobytes (4 KiB and up), never counted here; a message sent in 1-byte fragments, or
// a stream of short writes sent as one message, stays far below it. A peer that sends
// nothing but empty continuations is refused after about 400 KiB of headers and a few
// milliseconds of work, instead of holding the message open forever at full speed.
inline constexpr std::uint64_t default_max_tiny_frames = 65536;

struct FrameContext {
    Role role = Role::client;               // who received the frame
    std::uint8_t allowed_rsv = 0;           // RSV bits an extension gave meaning to
    bool deflate = false;                   // permessage-deflate was negotiated (RSV1)
    bool message_open = false;              // a fragmented data message is in progress
    std::uint64_t message_size = 0;         // payload bytes of the open message so far
    std::uint64_t max_message = default_max_message;  // 0 = no limit
    std::uint64_t tiny_frames = 0;          // tiny data frames of the open message so far
    std::uint64_t max_tiny_frames = default_max_tiny_frames;  // 0 = no limit
};

// Returns the first rule the received header breaks, or nothing.
[[nodiscard]] std::optional<Error> check_header(const FrameHeader& h, const FrameContext& ctx);

}  // namespace wscope::proto
