// Reading transcripts: wscope's JSON Lines (client and server side) and Chrome's HAR.
#include "app/transcript.hpp"

#include <doctest/doctest.h>

#include <string>

namespace wscope::app {
namespace {

using namespace std::chrono_literals;

std::string str(const proto::Bytes& b) { return std::string(b.begin(), b.end()); }

Transcript ok(std::string_view text, std::string_view entry = {}) {
    TranscriptLoad r = parse_transcript(text, entry);
    REQUIRE_MESSAGE(r.transcript.has_value(), r.error);
    return *r.transcript;
}

std::string err(std::string_view text, std::string_view entry = {}) {
    TranscriptLoad r = parse_transcript(text, entry);
    REQUIRE_FALSE(r.transcript.has_value());
    return r.error;
}

const char* client_recording =
    R"({"ts":"2026-11-24T12:00:00.000000Z","type":"open","url":"ws://127.0.0.1:9/chat","status":101,)"
    R"("headers":{"upgrade":"websocket"},"subprotocol":"chat","extensions":null,"version":1,"role":"client",)"
    R"("request_headers":{"host":"127.0.0.1:9","x-token":"abc"}})" "\n"
    R"({"ts":"2026-11-24T12:00:00.250000Z","type":"message","dir":"out","msg_type":"text","size":2,"data":{"text":"hi"}})" "\n"
    R"({"ts":"2026-11-24T12:00:00.251000Z","type":"frame","dir":"in","opcode":"text"})" "\n"
    R"({"ts":"2026-11-24T12:00:00.260000Z","type":"message","dir":"in","msg_type":"binary","size":3,"data":{"bytes":"AAH/"}})" "\n"
    R"({"ts":"2026-11-24T12:00:00.270000Z","type":"ping","dir":"in","data":{"text":""}})" "\n"
    "\n"
    R"({"ts":"2026-11-24T12:00:01.000000Z","type":"close","dir":"out","code":1000,"name":"normal","reason":"bye"})" "\n";

TEST_CASE("a client's recording: header, steps in order, times since the open") {
    const Transcript t = ok(client_recording);
    CHECK(t.version == 1);
    CHECK(t.url == "ws://127.0.0.1:9/chat");
    CHECK(t.subprotocol == "chat");
    CHECK(t.extensions.empty());
    REQUIRE(t.request_headers.size() == 2);
    CHECK(t.request_headers[1].name == "x-token");
    CHECK(t.request_headers[1].value == "abc");
    REQUIRE(t.steps.size() == 3);  // frame and ping records are not steps
    CHECK(t.steps[0].from == Sender::client);
    CHECK(t.steps[0].kind == StepKind::text);
    CHECK(str(t.steps[0].data) == "hi");
    CHECK(t.steps[0].at == 250ms);
    CHECK(t.steps[1].from == Sender::server);
    CHECK(t.steps[1].kind == StepKind::binary);
    CHECK(t.steps[1].data == proto::Bytes{0x00, 0x01, 0xff});
    CHECK(t.steps[1].at == 260ms);
    CHECK(t.steps[2].kind == StepKind::close);
    CHECK(t.steps[2].code == 1000);
    CHECK(str(t.steps[2].data) == "bye");
}

TEST_CASE("a server's recording (listen --record, or listen --jsonl) swaps the sides") {
    const Transcript a = ok(
        R"({"ts":"2026-11-24T12:00:00Z","type":"open","url":"ws://h/","version":1,"role":"server"})" "\n"
        R"({"ts":"2026-11-24T12:00:00.5Z","type":"message","dir":"in","msg_type":"text","data":{"text":"q"}})" "\n"
        R"({"ts":"2026-11-24T12:00:00.6Z","type":"message","dir":"out","msg_type":"text","data":{"text":"a"}})" "\n");
    REQUIRE(a.steps.size() == 2);
    CHECK(a.steps[0].from == Sender::client);
    CHECK(a.steps[0].at == 500ms);
    CHECK(a.steps[1].from == Sender::server);
    const Transcript b = ok(
        R"({"ts":"2026-11-24T12:00:00Z","type":"open","url":"ws://h/","client":3})" "\n"
        R"({"ts":"2026-11-24T12:00:00Z","type":"message","dir":"in","msg_type":"text","data":{"text":"q"},"client":3})" "\n");
    CHECK(b.steps.at(0).from == Sender::client);
}

TEST_CASE("bad transcripts say which line and what") {
    CHECK(err("") == "empty: not a transcript or HAR file");
    CHECK(err("hello\n") == "not JSON: offset 0: unexpected character 'h'");
    CHECK(err(R"({"type":"message","dir":"in","msg_type":"text","data":{"text":"x"}})") ==
          "line 1: expected the \"open\" record first");
    const std::string open = R"({"ts":"2026-11-24T12:00:00Z","type":"open","url":"ws://h/"})" "\n";
    CHECK(err(open + R"({"type":"message","dir":"up","msg_type":"text"})") == "line 2: \"dir\" must be \"in\" or \"out\"");
    CHECK(err(open + R"({"type":"message","dir":"in","msg_type":"text","data":{"bytes":"!!"}})") ==
          "line 2: bad \"data\" (want {\"text\":…} or {\"bytes\":base64})");
    CHECK(err(open + R"({"type":"message","dir":"in","ts":"yesterday"})") == "line 2: bad \"ts\"");
    CHECK(err(open + "{\"type\":\n") == "line 2: offset 8: unexpected end of text");
    CHECK(err(open + open) == "line 2: a second \"open\": one session per transcript");
    CHECK(err(R"({"ts":"2026-11-24T12:00:00Z","type":"open","version":2})") ==
          "line 1: transcript version 2 (this wscope reads version 1)");
    CHECK(err(R"({"ts":"2026-11-24T12:00:00Z","type":"message"})").find("line 1:") == 0);
}

// A HAR file as Chrome DevTools writes one: one page request, two sockets.
const char* har = R"({"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"entries":[
 {"_resourceType":"document","request":{"method":"GET","url":"http://h/","headers":[]},"response":{"status":200,"headers":[]}},
 {"_resourceType":"websocket","startedDateTime":"2026-11-24T12:00:00.000Z",
  "request":{"method":"GET","url":"ws://h/feed","headers":[{"name":"Host","value":"h"},{"name":"X-Token","value":"abc"}]},
  "response":{"status":101,"headers":[{"name":"Sec-WebSocket-Protocol","value":"v2"}]},
  "_webSocketMessages":[
   {"type":"send","time":1795521600.5,"opcode":1,"data":"sub"},
   {"type":"receive","time":1795521600.75,"opcode":2,"data":"AAH/"},
   {"type":"receive","time":1795521601.0,"opcode":1,"data":"tick \u00e9"}]},
 {"_resourceType":"websocket","request":{"url":"ws://h/chat","headers":[{"name":":authority","value":"h"}]},"response":{"headers":[]},
  "_webSocketMessages":[{"type":"send","time":100.0,"opcode":1,"data":"a"},{"type":"receive","time":100.25,"opcode":1,"data":"b"}]}
]}})";

TEST_CASE("HAR: --entry by number or URL part; times since startedDateTime") {
    const Transcript feed = ok(har, "1");
    CHECK(feed.url == "ws://h/feed");
    CHECK(feed.subprotocol == "v2");
    REQUIRE(feed.request_headers.size() == 2);
    CHECK(feed.request_headers[1].name == "X-Token");
    REQUIRE(feed.steps.size() == 3);
    CHECK(feed.steps[0].from == Sender::client);
    CHECK(str(feed.steps[0].data) == "sub");
    CHECK(feed.steps[0].at == 500ms);  // 2026-11-24T12:00:00Z is 1795521600
    CHECK(feed.steps[1].from == Sender::server);
    CHECK(feed.steps[1].kind == StepKind::binary);
    CHECK(feed.steps[1].data == proto::Bytes{0x00, 0x01, 0xff});
    CHECK(feed.steps[1].at == 750ms);
    CHECK(str(feed.steps[2].data) == "tick \xc3\xa9");
    const Transcript chat = ok(har, "chat");
    CHECK(chat.url == "ws://h/chat");
    CHECK(chat.request_headers.empty());  // HTTP/2 pseudo-headers are not headers
    REQUIRE(chat.steps.size() == 2);
    CHECK(chat.steps[0].at == 0ms);  // no startedDateTime: from the first message
    CHECK(chat.steps[1].at == 250ms);
}

TEST_CASE("HAR: choosing goes wrong clearly") {
    CHECK(err(har) == "the HAR file holds 2 WebSocket entries; choose one with --entry N or --entry URL-PART "
                      "(1 ws://h/feed, 2 ws://h/chat)");
    CHECK(err(har, "3") == "--entry 3: the HAR file has WebSocket entries 1 to 2");
    CHECK(err(har, "nope") == "--entry nope: no WebSocket entry's URL contains it");
    CHECK(err(R"({"log":{"entries":[]}})") == "the HAR file holds no WebSocket entry (_resourceType \"websocket\")");
    CHECK(err(R"({"log":{}})") == "not a HAR file (no log.entries)");
    CHECK(err(R"({"log":{"entries":[{"_resourceType":"websocket","_webSocketMessages":[{"type":"send","opcode":1,"data":"x"}]}]}})") ==
          "HAR entry 1: message 1: needs \"time\", \"opcode\" and \"data\"");
}

TEST_CASE("RFC 3339 times") {
    CHECK(parse_rfc3339_us("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339_us("1970-01-01T00:00:01.5Z") == 1500000);
    CHECK(parse_rfc3339_us("2026-11-24T12:00:00.000001Z") == 1795521600000001LL);
    CHECK(parse_rfc3339_us("2026-11-24T13:00:00+01:00") == 1795521600000000LL);
    CHECK_FALSE(parse_rfc3339_us("2026-11-24T12:00:00"));
    CHECK_FALSE(parse_rfc3339_us("2026-13-24T12:00:00Z"));
    CHECK_FALSE(parse_rfc3339_us("2026-11-24T12:00:00.Z"));
}

}  // namespace
}  // namespace wscope::app
