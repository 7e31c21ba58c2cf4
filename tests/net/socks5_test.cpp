// The SOCKS5 client against bytes: its messages as byte tables, every reply code and every
// way a proxy can fail us from a scripted raw SOCKS5 server (each message checked whole), the
// reply read exactly whatever its address type and however it is split, and the proof in the
// recorded bytes that socks5h:// sends the name and socks5:// an address.
#include "net/socks5.hpp"

#include <doctest/doctest.h>
#include <sys/socket.h>

#include <algorithm>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "net/connect.hpp"
#include "net/net_peers.hpp"
#include "net/socks_peers.hpp"

namespace {

using namespace wscope::net;
using namespace wscope::net::testing;

std::string str(const wscope::proto::Bytes& b) {
    return std::string(b.begin(), b.end());
}

std::string error_of(const NetResult<Connected>& r) {
    return r.ok() ? std::string() : r.error().message;
}

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

ConnectPlan plan_via(const std::string& url, const std::string& proxy) {
    auto u = parse_url(url);
    REQUIRE(u.ok());
    auto p = parse_proxy_url(proxy);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    ConnectPlan plan;
    plan.url = u.value();
    plan.tcp.timeout = step_limit;
    plan.proxy = p.value();
    return plan;
}

std::string proxy_url(const char* scheme, std::uint16_t port) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
}

// A TCP stream to the scripted server.
std::unique_ptr<Stream> dial(std::uint16_t port) {
    ConnectOptions o;
    o.timeout = step_limit;
    auto s = connect_tcp("127.0.0.1", port, o);
    REQUIRE(s.ok());
    return std::move(s.value());
}

const std::string success = hex_bytes("05 00 00 01 0a 00 00 02 9d 78");  // bound 10.0.0.2:40312

}  // namespace

TEST_CASE("socks5: the client's messages") {
    CHECK(str(socks5_greeting(false)) == hex_bytes("05 01 00"));
    CHECK(str(socks5_greeting(true)) == hex_bytes("05 02 00 02"));

    CHECK(str(socks5_auth_request({"alice", "s3cret"}).value()) ==
          hex_bytes("01 05") + "alice" + hex_bytes("06") + "s3cret");
    CHECK(str(socks5_auth_request({"", ""}).value()) == hex_bytes("01 00 00"));
    CHECK(socks5_auth_request({std::string(255, 'u'), std::string(255, 'p')})->size() == 513);
    auto long_user = socks5_auth_request({std::string(256, 'u'), "p"});
    REQUIRE_FALSE(long_user.ok());
    CHECK(long_user.error().code == NetErrc::bad_url);
    CHECK(long_user.error().message ==
          "the proxy user name is longer than 255 bytes, the most SOCKS5 can send");
    auto long_password = socks5_auth_request({"u", std::string(256, 'p')});
    REQUIRE_FALSE(long_password.ok());
    CHECK(long_password.error().message ==
          "the proxy password is longer than 255 bytes, the most SOCKS5 can send");

    struct Row {
        const char* host;
        std::uint16_t port;
        std::string bytes;
    };
    const Row rows[] = {
        {"127.0.0.1", 80, hex_bytes("05 01 00 01 7f 00 00 01 00 50")},
        {"::1", 443, hex_bytes("05 01 00 04 00000000000000000000000000000001 01 bb")},
        {"2001:db8::7", 9000, hex_bytes("05 01 00 04 20010db8000000000000000000000007 23 28")},
        {"example.com", 9000, hex_bytes("05 01 00 03 0b") + "example.com" + hex_bytes("23 28")},
        {"1.2.3", 1, hex_bytes("05 01 00 03 05") + "1.2.3" + hex_bytes("00 01")},  // not IPv4
    };
    for (const Row& row : rows) {
        CAPTURE(row.host);
        auto r = socks5_connect_request({row.host, row.port});
        REQUIRE(r.ok());
        CHECK(str(r.value()) == row.bytes);
    }
    CHECK(socks5_connect_request({std::string(255, 'a'), 1})->size() == 4 + 1 + 255 + 2);
    for (const std::string& bad : {std::string(256, 'a'), std::string()}) {
        auto r = socks5_connect_request({bad, 1});
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::bad_url);
    }
    CHECK(socks5_connect_request({std::string(256, 'a'), 1}).error().message ==
          "the host name \"" + std::string(256, 'a') +
              "\" cannot be sent to a SOCKS5 proxy (1 to 255 bytes)");
}

TEST_CASE("socks5: reply sizes and texts") {
    const auto size = [](const std::string& first5) {
        return socks5_reply_size(wscope::proto::as_bytes(first5));
    };
    CHECK(size(hex_bytes("05 00 00 01 7f")) == 10);
    CHECK(size(hex_bytes("05 00 00 04 00")) == 22);
    CHECK(size(hex_bytes("05 00 00 03 00")) == 7);
    CHECK(size(hex_bytes("05 00 00 03 ff")) == 262);
    CHECK(size(hex_bytes("05 00 00 02 00")) == 0);
    CHECK(size(hex_bytes("05 00 00 00 00")) == 0);
    CHECK(socks5_reply_text(0x02) == "connection not allowed by the proxy's rules");
    CHECK(socks5_reply_text(0x09) == "unassigned reply code 0x09");
}

TEST_CASE("socks5: every reply code, from a scripted server, through connect()") {
    struct Row {
        std::uint8_t code;
        const char* text;
    };
    const Row rows[] = {
        {0x01, "general SOCKS server failure (reply 0x01)"},
        {0x02, "connection not allowed by the proxy's rules (reply 0x02)"},
        {0x03, "network unreachable (reply 0x03)"},
        {0x04, "host unreachable (reply 0x04)"},
        {0x05, "connection refused (reply 0x05)"},
        {0x06, "TTL expired (reply 0x06)"},
        {0x07, "command not supported (reply 0x07)"},
        {0x08, "address type not supported (reply 0x08)"},
        {0x09, "unassigned reply code 0x09 (reply 0x09)"},
        {0x2a, "unassigned reply code 0x2a (reply 0x2a)"},
        {0xff, "unassigned reply code 0xff (reply 0xff)"},
    };
    for (const Row& row : rows) {
        CAPTURE(static_cast<int>(row.code));
        ScriptedSocks5 proxy(
            {hex_bytes("05 00"), "",
             hex_bytes("05") + static_cast<char>(row.code) + hex_bytes("00 01 00 00 00 00 00 00"),
             false});
        auto c = connect(plan_via("ws://127.0.0.1:9/", proxy_url("socks5", proxy.port())), {});
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == NetErrc::proxy);
        CHECK(c.error().message == "SOCKS5 proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                                       " could not connect to 127.0.0.1:9: " + row.text);
    }
    // A proxy that cannot take names gets a hint.
    ScriptedSocks5 proxy({hex_bytes("05 00"), "", hex_bytes("05 08 00 01 00 00 00 00 00 00")});
    auto c = connect(plan_via("ws://example.test:9/", proxy_url("socks5h", proxy.port())), {});
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "SOCKS5 proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                                   " could not connect to example.test:9: address type not "
                                   "supported (reply 0x08); it may not resolve names: try "
                                   "socks5://");
}

TEST_CASE("socks5: authentication, and peers that are not SOCKS5 proxies") {
    const Socks5Destination dest{"127.0.0.1", 9};
    const ProxyCredentials alice{"alice", "s3cret"};
    struct Row {
        const char* name;
        ScriptedSocks5::Script script;
        std::optional<ProxyCredentials> credentials;
        const char* message;  // after "SOCKS5 proxy 127.0.0.1:PORT"; nullptr: success
    };
    const Row rows[] = {
        {"no acceptable method, no credentials",
         {hex_bytes("05 ff"), "", ""},
         std::nullopt,
         " requires authentication: give user:password@ in the proxy URL"},
        {"no acceptable method with credentials",
         {hex_bytes("05 ff"), "", ""},
         alice,
         " accepts none of the authentication methods offered (none, username/password)"},
        {"GSSAPI selected",
         {hex_bytes("05 01"), "", ""},
         alice,
         " selected authentication method 0x01, which was not offered"},
        {"password selected but not offered",
         {hex_bytes("05 02"), "", ""},
         std::nullopt,
         " selected authentication method 0x02, which was not offered"},
        {"password rejected",
         {hex_bytes("05 02"), hex_bytes("01 01"), ""},
         alice,
         " rejected the user name and password (user \"alice\")"},
        {"password answer with a bad version",
         {hex_bytes("05 02"), hex_bytes("02 00"), ""},
         alice,
         " sent a bad answer to the user name and password (version 0x02)"},
        {"password accepted", {hex_bytes("05 02"), hex_bytes("01 00"), success}, alice, nullptr},
        {"password accepted, version 5 in the answer",
         {hex_bytes("05 02"), hex_bytes("05 00"), success},
         alice,
         nullptr},
        {"credentials given, none needed", {hex_bytes("05 00"), "", success}, alice, nullptr},
        {"an HTTP server",
         {"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "", ""},
         std::nullopt,
         " is not a SOCKS5 proxy: it answered in HTTP (for an HTTP proxy, use http://)"},
        {"a SOCKS4 answer",
         {hex_bytes("00 5b"), "", ""},
         std::nullopt,
         " is not a SOCKS5 proxy: its answer starts with 0x00, not the version 0x05"},
        {"reply with a bad version",
         {hex_bytes("05 00"), "", hex_bytes("04 00 00 01 00 00 00 00 00 00")},
         std::nullopt,
         " sent a bad reply to CONNECT (version 0x04)"},
        {"reply with an unknown address type",
         {hex_bytes("05 00"), "", hex_bytes("05 00 00 02 00 00 00 00 00 00")},
         std::nullopt,
         " sent a bad reply to CONNECT (address type 0x02)"},
        {"hang-up inside the reply",
         {hex_bytes("05 00"), "", hex_bytes("05 00 00 01 7f"), false, true},
         std::nullopt,
         " closed the connection before answering CONNECT"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        ScriptedSocks5 proxy(row.script);
        auto stream = dial(proxy.port());
        auto t = socks5_connect(*stream, dest, row.credentials, step_limit);
        stream.reset();  // lets the server finish
        const ScriptedSocks5::Seen& seen = proxy.seen();
        CHECK(seen.greeting == str(socks5_greeting(row.credentials.has_value())));
        if (row.message == nullptr) {
            REQUIRE_MESSAGE(t.ok(), (t.ok() ? "" : t.error().message));
            CHECK(t->authenticated == (row.script.first == hex_bytes("05 02")));
            CHECK(t->bound == "10.0.0.2:40312");
            CHECK(seen.request == str(socks5_connect_request(dest).value()));
            continue;
        }
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::proxy);
        CHECK(t.error().message ==
              "SOCKS5 proxy 127.0.0.1:" + std::to_string(proxy.port()) + row.message);
        if (std::string(row.name) == "password rejected") {
            CHECK(seen.auth == str(socks5_auth_request(alice).value()));
            CHECK(seen.request.empty());
        }
    }
}

TEST_CASE("socks5: a proxy that hangs up or stays silent") {
    const Socks5Destination dest{"127.0.0.1", 9};
    SUBCASE("hang-up after the greeting") {
        OneConnection proxy([](Stream& s) { (void)read_until(s, 3, Clock::now() + step_limit); });
        auto stream = dial(proxy.port());
        auto t = socks5_connect(*stream, dest, std::nullopt, step_limit);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::proxy);
        CHECK(t.error().message == "SOCKS5 proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                                       " closed the connection before answering the greeting "
                                       "(is it a SOCKS5 proxy?)");
    }
    SUBCASE("silence") {
        OneConnection proxy([](Stream& s) { (void)read_until(s, 0, Clock::now() + step_limit); });
        auto stream = dial(proxy.port());
        const auto started = Clock::now();
        auto t = socks5_connect(*stream, dest, std::nullopt, std::chrono::milliseconds(100));
        const auto took = Clock::now() - started;
        stream.reset();
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == NetErrc::timeout);
        CHECK(t.error().message == "SOCKS5 proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                                       " did not answer the greeting within 0.1s (is it a SOCKS5 "
                                       "proxy?)");
        CHECK(took >= std::chrono::milliseconds(100));
        CHECK(took < std::chrono::seconds(2));
    }
}

TEST_CASE("socks5: the reply is read exactly, whatever its address and however it is split") {
    struct Row {
        std::string reply;
        const char* bound;
    };
    const Row rows[] = {
        {success, "10.0.0.2:40312"},
        {hex_bytes("05 00 00 04 20010db8000000000000000000000001 01 bb"), "[2001:db8::1]:443"},
        {hex_bytes("05 00 00 03 0d") + "proxy.example" + hex_bytes("1f 90"), "proxy.example:8080"},
        {hex_bytes("05 00 00 03 03") + "a\nb" + hex_bytes("00 01"), "a?b:1"},
        {hex_bytes("05 00 00 03 00 00 00"), ":0"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.bound);
        for (const bool split : {false, true}) {
            CAPTURE(split);
            int fds[2];
            REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
            auto ours = make_fd_stream(fds[0], "proxy.test:1080");
            auto proxy = make_fd_stream(fds[1], "client");
            auto t = std::async(std::launch::async, [s = ours.get()] {
                return socks5_connect(*s, {"target.test", 443}, std::nullopt, step_limit);
            });
            const auto end = Clock::now() + step_limit;
            CHECK(read_until(*proxy, 3, end).data == hex_bytes("05 01 00"));
            const std::string answers = hex_bytes("05 00") + row.reply + "TARGET";
            if (!split) REQUIRE(write_all(*proxy, answers, end));
            for (std::size_t i = 0; split && i < answers.size(); ++i) {
                REQUIRE(write_all(*proxy, answers.substr(i, 1), end));
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
            auto r = t.get();
            REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
            CHECK(r->bound == std::string(row.bound));
            const std::string request =
                hex_bytes("05 01 00 03 0b") + "target.test" + hex_bytes("01 bb");
            CHECK(read_exact(*proxy, request.size(), end) == request);
            CHECK(read_exact(*ours, 6, end) == "TARGET");
        }
    }
}

TEST_CASE("socks5: socks5h:// sends the host name, socks5:// the address resolved here") {
    const std::string name = "only-the-proxy-knows.invalid";
    SUBCASE("socks5h: a name only the proxy can resolve") {
        ScriptedSocks5 proxy({hex_bytes("05 00"), "", success, true});
        Trace trace;
        auto c = connect(plan_via("ws://" + name + ":8080/", proxy_url("socks5h", proxy.port())),
                         trace.fn());
        REQUIRE_MESSAGE(c.ok(), error_of(c));
        CHECK(echo_roundtrip(*c->stream, "via socks5h") == "via socks5h");
        const std::string addr = "127.0.0.1:" + std::to_string(proxy.port());
        CHECK(c->stream->peer_name() == name + ":8080 via proxy " + addr);
        CHECK_MESSAGE(trace.has("using proxy socks5h://" + addr), trace.all());
        CHECK_MESSAGE(
            trace.has("SOCKS5 CONNECT " + name + ":8080 → succeeded (bound 10.0.0.2:40312)"),
            trace.all());
        c.value().stream.reset();
        CHECK(proxy.seen().request == hex_bytes("05 01 00 03") + static_cast<char>(name.size()) +
                                          name + hex_bytes("1f 90"));
    }
    SUBCASE("socks5: the same name fails here, before CONNECT") {
        ScriptedSocks5 proxy({hex_bytes("05 00"), "", success, true});
        auto c =
            connect(plan_via("ws://" + name + ":8080/", proxy_url("socks5", proxy.port())), {});
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == NetErrc::dns);
        CHECK_MESSAGE(c.error().message.starts_with("could not resolve host \"" + name + "\""),
                      c.error().message);
        CHECK(proxy.seen().request.empty());
    }
    SUBCASE("socks5: localhost goes as 127.0.0.1") {
        ScriptedSocks5 proxy({hex_bytes("05 00"), "", success, true});
        ConnectPlan plan = plan_via("ws://localhost:8080/", proxy_url("socks5", proxy.port()));
        plan.tcp.family = Family::ipv4;
        Trace trace;
        auto c = connect(plan, trace.fn());
        REQUIRE_MESSAGE(c.ok(), error_of(c));
        CHECK(echo_roundtrip(*c->stream, "via socks5") == "via socks5");
        CHECK(c->stream->peer_name() ==
              "localhost:8080 via proxy 127.0.0.1:" + std::to_string(proxy.port()));
        CHECK_MESSAGE(trace.has("resolved localhost locally: 127.0.0.1"), trace.all());
        CHECK_MESSAGE(trace.has("SOCKS5 CONNECT 127.0.0.1:8080 → succeeded (bound 10.0.0.2:40312)"),
                      trace.all());
        c.value().stream.reset();
        CHECK(proxy.seen().request == hex_bytes("05 01 00 01 7f 00 00 01 1f 90"));
    }
    SUBCASE("socks5h: an address in the URL goes as an address") {
        ScriptedSocks5 proxy({hex_bytes("05 00"), "", success, false});
        auto c = connect(plan_via("ws://[::1]:8080/", proxy_url("socks5h", proxy.port())), {});
        REQUIRE_MESSAGE(c.ok(), error_of(c));
        c.value().stream.reset();
        CHECK(proxy.seen().request ==
              hex_bytes("05 01 00 04 00000000000000000000000000000001 1f 90"));
    }
}
