// The client's connect(): plain TCP, TLS over TCP, TLS over a Unix socket, TLS through a
// tinyproxy tunnel, bytes a proxy sends after its answer, and errors from each step keeping
// their code. Checks the -v trace lines too.
#include "net/connect.hpp"

#include <doctest/doctest.h>
#include <poll.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "net/net_peers.hpp"
#include "net/unix_socket.hpp"

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

ConnectPlan plan_for(const std::string& url) {
    auto u = parse_url(url);
    REQUIRE(u.ok());
    ConnectPlan plan;
    plan.url = u.value();
    plan.tcp.timeout = step_limit;
    plan.tls.cacert = certs().pem("ca");
    return plan;
}

TlsServerOptions server_certs() {
    TlsServerOptions so;
    so.cert = certs().pem("server");
    so.key = certs().key("server");
    return so;
}

std::string error_of(const NetResult<Connected>& r) {
    return r.ok() ? std::string() : r.error().message;
}

// Accepts one connection and runs `serve` on it, on a thread.
class OneShotPeer {
  public:
    template <typename F>
    explicit OneShotPeer(F serve) {
        auto l = listen_tcp("127.0.0.1", 0);
        REQUIRE(l.ok());
        listener_ = std::move(l.value());
        thread_ = std::thread([this, serve] {
            pollfd p{listener_->fd(), POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            if (auto conn = listener_->accept()) serve(*conn);
        });
    }
    ~OneShotPeer() { thread_.join(); }
    OneShotPeer(const OneShotPeer&) = delete;
    OneShotPeer& operator=(const OneShotPeer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return listener_->port(); }

  private:
    std::unique_ptr<Listener> listener_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("connect: ws:// over plain TCP") {
    OneShotPeer peer([](Stream& s) {
        const auto end = Clock::now() + step_limit;
        const ReadOutcome got = read_until(s, 5, end);
        (void)write_all(s, got.data, end);
    });
    ConnectPlan plan = plan_for("ws://127.0.0.1:" + std::to_string(peer.port()) + "/");
    Trace trace;
    auto c = connect(plan, trace.fn());
    REQUIRE_MESSAGE(c.ok(), error_of(c));
    CHECK_FALSE(c->tls.has_value());
    CHECK(echo_roundtrip(*c->stream, "plain") == "plain");
    CHECK_MESSAGE(trace.has("connected to 127.0.0.1:" + std::to_string(peer.port())), trace.all());
}

TEST_CASE("connect: wss:// over TCP, with the -v lines") {
    TlsEchoServer server(server_certs());
    ConnectPlan plan = plan_for("wss://localhost:" + std::to_string(server.port()) + "/chat");
    plan.tcp.family = Family::ipv4;  // the server listens on 127.0.0.1 only
    Trace trace;
    auto c = connect(plan, trace.fn());
    REQUIRE_MESSAGE(c.ok(), error_of(c));
    REQUIRE(c->tls.has_value());
    CHECK(c->tls->verified);
    CHECK(c->tls->server_name == "localhost");
    CHECK(echo_roundtrip(*c->stream, "secure") == "secure");
    CHECK_MESSAGE(trace.has(c->tls->version + ", " + c->tls->cipher), trace.all());
    CHECK_MESSAGE(trace.has("server certificate: subject CN=localhost, issuer CN=wscope test CA"),
                  trace.all());
    c->stream->shutdown_write();
    CHECK(server.done().received == "secure");
}

TEST_CASE("connect: certificate problems keep their code") {
    TlsServerOptions so;
    so.cert = certs().pem("other");
    so.key = certs().key("other");
    TlsEchoServer server(so);
    ConnectPlan plan = plan_for("wss://127.0.0.1:" + std::to_string(server.port()) + "/");
    auto c = connect(plan, {});
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == NetErrc::tls_verify);
    CHECK(c.error().message ==
          "certificate verify failed: IP address mismatch (certificate is for other.example, not "
          "127.0.0.1)");

    // tls.host overrides the name checked (and sent as SNI).
    TlsEchoServer again(so);
    ConnectPlan named = plan_for("wss://127.0.0.1:" + std::to_string(again.port()) + "/");
    named.tls.host = "other.example";
    auto ok = connect(named, {});
    REQUIRE_MESSAGE(ok.ok(), error_of(ok));
    CHECK(ok->tls->server_name == "other.example");
}

TEST_CASE("connect: wss:// over a Unix socket") {
    TempDir dir;
    const std::string path = (dir.path() / "tls.sock").string();
    auto listener = listen_unix(path);
    REQUIRE(listener.ok());
    TlsEchoServer server(server_certs(), std::move(listener.value()));
    ConnectPlan plan = plan_for("wss://localhost/");
    plan.unix_socket = path;
    plan.proxy = ProxySpec{"127.0.0.1", 9, std::nullopt};  // ignored with a Unix socket
    Trace trace;
    auto c = connect(plan, trace.fn());
    REQUIRE_MESSAGE(c.ok(), error_of(c));
    CHECK(c->stream->peer_name() == path);
    CHECK(c->tls->server_name == "localhost");  // SNI from the URL, as curl does
    CHECK(echo_roundtrip(*c->stream, "unix+tls") == "unix+tls");
    CHECK_MESSAGE(trace.has("connected to " + path), trace.all());
    c->stream->shutdown_write();
    CHECK(server.done().info.server_name == "localhost");
}

TEST_CASE("connect: a missing Unix socket") {
    ConnectPlan plan = plan_for("ws://localhost/");
    plan.unix_socket = "/nonexistent/wscope.sock";
    auto c = connect(plan, {});
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == NetErrc::refused);
    CHECK(c.error().message == "no such file or directory (/nonexistent/wscope.sock)");
}

TEST_CASE("connect: wss:// through tinyproxy") {
    if (!Tinyproxy::available()) {
        MESSAGE("SKIPPED: " << Tinyproxy::binary
                            << " is not installed (CI must apt-get install tinyproxy)");
        return;
    }
    Tinyproxy proxy(std::make_pair(std::string("bob"), std::string("pw")));
    TlsEchoServer server(server_certs());
    const std::string target = "127.0.0.1:" + std::to_string(server.port());
    ConnectPlan plan = plan_for("wss://" + target + "/");
    auto spec = parse_proxy_url("http://bob:pw@127.0.0.1:" + std::to_string(proxy.port()));
    REQUIRE(spec.ok());
    plan.proxy = spec.value();
    Trace trace;
    auto c = connect(plan, trace.fn());
    REQUIRE_MESSAGE(c.ok(), (error_of(c) + "\n" + trace.all() + proxy.log()));
    CHECK(echo_roundtrip(*c->stream, "tunnelled") == "tunnelled");
    const std::string proxy_addr = "127.0.0.1:" + std::to_string(proxy.port());
    CHECK(c->stream->peer_name() == target + " via proxy " + proxy_addr);
    CHECK_MESSAGE(trace.has("using proxy http://" + proxy_addr), trace.all());
    CHECK_MESSAGE(trace.has("connected to proxy " + proxy_addr), trace.all());
    CHECK_MESSAGE(trace.has("CONNECT " + target + " → 200 Connection established"), trace.all());
    CHECK_MESSAGE(trace.has("server certificate: subject CN=localhost, issuer CN=wscope test CA"),
                  trace.all());

    // Without the credentials.
    ConnectPlan anonymous = plan;
    anonymous.proxy->credentials.reset();
    auto refused = connect(anonymous, {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == NetErrc::proxy);
    CHECK(refused.error().message.starts_with(
        "proxy refused CONNECT: 407 Proxy Authentication Required"));
}

TEST_CASE("connect: a proxy that is not there") {
    auto closed = listen_tcp("127.0.0.1", 0);
    REQUIRE(closed.ok());
    const std::uint16_t port = closed.value()->port();
    closed.value().reset();
    ConnectPlan plan = plan_for("ws://example.invalid/");
    plan.proxy = ProxySpec{"127.0.0.1", port, std::nullopt};
    auto c = connect(plan, {});
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == NetErrc::refused);
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    CHECK(c.error().message ==
          "cannot connect to proxy http://" + addr + ": connection refused (" + addr + ")");
}

TEST_CASE("connect: bytes a proxy sends right after its answer reach the caller") {
    OneShotPeer fake_proxy([](Stream& s) {
        const auto end = Clock::now() + step_limit;
        wscope::proto::HeadReader reader;
        std::vector<std::uint8_t> buf(1024);
        for (;;) {
            const ReadOutcome got = read_until(s, 1, end);
            if (got.data.empty()) return;
            wscope::proto::ByteView in = wscope::proto::as_bytes(got.data);
            if (reader.feed(in) == wscope::proto::HeadReader::Status::done) break;
        }
        (void)write_all(s, "HTTP/1.1 200 OK\r\n\r\nearly bytes", end);
        (void)read_until(s, 0, end);  // until the client hangs up
    });
    ConnectPlan plan = plan_for("ws://target.test:80/");
    plan.proxy = ProxySpec{"127.0.0.1", fake_proxy.port(), std::nullopt};
    Trace trace;
    auto c = connect(plan, trace.fn());
    REQUIRE_MESSAGE(c.ok(), error_of(c));
    CHECK_MESSAGE(trace.has("CONNECT target.test:80 → 200 OK"), trace.all());
    CHECK(c->stream->has_buffered());
    CHECK(read_until(*c->stream, 11, Clock::now() + step_limit).data == "early bytes");
    CHECK_FALSE(c->stream->has_buffered());
    c->stream.reset();
}
