// The replaying client (replay_mode.hpp), on the event loop and a LiveSession, as pipe mode.
//
// The steps are walked in order. A server step waits until a message has arrived (or
// --timeout passes); a client step waits for its recorded gap after the step before it (÷
// --speed; none with --no-wait), measured from when that step happened here, then is sent.
// Recorded closes are not replayed as such: at the end we close with 1000 and wait for the
// server's Close. Every message received goes to stdout, as pipe mode writes it.
#include "app/replay_mode.hpp"

#include <unistd.h>

#include <csignal>
#include <deque>
#include <memory>

#include "app/cli.hpp"
#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "app/live_session.hpp"
#include "app/replay_diff.hpp"
#include "app/tsung_export.hpp"
#include "crypto/crypto.hpp"
#include "net/connect.hpp"
#include "net/url.hpp"
#include "present/describe.hpp"
#include "present/quoted_text.hpp"
#include "proto/deflate.hpp"
#include "proto/handshake.hpp"
#include "session/handshake_io.hpp"

namespace wscope::app {
namespace {

using namespace std::chrono_literals;

// Request headers the handshake makes anew rather than replays.
bool made_anew(std::string_view name) {
    for (std::string_view n : {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                               "sec-websocket-protocol", "sec-websocket-extensions", "origin", "user-agent",
                               "content-length", "transfer-encoding"})
        if (proto::iequals(name, n)) return true;
    return false;
}

proto::ClientRequest replay_request(const Transcript& t, const net::Url& url) {
    proto::ClientRequest req;
    req.host = url.host_header();
    req.target = url.target;
    req.key = proto::make_key();
    req.user_agent = std::string("wscope/") + WSCOPE_VERSION;
    for (const auto& h : t.request_headers) {
        if (proto::iequals(h.name, "origin")) req.origin = h.value;
        else if (proto::iequals(h.name, "user-agent")) req.user_agent = h.value;
        else if (!made_anew(h.name)) req.extra.push_back(h);
    }
    if (!t.subprotocol.empty()) req.subprotocols.push_back(t.subprotocol);
    if (t.extensions.find("permessage-deflate") != std::string::npos) req.extensions.push_back(proto::deflate_client_offer());
    return req;
}

std::string ordinal_step(std::size_t index) { return "message " + std::to_string(index + 1); }

class Replayer final : public session::Observer {
public:
    Replayer(net::Loop& loop, Console& console, const ReplayOptions& o, const Transcript& t, const IgnoreRules& ignore)
        : loop_(loop), console_(console), o_(o), steps_(t.steps), ignore_(ignore) {}

    void bind(LiveSession& live) { live_ = &live; }
    void start() {
        last_here_ = session::Clock::now();
        advance();
    }
    [[nodiscard]] bool differed() const { return differed_; }
    [[nodiscard]] bool timed_out() const { return timed_out_; }

    void on_event(const session::SessionEvent& event) override {
        const auto* m = std::get_if<session::MessageEvent>(&event);
        if (!m || m->dir != session::Direction::in) return;
        if (m->first) partial_.clear();
        partial_.insert(partial_.end(), m->data.begin(), m->data.end());
        if (!m->last) return;
        console_.data(partial_);
        if (m->type == proto::MessageType::text) console_.data(std::string_view("\n"));
        received_.push_back({m->type, std::move(partial_)});
        partial_ = {};
        // Compared and answered from the loop, not from inside the session's report.
        if (!kick_) kick_ = loop_.at(session::Clock::now(), [this] {
            kick_.reset();
            advance();
        });
    }

    // The session ended before the steps did.
    void session_ended() {
        if (kick_) loop_.cancel(*kick_);
        kick_.reset();
        advance();  // what arrived with the end is compared still
        cancel_timer();
        if (done_ || differed_) return;
        while (pos_ < steps_.size() && steps_[pos_].kind == StepKind::close) ++pos_;
        if (pos_ >= steps_.size()) return;
        if (o_.expect && steps_[pos_].from == Sender::server) return differ(steps_[pos_], std::nullopt, "did not arrive: the connection ended");
    }

private:
    void cancel_timer() {
        if (timer_) loop_.cancel(*timer_);
        timer_.reset();
    }

    void advance() {
        session::Session& s = live_->session();
        while (!done_ && !differed_) {
            if (pos_ >= steps_.size()) return finish();
            const TranscriptStep& step = steps_[pos_];
            if (step.kind == StepKind::close) {
                ++pos_;
                continue;
            }
            if (step.from == Sender::server) {
                if (received_.empty()) {
                    if (s.finished()) return;
                    if (!timer_) timer_ = loop_.at(session::Clock::now() + session::seconds(o_.timeout), [this] { reply_timeout(); });
                    return;
                }
                cancel_timer();
                ReceivedMessage got = std::move(received_.front());
                received_.pop_front();
                if (o_.expect && !same_message(step, got, ignore_.patterns)) return differ(step, got, "differs");
                passed(step);
                continue;
            }
            // A client step: every reply recorded before it has arrived (replies to it that
            // came sooner than in the recording wait in received_ for their steps).
            if (s.closing() || s.finished()) return;
            const auto now = session::Clock::now();
            if (!o_.no_wait) {
                const auto gap = std::chrono::duration_cast<session::Duration>((step.at - last_recorded_) / o_.speed);
                const auto due = last_here_ + std::max(session::Duration::zero(), gap);
                if (now < due) {
                    if (!timer_) timer_ = loop_.at(due, [this] {
                        timer_.reset();
                        advance();
                    });
                    return;
                }
            }
            cancel_timer();
            s.send_message(step.kind == StepKind::text ? proto::MessageType::text : proto::MessageType::binary, step.data);
            passed(step);
            live_->update();
        }
    }

    void passed(const TranscriptStep& step) {
        ++pos_;
        last_here_ = session::Clock::now();
        last_recorded_ = step.at;
    }

    void reply_timeout() {
        timer_.reset();
        if (pos_ >= steps_.size()) return;
        if (o_.expect) return differ(steps_[pos_], std::nullopt, "did not arrive within " + present::seconds_text(session::seconds(o_.timeout)));
        console_.warning("replay: " + ordinal_step(pos_) + " (from the server) did not arrive within " +
                         present::seconds_text(session::seconds(o_.timeout)) + "; going on");
        timed_out_ = true;
        passed(steps_[pos_]);
        advance();
    }

    void differ(const TranscriptStep& expected, std::optional<ReceivedMessage> got, const std::string& what) {
        differed_ = true;
        cancel_timer();
        console_.error("replay: " + ordinal_step(pos_) + " (from the server) " + what);
        console_.diag_text(describe_difference(expected, got));
        end_session();
    }

    void finish() {
        done_ = true;
        cancel_timer();
        if (o_.expect && !received_.empty()) {
            differed_ = true;
            console_.error("replay: the server sent a message after the last recorded one (message " +
                           std::to_string(steps_.size()) + ")");
            console_.diag_text(describe_unexpected(received_.front()));
        }
        end_session();
    }

    void end_session() {
        session::Session& s = live_->session();
        if (s.finished()) return;
        if (!s.closing()) s.close(proto::CloseCode::normal, {});
        live_->update();
    }

    net::Loop& loop_;
    Console& console_;
    const ReplayOptions& o_;
    const std::vector<TranscriptStep>& steps_;
    const IgnoreRules& ignore_;
    LiveSession* live_ = nullptr;
    std::size_t pos_ = 0;
    std::deque<ReceivedMessage> received_;
    proto::Bytes partial_;
    std::optional<net::Loop::TimerId> timer_, kick_;
    session::TimePoint last_here_{};
    std::chrono::microseconds last_recorded_{0};
    bool done_ = false;
    bool differed_ = false;
    bool timed_out_ = false;
};

int usage(Console& console, const std::string& message) {
    console.error(message);
    console.flush();
    return static_cast<int>(ExitCode::usage);
}

int failed(Console& console, session::Outcome outcome, const std::string& message) {
    console.error(message);
    console.flush();
    return static_cast<int>(exit_code_for(outcome));
}

}  // namespace

int run_replay(const ReplayOptions& o) {
    OutputOptions out;
    out.quiet = o.quiet;
    out.stdout_tty = ::isatty(STDOUT_FILENO) != 0;
    out.stderr_tty = ::isatty(STDERR_FILENO) != 0;
    Console console(console_setup(out));
    TranscriptLoad load = load_transcript(o.file, o.entry);
    if (!load.transcript) return usage(console, o.file + ": " + load.error);
    const Transcript& t = *load.transcript;
    const std::string url_text = o.url.empty() ? t.url : o.url;
    if (!o.export_format.empty()) {
        auto exported = export_tsung(t, url_text);
        if (!exported.error.empty()) return usage(console, "--export tsung: " + exported.error);
        console.data(exported.text);
        return console.flush() && console.write_error().empty() ? 0 : static_cast<int>(ExitCode::usage);
    }
    if (url_text.empty()) return usage(console, o.file + " records no URL: give one (wscope replay FILE URL)");
    auto url = net::parse_url(url_text);
    if (!url) return usage(console, url.error().message);
    const IgnoreRules ignore = compile_ignores(o.ignore);
    if (!ignore.error.empty()) return usage(console, ignore.error);

    net::ConnectPlan plan;
    plan.url = *url;
    plan.tcp.timeout = std::chrono::milliseconds(static_cast<long long>(o.connect_timeout * 1000));
    plan.tls.insecure = o.insecure;
    plan.tls.cacert = o.cacert;
    auto connected = net::connect(plan, {});
    if (!connected)
        return failed(console, connected.error().code == net::NetErrc::tls_handshake || connected.error().code == net::NetErrc::tls_verify
                                   ? session::Outcome::tls_failed : session::Outcome::connect_failed,
                      connected.error().message);
    net::Stream& stream = *connected->stream;
    const proto::ClientRequest request = replay_request(t, *url);
    auto hs = session::client_handshake(stream, request, session::seconds(o.connect_timeout), {});
    if (!hs) return failed(console, hs.error().outcome, hs.error().message);
    auto deflate = proto::deflate_accept_response(hs->agreed.extensions);
    if (!deflate) return failed(console, session::Outcome::handshake_rejected, "handshake: " + deflate.error().detail);

    net::Loop loop;
    console.attach(loop, false);
    session::SessionOptions so;
    so.role = proto::Role::client;
    so.deflate = *deflate;
    auto masks = make_masks(std::nullopt);
    LiveSession live(loop, console, stream, so, *masks, LiveSessionSetup{&out, {}, 0, nullptr});
    Replayer replayer(loop, console, o, t, ignore);
    replayer.bind(live);
    live.observe(replayer);
    int signal = 0;
    loop.on_signals({SIGINT, SIGTERM, SIGHUP}, [&](int s) {
        signal = s;
        live.session().abort(session::Outcome::normal, {});
        live.update();
    });
    live.start(hs->leftover, [&] {
        replayer.session_ended();
        loop.stop();
    });
    replayer.start();
    if (!live.session().finished()) loop.run();
    console.detach();
    console.flush();
    if (signal != 0) return exit_code_for_signal(signal);
    if (replayer.differed()) return static_cast<int>(ExitCode::check);
    const session::Failure& f = live.session().failure();
    if (f.outcome != session::Outcome::normal) return failed(console, f.outcome, f.message);
    return 0;
}

}  // namespace wscope::app
