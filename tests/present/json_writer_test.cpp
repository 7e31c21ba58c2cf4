// The JSON writer: RFC 8259 string escaping, UTF-8 safety, members and the data envelope.
#include "present/json_writer.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

std::string quoted(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

TEST_CASE("json string: quote and backslash are escaped, / is not") {
    CHECK(quoted(R"(say "hi" \ bye /)") == R"("say \"hi\" \\ bye /")");
    CHECK(quoted("") == R"("")");
}

TEST_CASE("json string: every control character becomes \\u00XX") {
    constexpr char digits[] = "0123456789abcdef";
    for (int c = 0; c < 0x20; ++c) {
        CAPTURE(c);
        const std::string in(1, static_cast<char>(c));
        const std::string expected = std::string("\"\\u00") + digits[c >> 4] + digits[c & 0xF] + "\"";
        CHECK(quoted(in) == expected);
    }
    CHECK(quoted("a\nb\tc") == R"("a\u000ab\u0009c")");
    CHECK(quoted(std::string_view("\0", 1)) == R"("\u0000")");
    CHECK(quoted("\x7f") == R"("\u007f")");
}

TEST_CASE("json string: printable ASCII passes through") {
    std::string printable;
    for (int c = 0x20; c < 0x7f; ++c)
        if (c != '"' && c != '\\') printable += static_cast<char>(c);
    CHECK(quoted(printable) == "\"" + printable + "\"");
}

TEST_CASE("json string: non-ASCII UTF-8 is kept as it is") {
    CHECK(quoted("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xae") ==
          "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xae\"");
}

TEST_CASE("json string: bytes that are not UTF-8 become U+FFFD, one per byte") {
    CHECK(quoted("a\xff" "b") == "\"a\xef\xbf\xbd" "b\"");
    CHECK(quoted("\xc0\xaf") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");           // overlong
    CHECK(quoted("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
    CHECK(quoted("x\xe2\x82") == "\"x\xef\xbf\xbd\xef\xbf\xbd\"");         // cut short
}

TEST_CASE("json object: members in order, no whitespace") {
    JsonObject o;
    CHECK(o.empty());
    CHECK(o.str() == "{}");
    o.string("s", "v").boolean("t", true).boolean("f", false).null("n");
    o.number("u", std::uint64_t{18446744073709551615u}).number("i", -5).number("z", 0);
    CHECK(o.str() == R"({"s":"v","t":true,"f":false,"n":null,"u":18446744073709551615,"i":-5,"z":0})");
    CHECK(o.line() == o.str() + "\n");
}

TEST_CASE("json object: keys are escaped too") {
    JsonObject o;
    o.number("a\"b\n", 1);
    CHECK(o.str() == R"({"a\"b\u000a":1})");
}

TEST_CASE("json object: string_or_null") {
    JsonObject o;
    o.string_or_null("a", std::nullopt).string_or_null("b", std::string_view("x"));
    CHECK(o.str() == R"({"a":null,"b":"x"})");
}

TEST_CASE("json object: decimals, and null for what JSON cannot hold") {
    JsonObject o;
    o.decimal("a", 12.3456, 3).decimal("b", 0.0, 3).decimal("c", 2.0, 0);
    o.decimal("nan", std::numeric_limits<double>::quiet_NaN(), 3);
    o.decimal("inf", std::numeric_limits<double>::infinity(), 3);
    CHECK(o.str() == R"({"a":12.346,"b":0.000,"c":2,"nan":null,"inf":null})");
}

TEST_CASE("json object: nested objects") {
    JsonObject inner;
    inner.number("x", 1);
    JsonObject outer;
    outer.object("in", inner).object("empty", JsonObject{});
    CHECK(outer.str() == R"({"in":{"x":1},"empty":{}})");
}

TEST_CASE("json object: data envelope is text for UTF-8, base64 bytes otherwise") {
    JsonObject o;
    o.data("a", test::view("h\xc3\xa9\n\"")).data("b", test::hex("ff 00 01"));
    o.data("c", {});
    CHECK(o.str() == "{\"a\":{\"text\":\"h\xc3\xa9\\u000a\\\"\"},\"b\":{\"bytes\":\"/wAB\"},"
                     "\"c\":{\"text\":\"\"}}");
}

}  // namespace
}  // namespace wscope::present
