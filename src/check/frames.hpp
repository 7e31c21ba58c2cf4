// Client frames for the cases, built with the core's encoder (proto/frame.hpp) and masked with
// keys from a MaskSource. Nothing is checked: a case may build any frame, valid or not.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/mask_source.hpp"
#include "proto/bytes.hpp"
#include "proto/opcode.hpp"

namespace wscope::check {

[[nodiscard]] proto::Bytes to_bytes(std::string_view s);

class FrameMaker {
public:
    explicit FrameMaker(crypto::MaskSource& masks) : masks_(masks) {}

    // A masked frame (as a client must send it).
    [[nodiscard]] proto::Bytes frame(proto::Opcode op, proto::ByteView payload, bool fin = true,
                                     std::uint8_t rsv = 0);
    // The same without a mask: a frame no client may send (RFC 6455 §5.1).
    [[nodiscard]] proto::Bytes unmasked(proto::Opcode op, proto::ByteView payload, bool fin = true);
    // Masked with the all-zero key: legal, the payload goes out as it is.
    [[nodiscard]] proto::Bytes zero_masked(proto::Opcode op, proto::ByteView payload);

    [[nodiscard]] proto::Bytes text(std::string_view s, bool fin = true);
    [[nodiscard]] proto::Bytes binary(proto::ByteView b, bool fin = true);
    [[nodiscard]] proto::Bytes cont(proto::ByteView b, bool fin);
    [[nodiscard]] proto::Bytes ping(proto::ByteView b);
    [[nodiscard]] proto::Bytes pong(proto::ByteView b);
    // A Close body written as given: code (big-endian) then reason bytes.
    [[nodiscard]] proto::Bytes close(std::uint16_t code, proto::ByteView reason = {});
    [[nodiscard]] proto::Bytes close_raw(proto::ByteView body);

private:
    crypto::MaskSource& masks_;
};

}  // namespace wscope::check
