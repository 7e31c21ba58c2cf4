// Session policy over the Connection: replies, timers, close handshake, flow control.
#include "session/session.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <variant>

#include "proto/close_code.hpp"
#include "proto/frame.hpp"
#include "proto/mask.hpp"

namespace wscope::session {
namespace {

// One read takes up to this much: large enough that a bulk stream costs few system calls.
constexpr std::size_t read_buffer_size = 256 * 1024;
// Reads per on_ready() before giving other work (stdin, timers) a turn.
constexpr int reads_per_turn = 16;

std::string close_text(std::optional<std::uint16_t> code, std::string_view reason) {
    if (!code) return "no status code";
    std::string out = std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")";
    if (!reason.empty()) out += " \"" + std::string(reason) + "\"";
    return out;
}

std::string seconds_text(double s) {
    std::string t = std::to_string(s);
    t.erase(t.find_last_not_of('0') + 1);
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t + "s";
}

}  // namespace

Session::Session(net::Stream& stream, const SessionOptions& options, crypto::MaskSource& masks,
                 Observer& observer, const TimeSource& time)
    : stream_(stream),
      options_(options),
      observer_(observer),
      time_(time),
      conn_(proto::ConnectionOptions{options.role, options.max_message, options.deflate}, masks) {
    in_.resize(read_buffer_size);
    stats_.started = time_.now();
}

void Session::start(proto::ByteView leftover) {
    if (options_.ping_interval > 0) next_ping_ = time_.now() + seconds(options_.ping_interval);
    if (leftover.empty()) return;
    proto::Bytes copy(leftover.begin(), leftover.end());
    stats_.bytes_in += copy.size();
    process(copy);
    flush();
}

short Session::events() const {
    if (finished_) return 0;
    short ev = 0;
    const bool paused = reading_paused();
    if (!read_eof_ && !paused) ev |= POLLIN;
    if (pending_out() > 0 && !write_shut_) ev |= POLLOUT;
    if (read_blocked_on_write_) ev |= POLLOUT;
    if (write_blocked_on_read_) ev |= POLLIN;
    return ev;
}

void Session::on_ready(short revents) {
    if (finished_) return;
    const bool readable = (revents & (POLLIN | POLLHUP | POLLERR)) != 0 || stream_.has_buffered();
    read_blocked_on_write_ = false;
    if (readable || (revents & POLLOUT)) write_blocked_on_read_ = false;
    if (readable || (revents & POLLOUT)) read_some();
    if (!finished_) flush();
}

void Session::read_some() {
    for (int i = 0; i < reads_per_turn && !finished_ && !read_eof_; ++i) {
        if (reading_paused()) return;
        net::IoResult r = stream_.read_some(in_);
        using S = net::IoResult::Status;
        switch (r.status) {
            case S::ok:
                stats_.bytes_in += r.n;
                touch();
                process({in_.data(), r.n});
                break;
            case S::want_read:
                return;
            case S::want_write:
                read_blocked_on_write_ = true;
                return;
            case S::eof:
                read_eof_ = true;
                if (violated_) {
                    finish(Outcome::protocol_violation, failure_.message);
                    return;
                }
                conn_.receive_eof();
                process({});
                return;
            case S::error:
                fail_io(r.message);
                return;
        }
        // Echo replies may pile up while we read: write them as we go.
        if (pending_out() >= options_.input_pause_threshold) flush();
    }
}

void Session::process(proto::MutableByteView data) {
    if (!data.empty()) conn_.receive(data);
    while (auto ev = conn_.next_event()) {
        handle(*ev);
        if (finished_) return;
    }
}

void Session::handle(const proto::Event& ev) {
    using namespace proto;
    if (const auto* m = std::get_if<MessageData>(&ev)) {
        if (m->last) ++stats_.messages_in;
        observer_.on_message(m->type, m->data, m->first, m->last);
        if (options_.echo && !conn_.close_sent()) {
            const std::size_t from = out_.size();
            conn_.send_fragment(m->type, m->data, m->first, m->last, out_);
            replies_queued_ += out_.size() - from;
            if (m->last) ++stats_.messages_out;
            report_sent(from, m->data);
        }
    } else if (const auto* f = std::get_if<FrameStart>(&ev)) {
        ++stats_.frames_in;
        if (observer_.wants_frames()) observer_.on_frame_header(Direction::in, f->header, f->raw);
    } else if (const auto* p = std::get_if<FramePayload>(&ev)) {
        if (observer_.wants_frames())
            observer_.on_frame_payload(Direction::in, p->data, p->offset, p->frame_end);
    } else if (const auto* ping = std::get_if<PingReceived>(&ev)) {
        observer_.on_ping(Direction::in, ping->payload);
        // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
        // response, unless it already received a Close frame" — or sent one.
        if (options_.auto_pong && !conn_.close_sent()) {
            const std::size_t before = out_.size();
            send_pong(ping->payload);
            replies_queued_ += out_.size() - before;
        }
    } else if (const auto* pong = std::get_if<PongReceived>(&ev)) {
        std::optional<std::chrono::microseconds> rtt;
        const std::string body(as_chars(pong->payload));
        for (auto it = pings_in_flight_.begin(); it != pings_in_flight_.end(); ++it) {
            if (it->first != body) continue;
            rtt = std::chrono::duration_cast<std::chrono::microseconds>(time_.now() - it->second);
            const auto us = static_cast<std::uint64_t>(rtt->count());
            stats_.rtt_min = stats_.rtt_count == 0 ? us : std::min(stats_.rtt_min, us);
            stats_.rtt_max = std::max(stats_.rtt_max, us);
            stats_.rtt_total += us;
            ++stats_.rtt_count;
            pings_in_flight_.erase(pings_in_flight_.begin(), it + 1);
            break;
        }
        // The deadline follows the oldest ping still unanswered.
        if (pings_in_flight_.empty())
            pong_deadline_.reset();
        else
            pong_deadline_ = pings_in_flight_.front().second + seconds(pong_wait());
        observer_.on_pong(Direction::in, pong->payload, rtt);
    } else if (const auto* c = std::get_if<CloseReceived>(&ev)) {
        on_peer_close(*c);
    } else if (const auto* v = std::get_if<Violation>(&ev)) {
        on_violation(*v);
    } else if (const auto* e = std::get_if<StreamEnded>(&ev)) {
        on_stream_end(e->clean);
    }
}

void Session::on_peer_close(const proto::CloseReceived& c) {
    peer_code_ = c.code;
    stats_.close_received = c.code.value_or(0);
    if (!conn_.close_sent()) stats_.peer_closed_first = true;
    observer_.on_close(Direction::in, c.code, c.reason);
    if (!conn_.close_sent()) {
        // §5.5.1: answer a Close with a Close, "typically echoing the status code it received".
        peer_initiated_close_ = true;
        const std::size_t from = out_.size();
        conn_.send_close(c.code.value_or(0), {}, out_);
        stats_.close_sent = c.code.value_or(0);
        report_sent(from);
        observer_.on_close(Direction::out, c.code, {});
    }
    // §7.1.1: the server closes the TCP connection first; a client waits for it, briefly.
    close_deadline_ = time_.now() + seconds(options_.close_timeout);
    flush();
}

void Session::on_violation(const proto::Violation& v) {
    const proto::Error error = v.error();
    violated_ = true;
    failure_ = {Outcome::protocol_violation, error.describe()};
    observer_.on_violation(error);
    // §7.1.7: to fail the connection, send a Close with the matching code, then close.
    if (!conn_.close_sent()) {
        const auto code = static_cast<std::uint16_t>(proto::close_code_for(error.code));
        const std::size_t from = out_.size();
        conn_.send_close(code, proto::info(error.code).message, out_);
        stats_.close_sent = code;
        report_sent(from);
        observer_.on_close(Direction::out, code, proto::info(error.code).message);
    }
    close_deadline_ = time_.now() + seconds(options_.close_timeout);
    flush();
}

void Session::on_stream_end(bool clean) {
    if (clean || conn_.close_sent()) {
        finish(Outcome::normal, {});
        return;
    }
    finish(Outcome::connection_lost, "connection closed by the peer without a close frame (1006)");
}

void Session::send_message(proto::MessageType type, proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_message(type, payload, out_);
    ++stats_.messages_out;
    report_sent(from, payload);
}

void Session::send_fragment(proto::MessageType type, proto::ByteView payload, bool first, bool fin) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_fragment(type, payload, first, fin, out_);
    if (fin) ++stats_.messages_out;
    report_sent(from, payload);
}

void Session::send_ping(proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_ping(payload, out_);
    report_sent(from);
    observer_.on_ping(Direction::out, payload);
    pings_in_flight_.emplace_back(std::string(proto::as_chars(payload)), time_.now());
    if (!pong_deadline_) pong_deadline_ = time_.now() + seconds(pong_wait());
}

double Session::pong_wait() const {
    // --ping-timeout, else 30 seconds: a short --ping-interval must not turn one slow pong on a
    // busy machine or link into a failure.
    if (options_.ping_timeout > 0) return options_.ping_timeout;
    return 30.0;
}

void Session::send_pong(proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_pong(payload, out_);
    report_sent(from);
    observer_.on_pong(Direction::out, payload, std::nullopt);
}

void Session::send_raw(const proto::FrameHeader& header, proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_raw(header, payload, out_);
    report_sent(from);
    if (conn_.close_sent()) close_deadline_ = time_.now() + seconds(options_.close_timeout);
}

void Session::close(std::uint16_t code, std::string_view reason) {
    if (conn_.close_sent() || finished_) return;
    const std::size_t from = out_.size();
    conn_.send_close(code, reason, out_);
    stats_.close_sent = code;
    report_sent(from);
    observer_.on_close(Direction::out, code ? std::optional<std::uint16_t>(code) : std::nullopt,
                       reason);
    close_deadline_ = time_.now() + seconds(options_.close_timeout);
    flush();
}

void Session::report_sent(std::size_t from, proto::ByteView uncompressed) {
    ++stats_.frames_out;
    if (!observer_.wants_frames()) return;
    // Decode what we just encoded, so the user sees exactly what goes on the wire.
    proto::ByteView rest(out_.data() + from, out_.size() - from);
    proto::HeaderParser parser;
    if (parser.parse(rest) != proto::HeaderParser::Status::done) return;
    const proto::FrameHeader h = parser.header();
    // A crafted frame (/frame len=N) may claim more than it carries: show what it carries.
    const auto carried = std::min<std::uint64_t>(h.payload_len, rest.size());
    proto::Bytes payload(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(carried));
    if (h.mask) proto::apply_mask(payload, *h.mask);
    if (options_.deflate && !proto::is_control(h.opcode)) observer_.on_frame_uncompressed(Direction::out, uncompressed);
    observer_.on_frame_header(Direction::out, h, parser.raw());
    observer_.on_frame_payload(Direction::out, payload, 0, true);
}

void Session::flush() {
    using S = net::IoResult::Status;
    while (pending_out() > 0 && !finished_) {
        net::IoResult r = stream_.write_some({out_.data() + out_pos_, pending_out()});
        if (r.status == S::ok) {
            out_pos_ += r.n;
            stats_.bytes_out += r.n;
            continue;
        }
        if (r.status == S::want_read) write_blocked_on_read_ = true;
        if (r.status == S::error) {
            fail_io(r.message);
            return;
        }
        break;
    }
    if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
        replies_queued_ = 0;
    } else if (out_pos_ >= (1u << 20) && out_pos_ * 2 >= out_.size()) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
        out_pos_ = 0;
    }
    // §7.1.1: once both Close frames have passed, the server closes the TCP connection.
    if (!finished_ && conn_.closed() && pending_out() == 0 && options_.role == proto::Role::server) {
        stream_.shutdown_write();
        write_shut_ = true;
        finish(Outcome::normal, {});
    }
}

std::optional<TimePoint> Session::next_deadline() const {
    std::optional<TimePoint> t;
    for (const auto& d : {close_deadline_, next_ping_, pong_deadline_})
        if (d && (!t || *d < *t)) t = d;
    return t;
}

void Session::tick() {
    if (finished_) return;
    const TimePoint now = time_.now();
    if (close_deadline_ && now >= *close_deadline_) {
        if (violated_) {
            finish(Outcome::protocol_violation, failure_.message);
        } else if (conn_.close_received()) {
            finish(Outcome::normal, {});  // the handshake is complete; the peer kept the socket
        } else {
            finish(Outcome::timeout, "no close frame from the peer within " +
                                         seconds_text(options_.close_timeout) + " of silence");
        }
        return;
    }
    if (pong_deadline_ && now >= *pong_deadline_) {
        finish(Outcome::timeout, "no pong from the peer within " + seconds_text(pong_wait()));
        return;
    }
    // No more pings once closing: and no stale deadline to wake the loop for.
    if (conn_.close_sent()) next_ping_.reset();
    if (next_ping_ && now >= *next_ping_) {
        const std::string payload = std::to_string(++ping_counter_);
        send_ping(proto::as_bytes(payload));
        next_ping_ = now + seconds(options_.ping_interval);
        flush();
    }
}

void Session::touch() {
    if (close_deadline_) close_deadline_ = time_.now() + seconds(options_.close_timeout);
}

void Session::finish(Outcome outcome, std::string message) {
    if (finished_) return;
    finished_ = true;
    if (outcome == Outcome::normal && !violated_ && peer_initiated_close_ && peer_code_ &&
        *peer_code_ != 1000 && *peer_code_ != 1001) {
        outcome = Outcome::peer_error_close;
        message = "the peer closed the connection with " + close_text(peer_code_, {});
    }
    if (failure_.outcome == Outcome::normal) failure_ = {outcome, std::move(message)};
}

void Session::fail_io(const std::string& message) {
    read_eof_ = true;
    if (violated_) {
        finish(Outcome::protocol_violation, failure_.message);
    } else if (conn_.close_received() || conn_.close_sent()) {
        finish(Outcome::normal, {});  // the closing handshake was under way: nothing is lost
    } else {
        finish(Outcome::connection_lost, "connection lost: " + message);
    }
}

}  // namespace wscope::session
