// Event timestamps as RFC 3339 UTC with microseconds: 2026-11-24T11:22:33.123456Z.
#pragma once

#include <chrono>
#include <string>

namespace wscope::present {

using TimePoint = std::chrono::system_clock::time_point;

void append_timestamp(std::string& out, TimePoint t);
[[nodiscard]] std::string format_timestamp(TimePoint t);

}  // namespace wscope::present
