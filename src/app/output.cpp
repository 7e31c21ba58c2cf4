// stdout batching with EPIPE detection.
#include "app/output.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace wscope::app {

bool Output::flush() {
    std::size_t done = 0;
    while (done < buf_.size() && !broken_) {
        const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
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
    buf_.clear();
    return !broken_;
}

}  // namespace wscope::app
