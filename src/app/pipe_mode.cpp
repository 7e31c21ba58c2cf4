// The pipe-mode loop.
#include "app/pipe_mode.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "app/input.hpp"
#include "app/output.hpp"
#include "crypto/mask_source.hpp"
#include "proto/utf8.hpp"
#include "session/session.hpp"

namespace wscope::app {
namespace {

using proto::ByteView;
using proto::MessageType;
using session::Direction;

// Prints received messages on stdout and forwards everything to the inspector.
class MessageWriter final : public session::Observer {
public:
    MessageWriter(Output& out, std::uint64_t limit, bool raw, session::Observer* inspector)
        : out_(out), limit_(limit), raw_(raw), inspector_(inspector) {}

    bool wants_frames() const override { return inspector_ && inspector_->wants_frames(); }
    void on_frame_header(Direction d, const proto::FrameHeader& h, ByteView raw) override {
        inspector_->on_frame_header(d, h, raw);
    }
    void on_frame_uncompressed(Direction d, ByteView data) override {
        if (inspector_) inspector_->on_frame_uncompressed(d, data);
    }
    void on_frame_payload(Direction d, ByteView data, std::uint64_t off, bool end) override {
        inspector_->on_frame_payload(d, data, off, end);
    }
    void on_message(MessageType type, ByteView data, bool first, bool last) override {
        if (limit_ != 0 && received_ >= limit_) return;
        if (inspector_) inspector_->on_message(type, data, first, last);
        if (raw_) write(type, data, first, last);
        if (last) ++received_;
    }
    void on_ping(Direction d, ByteView p) override {
        if (inspector_) inspector_->on_ping(d, p);
    }
    void on_pong(Direction d, ByteView p, std::optional<std::chrono::microseconds> rtt) override {
        if (inspector_) inspector_->on_pong(d, p, rtt);
    }
    void on_close(Direction d, std::optional<std::uint16_t> code, std::string_view reason) override {
        if (inspector_) inspector_->on_close(d, code, reason);
    }
    void on_violation(const proto::Error& e) override {
        if (inspector_) inspector_->on_violation(e);
    }

    [[nodiscard]] bool limit_reached() const { return limit_ != 0 && received_ >= limit_; }

private:
    // Only whole messages reach stdout: a message that arrives in pieces is gathered first
    // (bounded by --max-message-size), so a violation mid-message prints no fragment of it.
    void write(MessageType type, ByteView data, bool first, bool last) {
        if (first && last) {
            out_.append(data);
        } else {
            if (first) partial_.clear();
            partial_.insert(partial_.end(), data.begin(), data.end());
            if (!last) return;
            out_.append(partial_);
            partial_.clear();
            // Keep the buffer for the next message (no page faults per message), unless an
            // unusually large message made it big.
            if (partial_.capacity() > (16u << 20)) partial_.shrink_to_fit();
        }
        if (type == MessageType::text) out_.append('\n');
    }

    proto::Bytes partial_;
    Output& out_;
    std::uint64_t limit_;
    bool raw_;
    std::uint64_t received_ = 0;
    session::Observer* inspector_;
};

std::unique_ptr<crypto::MaskSource> make_masks(const ClientOptions& o) {
    if (o.mask_seed) return std::make_unique<crypto::SeededMaskSource>(*o.mask_seed);
    return std::make_unique<crypto::SecureMaskSource>();
}

class PipeMode {
public:
    PipeMode(net::Stream& stream, const ClientOptions& o, const std::optional<proto::DeflateParams>& deflate,
             Output& out, session::Observer* inspector)
        : o_(o),
          masks_(make_masks(o)),
          out_(out),
          writer_(out_, o.count, !o.out.jsonl, inspector),
          session_(stream, client_session_options(o, deflate), *masks_, writer_, time_),
          splitter_(o.framing, o.chunk) {}

    session::Failure run(ByteView leftover);
    [[nodiscard]] const session::SessionStats& stats() const { return session_.stats(); }

private:

    void send_record(ByteView record, std::uint64_t number);
    void read_stdin();
    void input_ended();
    void close_now();
    int poll_timeout() const;

    const ClientOptions& o_;
    session::SteadyTime time_;
    std::unique_ptr<crypto::MaskSource> masks_;
    Output& out_;
    MessageWriter writer_;
    session::Session session_;
    InputSplitter splitter_;
    // A read as large as a --chunk record (up to 4 MiB) lets whole records pass without a copy.
    proto::Bytes stdin_buf_ = proto::Bytes(std::clamp<std::size_t>(o_.chunk, 256 * 1024, 4u << 20));
    bool reading_stdin_ = true;
    std::optional<session::TimePoint> wait_deadline_;
    std::string input_error_;
};

void PipeMode::send_record(ByteView record, std::uint64_t number) {
    if (!input_error_.empty()) return;
    if (!o_.binary && !proto::is_valid_utf8(record)) {
        // Never send a malformed text frame (RFC 6455 §5.6): stop and say where.
        const char* unit = o_.framing == Framing::lines ? "line" : o_.framing == Framing::whole ? "input" : "record";
        input_error_ = o_.framing == Framing::whole
                           ? std::string("stdin is not valid UTF-8; not sent (use -b to send binary)")
                           : std::string("stdin ") + unit + " " + std::to_string(number) +
                                 " is not valid UTF-8; not sent (use -b to send binary)";
        reading_stdin_ = false;
        close_now();
        return;
    }
    session_.send_message(o_.binary ? MessageType::binary : MessageType::text, record);
}

void PipeMode::read_stdin() {
    const ssize_t n = ::read(STDIN_FILENO, stdin_buf_.data(), stdin_buf_.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    const auto sink = [this](ByteView r, std::uint64_t num) { send_record(r, num); };
    if (n <= 0) {
        reading_stdin_ = false;
        splitter_.finish(sink);
        input_ended();
    } else {
        splitter_.feed({stdin_buf_.data(), static_cast<std::size_t>(n)}, sink);
    }
    session_.pump();
}

// The input is over: close now, or after -w seconds, or when -n messages have arrived.
void PipeMode::input_ended() {
    if (!input_error_.empty()) return;
    if (o_.wait >= 0) {
        wait_deadline_ = time_.now() + session::seconds(o_.wait);
        return;
    }
    if (o_.count != 0 || o_.echo) return;
    close_now();
}

void PipeMode::close_now() {
    wait_deadline_.reset();
    session_.close(o_.close_code, o_.close_reason);
}

int PipeMode::poll_timeout() const {
    std::optional<session::TimePoint> t = session_.next_deadline();
    if (wait_deadline_ && (!t || *wait_deadline_ < *t)) t = wait_deadline_;
    if (!t) return -1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*t - time_.now()).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1 << 30));
}

session::Failure PipeMode::run(ByteView leftover) {
    session_.start(leftover);
    if (!o_.data.empty() || o_.echo) {
        for (const auto& d : o_.data)
            session_.send_message(o_.binary ? MessageType::binary : MessageType::text, proto::as_bytes(d));
        reading_stdin_ = false;
        session_.pump();
        input_ended();
    }
    bool closed_for_limit = false;
    while (!session_.finished()) {
        if (!out_.flush() && !session_.closing()) close_now();  // reader gone: wind down quietly
        if (writer_.limit_reached() && !closed_for_limit) {
            closed_for_limit = true;
            close_now();
        }
        pollfd fds[2]{{session_.fd(), session_.events(), 0}, {STDIN_FILENO, POLLIN, 0}};
        const bool want_stdin = reading_stdin_ && session_.accepting_input() && !session_.closing();
        const int timeout = session_.has_buffered() ? 0 : poll_timeout();
        const int n = ::poll(fds, want_stdin ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR) break;
        if (want_stdin && (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) read_stdin();
        if (fds[0].revents || session_.has_buffered()) session_.on_ready(fds[0].revents);
        session_.tick();
        if (wait_deadline_ && time_.now() >= *wait_deadline_) close_now();
    }
    out_.flush();
    if (!input_error_.empty()) return {session::Outcome::usage, input_error_};
    session::Failure f = session_.failure();
    if (out_.broken() && f.outcome != session::Outcome::protocol_violation) return {};
    return f;
}

}  // namespace

session::SessionOptions client_session_options(const ClientOptions& o,
                                               const std::optional<proto::DeflateParams>& deflate) {
    session::SessionOptions s;
    s.deflate = deflate;
    s.role = proto::Role::client;
    s.max_message = o.max_message;
    s.ping_interval = o.ping_interval;
    s.ping_timeout = o.ping_timeout;
    s.close_timeout = o.close_timeout;
    s.echo = o.echo;
    return s;
}

SessionEnd run_pipe_mode(net::Stream& stream, ByteView leftover, const ClientOptions& options,
                         const std::optional<proto::DeflateParams>& deflate, Output& out,
                         session::Observer* observer) {
    PipeMode mode(stream, options, deflate, out, observer);
    session::Failure f = mode.run(leftover);
    return {std::move(f), mode.stats()};
}

}  // namespace wscope::app
