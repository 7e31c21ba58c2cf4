// Colour is SGR-wrapped when on, absent when off.
#include "present/style.hpp"

#include <doctest/doctest.h>

namespace wscope::present {
namespace {

TEST_CASE("style: colour off leaves text unchanged") {
    const Style plain{};
    CHECK(painted(plain, Tone::outgoing, ">>") == ">>");
    CHECK(painted(plain, Tone::incoming, "<<") == "<<");
    CHECK(painted(plain, Tone::error, "!!") == "!!");
}

TEST_CASE("style: colour on wraps text in the tone's SGR and a reset") {
    const Style colour{true};
    CHECK(painted(colour, Tone::outgoing, ">>") == "\x1b[32m>>\x1b[0m");
    CHECK(painted(colour, Tone::incoming, "<<") == "\x1b[36m<<\x1b[0m");
    CHECK(painted(colour, Tone::error, "!!") == "\x1b[31m!!\x1b[0m");
}

TEST_CASE("style: append_painted appends") {
    std::string out = "x ";
    append_painted(out, Style{true}, Tone::error, "e");
    CHECK(out == "x \x1b[31me\x1b[0m");
}

}  // namespace
}  // namespace wscope::present
