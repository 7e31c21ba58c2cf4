// Connects, upgrades, and hands the connection to the front end that fits stdin.
#include "app/client.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <csignal>
#include <optional>
#include <random>

#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "app/jsonl_printer.hpp"
#include "app/pipe_mode.hpp"
#include "app/reconnect.hpp"
#include "app/recorder.hpp"
#include "app/redirect.hpp"
#include "app/repl.hpp"
#include "app/slow_notice.hpp"
#include "app/stats_report.hpp"
#include "net/event_loop.hpp"
#include "present/describe.hpp"
#include "present/quoted_text.hpp"
#include "session/defaults.hpp"
#include "crypto/crypto.hpp"
#include "proto/deflate.hpp"
#include "net/connect.hpp"
#include "net/proxy.hpp"
#include "net/tcp.hpp"
#include "net/url.hpp"
#include "session/handshake_io.hpp"

namespace wscope::app {
namespace {

std::string_view kind_of(session::Outcome o) {
    switch (o) {
        case session::Outcome::normal: return "none";
        case session::Outcome::usage: return "usage";
        case session::Outcome::connect_failed: return "connect";
        case session::Outcome::tls_failed: return "tls";
        case session::Outcome::handshake_rejected: return "handshake";
        case session::Outcome::protocol_violation: return "protocol";
        case session::Outcome::connection_lost: return "connection_lost";
        case session::Outcome::peer_error_close: return "peer_close";
        case session::Outcome::timeout: return "timeout";
    }
    return "unknown";
}

session::Outcome outcome_for(net::NetErrc e) {
    switch (e) {
        case net::NetErrc::bad_url: return session::Outcome::usage;
        case net::NetErrc::tls_handshake:
        case net::NetErrc::tls_verify: return session::Outcome::tls_failed;
        default: return session::Outcome::connect_failed;
    }
}

proto::ClientRequest make_request(const ClientOptions& o, const net::Url& url) {
    proto::ClientRequest req;
    req.host = url.host_header();
    req.target = url.target;
    req.key = proto::make_key();
    req.origin = o.origin;
    req.subprotocols = o.subprotocols;
    req.user_agent = std::string("wscope/") + WSCOPE_VERSION;
    req.extra = o.headers;
    if (o.deflate) req.extensions.push_back(proto::deflate_client_offer());
    // curl's rule: -u wins over userinfo in the URL; an explicit -H Authorization wins over both.
    std::string credentials = o.user;
    if (credentials.empty() && url.has_userinfo) credentials = url.user + ":" + url.password;
    if (!credentials.empty()) {
        const bool explicit_auth = std::any_of(o.headers.begin(), o.headers.end(), [](const auto& h) {
            return proto::iequals(h.name, "Authorization");
        });
        if (!explicit_auth)
            req.extra.push_back({"Authorization", "Basic " + crypto::base64_encode(proto::as_bytes(credentials))});
    }
    return req;
}

// How long connecting may take before the REPL says it is connecting.
constexpr std::chrono::milliseconds slow_connect_notice{500};

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::chrono::microseconds since(session::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(session::Clock::now() - t);
}

// One try: connect (following redirects), upgrade, run the session. Nothing about its end is
// shown yet: the run decides whether it was the last.
struct Attempt {
    session::Failure failure;       // before a session: why the try failed
    std::optional<SessionEnd> end;  // when a session ran
    session::Duration open_for{};
    bool time_up = false;           // --max-time ended it

    [[nodiscard]] const session::Failure& outcome() const { return end ? end->failure : failure; }
};

class Client {
public:
    Client(const ClientOptions& o, Console& console) : o_(o), console_(console) {
        if (o.out.jsonl) jsonl_ = std::make_unique<JsonlPrinter>(console_, o.out.frames);
    }

    int run();

private:
    int fail(session::Outcome outcome, const std::string& message) {
        const int code = static_cast<int>(exit_code_for(outcome));
        console_.error(message);
        if (jsonl_) jsonl_->error(kind_of(outcome), message, code);
        console_.flush();
        return code;
    }
    static Attempt failed(session::Outcome outcome, std::string message) {
        Attempt a;
        a.failure = {outcome, std::move(message)};
        return a;
    }
    Attempt attempt(net::Url url, unsigned try_number);
    int finish(const Attempt& a);
    int finish(const SessionEnd& end);
    [[nodiscard]] AttemptEnd summary(const Attempt& a) const;
    void announce(const Attempt& a, const Reconnector& r, session::Duration delay);
    int wait(session::Duration delay);
    // The time left before --max-time, or nullopt without it.
    [[nodiscard]] std::optional<session::Duration> left() const {
        if (!deadline_) return std::nullopt;
        return std::max(session::Duration::zero(), *deadline_ - session::Clock::now());
    }
    // A step's timeout (0: none) bounded by the time left.
    [[nodiscard]] session::Duration bounded(session::Duration timeout) const {
        const auto l = left();
        if (!l) return timeout;
        const session::Duration at_least = std::chrono::milliseconds(1);
        if (timeout == session::Duration::zero() || timeout > *l) return std::max(*l, at_least);
        return timeout;
    }
    void trace(const std::string& line) { console_.trace(present::display_text(line)); }

    const ClientOptions& o_;
    Console& console_;
    std::unique_ptr<JsonlPrinter> jsonl_;
    std::unique_ptr<Recorder> record_;  // --record: every session of the run, one file
    std::optional<session::TimePoint> deadline_;
};

int Client::run() {
    auto url = net::parse_url(o_.url);
    if (!url) return fail(session::Outcome::usage, url.error().message);
    if (o_.max_time > 0) deadline_ = session::Clock::now() + session::seconds(o_.max_time);
    if (o_.insecure && url->tls) console_.warning("-k: the server's certificate is not verified");
    // http:// and https:// are read as ws:// and wss:// (as a browser's WebSocket does): say so.
    for (const std::string_view scheme : {"http://", "https://"})
        if (o_.url.size() > scheme.size() && proto::iequals(std::string_view(o_.url).substr(0, scheme.size()), scheme))
            console_.note(std::string(scheme) + " read as " + (url->tls ? "wss://" : "ws://"));
    if (!o_.record.empty()) {
        record_ = std::make_unique<Recorder>(o_.record);
        if (!record_->error().empty()) return fail(session::Outcome::usage, "--record " + record_->error());
    }

    Reconnector reconnector(o_.reconnect, o_.mask_seed ? *o_.mask_seed : std::random_device{}());
    for (unsigned try_number = 0;;) {
        const Attempt a = attempt(*url, try_number);
        if (a.time_up || console_.out_broken() || !console_.write_error().empty()) return finish(a);
        const auto delay = reconnector.next(summary(a));
        if (!delay) return finish(a);
        announce(a, reconnector, *delay);
        const auto l = left();
        if (const int signo = wait(l ? std::min(*delay, *l) : *delay); signo != 0) {
            console_.note(std::string("interrupted by ") + signal_name(signo) + " while waiting to reconnect");
            console_.flush();
            return exit_code_for_signal(signo);
        }
        if (l && *l <= *delay) {
            const auto f = max_time_failure(o_.max_time);
            return fail(f.outcome, f.message + " (while waiting to reconnect)");
        }
        try_number = reconnector.tries();
    }
}

Attempt Client::attempt(net::Url url, unsigned try_number) {
    Timings timings;
    std::function<void(const std::string&)> head_trace;
    if (console_.verbose()) head_trace = [this](const std::string& line) { trace(line); };
    auto step_trace = [this](const std::string& line) { trace("* " + line); };
    // A step that failed because --max-time cut it short ends the run with exit 7.
    auto cut_short = [this](Attempt a) {
        if (const auto l = left(); l && *l < std::chrono::milliseconds(50)) {
            const auto f = max_time_failure(o_.max_time);
            a.failure = {f.outcome, f.message + " (while connecting)"};
            a.time_up = true;
        }
        return a;
    };

    for (int redirects = 0;; ++redirects) {
        auto t0 = session::Clock::now();
        net::ConnectPlan plan;
        plan.url = url;
        plan.tcp.family = o_.family;
        plan.tcp.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
            bounded(session::seconds(o_.connect_timeout)));
        plan.unix_socket = o_.unix_socket;
        plan.tls.insecure = o_.insecure;
        plan.tls.cacert = o_.cacert;
        plan.tls.capath = o_.capath;
        plan.tls.cert = o_.cert;
        plan.tls.key = o_.key;
        auto proxy = net::choose_proxy(url, o_.proxy, o_.noproxy, net::process_env());
        if (!proxy) return failed(outcome_for(proxy.error().code), proxy.error().message);
        plan.proxy = *proxy;
        // In the REPL, say so when connecting takes a while (-v shows every step instead). The
        // notice's thread has the Console only while this one is blocked below.
        std::optional<SlowNotice> slow;
        if (client_wants_repl(o_) && !console_.verbose())
            slow.emplace(slow_connect_notice, [this, &url] {
                console_.note("connecting to " + present::display_text(url.to_string()) + "...");
                console_.flush();
            });
        auto connected = net::connect(plan, step_trace);
        if (!connected) {
            slow.reset();
            return cut_short(failed(outcome_for(connected.error().code), connected.error().message));
        }
        timings.connect = connected->transport_time;
        if (url.tls) timings.tls = connected->tls_time;
        net::Stream& stream = *connected->stream;

        t0 = session::Clock::now();
        const proto::ClientRequest request = make_request(o_, url);
        const session::Duration hs_timeout = o_.connect_timeout > 0 ? session::seconds(o_.connect_timeout)
                                                                    : session::Duration(session::default_connect_timeout);
        proto::HttpHead response;
        auto hs = session::client_handshake(stream, request, bounded(hs_timeout), head_trace, &response);
        slow.reset();
        if (!hs) {
            const auto location = response.get("Location");
            if (!is_redirect(response.status) || !location)
                return cut_short(failed(hs.error().outcome, hs.error().message));
            const std::string shown = present::display_text(*location);
            if (!o_.follow_redirects)
                return failed(hs.error().outcome, hs.error().message + " (Location: " + shown + "; use -L to follow)");
            if (redirects >= o_.max_redirects)
                return failed(hs.error().outcome, "handshake: stopped after " + std::to_string(redirects) +
                                                      " redirects (--max-redirs); the last pointed to " + shown);
            const auto next = redirect_target(url, *location);
            auto parsed = next ? net::parse_url(*next) : net::parse_url(*location);
            if (!parsed)
                return failed(session::Outcome::handshake_rejected,
                              "handshake: cannot follow redirect: " + parsed.error().message);
            step_trace("following " + std::to_string(response.status) + " redirect to " + parsed->to_string());
            url = std::move(*parsed);
            continue;
        }
        timings.handshake = since(t0);
        auto deflate = proto::deflate_accept_response(hs->agreed.extensions);
        if (!deflate) return failed(session::Outcome::handshake_rejected, "handshake: " + deflate.error().detail);
        if (*deflate) trace("* permessage-deflate agreed: " + hs->agreed.extensions);
        if (!hs->agreed.subprotocol.empty()) trace("* subprotocol: " + hs->agreed.subprotocol);
        const bool repl = client_wants_repl(o_);
        if (try_number > 0 && !repl) trace("* reconnected (try " + std::to_string(try_number) + ")");
        if (const auto offered = proto::offered_subprotocols(request);
            hs->agreed.subprotocol.empty() && !offered.empty())
            trace("* the server selected none of the offered subprotocols (" + join_names(offered) + ")");
        if (jsonl_) jsonl_->open(url.to_string(), hs->response, hs->agreed.subprotocol, hs->agreed.extensions);
        if (record_)
            record_->open({url.to_string(), request_fields(proto::make_request(request)), &hs->response,
                           hs->agreed.subprotocol, hs->agreed.extensions, false});
        console_.flush();

        const SessionContext context{deadline_, o_.max_time, try_number};
        const auto opened = session::Clock::now();
        net::Loop loop;
        console_.attach(loop, false);
        Attempt a;
        a.end = repl ? run_repl(loop, console_, stream, hs->leftover, o_, *deflate, timings, url.to_string(), context,
                                record_.get())
                     : run_pipe_mode(loop, console_, stream, hs->leftover, o_, *deflate, context, record_.get());
        if (record_ && !record_->flush()) console_.error("--record " + record_->error());
        console_.detach();
        a.open_for = session::Clock::now() - opened;
        a.time_up = deadline_ && session::Clock::now() >= *deadline_;
        if (o_.out.stats) console_.diag_text(format_stats(&timings, a.end->stats, session::Clock::now(), console_.stamp()));
        return a;
    }
}

AttemptEnd Client::summary(const Attempt& a) const {
    AttemptEnd e;
    e.outcome = a.outcome().outcome;
    if (!a.end) return e;
    e.opened = true;
    e.open_for = a.open_for;
    e.we_closed = a.end->we_closed;
    e.peer_closed = a.end->stats.peer_closed_first;
    e.peer_code = a.end->stats.close_received.value_or(0);
    e.signalled = a.end->signal != 0;
    return e;
}

// -v, --jsonl and the REPL say why and when the next try comes.
void Client::announce(const Attempt& a, const Reconnector& r, session::Duration delay) {
    const session::Failure& f = a.outcome();
    std::string why = f.message;
    if (f.outcome == session::Outcome::normal)
        why = "the server closed: " + present::close_text(a.end ? a.end->stats.close_received : std::nullopt);
    if (a.end && f.outcome == session::Outcome::peer_error_close && !a.end->peer_reason.empty())
        why += " " + present::quoted(a.end->peer_reason, proto::max_close_reason);
    const unsigned max = r.policy().max_tries;
    const std::string when = "reconnecting in " + present::seconds_text(delay) + " (try " +
                             std::to_string(r.tries()) + (max ? " of " + std::to_string(max) : "") + ")";
    if (jsonl_)
        jsonl_->reconnect(r.tries(), max,
                          std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
                          kind_of(f.outcome), why);
    if (client_wants_repl(o_))
        console_.show_text("* " + present::display_text(why) + "; " + when + "\n");
    else
        trace("* " + why + "; " + when);
    console_.flush();
}

// Sleeps before the next try; a signal cuts it short (its number, else 0).
int Client::wait(session::Duration delay) {
    net::Loop loop;
    int signo = 0;
    loop.on_signals({SIGINT, SIGTERM, SIGHUP}, [&](int s) {
        signo = s;
        loop.stop();
    });
    loop.at(session::Clock::now() + delay, [&] { loop.stop(); });
    loop.run();
    return signo;
}

int Client::finish(const Attempt& a) {
    if (a.end) return finish(*a.end);
    if (!console_.write_error().empty()) return fail(session::Outcome::usage, console_.write_error());
    return fail(a.failure.outcome, a.failure.message);
}

// The exit status and its one line (SPEC §2.5).
int Client::finish(const SessionEnd& end) {
    if (!console_.write_error().empty()) return fail(session::Outcome::usage, console_.write_error());
    if (end.signal != 0) {
        console_.note(std::string("interrupted by ") + signal_name(end.signal) + ": sent close 1001");
        console_.flush();
        return exit_code_for_signal(end.signal);
    }
    if (end.failure.outcome == session::Outcome::normal) {
        console_.flush();
        return 0;
    }
    std::string message = end.failure.message;
    if (end.failure.outcome == session::Outcome::peer_error_close && !end.peer_reason.empty())
        message += " " + present::quoted(end.peer_reason, proto::max_close_reason);
    return fail(end.failure.outcome, message);
}

}  // namespace

int run_client(const ClientOptions& options, Console& console) {
    Client client(options, console);
    return client.run();
}

}  // namespace wscope::app
