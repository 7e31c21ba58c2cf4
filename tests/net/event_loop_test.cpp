#include "net/event_loop.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

using wscope::net::Loop;
namespace net = wscope::net;

namespace {

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
        r = fds[0];
        w = fds[1];
    }
    ~Pipe() {
        ::close(r);
        ::close(w);
    }
};

Loop::TimePoint in_ms(int ms) { return Loop::Clock::now() + std::chrono::milliseconds(ms); }

}  // namespace

TEST_CASE("a readable descriptor runs its handler; no interest, no call") {
    Loop loop;
    Pipe p;
    int calls = 0;
    loop.watch(p.r, net::readable, [&](std::uint32_t ready) {
        CHECK((ready & net::readable) != 0);
        char c;
        CHECK(::read(p.r, &c, 1) == 1);
        ++calls;
    });
    REQUIRE(::write(p.w, "x", 1) == 1);
    loop.run_once(in_ms(1000));
    CHECK(calls == 1);
    loop.set_interest(p.r, 0);
    REQUIRE(::write(p.w, "y", 1) == 1);
    loop.run_once(in_ms(20));
    CHECK(calls == 1);
    loop.set_interest(p.r, net::readable);
    loop.run_once(in_ms(1000));
    CHECK(calls == 2);
}

TEST_CASE("a handler may unwatch itself and another ready descriptor") {
    Loop loop;
    Pipe a, b;
    int a_calls = 0, b_calls = 0;
    loop.watch(a.r, net::readable, [&](std::uint32_t) {
        ++a_calls;
        loop.unwatch(a.r);
        loop.unwatch(b.r);
    });
    loop.watch(b.r, net::readable, [&](std::uint32_t) {
        ++b_calls;
        loop.unwatch(a.r);
        loop.unwatch(b.r);
    });
    REQUIRE(::write(a.w, "x", 1) == 1);
    REQUIRE(::write(b.w, "x", 1) == 1);
    loop.run_once(in_ms(1000));
    CHECK(a_calls + b_calls == 1);  // the second was unwatched before its turn
    CHECK(loop.size() == 0);
}

TEST_CASE("deadlines run in order, once, and cancelled ones never") {
    Loop loop;
    std::string order;
    loop.at(in_ms(30), [&] { order += "b"; });
    loop.at(in_ms(10), [&] { order += "a"; });
    const auto id = loop.at(in_ms(20), [&] { order += "x"; });
    loop.cancel(id);
    const auto end = in_ms(200);
    while (order.size() < 2 && Loop::Clock::now() < end) loop.run_once(end);
    CHECK(order == "ab");
    loop.run_once(in_ms(20));
    CHECK(order == "ab");
}

TEST_CASE("the wait sleeps until the earliest deadline, not longer") {
    Loop loop;
    bool fired = false;
    const auto start = Loop::Clock::now();
    loop.at(start + std::chrono::milliseconds(40), [&] { fired = true; });
    while (!fired) loop.run_once(start + std::chrono::seconds(2));
    CHECK(Loop::Clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("soon() work runs after the pass and keeps the next wait from sleeping") {
    Loop loop;
    int n = 0;
    loop.soon([&] {
        ++n;
        loop.soon([&] { ++n; });
    });
    const auto start = Loop::Clock::now();
    loop.run_once(start + std::chrono::seconds(5));
    CHECK(n == 2);
    CHECK(Loop::Clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("signals arrive as loop events, not in signal context") {
    Loop loop;
    int got = 0;
    loop.on_signals({SIGUSR1}, [&](int s) { got = s; });
    ::raise(SIGUSR1);  // blocked: it stays pending for the signalfd
    loop.run_once(in_ms(1000));
    CHECK(got == SIGUSR1);
}

TEST_CASE("a regular file is always ready for what it is watched for") {
    Loop loop;
    char name[] = "/tmp/wscope-loop-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::unlink(name);
    int calls = 0;
    loop.watch(fd, net::writable, [&](std::uint32_t ready) {
        CHECK((ready & net::writable) != 0);
        ++calls;
    });
    loop.run_once(in_ms(1000));
    CHECK(calls == 1);
    loop.set_interest(fd, 0);
    const auto start = Loop::Clock::now();
    loop.run_once(in_ms(30));  // nothing wanted: the pass sleeps its limit, no busy loop
    CHECK(calls == 1);
    CHECK(Loop::Clock::now() - start >= std::chrono::milliseconds(25));
    loop.unwatch(fd);
    ::close(fd);
}

TEST_CASE("stop() ends run()") {
    Loop loop;
    loop.at(in_ms(5), [&] { loop.stop(); });
    loop.run();
    CHECK(loop.stopped());
}
