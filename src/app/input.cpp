// Input framing for pipe mode.
#include "app/input.hpp"

#include <algorithm>
#include <cstring>

namespace wscope::app {

void InputSplitter::emit(proto::ByteView record, const Sink& sink) {
    if (framing_ == Framing::lines && !record.empty() && record.back() == '\r')
        record = record.first(record.size() - 1);
    sink(record, ++count_);
}

void InputSplitter::feed(proto::ByteView data, const Sink& sink) {
    if (framing_ == Framing::whole) {
        partial_.insert(partial_.end(), data.begin(), data.end());
        return;
    }
    if (framing_ == Framing::chunk) {
        if (!partial_.empty()) {
            const std::size_t take = std::min(chunk_ - partial_.size(), data.size());
            partial_.insert(partial_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
            data = data.subspan(take);
            if (partial_.size() < chunk_) return;
            emit(partial_, sink);
            partial_.clear();
        }
        while (data.size() >= chunk_) {
            emit(data.first(chunk_), sink);
            data = data.subspan(chunk_);
        }
        if (!data.empty()) {
            // The record will be chunk_ bytes: room for it at once, not by doubling (which would
            // copy it and leave up to half again unused). Room not yet written costs no memory.
            partial_.reserve(chunk_);
            partial_.assign(data.begin(), data.end());
        }
        return;
    }
    const std::uint8_t delim = framing_ == Framing::nul ? 0 : '\n';
    while (!data.empty()) {
        const void* hit = std::memchr(data.data(), delim, data.size());
        if (!hit) {
            partial_.insert(partial_.end(), data.begin(), data.end());
            return;
        }
        const auto n = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - data.data());
        if (partial_.empty()) {
            emit(data.first(n), sink);
        } else {
            partial_.insert(partial_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
            emit(partial_, sink);
            partial_.clear();
        }
        data = data.subspan(n + 1);
    }
}

void InputSplitter::finish(const Sink& sink) {
    if (!partial_.empty() || framing_ == Framing::whole) emit(partial_, sink);
    partial_.clear();
}

}  // namespace wscope::app
