// Connects, upgrades, and hands the connection to the front end that fits stdin.
#include "app/client.hpp"

#include <chrono>
#include <memory>

#include "app/exit_code.hpp"
#include "app/inspector.hpp"
#include "app/pipe_mode.hpp"
#include "app/reporter.hpp"
#include "crypto/crypto.hpp"
#include "net/tcp.hpp"
#include "net/url.hpp"
#include "session/handshake_io.hpp"

namespace wscope::app {
namespace {

// Without --connect-timeout, the handshake still may not hang forever.
constexpr double default_handshake_timeout = 30;

int fail(const Reporter& report, session::Outcome outcome, const std::string& message) {
    report.error(message);
    return static_cast<int>(exit_code_for(outcome));
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

}  // namespace

int run_client(const ClientOptions& o) {
    const Reporter report(o.out.verbose, o.out.quiet);
    auto url = net::parse_url(o.url);
    if (!url) return fail(report, session::Outcome::usage, url.error().message);
    if (url->tls)
        return fail(report, session::Outcome::usage,
                    "wss:// URLs need TLS, which this build of wscope does not have yet");

    net::ConnectOptions copts;
    copts.family = o.family;
    copts.timeout = std::chrono::milliseconds(static_cast<long long>(o.connect_timeout * 1000));
    if (report.verbose()) copts.trace = [&](const std::string& line) { report.trace("* " + line); };
    auto stream = net::connect_tcp(url->host, url->port, copts);
    if (!stream) return fail(report, outcome_for(stream.error().code), stream.error().message);

    const proto::ClientRequest request = make_request(o, *url);
    const double hs_timeout = o.connect_timeout > 0 ? o.connect_timeout : default_handshake_timeout;
    std::function<void(const std::string&)> trace;
    if (report.verbose()) trace = [&](const std::string& line) { report.trace(line); };
    auto hs = session::client_handshake(**stream, request, session::seconds(hs_timeout), trace);
    if (!hs) return fail(report, hs.error().outcome, hs.error().message);
    if (report.verbose()) {
        if (!hs->agreed.subprotocol.empty()) report.trace("* subprotocol: " + hs->agreed.subprotocol);
        report.trace("* connected to " + url->to_string());
    }

    Inspector inspector(o.out);
    const session::Failure end = run_pipe_mode(**stream, hs->leftover, o, report, &inspector);
    if (end.outcome != session::Outcome::normal) return fail(report, end.outcome, end.message);
    return 0;
}

}  // namespace wscope::app
