// The bounded HTTP/1.1 head parser (src/proto/http1.hpp; RFC 9112 §2-§5, RFC 9110 §5).
#include "proto/http1.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/feed.hpp"
#include "support/hex.hpp"

using namespace wscope::proto;
using wscope::test::bytes_of;
using wscope::test::plans;
using wscope::test::to_hex;

namespace {

// RFC 6455 §1.2's example request, followed by the first frame the client sends.
const std::string rfc_request =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

const std::string rfc_response =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: chat\r\n"
    "\r\n";

// Feeds input in the plan's pieces until the reader finishes. "done <head size> leftover=<hex>"
// where leftover is what the last piece kept plus the pieces never fed; "error <Errc>" or
// "need_more". The head must be exactly the input's first bytes.
std::string read_head(const Bytes& input, const std::vector<std::size_t>& cuts) {
    HeadReader reader;
    const auto parts = wscope::test::pieces(input, cuts);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        ByteView in = parts[i];
        const auto status = reader.feed(in);
        if (status == HeadReader::Status::need_more) {
            if (!in.empty()) return "BAD: need_more left input unread";
            continue;
        }
        if (status == HeadReader::Status::error)
            return "error " + std::string(info(reader.error().code).name);
        Bytes leftover(in.begin(), in.end());
        for (std::size_t j = i + 1; j < parts.size(); ++j)
            leftover.insert(leftover.end(), parts[j].begin(), parts[j].end());
        const std::string_view head = reader.head();
        if (head.size() + leftover.size() != input.size() ||
            head != as_chars(ByteView(input).first(head.size())))
            return "BAD: head and leftover do not make up the input";
        return "done " + std::to_string(head.size()) + " leftover=" + to_hex(leftover);
    }
    return "need_more";
}

void check_read_head(const Bytes& input, const std::string& expected,
                     std::size_t full_split_limit = 4096) {
    int failures = 0;
    for (const auto& plan : plans(input.size(), full_split_limit)) {
        const std::string got = read_head(input, plan.cuts);
        if (got == expected) continue;
        if (++failures > 3) continue;
        INFO("fed: " << plan.name);
        CHECK(got == expected);
    }
    CHECK_MESSAGE(failures == 0, failures << " feeding plans gave another result");
}

Bytes with_frames(const std::string& head, const char* frame_hex) {
    Bytes out = bytes_of(head);
    const Bytes frames = wscope::test::hex(frame_hex);
    out.insert(out.end(), frames.begin(), frames.end());
    return out;
}

}  // namespace

TEST_CASE("http1: HeadReader finds the end of the head however the bytes arrive") {
    SUBCASE("request with a frame after it: the frame stays in the input") {
        check_read_head(with_frames(rfc_request, "81 85 37 fa 21 3d 7f 9f 4d 51 58"),
                        "done " + std::to_string(rfc_request.size()) +
                            " leftover=81 85 37 fa 21 3d 7f 9f 4d 51 58");
    }
    SUBCASE("response with two frames after it") {
        check_read_head(with_frames(rfc_response, "81 05 48 65 6c 6c 6f 89 00"),
                        "done " + std::to_string(rfc_response.size()) +
                            " leftover=81 05 48 65 6c 6c 6f 89 00");
    }
    SUBCASE("nothing after the head") {
        check_read_head(bytes_of(rfc_response), "done " + std::to_string(rfc_response.size()) + " leftover=");
    }
    SUBCASE("a head whose leftover starts with CR LF is cut at the first empty line") {
        check_read_head(bytes_of("HTTP/1.1 101 OK\r\n\r\n\r\n"), "done 19 leftover=0d 0a");
    }
    SUBCASE("not finished yet") {
        check_read_head(bytes_of("GET / HTTP/1.1\r\nHost: a\r\n"), "need_more");
        check_read_head(bytes_of("GET / HTTP/1.1\r\nHost: a\r\n\r"), "need_more");
    }
}

TEST_CASE("http1: LF-only line endings end the head too (RFC 9112 §2.2 lets a recipient accept them)") {
    const std::string lf = "GET /chat HTTP/1.1\nHost: a\nUpgrade: websocket\n\n";
    check_read_head(with_frames(lf, "88 80 00 00 00 00"),
                    "done " + std::to_string(lf.size()) + " leftover=88 80 00 00 00 00");
    const auto r = parse_request_head(lf);
    REQUIRE(r.ok());
    CHECK(r->target == "/chat");
    CHECK(r->get("Host") == "a");
    CHECK(r->get("Upgrade") == "websocket");
}

TEST_CASE("http1: the 16 KiB limit") {
    CHECK(max_head_size == 16 * 1024);
    // A head of exactly max_head_size bytes (terminator included) is accepted…
    const std::string start = "GET / HTTP/1.1\r\nX-Pad: ";
    const std::string end = "\r\n\r\n";
    std::string exact = start + std::string(max_head_size - start.size() - end.size(), 'p') + end;
    REQUIRE(exact.size() == max_head_size);
    check_read_head(with_frames(exact, "81 00"),
                    "done " + std::to_string(max_head_size) + " leftover=81 00", 64);
    // …one byte more is not, however it arrives.
    std::string over = start + std::string(max_head_size - start.size() - end.size() + 1, 'p') + end;
    check_read_head(bytes_of(over), "error http_head_too_large", 64);
    // A peer that never ends its head is cut off after at most 16 KiB.
    const Bytes endless(100'000, 'x');
    check_read_head(endless, "error http_head_too_large", 64);
    HeadReader reader;
    ByteView in = endless;
    CHECK(reader.feed(in) == HeadReader::Status::error);
    CHECK(endless.size() - in.size() <= max_head_size);
    CHECK(reader.error().code == Errc::http_head_too_large);
}

TEST_CASE("http1: a head that cannot be HTTP fails at its first byte") {
    // A TLS ClientHello: record type 0x16, version 03 01, then a length.
    HeadReader tls;
    const Bytes hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    ByteView in = hello;
    CHECK(tls.feed(in) == HeadReader::Status::error);
    CHECK(tls.error().code == Errc::http_malformed);
    CHECK(tls.error().detail.find("TLS handshake") != std::string::npos);
    HeadReader binary;
    const Bytes zero = {0x00, 'G'};
    in = zero;
    CHECK(binary.feed(in) == HeadReader::Status::error);
    CHECK(binary.error().detail.find("0x00") != std::string::npos);
    // Empty lines before the start line are allowed (RFC 9112 §2.2); tokens wait for more.
    for (const char* start : {"\r\n", "G", "HTTP/1.1 1", "\r\nGET /"}) {
        HeadReader reader;
        const Bytes b = bytes_of(start);
        in = b;
        CHECK_MESSAGE(reader.feed(in) == HeadReader::Status::need_more, start);
    }
}

TEST_CASE("http1: parse_request_head, the RFC 6455 §1.2 request") {
    const auto r = parse_request_head(rfc_request);
    REQUIRE(r.ok());
    CHECK(r->method == "GET");
    CHECK(r->target == "/chat");
    CHECK(r->version == "HTTP/1.1");
    CHECK(r->fields.size() == 7);
    CHECK(r->fields[0].name == "Host");
    CHECK(r->fields[0].value == "server.example.com");
    CHECK(r->get("Sec-WebSocket-Key") == "dGhlIHNhbXBsZSBub25jZQ==");
    CHECK(r->get("Sec-WebSocket-Protocol") == "chat, superchat");
    CHECK_FALSE(r->get("Sec-WebSocket-Extensions").has_value());
}

TEST_CASE("http1: parse_response_head, the RFC 6455 §1.2 response") {
    const auto r = parse_response_head(rfc_response);
    REQUIRE(r.ok());
    CHECK(r->status == 101);
    CHECK(r->reason == "Switching Protocols");
    CHECK(r->version == "HTTP/1.1");
    CHECK(r->get("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK(r->status_line() == "HTTP/1.1 101 Switching Protocols");
}

TEST_CASE("http1: status lines") {
    const auto no_reason = parse_response_head("HTTP/1.1 101\r\n\r\n");
    REQUIRE(no_reason.ok());
    CHECK(no_reason->status == 101);
    CHECK(no_reason->reason.empty());
    const auto not_found = parse_response_head("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(not_found.ok());
    CHECK(not_found->status == 404);
    CHECK(not_found->reason == "Not Found");
    CHECK(not_found->status_line() == "HTTP/1.1 404 Not Found");
}

TEST_CASE("http1: get(), has() and has_token() ignore case; repeated fields are joined") {
    const auto r = parse_request_head(
        "GET / HTTP/1.1\r\n"
        "host: example.com\r\n"
        "CONNECTION: keep-alive\r\n"
        "Connection:Upgrade\r\n"
        "Upgrade: WebSocket\r\n"
        "X-List: a,  b ,,c\r\n"
        "X-Empty:\r\n"
        "X-Spaces:    padded value   \r\n"
        "\r\n");
    REQUIRE(r.ok());
    CHECK(r->get("Host") == "example.com");
    CHECK(r->get("HOST") == "example.com");
    CHECK(r->has("host"));
    CHECK_FALSE(r->has("Origin"));
    CHECK_FALSE(r->get("Origin").has_value());
    // RFC 9110 §5.3: several fields of one name are one comma-separated list.
    CHECK(r->get("connection") == "keep-alive, Upgrade");
    CHECK(r->has_token("Connection", "upgrade"));
    CHECK(r->has_token("connection", "KEEP-ALIVE"));
    CHECK(r->has_token("Upgrade", "websocket"));
    CHECK_FALSE(r->has_token("Upgrade", "web"));
    CHECK_FALSE(r->has_token("Upgrade", "websockets"));
    CHECK_FALSE(r->has_token("Connection", "close"));
    CHECK_FALSE(r->has_token("Origin", "x"));
    CHECK(r->has_token("X-List", "b"));
    CHECK(r->has_token("X-List", "c"));
    CHECK(r->get("X-Empty") == "");
    CHECK(r->has("x-empty"));
    CHECK(r->get("X-Spaces") == "padded value");  // optional whitespace trimmed both sides
}

TEST_CASE("http1: split_list and iequals") {
    const auto items = split_list(" a, ,b ,, c\t");
    REQUIRE(items.size() == 3);
    CHECK(items[0] == "a");
    CHECK(items[1] == "b");
    CHECK(items[2] == "c");
    CHECK(split_list("").empty());
    CHECK(split_list(" , ,").empty());
    CHECK(iequals("Sec-WebSocket-Key", "sec-websocket-key"));
    CHECK_FALSE(iequals("Upgrade", "Upgrades"));
    CHECK(iequals("", ""));
}

TEST_CASE("http1: malformed heads are http_malformed") {
    const char* requests[] = {
        "",                                     // nothing
        "GET /\r\n\r\n",                        // no version
        "GET\r\n\r\n",                          // method only
        "GET  / HTTP/1.1\r\n\r\n",              // two spaces
        "GET / HTTP/1.1 x\r\n\r\n",             // a fourth element
        "GET / HTTX/1.1\r\n\r\n",               // not HTTP
        "GET / HTTP/1\r\n\r\n",                 // bad version
        "G(T / HTTP/1.1\r\n\r\n",               // method is not a token
        "GET / HTTP/1.1\r\nHost example.com\r\n\r\n",    // no colon
        "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n",  // space before the colon (RFC 9112 §5.1)
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",        // empty field name
        "GET / HTTP/1.1\r\nHost: a\r\n continued\r\n\r\n",  // obsolete line folding (§5.2)
        "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n",           // control character in a value
        "GET / HTTP/1.1\r\nX\x7fY: a\r\n\r\n",           // DEL in a name
    };
    for (const char* text : requests) {
        INFO("text := " << std::string(text));
        const auto r = parse_request_head(text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::http_malformed);
    }
    const char* responses[] = {
        "",
        "HTTP/1.1\r\n\r\n",
        "HTTP/1.1 1O1 Switching\r\n\r\n",
        "HTTP/1.1 10 Short\r\n\r\n",
        "HTTP/1.1 1011 Long\r\n\r\n",
        "HTTP/1.1 101Switching\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 101 OK\r\nUpgrade websocket\r\n\r\n",
    };
    for (const char* text : responses) {
        INFO("text := " << std::string(text));
        const auto r = parse_response_head(text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::http_malformed);
    }
}

TEST_CASE("http1: text after an empty line is not part of the head") {
    // The head ends at the first empty line (http1.hpp). Given more, the parser must either
    // refuse it or ignore what follows — never read past the line, never treat it as fields.
    const auto r = parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n\r\nX-After: 1\r\n\r\n");
    if (r.ok()) {
        CHECK_FALSE(r->has("X-After"));
    } else {
        CHECK(r.error().code == Errc::http_malformed);
    }
}

TEST_CASE("http1: status_line() of a head built by hand") {
    HttpHead h;
    h.version = "HTTP/1.1";
    h.status = 426;
    h.reason = "Upgrade Required";
    CHECK(h.status_line() == "HTTP/1.1 426 Upgrade Required");
}

TEST_CASE("http1: a head that cannot start HTTP fails at its first byte, however it arrives") {
    // A whole head behind a byte that no request or status line starts with: read in one
    // piece or a byte at a time, the same error after the same one byte.
    const std::string text = "\xf7 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n";
    for (const std::size_t piece : {text.size(), std::size_t{1}, std::size_t{5}}) {
        HeadReader reader;
        std::size_t consumed = 0;
        HeadReader::Status st = HeadReader::Status::need_more;
        while (consumed < text.size() && st == HeadReader::Status::need_more) {
            const std::string_view chunk = std::string_view(text).substr(consumed, piece);
            ByteView in = as_bytes(chunk);
            st = reader.feed(in);
            consumed += chunk.size() - in.size();
        }
        CAPTURE(piece);
        CHECK(st == HeadReader::Status::error);
        CHECK(consumed == 1);
        CHECK(reader.error().code == Errc::http_malformed);
    }
}
