// TCP connect and listen: name resolution bounded by the connect timeout, one non-blocking
// connect per resolved address until one succeeds, and a listener that never blocks. Every
// failure becomes one NetError line naming the cause and the address ("connection refused
// (127.0.0.1:9)"); progress goes to the caller's trace callback, never to a terminal.
#include "net/tcp.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "net/fd.hpp"
#include "net/fd_stream.hpp"

namespace wscope::net {

namespace {

using Clock = std::chrono::steady_clock;

struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};
using AddrList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// The end of the overall connect attempt; none when the timeout is 0.
class Deadline {
  public:
    explicit Deadline(std::chrono::milliseconds timeout) : timeout_(timeout) {
        if (timeout.count() > 0) end_ = Clock::now() + timeout;
    }
    [[nodiscard]] bool bounded() const { return end_.has_value(); }
    [[nodiscard]] Clock::time_point end() const { return *end_; }
    // What poll(2) wants: -1 for no limit, else the milliseconds left, rounded up.
    [[nodiscard]] int poll_ms() const {
        if (!end_) return -1;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*end_ - Clock::now());
        if (left.count() <= 0) return 0;
        return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
    }
    // "2s", "1.5s", "0.25s": the timeout as the user gave it.
    [[nodiscard]] std::string describe() const {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(timeout_.count()) / 1000.0);
        return buf;
    }

  private:
    std::chrono::milliseconds timeout_;
    std::optional<Clock::time_point> end_;
};

// "127.0.0.1:9000" / "[::1]:9000" for a socket address.
std::string format_address(const sockaddr* sa, socklen_t len) {
    // Unix-socket peers have no address of their own (they rarely bind one).
    if (sa->sa_family == AF_UNIX) return "unix-peer";
    char host[NI_MAXHOST];
    char port[NI_MAXSERV];
    if (::getnameinfo(sa, len, host, sizeof host, port, sizeof port,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return "?";
    }
    if (sa->sa_family == AF_INET6) return "[" + std::string(host) + "]:" + port;
    return std::string(host) + ":" + port;
}

// "[::1]" → "::1": hosts may arrive bracketed from "[HOST]:PORT" arguments.
std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        return host.substr(1, host.size() - 2);
    }
    return host;
}

bool is_numeric_host(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

int to_af(Family family) {
    switch (family) {
        case Family::ipv4:
            return AF_INET;
        case Family::ipv6:
            return AF_INET6;
        case Family::any:
            break;
    }
    return AF_UNSPEC;
}

std::string gai_text(int rc) {
    if (rc == EAI_SYSTEM) return errno_text(errno);
    std::string text = ::gai_strerror(rc);
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

struct Lookup {
    int rc = 0;
    AddrList list;
};

Lookup run_getaddrinfo(const std::string& host, const std::string& service, addrinfo hints) {
    addrinfo* res = nullptr;
    Lookup out;
    out.rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (out.rc == EAI_SYSTEM && errno == 0) out.rc = EAI_FAIL;
    out.list.reset(res);
    return out;
}

// getaddrinfo(3) cannot be interrupted, so a bounded lookup runs on a helper thread that is
// abandoned (and cleans up after itself) if the deadline passes first. Nothing is shared with
// it but the slot it fills.
std::optional<Lookup> lookup_until(const std::string& host, const std::string& service,
                                   addrinfo hints, Clock::time_point end) {
    struct Slot {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        Lookup result;
    };
    auto slot = std::make_shared<Slot>();
    try {
        std::thread([slot, host, service, hints] {
            Lookup result = run_getaddrinfo(host, service, hints);
            const std::lock_guard lock(slot->mutex);
            slot->result = std::move(result);
            slot->done = true;
            slot->done_cv.notify_all();
        }).detach();
    } catch (const std::system_error&) {
        return run_getaddrinfo(host, service, hints);  // no thread to spare: block instead
    }
    std::unique_lock lock(slot->mutex);
    if (!slot->done_cv.wait_until(lock, end, [&] { return slot->done; })) return std::nullopt;
    return std::move(slot->result);
}

NetResult<AddrList> resolve(const std::string& host, std::uint16_t port, Family family,
                            const Deadline& deadline) {
    if (host.empty())
        return NetError{NetErrc::dns, "could not resolve host \"\" (empty host name)"};
    addrinfo hints{};
    hints.ai_family = to_af(family);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    const std::string service = std::to_string(port);
    std::optional<Lookup> lookup;
    if (deadline.bounded() && !is_numeric_host(host)) {
        lookup = lookup_until(host, service, hints, deadline.end());
    } else {
        lookup = run_getaddrinfo(host, service, hints);
    }
    if (!lookup) {
        return NetError{NetErrc::timeout,
                        "resolving host \"" + host + "\" timed out after " + deadline.describe()};
    }
    if (lookup->rc != 0) {
        return NetError{NetErrc::dns,
                        "could not resolve host \"" + host + "\" (" + gai_text(lookup->rc) + ")"};
    }
    return std::move(lookup->list);
}

NetErrc classify(int err) {
    switch (err) {
        case ECONNREFUSED:
            return NetErrc::refused;
        case ETIMEDOUT:
            return NetErrc::timeout;
        default:
            return NetErrc::unreachable;  // ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, …
    }
}

// Why one address failed.
struct Attempt {
    NetErrc code;
    std::string cause;    // "connection refused"
    std::string address;  // "127.0.0.1:9"
};


void set_nodelay(int fd) {
    const int one = 1;
    // Frames are written whole; Nagle would only delay small ones (pings, short messages).
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Waits for a non-blocking connect to finish; 0 on success, else an errno value, or
// ETIME when the deadline passed (distinct from the kernel's own ETIMEDOUT).
int finish_connect(int fd, const Deadline& deadline) {
    for (;;) {
        pollfd p{fd, POLLOUT, 0};
        const int rc = ::poll(&p, 1, deadline.poll_ms());
        if (rc == 0) return ETIME;
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return errno;
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
        return err;
    }
}

// Connects to one address: a connected fd, or why not.
std::variant<int, Attempt> connect_one(const addrinfo& ai, const Deadline& deadline) {
    const std::string address = format_address(ai.ai_addr, ai.ai_addrlen);
    Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
    if (fd.get() < 0) return Attempt{classify(errno), errno_text(errno), address};
    int err = 0;
    // EINTR leaves a non-blocking connect running in the background, like EINPROGRESS.
    if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) err = errno;
    if (err == EINPROGRESS || err == EINTR) err = finish_connect(fd.get(), deadline);
    if (err == ETIME) {
        return Attempt{NetErrc::timeout, "connection timed out after " + deadline.describe(),
                       address};
    }
    if (err != 0) return Attempt{classify(err), errno_text(err), address};
    set_nodelay(fd.get());
    return fd.release();
}

// "connection refused (127.0.0.1:9)", or for several addresses
// "connection refused ([::1]:9, 127.0.0.1:9)" / "a ([::1]:9); b (127.0.0.1:9)".
std::string describe(const std::vector<Attempt>& attempts) {
    bool same = true;
    for (const Attempt& a : attempts) same = same && a.cause == attempts.front().cause;
    std::string out;
    if (same) {
        out = attempts.front().cause + " (";
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            out += (i ? ", " : "") + attempts[i].address;
        }
        return out + ")";
    }
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        out += (i ? "; " : "") + attempts[i].cause + " (" + attempts[i].address + ")";
    }
    return out;
}

std::size_t count(const addrinfo* list) {
    std::size_t n = 0;
    for (; list; list = list->ai_next) ++n;
    return n;
}

}  // namespace

NetResult<std::unique_ptr<Stream>> connect_tcp(const std::string& host, std::uint16_t port,
                                               const ConnectOptions& options) {
    const auto trace = [&](const std::string& line) {
        if (options.trace) options.trace(line);
    };
    const Deadline deadline(options.timeout);
    const std::string name = strip_brackets(host);
    auto resolved = resolve(name, port, options.family, deadline);
    if (!resolved) return resolved.error();
    const AddrList& list = resolved.value();
    const std::size_t n = count(list.get());
    trace("resolved " + name + ": " + std::to_string(n) + (n == 1 ? " address" : " addresses"));

    std::vector<Attempt> failures;
    for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
        const std::string address = format_address(ai->ai_addr, ai->ai_addrlen);
        trace("trying " + address + "...");
        auto outcome = connect_one(*ai, deadline);
        if (const int* fd = std::get_if<int>(&outcome)) {
            trace("connected to " + address);
            return make_fd_stream(*fd, address);
        }
        Attempt& failed = std::get<Attempt>(outcome);
        trace(failed.cause + " (" + failed.address + ")");
        failures.push_back(std::move(failed));
        if (failures.back().code == NetErrc::timeout) break;  // the whole attempt is out of time
    }
    if (failures.empty()) {
        return NetError{NetErrc::dns, "could not resolve host \"" + name + "\" (no addresses)"};
    }
    return NetError{failures.back().code, describe(failures)};
}

NetResult<std::vector<std::string>> resolve_host(const std::string& host, Family family,
                                                std::chrono::milliseconds timeout) {
    const Deadline deadline(timeout);
    auto resolved = resolve(strip_brackets(host), 0, family, deadline);
    if (!resolved) return resolved.error();
    std::vector<std::string> out;
    for (const addrinfo* ai = resolved.value().get(); ai; ai = ai->ai_next) {
        char text[NI_MAXHOST];
        if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0,
                          NI_NUMERICHOST) == 0)
            out.emplace_back(text);
    }
    if (out.empty()) {
        return NetError{NetErrc::dns,
                        "could not resolve host \"" + strip_brackets(host) + "\" (no addresses)"};
    }
    return out;
}

std::unique_ptr<Stream> make_fd_stream(int fd, std::string peer_name) {
    return std::make_unique<FdStream>(fd, std::move(peer_name));
}

Listener::~Listener() {
    if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Stream> Listener::accept() {
    for (;;) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        const int fd =
            ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            last_error_ = 0;
            set_nodelay(fd);
            return make_fd_stream(fd, format_address(reinterpret_cast<sockaddr*>(&peer), len));
        }
        // A client that gave up before we accepted it is no reason to stop looking.
        if (errno == EINTR || errno == ECONNABORTED) continue;
        last_error_ = errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
        return nullptr;  // EAGAIN: none pending; anything else: the caller decides
    }
}

namespace {

// Binds and listens on one address: the listening fd, or why not.
NetResult<int> listen_one(const addrinfo& ai) {
    const std::string address = format_address(ai.ai_addr, ai.ai_addrlen);
    const auto fail = [&](int err) {
        return NetError{NetErrc::bind, "cannot listen on " + address + ": " + errno_text(err)};
    };
    Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
    if (fd.get() < 0) return fail(errno);
    const int one = 1;
    // Restarting a test server must not wait for the old connections' TIME_WAIT to expire.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail(errno);
    if (::bind(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) return fail(errno);
    if (::listen(fd.get(), SOMAXCONN) != 0) return fail(errno);
    return fd.release();
}

}  // namespace

NetResult<std::unique_ptr<Listener>> listen_tcp(const std::string& host, std::uint16_t port) {
    const std::string name = host.empty() ? "127.0.0.1" : strip_brackets(host);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    Lookup lookup = run_getaddrinfo(name, std::to_string(port), hints);
    if (lookup.rc != 0) {
        return NetError{NetErrc::dns,
                        "could not resolve host \"" + name + "\" (" + gai_text(lookup.rc) + ")"};
    }
    std::optional<NetError> first_error;
    for (const addrinfo* ai = lookup.list.get(); ai; ai = ai->ai_next) {
        auto bound = listen_one(*ai);
        if (!bound) {
            if (!first_error) first_error = bound.error();
            continue;
        }
        Fd fd(bound.value());
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        auto* sa = reinterpret_cast<sockaddr*>(&local);
        if (::getsockname(fd.get(), sa, &len) != 0) {
            return NetError{NetErrc::bind, "cannot listen on " + name + ": " + errno_text(errno)};
        }
        const std::uint16_t bound_port =
            ntohs(sa->sa_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(sa)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(sa)->sin_port);
        std::string local_name = format_address(sa, len);
        return std::make_unique<Listener>(fd.release(), std::move(local_name), bound_port);
    }
    if (first_error) return *first_error;
    return NetError{NetErrc::bind, "cannot listen on " + name + ": no usable address"};
}

}  // namespace wscope::net
