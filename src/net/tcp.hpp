// TCP connect and listen. Connected sockets are non-blocking with TCP_NODELAY.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/error.hpp"
#include "net/stream.hpp"

namespace wscope::net {

enum class Family : std::uint8_t { any, ipv4, ipv6 };

struct ConnectOptions {
    std::chrono::milliseconds timeout{0};  // 0: none (the OS default)
    Family family = Family::any;
    // Called with each step ("resolved example.com: 2 addresses", "trying 127.0.0.1:80...",
    // "connection refused (127.0.0.1:80)", "connected to 127.0.0.1:80") for -v; may be empty.
    std::function<void(const std::string&)> trace;
};

// Resolves host and tries every address in turn until one connects (RFC 8305 order as
// returned by getaddrinfo). The timeout bounds the whole attempt.
[[nodiscard]] NetResult<std::unique_ptr<Stream>> connect_tcp(const std::string& host,
                                                             std::uint16_t port,
                                                             const ConnectOptions& options);

// Resolves host (brackets allowed; an address stays as it is) to numeric addresses
// ("127.0.0.1", "::1") in getaddrinfo order, bounded by timeout (0: none) like connect_tcp's
// own lookup, with the same errors. For a SOCKS5 proxy that is to be sent an address.
[[nodiscard]] NetResult<std::vector<std::string>> resolve_host(const std::string& host,
                                                               Family family,
                                                               std::chrono::milliseconds timeout);

// Wraps an already connected fd (accepted, or a socketpair in tests); takes ownership.
[[nodiscard]] std::unique_ptr<Stream> make_fd_stream(int fd, std::string peer_name);

class Listener {
public:
    Listener(int fd, std::string local_name, std::uint16_t port)
        : fd_(fd), local_(std::move(local_name)), port_(port) {}
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }   // the bound port
    [[nodiscard]] const std::string& local_name() const noexcept { return local_; }
    // A new connection, or nullptr if none is pending (the listener is non-blocking) or
    // accept failed: last_error() then holds its errno (EMFILE: out of descriptors), or 0.
    [[nodiscard]] std::unique_ptr<Stream> accept();
    [[nodiscard]] int last_error() const noexcept { return last_error_; }

private:
    int fd_;
    std::string local_;
    std::uint16_t port_;
    int last_error_ = 0;
};

// Binds host:port (port 0 picks a free one) and listens. host "" means 127.0.0.1.
[[nodiscard]] NetResult<std::unique_ptr<Listener>> listen_tcp(const std::string& host,
                                                              std::uint16_t port);

}  // namespace wscope::net
