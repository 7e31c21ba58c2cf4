// The JSON reader: values, escapes, errors, the depth bound, and a roundtrip with the writer.
#include "present/json_reader.hpp"

#include <doctest/doctest.h>

#include <string>

#include "present/json_writer.hpp"
#include "proto/bytes.hpp"

namespace wscope::present {
namespace {

JsonValue ok(std::string_view text) {
    JsonParse p = parse_json(text);
    INFO(text);
    REQUIRE_MESSAGE(p.value.has_value(), p.error);
    return *p.value;
}

std::string err(std::string_view text) {
    JsonParse p = parse_json(text);
    INFO(text);
    REQUIRE_FALSE(p.value.has_value());
    return p.error;
}

TEST_CASE("scalars") {
    CHECK(ok("null").is_null());
    CHECK(*ok("true").as_bool());
    CHECK_FALSE(*ok(" false ").as_bool());
    CHECK(*ok("0").as_number() == 0);
    CHECK(*ok("-12.5e2").as_number() == -1250);
    CHECK(*ok("1776000000.123456").as_number() == doctest::Approx(1776000000.123456));
    CHECK(*ok("\"hi\"").as_string() == "hi");
}

TEST_CASE("objects keep their order; get() finds members") {
    const JsonValue v = ok(R"({"b":1,"a":[true,null,"x"],"o":{}})");
    REQUIRE(v.as_object());
    CHECK(v.as_object()->size() == 3);
    CHECK(v.as_object()->front().first == "b");
    CHECK(*v.number_at("b") == 1);
    CHECK_FALSE(v.number_at("a"));
    CHECK_FALSE(v.string_at("missing"));
    const auto* a = v.get("a")->as_array();
    REQUIRE(a);
    CHECK(a->size() == 3);
    CHECK(*(*a)[2].as_string() == "x");
    CHECK(v.get("o")->as_object()->empty());
}

TEST_CASE("string escapes become UTF-8") {
    CHECK(*ok(R"("a\"b\\c\/d\b\f\n\r\t")").as_string() == "a\"b\\c/d\b\f\n\r\t");
    CHECK(*ok(R"("\u00e9\u20ac")").as_string() == "\xc3\xa9\xe2\x82\xac");
    CHECK(*ok(R"("\ud83d\ude00")").as_string() == "\xf0\x9f\x98\x80");  // a surrogate pair
    CHECK(*ok(R"("\ud83d!")").as_string() == "\xef\xbf\xbd!");         // a lone one: U+FFFD
    CHECK(*ok("\"\xc3\xa9\"").as_string() == "\xc3\xa9");                 // raw UTF-8 kept
}

TEST_CASE("errors say where and what") {
    CHECK(err("") == "offset 0: unexpected end of text");
    CHECK(err("{\"a\" 1}") == "offset 5: expected ':'");
    CHECK(err("[1,]") == "offset 3: unexpected character ']'");
    CHECK(err("[1 2]") == "offset 3: expected ',' or ']'");
    CHECK(err("01") == "offset 1: unexpected text after the JSON value");
    CHECK(err("\"abc") == "offset 4: unterminated string");
    CHECK(err("\"a\nb\"") == "offset 2: control character in a string");
    CHECK(err(R"("\x")") == "offset 3: bad escape '\\x'");
    CHECK(err(R"("\u12g4")") == "offset 3: bad \\u escape");
    CHECK(err("-") == "offset 1: expected a digit");
    CHECK(err("1.") == "offset 2: expected a digit after '.'");
    CHECK(err("tru") == "offset 0: unexpected character 't'");
    CHECK(err("{\"a\":1") == "offset 6: expected ',' or '}'");
}

TEST_CASE("nesting is bounded") {
    std::string deep(max_json_depth, '[');
    deep += std::string(max_json_depth, ']');
    CHECK(ok(deep).as_array());
    std::string too_deep(max_json_depth + 1, '[');
    too_deep += std::string(max_json_depth + 1, ']');
    CHECK(err(too_deep).find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("what the writer writes, the reader reads back") {
    std::string all;
    for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
    JsonObject o;
    o.string("s", "tab\there \"quoted\" \xe2\x82\xac").number("n", -42).boolean("t", true).null("z");
    o.data("d", proto::as_bytes(std::string_view("\x01\x02\xff", 3)));
    const JsonValue v = ok(o.str());
    CHECK(*v.string_at("s") == "tab\there \"quoted\" \xe2\x82\xac");
    CHECK(*v.number_at("n") == -42);
    CHECK(*v.get("t")->as_bool());
    CHECK(v.get("z")->is_null());
    CHECK(*v.get("d")->string_at("bytes") == "AQL/");
    JsonObject controls;
    controls.string("c", all.substr(0, 127));
    CHECK(*ok(controls.str()).string_at("c") == all.substr(0, 127));
}

}  // namespace
}  // namespace wscope::present
