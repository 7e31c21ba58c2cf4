// Connects, upgrades, and hands the connection to the front end that fits stdin.
#include "app/client.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "app/jsonl_printer.hpp"
#include "app/pipe_mode.hpp"
#include "app/recorder.hpp"
#include "app/redirect.hpp"
#include "app/repl.hpp"
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

std::chrono::microseconds since(session::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(session::Clock::now() - t);
}

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
    int finish(const SessionEnd& end);
    void trace(const std::string& line) { console_.trace(present::display_text(line)); }

    const ClientOptions& o_;
    Console& console_;
    std::unique_ptr<JsonlPrinter> jsonl_;
};

int Client::run() {
    auto url = net::parse_url(o_.url);
    if (!url) return fail(session::Outcome::usage, url.error().message);
    std::unique_ptr<Recorder> record;
    if (!o_.record.empty()) {
        record = std::make_unique<Recorder>(o_.record);
        if (!record->error().empty()) return fail(session::Outcome::usage, "--record " + record->error());
    }

    Timings timings;
    std::function<void(const std::string&)> head_trace;
    if (console_.verbose()) head_trace = [this](const std::string& line) { trace(line); };
    auto step_trace = [this](const std::string& line) { trace("* " + line); };

    for (int redirects = 0;; ++redirects) {
        auto t0 = session::Clock::now();
        net::ConnectPlan plan;
        plan.url = *url;
        plan.tcp.family = o_.family;
        plan.tcp.timeout = std::chrono::milliseconds(static_cast<long long>(o_.connect_timeout * 1000));
        plan.unix_socket = o_.unix_socket;
        plan.tls.insecure = o_.insecure;
        plan.tls.cacert = o_.cacert;
        plan.tls.capath = o_.capath;
        plan.tls.cert = o_.cert;
        plan.tls.key = o_.key;
        auto proxy = net::choose_proxy(*url, o_.proxy, o_.noproxy, net::process_env());
        if (!proxy) return fail(outcome_for(proxy.error().code), proxy.error().message);
        plan.proxy = *proxy;
        if (o_.insecure && url->tls) console_.warning("-k: the server's certificate is not verified");
        auto connected = net::connect(plan, step_trace);
        if (!connected) return fail(outcome_for(connected.error().code), connected.error().message);
        timings.connect = connected->transport_time;
        if (url->tls) timings.tls = connected->tls_time;
        net::Stream& stream = *connected->stream;

        t0 = session::Clock::now();
        const proto::ClientRequest request = make_request(o_, *url);
        const session::Duration hs_timeout = o_.connect_timeout > 0 ? session::seconds(o_.connect_timeout)
                                                                    : session::Duration(session::default_connect_timeout);
        proto::HttpHead response;
        auto hs = session::client_handshake(stream, request, hs_timeout, head_trace, &response);
        if (!hs) {
            const auto location = response.get("Location");
            if (!is_redirect(response.status) || !location)
                return fail(hs.error().outcome, hs.error().message);
            const std::string shown = present::display_text(*location);
            if (!o_.follow_redirects)
                return fail(hs.error().outcome, hs.error().message + " (Location: " + shown + "; use -L to follow)");
            if (redirects >= o_.max_redirects)
                return fail(hs.error().outcome, "handshake: stopped after " + std::to_string(redirects) +
                                                    " redirects (--max-redirs); the last pointed to " + shown);
            const auto next = redirect_target(*url, *location);
            auto parsed = next ? net::parse_url(*next) : net::parse_url(*location);
            if (!parsed)
                return fail(session::Outcome::handshake_rejected,
                            "handshake: cannot follow redirect: " + parsed.error().message);
            step_trace("following " + std::to_string(response.status) + " redirect to " + parsed->to_string());
            url = std::move(parsed);
            continue;
        }
        timings.handshake = since(t0);
        auto deflate = proto::deflate_accept_response(hs->agreed.extensions);
        if (!deflate) return fail(session::Outcome::handshake_rejected, "handshake: " + deflate.error().detail);
        if (*deflate) trace("* permessage-deflate agreed: " + hs->agreed.extensions);
        if (!hs->agreed.subprotocol.empty()) trace("* subprotocol: " + hs->agreed.subprotocol);
        if (jsonl_) jsonl_->open(url->to_string(), hs->response, hs->agreed.subprotocol, hs->agreed.extensions);
        if (record)
            record->open({url->to_string(), request_fields(proto::make_request(request)), &hs->response,
                          hs->agreed.subprotocol, hs->agreed.extensions, false});
        console_.flush();

        net::Loop loop;
        console_.attach(loop, false);
        const SessionEnd end =
            client_wants_repl(o_)
                ? run_repl(loop, console_, stream, hs->leftover, o_, *deflate, timings, url->to_string(), record.get())
                : run_pipe_mode(loop, console_, stream, hs->leftover, o_, *deflate, record.get());
        if (record && !record->flush()) console_.error("--record " + record->error());
        console_.detach();
        if (o_.out.stats) console_.diag_text(format_stats(&timings, end.stats, session::Clock::now(), console_.stamp()));
        return finish(end);
    }
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
