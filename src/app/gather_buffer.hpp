// A byte buffer for gathering a message that arrives in pieces, grown with realloc().
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "proto/bytes.hpp"

namespace wscope::app {

// Large blocks come from mmap (see M_MMAP_THRESHOLD in run.cpp), and realloc() grows those with
// mremap(): the pages move, nothing is copied, and the old and the new block are never resident
// at once. So the buffer can grow by what each piece needs (in steps of `step`) instead of
// doubling: a message of N bytes occupies about N bytes, where a doubling vector would copy it
// several times and keep up to N more as spare capacity.
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
        const std::size_t want = (n + step - 1) / step * step;
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
