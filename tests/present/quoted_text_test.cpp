// The quoted preview's bookkeeping: how much was shown, and whether it was cut.
#include "present/quoted_text.hpp"

#include <doctest/doctest.h>

#include <string>

#include "bytes_literal.hpp"

namespace wscope::present {
namespace {

using test::view;

TEST_CASE("quoted text: whole text fits") {
    std::string out;
    const QuotedText q = append_quoted(out, view("abc"), 10);
    CHECK(out == R"("abc")");
    CHECK(q.bytes_shown == 3);
    CHECK_FALSE(q.truncated);
}

TEST_CASE("quoted text: empty text") {
    std::string out;
    const QuotedText q = append_quoted(out, {}, 10);
    CHECK(out == R"("")");
    CHECK(q.bytes_shown == 0);
    CHECK_FALSE(q.truncated);
}

TEST_CASE("quoted text: zero columns shows nothing but the quotes") {
    std::string out;
    const QuotedText q = append_quoted(out, view("abc"), 0);
    CHECK(out == R"("")");
    CHECK(q.truncated);
}

TEST_CASE("quoted text: cut by width counts the bytes of whole code points") {
    std::string out;
    const QuotedText q = append_quoted(out, view("\xc3\xa9\xc3\xa9\xc3\xa9"), 2);
    CHECK(out == "\"\xc3\xa9\xc3\xa9\"");
    CHECK(q.bytes_shown == 4);
    CHECK(q.truncated);
}

TEST_CASE("quoted text: partial input is truncated even when all of it is shown") {
    std::string out;
    const QuotedText q = append_quoted(out, view("ab"), 10, true);
    CHECK(out == R"("ab")");
    CHECK(q.bytes_shown == 2);
    CHECK(q.truncated);
}

TEST_CASE("quoted text: a sequence cut by the end is bad bytes when the input is whole") {
    std::string whole;
    CHECK(append_quoted(whole, view("a\xf0\x9f\x98"), 20).bytes_shown == 4);
    CHECK(whole == R"("a\xf0\x9f\x98")");
    std::string partial;
    CHECK(append_quoted(partial, view("a\xf0\x9f\x98"), 10, true).bytes_shown == 1);
    CHECK(partial == R"("a")");
}

TEST_CASE("quoted text: a bad byte in the middle is not taken for a cut sequence") {
    std::string out;
    append_quoted(out, view("\xe2(\xa1"), 20, true);
    CHECK(out == R"("\xe2(\xa1")");
}

}  // namespace
}  // namespace wscope::present
