// Opcodes (src/proto/opcode.hpp; RFC 6455 §5.2, §11.8).
#include "proto/opcode.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wscope::proto;

TEST_CASE("opcode: the 16 values, their classes and names") {
    const char* names[16] = {"CONT", "TEXT", "BINARY", "RSV3", "RSV4", "RSV5", "RSV6", "RSV7",
                             "CLOSE", "PING", "PONG", "RSVB", "RSVC", "RSVD", "RSVE", "RSVF"};
    for (unsigned v = 0; v < 16; ++v) {
        CAPTURE(v);
        const auto op = static_cast<Opcode>(v);
        CHECK(name(op) == names[v]);
        CHECK(is_control(op) == (v >= 8));
        CHECK(is_reserved(op) == ((v >= 3 && v <= 7) || v >= 0xB));
        Opcode back{};
        REQUIRE(parse_opcode(names[v], back));
        CHECK(back == op);
    }
    CHECK(static_cast<unsigned>(Opcode::close) == 8);
    CHECK(static_cast<unsigned>(Opcode::ping) == 9);
    CHECK(static_cast<unsigned>(Opcode::pong) == 10);
}

TEST_CASE("opcode: parse_opcode accepts any case, \"continuation\" and numbers 0-15") {
    Opcode op{};
    CHECK(parse_opcode("ping", op));
    CHECK(op == Opcode::ping);
    CHECK(parse_opcode("Binary", op));
    CHECK(op == Opcode::binary);
    CHECK(parse_opcode("continuation", op));
    CHECK(op == Opcode::continuation);
    CHECK(parse_opcode("0xB", op));
    CHECK(static_cast<unsigned>(op) == 0xB);
    CHECK(parse_opcode("0xf", op));
    CHECK(static_cast<unsigned>(op) == 0xF);
    CHECK(parse_opcode("15", op));
    CHECK(static_cast<unsigned>(op) == 15);
    CHECK(parse_opcode("0", op));
    CHECK(op == Opcode::continuation);
    for (const char* bad : {"", "16", "0x10", "-1", "pingg", "0x", "1 ", " 1", "text2"}) {
        INFO("bad := " << std::string(bad));
        Opcode untouched = Opcode::pong;
        CHECK_FALSE(parse_opcode(bad, untouched));
    }
}
