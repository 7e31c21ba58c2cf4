// What went over the wire during a case, both ways, for -F/-X: the HTTP heads and every frame
// as it was sent or received (the first wire_keep bytes of each).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/frame.hpp"

namespace wscope::check {

// Enough of each frame for a frame line and a few hex dump rows; a 16 MiB frame is not kept.
inline constexpr std::size_t wire_keep = 256;

struct WireItem {
    bool out = false;  // we sent it
    std::string head;  // an HTTP head (then no frame)
    proto::FrameHeader header{};
    proto::Bytes raw;      // header and payload as on the wire (at most wire_keep bytes)
    proto::Bytes payload;  // unmasked (at most wire_keep bytes)
};

// Cuts a byte stream into frames, in any pieces (syntax only, no rules). After a header it
// cannot parse, it stops.
class FrameSplitter {
public:
    void feed(proto::ByteView data, bool out, std::vector<WireItem>& items);

private:
    proto::HeaderParser parser_;
    bool in_payload_ = false;
    bool broken_ = false;
    std::uint64_t left_ = 0;
    std::uint64_t offset_ = 0;
    WireItem current_;
};

}  // namespace wscope::check
