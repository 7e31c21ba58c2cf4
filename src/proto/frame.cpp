// Frame header encoding and incremental parsing (RFC 6455 §5.2).
#include "proto/frame.hpp"

#include <algorithm>
#include <cstring>

#include "proto/mask.hpp"

namespace wscope::proto {

std::size_t encode_header(const FrameHeader& h, std::uint8_t* out) noexcept {
    out[0] = static_cast<std::uint8_t>((h.fin ? 0x80 : 0) | ((h.rsv & 0x7) << 4) |
                                       (static_cast<std::uint8_t>(h.opcode) & 0xF));
    const std::uint8_t mask_bit = h.mask ? 0x80 : 0;
    std::size_t n = 2;
    switch (minimal_encoding(h.payload_len)) {
        case LengthEncoding::len7:
            out[1] = static_cast<std::uint8_t>(mask_bit | h.payload_len);
            break;
        case LengthEncoding::len16:
            out[1] = mask_bit | 126;
            store_be16(out + 2, static_cast<std::uint16_t>(h.payload_len));
            n += 2;
            break;
        case LengthEncoding::len64:
            out[1] = mask_bit | 127;
            store_be64(out + 2, h.payload_len);
            n += 8;
            break;
    }
    if (h.mask) {
        std::memcpy(out + n, h.mask->data(), 4);
        n += 4;
    }
    return n;
}

void append_frame(Bytes& out, const FrameHeader& h, ByteView payload) {
    FrameHeader header = h;
    header.payload_len = payload.size();
    append_crafted_frame(out, header, payload);
}

void append_crafted_frame(Bytes& out, const FrameHeader& header, ByteView payload) {
    std::uint8_t head[max_header_size];
    const std::size_t hn = encode_header(header, head);
    out.insert(out.end(), head, head + hn);
    const std::size_t body = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (header.mask) apply_mask({out.data() + body, payload.size()}, *header.mask);
}

std::size_t HeaderParser::needed() const noexcept {
    if (have_ < 2) return 2;
    std::size_t n = 2;
    switch (buf_[1] & 0x7F) {
        case 126: n += 2; break;
        case 127: n += 8; break;
        default: break;
    }
    if ((buf_[1] & 0x80) != 0) n += 4;
    return n;
}

HeaderParser::Status HeaderParser::parse(ByteView& in) {
    for (;;) {
        const std::size_t need = needed();
        if (have_ >= need) return finish();
        if (in.empty()) return Status::need_more;
        const std::size_t take = std::min(need - have_, in.size());
        std::memcpy(buf_.data() + have_, in.data(), take);
        have_ += take;
        in = in.subspan(take);
    }
}

HeaderParser::Status HeaderParser::finish() {
    FrameHeader& h = header_;
    h.fin = (buf_[0] & 0x80) != 0;
    h.rsv = static_cast<std::uint8_t>((buf_[0] >> 4) & 0x7);
    h.opcode = static_cast<Opcode>(buf_[0] & 0xF);
    const std::uint8_t len7 = buf_[1] & 0x7F;
    std::size_t pos = 2;
    if (len7 == 126) {
        h.length_encoding = LengthEncoding::len16;
        h.payload_len = load_be16(&buf_[2]);
        pos += 2;
    } else if (len7 == 127) {
        h.length_encoding = LengthEncoding::len64;
        h.payload_len = load_be64(&buf_[2]);
        pos += 8;
    } else {
        h.length_encoding = LengthEncoding::len7;
        h.payload_len = len7;
    }
    if ((buf_[1] & 0x80) != 0) {
        MaskKey key;
        std::memcpy(key.data(), &buf_[pos], 4);
        h.mask = key;
    } else {
        h.mask.reset();
    }
    // §5.2: "the most significant bit MUST be 0" in the 64-bit length.
    if (h.length_encoding == LengthEncoding::len64 && (h.payload_len >> 63) != 0) {
        error_ = Errc::length_msb_set;
        return Status::error;
    }
    // §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (h.length_encoding != minimal_encoding(h.payload_len)) {
        error_ = Errc::non_minimal_length;
        return Status::error;
    }
    return Status::done;
}

}  // namespace wscope::proto
