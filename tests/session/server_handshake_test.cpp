// ServerHandshake (src/session/server_handshake.hpp): a client's request read as it trickles in
// over a scripted FakeStream, then 101, a refusal with the right status, or "gone".
#include "session/server_handshake.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "support/fake_stream.hpp"
#include "support/hex.hpp"

using namespace wscope;
using session::ServerHandshake;
using State = session::ServerHandshake::State;
using test::bytes_of;
using test::concat;
using test::FakeStream;
using test::hex;
using test::to_hex;

namespace {

// RFC 6455 §1.3's sample key and its accept value.
constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view sample_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string request(std::string_view method = "GET", std::string_view version = "13") {
    std::string r(method);
    r += " /chat HTTP/1.1\r\n"
         "Host: server.example.com\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Key: ";
    r += sample_key;
    r += "\r\nSec-WebSocket-Version: ";
    r += version;
    r += "\r\n\r\n";
    return r;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}
bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("server handshake: a request in 1-byte reads completes on its last byte") {
    FakeStream stream;
    ServerHandshake hs({}, false);
    const std::string req = request();
    for (std::size_t i = 0; i < req.size(); ++i) {
        CAPTURE(i);
        REQUIRE(hs.state() == State::reading);
        stream.push_read(std::string_view(req).substr(i, 1));
        hs.on_readable(stream);
    }
    REQUIRE(hs.state() == State::accepted);
    CHECK(hs.request_head() == req);
    CHECK(hs.accepted().key == sample_key);
    CHECK(hs.leftover().empty());
    const std::string& resp = hs.response();
    CHECK(starts_with(resp, "HTTP/1.1 101 Switching Protocols\r\n"));
    CHECK(contains(resp, "\r\nSec-WebSocket-Accept: " + std::string(sample_accept) + "\r\n"));
    CHECK(contains(resp, "\r\nUpgrade: websocket\r\n"));
    CHECK(resp.ends_with("\r\n\r\n"));
    CHECK_FALSE(contains(resp, "Sec-WebSocket-Extensions"));
}

TEST_CASE("server handshake: short reads of every size give the same result") {
    const std::string req = request();
    for (std::size_t k = 1; k <= req.size(); ++k) {
        CAPTURE(k);
        FakeStream stream;
        stream.set_read_limit(k);
        stream.push_read(req);
        ServerHandshake hs({}, false);
        CHECK(hs.on_readable(stream) == State::accepted);
        CHECK(hs.request_head() == req);
        CHECK(stream.unread() == 0);
    }
}

TEST_CASE("server handshake: frame bytes after the head are kept as leftover") {
    // A masked "Hello" (RFC 6455 §5.7) sent right behind the request.
    const proto::Bytes frame = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    FakeStream stream;
    stream.push_read(concat({proto::as_bytes(request()), frame}));
    ServerHandshake hs({}, false);
    REQUIRE(hs.on_readable(stream) == State::accepted);
    CHECK(to_hex(hs.leftover()) == to_hex(frame));
    CHECK(hs.request_head() == request());
}

TEST_CASE("server handshake: bytes after the head that arrive in a later read stay in the stream") {
    const proto::Bytes frame = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    const std::string req = request();
    FakeStream stream;
    stream.set_read_limit(req.size() - 3);  // the head ends inside the second read
    stream.push_read(concat({proto::as_bytes(req), frame}));
    ServerHandshake hs({}, false);
    REQUIRE(hs.on_readable(stream) == State::accepted);
    // Nothing is lost: what came with the head's last read is leftover; the rest is unread.
    CHECK(to_hex(concat({hs.leftover(), stream.unread_bytes()})) == to_hex(frame));
}

TEST_CASE("server handshake: a partial request keeps reading") {
    FakeStream stream;
    stream.push_read(std::string_view(request()).substr(0, 20));
    ServerHandshake hs({}, false);
    CHECK(hs.on_readable(stream) == State::reading);
    CHECK(hs.response().empty());
}

TEST_CASE("server handshake: POST → rejected with 405 and Allow: GET") {
    FakeStream stream;
    stream.push_read(request("POST"));
    ServerHandshake hs({}, false);
    REQUIRE(hs.on_readable(stream) == State::rejected);
    CHECK(hs.error().code == proto::Errc::handshake_method_not_allowed);
    const std::string& resp = hs.response();
    CHECK(starts_with(resp, "HTTP/1.1 405 Method Not Allowed\r\n"));
    CHECK(contains(resp, "\r\nAllow: GET\r\n"));
    CHECK_FALSE(contains(resp, "Sec-WebSocket-Accept"));
}

TEST_CASE("server handshake: Sec-WebSocket-Version 8 → 426 with Sec-WebSocket-Version: 13") {
    FakeStream stream;
    stream.push_read(request("GET", "8"));
    ServerHandshake hs({}, false);
    REQUIRE(hs.on_readable(stream) == State::rejected);
    CHECK(hs.error().code == proto::Errc::handshake_bad_version);
    const std::string& resp = hs.response();
    CHECK(starts_with(resp, "HTTP/1.1 426 Upgrade Required\r\n"));
    CHECK(contains(resp, "\r\nSec-WebSocket-Version: 13\r\n"));
    CHECK_FALSE(contains(resp, "Sec-WebSocket-Accept"));
}

TEST_CASE("server handshake: EOF in the middle of the request → gone") {
    FakeStream stream;
    stream.push_read(std::string_view(request()).substr(0, 30));
    stream.push_eof();
    ServerHandshake hs({}, false);
    CHECK(hs.on_readable(stream) == State::gone);
    CHECK(hs.state() == State::gone);
    CHECK_FALSE(hs.stream_failed());
    CHECK(contains(hs.gone_reason(), "closed"));
    CHECK(hs.response().empty());  // nobody to answer
}

TEST_CASE("server handshake: a stream error in the middle of the request → gone, stream_failed") {
    FakeStream stream;
    stream.push_read(std::string_view(request()).substr(0, 30));
    stream.push_read_error("tls alert: bad record mac");
    ServerHandshake hs({}, false);
    CHECK(hs.on_readable(stream) == State::gone);
    CHECK(hs.stream_failed());
    CHECK(hs.gone_reason() == "tls alert: bad record mac");
}

TEST_CASE("server handshake: a head over 16 KiB → rejected with 431") {
    std::string req = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n";
    while (req.size() < 17 * 1024) req += "X-Filler: " + std::string(100, 'a') + "\r\n";
    FakeStream stream;
    stream.push_read(req);  // never ends with a blank line: the limit must stop it
    ServerHandshake hs({}, false);
    REQUIRE(hs.on_readable(stream) == State::rejected);
    CHECK(hs.error().code == proto::Errc::http_head_too_large);
    CHECK(starts_with(hs.response(), "HTTP/1.1 431 "));
}
