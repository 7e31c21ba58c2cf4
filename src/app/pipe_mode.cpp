// The pipe-mode front end on the event loop.
#include "app/pipe_mode.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <memory>

#include "app/gather_buffer.hpp"
#include "app/input.hpp"
#include "app/live_session.hpp"
#include "present/describe.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

using proto::ByteView;
using proto::MessageType;
using session::Direction;

// Writes received messages to stdout, whole: a message that arrives in pieces is gathered
// first (bounded by --max-message-size), so a violation mid-message prints no part of it.
class MessagePrinter final : public session::Observer {
public:
    MessagePrinter(Console& console, std::uint64_t limit, bool raw)
        : console_(console), limit_(limit), raw_(raw) {}

    void on_event(const session::SessionEvent& event) override {
        const auto* m = std::get_if<session::MessageEvent>(&event);
        if (!m || m->dir != Direction::in) return;
        if (limit_ != 0 && received_ >= limit_) return;
        if (raw_) write(*m);
        if (m->last) {
            ++received_;
            ++since_check_;
        }
    }

    [[nodiscard]] bool limit_reached() const { return limit_ != 0 && received_ >= limit_; }
    // Messages that arrived since the last call (the linger restarts on each).
    std::uint64_t take_new() { return std::exchange(since_check_, 0); }

private:
    void write(const session::MessageEvent& m) {
        if (m.first && m.last) {
            console_.data(m.data);
        } else {
            if (m.first) partial_.clear();
            // Room for what the frame's header says is still coming, at once.
            constexpr std::uint64_t hint_cap = 16u << 20;  // a claim is not a promise
            partial_.reserve(partial_.size() + m.data.size() +
                             static_cast<std::size_t>(std::min(m.frame_left, hint_cap)));
            partial_.append(m.data);
            if (!m.last) return;
            console_.data(partial_.view());
            // Keep the buffer for the next message (no page faults per message), unless an
            // unusually large message made it big.
            if (partial_.size() > (16u << 20)) partial_.release();
            partial_.clear();
        }
        if (m.type == MessageType::text) console_.data(std::string_view("\n"));
    }

    Console& console_;
    std::uint64_t limit_;
    bool raw_;
    std::uint64_t received_ = 0;
    std::uint64_t since_check_ = 0;
    GatherBuffer partial_;
};

class PipeMode {
public:
    PipeMode(net::Loop& loop, Console& console, net::Stream& stream, const ClientOptions& o,
             const std::optional<proto::DeflateParams>& deflate, const SessionContext& context)
        : loop_(loop),
          console_(console),
          o_(o),
          context_(context),
          masks_(make_masks(o.mask_seed)),
          live_(loop, console, stream, client_session_options(o, deflate), *masks_,
                LiveSessionSetup{&o.out, {}, 0, nullptr}),
          printer_(console, o.count, !o.out.jsonl),
          splitter_(o.framing, o.chunk, o.max_message) {
        live_.observe(printer_);
    }

    SessionEnd run(ByteView leftover);
    void observe(session::Observer& o) { live_.observe(o); }

private:
    void send_record(ByteView record, std::uint64_t number);
    void refuse_oversized_input();
    void on_stdin();
    void input_ended();
    void after_pass();
    void linger_check();
    void close_now();
    void time_up();
    void stop_stdin();
    void on_signal(int signo);

    net::Loop& loop_;
    Console& console_;
    const ClientOptions& o_;
    SessionContext context_;
    std::unique_ptr<crypto::MaskSource> masks_;
    LiveSession live_;
    MessagePrinter printer_;
    InputSplitter splitter_;
    // A read as large as a --chunk record (up to 4 MiB) lets whole records pass without a copy.
    std::unique_ptr<std::uint8_t[]> stdin_buf_;
    std::size_t stdin_size_ = std::clamp<std::size_t>(o_.chunk, 256 * 1024, 4u << 20);
    bool reading_stdin_ = false;
    bool input_over_ = false;
    bool closed_for_limit_ = false;
    std::optional<net::Loop::TimerId> linger_timer_;
    session::TimePoint last_heard_{};
    std::string input_error_;
    int signal_ = 0;
    bool done_ = false;
    bool we_closed_ = false;
    bool time_up_ = false;
};

void PipeMode::send_record(ByteView record, std::uint64_t number) {
    if (!input_error_.empty()) return;
    // A record that arrived whole in one read was never counted as buffered (on_stdin).
    if (o_.max_message != 0 && record.size() > o_.max_message) {
        refuse_oversized_input();
        return;
    }
    if (!o_.binary && !proto::is_valid_utf8(record)) {
        // Never send a malformed text frame (RFC 6455 §5.6): stop and say where.
        const char* unit = o_.framing == Framing::lines ? "line" : "record";
        input_error_ = o_.framing == Framing::whole
                           ? std::string("stdin is not valid UTF-8; not sent (use -b to send binary)")
                           : std::string("stdin ") + unit + " " + std::to_string(number) +
                                 " is not valid UTF-8; not sent (use -b to send binary)";
        stop_stdin();
        close_now();
        return;
    }
    live_.session().send_message(o_.binary ? MessageType::binary : MessageType::text, record);
}

// A message of our own beyond --max-message-size is not sent (the peer would refuse it anyway):
// stop reading stdin, close, exit 1.
void PipeMode::refuse_oversized_input() {
    input_error_ = "stdin holds a message larger than --max-message-size (" +
                   std::to_string(o_.max_message) + " bytes); not sent";
    stop_stdin();
    close_now();
}

void PipeMode::on_stdin() {
    const ssize_t n = ::read(STDIN_FILENO, stdin_buf_.get(), stdin_size_);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    const auto sink = [this](ByteView r, std::uint64_t num) { send_record(r, num); };
    if (n <= 0) {
        stop_stdin();
        splitter_.finish(sink);
        input_ended();
    } else {
        splitter_.feed({stdin_buf_.get(), static_cast<std::size_t>(n)}, sink);
        // A record that never ends must not take all memory: the peer would refuse it anyway.
        if (splitter_.overflowed() && input_error_.empty()) refuse_oversized_input();
    }
    live_.session().pump();
    live_.update();
}

void PipeMode::stop_stdin() {
    if (!reading_stdin_) return;
    reading_stdin_ = false;
    loop_.unwatch(STDIN_FILENO);
}

// The input is over: -n waits for its messages; otherwise linger until the peer has been
// silent for -w seconds (every message restarts it), then close.
void PipeMode::input_ended() {
    input_over_ = true;
    if (!input_error_.empty()) return;
    if (o_.count != 0 || o_.echo) return;
    if (o_.wait <= 0) return close_now();
    last_heard_ = session::Clock::now();
    printer_.take_new();
    linger_check();
}

void PipeMode::linger_check() {
    linger_timer_.reset();
    if (live_.session().closing() || live_.session().finished()) return;
    if (printer_.take_new() > 0) last_heard_ = session::Clock::now();
    const session::TimePoint end = last_heard_ + session::seconds(o_.wait);
    if (session::Clock::now() >= end) return close_now();
    linger_timer_ = loop_.at(end, [this] { linger_check(); });
}

void PipeMode::close_now() {
    if (linger_timer_) loop_.cancel(*linger_timer_);
    linger_timer_.reset();
    if (!live_.session().closing() && !live_.session().finished()) we_closed_ = true;
    live_.session().close(proto::CloseCode{o_.close_code}, o_.close_reason);
    live_.update();
}

// --max-time: stop reading, close with 1000 now (whatever -n or the input still wanted).
void PipeMode::time_up() {
    session::Session& s = live_.session();
    if (s.finished()) return;
    time_up_ = true;
    stop_stdin();
    if (linger_timer_) loop_.cancel(*linger_timer_);
    linger_timer_.reset();
    if (!s.closing()) we_closed_ = true;
    s.close(proto::CloseCode::normal, {});
    loop_.at(max_time_give_up(o_), [this] {
        live_.session().abort(session::Outcome::timeout, {});
        live_.update();
    });
    live_.update();
}

// After every pass: stdout's reader, -n, stdin's pace.
void PipeMode::after_pass() {
    session::Session& s = live_.session();
    if (done_ || s.finished()) return;
    if ((console_.out_broken() || !console_.write_error().empty()) && !s.closing()) close_now();
    if (printer_.limit_reached() && !closed_for_limit_) {
        closed_for_limit_ = true;
        close_now();
    }
    // Lingering: every message that arrived restarts the silence.
    if (linger_timer_ && printer_.take_new() > 0) last_heard_ = session::Clock::now();
    if (reading_stdin_) {
        // What one read can add: its bytes, or a whole --chunk record completed by them.
        const std::size_t next = o_.framing == Framing::chunk ? std::max(stdin_size_, o_.chunk) : stdin_size_;
        const bool want = s.accepting_input(next) && !s.closing();
        loop_.set_interest(STDIN_FILENO, want ? net::readable : 0);
    }
}

void PipeMode::on_signal(int signo) {
    session::Session& s = live_.session();
    if (signal_ != 0) {  // a second signal: stop waiting
        s.abort(session::Outcome::normal, {});
        live_.update();
        return;
    }
    signal_ = signo;
    stop_stdin();
    if (linger_timer_) loop_.cancel(*linger_timer_);
    linger_timer_.reset();
    we_closed_ = true;
    s.close(proto::CloseCode::going_away, {});
    live_.update();
}

SessionEnd PipeMode::run(ByteView leftover) {
    loop_.on_signals({SIGINT, SIGTERM, SIGHUP}, [this](int s) { on_signal(s); });
    loop_.before_wait([this] { after_pass(); });
    live_.start(leftover, [this] {
        done_ = true;
        loop_.stop();
    });
    session::Session& s = live_.session();
    if (context_.deadline) loop_.at(*context_.deadline, [this] { time_up(); });
    if (!o_.data.empty() || o_.echo) {
        for (const auto& d : o_.data)
            s.send_message(o_.binary ? MessageType::binary : MessageType::text, proto::as_bytes(d));
        s.pump();
        input_ended();
    } else {
        stdin_buf_.reset(new std::uint8_t[stdin_size_]);
        reading_stdin_ = true;
        loop_.watch(STDIN_FILENO, net::readable, [this](std::uint32_t) { on_stdin(); });
    }
    live_.update();
    if (!s.finished()) loop_.run();
    stop_stdin();
    console_.flush();
    SessionEnd end{s.failure(), s.stats(), signal_, s.peer_close_reason(), we_closed_};
    if (!input_error_.empty()) end.failure = {session::Outcome::usage, input_error_};
    if (time_up_ && end.failure.outcome != session::Outcome::protocol_violation)
        end.failure = max_time_failure(context_.max_time);
    // The reader went away: nothing more to tell it; a violation still counts.
    if (console_.out_broken() && console_.write_error().empty() &&
        end.failure.outcome != session::Outcome::protocol_violation)
        end.failure = {};
    return end;
}

}  // namespace

session::Failure max_time_failure(double seconds) {
    return {session::Outcome::timeout, "--max-time " + present::seconds_text(session::seconds(seconds)) + " reached"};
}

session::TimePoint max_time_give_up(const ClientOptions& o) {
    return session::Clock::now() + std::min<session::Duration>(session::seconds(o.close_timeout), max_time_close_grace);
}

session::SessionOptions client_session_options(const ClientOptions& o,
                                               const std::optional<proto::DeflateParams>& deflate) {
    session::SessionOptions s;
    s.deflate = deflate;
    s.role = proto::Role::client;
    s.max_message = o.max_message;
    s.ping_interval = session::seconds(o.ping_interval);
    s.ping_timeout = session::seconds(o.ping_timeout);
    s.close_timeout = session::seconds(o.close_timeout);
    s.echo = o.echo;
    return s;
}

SessionEnd run_pipe_mode(net::Loop& loop, Console& console, net::Stream& stream, ByteView leftover,
                         const ClientOptions& options,
                         const std::optional<proto::DeflateParams>& deflate,
                         const SessionContext& context, session::Observer* record) {
    PipeMode mode(loop, console, stream, options, deflate, context);
    if (record) mode.observe(*record);
    return mode.run(leftover);
}

}  // namespace wscope::app
