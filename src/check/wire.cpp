#include "check/wire.hpp"

#include <algorithm>

#include "proto/mask.hpp"

namespace wscope::check {

void FrameSplitter::feed(proto::ByteView data, bool out, std::vector<WireItem>& items) {
    while (!data.empty() && !broken_) {
        if (!in_payload_) {
            const auto status = parser_.parse(data);
            if (status == proto::HeaderParser::Status::need_more) return;
            if (status == proto::HeaderParser::Status::error) {
                broken_ = true;
                return;
            }
            current_ = WireItem{};
            current_.out = out;
            current_.header = parser_.header();
            const proto::ByteView raw = parser_.raw();
            current_.raw.assign(raw.begin(), raw.end());
            left_ = current_.header.payload_len;
            offset_ = 0;
            parser_.reset();
            in_payload_ = true;
        }
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, data.size()));
        const std::size_t keep_raw =
            std::min(n, wire_keep - std::min(wire_keep, current_.raw.size()));
        current_.raw.insert(current_.raw.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep_raw));
        const std::size_t keep = static_cast<std::size_t>(
            std::min<std::uint64_t>(n, wire_keep - std::min<std::uint64_t>(wire_keep, offset_)));
        if (keep > 0) {
            const std::size_t at = current_.payload.size();
            current_.payload.insert(current_.payload.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep));
            if (current_.header.mask)
                proto::apply_mask({current_.payload.data() + at, keep}, *current_.header.mask,
                                  static_cast<std::size_t>(offset_));
        }
        offset_ += n;
        left_ -= n;
        data = data.subspan(n);
        if (left_ == 0) {
            items.push_back(std::move(current_));
            in_payload_ = false;
        }
    }
}

}  // namespace wscope::check
