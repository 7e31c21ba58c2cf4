// Small helpers shared by the socket code: an owning fd, and deadlines for poll(2).
#pragma once

#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

namespace wscope::net {

// Closes the fd it owns unless released.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

// Milliseconds left before end for poll(2); -1 without a deadline, 0 once it has passed.
[[nodiscard]] inline int poll_ms(const std::optional<std::chrono::steady_clock::time_point>& end) {
    if (!end) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
}

// "2s", "0.3s": a timeout as messages show it.
[[nodiscard]] inline std::string seconds_text(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

}  // namespace wscope::net
