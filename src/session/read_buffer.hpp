// Where a session's reads land. One buffer can serve every session of a loop: a session
// processes what it read before it returns to the loop, so the bytes never outlive the call.
// An idle connection then holds no read buffer at all. Allocated once and never zero-filled:
// every read overwrites what it uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "proto/bytes.hpp"

namespace wscope::session {

// One read takes up to this much: large enough that a bulk stream costs few system calls.
inline constexpr std::size_t default_read_size = 256 * 1024;

class ReadBuffer {
public:
    explicit ReadBuffer(std::size_t size = default_read_size)
        : data_(new std::uint8_t[size]), size_(size) {}
    [[nodiscard]] proto::MutableByteView view() { return {data_.get(), size_}; }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_;
};

}  // namespace wscope::session
