// Close codes and the Close frame body (src/proto/close_code.hpp; RFC 6455 §5.5.1, §7.4).
#include "proto/close_code.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/errc.hpp"
#include "proto/result.hpp"
#include "proto/utf8.hpp"
#include "support/event_log.hpp"
#include "support/hex.hpp"

using namespace wscope::proto;
using wscope::test::bytes_of;
using wscope::test::hex;
using wscope::test::to_hex;

TEST_CASE("close_code: is_valid_on_wire at every boundary") {
    struct Row {
        std::uint16_t code;
        bool valid;
    };
    const Row rows[] = {
        {0, false},     {1, false},     {999, false},   {1000, true},   {1001, true},
        {1002, true},   {1003, true},   {1004, false},  {1005, false},  {1006, false},
        {1007, true},   {1008, true},   {1009, true},   {1010, true},   {1011, true},
        {1012, true},   {1013, true},   {1014, true},   {1015, false},  {1016, false},
        {2000, false},  {2999, false},  {3000, true},   {3999, true},   {4000, true},
        {4999, true},   {5000, false},  {9999, false},  {65535, false},
    };
    for (const Row& row : rows) {
        CAPTURE(row.code);
        CHECK(is_valid_on_wire(row.code) == row.valid);
    }
}

TEST_CASE("close_code: is_valid_on_wire for all 65536 codes follows the header's rule") {
    // close_code.hpp: "1000-1003, 1007-1014 and 3000-4999 yes; everything else no".
    int failures = 0;
    unsigned first_wrong = 0;
    for (unsigned c = 0; c <= 0xFFFF; ++c) {
        const bool expected = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
                              (c >= 3000 && c <= 4999);
        if (is_valid_on_wire(static_cast<std::uint16_t>(c)) != expected && failures++ == 0)
            first_wrong = c;
    }
    INFO("first wrong code: " << first_wrong);
    CHECK(failures == 0);
}

TEST_CASE("close_code: the enum's wire values") {
    CHECK(static_cast<std::uint16_t>(CloseCode::normal) == 1000);
    CHECK(static_cast<std::uint16_t>(CloseCode::protocol_error) == 1002);
    CHECK(static_cast<std::uint16_t>(CloseCode::no_status) == 1005);
    CHECK(static_cast<std::uint16_t>(CloseCode::abnormal) == 1006);
    CHECK(static_cast<std::uint16_t>(CloseCode::invalid_payload) == 1007);
    CHECK(static_cast<std::uint16_t>(CloseCode::message_too_big) == 1009);
    CHECK(static_cast<std::uint16_t>(CloseCode::tls_handshake) == 1015);
}

TEST_CASE("close_code: names") {
    CHECK(close_code_name(1000) == "normal");
    CHECK(close_code_name(1002) == "protocol error");
    CHECK(close_code_name(3000) == "registered");
    CHECK(close_code_name(3999) == "registered");
    CHECK(close_code_name(4000) == "private use");
    CHECK(close_code_name(4999) == "private use");
    CHECK(close_code_name(2999) == "unknown");
    CHECK(close_code_name(5000) == "unknown");
    CHECK(close_code_name(0) == "unknown");
}

namespace {

// "ok 1000 'bye'", "ok 1000 hex{e2 82 ac}", "ok none", or "error <Errc name>".
std::string parse(const Bytes& payload) {
    const auto r = parse_close_payload(payload);
    if (!r) return "error " + std::string(info(r.error().code).name);
    if (!r->code) return r->reason.empty() ? "ok none" : "ok none BAD reason";
    return "ok " + std::to_string(*r->code) + " " + wscope::test::repr(r->reason);
}

}  // namespace

TEST_CASE("close_code: parse_close_payload table") {
    struct Row {
        const char* bytes;
        const char* expected;
    };
    const Row rows[] = {
        // §5.5.1: an empty body is allowed and carries no code (reported as 1005).
        {"", "ok none"},
        {"03 e8", "ok 1000 ''"},
        {"03 e8 62 79 65", "ok 1000 'bye'"},
        {"03 e9", "ok 1001 ''"},
        {"03 f6", "ok 1014 ''"},
        {"0b b8", "ok 3000 ''"},
        {"0f a0 78", "ok 4000 'x'"},
        {"13 87", "ok 4999 ''"},
        {"03 e8 e2 82 ac", "ok 1000 hex{e2 82 ac}"},
        // A 1-byte body cannot hold a code.
        {"03", "error close_payload_too_short"},
        {"00", "error close_payload_too_short"},
        // Codes that may not appear on the wire.
        {"00 00", "error invalid_close_code"},
        {"03 e7", "error invalid_close_code"},  // 999
        {"03 ec", "error invalid_close_code"},  // 1004
        {"03 ed", "error invalid_close_code"},  // 1005
        {"03 ee", "error invalid_close_code"},  // 1006
        {"03 f7", "error invalid_close_code"},  // 1015
        {"03 f8", "error invalid_close_code"},  // 1016
        {"0b b7", "error invalid_close_code"},  // 2999
        {"13 88", "error invalid_close_code"},  // 5000
        {"ff ff", "error invalid_close_code"},  // 65535
        {"03 ed 62 79 65", "error invalid_close_code"},
        // The reason must be UTF-8, complete at the end of the body.
        {"03 e8 ff", "error invalid_utf8"},
        {"03 e8 62 79 65 80", "error invalid_utf8"},
        {"03 e8 e2 82", "error invalid_utf8"},
        {"03 e8 ed a0 80", "error invalid_utf8"},
        {"03 e8 c0 80", "error invalid_utf8"},
    };
    for (const Row& row : rows) {
        INFO("row.bytes := " << std::string(row.bytes));
        CHECK(parse(hex(row.bytes)) == row.expected);
    }
}

TEST_CASE("close_code: the errors of a bad Close body call for the right close codes") {
    CHECK(close_code_for(Errc::close_payload_too_short) == CloseCode::protocol_error);
    CHECK(close_code_for(Errc::invalid_close_code) == CloseCode::protocol_error);
    CHECK(close_code_for(Errc::invalid_utf8) == CloseCode::invalid_payload);
}

TEST_CASE("close_code: a reason of the full 123 bytes is accepted") {
    Bytes body = hex("03 e8");
    const Bytes reason(max_close_reason, 'r');
    body.insert(body.end(), reason.begin(), reason.end());
    const auto r = parse_close_payload(body);
    REQUIRE(r.ok());
    CHECK(r->reason.size() == 123);
}

TEST_CASE("close_code: format_close_payload") {
    CHECK(to_hex(format_close_payload(std::uint16_t{1000}, "bye")) == "03 e8 62 79 65");
    CHECK(to_hex(format_close_payload(CloseCode::normal, "bye")) == "03 e8 62 79 65");
    CHECK(to_hex(format_close_payload(CloseCode::going_away)) == "03 e9");
    CHECK(to_hex(format_close_payload(std::uint16_t{4999})) == "13 87");
    CHECK(to_hex(format_close_payload(CloseCode::message_too_big, "")) == "03 f1");
    // A code of none gives an empty body, even with a reason.
    CHECK(format_close_payload(CloseCode::none).empty());
    CHECK(format_close_payload(CloseCode::none, "ignored").empty());
    CHECK(format_close_payload(std::uint16_t{0}).empty());
}

TEST_CASE("close_code: format_close_payload truncates to 123 bytes on a UTF-8 boundary") {
    // body = 2-byte code + the longest prefix of reason that is ≤ 123 bytes and ends on a code
    // point boundary.
    const std::string chars[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (const std::string& ch : chars) {
        for (std::size_t ascii = 110; ascii <= 126; ++ascii) {
            std::string reason(ascii, 'a');
            for (int i = 0; i < 4; ++i) reason += ch;
            // Expected length: code points fitting whole in 123 bytes.
            std::size_t fit = std::min<std::size_t>(ascii, 123);
            if (ascii < 123) {
                const std::size_t whole = (123 - ascii) / ch.size();
                fit = ascii + std::min<std::size_t>(whole, 4) * ch.size();
            }
            const Bytes body = format_close_payload(std::uint16_t{1001}, reason);
            CAPTURE(ascii);
            CAPTURE(ch.size());
            REQUIRE(body.size() >= 2);
            CHECK(to_hex(ByteView(body).first(2)) == "03 e9");
            CHECK(body.size() - 2 == fit);
            CHECK(std::equal(body.begin() + 2, body.end(), as_bytes(reason).begin()));
            CHECK(is_valid_utf8(ByteView(body).subspan(2)));
            CHECK(body.size() <= 125);  // fits a control frame
        }
    }
}

TEST_CASE("close_code: format → parse round trip") {
    for (std::uint16_t code : {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4000, 4999}) {
        for (const char* reason : {"", "bye", "\xc3\xa9t\xc3\xa9", "going \xf0\x9f\x98\x80"}) {
            CAPTURE(code);
            INFO("reason := " << std::string(reason));
            const auto r = parse_close_payload(format_close_payload(code, reason));
            REQUIRE(r.ok());
            CHECK(r->code == code);
            CHECK(r->reason == reason);
        }
    }
    const auto empty = parse_close_payload(format_close_payload(CloseCode::none));
    REQUIRE(empty.ok());
    CHECK_FALSE(empty->code.has_value());
}
