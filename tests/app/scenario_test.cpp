// listen --script: the rule parser and the interpreter (src/app/scenario.hpp).
#include "app/scenario.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

namespace wscope::app {
namespace {

// SPEC §2.7's example, verbatim.
constexpr std::string_view spec_example =
    "open              send {\"type\":\"hello\"}\n"
    "text /\"op\":\"sub\"/ send {\"type\":\"ack\"} ; every 50ms x3 send {\"tick\":$n}\n"
    "text \"bye\"        close 4000 see you\n"
    "text *            send {\"echo\":$msg}\n";

std::shared_ptr<const Script> script(std::string_view text) {
    ScriptParse p = parse_script(text, "t.ws");
    if (const auto* e = std::get_if<std::string>(&p)) FAIL(*e);
    return std::make_shared<const Script>(std::get<Script>(std::move(p)));
}

std::string error_of(std::string_view text) {
    ScriptParse p = parse_script(text, "t.ws");
    const auto* e = std::get_if<std::string>(&p);
    return e ? *e : std::string("(parsed)");
}

// The steps, one word each: "send:TEXT", "wait:MS", "close:CODE:REASON"…
std::vector<std::string> words(const std::vector<Step>& steps) {
    std::vector<std::string> out;
    for (const Step& s : steps) {
        switch (s.kind) {
            case Step::Kind::send_text: out.push_back("send:" + s.text); break;
            case Step::Kind::send_binary: out.push_back("binary:" + std::to_string(s.bytes.size())); break;
            case Step::Kind::wait: out.push_back("wait:" + std::to_string(s.ms.count())); break;
            case Step::Kind::close: out.push_back("close:" + std::to_string(s.code) + ":" + s.text); break;
            case Step::Kind::drop: out.push_back("drop"); break;
            case Step::Kind::fault: out.push_back("fault:" + s.fault.spec); break;
            case Step::Kind::expect: out.push_back("expect:" + s.expect.describe()); break;
        }
    }
    return out;
}

std::vector<Step> text(Scenario& s, std::string_view msg) {
    return s.on_message(proto::MessageType::text, proto::as_bytes(msg));
}

using W = std::vector<std::string>;

}  // namespace

TEST_CASE("the SPEC §2.7 example: hello, ack, three ticks, close 4000 \"see you\", and echoes") {
    Scenario s(script(spec_example));
    CHECK(words(s.on_open()) == W{"send:{\"type\":\"hello\"}"});
    CHECK(words(text(s, "{\"op\":\"sub\"}")) ==
          W{"send:{\"type\":\"ack\"}", "wait:50", "send:{\"tick\":1}", "wait:50", "send:{\"tick\":2}", "wait:50",
            "send:{\"tick\":3}"});
    CHECK(words(text(s, "bye")) == W{"close:4000:see you"});
    CHECK(words(text(s, "other")) == W{"send:{\"echo\":other}"});
    CHECK(words(s.on_message(proto::MessageType::binary, proto::Bytes{1, 2})).empty());
    CHECK(words(s.on_close()).empty());
}

TEST_CASE("triggers: the first match wins; binary, *, close; $n counts a rule's runs") {
    Scenario s(script("binary send-binary 01 02 ff\n"
                      "text \"a\" send a$n\n"
                      "* send any:$msg\n"
                      "close send never-sent ; sleep 1s\n"));
    CHECK(words(s.on_message(proto::MessageType::binary, proto::Bytes{0xab})) == W{"binary:3"});
    CHECK(words(text(s, "a")) == W{"send:a1"});
    CHECK(words(text(s, "a")) == W{"send:a2"});
    CHECK(words(text(s, "b")) == W{"send:any:b"});
    CHECK(words(s.on_close()) == W{"send:never-sent", "wait:1000"});
}

TEST_CASE("actions: sleep, drop, fault, expect; comments and blank lines") {
    Scenario s(script("# a mock\n\n"
                      "open expect text \"token=good\"   # the client must log in first\n"
                      "text /^token=/ sleep 20 ; send ok ; fault no-pong ; fault close=4001:bad token@1\n"
                      "text \"quit\" drop\n"));
    const auto open = s.on_open();
    CHECK(words(open) == W{"expect:text \"token=good\""});
    s.arm(open.front());
    CHECK_FALSE(s.check(proto::MessageType::text, proto::as_bytes(std::string_view("token=good"))));
    CHECK(words(text(s, "token=good")) == W{"wait:20", "send:ok", "fault:no-pong", "fault:close=4001:bad token@1"});
    CHECK(words(text(s, "quit")) == W{"drop"});
}

TEST_CASE("expect: a different message, or none before the client leaves, is unmet") {
    Scenario s(script("open expect text \"hi\" ; expect binary\n"));
    const auto steps = s.on_open();
    REQUIRE(steps.size() == 2);
    s.arm(steps[0]);
    s.arm(steps[1]);
    const auto miss = s.check(proto::MessageType::text, proto::as_bytes(std::string_view("hello")));
    REQUIRE(miss);
    CHECK(*miss == "line 1: expected text \"hi\", got text \"hello\"");
    const auto left = s.unmet_at_end();
    CHECK(left == std::vector<std::string>{"line 1: expected binary, but the client left first"});
    CHECK(s.unmet_at_end().empty());
}

TEST_CASE("expect text /regex/ matches by search") {
    Scenario s(script("open expect text /\"op\":\\s*\"sub\"/\n"));
    s.arm(s.on_open().front());
    CHECK_FALSE(s.check(proto::MessageType::text, proto::as_bytes(std::string_view("{\"op\": \"sub\"}"))));
}

TEST_CASE("a bad script names the file, line and column") {
    CHECK(error_of("open sned hi\n") ==
          "t.ws:1:6: unknown action \"sned\" (send, send-binary, sleep, every, close, drop, fault or expect)");
    CHECK(error_of("# fine\ntext /(/ send x\n").starts_with("t.ws:2:6: bad regex /(/: "));
    CHECK(error_of("text \"open send x\n") == "t.ws:1:6: unterminated \"…\"");
    CHECK(error_of("texts send x\n").starts_with("t.ws:1:1: unknown trigger \"texts\""));
    CHECK(error_of("open\n") == "t.ws:1:5: the rule has no action");
    CHECK(error_of("open send a ; ; send b\n") == "t.ws:1:15: empty action (two ';' in a row?)");
    CHECK(error_of("open close 1005\n") ==
          "t.ws:1:12: close needs a CODE that may be sent (1000-1003, 1007-1014, 3000-4999)");
    CHECK(error_of("open every 50ms 3 send x\n") == "t.ws:1:17: every needs xN (a repeat count: x3)");
    CHECK(error_of("open sleep soon\n") == "t.ws:1:12: sleep needs MS (a number of milliseconds, 50ms or 2s)");
    CHECK(error_of("open fault reject=403\n") == "t.ws:1:12: reject=403 acts before the session: use --fault");
    CHECK(error_of("open fault nope\n").starts_with("t.ws:1:12: \"nope\" is not a fault"));
    CHECK(error_of("open send-binary 0g\n") == "t.ws:1:18: send-binary needs HEX (pairs of hex digits)");
    CHECK(error_of("# nothing\n") == "t.ws:1:1: the script has no rule");
}

TEST_CASE("a ';' inside double quotes is part of the text; \\; too") {
    Scenario s(script("open send {\"a\":\"x;y\"} ; send b\\;c\n"));
    CHECK(words(s.on_open()) == W{"send:{\"a\":\"x;y\"}", "send:b;c"});
}

}  // namespace wscope::app
