// Frame header encoding and incremental parsing (src/proto/frame.hpp, RFC 6455 §5.2).
#include "proto/frame.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "support/feed.hpp"
#include "support/hex.hpp"

using namespace wscope::proto;
using wscope::test::check_header_parser;
using wscope::test::hex;
using wscope::test::plans;
using wscope::test::rfc_key;
using wscope::test::run_header_parser;
using wscope::test::to_hex;

namespace {

constexpr std::uint64_t max_len = (std::uint64_t{1} << 63) - 1;

FrameHeader make(Opcode op, std::uint64_t len, bool fin = true, std::uint8_t rsv = 0,
                 std::optional<MaskKey> mask = std::nullopt) {
    FrameHeader h;
    h.fin = fin;
    h.rsv = rsv;
    h.opcode = op;
    h.mask = mask;
    h.payload_len = len;
    h.length_encoding = minimal_encoding(len);
    return h;
}

// encode_header into a buffer full of sentinels; anything written past the returned size is
// reported as a mismatch.
std::string encode(const FrameHeader& h) {
    std::array<std::uint8_t, max_header_size + 8> buf;
    buf.fill(0xEE);
    const std::size_t n = encode_header(h, buf.data());
    for (std::size_t i = n; i < buf.size(); ++i)
        if (buf[i] != 0xEE) return "wrote past the header at byte " + std::to_string(i);
    if (n > max_header_size) return "header longer than max_header_size";
    return to_hex({buf.data(), n});
}

}  // namespace

TEST_CASE("frame: constants match RFC 6455 §5.2 and §5.5") {
    CHECK(max_header_size == 14);
    CHECK(max_control_payload == 125);
    CHECK(rsv1 == 0x4);
    CHECK(rsv2 == 0x2);
    CHECK(rsv3 == 0x1);
}

TEST_CASE("frame: minimal_encoding and header_size at every boundary") {
    CHECK(minimal_encoding(0) == LengthEncoding::len7);
    CHECK(minimal_encoding(125) == LengthEncoding::len7);
    CHECK(minimal_encoding(126) == LengthEncoding::len16);
    CHECK(minimal_encoding(65535) == LengthEncoding::len16);
    CHECK(minimal_encoding(65536) == LengthEncoding::len64);
    CHECK(minimal_encoding(max_len) == LengthEncoding::len64);

    CHECK(header_size(0, false) == 2);
    CHECK(header_size(125, false) == 2);
    CHECK(header_size(126, false) == 4);
    CHECK(header_size(65535, false) == 4);
    CHECK(header_size(65536, false) == 10);
    CHECK(header_size(max_len, false) == 10);
    CHECK(header_size(0, true) == 6);
    CHECK(header_size(125, true) == 6);
    CHECK(header_size(126, true) == 8);
    CHECK(header_size(65536, true) == 14);
}

TEST_CASE("frame: encode_header byte table") {
    struct Row {
        FrameHeader h;
        const char* bytes;
    };
    const Row rows[] = {
        // 7-bit lengths.
        {make(Opcode::text, 0), "81 00"},
        {make(Opcode::text, 5), "81 05"},
        {make(Opcode::text, 125), "81 7d"},
        // 16-bit lengths.
        {make(Opcode::binary, 126), "82 7e 00 7e"},
        {make(Opcode::binary, 256), "82 7e 01 00"},
        {make(Opcode::binary, 65535), "82 7e ff ff"},
        // 64-bit lengths, most significant byte first.
        {make(Opcode::binary, 65536), "82 7f 00 00 00 00 00 01 00 00"},
        {make(Opcode::binary, 0x0102030405060708), "82 7f 01 02 03 04 05 06 07 08"},
        {make(Opcode::binary, max_len), "82 7f 7f ff ff ff ff ff ff ff"},
        // Mask bit and key after the length.
        {make(Opcode::text, 5, true, 0, rfc_key), "81 85 37 fa 21 3d"},
        {make(Opcode::text, 0, true, 0, rfc_key), "81 80 37 fa 21 3d"},
        {make(Opcode::text, 125, true, 0, rfc_key), "81 fd 37 fa 21 3d"},
        {make(Opcode::binary, 126, true, 0, rfc_key), "82 fe 00 7e 37 fa 21 3d"},
        {make(Opcode::binary, 65535, true, 0, rfc_key), "82 fe ff ff 37 fa 21 3d"},
        {make(Opcode::binary, 65536, true, 0, rfc_key), "82 ff 00 00 00 00 00 01 00 00 37 fa 21 3d"},
        {make(Opcode::binary, max_len, true, 0, MaskKey{1, 2, 3, 4}),
         "82 ff 7f ff ff ff ff ff ff ff 01 02 03 04"},
        // FIN, RSV and opcode bits.
        {make(Opcode::text, 3, false), "01 03"},
        {make(Opcode::continuation, 2, true), "80 02"},
        {make(Opcode::continuation, 0, false), "00 00"},
        {make(Opcode::binary, 0, true, rsv1), "c2 00"},
        {make(Opcode::binary, 0, true, rsv2), "a2 00"},
        {make(Opcode::binary, 0, true, rsv3), "92 00"},
        {make(Opcode::continuation, 0, false, 7), "70 00"},
        {make(Opcode::close, 2), "88 02"},
        {make(Opcode::ping, 5), "89 05"},
        {make(Opcode::pong, 5, true, 0, rfc_key), "8a 85 37 fa 21 3d"},
        // Reserved opcodes are encoded as given (for /frame).
        {make(static_cast<Opcode>(0x3), 0), "83 00"},
        {make(static_cast<Opcode>(0xF), 1), "8f 01"},
    };
    for (const Row& row : rows) {
        INFO("row.bytes := " << std::string(row.bytes));
        CHECK(encode(row.h) == row.bytes);
    }
}

TEST_CASE("frame: encode_header picks the minimal length encoding whatever the field says") {
    FrameHeader h = make(Opcode::text, 5);
    h.length_encoding = LengthEncoding::len64;
    CHECK(encode(h) == "81 05");
    h.payload_len = 200;
    h.length_encoding = LengthEncoding::len7;
    CHECK(encode(h) == "81 7e 00 c8");
}

TEST_CASE("frame: encode_header returns header_size for every length class") {
    for (std::uint64_t len : std::initializer_list<std::uint64_t>{0, 1, 125, 126, 127, 65535, 65536, 1ull << 32, max_len}) {
        for (bool masked : {false, true}) {
            CAPTURE(len);
            CAPTURE(masked);
            std::array<std::uint8_t, max_header_size> buf{};
            const auto h = make(Opcode::binary, len, true, 0,
                                masked ? std::optional<MaskKey>(rfc_key) : std::nullopt);
            CHECK(encode_header(h, buf.data()) == header_size(len, masked));
        }
    }
}

TEST_CASE("frame: append_frame appends header and (masked) payload") {
    const Bytes hello = wscope::test::bytes_of("Hello");
    SUBCASE("unmasked: RFC 6455 §5.7 single-frame unmasked text") {
        Bytes out = hex("aa");
        append_frame(out, make(Opcode::text, 5), hello);
        CHECK(to_hex(out) == "aa 81 05 48 65 6c 6c 6f");
    }
    SUBCASE("masked: RFC 6455 §5.7 single-frame masked text") {
        Bytes out;
        append_frame(out, make(Opcode::text, 5, true, 0, rfc_key), hello);
        CHECK(to_hex(out) == "81 85 37 fa 21 3d 7f 9f 4d 51 58");
    }
    SUBCASE("the caller's payload is not modified") {
        Bytes out;
        append_frame(out, make(Opcode::text, 5, true, 0, rfc_key), hello);
        CHECK(to_hex(hello) == "48 65 6c 6c 6f");
    }
    SUBCASE("256-byte binary: 16-bit length") {
        const Bytes payload = wscope::test::pattern(256);
        Bytes out;
        append_frame(out, make(Opcode::binary, 256), payload);
        REQUIRE(out.size() == 4 + 256);
        CHECK(to_hex({out.data(), 4}) == "82 7e 01 00");
        CHECK(std::equal(payload.begin(), payload.end(), out.begin() + 4));
    }
    SUBCASE("65536-byte binary, masked: 64-bit length, mask keeps its phase across the payload") {
        const Bytes payload = wscope::test::pattern(65536);
        Bytes out;
        append_frame(out, make(Opcode::binary, 65536, true, 0, rfc_key), payload);
        REQUIRE(out.size() == 14 + 65536);
        CHECK(to_hex({out.data(), 14}) == "82 ff 00 00 00 00 00 01 00 00 37 fa 21 3d");
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < payload.size(); ++i)
            if (out[14 + i] != (payload[i] ^ rfc_key[i % 4])) ++wrong;
        CHECK(wrong == 0);
    }
}

TEST_CASE("frame: HeaderParser byte table, fed whole, split at every offset, byte by byte") {
    struct Row {
        const char* bytes;
        const char* expected;
    };
    const Row rows[] = {
        // 7-bit lengths; the payload after the header is not consumed.
        {"81 00", "TEXT fin=1 len=0 enc=7 used=2"},
        {"81 05 48 65 6c 6c 6f", "TEXT fin=1 len=5 enc=7 used=2"},
        {"81 7d", "TEXT fin=1 len=125 enc=7 used=2"},
        {"81 85 37 fa 21 3d 7f 9f 4d 51 58", "TEXT fin=1 len=5 mask=37fa213d enc=7 used=6"},
        {"01 03 48 65 6c", "TEXT fin=0 len=3 enc=7 used=2"},
        {"80 02 6c 6f", "CONT fin=1 len=2 enc=7 used=2"},
        {"89 05 48 65 6c 6c 6f", "PING fin=1 len=5 enc=7 used=2"},
        {"8a 85 37 fa 21 3d 7f 9f 4d 51 58", "PONG fin=1 len=5 mask=37fa213d enc=7 used=6"},
        // 16-bit lengths at their boundaries.
        {"82 7e 00 7e", "BINARY fin=1 len=126 enc=16 used=4"},
        {"82 7e 01 00 00 01", "BINARY fin=1 len=256 enc=16 used=4"},
        {"82 7e ff ff", "BINARY fin=1 len=65535 enc=16 used=4"},
        {"82 fe ff ff 01 02 03 04", "BINARY fin=1 len=65535 mask=01020304 enc=16 used=8"},
        // 64-bit lengths at their boundaries.
        {"82 7f 00 00 00 00 00 01 00 00", "BINARY fin=1 len=65536 enc=64 used=10"},
        {"82 7f 01 02 03 04 05 06 07 08", "BINARY fin=1 len=72623859790382856 enc=64 used=10"},
        {"82 7f 7f ff ff ff ff ff ff ff", "BINARY fin=1 len=9223372036854775807 enc=64 used=10"},
        {"82 ff 00 00 00 00 00 01 00 00 37 fa 21 3d ff",
         "BINARY fin=1 len=65536 mask=37fa213d enc=64 used=14"},
        // RSV bits and every opcode are syntax only here: the rules come later (frame_rules).
        {"c1 00", "TEXT fin=1 rsv=100 len=0 enc=7 used=2"},
        {"a1 00", "TEXT fin=1 rsv=010 len=0 enc=7 used=2"},
        {"91 00", "TEXT fin=1 rsv=001 len=0 enc=7 used=2"},
        {"70 00", "CONT fin=0 rsv=111 len=0 enc=7 used=2"},
        {"83 00", "RSV3 fin=1 len=0 enc=7 used=2"},
        {"87 00", "RSV7 fin=1 len=0 enc=7 used=2"},
        {"8b 00", "RSVB fin=1 len=0 enc=7 used=2"},
        {"8f 00", "RSVF fin=1 len=0 enc=7 used=2"},
        {"09 7e 00 7e", "PING fin=0 len=126 enc=16 used=4"},
        // §5.2: "the most significant bit MUST be 0".
        {"82 7f 80 00 00 00 00 00 00 00", "error length_msb_set used=10"},
        {"82 7f ff ff ff ff ff ff ff ff", "error length_msb_set used=10"},
        {"82 7f 80 00 00 00 00 00 00 05", "error length_msb_set used=10"},
        // §5.2: "the minimal number of bytes MUST be used to encode the length".
        {"82 7e 00 00", "error non_minimal_length used=4"},
        {"82 7e 00 05", "error non_minimal_length used=4"},
        {"82 7e 00 7d", "error non_minimal_length used=4"},
        {"82 7f 00 00 00 00 00 00 00 00", "error non_minimal_length used=10"},
        {"82 7f 00 00 00 00 00 00 00 7d", "error non_minimal_length used=10"},
        {"82 7f 00 00 00 00 00 00 00 7e", "error non_minimal_length used=10"},
        {"82 7f 00 00 00 00 00 00 ff ff", "error non_minimal_length used=10"},
        // Incomplete headers: need more, everything given is kept.
        {"", "need_more used=0"},
        {"81", "need_more used=1"},
        {"81 85 37 fa 21", "need_more used=5"},
        {"82 7e 00", "need_more used=3"},
        {"82 7f 00 00 00 00 00 01 00", "need_more used=9"},
        {"82 ff 00 00 00 00 00 01 00 00 37 fa 21", "need_more used=13"},
    };
    for (const Row& row : rows) {
        INFO("row.bytes := " << std::string(row.bytes));
        check_header_parser(hex(row.bytes), row.expected);
    }
}

TEST_CASE("frame: HeaderParser parses consecutive headers after reset()") {
    const Bytes stream = hex("01 03 48 65 6c  89 80 01 02 03 04  80 02 6c 6f");
    HeaderParser parser;
    ByteView in = stream;

    REQUIRE(parser.parse(in) == HeaderParser::Status::done);
    CHECK(parser.header().opcode == Opcode::text);
    CHECK_FALSE(parser.header().fin);
    CHECK(in.size() == stream.size() - 2);
    in = in.subspan(3);  // the payload "Hel"
    parser.reset();

    REQUIRE(parser.parse(in) == HeaderParser::Status::done);
    CHECK(parser.header().opcode == Opcode::ping);
    CHECK(parser.header().mask == MaskKey{1, 2, 3, 4});
    CHECK(to_hex(parser.raw()) == "89 80 01 02 03 04");
    parser.reset();

    REQUIRE(parser.parse(in) == HeaderParser::Status::done);
    CHECK(parser.header().opcode == Opcode::continuation);
    CHECK(parser.header().fin);
    CHECK_FALSE(parser.header().mask.has_value());  // no key left over from the masked PING
    CHECK(parser.header().payload_len == 2);
    CHECK(to_hex(in) == "6c 6f");
}

TEST_CASE("frame: round trip encode → parse → encode for many headers") {
    const std::uint64_t lengths[] = {0, 1, 125, 126, 127, 65535, 65536, 1ull << 32, max_len};
    const std::optional<MaskKey> masks[] = {std::nullopt, rfc_key, MaskKey{0, 0, 0, 0},
                                            MaskKey{0xff, 0xff, 0xff, 0xff}};
    int headers = 0;
    int failures = 0;
    std::string first_failure;
    for (unsigned op = 0; op < 16; ++op)
        for (bool fin : {false, true})
            for (std::uint8_t rsv = 0; rsv < 8; ++rsv)
                for (const auto& mask : masks)
                    for (std::uint64_t len : lengths) {
                        const FrameHeader h = make(static_cast<Opcode>(op), len, fin, rsv, mask);
                        std::array<std::uint8_t, max_header_size> buf{};
                        const std::size_t n = encode_header(h, buf.data());
                        const ByteView wire(buf.data(), n);
                        ++headers;
                        for (const auto& plan : plans(n)) {
                            HeaderParser parser;
                            bool ok = false;
                            for (ByteView piece : wscope::test::pieces(wire, plan.cuts)) {
                                const auto status = parser.parse(piece);
                                ok = status == HeaderParser::Status::done && piece.empty();
                                if (status != HeaderParser::Status::need_more) break;
                            }
                            std::array<std::uint8_t, max_header_size> again{};
                            const bool same = ok && parser.header() == h &&
                                              encode_header(parser.header(), again.data()) == n &&
                                              std::equal(again.begin(), again.begin() + n, buf.begin());
                            if (!same && failures++ == 0)
                                first_failure = to_hex(wire) + " fed " + plan.name;
                        }
                    }
    CHECK(headers == 16 * 2 * 8 * 4 * 9);
    INFO("first failure: " << first_failure);
    CHECK(failures == 0);
}

TEST_CASE("frame: HeaderParser leaves the input untouched on need_more boundaries") {
    // A header arriving in three reads, the last of which also carries the payload.
    const Bytes a = hex("82");
    const Bytes b = hex("fe 01");
    const Bytes c = hex("00 0a 0b 0c 0d ff ff");
    HeaderParser parser;
    ByteView in = a;
    CHECK(parser.parse(in) == HeaderParser::Status::need_more);
    CHECK(in.empty());
    in = b;
    CHECK(parser.parse(in) == HeaderParser::Status::need_more);
    CHECK(in.empty());
    in = c;
    REQUIRE(parser.parse(in) == HeaderParser::Status::done);
    CHECK(parser.header().payload_len == 256);
    CHECK(parser.header().mask == MaskKey{0x0a, 0x0b, 0x0c, 0x0d});
    CHECK(to_hex(in) == "ff ff");
    CHECK(to_hex(parser.raw()) == "82 fe 01 00 0a 0b 0c 0d");
    CHECK(run_header_parser(hex("82 fe 01 00 0a 0b 0c 0d ff ff"), {1, 3}) ==
          "BINARY fin=1 len=256 mask=0a0b0c0d enc=16 used=8");
}
