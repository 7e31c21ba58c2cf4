// What replay shows and writes: the --expect difference, --ignore masking, the Tsung export.
#include "app/replay_diff.hpp"

#include <doctest/doctest.h>

#include <string>

#include "app/tsung_export.hpp"

namespace wscope::app {
namespace {

using namespace std::chrono_literals;

proto::Bytes bytes(std::string_view s) { return proto::Bytes(s.begin(), s.end()); }

TranscriptStep step(Sender from, StepKind kind, std::string_view data, std::chrono::microseconds at = 0us) {
    TranscriptStep s;
    s.from = from;
    s.kind = kind;
    s.data = bytes(data);
    s.at = at;
    return s;
}

TEST_CASE("a text difference is quoted, with the first differing byte") {
    const TranscriptStep expected = step(Sender::server, StepKind::text, "id=17 \"ok\"");
    const ReceivedMessage got{proto::MessageType::text, bytes("id=18 \"ok\"")};
    CHECK_FALSE(same_message(expected, got, {}));
    CHECK(describe_difference(expected, got) ==
          "  expected text (10 bytes): \"id=17 \\\"ok\\\"\"\n"
          "  received text (10 bytes): \"id=18 \\\"ok\\\"\"\n"
          "  first difference at byte 4\n");
    CHECK(describe_difference(expected, std::nullopt) ==
          "  expected text (10 bytes): \"id=17 \\\"ok\\\"\"\n  received nothing\n");
}

TEST_CASE("binary is shown as hex; a type change is a difference") {
    const TranscriptStep expected = step(Sender::server, StepKind::binary, std::string_view("\x00\x01\xff", 3));
    const ReceivedMessage same{proto::MessageType::binary, bytes(std::string_view("\x00\x01\xff", 3))};
    const ReceivedMessage as_text{proto::MessageType::text, bytes(std::string_view("\x00\x01\xff", 3))};
    CHECK(same_message(expected, same, {}));
    CHECK_FALSE(same_message(expected, as_text, {}));
    const std::string d = describe_difference(expected, ReceivedMessage{proto::MessageType::binary, bytes("AB")});
    CHECK(d.find("  expected binary (3 bytes):\n    0000: 00 01 ff") == 0);
    CHECK(d.find("  received binary (2 bytes):\n    0000: 41 42") != std::string::npos);
    CHECK(d.find("first difference at byte 0") != std::string::npos);
}

TEST_CASE("--ignore masks matches in both messages") {
    const IgnoreRules rules = compile_ignores({R"("id":\d+)", R"(\d{4}-\d\d-\d\dT[0-9:.]+Z)"});
    REQUIRE(rules.error.empty());
    const TranscriptStep expected = step(Sender::server, StepKind::text, R"({"id":1,"at":"2026-11-24T12:00:00Z","v":"a"})");
    CHECK(same_message(expected, {proto::MessageType::text, bytes(R"({"id":99,"at":"2026-12-02T05:00:01.5Z","v":"a"})")},
                       rules.patterns));
    CHECK_FALSE(same_message(expected, {proto::MessageType::text, bytes(R"({"id":99,"at":"2026-12-02T05:00:01Z","v":"b"})")},
                             rules.patterns));
    CHECK(masked(bytes("a1b22"), compile_ignores({"\\d+"}).patterns) == "a\xe2\x80\xa6" "b\xe2\x80\xa6");
    CHECK(compile_ignores({"("}).error.find("--ignore \"(\": not a regular expression") == 0);
}

TEST_CASE("the Tsung export: server, path, think times, acks, escaping") {
    Transcript t;
    t.url = "ws://example.com:9000/chat?room=1";
    t.subprotocol = "v1";
    t.steps.push_back(step(Sender::client, StepKind::text, "<hi & \"bye\">", 1500ms));
    t.steps.push_back(step(Sender::server, StepKind::text, "ok", 1600ms));
    t.steps.push_back(step(Sender::client, StepKind::text, "later", 2600ms));
    t.steps.push_back(step(Sender::client, StepKind::binary, std::string_view("\x00\x01", 2), 2700ms));
    t.steps.push_back(step(Sender::client, StepKind::close, "", 2800ms));
    const TsungExport x = export_tsung(t, t.url);
    REQUIRE(x.error.empty());
    const std::string& s = x.text;
    CHECK(s.find("<!DOCTYPE tsung SYSTEM \"/usr/share/tsung/tsung-1.0.dtd\">") != std::string::npos);
    CHECK(s.find("<server host=\"example.com\" port=\"9000\" type=\"tcp\"/>") != std::string::npos);
    CHECK(s.find("<websocket type=\"connect\" path=\"/chat?room=1\" subprotocols=\"v1\">") != std::string::npos);
    CHECK(s.find("<thinktime value=\"1.500\" random=\"false\"/>\n"
                 "      <request><websocket type=\"message\" frame=\"text\">&lt;hi &amp; &quot;bye&quot;&gt;</websocket></request>") !=
          std::string::npos);
    // The think time after an answered message counts from the answer.
    CHECK(s.find("<thinktime value=\"1.000\" random=\"false\"/>\n"
                 "      <request><websocket type=\"message\" frame=\"text\" ack=\"no_ack\">later</websocket></request>") !=
          std::string::npos);
    CHECK(s.find("<!-- message 4: 2 bytes that XML cannot hold: left out -->") != std::string::npos);
    CHECK(s.find("<websocket type=\"close\"></websocket>") != std::string::npos);
    CHECK(s.find("--export") == std::string::npos);  // XML comments may not hold "--"
    CHECK(export_tsung(t, "").error.find("records no URL") != std::string::npos);
    CHECK(export_tsung(t, "wss://secure.example/").text.find("port=\"443\" type=\"ssl\"") != std::string::npos);
}

}  // namespace
}  // namespace wscope::app
