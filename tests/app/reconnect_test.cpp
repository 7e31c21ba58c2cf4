#include "app/reconnect.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <set>

using namespace std::chrono_literals;
using wscope::app::AttemptEnd;
using wscope::app::backoff_delay;
using wscope::app::ReconnectPolicy;
using wscope::app::Reconnector;
using wscope::app::worth_retrying;
using wscope::session::Duration;
using wscope::session::Outcome;

TEST_CASE("backoff: the k-th wait lies in [MIN, min(MAX, MIN·2^k)]") {
    std::mt19937_64 random(42);
    const Duration min = 500ms, max = 30s;
    for (unsigned k = 1; k <= 40; ++k) {
        const Duration ceiling = k < 6 ? Duration(min * (1u << k)) : Duration(max);
        for (int i = 0; i < 200; ++i) {
            const Duration d = backoff_delay(k, min, max, random);
            CHECK(d >= min);
            CHECK(d <= std::min(ceiling, max));
        }
    }
}

TEST_CASE("backoff: full jitter spreads the waits over the whole range") {
    std::mt19937_64 random(7);
    Duration lowest = 1h, highest = 0s;
    for (int i = 0; i < 2000; ++i) {
        const Duration d = backoff_delay(4, 100ms, 10s, random);  // [100 ms, 1.6 s]
        lowest = std::min(lowest, d);
        highest = std::max(highest, d);
    }
    CHECK(lowest < 150ms);
    CHECK(highest > 1500ms);
    CHECK(highest <= 1600ms);
}

TEST_CASE("backoff: the same seed gives the same schedule; another seed another") {
    auto schedule = [](std::uint64_t seed) {
        std::mt19937_64 random(seed);
        std::vector<Duration> out;
        for (unsigned k = 1; k <= 8; ++k) out.push_back(backoff_delay(k, 500ms, 30s, random));
        return out;
    };
    CHECK(schedule(1) == schedule(1));
    CHECK(schedule(1) != schedule(2));
}

TEST_CASE("backoff: MAX below MIN, a zero MIN, and huge k") {
    std::mt19937_64 random(3);
    CHECK(backoff_delay(5, 2s, 1s, random) == 2s);
    CHECK(backoff_delay(5, 0s, 0s, random) == 0s);
    CHECK(backoff_delay(1000000, 1s, 30s, random) <= 30s);
    CHECK(backoff_delay(1000000, 1s, 30s, random) >= 1s);
}

TEST_CASE("worth retrying: what a new try may fix") {
    AttemptEnd e;
    e.outcome = Outcome::connection_lost;
    CHECK(worth_retrying(e, false));
    e.outcome = Outcome::connect_failed;
    CHECK(worth_retrying(e, false));
    e.outcome = Outcome::handshake_rejected;
    CHECK(worth_retrying(e, false));
    e.outcome = Outcome::peer_error_close;
    CHECK(worth_retrying(e, false));
    e.outcome = Outcome::timeout;
    CHECK(worth_retrying(e, false));
    for (Outcome o : {Outcome::usage, Outcome::tls_failed, Outcome::protocol_violation}) {
        e.outcome = o;
        CHECK_FALSE(worth_retrying(e, false));
        CHECK_FALSE(worth_retrying(e, true));
    }
}

TEST_CASE("worth retrying: the peer's 1000 only with --reconnect-always; ours never") {
    AttemptEnd e;
    e.outcome = Outcome::normal;
    e.opened = true;
    e.peer_closed = true;
    e.peer_code = 1000;
    CHECK_FALSE(worth_retrying(e, false));
    CHECK(worth_retrying(e, true));
    e.peer_code = 1001;
    CHECK(worth_retrying(e, false));
    e.peer_closed = false;
    e.peer_code = 0;
    e.we_closed = true;
    CHECK_FALSE(worth_retrying(e, false));
    CHECK_FALSE(worth_retrying(e, true));
    e.we_closed = false;
    e.outcome = Outcome::connection_lost;
    e.signalled = true;
    CHECK_FALSE(worth_retrying(e, true));
}

TEST_CASE("reconnector: MAX tries, then stop; disabled never retries") {
    AttemptEnd lost;
    lost.outcome = Outcome::connection_lost;
    ReconnectPolicy p;
    Reconnector off(p, 1);
    CHECK_FALSE(off.next(lost).has_value());
    p.enabled = true;
    p.max_tries = 3;
    p.min_delay = 10ms;
    p.max_delay = 40ms;
    Reconnector r(p, 1);
    for (unsigned i = 1; i <= 3; ++i) {
        const auto d = r.next(lost);
        REQUIRE(d.has_value());
        CHECK(*d >= 10ms);
        CHECK(*d <= 40ms);
        CHECK(r.tries() == i);
    }
    CHECK_FALSE(r.next(lost).has_value());
}

TEST_CASE("reconnector: a session that lasted MAX starts the count again") {
    ReconnectPolicy p;
    p.enabled = true;
    p.max_tries = 2;
    p.min_delay = 10ms;
    p.max_delay = 1s;
    Reconnector r(p, 9);
    AttemptEnd short_one;
    short_one.outcome = Outcome::connection_lost;
    short_one.opened = true;
    short_one.open_for = 100ms;
    CHECK(r.next(short_one).has_value());
    CHECK(r.next(short_one).has_value());
    CHECK_FALSE(r.next(short_one).has_value());
    AttemptEnd long_one = short_one;
    long_one.open_for = 2s;
    const auto d = r.next(long_one);
    REQUIRE(d.has_value());
    CHECK(r.tries() == 1);
    CHECK(*d <= 20ms);  // the growth started again too
}
