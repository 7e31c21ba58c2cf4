// Connects, upgrades, and hands the connection to the front end that fits stdin.
#include "app/client.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "app/exit_code.hpp"
#include "app/inspector.hpp"
#include "app/jsonl_printer.hpp"
#include "app/output.hpp"
#include "app/pipe_mode.hpp"
#include "app/repl.hpp"
#include "app/reporter.hpp"
#include "app/stats_report.hpp"
#include "crypto/crypto.hpp"
#include "proto/deflate.hpp"
#include "net/connect.hpp"
#include "net/proxy.hpp"
#include "net/tcp.hpp"
#include "net/url.hpp"
#include "session/handshake_io.hpp"

namespace wscope::app {
namespace {

// Without --connect-timeout, the handshake still may not hang forever.
constexpr double default_handshake_timeout = 30;

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
    explicit Client(const ClientOptions& o)
        : o_(o), report_(o.out.verbose, o.out.quiet), out_(STDOUT_FILENO), inspector_(o.out) {
        if (o.out.jsonl) jsonl_ = std::make_unique<JsonlPrinter>(out_, o.out.frames);
    }

    int run();

private:
    int fail(session::Outcome outcome, const std::string& message) {
        const int code = static_cast<int>(exit_code_for(outcome));
        report_.error(message);
        if (jsonl_) {
            jsonl_->error(kind_of(outcome), message, code);
            out_.flush();
        }
        return code;
    }

    const ClientOptions& o_;
    Reporter report_;
    Output out_;
    Inspector inspector_;
    std::unique_ptr<JsonlPrinter> jsonl_;
};

// The next URL after a 3xx: absolute (ws, wss, http, https), scheme-relative, or a path.
std::optional<std::string> redirect_target(const net::Url& from, std::string_view location) {
    const auto colon = location.find("://");
    if (colon != std::string_view::npos) return std::string(location);
    const std::string scheme = from.tls ? "wss:" : "ws:";
    if (location.substr(0, 2) == "//") return scheme + std::string(location);
    const std::string origin = scheme + "//" + from.host_header();
    if (!location.empty() && location.front() == '/') return origin + std::string(location);
    std::string base = from.target.substr(0, from.target.find('?'));
    base = base.substr(0, base.rfind('/') + 1);
    return origin + base + std::string(location);
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int Client::run() {
    auto url = net::parse_url(o_.url);
    if (!url) return fail(session::Outcome::usage, url.error().message);

    Timings timings;
    std::function<void(const std::string&)> trace;
    if (report_.verbose()) trace = [&](const std::string& line) { report_.trace(line); };
    auto step_trace = [&](const std::string& line) {
        if (report_.verbose()) report_.trace("* " + line);
    };

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
        if (o_.insecure && url->tls) report_.warning("-k: the server's certificate is not verified");
        auto connected = net::connect(plan, step_trace);
        if (!connected) return fail(outcome_for(connected.error().code), connected.error().message);
        timings.connect = connected->transport_time;
        if (url->tls) timings.tls = connected->tls_time;
        net::Stream& stream = *connected->stream;

        t0 = session::Clock::now();
        const proto::ClientRequest request = make_request(o_, *url);
        const double hs_timeout = o_.connect_timeout > 0 ? o_.connect_timeout : default_handshake_timeout;
        proto::HttpHead response;
        auto hs = session::client_handshake(stream, request, session::seconds(hs_timeout), trace, &response);
        if (!hs) {
            const auto location = response.get("Location");
            if (!is_redirect(response.status) || !location)
                return fail(hs.error().outcome, hs.error().message);
            if (!o_.follow_redirects)
                return fail(hs.error().outcome, hs.error().message + " (Location: " + *location + "; use -L to follow)");
            if (redirects >= o_.max_redirects)
                return fail(hs.error().outcome, "handshake: stopped after " + std::to_string(redirects) +
                                                    " redirects (--max-redirs); the last pointed to " + *location);
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
        if (report_.verbose() && *deflate) report_.trace("* permessage-deflate agreed: " + hs->agreed.extensions);
        if (report_.verbose() && !hs->agreed.subprotocol.empty())
            report_.trace("* subprotocol: " + hs->agreed.subprotocol);
        if (jsonl_) jsonl_->open(url->to_string(), hs->response, hs->agreed.subprotocol, hs->agreed.extensions);

        session::Observer* observer = jsonl_ ? static_cast<session::Observer*>(jsonl_.get()) : &inspector_;
        const SessionEnd end = client_wants_repl(o_)
                                   ? run_repl(stream, hs->leftover, o_, *deflate, observer, timings)
                                   : run_pipe_mode(stream, hs->leftover, o_, *deflate, out_, observer);
        if (o_.out.stats) report_.raw(format_stats(&timings, end.stats, session::Clock::now()));
        if (end.failure.outcome != session::Outcome::normal) return fail(end.failure.outcome, end.failure.message);
        out_.flush();
        return 0;
    }
}

}  // namespace

int run_client(const ClientOptions& options) {
    Client client(options);
    return client.run();
}

}  // namespace wscope::app
