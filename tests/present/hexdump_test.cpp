// Golden tests for the curl-style hex dump.
#include "present/hexdump.hpp"

#include <doctest/doctest.h>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

using test::hex;
using test::ramp;

TEST_CASE("hexdump: empty input gives no lines") {
    CHECK(hexdump({}) == "");
    CHECK(hexdump({}, 0x10, "  ") == "");
}

TEST_CASE("hexdump: one byte pads the hex column so the ASCII column aligns") {
    CHECK(hexdump(hex("41")) ==
          "0000: 41                                               |A|\n");
}

TEST_CASE("hexdump: 15 bytes leave one blank slot") {
    CHECK(hexdump(ramp(15, 0x41)) ==
          "0000: 41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f    |ABCDEFGHIJKLMNO|\n");
}

TEST_CASE("hexdump: 16 bytes fill exactly one row, non-printables as dots") {
    CHECK(hexdump(ramp(16)) ==
          "0000: 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f |................|\n");
}

TEST_CASE("hexdump: 17 bytes spill one byte onto a second row") {
    CHECK(hexdump(ramp(17, 0x30)) ==
          "0000: 30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f |0123456789:;<=>?|\n"
          "0010: 40                                               |@|\n");
}

TEST_CASE("hexdump: 33 bytes make three rows; space and punctuation are printable") {
    CHECK(hexdump(ramp(33, 0x20)) ==
          "0000: 20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f | !\"#$%&'()*+,-./|\n"
          "0010: 30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f |0123456789:;<=>?|\n"
          "0020: 40                                               |@|\n");
}

TEST_CASE("hexdump: RFC 6455 §5.7 masked \"Hello\" frame") {
    CHECK(hexdump(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")) ==
          "0000: 81 85 37 fa 21 3d 7f 9f  4d 51 58                |..7.!=..MQX|\n");
}

TEST_CASE("hexdump: 7e (~) is printable, 7f and 80 are not") {
    CHECK(hexdump(hex("7e 7f 80 ff 1f")) ==
          "0000: 7e 7f 80 ff 1f                                   |~....|\n");
}

TEST_CASE("hexdump: start offset is added to every row") {
    CHECK(hexdump(test::view("abc"), 0x1234) ==
          "1234: 61 62 63                                         |abc|\n");
    CHECK(hexdump(ramp(17, 0x30), 0x20) ==
          "0020: 30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f |0123456789:;<=>?|\n"
          "0030: 40                                               |@|\n");
}

TEST_CASE("hexdump: offsets past 0xffff widen every row alike, and indent prefixes each line") {
    CHECK(hexdump(ramp(33, 0x60), 0xfff0, "  ") ==
          "  0fff0: 60 61 62 63 64 65 66 67  68 69 6a 6b 6c 6d 6e 6f |`abcdefghijklmno|\n"
          "  10000: 70 71 72 73 74 75 76 77  78 79 7a 7b 7c 7d 7e 7f |pqrstuvwxyz{|}~.|\n"
          "  10010: 80                                               |.|\n");
}

TEST_CASE("hexdump: a 64-bit offset keeps all its digits") {
    CHECK(hexdump(hex("00"), 0x123456789abcdef0) ==
          "123456789abcdef0: 00                                               |.|\n");
}

TEST_CASE("hexdump: max_bytes cuts the dump and counts what was left out") {
    HexdumpOptions options;
    options.max_bytes = 17;
    CHECK(hexdump(ramp(40, 0x30), options) ==
          "0000: 30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f |0123456789:;<=>?|\n"
          "0010: 40                                               |@|\n"
          "\u2026 23 more bytes\n");

    options.max_bytes = 2;
    options.indent = "> ";
    CHECK(hexdump(test::view("abc"), options) ==
          "> 0000: 61 62                                            |ab|\n"
          "> \u2026 1 more byte\n");

    options.max_bytes = 0;
    options.indent = "";
    CHECK(hexdump(test::view("abc"), options) == "\u2026 3 more bytes\n");
}

TEST_CASE("hexdump: max_bytes at or above the size changes nothing") {
    HexdumpOptions options;
    options.max_bytes = 3;
    CHECK(hexdump(test::view("abc"), options) == hexdump(test::view("abc")));
}

TEST_CASE("hexdump: append_hexdump appends to what is already there") {
    std::string out = "header\n";
    append_hexdump(out, test::view("A"), HexdumpOptions{});
    CHECK(out == "header\n0000: 41                                               |A|\n");
}

}  // namespace
}  // namespace wscope::present
