// Golden tests for the --jsonl event records.
#include "present/jsonl.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

using namespace std::chrono;
using proto::Opcode;
using test::hex;
using test::view;

const TimePoint ts =
    time_point_cast<system_clock::duration>(sys_days{2026y / 11 / 24} + 11h + 22min + 33s + 123456us);
constexpr std::string_view ts_json = R"("ts":"2026-11-24T11:22:33.123456Z")";

std::string expected(std::string_view rest) { return "{" + std::string(ts_json) + "," + std::string(rest) + "}\n"; }

TEST_CASE("jsonl: open event with headers, subprotocol and extensions") {
    const std::vector<proto::HeaderField> headers{
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
        {"Sec-WebSocket-Protocol", "chat"},
        {"Sec-WebSocket-Extensions", "permessage-deflate"},
    };
    OpenInfo open{"ws://example.com/chat", 101, headers, "chat", "permessage-deflate"};
    CHECK(open_event(ts, open).line() ==
          expected(R"("type":"open","url":"ws://example.com/chat","status":101,)"
                   R"("headers":{"upgrade":"websocket","connection":"Upgrade",)"
                   R"("sec-websocket-accept":"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",)"
                   R"("sec-websocket-protocol":"chat",)"
                   R"("sec-websocket-extensions":"permessage-deflate"},)"
                   R"("subprotocol":"chat","extensions":"permessage-deflate")"));
}

TEST_CASE("jsonl: open event without subprotocol or extensions; repeated headers joined") {
    const std::vector<proto::HeaderField> headers{
        {"Set-Cookie", "a=1"}, {"X-Quote", "say \"hi\""}, {"set-cookie", "b=2"}};
    OpenInfo open{"wss://h/", 101, headers, "", ""};
    CHECK(open_event(ts, open).line() ==
          expected(R"("type":"open","url":"wss://h/","status":101,)"
                   R"("headers":{"set-cookie":"a=1, b=2","x-quote":"say \"hi\""},)"
                   R"("subprotocol":null,"extensions":null)"));
    CHECK(open_event(ts, OpenInfo{"ws://h/", 101, {}, "", ""}).line() ==
          expected(R"("type":"open","url":"ws://h/","status":101,"headers":{},)"
                   R"("subprotocol":null,"extensions":null)"));
}

TEST_CASE("jsonl: frame event, RFC 6455 §5.7 masked \"Hello\"") {
    proto::FrameHeader h;
    h.opcode = Opcode::text;
    h.mask = proto::MaskKey{0x37, 0xfa, 0x21, 0x3d};
    h.payload_len = 5;
    CHECK(frame_event(ts, Direction::out, h).line() ==
          expected(R"("type":"frame","dir":"out","opcode":"text","op":1,"fin":true,)"
                   R"("rsv1":false,"rsv2":false,"rsv3":false,"masked":true,"mask":"37fa213d",)"
                   R"("len":5,"len_encoding":7)"));
}

TEST_CASE("jsonl: frame event, unmasked, RSV bits, 16- and 64-bit lengths") {
    proto::FrameHeader h;
    h.fin = false;
    h.rsv = proto::rsv1 | proto::rsv3;
    h.opcode = Opcode::binary;
    h.payload_len = 256;
    h.length_encoding = proto::LengthEncoding::len16;
    CHECK(frame_event(ts, Direction::in, h).line() ==
          expected(R"("type":"frame","dir":"in","opcode":"binary","op":2,"fin":false,)"
                   R"("rsv1":true,"rsv2":false,"rsv3":true,"masked":false,"mask":null,)"
                   R"("len":256,"len_encoding":16)"));
    h.opcode = Opcode::continuation;
    h.rsv = proto::rsv2;
    h.payload_len = 9223372036854775807u;
    h.length_encoding = proto::LengthEncoding::len64;
    CHECK(frame_event(ts, Direction::in, h).line() ==
          expected(R"("type":"frame","dir":"in","opcode":"continuation","op":0,"fin":false,)"
                   R"("rsv1":false,"rsv2":true,"rsv3":false,"masked":false,"mask":null,)"
                   R"("len":9223372036854775807,"len_encoding":64)"));
}

TEST_CASE("jsonl: opcode names, reserved ones by number") {
    CHECK(json_opcode_name(Opcode::close) == "close");
    CHECK(json_opcode_name(Opcode::ping) == "ping");
    CHECK(json_opcode_name(Opcode::pong) == "pong");
    CHECK(json_opcode_name(static_cast<Opcode>(0x3)) == "reserved");
    CHECK(json_opcode_name(static_cast<Opcode>(0xf)) == "reserved");
    proto::FrameHeader h;
    h.opcode = static_cast<Opcode>(0xb);
    CHECK(frame_event(ts, Direction::in, h).str().find(R"("opcode":"reserved","op":11,)") !=
          std::string::npos);
}

TEST_CASE("jsonl: text message") {
    CHECK(message_event(ts, Direction::in, proto::MessageType::text, view("hello")).line() ==
          expected(R"("type":"message","dir":"in","msg_type":"text","size":5,)"
                   R"("data":{"text":"hello"})"));
}

TEST_CASE("jsonl: message text is escaped; non-ASCII kept") {
    CHECK(message_event(ts, Direction::out, proto::MessageType::text,
                        view("\"q\"\\\x01\xe2\x82\xac"))
              .line() == expected("\"type\":\"message\",\"dir\":\"out\",\"msg_type\":\"text\","
                                  "\"size\":8,\"data\":{\"text\":\"\\\"q\\\"\\\\\\u0001\xe2\x82\xac\"}"));
}

TEST_CASE("jsonl: binary message that is not UTF-8 goes in the bytes envelope") {
    CHECK(message_event(ts, Direction::in, proto::MessageType::binary, hex("00 ff 10 80")).line() ==
          expected(R"("type":"message","dir":"in","msg_type":"binary","size":4,)"
                   R"("data":{"bytes":"AP8QgA=="})"));
}

TEST_CASE("jsonl: invalid UTF-8 is never written raw") {
    const std::string line =
        message_event(ts, Direction::in, proto::MessageType::binary, view("ok\xc3(")).line();
    CHECK(line == expected(R"("type":"message","dir":"in","msg_type":"binary","size":4,)"
                           R"("data":{"bytes":"b2vDKA=="})"));
    CHECK(line.find('\xc3') == std::string::npos);
}

TEST_CASE("jsonl: empty message") {
    CHECK(message_event(ts, Direction::in, proto::MessageType::binary, {}).line() ==
          expected(R"("type":"message","dir":"in","msg_type":"binary","size":0,)"
                   R"("data":{"text":""})"));
}

TEST_CASE("jsonl: ping and pong, with and without rtt") {
    CHECK(ping_event(ts, Direction::out, view("p1")).line() ==
          expected(R"("type":"ping","dir":"out","data":{"text":"p1"})"));
    CHECK(pong_event(ts, Direction::in, view("p1"), 12.3456).line() ==
          expected(R"("type":"pong","dir":"in","data":{"text":"p1"},"rtt_ms":12.346)"));
    CHECK(pong_event(ts, Direction::out, hex("ff 00")).line() ==
          expected(R"("type":"pong","dir":"out","data":{"bytes":"/wA="})"));
}

TEST_CASE("jsonl: close with code, name and reason") {
    CHECK(close_event(ts, Direction::in, 1000, "bye").line() ==
          expected(R"("type":"close","dir":"in","code":1000,"name":"normal","reason":"bye")"));
    CHECK(close_event(ts, Direction::out, 4001, "").line() ==
          expected(R"("type":"close","dir":"out","code":4001,"name":"private use","reason":"")"));
}

TEST_CASE("jsonl: close without a status code") {
    CHECK(close_event(ts, Direction::in, std::nullopt, "").line() ==
          expected(R"("type":"close","dir":"in","code":null,"name":"no status","reason":"")"));
}

TEST_CASE("jsonl: error event") {
    CHECK(error_event(ts, "protocol", "server frame is masked (RFC 6455 \xc2\xa7" "5.1)", 5)
              .line() == expected("\"type\":\"error\",\"kind\":\"protocol\","
                                  "\"message\":\"server frame is masked (RFC 6455 \xc2\xa7"
                                  "5.1)\",\"exit_code\":5"));
}

TEST_CASE("jsonl: injected event (a test server's fault)") {
    CHECK(injected_event(ts, "drop@2").line() == expected("\"type\":\"injected\",\"injected\":\"drop@2\""));
}

TEST_CASE("jsonl: callers can add members before writing the line") {
    JsonObject o = ping_event(ts, Direction::in, {});
    o.number("client", 3);
    CHECK(o.line() == expected(R"("type":"ping","dir":"in","data":{"text":""},"client":3)"));
}

TEST_CASE("jsonl: every record is one line") {
    const std::string line =
        message_event(ts, Direction::in, proto::MessageType::text, view("a\nb\r\n")).line();
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.find('\r') == std::string::npos);
}

}  // namespace
}  // namespace wscope::present
