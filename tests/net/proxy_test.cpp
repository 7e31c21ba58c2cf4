// Proxies: proxy URLs (http, socks5, socks5h) and no_proxy lists as tables, curl's choice of proxy
// from the environment as a pure table (no real environment touched), the CONNECT exchange against
// canned answers on a socketpair (including bytes after the head, split reads, refusals), and
// real tunnels through tinyproxy with and without BasicAuth, TLS on top.
#include "net/proxy.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>

#include <future>
#include <map>
#include <string>
#include <thread>

#include "net/net_peers.hpp"
#include "net/tcp.hpp"
#include "net/tls.hpp"

namespace {

using namespace wscope::net;
using namespace wscope::net::testing;

Url url_of(const char* text) {
    auto u = parse_url(text);
    REQUIRE(u.ok());
    return u.value();
}

EnvLookup table(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// Two connected non-blocking streams: ours and the fake proxy's.
std::pair<std::unique_ptr<Stream>, std::unique_ptr<Stream>> stream_pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    return {make_fd_stream(fds[0], "proxy.test:3128"), make_fd_stream(fds[1], "client")};
}

bool tinyproxy_or_skip() {
    if (Tinyproxy::available()) return true;
    MESSAGE("SKIPPED: " << Tinyproxy::binary
                        << " is not installed; the CONNECT tests against a real proxy did not run "
                           "(CI must apt-get install tinyproxy)");
    return false;
}

}  // namespace

TEST_CASE("proxy: URLs") {
    struct Row {
        const char* text;
        const char* host;
        std::uint16_t port;
        const char* user;  // nullptr: no credentials
        const char* password;
        ProxyKind kind = ProxyKind::http;
    };
    const Row rows[] = {
        {"http://127.0.0.1:8888", "127.0.0.1", 8888, nullptr, nullptr},
        {"http://proxy.example", "proxy.example", 1080, nullptr, nullptr},
        {"HTTP://proxy.example:3128/", "proxy.example", 3128, nullptr, nullptr},
        {"proxy.example:3128", "proxy.example", 3128, nullptr, nullptr},
        {"http://[::1]:3128", "::1", 3128, nullptr, nullptr},
        {"http://[::1]", "::1", 1080, nullptr, nullptr},
        {"http://alice:s3cret@proxy:8080", "proxy", 8080, "alice", "s3cret"},
        {"http://alice@proxy", "proxy", 1080, "alice", ""},
        {"http://a%40b:p%3Aw%25@proxy:1", "proxy", 1, "a@b", "p:w%"},
        {"http://u:p@ss@proxy:2", "proxy", 2, "u", "p@ss"},
        {"  http://proxy:9  ", "proxy", 9, nullptr, nullptr},
        {"socks5://127.0.0.1:1080", "127.0.0.1", 1080, nullptr, nullptr, ProxyKind::socks5},
        {"SOCKS5://proxy", "proxy", 1080, nullptr, nullptr, ProxyKind::socks5},
        {"socks5h://[::1]:9050", "::1", 9050, nullptr, nullptr, ProxyKind::socks5h},
        {"socks5h://u%20x:p%40ss@proxy:1081/", "proxy", 1081, "u x", "p@ss", ProxyKind::socks5h},
        {"socks5://alice@proxy", "proxy", 1080, "alice", "", ProxyKind::socks5},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        auto p = parse_proxy_url(row.text);
        REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
        CHECK(p->host == row.host);
        CHECK(p->port == row.port);
        CHECK(p->kind == row.kind);
        CHECK(p->credentials.has_value() == (row.user != nullptr));
        if (row.user != nullptr && p->credentials) {
            CHECK(p->credentials->user == row.user);
            CHECK(p->credentials->password == row.password);
        }
    }
    CHECK(parse_proxy_url("http://[::1]:3128")->to_string() == "http://[::1]:3128");
    CHECK(parse_proxy_url("http://u:p@h")->to_string() == "http://h:1080");  // no password
    CHECK(parse_proxy_url("SOCKS5://u:p@h:1")->to_string() == "socks5://h:1");
    CHECK(parse_proxy_url("socks5h://[::1]")->to_string() == "socks5h://[::1]:1080");

    struct Bad {
        const char* text;
        const char* message;
    };
    const Bad bad[] = {
        {"", "bad proxy URL \"\": empty"},
        {"socks4://127.0.0.1:1080",
         "bad proxy URL \"socks4://127.0.0.1:1080\": unsupported scheme \"socks4\" (http://, "
         "socks5:// and socks5h:// are supported)"},
        {"socks://127.0.0.1:1080", nullptr},
        {"socks5h://:1080", "bad proxy URL \"socks5h://:1080\": no host"},
        {"https://proxy:443", nullptr},
        {"http://:8080", "bad proxy URL \"http://:8080\": no host"},
        {"http://proxy:", "bad proxy URL \"http://proxy:\": empty port"},
        {"http://proxy:0", "bad proxy URL \"http://proxy:0\": port out of range (1-65535)"},
        {"http://proxy:65536", nullptr},
        {"http://proxy:8o", "bad proxy URL \"http://proxy:8o\": port is not a number"},
        {"http://::1:3128", nullptr},
        {"http://[::1", nullptr},
        {"http://[nothost]:1", nullptr},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.text);
        auto p = parse_proxy_url(b.text);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().code == NetErrc::bad_url);
        if (b.message != nullptr) CHECK(p.error().message == b.message);
    }
}

TEST_CASE("proxy: no_proxy matching") {
    struct Row {
        const char* host;
        const char* list;
        bool match;
    };
    const Row rows[] = {
        {"example.com", "*", true},
        {"anything", " * ", true},
        {"example.com", "example.com", true},
        {"www.example.com", "example.com", true},
        {"www.example.com", ".example.com", true},
        {"example.com", ".example.com", true},
        {"badexample.com", "example.com", false},
        {"example.com.", "example.com", true},
        {"EXAMPLE.com", "Example.COM", true},
        {"example.org", "example.com, example.net", false},
        {"example.net", "example.com, example.net", true},
        {"localhost", "localhost,127.0.0.1", true},
        {"127.0.0.1", "localhost,127.0.0.1", true},
        {"127.0.0.2", "localhost,127.0.0.1", false},
        {"10.1.2.3", "10.0.0.0/8", true},
        {"11.1.2.3", "10.0.0.0/8", false},
        {"192.168.1.77", "192.168.1.64/26", true},
        {"192.168.1.63", "192.168.1.64/26", false},
        {"::1", "::1", true},
        {"::1", "[::1]", true},
        {"[::1]", "::1", true},
        {"fd00::5", "fd00::/8", true},
        {"fe80::5", "fd00::/8", false},
        {"127.0.0.1", "127.0.0.0/33", false},
        {"example.com", "", false},
        {"example.com", ",,", false},
        {"example.com", "*.example.com", false},  // curl has no wildcards but "*" alone
    };
    for (const Row& row : rows) {
        CAPTURE(row.host);
        CAPTURE(row.list);
        CHECK(no_proxy_matches(row.host, row.list) == row.match);
    }
}

TEST_CASE("proxy: choosing a proxy from options and environment, like curl") {
    using Env = std::map<std::string, std::string>;
    const std::optional<std::string> none;
    struct Row {
        const char* name;
        const char* url;
        std::optional<std::string> explicit_proxy;
        std::optional<std::string> noproxy;
        Env env;
        std::optional<std::string> expected;
    };
    const std::vector<Row> rows = {
        {"nothing set", "ws://example.com/", none, none, {}, none},
        {"ws uses http_proxy",
         "ws://example.com/",
         none,
         none,
         {{"http_proxy", "http://h:1"}},
         "http://h:1"},
        {"ws ignores HTTP_PROXY",
         "ws://example.com/",
         none,
         none,
         {{"HTTP_PROXY", "http://h:1"}},
         none},
        {"ws ignores https_proxy",
         "ws://example.com/",
         none,
         none,
         {{"https_proxy", "http://h:1"}},
         none},
        {"wss uses https_proxy",
         "wss://example.com/",
         none,
         none,
         {{"https_proxy", "http://s:1"}, {"http_proxy", "http://h:1"}},
         "http://s:1"},
        {"wss uses HTTPS_PROXY",
         "wss://example.com/",
         none,
         none,
         {{"HTTPS_PROXY", "http://S:1"}},
         "http://S:1"},
        {"wss prefers lower case",
         "wss://example.com/",
         none,
         none,
         {{"HTTPS_PROXY", "http://S:1"}, {"https_proxy", "http://s:1"}},
         "http://s:1"},
        {"wss ignores http_proxy",
         "wss://example.com/",
         none,
         none,
         {{"http_proxy", "http://h:1"}},
         none},
        {"all_proxy as fallback",
         "wss://example.com/",
         none,
         none,
         {{"all_proxy", "http://a:1"}},
         "http://a:1"},
        {"ALL_PROXY as fallback",
         "ws://example.com/",
         none,
         none,
         {{"ALL_PROXY", "http://A:1"}},
         "http://A:1"},
        {"scheme variable before all_proxy",
         "ws://example.com/",
         none,
         none,
         {{"all_proxy", "http://a:1"}, {"http_proxy", "http://h:1"}},
         "http://h:1"},
        {"empty variable is unset",
         "ws://example.com/",
         none,
         none,
         {{"http_proxy", ""}, {"all_proxy", "http://a:1"}},
         "http://a:1"},
        {"no_proxy matches",
         "ws://www.example.com/",
         none,
         none,
         {{"http_proxy", "http://h:1"}, {"no_proxy", "example.com"}},
         none},
        {"NO_PROXY matches",
         "ws://www.example.com/",
         none,
         none,
         {{"http_proxy", "http://h:1"}, {"NO_PROXY", ".example.com"}},
         none},
        {"no_proxy before NO_PROXY",
         "ws://www.example.com/",
         none,
         none,
         {{"http_proxy", "http://h:1"}, {"no_proxy", "other.org"}, {"NO_PROXY", "example.com"}},
         "http://h:1"},
        {"no_proxy does not match",
         "ws://example.org/",
         none,
         none,
         {{"http_proxy", "http://h:1"}, {"no_proxy", "example.com"}},
         "http://h:1"},
        {"no_proxy star",
         "wss://example.org/",
         none,
         none,
         {{"https_proxy", "http://s:1"}, {"no_proxy", "*"}},
         none},
        {"explicit wins over env",
         "ws://example.com/",
         "http://x:1",
         none,
         {{"http_proxy", "http://h:1"}},
         "http://x:1"},
        {"explicit empty means direct",
         "ws://example.com/",
         "",
         none,
         {{"http_proxy", "http://h:1"}},
         none},
        {"no_proxy applies to explicit too",
         "ws://example.com/",
         "http://x:1",
         none,
         {{"no_proxy", "example.com"}},
         none},
        {"--noproxy overrides no_proxy (direct)",
         "ws://example.com/",
         none,
         "example.com",
         {{"http_proxy", "http://h:1"}, {"no_proxy", "other.org"}},
         none},
        {"--noproxy overrides no_proxy (proxied)",
         "ws://example.com/",
         none,
         "other.org",
         {{"http_proxy", "http://h:1"}, {"no_proxy", "example.com"}},
         "http://h:1"},
        {"--noproxy empty overrides no_proxy",
         "ws://example.com/",
         none,
         "",
         {{"http_proxy", "http://h:1"}, {"no_proxy", "*"}},
         "http://h:1"},
        {"IPv6 literal in no_proxy",
         "ws://[::1]:9000/",
         none,
         none,
         {{"http_proxy", "http://h:1"}, {"no_proxy", "::1"}},
         none},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        const auto got =
            choose_proxy_url(url_of(row.url), row.explicit_proxy, row.noproxy, table(row.env));
        CHECK(got == row.expected);
    }

    auto spec =
        choose_proxy(url_of("ws://example.com/"), none, none, table({{"http_proxy", "h:3128"}}));
    REQUIRE(spec.ok());
    REQUIRE(spec->has_value());
    CHECK((*spec)->host == "h");
    CHECK((*spec)->port == 3128);
    // As in curl, the value's scheme, not the variable, says what kind of proxy it is.
    struct SocksRow {
        const char* url;
        std::optional<std::string> explicit_proxy;
        Env env;
        std::optional<ProxyKind> kind;  // nullopt: direct
    };
    const std::vector<SocksRow> socks_rows = {
        {"ws://example.com/", none, {{"http_proxy", "socks5h://h:1"}}, ProxyKind::socks5h},
        {"wss://example.com/", none, {{"https_proxy", "socks5://h:1"}}, ProxyKind::socks5},
        {"wss://example.com/", none, {{"HTTPS_PROXY", "socks5h://h:1"}}, ProxyKind::socks5h},
        {"ws://example.com/", none, {{"all_proxy", "socks5://h:1"}}, ProxyKind::socks5},
        {"wss://example.com/", none, {{"ALL_PROXY", "socks5h://h:1"}}, ProxyKind::socks5h},
        {"ws://example.com/", none, {{"HTTP_PROXY", "socks5://h:1"}}, std::nullopt},
        {"ws://example.com/",
         none,
         {{"all_proxy", "socks5://h:1"}, {"no_proxy", "example.com"}},
         std::nullopt},
        {"ws://example.com/", "socks5h://x:1", {{"all_proxy", "http://h:1"}}, ProxyKind::socks5h},
    };
    for (const SocksRow& row : socks_rows) {
        CAPTURE(row.url);
        CAPTURE(row.env.begin()->first);
        auto got = choose_proxy(url_of(row.url), row.explicit_proxy, none, table(row.env));
        REQUIRE(got.ok());
        REQUIRE(got->has_value() == row.kind.has_value());
        if (row.kind) CHECK((*got)->kind == *row.kind);
    }

    auto bad = choose_proxy(url_of("ws://example.com/"), none, none,
                            table({{"http_proxy", "socks4://h"}}));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.ends_with("(from the environment)"));
    auto direct = choose_proxy(url_of("ws://example.com/"), none, none, table({}));
    REQUIRE(direct.ok());
    CHECK_FALSE(direct->has_value());
}

TEST_CASE("proxy: the CONNECT request") {
    CHECK(
        make_connect_request("example.com", 443, std::nullopt) ==
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nUser-Agent: wscope\r\n\r\n");
    CHECK(make_connect_request("::1", 9000, std::nullopt) ==
          "CONNECT [::1]:9000 HTTP/1.1\r\nHost: [::1]:9000\r\nUser-Agent: wscope\r\n\r\n");
    CHECK(make_connect_request("[::1]", 9000, std::nullopt).starts_with("CONNECT [::1]:9000 "));
    // RFC 7617 §2 example credentials.
    CHECK(make_connect_request("h", 80, ProxyCredentials{"Aladdin", "open sesame"}) ==
          "CONNECT h:80 HTTP/1.1\r\nHost: h:80\r\n"
          "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nUser-Agent: wscope\r\n\r\n");
}

TEST_CASE("proxy: CONNECT answers from a scripted proxy") {
    auto [ours, proxy] = stream_pair();
    const auto end = Clock::now() + step_limit;
    const std::string expected_request = make_connect_request("target.test", 443, std::nullopt);

    SUBCASE("200, with bytes after the head kept") {
        REQUIRE(
            write_all(*proxy, "HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\nTLS?", end));
        auto t = connect_tunnel(*ours, "target.test", 443, std::nullopt, step_limit);
        REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message));
        CHECK(t->response.status == 200);
        CHECK(t->response.reason == "Connection established");
        CHECK(std::string(t->leftover.begin(), t->leftover.end()) == "TLS?");
        CHECK(read_until(*proxy, expected_request.size(), end).data == expected_request);
    }
    SUBCASE("the answer split into single bytes") {
        auto t = std::async(std::launch::async, [&, s = ours.get()] {
            return connect_tunnel(*s, "target.test", 443, std::nullopt, step_limit);
        });
        CHECK(read_until(*proxy, expected_request.size(), end).data == expected_request);
        for (const char c : std::string("HTTP/1.0 200 OK\r\n\r\n")) {
            REQUIRE(write_all(*proxy, std::string(1, c), end));
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        auto r = t.get();
        REQUIRE(r.ok());
        CHECK(r->leftover.empty());
        CHECK(r->response.status == 200);
    }
    SUBCASE("407") {
        REQUIRE(write_all(*proxy,
                          "HTTP/1.1 407 Proxy Authentication Required\r\n"
                          "Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 3\r\n\r\nno!",
                          end));
        auto t = connect_tunnel(*ours, "target.test", 443, std::nullopt, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::proxy);
        CHECK(t.error().message ==
              "proxy refused CONNECT: 407 Proxy Authentication Required (no proxy credentials "
              "given)");
    }
    SUBCASE("403 with credentials") {
        REQUIRE(write_all(*proxy, "HTTP/1.1 403 Forbidden\r\n\r\n", end));
        auto t = connect_tunnel(*ours, "target.test", 443, ProxyCredentials{"u", "p"}, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().message == "proxy refused CONNECT: 403 Forbidden");
    }
    SUBCASE("hang-up before answering") {
        proxy->shutdown_write();
        auto t = connect_tunnel(*ours, "target.test", 443, std::nullopt, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::proxy);
        CHECK(t.error().message ==
              "proxy proxy.test:3128 closed the connection before answering CONNECT");
    }
    SUBCASE("not HTTP") {
        REQUIRE(write_all(*proxy, "SSH-2.0-OpenSSH_9.2\r\n\r\n", end));
        auto t = connect_tunnel(*ours, "target.test", 443, std::nullopt, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::proxy);
        CHECK(
            t.error().message.starts_with("proxy proxy.test:3128 sent a bad answer to CONNECT: "));
    }
    SUBCASE("silence") {
        auto t =
            connect_tunnel(*ours, "target.test", 443, std::nullopt, std::chrono::milliseconds(100));
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::timeout);
        CHECK(t.error().message == "proxy proxy.test:3128 did not answer CONNECT within 0.1s");
    }
}

TEST_CASE("proxy: TLS through a real tinyproxy tunnel") {
    if (!tinyproxy_or_skip()) return;
    TlsServerOptions so;
    so.cert = certs().pem("server");
    so.key = certs().key("server");
    ConnectOptions c;
    c.timeout = step_limit;
    TlsClientOptions to;
    to.host = "localhost";
    to.cacert = certs().pem("ca");

    SUBCASE("open proxy") {
        Tinyproxy proxy;
        TlsEchoServer server(so);
        auto tcp = connect_tcp("127.0.0.1", proxy.port(), c);
        REQUIRE(tcp.ok());
        auto t = connect_tunnel(*tcp.value(), "127.0.0.1", server.port(), std::nullopt, step_limit);
        REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message + "\n" + proxy.log()));
        CHECK(t->response.status == 200);
        CHECK(t->leftover.empty());
        auto tls = tls_connect(std::move(tcp.value()), to, step_limit);
        REQUIRE_MESSAGE(tls.ok(), (tls.ok() ? "" : tls.error().message));
        CHECK(echo_roundtrip(*tls.value(), "through the tunnel") == "through the tunnel");
        tls.value()->shutdown_write();
        CHECK(server.done().info.server_name == "localhost");
    }
    SUBCASE("BasicAuth: refused without credentials, wrong ones, accepted with the right ones") {
        Tinyproxy proxy(std::make_pair(std::string("alice"), std::string("s3cret")));
        {
            auto tcp = connect_tcp("127.0.0.1", proxy.port(), c);
            REQUIRE(tcp.ok());
            auto t = connect_tunnel(*tcp.value(), "127.0.0.1", 9, std::nullopt, step_limit);
            REQUIRE_FALSE(t.ok());
            CHECK(t.error().code == NetErrc::proxy);
            CHECK(t.error().message ==
                  "proxy refused CONNECT: 407 Proxy Authentication Required (no proxy credentials "
                  "given)");
        }
        {
            auto tcp = connect_tcp("127.0.0.1", proxy.port(), c);
            REQUIRE(tcp.ok());
            auto t = connect_tunnel(*tcp.value(), "127.0.0.1", 9,
                                    ProxyCredentials{"alice", "wrong"}, step_limit);
            REQUIRE_FALSE(t.ok());
            // tinyproxy answers wrong credentials with 401 rather than 407.
            CHECK(t.error().code == NetErrc::proxy);
            CHECK_MESSAGE(t.error().message.starts_with("proxy refused CONNECT: 40"),
                          t.error().message);
        }
        TlsEchoServer server(so);
        auto tcp = connect_tcp("127.0.0.1", proxy.port(), c);
        REQUIRE(tcp.ok());
        auto t = connect_tunnel(*tcp.value(), "127.0.0.1", server.port(),
                                ProxyCredentials{"alice", "s3cret"}, step_limit);
        REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message));
        auto tls = tls_connect(std::move(tcp.value()), to, step_limit);
        REQUIRE_MESSAGE(tls.ok(), (tls.ok() ? "" : tls.error().message));
        CHECK(echo_roundtrip(*tls.value(), "authorised") == "authorised");
    }
    SUBCASE("the proxy cannot reach the target") {
        Tinyproxy proxy;
        auto closed = listen_tcp("127.0.0.1", 0);
        REQUIRE(closed.ok());
        const std::uint16_t port = closed.value()->port();
        closed.value().reset();
        auto tcp = connect_tcp("127.0.0.1", proxy.port(), c);
        REQUIRE(tcp.ok());
        auto t = connect_tunnel(*tcp.value(), "127.0.0.1", port, std::nullopt, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().message == "proxy refused CONNECT: 500 Unable to connect");
    }
}
