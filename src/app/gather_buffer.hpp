// A byte buffer for gathering a message that arrives in pieces, grown with realloc().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "proto/bytes.hpp"

namespace wscope::app {

// Large blocks come from mmap (see M_MMAP_THRESHOLD in run.cpp), and realloc() grows those with
// mremap(): the pages move, nothing is copied, and the old and the new block are never resident
// at once; room not yet written is not resident either. So a message of N bytes occupies about
// N bytes, where a vector grown by doubling copies it several times and touches up to twice
// as much. reserve() gives exactly what is asked when that is more than half again the room
// there is (a size known up front), else half again (a record gathered piece by piece: few
// reallocations however small the pieces).
class GatherBuffer {
public:
    GatherBuffer() = default;
    GatherBuffer(const GatherBuffer&) = delete;
    GatherBuffer& operator=(const GatherBuffer&) = delete;
    ~GatherBuffer() { std::free(data_); }

    [[nodiscard]] const std::uint8_t* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] proto::ByteView view() const noexcept { return {data_, size_}; }

    // Room for at least n bytes in all (rounded up to a step).
    void reserve(std::size_t n) {
        if (n <= capacity_) return;
        const std::size_t target = std::max(n, capacity_ + capacity_ / 2);
        const std::size_t want = (target + step - 1) / step * step;
        void* grown = std::realloc(data_, want);
        if (grown == nullptr) throw std::bad_alloc();
        data_ = static_cast<std::uint8_t*>(grown);
        capacity_ = want;
    }

    void append(proto::ByteView bytes) {
        if (bytes.empty()) return;
        reserve(size_ + bytes.size());
        std::memcpy(data_ + size_, bytes.data(), bytes.size());
        size_ += bytes.size();
    }

    void clear() noexcept { size_ = 0; }

    // Gives the memory back.
    void release() noexcept {
        std::free(data_);
        data_ = nullptr;
        size_ = capacity_ = 0;
    }

    static constexpr std::size_t step = 64 * 1024;

private:
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace wscope::app
