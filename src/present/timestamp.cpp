// RFC 3339 §5.6 date-time in UTC ("Z"), truncated (not rounded) to microseconds, so that a
// timestamp never shows a later second than the clock read.
#include "present/timestamp.hpp"

#include <cstdint>

namespace wscope::present {
namespace {

void append_padded(std::string& out, std::int64_t value, int digits) {
    std::string s = std::to_string(value);
    if (s.size() < static_cast<std::size_t>(digits)) out.append(digits - s.size(), '0');
    out += s;
}

}  // namespace

void append_timestamp(std::string& out, TimePoint t) {
    using namespace std::chrono;
    const auto us = floor<microseconds>(t);
    const auto day = floor<days>(us);
    const year_month_day ymd{day};
    const hh_mm_ss hms{us - day};
    append_padded(out, static_cast<int>(ymd.year()), 4);
    out += '-';
    append_padded(out, static_cast<unsigned>(ymd.month()), 2);
    out += '-';
    append_padded(out, static_cast<unsigned>(ymd.day()), 2);
    out += 'T';
    append_padded(out, hms.hours().count(), 2);
    out += ':';
    append_padded(out, hms.minutes().count(), 2);
    out += ':';
    append_padded(out, hms.seconds().count(), 2);
    out += '.';
    append_padded(out, hms.subseconds().count(), 6);
    out += 'Z';
}

std::string format_timestamp(TimePoint t) {
    std::string out;
    append_timestamp(out, t);
    return out;
}

}  // namespace wscope::present
