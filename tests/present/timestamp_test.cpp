// RFC 3339 UTC timestamps with microseconds.
#include "present/timestamp.hpp"

#include <doctest/doctest.h>

namespace wscope::present {
namespace {

using namespace std::chrono;

TimePoint at(year_month_day day, microseconds since_midnight) {
    return time_point_cast<system_clock::duration>(sys_days{day} + since_midnight);
}

TEST_CASE("timestamp: date, time and microseconds, zero-padded, Z") {
    const auto t = at(2026y / 11 / 24, 11h + 22min + 33s + 123456us);
    CHECK(format_timestamp(t) == "2026-11-24T11:22:33.123456Z");
    CHECK(format_timestamp(at(2027y / 1 / 2, 3h + 4min + 5s + 6us)) ==
          "2027-01-02T03:04:05.000006Z");
}

TEST_CASE("timestamp: the epoch, leap days, the last microsecond of a year") {
    CHECK(format_timestamp(TimePoint{}) == "1970-01-01T00:00:00.000000Z");
    CHECK(format_timestamp(at(2024y / 2 / 29, 12h)) == "2024-02-29T12:00:00.000000Z");
    CHECK(format_timestamp(at(2025y / 12 / 31, 24h - 1us)) == "2025-12-31T23:59:59.999999Z");
}

TEST_CASE("timestamp: sub-microsecond time is cut, never rounded up") {
    const auto t = at(2026y / 11 / 24, 23h + 59min + 59s + 999999us) +
                   duration_cast<system_clock::duration>(nanoseconds{999});
    CHECK(format_timestamp(t) == "2026-11-24T23:59:59.999999Z");
}

TEST_CASE("timestamp: before the epoch") {
    CHECK(format_timestamp(TimePoint{} - microseconds{1}) == "1969-12-31T23:59:59.999999Z");
}

}  // namespace
}  // namespace wscope::present
