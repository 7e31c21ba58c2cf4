// The base framing protocol (RFC 6455 §5.2):
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-------+-+-------------+-------------------------------+
//  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//  | |1|2|3|       |K|             |                               |
//  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//  |     Extended payload length continued, if payload len == 127  |
//  + - - - - - - - - - - - - - - - +-------------------------------+
//  |                               |Masking-key, if MASK set to 1  |
//  +-------------------------------+-------------------------------+
//  | Masking-key (continued)       |          Payload Data         |
//  +-------------------------------- - - - - - - - - - - - - - - - +
//
// This file is syntax only: encode a header, and parse one incrementally. The rules that
// depend on state or role (fragmentation, masking direction, limits) live in FrameDecoder
// (frame_decoder.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "proto/bytes.hpp"
#include "proto/opcode.hpp"
#include "proto/result.hpp"

namespace wscope::proto {

using MaskKey = std::array<std::uint8_t, 4>;

// The longest header: 2 fixed bytes + 8 length bytes + 4 mask bytes.
inline constexpr std::size_t max_header_size = 14;
// Control frames carry at most 125 bytes (§5.5).
inline constexpr std::size_t max_control_payload = 125;

inline constexpr std::uint8_t rsv1 = 0x4;
inline constexpr std::uint8_t rsv2 = 0x2;
inline constexpr std::uint8_t rsv3 = 0x1;

// How the payload length was written: in the 7-bit field, or after a 126 (16-bit) or 127
// (64-bit) marker.
enum class LengthEncoding : std::uint8_t { len7 = 7, len16 = 16, len64 = 64 };

struct FrameHeader {
    bool fin = true;
    std::uint8_t rsv = 0;  // RSV1 RSV2 RSV3 as bits 2, 1, 0
    Opcode opcode = Opcode::text;
    std::optional<MaskKey> mask;
    std::uint64_t payload_len = 0;
    LengthEncoding length_encoding = LengthEncoding::len7;  // as parsed; encode picks minimal

    friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// The smallest length encoding for a payload length (§5.2: "the minimal number of bytes MUST
// be used to encode the length").
[[nodiscard]] constexpr LengthEncoding minimal_encoding(std::uint64_t len) noexcept {
    if (len <= 125) return LengthEncoding::len7;
    if (len <= 0xFFFF) return LengthEncoding::len16;
    return LengthEncoding::len64;
}

[[nodiscard]] constexpr std::size_t header_size(std::uint64_t payload_len, bool masked) noexcept {
    std::size_t n = 2;
    switch (minimal_encoding(payload_len)) {
        case LengthEncoding::len7: break;
        case LengthEncoding::len16: n += 2; break;
        case LengthEncoding::len64: n += 8; break;
    }
    return n + (masked ? 4 : 0);
}

// Writes the header with the minimal length encoding into out (which holds at least
// max_header_size bytes) and returns its size. The payload_len must be below 2^63.
std::size_t encode_header(const FrameHeader& h, std::uint8_t* out) noexcept;

// Appends header + payload to out, masking the payload copy when h.mask is set. No rule is
// checked: this also builds the invalid frames that /frame sends on purpose.
void append_frame(Bytes& out, const FrameHeader& h, ByteView payload);
// The same with the header exactly as given: its payload_len may differ from payload.size()
// (a lying length, for testing a peer's error handling). payload_len must be below 2^63.
void append_crafted_frame(Bytes& out, const FrameHeader& h, ByteView payload);

// Incremental header parser. Feed it bytes; it consumes only what belongs to the header, keeps
// partial headers internally, and returns "need more" until a header is complete. It checks
// the two syntax rules of the length field; every other rule belongs to FrameDecoder.
class HeaderParser {
public:
    enum class Status : std::uint8_t { need_more, done, error };

    // Consumes from in (advancing it past what was used). On done, header() is valid; on error,
    // error() says which length rule was broken.
    Status parse(ByteView& in);
    void reset() noexcept { have_ = 0; }

    [[nodiscard]] const FrameHeader& header() const noexcept { return header_; }
    [[nodiscard]] Errc error() const noexcept { return error_; }
    // The header bytes exactly as they arrived (valid after done or error).
    [[nodiscard]] ByteView raw() const noexcept { return {buf_.data(), have_}; }

private:
    [[nodiscard]] std::size_t needed() const noexcept;
    Status finish();

    std::array<std::uint8_t, max_header_size> buf_{};
    std::size_t have_ = 0;
    FrameHeader header_{};
    Errc error_{};
};

}  // namespace wscope::proto
