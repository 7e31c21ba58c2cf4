// Batched writes to stdout: data is gathered and written in large pieces, and flushed before
// the program waits for anything, so a reader sees every message live. A closed pipe (EPIPE,
// e.g. `| head -1`) is remembered, not fatal.
#pragma once

#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::app {

class Output {
public:
    explicit Output(int fd) : fd_(fd) {}

    void append(proto::ByteView data);
    void append(std::string_view text) { buf_.append(text); maybe_flush(); }
    void append(char c) { buf_.push_back(c); }
    // Writes everything gathered (blocking); false once the reader has gone away.
    bool flush();
    [[nodiscard]] bool broken() const { return broken_; }

private:
    void write_direct(proto::ByteView data);
    void maybe_flush() {
        if (buf_.size() >= flush_threshold) flush();
    }
    static constexpr std::size_t flush_threshold = 256 * 1024;

    int fd_;
    std::string buf_;
    bool broken_ = false;
};

}  // namespace wscope::app
