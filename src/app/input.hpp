// Cuts stdin into messages: lines (a trailing "\n" or "\r\n" removed), NUL-separated records,
// fixed-size chunks, or all of it as one. Records that arrive whole in one read are passed on
// as views, without a copy; only a record split across reads is gathered, and never beyond a
// limit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/gather_buffer.hpp"
#include "app/options.hpp"
#include "proto/bytes.hpp"

namespace wscope::app {

class InputSplitter {
public:
    // A record and its 1-based number (the line number, for lines).
    using Sink = std::function<void(proto::ByteView record, std::uint64_t number)>;

    // limit: a record being gathered may not grow beyond it (0: no limit). Past it the
    // splitter stops: nothing more is passed on, and overflowed() says so.
    InputSplitter(Framing framing, std::size_t chunk, std::size_t limit = 0)
        : framing_(framing), chunk_(chunk), limit_(limit) {}

    void feed(proto::ByteView data, const Sink& sink);
    // End of input: whatever is left is the last record (an empty remainder is no record,
    // except with --whole, where empty input is one empty message).
    void finish(const Sink& sink);
    [[nodiscard]] std::size_t buffered() const { return partial_.size(); }
    [[nodiscard]] bool overflowed() const { return overflowed_; }

private:
    void emit(proto::ByteView record, const Sink& sink);
    // Appends to the record being gathered; false (and the splitter stopped) past the limit.
    bool gather(proto::ByteView data);

    Framing framing_;
    std::size_t chunk_;
    std::size_t limit_;
    GatherBuffer partial_;
    std::uint64_t count_ = 0;
    bool overflowed_ = false;
};

}  // namespace wscope::app
