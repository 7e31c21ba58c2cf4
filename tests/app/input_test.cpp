// Input splitting (input.hpp): lines, CRLF, NUL records, --chunk and --whole, with every
// input also fed in two and three pieces cut at every offset: a record split across reads
// must come out exactly as if it had arrived in one.
#include "app/input.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace wscope::app {
namespace {

using Records = std::vector<std::string>;

struct Split {
    Records records;
    std::vector<std::uint64_t> numbers;
};

// Feeds the pieces of input cut at `cuts` (ascending offsets), then finishes.
Split run(Framing framing, std::size_t chunk, std::string_view input,
          const std::vector<std::size_t>& cuts) {
    InputSplitter splitter(framing, chunk);
    Split out;
    const InputSplitter::Sink sink = [&](proto::ByteView record, std::uint64_t number) {
        out.records.emplace_back(proto::as_chars(record));
        out.numbers.push_back(number);
    };
    std::size_t at = 0;
    for (const std::size_t cut : cuts) {
        splitter.feed(proto::as_bytes(input.substr(at, cut - at)), sink);
        at = cut;
    }
    splitter.feed(proto::as_bytes(input.substr(at)), sink);
    splitter.finish(sink);
    CHECK(splitter.buffered() == 0);
    return out;
}

// The records of input in one read, in two reads cut at every offset, in three reads cut at
// every pair of offsets, and one byte per read: all must be `expected`, numbered 1, 2, ….
void check_split(Framing framing, std::size_t chunk, std::string_view input,
                 const Records& expected) {
    std::vector<std::uint64_t> numbers;
    for (std::size_t i = 0; i < expected.size(); ++i) numbers.push_back(i + 1);
    const auto expect = [&](const Split& got, const std::string& how) {
        INFO("input " << doctest::toString(std::string(input)) << " fed " << how);
        CHECK(got.records == expected);
        CHECK(got.numbers == numbers);
    };
    expect(run(framing, chunk, input, {}), "whole");
    for (std::size_t a = 0; a <= input.size(); ++a) {
        expect(run(framing, chunk, input, {a}), "cut at " + std::to_string(a));
        for (std::size_t b = a; b <= input.size(); ++b)
            expect(run(framing, chunk, input, {a, b}),
                   "cut at " + std::to_string(a) + "," + std::to_string(b));
    }
    std::vector<std::size_t> every;
    for (std::size_t a = 1; a < input.size(); ++a) every.push_back(a);
    expect(run(framing, chunk, input, every), "a byte at a time");
}

}  // namespace

TEST_CASE("lines: the line end is removed, LF or CRLF") {
    check_split(Framing::lines, 0, "one\ntwo\r\nthree\n", {"one", "two", "three"});
    check_split(Framing::lines, 0, "a\r\nb\r\n", {"a", "b"});
    // The last line needs no line end.
    check_split(Framing::lines, 0, "first\nlast", {"first", "last"});
    check_split(Framing::lines, 0, "last\r", {"last"});
}

TEST_CASE("lines: empty lines are messages; empty input is none") {
    check_split(Framing::lines, 0, "\n", {""});
    check_split(Framing::lines, 0, "\n\n", {"", ""});
    check_split(Framing::lines, 0, "a\n\r\nb\n", {"a", "", "b"});
    check_split(Framing::lines, 0, "", {});
}

TEST_CASE("lines: only a CR right before the LF is a line end; NUL is data") {
    check_split(Framing::lines, 0, "a\rb\n", {"a\rb"});
    check_split(Framing::lines, 0, "a\r\r\n", {"a\r"});
    check_split(Framing::lines, 0, "\r\n\r", {"", ""});
    check_split(Framing::lines, 0, std::string_view("x\0y\n\0", 5),
                {std::string("x\0y", 3), std::string(1, '\0')});
}

TEST_CASE("-0: NUL-separated records keep newlines and CRs") {
    check_split(Framing::nul, 0, std::string_view("a\0b\0", 4), {"a", "b"});
    check_split(Framing::nul, 0, std::string_view("l1\nl2\r\n\0tail", 12), {"l1\nl2\r\n", "tail"});
    check_split(Framing::nul, 0, std::string_view("\0\0", 2), {"", ""});
    check_split(Framing::nul, 0, std::string_view("x\r\0", 3), {"x\r"});
    check_split(Framing::nul, 0, "", {});
}

TEST_CASE("--chunk N: pieces of N bytes, the last one shorter") {
    check_split(Framing::chunk, 3, "abcdefgh", {"abc", "def", "gh"});
    check_split(Framing::chunk, 3, "abcdef", {"abc", "def"});
    check_split(Framing::chunk, 1, "a\nb", {"a", "\n", "b"});
    check_split(Framing::chunk, 4, std::string_view("\r\n\0\r\n", 5),
                {std::string("\r\n\0\r", 4), "\n"});
    check_split(Framing::chunk, 100, "short", {"short"});
    check_split(Framing::chunk, 5, "", {});
}

TEST_CASE("--whole: all of stdin is one message, even none of it") {
    check_split(Framing::whole, 0, std::string_view("a\nb\r\n\0c", 7),
                {std::string("a\nb\r\n\0c", 7)});
    check_split(Framing::whole, 0, "", {""});
    check_split(Framing::whole, 0, "\n", {"\n"});
}

TEST_CASE("a record that arrives whole in one read is passed as a view of that read") {
    const std::string input = "first\nsecond\n";
    InputSplitter splitter(Framing::lines, 0);
    std::vector<const std::uint8_t*> starts;
    splitter.feed(proto::as_bytes(std::string_view(input)),
                  [&](proto::ByteView r, std::uint64_t) { starts.push_back(r.data()); });
    const auto* base = reinterpret_cast<const std::uint8_t*>(input.data());
    REQUIRE(starts.size() == 2);
    CHECK(starts[0] == base);
    CHECK(starts[1] == base + 6);
}

TEST_CASE("a record gathered across reads stops the splitter when it outgrows the limit") {
    for (const Framing framing : {Framing::lines, Framing::nul, Framing::whole}) {
        CAPTURE(static_cast<int>(framing));
        InputSplitter splitter(framing, 0, 8);
        Records got;
        const InputSplitter::Sink sink = [&](proto::ByteView r, std::uint64_t) {
            got.emplace_back(proto::as_chars(r));
        };
        const std::string_view end = framing == Framing::nul ? std::string_view("\0", 1) : "\n";
        if (framing != Framing::whole) {
            // Up to the limit, gathered or not, records pass.
            splitter.feed(proto::as_bytes(std::string_view("1234")), sink);
            splitter.feed(proto::as_bytes(std::string_view("5678")), sink);
            splitter.feed(proto::as_bytes(end), sink);
            CHECK(got == Records{"12345678"});
            CHECK_FALSE(splitter.overflowed());
        }
        splitter.feed(proto::as_bytes(std::string_view("abcdefgh")), sink);
        CHECK_FALSE(splitter.overflowed());
        splitter.feed(proto::as_bytes(std::string_view("i")), sink);  // the 9th byte
        CHECK(splitter.overflowed());
        CHECK(splitter.buffered() == 0);  // what it held is let go
        // Nothing more is passed on, not even a record that would fit.
        const std::size_t before = got.size();
        splitter.feed(proto::as_bytes(std::string("x") + std::string(end) + "y"), sink);
        splitter.finish(sink);
        CHECK(got.size() == before);
    }
}

TEST_CASE("what is held between reads is the unfinished record only") {
    InputSplitter splitter(Framing::lines, 0);
    Records got;
    const InputSplitter::Sink sink = [&](proto::ByteView r, std::uint64_t) {
        got.emplace_back(proto::as_chars(r));
    };
    splitter.feed(proto::as_bytes(std::string_view("done\npart")), sink);
    CHECK(got == Records{"done"});
    CHECK(splitter.buffered() == 4);
    splitter.feed(proto::as_bytes(std::string_view("ial\n")), sink);
    CHECK(got == Records{"done", "partial"});
    CHECK(splitter.buffered() == 0);
    InputSplitter chunks(Framing::chunk, 4);
    chunks.feed(proto::as_bytes(std::string_view("abcdef")), sink);
    CHECK(chunks.buffered() == 2);
}

}  // namespace wscope::app
