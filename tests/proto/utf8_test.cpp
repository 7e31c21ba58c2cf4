// Incremental UTF-8 validation (src/proto/utf8.hpp; RFC 3629 §4, RFC 6455 §8.1 "fail fast").
#include "proto/utf8.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/feed.hpp"
#include "support/hex.hpp"
#include "support/utf8_reference.hpp"

using namespace wscope::proto;
using wscope::test::check_utf8;
using wscope::test::hex;
using wscope::test::reference_utf8;
using wscope::test::to_hex;
using wscope::test::utf8_reject_index;
using wscope::test::Utf8Verdict;

namespace {

struct Row {
    const char* bytes;
    const char* verdict;  // valid / invalid / truncated
    long reject_at;       // byte index at which feed() must first fail; -1: never
    const char* what;
};

const Row rows[] = {
    // Valid.
    {"", "valid", -1, "empty"},
    {"48 65 6c 6c 6f", "valid", -1, "ASCII"},
    {"00", "valid", -1, "U+0000"},
    {"7f", "valid", -1, "U+007F"},
    {"c2 80", "valid", -1, "U+0080, smallest 2-byte"},
    {"c3 a9", "valid", -1, "U+00E9"},
    {"df bf", "valid", -1, "U+07FF, largest 2-byte"},
    {"e0 a0 80", "valid", -1, "U+0800, smallest 3-byte"},
    {"e2 82 ac", "valid", -1, "U+20AC euro sign"},
    {"ed 9f bf", "valid", -1, "U+D7FF, just below the surrogates"},
    {"ee 80 80", "valid", -1, "U+E000, just above the surrogates"},
    {"ef bf bd", "valid", -1, "U+FFFD"},
    {"ef bf bf", "valid", -1, "U+FFFF"},
    {"f0 90 80 80", "valid", -1, "U+10000, smallest 4-byte"},
    {"f0 9f 98 80", "valid", -1, "U+1F600"},
    {"f3 bf bf bf", "valid", -1, "U+FFFFF"},
    {"f4 8f bf bf", "valid", -1, "U+10FFFF, the largest code point"},
    {"ce ba e1 bd b9 cf 83 ce bc ce b5", "valid", -1, "kosme (Autobahn 6.2)"},
    {"48 c3 a9 e2 82 ac f0 9f 98 80 21", "valid", -1, "mixed widths"},
    // Overlong forms.
    {"c0 80", "invalid", 0, "overlong U+0000, 2 bytes"},
    {"c1 bf", "invalid", 0, "overlong U+007F, 2 bytes"},
    {"e0 80 80", "invalid", 1, "overlong U+0000, 3 bytes"},
    {"e0 9f bf", "invalid", 1, "overlong U+07FF, 3 bytes"},
    {"f0 80 80 80", "invalid", 1, "overlong U+0000, 4 bytes"},
    {"f0 8f bf bf", "invalid", 1, "overlong U+FFFF, 4 bytes"},
    // UTF-16 surrogates.
    {"ed a0 80", "invalid", 1, "U+D800"},
    {"ed af bf", "invalid", 1, "U+DBFF"},
    {"ed b0 80", "invalid", 1, "U+DC00"},
    {"ed bf bf", "invalid", 1, "U+DFFF"},
    {"ed a0 80 ed b0 80", "invalid", 1, "surrogate pair"},
    // Beyond U+10FFFF.
    {"f4 90 80 80", "invalid", 1, "U+110000"},
    {"f4 bf bf bf", "invalid", 1, "U+13FFFF"},
    {"f5 80 80 80", "invalid", 0, "F5 lead"},
    {"f7 bf bf bf", "invalid", 0, "F7 lead (U+1FFFFF)"},
    // Bytes that never appear.
    {"c0", "invalid", 0, "C0"},
    {"c1", "invalid", 0, "C1"},
    {"f5", "invalid", 0, "F5"},
    {"f8 88 80 80 80", "invalid", 0, "F8, 5-byte form"},
    {"fc 84 80 80 80 80", "invalid", 0, "FC, 6-byte form"},
    {"fe", "invalid", 0, "FE"},
    {"ff", "invalid", 0, "FF"},
    // Continuation bytes where a lead is expected.
    {"80", "invalid", 0, "lone 80"},
    {"bf", "invalid", 0, "lone BF"},
    {"41 80 41", "invalid", 1, "continuation after ASCII"},
    {"c3 a9 a9", "invalid", 2, "one continuation too many"},
    // A lead byte not followed by enough continuations.
    {"c3 41", "invalid", 1, "2-byte lead then ASCII"},
    {"e2 82 41", "invalid", 2, "3-byte lead, 1 continuation, then ASCII"},
    {"f0 9f 98 41", "invalid", 3, "4-byte lead, 2 continuations, then ASCII"},
    {"e2 c3 a9", "invalid", 1, "3-byte lead then a new lead"},
    {"c3 c3 a9", "invalid", 1, "2-byte lead then a new lead"},
    // Truncated at the end: every feed() passes, finish() fails.
    {"c3", "truncated", -1, "2-byte lead alone"},
    {"e2", "truncated", -1, "3-byte lead alone"},
    {"e2 82", "truncated", -1, "3-byte sequence missing 1"},
    {"f0 9f", "truncated", -1, "4-byte sequence missing 2"},
    {"f0 9f 98", "truncated", -1, "4-byte sequence missing 1"},
    {"48 65 6c 6c 6f e2 82", "truncated", -1, "ASCII then a cut euro sign"},
    {"ed 9f", "truncated", -1, "ED 9F is the start of U+D7FF"},
    {"f4 8f", "truncated", -1, "F4 8F is the start of U+10FFFF"},
};

}  // namespace

TEST_CASE("utf8: byte table, fed whole, split at every offset, byte by byte") {
    for (const Row& row : rows) {
        INFO("row.what := " << std::string(row.what));
        check_utf8(hex(row.bytes), row.verdict);
    }
}

TEST_CASE("utf8: the table agrees with the reference checker") {
    for (const Row& row : rows) {
        INFO("row.what := " << std::string(row.what));
        const Utf8Verdict ref = reference_utf8(hex(row.bytes));
        const char* kind = ref.kind == Utf8Verdict::valid     ? "valid"
                           : ref.kind == Utf8Verdict::invalid ? "invalid"
                                                              : "truncated";
        CHECK(std::string(kind) == row.verdict);
        if (ref.kind == Utf8Verdict::invalid) CHECK(static_cast<long>(ref.reject_at) == row.reject_at);
    }
}

TEST_CASE("utf8: feed() fails at the first impossible byte, not later") {
    for (const Row& row : rows) {
        INFO("row.what := " << std::string(row.what));
        CHECK(utf8_reject_index(hex(row.bytes)) == row.reject_at);
    }
    // The prefixes themselves, fed alone, already fail (the brief's examples).
    for (const char* prefix : {"ed a0", "f4 90", "e0 80", "f0 80", "e0 9f", "f0 8f", "c0", "c1", "f5"}) {
        INFO("prefix := " << std::string(prefix));
        Utf8Validator v;
        CHECK_FALSE(v.feed(hex(prefix)));
        CHECK(v.failed());
    }
}

TEST_CASE("utf8: a bad byte at every position 0..63 of an ASCII run is caught right there") {
    // The ASCII fast path skips words at a time: it must never skip over a non-ASCII byte.
    for (std::size_t len : {64u, 65u, 100u}) {
        for (const char* bad : {"ff", "80", "c0", "f5"}) {
            int failures = 0;
            std::string first_failure;
            for (std::size_t pos = 0; pos < 64; ++pos) {
                Bytes data(len, 'a');
                data[pos] = hex(bad)[0];
                Utf8Validator whole;
                const bool whole_ok = whole.feed(data);
                const long at = utf8_reject_index(data);
                // Fed in two pieces split right after the bad byte: the first piece must fail.
                Utf8Validator split;
                const bool first_ok = split.feed(ByteView(data).first(pos + 1));
                if ((whole_ok || at != static_cast<long>(pos) || first_ok) && failures++ == 0)
                    first_failure = "len " + std::to_string(len) + " pos " + std::to_string(pos) +
                                    " rejected at " + std::to_string(at);
            }
            INFO("bad := " << std::string(bad));
            INFO("first failure: " << first_failure);
            CHECK(failures == 0);
        }
    }
}

TEST_CASE("utf8: multi-byte characters at every position of a long ASCII run") {
    for (const char* ch : {"c3 a9", "e2 82 ac", "f0 9f 98 80", "f4 8f bf bf", "ee 80 80"}) {
        const Bytes c = hex(ch);
        int failures = 0;
        for (std::size_t pos = 0; pos < 70; ++pos) {
            Bytes data(pos, 'x');
            data.insert(data.end(), c.begin(), c.end());
            data.insert(data.end(), 40, 'y');
            if (!is_valid_utf8(data)) ++failures;
            // The same with the sequence's last byte replaced by ASCII: rejected at that byte.
            Bytes broken = data;
            broken[pos + c.size() - 1] = 'z';
            if (utf8_reject_index(broken) != static_cast<long>(pos + c.size() - 1)) ++failures;
            Utf8Validator v;
            if (v.feed(broken)) ++failures;
            // Cut just before the end of the sequence: truncated, not invalid.
            Utf8Validator t;
            if (!t.feed(ByteView(data).first(pos + c.size() - 1)) || t.finish()) ++failures;
        }
        INFO("ch := " << std::string(ch));
        CHECK(failures == 0);
    }
}

TEST_CASE("utf8: finish() ends a message and resets for the next") {
    Utf8Validator v;
    CHECK(v.feed(hex("e2 82")));
    CHECK_FALSE(v.finish());  // ends inside a sequence
    CHECK(v.feed(hex("41")));  // a new message: the cut sequence is forgotten
    CHECK(v.finish());
    CHECK(v.feed(hex("ac")) == false);  // a lone continuation is not valid at a message start
    v.reset();
    CHECK_FALSE(v.failed());
    CHECK(v.feed(hex("c3")));
    CHECK(v.feed(hex("a9")));
    CHECK(v.finish());
    CHECK(v.finish());  // nothing fed: the empty message is valid
}

TEST_CASE("utf8: once failed, feed() stays false") {
    Utf8Validator v;
    CHECK_FALSE(v.feed(hex("ff")));
    CHECK_FALSE(v.feed(hex("41")));
    CHECK_FALSE(v.feed(hex("")));
    CHECK(v.failed());
    CHECK_FALSE(v.finish());
}

TEST_CASE("utf8: is_valid_utf8 on whole buffers") {
    CHECK(is_valid_utf8(hex("")));
    CHECK(is_valid_utf8(hex("e2 82 ac")));
    CHECK_FALSE(is_valid_utf8(hex("e2 82")));
    CHECK_FALSE(is_valid_utf8(hex("ed a0 80")));
}

namespace {

// Runs Utf8Validator byte by byte and whole over data and compares with the reference.
bool agrees(ByteView data, std::string& why) {
    const Utf8Verdict ref = reference_utf8(data);
    const long at = utf8_reject_index(data);
    Utf8Validator v;
    const bool fed = v.feed(data);
    const bool fin = fed && v.finish();
    switch (ref.kind) {
        case Utf8Verdict::valid:
            if (fed && fin && at == -1) return true;
            break;
        case Utf8Verdict::truncated:
            if (fed && !fin && at == -1) return true;
            break;
        case Utf8Verdict::invalid:
            if (!fed && at == static_cast<long>(ref.reject_at)) return true;
            break;
    }
    why = to_hex(data) + ": validator rejected at " + std::to_string(at);
    return false;
}

}  // namespace

TEST_CASE("utf8: exhaustive 1- and 2-byte inputs agree with the reference") {
    int failures = 0;
    std::string why;
    for (unsigned a = 0; a < 256; ++a) {
        const Bytes one{static_cast<std::uint8_t>(a)};
        if (!agrees(one, why)) ++failures;
        for (unsigned b = 0; b < 256; ++b) {
            const Bytes two{static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)};
            if (!agrees(two, why)) ++failures;
        }
    }
    INFO("last failure: " << why);
    CHECK(failures == 0);
}

TEST_CASE("utf8: exhaustive 3-byte inputs with a 3- or 4-byte lead agree with the reference") {
    int failures = 0;
    std::string why;
    for (unsigned a = 0xE0; a <= 0xF7; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned c = 0; c < 256; ++c) {
                const Bytes data{static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
                                 static_cast<std::uint8_t>(c)};
                if (!agrees(data, why)) ++failures;
            }
    INFO("last failure: " << why);
    CHECK(failures == 0);
}

TEST_CASE("utf8: 4-byte inputs around every boundary agree with the reference") {
    const unsigned edges[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    int failures = 0;
    std::string why;
    for (unsigned a = 0xF0; a <= 0xF7; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned c : edges)
                for (unsigned d : edges) {
                    const Bytes data{static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
                                     static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(d)};
                    if (!agrees(data, why)) ++failures;
                }
    INFO("last failure: " << why);
    CHECK(failures == 0);
}
