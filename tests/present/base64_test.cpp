// RFC 4648 §10 test vectors for the local base64 encoder.
#include "present/base64.hpp"

#include <doctest/doctest.h>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

using test::view;

TEST_CASE("base64: RFC 4648 §10 vectors") {
    CHECK(base64(view("")) == "");
    CHECK(base64(view("f")) == "Zg==");
    CHECK(base64(view("fo")) == "Zm8=");
    CHECK(base64(view("foo")) == "Zm9v");
    CHECK(base64(view("foob")) == "Zm9vYg==");
    CHECK(base64(view("fooba")) == "Zm9vYmE=");
    CHECK(base64(view("foobar")) == "Zm9vYmFy");
}

TEST_CASE("base64: every 6-bit value, including + and /") {
    CHECK(base64(test::hex("00 10 83 10 51 87 20 92 8b 30 d3 8f 41 14 93 51 55 97 61 96 9b 71 d7 9f"
                           " 82 18 a3 92 59 a7 a2 9a ab b2 db af c3 1c b3 d3 5d b7 e3 9e bb f3 df bf")) ==
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    CHECK(base64(test::hex("ff ff ff")) == "////");
    CHECK(base64(test::hex("fb ef be")) == "++++");
}

TEST_CASE("base64: append_base64 appends") {
    std::string out = "x=";
    append_base64(out, view("hi"));
    CHECK(out == "x=aGk=");
}

}  // namespace
}  // namespace wscope::present
