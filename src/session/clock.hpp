// Time as an input, so timeouts can be tested without waiting.
#pragma once

#include <chrono>

namespace wscope::session {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class TimeSource {
public:
    virtual ~TimeSource() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

class SteadyTime final : public TimeSource {
public:
    [[nodiscard]] TimePoint now() const override { return Clock::now(); }
};

[[nodiscard]] inline Duration seconds(double s) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace wscope::session
