// The shared formatters (describe.hpp).
#include "present/describe.hpp"

#include <cstdio>

#include "present/quoted_text.hpp"
#include "proto/close_code.hpp"

namespace wscope::present {

std::string close_text(std::optional<std::uint16_t> code, std::string_view reason) {
    if (!code) return "no status code";
    std::string out = std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")";
    if (!reason.empty()) {
        out += ' ';
        append_quoted(out, proto::as_bytes(reason), proto::max_close_reason);
    }
    return out;
}

std::string rtt_text(std::chrono::microseconds rtt) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(rtt.count()) / 1000.0);
    return buf;
}

std::string seconds_text(std::chrono::nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gs", std::chrono::duration<double>(d).count());
    return buf;
}

std::string bytes_text(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

}  // namespace wscope::present
