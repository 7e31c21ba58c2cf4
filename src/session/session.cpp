// Session policy over the Connection: replies, timers, close handshake, flow control.
#include "session/session.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include "net/event_loop.hpp"
#include "net/send_queue.hpp"
#include "proto/close_code.hpp"
#include "proto/frame.hpp"

namespace wscope::session {
namespace {

// Reads per on_ready() before giving other work (stdin, timers, other clients) a turn.
constexpr int reads_per_turn = 16;
// Output and echo buffers above this capacity are released once drained: an idle connection
// keeps no memory from its largest message.
constexpr std::size_t kept_capacity = 64 * 1024;

std::string close_text(std::optional<std::uint16_t> code) {
    if (!code) return "no status code";
    return std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")";
}

std::string seconds_text(Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gs", std::chrono::duration<double>(d).count());
    return buf;
}

proto::ConnectionOptions connection_options(const SessionOptions& o) {
    proto::ConnectionOptions c;
    c.role = o.role;
    c.max_message = o.max_message;
    c.deflate = o.deflate;
    c.max_tiny_frames = o.max_tiny_frames;
    return c;
}

void release_if_large(proto::Bytes& b) {
    if (b.capacity() > kept_capacity) proto::Bytes().swap(b);
}

}  // namespace

Session::Session(net::Stream& stream, const SessionOptions& options, crypto::MaskSource& masks,
                 Observer& observer, const TimeSource& time, ReadBuffer* reads)
    : stream_(stream),
      options_(options),
      observer_(observer),
      time_(time),
      conn_(connection_options(options), masks),
      reads_(reads) {
    if (!reads_) {
        own_reads_ = std::make_unique<ReadBuffer>();
        reads_ = own_reads_.get();
    }
    frames_wanted_ = observer.interest().frames;
    stats_.started = time_.now();
}

void Session::start(proto::ByteView leftover) {
    // Observers may have subscribed since construction: ask again what they need.
    const Interest wanted = observer_.interest();
    frames_wanted_ = wanted.frames;
    conn_.keep_wire(wanted.wire);
    if (options_.ping_interval.count() > 0) next_ping_ = time_.now() + options_.ping_interval;
    if (leftover.empty()) return;
    proto::Bytes copy(leftover.begin(), leftover.end());
    stats_.bytes_in += copy.size();
    process(copy);
    flush();
}

std::uint32_t Session::events() const {
    if (finished_) return 0;
    std::uint32_t ev = 0;
    if (!read_eof_ && !reading_paused() && !drain_spent()) ev |= net::readable;
    if (pending_out() > 0 && !write_shut_) ev |= net::writable;
    if (read_blocked_on_write_) ev |= net::writable;
    if (write_blocked_on_read_) ev |= net::readable;
    return ev;
}

void Session::on_ready(std::uint32_t ready) {
    if (finished_) return;
    const bool readable = (ready & (net::readable | net::hangup)) != 0 || stream_.has_buffered();
    read_blocked_on_write_ = false;
    if (readable || (ready & net::writable)) write_blocked_on_read_ = false;
    if (violated_ && drain_spent() && (ready & net::hangup) != 0) {
        finish(Outcome::protocol_violation, failure_.message);  // the peer is gone as well
        return;
    }
    if (readable || (ready & net::writable)) {
        if (violated_)
            drain_after_failure();
        else
            read_some();
    }
    if (!finished_) flush();
}

void Session::read_some() {
    const proto::MutableByteView buf = reads_->view();
    for (int i = 0; i < reads_per_turn && !finished_ && !read_eof_ && !violated_; ++i) {
        if (reading_paused()) return;
        net::IoResult r = stream_.read_some(buf);
        using S = net::IoResult::Status;
        switch (r.status) {
            case S::ok:
                stats_.bytes_in += r.n;
                touch();
                process(buf.first(r.n));
                break;
            case S::want_read:
                return;
            case S::want_write:
                read_blocked_on_write_ = true;
                return;
            case S::eof:
                read_eof_ = true;
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

// After a violation nothing the peer sends is processed: it is read and dropped, only to see
// the end of the stream, and the fixed deadline ends the connection whatever still comes.
// A peer that goes on sending (a never-ending message) is read no further than
// failure_drain_limit (defaults.hpp): then the socket is left alone until the deadline.
void Session::drain_after_failure() {
    const proto::MutableByteView buf = reads_->view();
    for (int i = 0; i < reads_per_turn && !finished_ && !drain_spent(); ++i) {
        net::IoResult r = stream_.read_some(buf);
        using S = net::IoResult::Status;
        if (r.status == S::ok) {
            stats_.bytes_in += r.n;
            drained_ += r.n;
            continue;
        }
        if (r.status == S::want_write) read_blocked_on_write_ = true;
        if (r.status == S::eof || r.status == S::error) finish(Outcome::protocol_violation, failure_.message);
        return;
    }
}

void Session::process(proto::MutableByteView data) {
    if (!data.empty()) conn_.receive(data);
    while (auto ev = conn_.next_event()) {
        handle(*ev);
        if (finished_ || violated_) return;
    }
}

void Session::handle(const proto::Event& ev) {
    using namespace proto;
    if (const auto* m = std::get_if<MessageData>(&ev)) {
        on_data(*m);
    } else if (const auto* f = std::get_if<FrameStart>(&ev)) {
        ++stats_.frames_in;
        in_data_frame_ = !is_control(f->header.opcode);
        data_frame_ended_ = false;
        if (frames_wanted_)
            emit(FrameHeaderEvent{Direction::in, f->header, f->raw, f->continuation_index,
                                  f->message_type, std::nullopt});
    } else if (const auto* p = std::get_if<FramePayload>(&ev)) {
        if (frames_wanted_)
            emit(FramePayloadEvent{Direction::in, p->data, p->wire, p->offset, p->frame_end});
        // The MessageData of this piece (if any) follows: it is the frame's last.
        if (p->frame_end && in_data_frame_) data_frame_ended_ = true;
    } else if (const auto* ping = std::get_if<PingReceived>(&ev)) {
        emit(PingEvent{Direction::in, ping->payload});
        // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
        // response, unless it already received a Close frame" — or sent one.
        if (options_.auto_pong && !conn_.close_sent()) {
            const std::size_t before = out_.size();
            send_pong(ping->payload);
            replies_queued_ += out_.size() - before;
        }
    } else if (const auto* pong = std::get_if<PongReceived>(&ev)) {
        on_pong(*pong);
    } else if (const auto* c = std::get_if<CloseReceived>(&ev)) {
        on_peer_close(*c);
    } else if (const auto* v = std::get_if<Violation>(&ev)) {
        on_violation(*v);
    } else if (const auto* e = std::get_if<StreamEnded>(&ev)) {
        on_stream_end(e->clean);
    }
}

void Session::on_data(const proto::MessageData& m) {
    if (m.last) ++stats_.messages_in;
    emit(MessageEvent{Direction::in, m.type, m.data, m.first, m.last, m.frame_left});
    if (options_.echo && !conn_.close_sent()) echo(m);
}

// SPEC §2.1: the echo does not depend on how TCP delivered the message. Each received frame
// goes back as one frame (split only beyond echo_fragment bytes), whatever the reads were.
void Session::echo(const proto::MessageData& m) {
    if (m.first) {
        echo_first_ = true;
        echo_type_ = m.type;
    }
    echo_.insert(echo_.end(), m.data.begin(), m.data.end());
    const bool frame_done = std::exchange(data_frame_ended_, false);
    while (echo_.size() > options_.echo_fragment) {
        // A very large frame: send it on in bounded pieces.
        const proto::ByteView piece(echo_.data(), options_.echo_fragment);
        const std::size_t before = out_.size();
        conn_.send_fragment(echo_type_, piece, echo_first_, false, out_);
        report_sent(piece);
        report_message_out(echo_type_, piece, echo_first_, false);
        replies_queued_ += out_.size() - before;
        echo_first_ = false;
        echo_.erase(echo_.begin(), echo_.begin() + static_cast<std::ptrdiff_t>(options_.echo_fragment));
    }
    if (!m.last && !frame_done) return;
    if (!m.last && echo_.empty()) return;  // an empty non-final frame adds nothing to echo
    const std::size_t before = out_.size();
    conn_.send_fragment(echo_type_, echo_, echo_first_, m.last, out_);
    report_sent(proto::ByteView(echo_));
    report_message_out(echo_type_, echo_, echo_first_, m.last);
    replies_queued_ += out_.size() - before;
    if (m.last) ++stats_.messages_out;
    echo_first_ = false;
    echo_.clear();
    keep_until_idle(echo_);
}

void Session::on_pong(const proto::PongReceived& pong) {
    std::optional<std::chrono::microseconds> rtt;
    const std::string body(proto::as_chars(pong.payload));
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
        pong_deadline_ = pings_in_flight_.front().second + pong_wait();
    emit(PongEvent{Direction::in, pong.payload, rtt});
}

void Session::on_peer_close(const proto::CloseReceived& c) {
    peer_code_ = c.code;
    peer_reason_ = std::string(c.reason);
    stats_.close_received = c.code.value_or(0);
    if (!conn_.close_sent()) stats_.peer_closed_first = true;
    emit(CloseEvent{Direction::in, c.code, c.reason});
    if (!conn_.close_sent() && options_.reply_to_close) {
        // §5.5.1: answer a Close with a Close, "typically echoing the status code it received".
        peer_initiated_close_ = true;
        queue_close(c.code.value_or(0), {});
    }
    // §7.1.1: the server closes the TCP connection first; a client waits for it, briefly.
    if (close_deadline_) close_deadline_ = time_.now() + options_.close_timeout;
    flush();
}

void Session::on_violation(const proto::Violation& v) {
    const proto::Error error = v.error();
    violated_ = true;
    failure_ = {Outcome::protocol_violation, error.describe()};
    emit(ViolationEvent{error});
    // §7.1.7: to fail the connection, send a Close with the matching code, then close.
    if (!conn_.close_sent()) {
        const auto code = static_cast<std::uint16_t>(proto::close_code_for(error.code));
        queue_close(code, proto::info(error.code).message);
    }
    close_deadline_.reset();
    fail_deadline_ = time_.now() + (options_.role == proto::Role::server
                                        ? std::min(options_.failure_linger, options_.close_timeout)
                                        : options_.close_timeout);
    flush();
}

// The stream ended. Only the peer's Close makes that normal: after ours alone, the peer hung
// up without answering, which is an abnormal closure (1006) as much as with no Close at all.
void Session::on_stream_end(bool clean) {
    // A Close left unanswered on purpose: the peer hanging up after it is what it should do.
    if (clean || (!options_.reply_to_close && conn_.close_received())) {
        finish(Outcome::normal, {});
        return;
    }
    finish(Outcome::connection_lost,
           conn_.close_sent()
               ? "the peer closed the connection without answering our close frame (1006)"
               : "connection closed by the peer without a close frame (1006)");
}

void Session::queue_close(std::uint16_t code, std::string_view reason) {
    conn_.send_close(code, reason, out_);
    stats_.close_sent = code;
    report_sent();
    emit(CloseEvent{Direction::out, code ? std::optional<std::uint16_t>(code) : std::nullopt, reason});
    close_end_ = written_ + pending_out();
}

// Written bytes at the front of out_ are dropped when that lets n more fit without growing it,
// and they are at least half of what it holds (so that moving the rest down stays rare).
void Session::make_room(std::size_t n) {
    if (out_pos_ < pending_out() || out_.size() + n <= out_.capacity() || pending_out() + n > out_.capacity())
        return;
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
    out_pos_ = 0;
}

void Session::send_message(proto::MessageType type, proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    make_room(payload.size() + proto::max_header_size);
    const std::size_t piece = options_.fragment_size;
    if (piece > 0 && payload.size() > piece) {
        for (std::size_t at = 0; at < payload.size(); at += piece) {
            const bool first = at == 0, fin = at + piece >= payload.size();
            const proto::ByteView part = payload.subspan(at, std::min(piece, payload.size() - at));
            conn_.send_fragment(type, part, first, fin, out_);
            report_sent(part);
            report_message_out(type, part, first, fin);
            if (!fin && options_.fragment_pings) send_ping(proto::as_bytes(std::string_view("between fragments")));
        }
        ++stats_.messages_out;
        return;
    }
    conn_.send_message(type, payload, out_);
    ++stats_.messages_out;
    report_sent(payload);
    report_message_out(type, payload, true, true);
}

void Session::send_fragment(proto::MessageType type, proto::ByteView payload, bool first, bool fin) {
    if (conn_.close_sent() || finished_) return;
    conn_.send_fragment(type, payload, first, fin, out_);
    if (fin) ++stats_.messages_out;
    report_sent(payload);
    report_message_out(type, payload, first, fin);
}

void Session::send_ping(proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    conn_.send_ping(payload, out_);
    report_sent();
    emit(PingEvent{Direction::out, payload});
    pings_in_flight_.emplace_back(std::string(proto::as_chars(payload)), time_.now());
    if (!pong_deadline_) pong_deadline_ = time_.now() + pong_wait();
}

Duration Session::pong_wait() const {
    return options_.ping_timeout.count() > 0 ? options_.ping_timeout : Duration(default_ping_timeout);
}

void Session::send_pong(proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    conn_.send_pong(payload, out_);
    report_sent();
    emit(PongEvent{Direction::out, payload, std::nullopt});
}

void Session::send_raw(const proto::FrameHeader& header, proto::ByteView payload) {
    if (conn_.close_sent() || finished_) return;
    conn_.send_raw(header, payload, out_);
    report_sent();
    if (conn_.close_sent()) close_end_ = written_ + pending_out();
}

void Session::send_wire(proto::ByteView bytes) {
    if (conn_.close_sent() || finished_) return;
    out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void Session::close(proto::CloseCode code, std::string_view reason) {
    if (conn_.close_sent() || finished_) return;
    queue_close(static_cast<std::uint16_t>(code), reason);
    flush();
}

void Session::abort(Outcome outcome, std::string message) {
    if (finished_) return;
    finish(outcome, std::move(message));
}

// The frame just encoded, as the observers see it: no parsing and no masking again.
void Session::report_sent(std::optional<proto::ByteView> uncompressed) {
    ++stats_.frames_out;
    const proto::SentFrame& s = conn_.last_sent();
    // Continuations are numbered within the message they continue (CONT#1, CONT#2…).
    if (s.header.opcode == proto::Opcode::continuation) ++out_continuation_;
    else if (!proto::is_control(s.header.opcode)) out_continuation_ = 0;
    if (!frames_wanted_) return;
    const proto::ByteView header(out_.data() + s.offset, s.header_size);
    const proto::ByteView wire(out_.data() + s.offset + s.header_size, s.payload.size());
    const bool data = !proto::is_control(s.header.opcode);
    const std::uint64_t index = s.header.opcode == proto::Opcode::continuation ? out_continuation_ : 0;
    FrameHeaderEvent h{Direction::out, s.header, header, index, proto::MessageType::binary, std::nullopt};
    if (data && options_.deflate && uncompressed) h.uncompressed = uncompressed;
    emit(h);
    emit(FramePayloadEvent{Direction::out, s.payload, wire, 0, true});
}

void Session::report_message_out(proto::MessageType type, proto::ByteView data, bool first, bool last) {
    emit(MessageEvent{Direction::out, type, data, first, last});
}

void Session::flush() {
    using S = net::IoResult::Status;
    while (pending_out() > 0 && !finished_) {
        net::IoResult r = stream_.write_some({out_.data() + out_pos_, pending_out()});
        if (r.status == S::ok) {
            out_pos_ += r.n;
            written_ += r.n;
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
        keep_until_idle(out_);
    } else if (out_pos_ >= (1u << 20) && out_pos_ * 2 >= out_.size()) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
        out_pos_ = 0;
    }
    // Our Close is written: once the peer has received it (its TCP acknowledged every byte),
    // the peer's silence is measured. A slow link may still hold megabytes of what we wrote.
    if (close_end_ && written_ >= *close_end_ && !close_deadline_ && !violated_) {
        close_end_.reset();
        drain_.emplace(DrainWatch{net::unacknowledged_bytes(stream_.fd()), time_.now()});
        check_drain(time_.now());
    }
    if (finished_ || pending_out() != 0 || options_.role != proto::Role::server || write_shut_) return;
    // §7.1.1: once both Close frames have passed, the server closes the TCP connection.
    if (conn_.closed()) {
        stream_.shutdown_write();
        write_shut_ = true;
        finish(violated_ ? Outcome::protocol_violation : Outcome::normal, violated_ ? failure_.message : "");
        return;
    }
    // §7.1.7: a server that failed the connection closes it promptly: our side now, then a
    // short wait for the client's Close or end (fail_deadline_).
    if (violated_ && conn_.close_sent()) {
        stream_.shutdown_write();
        write_shut_ = true;
    }
}

std::optional<TimePoint> Session::next_deadline() const {
    if (finished_) return std::nullopt;
    std::optional<TimePoint> t;
    for (const auto& d : {close_deadline_, fail_deadline_, next_ping_, pong_deadline_, release_deadline_})
        if (d && (!t || *d < *t)) t = d;
    return t;
}

void Session::tick() {
    if (finished_) return;
    const TimePoint now = time_.now();
    if (release_deadline_ && now >= *release_deadline_) release_if_idle(now);
    if (fail_deadline_ && now >= *fail_deadline_) {
        finish(Outcome::protocol_violation, failure_.message);
        return;
    }
    if (drain_ && close_deadline_ && now >= *close_deadline_ && check_drain(now)) return;
    if (close_deadline_ && now >= *close_deadline_) {
        if (conn_.close_received()) {
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
        next_ping_ = now + options_.ping_interval;
        flush();
    }
}

void Session::keep_until_idle(const proto::Bytes& b) {
    if (b.capacity() <= kept_capacity || release_deadline_) return;
    release_deadline_ = time_.now() + idle_release_after;
    reads_at_release_arm_ = stats_.bytes_in;
}

// Traffic since the deadline was set: look again later. Otherwise the connection was quiet
// for idle_release_after: the emptied buffers go.
void Session::release_if_idle(TimePoint now) {
    if (stats_.bytes_in != reads_at_release_arm_ || pending_out() > 0 || !echo_.empty()) {
        release_deadline_ = now + idle_release_after;
        reads_at_release_arm_ = stats_.bytes_in;
        return;
    }
    release_deadline_.reset();
    release_if_large(out_);
    release_if_large(echo_);
}

void Session::touch() {
    if (drain_) drain_->since = time_.now();  // the peer is not silent
    else if (close_deadline_) close_deadline_ = time_.now() + options_.close_timeout;
}

// While our bytes are still crossing the link, polls the socket's unacknowledged bytes every
// drain_poll; the close timeout starts once they are all acknowledged. Bytes that stop moving
// for close_timeout are the peer's silence too. Returns true while still waiting.
bool Session::check_drain(TimePoint now) {
    const std::size_t left = net::unacknowledged_bytes(stream_.fd());
    if (left == 0) {
        drain_.reset();
        close_deadline_ = now + options_.close_timeout;
        return false;
    }
    if (left < drain_->unacknowledged) *drain_ = DrainWatch{left, now};
    if (now - drain_->since >= options_.close_timeout) {
        drain_.reset();
        close_deadline_ = now;  // stalled: the timeout fires now
        return false;
    }
    close_deadline_ = now + drain_poll;
    return true;
}

void Session::finish(Outcome outcome, std::string message) {
    if (finished_) return;
    finished_ = true;
    // SPEC §2.5: a peer that closes with an error code is a failure, whoever closed first,
    // unless it only echoed the code we sent.
    const bool echoed_ours = !peer_initiated_close_ && stats_.close_sent == peer_code_;
    if (outcome == Outcome::normal && !violated_ && peer_code_ && *peer_code_ != 1000 &&
        *peer_code_ != 1001 && !echoed_ours) {
        outcome = Outcome::peer_error_close;
        message = "the peer closed the connection with " + close_text(peer_code_);
    }
    if (failure_.outcome == Outcome::normal) failure_ = {outcome, std::move(message)};
    release_if_large(out_);
    release_if_large(echo_);
    emit(EndEvent{});
}

void Session::fail_io(const std::string& message) {
    read_eof_ = true;
    if (violated_) {
        finish(Outcome::protocol_violation, failure_.message);
    } else if (conn_.close_received()) {
        finish(Outcome::normal, {});  // the peer's Close arrived: nothing is lost
    } else {
        finish(Outcome::connection_lost, "connection lost: " + message);
    }
}

}  // namespace wscope::session
