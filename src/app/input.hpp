// Cuts stdin into messages: lines (a trailing "\n" or "\r\n" removed), NUL-separated records,
// fixed-size chunks, or all of it as one. Records that arrive whole in one read are passed on
// as views, without a copy; only a record split across reads is gathered.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/options.hpp"
#include "proto/bytes.hpp"

namespace wscope::app {

class InputSplitter {
public:
    // A record and its 1-based number (the line number, for lines).
    using Sink = std::function<void(proto::ByteView record, std::uint64_t number)>;

    InputSplitter(Framing framing, std::size_t chunk) : framing_(framing), chunk_(chunk) {}

    void feed(proto::ByteView data, const Sink& sink);
    // End of input: whatever is left is the last record (an empty remainder is no record,
    // except with --whole, where empty input is one empty message).
    void finish(const Sink& sink);
    [[nodiscard]] std::size_t buffered() const { return partial_.size(); }

private:
    void emit(proto::ByteView record, const Sink& sink);

    Framing framing_;
    std::size_t chunk_;
    proto::Bytes partial_;
    std::uint64_t count_ = 0;
};

}  // namespace wscope::app
