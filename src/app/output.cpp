// stdout batching with EPIPE detection.
#include "app/output.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace wscope::app {

void Output::append(proto::ByteView data) {
    if (buf_.size() + data.size() < flush_threshold) {
        buf_.append(proto::as_chars(data));
        return;
    }
    // Large data goes out directly, without a copy into the batch.
    flush();
    write_direct(data);
}

void Output::write_direct(proto::ByteView data) {
    std::size_t done = 0;
    while (done < data.size() && !broken_) {
        const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            broken_ = true;  // EPIPE or another dead end: the reader is gone
        }
    }
}

bool Output::flush() {
    write_direct(proto::as_bytes(buf_));
    buf_.clear();
    return !broken_;
}

}  // namespace wscope::app
