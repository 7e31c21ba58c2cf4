// connect() through real SOCKS5 servers on loopback: microsocks with and without -u/-P, and
// Dante's danted with no authentication, with "username" (which can only refuse here: it
// checks the system's accounts) and with a block rule; ws:// and wss:// (TLS over the
// tunnel), socks5:// and socks5h://. Also an HTTP proxy given as SOCKS5, and a SOCKS5 proxy
// that is not there.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "net/connect.hpp"
#include "net/net_peers.hpp"
#include "net/socks_peers.hpp"

namespace {

using namespace wscope::net;
using namespace wscope::net::testing;

struct Trace {
    std::vector<std::string> lines;
    TraceFn fn() {
        return [this](const std::string& line) { lines.push_back(line); };
    }
    [[nodiscard]] bool has(const std::string& line) const {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    }
    [[nodiscard]] std::string all() const {
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
    }
};

std::string error_of(const NetResult<Connected>& r) {
    return r.ok() ? std::string() : r.error().message;
}

ConnectPlan plan_via(const std::string& url, const std::string& proxy) {
    auto u = parse_url(url);
    REQUIRE(u.ok());
    auto p = parse_proxy_url(proxy);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    ConnectPlan plan;
    plan.url = u.value();
    plan.tcp.timeout = step_limit;
    plan.proxy = p.value();
    plan.tls.cacert = certs().pem("ca");
    return plan;
}

std::string port_text(std::uint16_t port) {
    return std::to_string(port);
}

// A ws:// echo through the proxy URL; returns the error text, or "" when the echo came back.
std::string ws_echo(const std::string& proxy, const std::string& host = "127.0.0.1") {
    TcpEchoServer target;
    Trace trace;
    auto c =
        connect(plan_via("ws://" + host + ":" + port_text(target.port()) + "/", proxy), trace.fn());
    if (!c) return c.error().message + "\n" + trace.all();
    if (c->tls) return "TLS on a ws:// URL";
    const std::string got = echo_roundtrip(*c->stream, "ws via " + proxy);
    return got == "ws via " + proxy ? "" : "echo: \"" + got + "\"";
}

// The same for wss://: TLS with certificate verification over the tunnel.
std::string wss_echo(const std::string& proxy) {
    TlsServerOptions so;
    so.cert = certs().pem("server");
    so.key = certs().key("server");
    TlsEchoServer target(so);
    auto c = connect(plan_via("wss://127.0.0.1:" + port_text(target.port()) + "/", proxy), {});
    if (!c) return c.error().message;
    if (!c->tls || !c->tls->verified) return "TLS not verified";
    const std::string got = echo_roundtrip(*c->stream, "wss via " + proxy);
    c->stream->shutdown_write();
    if (got != "wss via " + proxy) return "echo: \"" + got + "\"";
    return target.done().received == got ? "" : "the server saw something else";
}

// The message for a CONNECT through the proxy URL that must fail.
std::string failure(const std::string& url, const std::string& proxy, NetErrc code) {
    auto c = connect(plan_via(url, proxy), {});
    if (c) return "<connected>";
    CHECK(c.error().code == code);
    return c.error().message;
}

// A loopback port with nothing listening on it.
std::uint16_t closed_port() {
    auto l = listen_tcp("127.0.0.1", 0);
    REQUIRE(l.ok());
    return l.value()->port();  // closed when the listener goes
}

bool available(bool yes, const char* binary) {
    if (!yes) {
        MESSAGE("SKIPPED: " << binary << " is not installed; the tests against it did not run "
                            << "(scripts/deps installs it)");
    }
    return yes;
}

}  // namespace

TEST_CASE("socks5 peers: microsocks without authentication") {
    if (!available(Microsocks::available(), Microsocks::binary)) return;
    Microsocks proxy;
    for (const char* scheme : {"socks5", "socks5h"}) {
        CAPTURE(scheme);
        CHECK(ws_echo(proxy.url(scheme)) == "");
        CHECK(wss_echo(proxy.url(scheme)) == "");
    }
    // socks5h: the name goes to microsocks, which resolves it.
    CHECK(ws_echo(proxy.url("socks5h"), "localhost") == "");
    const std::uint16_t port = closed_port();
    CHECK(failure("ws://127.0.0.1:" + port_text(port) + "/", proxy.url("socks5"), NetErrc::proxy) ==
          "SOCKS5 proxy 127.0.0.1:" + port_text(proxy.port()) + " could not connect to 127.0.0.1:" +
              port_text(port) + ": connection refused (reply 0x05)");
}

TEST_CASE("socks5 peers: microsocks with -u/-P (RFC 1929)") {
    if (!available(Microsocks::available(), Microsocks::binary)) return;
    Microsocks proxy(std::make_pair(std::string("alice"), std::string("p@ss:w rd")));
    const std::string name = "SOCKS5 proxy 127.0.0.1:" + port_text(proxy.port());
    // The password percent-encoded in the URL, decoded before it is sent.
    const std::string good = "alice:p%40ss%3Aw%20rd@";
    CHECK(ws_echo(proxy.url("socks5h", good)) == "");
    CHECK(wss_echo(proxy.url("socks5", good)) == "");
    {
        TcpEchoServer target;
        Trace trace;
        auto c = connect(
            plan_via("ws://127.0.0.1:" + port_text(target.port()) + "/", proxy.url("socks5", good)),
            trace.fn());
        REQUIRE_MESSAGE(c.ok(), error_of(c));
        CHECK_MESSAGE(trace.has("SOCKS5 user name and password accepted"), trace.all());
    }
    CHECK(failure("ws://127.0.0.1:9/", proxy.url("socks5", "alice:wrong@"), NetErrc::proxy) ==
          name + " rejected the user name and password (user \"alice\")");
    CHECK(failure("ws://127.0.0.1:9/", proxy.url("socks5"), NetErrc::proxy) ==
          name + " requires authentication: give user:password@ in the proxy URL");
}

TEST_CASE("socks5 peers: Dante") {
    if (!available(Dante::available(), Dante::binary)) return;
    SUBCASE("no authentication; a blocked port") {
        const std::uint16_t blocked = closed_port();
        Dante proxy({false, blocked});
        for (const char* scheme : {"socks5", "socks5h"}) {
            CAPTURE(scheme);
            CHECK_MESSAGE(ws_echo(proxy.url(scheme)) == "", proxy.log());
            CHECK_MESSAGE(wss_echo(proxy.url(scheme)) == "", proxy.log());
        }
        CHECK_MESSAGE(ws_echo(proxy.url("socks5h"), "localhost") == "", proxy.log());
        CHECK(failure("ws://127.0.0.1:" + port_text(blocked) + "/", proxy.url("socks5h"),
                      NetErrc::proxy) ==
              "SOCKS5 proxy 127.0.0.1:" + port_text(proxy.port()) + " could not connect to " +
                  "127.0.0.1:" + port_text(blocked) +
                  ": connection not allowed by the proxy's rules (reply 0x02)");
    }
    SUBCASE("username: refuses us with and without credentials") {
        Dante proxy({true, std::nullopt});
        const std::string name = "SOCKS5 proxy 127.0.0.1:" + port_text(proxy.port());
        CHECK(failure("ws://127.0.0.1:9/", proxy.url("socks5"), NetErrc::proxy) ==
              name + " requires authentication: give user:password@ in the proxy URL");
        CHECK(failure("ws://127.0.0.1:9/", proxy.url("socks5h", "nobody-here:wrong@"),
                      NetErrc::proxy) ==
              name + " rejected the user name and password (user \"nobody-here\")");
    }
}

TEST_CASE("socks5 peers: an HTTP proxy given as SOCKS5, and a proxy that is not there") {
    SUBCASE("tinyproxy waits for a request line: the greeting times out") {
        if (!available(Tinyproxy::available(), Tinyproxy::binary)) return;
        Tinyproxy http;
        ConnectPlan plan =
            plan_via("ws://127.0.0.1:9/", "socks5://127.0.0.1:" + port_text(http.port()));
        plan.tcp.timeout = std::chrono::milliseconds(300);
        auto c = connect(plan, {});
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == NetErrc::timeout);
        const std::string& m = c.error().message;
        CHECK_MESSAGE(m.starts_with("SOCKS5 proxy 127.0.0.1:" + port_text(http.port()) +
                                    " did not answer the greeting within 0."),
                      m);
        CHECK_MESSAGE(m.ends_with("s (is it a SOCKS5 proxy?)"), m);
    }
    SUBCASE("nothing listening") {
        const std::uint16_t port = closed_port();
        const std::string addr = "127.0.0.1:" + port_text(port);
        CHECK(failure("wss://127.0.0.1:9/", "socks5h://" + addr, NetErrc::refused) ==
              "cannot connect to proxy socks5h://" + addr + ": connection refused (" + addr + ")");
    }
}
