// The context-dependent header rules of RFC 6455 §5, checked before any payload is read.
#include "proto/frame_rules.hpp"

#include <string>

namespace wscope::proto {
namespace {

std::string opname(Opcode op) { return std::string(name(op)); }

}  // namespace

std::optional<Error> check_header(const FrameHeader& h, const FrameContext& ctx) {
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the
    // WebSocket Connection_."
    if (is_reserved(h.opcode))
        return Error{Errc::reserved_opcode,
                     "frame uses reserved opcode 0x" +
                         std::string(1, "0123456789ABCDEF"[static_cast<int>(h.opcode)])};

    // §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings".
    if ((h.rsv & ~ctx.allowed_rsv) != 0)
        return Error{Errc::reserved_bits,
                     opname(h.opcode) + " frame has RSV bits " +
                         std::to_string((h.rsv >> 2) & 1) + std::to_string((h.rsv >> 1) & 1) +
                         std::to_string(h.rsv & 1) + " set without a negotiated extension"};

    // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message, and only that.
    if (ctx.deflate && (h.rsv & rsv1) != 0 && is_control(h.opcode))
        return Error{Errc::compressed_control, opname(h.opcode) + " frame has RSV1 set; control frames are never compressed"};
    if (ctx.deflate && (h.rsv & rsv1) != 0 && h.opcode == Opcode::continuation)
        return Error{Errc::compressed_continuation, {}};

    // §5.1: "A server MUST NOT mask any frames that it sends to the client."
    if (ctx.role == Role::client && h.mask) return Error{Errc::server_frame_masked, {}};

    // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
    if (ctx.role == Role::server && !h.mask) return Error{Errc::client_frame_unmasked, {}};

    if (is_control(h.opcode)) {
        // §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if (h.payload_len > max_control_payload)
            return Error{Errc::control_too_long,
                         "peer sent a " + std::to_string(h.payload_len) + "-byte " +
                             opname(h.opcode) + "; control frames carry at most 125 bytes"};
        // §5.5: "… and MUST NOT be fragmented."
        if (!h.fin)
            return Error{Errc::control_fragmented,
                         opname(h.opcode) + " frame has FIN clear; control frames cannot be "
                                            "fragmented"};
        return std::nullopt;
    }

    // §5.4: a continuation frame continues an open fragmented message, and only that.
    if (h.opcode == Opcode::continuation && !ctx.message_open)
        return Error{Errc::unexpected_continuation, {}};
    if (h.opcode != Opcode::continuation && ctx.message_open)
        return Error{Errc::expected_continuation,
                     opname(h.opcode) + " frame arrived while a fragmented message was open; "
                                        "expected a continuation"};

    // §10.4: a limit on message size, checked against the claimed length before reading it.
    const std::uint64_t so_far = h.opcode == Opcode::continuation ? ctx.message_size : 0;
    if (ctx.max_message != 0 &&
        (h.payload_len > ctx.max_message || so_far > ctx.max_message - h.payload_len))
        return Error{Errc::message_too_big,
                     "message of at least " + std::to_string(so_far + h.payload_len) +
                         " bytes exceeds the maximum of " + std::to_string(ctx.max_message)};

    // §10.4: an endpoint must protect itself against "a long stream of small frames that are a
    // part of a fragmented message". Tiny frames bring a message little or no closer to
    // max_message, so they are bounded by count; the message is not too big (1009) but
    // framed against our policy (1008, §7.4.1).
    const std::uint64_t tiny_so_far = h.opcode == Opcode::continuation ? ctx.tiny_frames : 0;
    if (ctx.max_tiny_frames != 0 && h.payload_len <= tiny_frame_payload &&
        tiny_so_far >= ctx.max_tiny_frames)
        return Error{Errc::too_many_tiny_frames,
                     "message continues past " + std::to_string(ctx.max_tiny_frames) +
                         " frames of at most " + std::to_string(tiny_frame_payload) + " bytes"};
    return std::nullopt;
}

}  // namespace wscope::proto
