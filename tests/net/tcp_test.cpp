// TCP over loopback only: connect/accept, bytes both ways through the non-blocking Stream,
// half-close, and the errors (refused, unresolvable, timed out, address in use). Every wait is
// bounded, so a broken transport fails the test instead of hanging it.
#include "net/tcp.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "net/fd_stream.hpp"

namespace {

using namespace std::chrono_literals;
using wscope::net::IoResult;
using wscope::net::NetErrc;
using wscope::net::Stream;
using Status = IoResult::Status;

constexpr int wait_ms = 5000;  // generous bound for any single loopback step

bool wait_for(int fd, short events, int ms = wait_ms) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, ms) > 0;
}

wscope::proto::ByteView view(const std::string& s) {
    return wscope::proto::as_bytes(s);
}

// Accepts one pending connection, waiting for it at most wait_ms.
std::unique_ptr<Stream> accept_one(wscope::net::Listener& listener) {
    if (!wait_for(listener.fd(), POLLIN)) return nullptr;
    return listener.accept();
}

// Sends all of data on `out` while draining `in`, so that neither side's buffers stay full.
std::string transfer(Stream& out, Stream& in, const std::string& data) {
    std::string received;
    std::size_t sent = 0;
    std::vector<std::uint8_t> buf(64 * 1024);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (received.size() < data.size() && std::chrono::steady_clock::now() < give_up) {
        if (sent < data.size()) {
            const IoResult w = out.write_some(view(data).subspan(sent));
            REQUIRE((w.status == Status::ok || w.status == Status::want_write));
            sent += w.n;
        }
        const IoResult r = in.read_some(buf);
        REQUIRE((r.status == Status::ok || r.status == Status::want_read));
        received.append(reinterpret_cast<const char*>(buf.data()), r.n);
        if (r.status == Status::want_read) {
            std::array<pollfd, 2> fds{pollfd{in.fd(), POLLIN, 0}, pollfd{out.fd(), POLLOUT, 0}};
            ::poll(fds.data(), sent < data.size() ? 2 : 1, 100);
        }
    }
    return received;
}

// Reads until something other than data arrives (bounded); returns that result.
IoResult read_to_end(Stream& in) {
    std::array<std::uint8_t, 256> buf{};
    for (int i = 0; i < 1000; ++i) {
        const IoResult r = in.read_some(buf);
        if (r.status != Status::want_read && r.status != Status::ok) return r;
        if (r.status == Status::want_read && !wait_for(in.fd(), POLLIN)) break;
    }
    return {Status::want_read, 0, "nothing but data within the time limit"};
}

// A loopback port with no listener: bound once, then released.
std::uint16_t closed_port() {
    auto listener = wscope::net::listen_tcp("127.0.0.1", 0);
    REQUIRE(listener.ok());
    return listener.value()->port();
}

wscope::net::ConnectOptions with_timeout(std::chrono::milliseconds timeout) {
    wscope::net::ConnectOptions options;
    options.timeout = timeout;
    return options;
}

}  // namespace

TEST_CASE("loopback IPv4: connect, accept, bytes both ways, half-close") {
    auto listener = wscope::net::listen_tcp("127.0.0.1", 0);
    REQUIRE_MESSAGE(listener.ok(), (listener.ok() ? std::string() : listener.error().message));
    const std::uint16_t port = listener.value()->port();
    CHECK(port != 0);
    const std::string where = "127.0.0.1:" + std::to_string(port);
    CHECK(listener.value()->local_name() == where);
    CHECK(listener.value()->accept() == nullptr);  // nothing pending yet: no blocking

    std::vector<std::string> trace;
    auto options = with_timeout(2s);
    options.trace = [&](const std::string& line) { trace.push_back(line); };
    auto client = wscope::net::connect_tcp("127.0.0.1", port, options);
    REQUIRE_MESSAGE(client.ok(), (client.ok() ? std::string() : client.error().message));
    Stream& c = *client.value();
    CHECK(c.peer_name() == where);
    CHECK(trace == std::vector<std::string>{"resolved 127.0.0.1: 1 address",
                                            "trying " + where + "...", "connected to " + where});

    auto accepted = accept_one(*listener.value());
    REQUIRE(accepted != nullptr);
    Stream& s = *accepted;
    CHECK(s.peer_name().starts_with("127.0.0.1:"));
    CHECK_FALSE(s.has_buffered());

    std::array<std::uint8_t, 16> buf{};
    CHECK(s.read_some(buf).status == Status::want_read);  // non-blocking: nothing sent yet

    CHECK(transfer(c, s, "hello") == "hello");
    CHECK(transfer(s, c, "world") == "world");

    // Several MiB, more than the socket buffers hold, so writes must see want_write.
    std::string big(8 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 4096);
    CHECK(transfer(c, s, big) == big);
    CHECK(transfer(s, c, big) == big);

    c.shutdown_write();
    CHECK(read_to_end(s).status == Status::eof);
    CHECK(transfer(s, c, "still open") == "still open");  // half-close: the other way works
    s.shutdown_write();
    CHECK(read_to_end(c).status == Status::eof);
}

TEST_CASE("\"\" listens on 127.0.0.1; names resolve for both listen and connect") {
    auto listener = wscope::net::listen_tcp("", 0);
    REQUIRE(listener.ok());
    CHECK(listener.value()->local_name().starts_with("127.0.0.1:"));
    // No timeout: the resolver runs on this thread (localhost comes from /etc/hosts).
    auto client = wscope::net::connect_tcp("localhost", listener.value()->port(), {});
    REQUIRE_MESSAGE(client.ok(), (client.ok() ? std::string() : client.error().message));
    auto accepted = accept_one(*listener.value());
    REQUIRE(accepted != nullptr);
    CHECK(transfer(*client.value(), *accepted, "via localhost") == "via localhost");
}

TEST_CASE("loopback IPv6 when the machine has ::1") {
    auto listener = wscope::net::listen_tcp("::1", 0);
    if (!listener.ok()) {
        MESSAGE("skipped: no IPv6 loopback (" << listener.error().message << ")");
        return;
    }
    const std::uint16_t port = listener.value()->port();
    const std::string where = "[::1]:" + std::to_string(port);
    CHECK(listener.value()->local_name() == where);

    for (const std::string host : {"::1", "[::1]"}) {
        CAPTURE(host);
        auto options = with_timeout(2s);
        options.family = wscope::net::Family::ipv6;
        auto client = wscope::net::connect_tcp(host, port, options);
        REQUIRE_MESSAGE(client.ok(), (client.ok() ? std::string() : client.error().message));
        CHECK(client.value()->peer_name() == where);
        auto accepted = accept_one(*listener.value());
        REQUIRE(accepted != nullptr);
        CHECK(accepted->peer_name().starts_with("[::1]:"));
        CHECK(transfer(*client.value(), *accepted, "six") == "six");
        CHECK(transfer(*accepted, *client.value(), "back") == "back");
    }
}

TEST_CASE("a closed port is refused, naming the address") {
    const std::uint16_t port = closed_port();
    auto client = wscope::net::connect_tcp("127.0.0.1", port, with_timeout(2s));
    REQUIRE_FALSE(client.ok());
    CHECK(client.error().code == NetErrc::refused);
    CHECK(client.error().message == "connection refused (127.0.0.1:" + std::to_string(port) + ")");
}

TEST_CASE("a name that cannot resolve is a dns error") {
    // .invalid never resolves (RFC 6761 §6.4); the timeout only guards a hanging resolver.
    std::vector<std::string> trace;
    auto options = with_timeout(5s);
    options.trace = [&](const std::string& line) { trace.push_back(line); };
    const auto start = std::chrono::steady_clock::now();
    auto client = wscope::net::connect_tcp("nosuch.invalid", 80, options);
    CHECK(std::chrono::steady_clock::now() - start < 7s);
    REQUIRE_FALSE(client.ok());
    if (client.error().code == NetErrc::timeout) {
        MESSAGE("the resolver hung; got: " << client.error().message);
        CHECK(client.error().message == "resolving host \"nosuch.invalid\" timed out after 5s");
        return;
    }
    CHECK(client.error().code == NetErrc::dns);
    CHECK(client.error().message.starts_with("could not resolve host \"nosuch.invalid\""));
    CHECK(trace.empty());
}

TEST_CASE("an IPv4 literal asked for as IPv6 cannot resolve") {
    auto options = with_timeout(2s);
    options.family = wscope::net::Family::ipv6;
    auto client = wscope::net::connect_tcp("127.0.0.1", 9, options);
    REQUIRE_FALSE(client.ok());
    CHECK(client.error().code == NetErrc::dns);
    CHECK(client.error().message.starts_with("could not resolve host \"127.0.0.1\""));
}

TEST_CASE("a connect that gets no answer times out within the limit") {
    // A listener with a full accept queue drops new SYNs, so a connect to it hangs. Build one
    // by hand (listen_tcp uses a large backlog) and fill it without accepting.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 0) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::uint16_t port = ntohs(addr.sin_port);

    std::vector<std::unique_ptr<Stream>> fillers;
    bool hung = false;
    for (int i = 0; i < 8 && !hung; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto client = wscope::net::connect_tcp("127.0.0.1", port, with_timeout(300ms));
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(took < 3s);
        if (client.ok()) {
            fillers.push_back(std::move(client.value()));
            continue;
        }
        hung = true;
        CHECK(client.error().code == NetErrc::timeout);
        CHECK(client.error().message ==
              "connection timed out after 0.3s (127.0.0.1:" + std::to_string(port) + ")");
        CHECK(took >= 250ms);
    }
    if (!hung) MESSAGE("skipped: this kernel accepts beyond the backlog; no timeout to observe");
    ::close(fd);
}

TEST_CASE("a port in use cannot be listened on again") {
    auto first = wscope::net::listen_tcp("127.0.0.1", 0);
    REQUIRE(first.ok());
    const std::uint16_t port = first.value()->port();
    auto second = wscope::net::listen_tcp("127.0.0.1", port);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == NetErrc::bind);
    CHECK(second.error().message ==
          "cannot listen on 127.0.0.1:" + std::to_string(port) + ": address already in use");
}

TEST_CASE("listening on an unresolvable name fails cleanly") {
    auto listener = wscope::net::listen_tcp("nosuch.invalid", 0);
    REQUIRE_FALSE(listener.ok());
    CHECK(listener.error().code == NetErrc::dns);
}

TEST_CASE("make_fd_stream over a socketpair: data, EOF, broken pipe, reset") {
    std::array<int, 2> fds{};
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds.data()) == 0);
    auto a = wscope::net::make_fd_stream(fds[0], "left");
    auto b = wscope::net::make_fd_stream(fds[1], "right");
    CHECK(a->peer_name() == "left");
    CHECK(a->fd() == fds[0]);

    std::array<std::uint8_t, 8> buf{};
    CHECK(a->read_some(buf).status == Status::want_read);  // made non-blocking
    CHECK(a->read_some({}).status == Status::ok);          // an empty buffer is not EOF
    CHECK(transfer(*a, *b, "ping") == "ping");

    SUBCASE("peer closes: EOF, then writes fail without SIGPIPE") {
        b.reset();
        CHECK(read_to_end(*a).status == Status::eof);
        const IoResult w = a->write_some(view(std::string("x")));
        CHECK(w.status == Status::error);
        CHECK(w.message == "broken pipe");
    }
    SUBCASE("a full buffer asks to wait for writability") {
        const std::string chunk(64 * 1024, 'z');
        IoResult w;
        for (int i = 0; i < 10000 && w.status == Status::ok; ++i) w = a->write_some(view(chunk));
        CHECK(w.status == Status::want_write);
        CHECK(w.n == 0);
    }
}

TEST_CASE("an aborted TCP connection reads as 'connection reset by peer'") {
    auto listener = wscope::net::listen_tcp("127.0.0.1", 0);
    REQUIRE(listener.ok());
    auto client = wscope::net::connect_tcp("127.0.0.1", listener.value()->port(), with_timeout(2s));
    REQUIRE(client.ok());
    auto accepted = accept_one(*listener.value());
    REQUIRE(accepted != nullptr);
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    const linger abort_on_close{1, 0};
    REQUIRE(::setsockopt(accepted->fd(), SOL_SOCKET, SO_LINGER, &abort_on_close,
                         sizeof abort_on_close) == 0);
    accepted.reset();
    const IoResult r = read_to_end(*client.value());
    CHECK(r.status == Status::error);
    CHECK(r.message == "connection reset by peer");
}

TEST_CASE("errno_text is strerror in lower case") {
    CHECK(wscope::net::errno_text(ECONNREFUSED) == "connection refused");
    CHECK(wscope::net::errno_text(ECONNRESET) == "connection reset by peer");
}
