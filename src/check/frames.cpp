#include "check/frames.hpp"

#include "proto/frame.hpp"

namespace wscope::check {

using proto::Bytes;
using proto::ByteView;
using proto::Opcode;

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes FrameMaker::frame(Opcode op, ByteView payload, bool fin, std::uint8_t rsv) {
    proto::FrameHeader h;
    h.fin = fin;
    h.rsv = rsv;
    h.opcode = op;
    h.mask = masks_.next();
    h.payload_len = payload.size();
    Bytes out;
    proto::append_frame(out, h, payload);
    return out;
}

Bytes FrameMaker::unmasked(Opcode op, ByteView payload, bool fin) {
    proto::FrameHeader h;
    h.fin = fin;
    h.opcode = op;
    h.payload_len = payload.size();
    Bytes out;
    proto::append_frame(out, h, payload);
    return out;
}

Bytes FrameMaker::zero_masked(Opcode op, ByteView payload) {
    proto::FrameHeader h;
    h.opcode = op;
    h.mask = proto::MaskKey{0, 0, 0, 0};
    h.payload_len = payload.size();
    Bytes out;
    proto::append_frame(out, h, payload);
    return out;
}

Bytes FrameMaker::text(std::string_view s, bool fin) { return frame(Opcode::text, to_bytes(s), fin); }
Bytes FrameMaker::binary(ByteView b, bool fin) { return frame(Opcode::binary, b, fin); }
Bytes FrameMaker::cont(ByteView b, bool fin) { return frame(Opcode::continuation, b, fin); }
Bytes FrameMaker::ping(ByteView b) { return frame(Opcode::ping, b); }
Bytes FrameMaker::pong(ByteView b) { return frame(Opcode::pong, b); }

Bytes FrameMaker::close(std::uint16_t code, ByteView reason) {
    Bytes body{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)};
    body.insert(body.end(), reason.begin(), reason.end());
    return frame(Opcode::close, body);
}

Bytes FrameMaker::close_raw(ByteView body) { return frame(Opcode::close, body); }

}  // namespace wscope::check
