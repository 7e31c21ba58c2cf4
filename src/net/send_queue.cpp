#include "net/send_queue.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace wscope::net {

std::size_t unacknowledged_bytes(int fd) noexcept {
    if (fd < 0) return 0;
    // Linux: SIOCOUTQ on a TCP socket is write_seq - snd_una (unacknowledged, sent or not);
    // on a Unix stream socket, the bytes not yet read into the peer's queue.
    int queued = 0;
    if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
    return static_cast<std::size_t>(queued);
}

}  // namespace wscope::net
