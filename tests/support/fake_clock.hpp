// A session::TimeSource that only moves when the test says so: timeouts are tested by
// advancing it and calling Session::tick(), never by waiting.
#pragma once

#include <chrono>

#include "session/clock.hpp"

namespace wscope::test {

class FakeTime final : public session::TimeSource {
  public:
    // Starts well away from the clock's epoch, so that a default TimePoint{} in the code under
    // test never looks like "now".
    FakeTime() = default;
    explicit FakeTime(session::TimePoint start) : now_(start) {}

    [[nodiscard]] session::TimePoint now() const override { return now_; }

    void advance(session::Duration d) { now_ += d; }
    // Seconds as a double, rounded to the clock's tick (not truncated: 0.6 s is 600 ms).
    void advance(double seconds) {
        advance(std::chrono::round<session::Duration>(std::chrono::duration<double>(seconds)));
    }

    // Time passed since construction.
    [[nodiscard]] session::Duration elapsed() const { return now_ - start_; }

  private:
    static constexpr session::TimePoint default_start{std::chrono::hours(1000)};
    session::TimePoint now_ = default_start;
    session::TimePoint start_ = now_;
};

}  // namespace wscope::test
