// Formatting of the --stats summary.
#include "app/stats_report.hpp"

#include <cstdio>

#include "proto/close_code.hpp"

namespace wscope::app {
namespace {

std::string ms(double microseconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms", microseconds / 1000.0);
    return buf;
}

std::string close_text(const std::optional<std::uint16_t>& code) {
    if (!code) return "none";
    if (*code == 0) return "(no status)";
    return std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")";
}

}  // namespace

std::string format_stats(const Timings* t, const session::SessionStats& s, session::TimePoint end,
                         std::string_view prefix) {
    std::string out;
    auto line = [&](std::string_view name, const std::string& value) {
        out.append(prefix).append("stats: ").append(name).append(": ").append(value).push_back('\n');
    };
    if (t) {
        line("connect", ms(static_cast<double>(t->connect.count())));
        if (t->tls) line("tls", ms(static_cast<double>(t->tls->count())));
        line("handshake", ms(static_cast<double>(t->handshake.count())));
    }
    const auto open_us = std::chrono::duration_cast<std::chrono::microseconds>(end - s.started).count();
    line("open for", ms(static_cast<double>(open_us)));
    line("messages", std::to_string(s.messages_out) + " sent, " + std::to_string(s.messages_in) + " received");
    line("frames", std::to_string(s.frames_out) + " sent, " + std::to_string(s.frames_in) + " received");
    line("bytes", std::to_string(s.bytes_out) + " sent, " + std::to_string(s.bytes_in) + " received");
    if (s.rtt_count > 0) {
        line("ping rtt", "min " + ms(static_cast<double>(s.rtt_min)) + ", avg " +
                             ms(static_cast<double>(s.rtt_total) / static_cast<double>(s.rtt_count)) + ", max " +
                             ms(static_cast<double>(s.rtt_max)) + " (" + std::to_string(s.rtt_count) + " pongs)");
    }
    std::string close = "sent " + close_text(s.close_sent) + ", received " + close_text(s.close_received);
    if (s.close_sent || s.close_received) close += s.peer_closed_first ? "; the peer closed first" : "; we closed first";
    line("close", close);
    return out;
}

}  // namespace wscope::app
