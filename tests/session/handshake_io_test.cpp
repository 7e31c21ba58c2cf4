// client_handshake (src/session/handshake_io.hpp) over a FakeStream whose replies are computed
// from the request the client actually wrote.
//
// The FakeStream never returns want_read here: client_handshake would poll() its fd, and the
// fake's fd is -1. Every scripted exchange completes without waiting.
#include "session/handshake_io.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "proto/handshake.hpp"
#include "support/fake_stream.hpp"
#include "support/hex.hpp"

using namespace wscope;
using session::Outcome;
using test::concat;
using test::FakeStream;
using test::hex;
using test::to_hex;

namespace {

constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";

proto::ClientRequest sample_request() {
    proto::ClientRequest req;
    req.host = "server.example.com";
    req.target = "/chat";
    req.key = std::string(sample_key);
    return req;
}

// The value of a header in a written request ("" if absent).
std::string header_value(std::string_view head, std::string_view name) {
    const std::string needle = "\r\n" + std::string(name) + ": ";
    const auto at = head.find(needle);
    if (at == std::string_view::npos) return {};
    const auto from = at + needle.size();
    return std::string(head.substr(from, head.find("\r\n", from) - from));
}

// A server that answers once the whole request head has been written: the 101 carries the
// accept value computed from the key the client wrote, followed by extra bytes (early frames).
struct Server {
    std::string key_seen;
    bool answered = false;

    void install(FakeStream& stream, proto::Bytes after_head, bool corrupt_accept = false) {
        stream.set_responder([this, after_head, corrupt_accept](FakeStream& s) {
            if (answered) return;
            const std::string_view w = proto::as_chars(s.written());
            if (!w.ends_with("\r\n\r\n")) return;
            key_seen = header_value(w, "Sec-WebSocket-Key");
            std::string accept = proto::compute_accept(key_seen);
            if (corrupt_accept) accept[0] = accept[0] == 'A' ? 'B' : 'A';
            const std::string head =
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Accept: " +
                accept + "\r\n\r\n";
            s.push_read(concat({proto::as_bytes(head), after_head}));
            answered = true;
        });
    }
};

}  // namespace

TEST_CASE("client_handshake: a correct 101 → ok, with the following bytes kept") {
    // The §1.3 pair, to show the server side of this test computes what the RFC says.
    REQUIRE(proto::compute_accept(sample_key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    const proto::Bytes early = hex("81 05 48 65 6c 6c 6f 89 00");  // "Hello", then a PING
    FakeStream stream;
    Server server;
    server.install(stream, early);
    std::vector<std::string> trace;
    auto r = session::client_handshake(stream, sample_request(), session::seconds(2),
                                       [&](const std::string& line) { trace.push_back(line); });
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(server.key_seen == sample_key);
    CHECK(r->response.status == 101);
    CHECK(r->agreed.subprotocol.empty());
    CHECK(r->agreed.extensions.empty());
    CHECK(to_hex(r->leftover) == to_hex(early));
    CHECK(stream.unread() == 0);
    // What went out is exactly the request make_request() builds.
    CHECK(proto::as_chars(stream.written()) == proto::make_request(sample_request()));
    REQUIRE_FALSE(trace.empty());
    CHECK(trace.front() == "> GET /chat HTTP/1.1");
    CHECK(std::find(trace.begin(), trace.end(), "< HTTP/1.1 101 Switching Protocols") !=
          trace.end());
}

TEST_CASE("client_handshake: short reads and short writes lose no bytes") {
    const proto::Bytes early = hex("82 03 01 02 03");
    for (std::size_t k : {1u, 2u, 7u, 64u}) {
        CAPTURE(k);
        FakeStream stream;
        stream.set_read_limit(k);
        stream.set_write_limit(5);
        Server server;
        server.install(stream, early);
        auto r = session::client_handshake(stream, sample_request(), session::seconds(2), {});
        REQUIRE_MESSAGE(r.ok(), r.error().message);
        // The head's last read may carry some early bytes; the rest wait in the stream.
        CHECK(to_hex(concat({r->leftover, stream.unread_bytes()})) == to_hex(early));
        CHECK(proto::as_chars(stream.written()) == proto::make_request(sample_request()));
    }
}

TEST_CASE("client_handshake: a wrong Sec-WebSocket-Accept → handshake_rejected") {
    FakeStream stream;
    Server server;
    server.install(stream, {}, true);
    auto r = session::client_handshake(stream, sample_request(), session::seconds(2), {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().outcome == Outcome::handshake_rejected);
    CHECK(r.error().message.find("Sec-WebSocket-Accept") != std::string::npos);
}

TEST_CASE("client_handshake: a 404 → handshake_rejected naming the status") {
    FakeStream stream;
    stream.set_responder([](FakeStream& s) {
        if (proto::as_chars(s.written()).ends_with("\r\n\r\n"))
            s.push_read("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    proto::HttpHead seen;
    auto r = session::client_handshake(stream, sample_request(), session::seconds(2), {}, &seen);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().outcome == Outcome::handshake_rejected);
    CHECK(r.error().message.find("404") != std::string::npos);
    CHECK(seen.status == 404);  // handed out for -L / diagnostics
}

TEST_CASE("client_handshake: EOF before any response → handshake_rejected") {
    FakeStream stream;
    stream.push_eof();
    auto r = session::client_handshake(stream, sample_request(), session::seconds(2), {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().outcome == Outcome::handshake_rejected);
    CHECK(r.error().message.find("without a response") != std::string::npos);
}

TEST_CASE("client_handshake: a write error → connect_failed") {
    FakeStream stream;
    stream.push_write_result({net::IoResult::Status::error, 0, "Broken pipe", false});
    auto r = session::client_handshake(stream, sample_request(), session::seconds(2), {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().outcome == Outcome::connect_failed);
    CHECK(r.error().message.find("Broken pipe") != std::string::npos);
}
