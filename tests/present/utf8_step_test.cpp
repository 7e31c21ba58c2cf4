// One-sequence UTF-8 decoding at the edges of the RFC 3629 byte ranges.
#include "present/utf8_step.hpp"

#include <doctest/doctest.h>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

using Kind = Utf8Step::Kind;
using test::hex;

Utf8Step first(const proto::Bytes& b) { return utf8_step(b, 0); }

void check_ok(const proto::Bytes& b, char32_t cp) {
    CAPTURE(static_cast<std::uint32_t>(cp));
    const Utf8Step s = first(b);
    CHECK(s.kind == Kind::ok);
    CHECK(s.code_point == cp);
    CHECK(s.len == b.size());
}

TEST_CASE("utf8 step: the first and last code point of each length") {
    check_ok(hex("00"), 0x0);
    check_ok(hex("7f"), 0x7F);
    check_ok(hex("c2 80"), 0x80);
    check_ok(hex("df bf"), 0x7FF);
    check_ok(hex("e0 a0 80"), 0x800);
    check_ok(hex("ed 9f bf"), 0xD7FF);
    check_ok(hex("ee 80 80"), 0xE000);
    check_ok(hex("ef bf bf"), 0xFFFF);
    check_ok(hex("f0 90 80 80"), 0x10000);
    check_ok(hex("f4 8f bf bf"), 0x10FFFF);
}

TEST_CASE("utf8 step: ill-formed sequences are invalid at their first byte") {
    for (const char* bad : {"80", "bf", "c0 80", "c1 bf", "e0 9f bf", "ed a0 80", "f0 8f bf bf",
                            "f4 90 80 80", "f5 80 80 80", "ff", "c2 41", "e1 80 41"}) {
        CAPTURE(bad);
        const Utf8Step s = first(hex(bad));
        CHECK(s.kind == Kind::invalid);
        CHECK(s.len == 1);
    }
}

TEST_CASE("utf8 step: a valid prefix at the end of the buffer is incomplete") {
    CHECK(first(hex("c3")).kind == Kind::incomplete);
    const Utf8Step s = first(hex("f0 9f 98"));
    CHECK(s.kind == Kind::incomplete);
    CHECK(s.len == 3);
}

TEST_CASE("utf8 step: decoding starts at pos") {
    const proto::Bytes b = hex("41 e2 82 ac");
    const Utf8Step s = utf8_step(b, 1);
    CHECK(s.kind == Kind::ok);
    CHECK(s.code_point == 0x20AC);
    CHECK(s.len == 3);
}

}  // namespace
}  // namespace wscope::present
