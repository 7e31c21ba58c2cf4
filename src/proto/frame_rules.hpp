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

struct FrameContext {
    Role role = Role::client;               // who received the frame
    std::uint8_t allowed_rsv = 0;           // RSV bits an extension gave meaning to
    bool deflate = false;                   // permessage-deflate was negotiated (RSV1)
    bool message_open = false;              // a fragmented data message is in progress
    std::uint64_t message_size = 0;         // payload bytes of the open message so far
    std::uint64_t max_message = default_max_message;  // 0 = no limit
};

// Returns the first rule the received header breaks, or nothing.
[[nodiscard]] std::optional<Error> check_header(const FrameHeader& h, const FrameContext& ctx);

}  // namespace wscope::proto
