// Unix domain sockets: sockaddr_un building (file paths and '@' abstract names), a
// non-blocking connect bounded by the timeout, and a listener that clears away a stale socket
// file but never steals a live one.
#include "net/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <thread>
#include <utility>

#include "net/fd.hpp"
#include "net/fd_stream.hpp"

namespace wscope::net {

namespace {

using Clock = std::chrono::steady_clock;

// How often to retry while a server's backlog is full (connect gives EAGAIN and, unlike TCP,
// cannot be polled for completion).
constexpr std::chrono::milliseconds backlog_retry{10};

struct UnixAddress {
    sockaddr_un addr{};
    socklen_t len = 0;
};

bool is_abstract(const std::string& path) {
    return !path.empty() && path.front() == '@';
}

NetResult<UnixAddress> make_address(const std::string& path) {
    UnixAddress a;
    a.addr.sun_family = AF_UNIX;
    if (path.empty()) return NetError{NetErrc::bad_url, "empty Unix socket path"};
    const std::size_t room = sizeof a.addr.sun_path;
    if (is_abstract(path)) {
        // The name is the bytes after a leading NUL, with no terminator (unix(7)).
        if (path.size() > room) {
            return NetError{NetErrc::bad_url, "Unix socket name too long (" + path + ": " +
                                                  std::to_string(path.size() - 1) +
                                                  " bytes, at most " + std::to_string(room - 1) +
                                                  ")"};
        }
        a.addr.sun_path[0] = '\0';
        std::memcpy(a.addr.sun_path + 1, path.data() + 1, path.size() - 1);
        a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
        return a;
    }
    if (path.size() >= room) {
        return NetError{NetErrc::bad_url, "Unix socket path too long (" + path + ": " +
                                              std::to_string(path.size()) + " bytes, at most " +
                                              std::to_string(room - 1) + ")"};
    }
    std::memcpy(a.addr.sun_path, path.data(), path.size());
    a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    return a;
}


int new_socket() {
    return ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

NetErrc classify(int err) {
    switch (err) {
        case ENOENT:        // no socket file: nothing listens there
        case ECONNREFUSED:  // a socket file nobody listens on
            return NetErrc::refused;
        default:
            return NetErrc::unreachable;  // EACCES, ENOTDIR, …
    }
}

// Whether a server accepts connections on addr right now.
bool someone_listens(const UnixAddress& a) {
    const Fd fd(new_socket());
    if (fd.get() < 0) return false;
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) == 0) return true;
    return errno == EAGAIN || errno == EINPROGRESS;  // alive, only busy
}

}  // namespace

NetResult<std::unique_ptr<Stream>> connect_unix(const std::string& path,
                                                std::chrono::milliseconds timeout) {
    auto address = make_address(path);
    if (!address) return address.error();
    const UnixAddress& a = address.value();
    const Clock::time_point end = Clock::now() + timeout;
    Fd fd(new_socket());
    if (fd.get() < 0) return NetError{NetErrc::io, errno_text(errno) + " (" + path + ")"};
    for (;;) {
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) == 0) break;
        const int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN && timeout.count() > 0 && Clock::now() < end) {
            std::this_thread::sleep_for(backlog_retry);
            continue;
        }
        if (err == EAGAIN) {
            return NetError{NetErrc::timeout,
                            "server is not accepting connections (backlog full) (" + path + ")"};
        }
        return NetError{classify(err), errno_text(err) + " (" + path + ")"};
    }
    return make_fd_stream(fd.release(), path);
}

NetResult<std::unique_ptr<Listener>> listen_unix(const std::string& path) {
    auto address = make_address(path);
    if (!address) return address.error();
    const UnixAddress& a = address.value();
    const auto fail = [&](const std::string& why) {
        return NetError{NetErrc::bind, "cannot listen on " + path + ": " + why};
    };
    if (!is_abstract(path)) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode)) return fail("file exists and is not a socket");
            if (someone_listens(a)) return fail("another server is listening on it");
            // Left behind by a server that is gone: Unix sockets do not remove their file.
            if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail(errno_text(errno));
        }
    }
    Fd fd(new_socket());
    if (fd.get() < 0) return fail(errno_text(errno));
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) != 0)
        return fail(errno_text(errno));
    if (::listen(fd.get(), SOMAXCONN) != 0) return fail(errno_text(errno));
    return std::make_unique<Listener>(fd.release(), path, std::uint16_t{0});
}

void remove_unix_socket(const std::string& path) {
    if (path.empty() || is_abstract(path)) return;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) (void)::unlink(path.c_str());
}

}  // namespace wscope::net
