// listen --fault: the SPEC grammar, the handshake rewrites and the violation frames
// (src/app/faults.hpp).
#include "app/faults.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "proto/frame.hpp"

namespace wscope::app {
namespace {

Fault ok(std::string_view spec) {
    FaultParse p = parse_fault(spec);
    if (const auto* e = std::get_if<std::string>(&p)) FAIL_CHECK(*e);
    REQUIRE(std::holds_alternative<Fault>(p));
    return std::get<Fault>(p);
}

std::string error_of(std::string_view spec) {
    FaultParse p = parse_fault(spec);
    const auto* e = std::get_if<std::string>(&p);
    return e ? *e : std::string();
}

const std::string accept_101 =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

HandshakeReply rewritten(std::string_view spec) {
    HandshakeReply reply{accept_101, {}, {}, true};
    apply_handshake_fault(ok(spec), reply);
    return reply;
}

}  // namespace

TEST_CASE("parse_fault: every SPEC of SPEC §2.6") {
    CHECK(ok("delay-handshake=250").kind == FaultKind::delay_handshake);
    CHECK(ok("delay-handshake=250").number == 250);
    CHECK(ok("reject=403").number == 403);
    for (const char* w : {"bad-accept", "no-accept", "no-upgrade", "no-connection", "cut-handshake", "no-pong",
                          "no-close-reply"})
        CHECK(ok(w).spec == w);
    CHECK(ok("extra-protocol=chat").name == "chat");
    CHECK(ok("extra-extension=x-foo").name == "x-foo");
    const Fault h = ok("header=X-Test: a:b");
    CHECK(h.name == "X-Test");
    CHECK(h.value == "a:b");
    CHECK(ok("delay=100").number == 100);
    CHECK(ok("fragment=3").number == 3);
    CHECK_FALSE(ok("fragment=3").ping);
    CHECK(ok("fragment=3,ping").ping);
    CHECK(ok("chop=1").number == 1);
    CHECK(ok("slow-read=100").number == 100);
    CHECK(ok("ping-every=0.5").number == 500);
    const Fault c = ok("close=4000:see you@2");
    CHECK(c.number == 4000);
    CHECK(c.name == "see you");
    CHECK(c.at == 2);
    CHECK(ok("close=1001").at == 0);
    CHECK(ok("drop@3").at == 3);
    CHECK(ok("reset").kind == FaultKind::reset);
    CHECK(ok("violate=opcode=3@1").violation == ViolationKind::opcode3);
    CHECK(ok("violate=non-minimal-length").violation == ViolationKind::non_minimal_length);
    for (const char* v : {"masked", "rsv1", "bad-utf8", "long-ping", "fragmented-ping", "bad-close-code",
                          "continuation"})
        CHECK(ok(std::string("violate=") + v + "@1").kind == FaultKind::violate);
}

TEST_CASE("parse_fault: a bad SPEC is one line that names it") {
    CHECK(error_of("rejec=403").starts_with("\"rejec=403\" is not a fault"));
    CHECK(error_of("reject=99") == "\"reject=99\": reject needs STATUS, an HTTP status from 200 to 599");
    CHECK(error_of("reject") .find("reject needs STATUS") != std::string::npos);
    CHECK(error_of("drop@0") == "\"drop@0\": @N must be a positive message count");
    CHECK(error_of("no-pong@2") == "\"no-pong@2\": no-pong takes no @N");
    CHECK(error_of("bad-accept=1") == "\"bad-accept=1\": bad-accept takes no value");
    CHECK(error_of("close=1005").find("close needs CODE") != std::string::npos);
    CHECK(error_of("violate=nope@1").find("violate needs KIND") != std::string::npos);
    CHECK(error_of("fragment=0").find("fragment needs N") != std::string::npos);
    CHECK(error_of("fragment=2,pong").find("fragment needs N") != std::string::npos);
    CHECK(error_of("header=Bad Name:x").find("header needs NAME:VALUE") != std::string::npos);
    CHECK(error_of("chop=0").find("chop needs N") != std::string::npos);
    CHECK(error_of("drop!") .find("is not a fault") != std::string::npos);
    for (const char* e : {"rejec=403", "drop@0", "close=1005", "violate=x"})
        CHECK(error_of(e).find('\n') == std::string::npos);
}

TEST_CASE("apply_handshake_fault: the 101 changed as each fault says") {
    const HandshakeReply bad = rewritten("bad-accept");
    CHECK(bad.accepted);
    CHECK(bad.response.find("Sec-WebSocket-Accept: 33pPLMBiTxaQ9kYGzzhZRbK+xOo=") == std::string::npos);
    CHECK(bad.response.find("Sec-WebSocket-Accept: A3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
    CHECK(rewritten("no-accept").response.find("Sec-WebSocket-Accept") == std::string::npos);
    CHECK(rewritten("no-upgrade").response.find("Upgrade: websocket") == std::string::npos);
    CHECK(rewritten("no-connection").response.find("Connection:") == std::string::npos);
    CHECK(rewritten("no-connection").response.ends_with("\r\n\r\n"));
    CHECK(rewritten("extra-protocol=chat").response.ends_with("Sec-WebSocket-Protocol: chat\r\n\r\n"));
    CHECK(rewritten("extra-extension=x-foo").response.ends_with("Sec-WebSocket-Extensions: x-foo\r\n\r\n"));
    CHECK(rewritten("header=X-A:1").response.ends_with("Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-A: 1\r\n\r\n"));
    const HandshakeReply cut = rewritten("cut-handshake");
    REQUIRE(cut.cut_after);
    CHECK(*cut.cut_after == accept_101.size() / 2);
    CHECK(rewritten("delay-handshake=300").delay == std::chrono::milliseconds(300));
    const HandshakeReply no = rewritten("reject=403");
    CHECK_FALSE(no.accepted);
    CHECK(no.response.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    const auto body = no.response.substr(no.response.find("\r\n\r\n") + 4);
    CHECK(no.response.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
}

TEST_CASE("violation_frame: each one breaks exactly its rule") {
    using proto::Opcode;
    CHECK(violation_frame(ViolationKind::masked).header.mask.has_value());
    CHECK(violation_frame(ViolationKind::rsv1).header.rsv == 4);
    CHECK(static_cast<int>(violation_frame(ViolationKind::opcode3).header.opcode) == 3);
    const CraftedFrame utf = violation_frame(ViolationKind::bad_utf8);
    CHECK(utf.header.opcode == Opcode::text);
    CHECK(std::string(proto::as_chars(utf.payload)).find("\xc3\x28") != std::string::npos);
    CHECK(violation_frame(ViolationKind::long_ping).payload.size() == 126);
    CHECK_FALSE(violation_frame(ViolationKind::fragmented_ping).header.fin);
    CHECK(violation_frame(ViolationKind::bad_close_code).payload == proto::Bytes{0x03, 0xed});
    CHECK(violation_frame(ViolationKind::continuation).header.opcode == Opcode::continuation);
    CHECK(violation_frame(ViolationKind::non_minimal_length).wire == proto::Bytes{0x81, 0x7e, 0x00, 0x02, 'h', 'i'});
    for (auto k : {ViolationKind::masked, ViolationKind::rsv1, ViolationKind::long_ping}) {
        const CraftedFrame f = violation_frame(k);
        CHECK(f.header.payload_len == f.payload.size());
    }
}

}  // namespace wscope::app
