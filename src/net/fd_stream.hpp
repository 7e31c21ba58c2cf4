// The Stream over a connected, non-blocking socket fd (TCP or Unix): recv/send and nothing
// more. Also the one place that turns errno into the lower-case text our messages use.
#pragma once

#include <string>

#include "net/stream.hpp"

namespace wscope::net {

// Owns a connected socket fd; closes it on destruction. The fd is made non-blocking.
class FdStream final : public Stream {
  public:
    FdStream(int fd, std::string peer_name);
    ~FdStream() override;

    IoResult read_some(proto::MutableByteView buf) override;
    IoResult write_some(proto::ByteView buf) override;
    void shutdown_write() override;
    [[nodiscard]] int fd() const override { return fd_; }
    [[nodiscard]] std::string peer_name() const override { return peer_; }

  private:
    int fd_;
    std::string peer_;
};

// strerror(err) with a lower-case first letter: "connection reset by peer".
[[nodiscard]] std::string errno_text(int err);

}  // namespace wscope::net
