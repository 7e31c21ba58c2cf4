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

bool InputSplitter::gather(proto::ByteView data) {
    if (limit_ != 0 && partial_.size() + data.size() > limit_) {
        overflowed_ = true;
        partial_.release();
        return false;
    }
    partial_.append(data);
    return true;
}

void InputSplitter::feed(proto::ByteView data, const Sink& sink) {
    if (overflowed_) return;
    if (framing_ == Framing::whole) {
        gather(data);
        return;
    }
    if (framing_ == Framing::chunk) {
        if (partial_.size() != 0) {
            const std::size_t take = std::min(chunk_ - partial_.size(), data.size());
            if (!gather(data.first(take))) return;
            data = data.subspan(take);
            if (partial_.size() < chunk_) return;
            emit(partial_.view(), sink);
            partial_.clear();
        }
        while (data.size() >= chunk_) {
            emit(data.first(chunk_), sink);
            data = data.subspan(chunk_);
        }
        if (!data.empty()) {
            // The record will be chunk_ bytes: room for it at once. Room not yet written costs
            // no memory.
            if (limit_ == 0 || chunk_ <= limit_) partial_.reserve(chunk_);
            gather(data);
        }
        return;
    }
    const std::uint8_t delim = framing_ == Framing::nul ? 0 : '\n';
    while (!data.empty()) {
        const void* hit = std::memchr(data.data(), delim, data.size());
        if (!hit) {
            gather(data);
            return;
        }
        const auto n = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - data.data());
        if (partial_.size() == 0) {
            emit(data.first(n), sink);
        } else {
            if (!gather(data.first(n))) return;
            emit(partial_.view(), sink);
            partial_.clear();
        }
        data = data.subspan(n + 1);
    }
}

void InputSplitter::finish(const Sink& sink) {
    if (overflowed_) return;
    if (partial_.size() != 0 || framing_ == Framing::whole) emit(partial_.view(), sink);
    partial_.clear();
}

}  // namespace wscope::app
