// One formatter per concept, used by every front end: a close code with its reason, a round
// trip time, a duration, a byte count. The peer's part of each (a close reason) is escaped.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscope::present {

// `1000 (normal) "bye"`, `4001 (private use)`, or `no status code` for an empty Close.
[[nodiscard]] std::string close_text(std::optional<std::uint16_t> code, std::string_view reason = {});

// "0.412 ms": round trips, everywhere they are shown.
[[nodiscard]] std::string rtt_text(std::chrono::microseconds rtt);

// "2s", "0.5s", "1.25s": timeouts as messages name them.
[[nodiscard]] std::string seconds_text(std::chrono::nanoseconds d);

// "1 byte", "5 bytes".
[[nodiscard]] std::string bytes_text(std::uint64_t n);

}  // namespace wscope::present
