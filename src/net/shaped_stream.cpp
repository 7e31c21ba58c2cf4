// Traffic shaping on purpose (shaped_stream.hpp).
#include "net/shaped_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace wscope::net {

ChopStream::ChopStream(std::unique_ptr<Stream> inner, std::size_t piece)
    : ShapedStream(std::move(inner)), piece_(std::max<std::size_t>(piece, 1)) {
    const int one = 1;
    (void)::setsockopt(fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

IoResult ChopStream::write_some(proto::ByteView buf) {
    return inner().write_some(buf.first(std::min(buf.size(), piece_)));
}

IoResult SlowReadStream::read_some(proto::MutableByteView buf) {
    if (!armed_) return inner().read_some(buf);
    if (budget_ == 0) {
        if (!told_) {
            told_ = true;
            spent_();
        }
        return {IoResult::Status::want_read, 0, {}, false};
    }
    IoResult r = inner().read_some(buf.first(std::min(buf.size(), budget_)));
    if (r.status == IoResult::Status::ok) budget_ -= std::min(budget_, r.n);
    return r;
}

}  // namespace wscope::net
