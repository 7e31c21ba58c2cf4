// Non-blocking recv/send on a socket fd, mapped onto IoResult. Writes use MSG_NOSIGNAL so a
// peer that has gone away gives EPIPE ("broken pipe") instead of killing the process.
#include "net/fd_stream.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

namespace wscope::net {

namespace {

using Status = IoResult::Status;

IoResult from_errno(int err, Status would_block) {
    if (err == EAGAIN || err == EWOULDBLOCK) return {would_block, 0, {}};
    return {Status::error, 0, errno_text(err)};
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK) == 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r: returns a pointer to the message (maybe not into buf).
    std::string text = ::strerror_r(err, buf, sizeof buf);
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

FdStream::FdStream(int fd, std::string peer_name) : fd_(fd), peer_(std::move(peer_name)) {
    set_nonblocking(fd_);
}

FdStream::~FdStream() {
    if (fd_ >= 0) ::close(fd_);
}

IoResult FdStream::read_some(proto::MutableByteView buf) {
    // recv of 0 bytes would look like EOF; an empty buffer moves nothing.
    if (buf.empty()) return {Status::ok, 0, {}};
    for (;;) {
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n > 0) return {Status::ok, static_cast<std::size_t>(n), {}};
        if (n == 0) return {Status::eof, 0, {}};
        if (errno != EINTR) return from_errno(errno, Status::want_read);
    }
}

IoResult FdStream::write_some(proto::ByteView buf) {
    if (buf.empty()) return {Status::ok, 0, {}};
    for (;;) {
        const ssize_t n = ::send(fd_, buf.data(), buf.size(), MSG_NOSIGNAL);
        if (n >= 0) return {Status::ok, static_cast<std::size_t>(n), {}};
        if (errno != EINTR) return from_errno(errno, Status::want_write);
    }
}

void FdStream::shutdown_write() {
    // ENOTCONN (the peer already reset) leaves nothing to half-close: ignore it.
    (void)::shutdown(fd_, SHUT_WR);
}

}  // namespace wscope::net
