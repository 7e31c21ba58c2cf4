// The sans-I/O Connection (src/proto/connection.hpp; RFC 6455 §5-§7, §8.1, §10.4).
//
// Inbound: every input is fed whole, split in two at every offset and byte by byte
// (support/feed.hpp), and the events must be the same each time. Outbound: byte-exact frames
// with a fixed masking key. Then client → server and server → client round trips.
#include "proto/connection.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "support/event_log.hpp"
#include "support/feed.hpp"
#include "support/hex.hpp"
#include "vectors/rfc6455.hpp"

using namespace wscope::proto;
using wscope::test::bytes_of;
using wscope::test::check_connection;
using wscope::test::check_connection_plans;
using wscope::test::chunked;
using wscope::test::hex;
using wscope::test::msg_line;
using wscope::test::pattern;
using wscope::test::Plan;
using wscope::test::rfc_key;
using wscope::test::to_hex;

namespace {

const ConnectionOptions client = wscope::test::client_options();
const ConnectionOptions server = wscope::test::server_options();

// A frame encoder independent of frame.cpp, for building inputs: the first byte as given, the
// minimal length encoding, the key (if any) and the payload masked with it.
Bytes wire(std::uint8_t b0, ByteView payload, std::optional<MaskKey> key = std::nullopt) {
    Bytes out{b0};
    const std::uint8_t m = key ? 0x80 : 0x00;
    const std::uint64_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<std::uint8_t>(m | n));
    } else if (n < 65536) {
        out.push_back(m | 126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(m | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
    }
    if (key) out.insert(out.end(), key->begin(), key->end());
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<std::uint8_t>(payload[i] ^ (key ? (*key)[i % 4] : 0)));
    return out;
}

Bytes wire(std::uint8_t b0, std::string_view payload, std::optional<MaskKey> key = std::nullopt) {
    return wire(b0, as_bytes(payload), key);
}

// The frames one after another, as one stream.
template <typename... Frames>
Bytes concat_frames(const Frames&... frames) {
    Bytes out;
    (out.insert(out.end(), frames.begin(), frames.end()), ...);
    return out;
}

constexpr MaskKey key2{0x01, 0x02, 0x03, 0x04};

// Letters, for text payloads of any size.
Bytes letters(std::size_t n) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>('a' + i % 26);
    return out;
}

// Drains c into a log (no normalisation across reads needed: one read per call).
std::vector<std::string> events(Connection& c) {
    wscope::test::EventLog log;
    wscope::test::drain(c, log);
    log.finish();
    return log.lines();
}

// A MaskSource that hands out 10 20 30 n, n = 1, 2, 3, …
class CountingMasks final : public wscope::crypto::MaskSource {
public:
    std::array<std::uint8_t, 4> next() override { return {0x10, 0x20, 0x30, ++n_}; }

private:
    std::uint8_t n_ = 0;
};

struct Row {
    const char* what;
    Bytes input;
    std::vector<std::string> expected;
};

void check_rows(const ConnectionOptions& options, const std::vector<Row>& rows, bool eof = false) {
    for (const Row& row : rows) {
        INFO("row.what := " << std::string(row.what));
        check_connection(options, row.input, row.expected, eof);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RFC 6455 §5.7 examples

TEST_CASE("connection: RFC 6455 §5.7 examples received by a client (unmasked)") {
    check_rows(client, {
        {"single-frame unmasked text", hex(wscope::vectors::unmasked_text),
         {"start TEXT fin=1 len=5", "msg text first last 'Hello'"}},
        {"fragmented unmasked text",
         concat_frames(hex(wscope::vectors::fragment_1), hex(wscope::vectors::fragment_2)),
         {"start TEXT fin=0 len=3", "msg text first 'Hel'", "start CONT fin=1 len=2",
          "msg text last 'lo'"}},
        {"unmasked ping", hex(wscope::vectors::unmasked_ping), {"start PING fin=1 len=5", "ping 'Hello'"}},
        {"unmasked pong", hex("8a 05 48 65 6c 6c 6f"), {"start PONG fin=1 len=5", "pong 'Hello'"}},
        {"three frames in one stream", hex("81 05 48 65 6c 6c 6f  89 00  82 02 00 ff"),
         {"start TEXT fin=1 len=5", "msg text first last 'Hello'", "start PING fin=1 len=0",
          "ping ''", "start BINARY fin=1 len=2", "msg binary first last hex{00 ff}"}},
    });
}

TEST_CASE("connection: RFC 6455 §5.7 examples received by a server (masked)") {
    check_rows(server, {
        {"single-frame masked text", hex(wscope::vectors::masked_text),
         {"start TEXT fin=1 len=5 mask=37fa213d", "msg text first last 'Hello'"}},
        {"masked pong", hex(wscope::vectors::masked_pong),
         {"start PONG fin=1 len=5 mask=37fa213d", "pong 'Hello'"}},
        {"masked ping", hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"),
         {"start PING fin=1 len=5 mask=37fa213d", "ping 'Hello'"}},
        {"masked fragmented text, a fresh key per frame",
         hex("01 83 37 fa 21 3d 7f 9f 4d  80 82 01 02 03 04 6d 6d"),
         {"start TEXT fin=0 len=3 mask=37fa213d", "msg text first 'Hel'",
          "start CONT fin=1 len=2 mask=01020304", "msg text last 'lo'"}},
    });
}

TEST_CASE("connection: 256-byte and 64 KiB binary messages (16- and 64-bit lengths)") {
    const Bytes small = pattern(256);
    const Bytes big = pattern(65536, 9);
    SUBCASE("client receives 256 bytes: 82 7e 01 00") {
        Bytes input = hex(wscope::vectors::binary_256_header);
        input.insert(input.end(), small.begin(), small.end());
        CHECK(input == wire(0x82, small));
        check_connection(client, input,
                         {"start BINARY fin=1 len=256", msg_line(MessageType::binary, true, true, small)});
    }
    SUBCASE("server receives 256 bytes masked") {
        check_connection(server, wire(0x82, small, rfc_key),
                         {"start BINARY fin=1 len=256 mask=37fa213d",
                          msg_line(MessageType::binary, true, true, small)});
    }
    SUBCASE("client receives 64 KiB: 82 7f 00 00 00 00 00 01 00 00") {
        const Bytes input = wire(0x82, big);
        CHECK(to_hex(ByteView(input).first(10)) == wscope::vectors::binary_64k_header);
        check_connection(client, input,
                         {"start BINARY fin=1 len=65536", msg_line(MessageType::binary, true, true, big)});
    }
    SUBCASE("server receives 64 KiB masked") {
        check_connection(server, wire(0x82, big, key2),
                         {"start BINARY fin=1 len=65536 mask=01020304",
                          msg_line(MessageType::binary, true, true, big)});
    }
}

TEST_CASE("connection: empty messages and frames") {
    check_rows(client, {
        {"empty text", hex("81 00"), {"start TEXT fin=1 len=0", "msg text first last ''"}},
        {"empty binary", hex("82 00"), {"start BINARY fin=1 len=0", "msg binary first last ''"}},
        {"empty ping", hex("89 00"), {"start PING fin=1 len=0", "ping ''"}},
        {"empty fragments make one empty message", hex("01 00 00 00 80 00"),
         {"start TEXT fin=0 len=0", "start CONT fin=0 len=0", "start CONT fin=1 len=0",
          "msg text first last ''"}},
        {"an empty last fragment", hex("02 02 01 02 80 00"),
         {"start BINARY fin=0 len=2", "msg binary first hex{01 02}", "start CONT fin=1 len=0",
          "msg binary last ''"}},
    });
}

// ---------------------------------------------------------------------------------------------
// Every rule broken once, each with its own Errc and close code

TEST_CASE("connection: masking direction (§5.1)") {
    check_connection(client, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
                     {"start TEXT fin=1 len=5 mask=37fa213d", "violation server_frame_masked 1002"});
    check_connection(server, hex("81 05 48 65 6c 6c 6f"),
                     {"start TEXT fin=1 len=5", "violation client_frame_unmasked 1002"});
    // Control frames too, and even empty ones.
    check_connection(client, hex("89 80 37 fa 21 3d"),
                     {"start PING fin=1 len=0 mask=37fa213d", "violation server_frame_masked 1002"});
    check_connection(server, hex("88 00"), {"start CLOSE fin=1 len=0", "violation client_frame_unmasked 1002"});
    // Caught at the header: the payload never has to arrive.
    check_connection(server, hex("82 7e 10 00"),
                     {"start BINARY fin=1 len=4096", "violation client_frame_unmasked 1002"});
}

TEST_CASE("connection: reserved opcodes 3-7 and B-F (§5.2)") {
    for (unsigned op : {0x3u, 0x4u, 0x5u, 0x6u, 0x7u, 0xBu, 0xCu, 0xDu, 0xEu, 0xFu}) {
        CAPTURE(op);
        const std::string name(wscope::proto::name(static_cast<Opcode>(op)));
        const auto b0 = static_cast<std::uint8_t>(0x80 | op);
        check_connection(client, wire(b0, "xy"),
                         {"start " + name + " fin=1 len=2", "violation reserved_opcode 1002"});
        check_connection(server, wire(b0, "", rfc_key),
                         {"start " + name + " fin=1 len=0 mask=37fa213d", "violation reserved_opcode 1002"});
        // In the middle of a fragmented message as well.
        check_connection(client, concat_frames(wire(0x01, "a"), wire(b0, "")),
                         {"start TEXT fin=0 len=1", "msg text first 'a'",
                          "start " + name + " fin=1 len=0", "violation reserved_opcode 1002"});
    }
}

TEST_CASE("connection: RSV1/2/3 without an extension (§5.2)") {
    struct Case {
        std::uint8_t b0;
        const char* start;
    };
    const Case cases[] = {
        {0xc1, "start TEXT fin=1 rsv=100 len=1"},   {0xa1, "start TEXT fin=1 rsv=010 len=1"},
        {0x91, "start TEXT fin=1 rsv=001 len=1"},   {0xf2, "start BINARY fin=1 rsv=111 len=1"},
        {0xc9, "start PING fin=1 rsv=100 len=1"},   {0x9a, "start PONG fin=1 rsv=001 len=1"},
        {0xa8, "start CLOSE fin=1 rsv=010 len=1"},
    };
    for (const Case& c : cases) {
        INFO("c.start := " << std::string(c.start));
        check_connection(client, wire(c.b0, "a"), {c.start, "violation reserved_bits 1002"});
    }
    // On a continuation frame of an open message.
    check_connection(client, concat_frames(wire(0x01, "a"), wire(0xc0, "b")),
                     {"start TEXT fin=0 len=1", "msg text first 'a'", "start CONT fin=1 rsv=100 len=1",
                      "violation reserved_bits 1002"});
}

TEST_CASE("connection: control frames longer than 125 bytes fail at the header (§5.5)") {
    // Only the header is fed: the violation must not wait for the 126 payload bytes.
    check_connection(client, hex("89 7e 00 7e"),
                     {"start PING fin=1 len=126", "violation control_too_long 1002"});
    check_connection(client, hex("8a 7e 00 7e"),
                     {"start PONG fin=1 len=126", "violation control_too_long 1002"});
    check_connection(client, hex("88 7e 00 7e"),
                     {"start CLOSE fin=1 len=126", "violation control_too_long 1002"});
    check_connection(client, hex("89 7e ff ff"),
                     {"start PING fin=1 len=65535", "violation control_too_long 1002"});
    check_connection(client, hex("89 7f 00 00 00 00 00 01 00 00"),
                     {"start PING fin=1 len=65536", "violation control_too_long 1002"});
    check_connection(server, hex("89 fe 00 7e 37 fa 21 3d"),
                     {"start PING fin=1 len=126 mask=37fa213d", "violation control_too_long 1002"});
    // With the payload present the outcome is the same.
    check_connection(client, wire(0x89, pattern(126)),
                     {"start PING fin=1 len=126", "violation control_too_long 1002"});
    // 125 bytes is the limit, not a violation.
    const Bytes p125 = pattern(125);
    check_connection(client, wire(0x89, p125),
                     {"start PING fin=1 len=125", "ping " + wscope::test::repr(p125)});
    check_connection(server, wire(0x8a, p125, key2),
                     {"start PONG fin=1 len=125 mask=01020304", "pong " + wscope::test::repr(p125)});
}

TEST_CASE("connection: fragmented control frames (§5.5)") {
    check_connection(client, hex("09 00"), {"start PING fin=0 len=0", "violation control_fragmented 1002"});
    check_connection(client, hex("0a 01 61"), {"start PONG fin=0 len=1", "violation control_fragmented 1002"});
    check_connection(client, hex("08 02 03 e8"), {"start CLOSE fin=0 len=2", "violation control_fragmented 1002"});
    check_connection(server, wire(0x09, "x", rfc_key),
                     {"start PING fin=0 len=1 mask=37fa213d", "violation control_fragmented 1002"});
}

TEST_CASE("connection: length field rules (§5.2)") {
    check_connection(client, hex("82 7f 80 00 00 00 00 00 00 00"),
                     {"start BINARY fin=1 len=9223372036854775808", "violation length_msb_set 1002"});
    check_connection(client, hex("82 7f ff ff ff ff ff ff ff ff"),
                     {"start BINARY fin=1 len=18446744073709551615", "violation length_msb_set 1002"});
    check_connection(client, hex("82 7e 00 05 01 02 03 04 05"),
                     {"start BINARY fin=1 len=5", "violation non_minimal_length 1002"});
    check_connection(client, hex("82 7e 00 7d"),
                     {"start BINARY fin=1 len=125", "violation non_minimal_length 1002"});
    check_connection(client, hex("82 7f 00 00 00 00 00 00 00 05"),
                     {"start BINARY fin=1 len=5", "violation non_minimal_length 1002"});
    check_connection(client, hex("82 7f 00 00 00 00 00 00 ff ff"),
                     {"start BINARY fin=1 len=65535", "violation non_minimal_length 1002"});
    check_connection(server, hex("81 fe 00 05 37 fa 21 3d 7f 9f 4d 51 58"),
                     {"start TEXT fin=1 len=5 mask=37fa213d", "violation non_minimal_length 1002"});
    // The boundaries themselves are fine.
    check_connection(client, wire(0x82, pattern(126)),
                     {"start BINARY fin=1 len=126", msg_line(MessageType::binary, true, true, pattern(126))});
}

TEST_CASE("connection: fragmentation rules (§5.4)") {
    check_rows(client, {
        {"continuation with no message open", hex("80 02 6c 6f"),
         {"start CONT fin=1 len=2", "violation unexpected_continuation 1002"}},
        {"non-final continuation with no message open", hex("00 00"),
         {"start CONT fin=0 len=0", "violation unexpected_continuation 1002"}},
        {"continuation after a complete message", hex("81 01 61 80 01 62"),
         {"start TEXT fin=1 len=1", "msg text first last 'a'", "start CONT fin=1 len=1",
          "violation unexpected_continuation 1002"}},
        {"new text while a text message is open", hex("01 03 48 65 6c 81 02 6c 6f"),
         {"start TEXT fin=0 len=3", "msg text first 'Hel'", "start TEXT fin=1 len=2",
          "violation expected_continuation 1002"}},
        {"new binary while a text message is open", hex("01 01 61 02 01 62"),
         {"start TEXT fin=0 len=1", "msg text first 'a'", "start BINARY fin=0 len=1",
          "violation expected_continuation 1002"}},
        {"new text after a continuation, message still open", hex("02 01 61 00 01 62 81 00"),
         {"start BINARY fin=0 len=1", "msg binary first 'a'", "start CONT fin=0 len=1",
          "msg binary 'b'", "start TEXT fin=1 len=0", "violation expected_continuation 1002"}},
    });
}

TEST_CASE("connection: control frames between fragments (§5.4)") {
    check_rows(client, {
        {"ping between two fragments", hex("01 03 48 65 6c  89 00  80 02 6c 6f"),
         {"start TEXT fin=0 len=3", "msg text first 'Hel'", "start PING fin=1 len=0", "ping ''",
          "start CONT fin=1 len=2", "msg text last 'lo'"}},
        {"ping and pong between three fragments", hex("02 01 01 89 01 70 00 01 02 8a 01 71 80 01 03"),
         {"start BINARY fin=0 len=1", "msg binary first hex{01}", "start PING fin=1 len=1", "ping 'p'",
          "start CONT fin=0 len=1", "msg binary hex{02}", "start PONG fin=1 len=1", "pong 'q'",
          "start CONT fin=1 len=1", "msg binary last hex{03}"}},
    });
    Bytes input = wire(0x01, "Hel", rfc_key);
    const Bytes ping = wire(0x89, "Hello", key2);
    const Bytes last = wire(0x80, "lo", rfc_key);
    input.insert(input.end(), ping.begin(), ping.end());
    input.insert(input.end(), last.begin(), last.end());
    check_connection(server, input,
                     {"start TEXT fin=0 len=3 mask=37fa213d", "msg text first 'Hel'",
                      "start PING fin=1 len=5 mask=01020304", "ping 'Hello'",
                      "start CONT fin=1 len=2 mask=37fa213d", "msg text last 'lo'"});
}

TEST_CASE("connection: message size limit, checked at the header (§10.4)") {
    const ConnectionOptions small_client = wscope::test::client_options(1000);
    const ConnectionOptions small_server = wscope::test::server_options(1000);
    const Bytes p600 = pattern(600);
    const Bytes p400 = pattern(400, 1);
    const Bytes p401 = pattern(401, 1);
    const std::string first600 = msg_line(MessageType::binary, true, false, p600);

    SUBCASE("exactly the maximum, in two fragments, is fine") {
        check_connection(small_client, concat_frames(wire(0x02, p600), wire(0x80, p400)),
                         {"start BINARY fin=0 len=600", first600, "start CONT fin=1 len=400",
                          msg_line(MessageType::binary, false, true, p400)});
    }
    SUBCASE("one byte over: reported at the second header, before its payload") {
        Bytes input = wire(0x02, p600);
        const Bytes header = hex("80 7e 01 91");  // 401
        input.insert(input.end(), header.begin(), header.end());
        check_connection(small_client, input,
                         {"start BINARY fin=0 len=600", first600, "start CONT fin=1 len=401",
                          "violation message_too_big 1009"});
        // With the payload present: the same.
        check_connection(small_client, concat_frames(wire(0x02, p600), wire(0x80, p401)),
                         {"start BINARY fin=0 len=600", first600, "start CONT fin=1 len=401",
                          "violation message_too_big 1009"});
    }
    SUBCASE("over the maximum in three fragments, masked, as a server") {
        check_connection(small_server,
                         concat_frames(wire(0x01, letters(300), rfc_key), wire(0x00, letters(300), key2),
                                       wire(0x00, letters(300), rfc_key), wire(0x80, letters(101), key2)),
                         {"start TEXT fin=0 len=300 mask=37fa213d",
                          msg_line(MessageType::text, true, false, letters(300)),
                          "start CONT fin=0 len=300 mask=01020304",
                          msg_line(MessageType::text, false, false, letters(300)),
                          "start CONT fin=0 len=300 mask=37fa213d",
                          msg_line(MessageType::text, false, false, letters(300)),
                          "start CONT fin=1 len=101 mask=01020304", "violation message_too_big 1009"});
    }
    SUBCASE("a single frame over the maximum") {
        check_connection(small_client, hex("82 7e 03 e9"), {"start BINARY fin=1 len=1001", "violation message_too_big 1009"});
        check_connection(small_client, hex("81 7e 03 e8"), {"start TEXT fin=1 len=1000"});
    }
    SUBCASE("control frames do not count toward the message") {
        const Bytes ping = pattern(125);
        check_connection(small_client,
                         concat_frames(wire(0x02, p600), wire(0x89, ping), wire(0x80, p400)),
                         {"start BINARY fin=0 len=600", first600, "start PING fin=1 len=125",
                          "ping " + wscope::test::repr(ping), "start CONT fin=1 len=400",
                          msg_line(MessageType::binary, false, true, p400)});
    }
    SUBCASE("the limit is per message, not per connection") {
        check_connection(small_client, concat_frames(wire(0x82, p600), wire(0x82, p600)),
                         {"start BINARY fin=1 len=600", msg_line(MessageType::binary, true, true, p600),
                          "start BINARY fin=1 len=600", msg_line(MessageType::binary, true, true, p600)});
    }
    SUBCASE("the default limit refuses a claimed 2^62-byte frame before allocating anything") {
        check_connection(client, hex("82 7f 40 00 00 00 00 00 00 00"),
                         {"start BINARY fin=1 len=4611686018427387904", "violation message_too_big 1009"});
    }
    SUBCASE("max_message 0 means no limit") {
        const Bytes big = pattern(70000);
        check_connection_plans(wscope::test::client_options(0), wire(0x82, big),
                               {"start BINARY fin=1 len=70000", msg_line(MessageType::binary, true, true, big)},
                               {Plan{"whole", {}}, chunked(big.size() + 10, 4096)});
    }
}

TEST_CASE("connection: text must be UTF-8, checked as it arrives (§8.1)") {
    check_rows(client, {
        {"invalid byte in a single frame", hex("81 05 48 65 ff 6c 6f"),
         {"start TEXT fin=1 len=5", "violation invalid_utf8 1007"}},
        {"surrogate", hex("81 03 ed a0 80"), {"start TEXT fin=1 len=3", "violation invalid_utf8 1007"}},
        {"overlong", hex("81 02 c0 80"), {"start TEXT fin=1 len=2", "violation invalid_utf8 1007"}},
        {"message ends inside a code point", hex("81 02 48 e2"),
         {"start TEXT fin=1 len=2", "violation invalid_utf8 1007"}},
        {"fragmented message ends inside a code point", hex("01 01 48 80 02 e2 82"),
         {"start TEXT fin=0 len=1", "msg text first 'H'", "start CONT fin=1 len=2",
          "violation invalid_utf8 1007"}},
        {"surrogate split across fragments", hex("01 02 48 ed 80 02 a0 80"),
         {"start TEXT fin=0 len=2", "msg text first hex{48 ed}", "start CONT fin=1 len=2",
          "violation invalid_utf8 1007"}},
        {"a code point split over three fragments is fine", hex("01 02 48 e2 00 01 82 80 01 ac"),
         {"start TEXT fin=0 len=2", "msg text first hex{48 e2}", "start CONT fin=0 len=1",
          "msg text hex{82}", "start CONT fin=1 len=1", "msg text last hex{ac}"}},
        {"a 4-byte code point split with a ping in between", hex("01 02 f0 9f 89 00 80 02 98 80"),
         {"start TEXT fin=0 len=2", "msg text first hex{f0 9f}", "start PING fin=1 len=0", "ping ''",
          "start CONT fin=1 len=2", "msg text last hex{98 80}"}},
        {"binary messages are not checked", hex("82 03 ff ed a0"),
         {"start BINARY fin=1 len=3", "msg binary first last hex{ff ed a0}"}},
        {"binary message open, text rules do not apply to its continuation", hex("02 01 e2 80 01 ff"),
         {"start BINARY fin=0 len=1", "msg binary first hex{e2}", "start CONT fin=1 len=1",
          "msg binary last hex{ff}"}},
    });
}

TEST_CASE("connection: invalid UTF-8 fails fast, before the message ends") {
    // A text frame claiming 100 bytes; only the first 3 arrive, the third is impossible.
    check_connection(client, hex("81 64 48 65 ff"), {"start TEXT fin=1 len=100", "violation invalid_utf8 1007"});
    // ED A0 already cannot be a prefix of UTF-8: no need to see the third byte.
    check_connection(client, hex("81 64 41 ed a0"), {"start TEXT fin=1 len=100", "violation invalid_utf8 1007"});
    // F4 90: beyond U+10FFFF.
    check_connection(client, hex("01 0a f4 90"), {"start TEXT fin=0 len=10", "violation invalid_utf8 1007"});
    // Masked, as a server: the unmasked bytes are what is checked.
    Bytes text = letters(100);
    text[50] = 0xC0;
    const Bytes frame = wire(0x81, text, rfc_key);
    check_connection(server, ByteView(frame).first(2 + 4 + 51),
                     {"start TEXT fin=1 len=100 mask=37fa213d", "violation invalid_utf8 1007"});
    // Valid so far: no violation, the bytes are delivered.
    check_connection(client, hex("81 64 48 65 e2 82"), {"start TEXT fin=1 len=100", "msg text first hex{48 65 e2 82}"});
}

TEST_CASE("connection: Close frames (§5.5.1, §7.4)") {
    check_rows(client, {
        {"empty close", hex("88 00"), {"start CLOSE fin=1 len=0", "close none"}},
        {"code only", hex("88 02 03 e8"), {"start CLOSE fin=1 len=2", "close 1000 ''"}},
        {"code and reason", hex("88 05 03 e8 62 79 65"), {"start CLOSE fin=1 len=5", "close 1000 'bye'"}},
        {"private code", hex("88 02 0f a0"), {"start CLOSE fin=1 len=2", "close 4000 ''"}},
        {"1-byte body", hex("88 01 03"), {"start CLOSE fin=1 len=1", "violation close_payload_too_short 1002"}},
        {"code 1005 on the wire", hex("88 02 03 ed"), {"start CLOSE fin=1 len=2", "violation invalid_close_code 1002"}},
        {"code 1006 on the wire", hex("88 02 03 ee"), {"start CLOSE fin=1 len=2", "violation invalid_close_code 1002"}},
        {"code 999", hex("88 02 03 e7"), {"start CLOSE fin=1 len=2", "violation invalid_close_code 1002"}},
        {"code 5000", hex("88 02 13 88"), {"start CLOSE fin=1 len=2", "violation invalid_close_code 1002"}},
        {"reason not UTF-8", hex("88 03 03 e8 ff"), {"start CLOSE fin=1 len=3", "violation invalid_utf8 1007"}},
        {"reason cut inside a code point", hex("88 04 03 e8 e2 82"), {"start CLOSE fin=1 len=4", "violation invalid_utf8 1007"}},
        {"nothing after a Close is processed", hex("88 02 03 e8 81 05 48 65 6c 6c 6f ff ff"),
         {"start CLOSE fin=1 len=2", "close 1000 ''"}},
        {"close in the middle of a fragmented message", hex("01 01 61 88 02 03 e9"),
         {"start TEXT fin=0 len=1", "msg text first 'a'", "start CLOSE fin=1 len=2", "close 1001 ''"}},
    });
    check_connection(server, wire(0x88, hex("03 e8 62 79 65"), rfc_key),
                     {"start CLOSE fin=1 len=5 mask=37fa213d", "close 1000 'bye'"});
}

TEST_CASE("connection: the end of the stream (§7.1.5)") {
    check_rows(client,
               {
                   {"EOF at once", {}, {"end abnormal"}},
                   {"EOF after a message", hex("81 05 48 65 6c 6c 6f"),
                    {"start TEXT fin=1 len=5", "msg text first last 'Hello'", "end abnormal"}},
                   {"EOF inside a frame", hex("81 05 48 65"),
                    {"start TEXT fin=1 len=5", "msg text first 'He'", "end abnormal"}},
                   {"EOF inside a header", hex("82 7e 01"), {"end abnormal"}},
                   {"EOF after the peer's Close", hex("88 02 03 e8"),
                    {"start CLOSE fin=1 len=2", "close 1000 ''", "end clean"}},
                   {"EOF after an empty Close", hex("88 00"), {"start CLOSE fin=1 len=0", "close none", "end clean"}},
                   {"EOF after a violation: nothing more", hex("83 00"),
                    {"start RSV3 fin=1 len=0", "violation reserved_opcode 1002"}},
               },
               /*eof=*/true);
}

TEST_CASE("connection: after a Violation nothing more is reported") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    Bytes bad = hex("83 00 81 05 48 65 6c 6c 6f");
    c.receive(bad);
    CHECK(events(c) == std::vector<std::string>{"start RSV3 fin=1 len=0", "violation reserved_opcode 1002"});
    CHECK(c.failed());
    CHECK(c.error().code == Errc::reserved_opcode);
    CHECK(c.error().describe().find("RFC 6455") != std::string::npos);
    Bytes more = hex("81 05 48 65 6c 6c 6f 88 00");
    c.receive(more);
    CHECK_FALSE(c.next_event().has_value());
    c.receive_eof();
    CHECK_FALSE(c.next_event().has_value());
    CHECK(c.failed());
    CHECK_FALSE(c.close_received());
}

TEST_CASE("connection: after the stream ended nothing more is reported") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    c.receive_eof();
    CHECK(events(c) == std::vector<std::string>{"end abnormal"});
    Bytes more = hex("81 05 48 65 6c 6c 6f");
    c.receive(more);
    CHECK_FALSE(c.next_event().has_value());
    c.receive_eof();
    CHECK_FALSE(c.next_event().has_value());
}

TEST_CASE("connection: the violation's detail and description") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    Bytes input = hex("89 7e 00 7e");
    c.receive(input);
    std::optional<Violation> seen;
    while (auto e = c.next_event())
        if (auto* v = std::get_if<Violation>(&*e)) seen = *v;
    REQUIRE(seen.has_value());
    CHECK(seen->code == Errc::control_too_long);
    CHECK(close_code_for(seen->code) == CloseCode::protocol_error);
    const std::string text = seen->error().describe();
    CHECK(text.find("§5.5") != std::string::npos);
}

TEST_CASE("connection: a server's received payload is unmasked in place") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(server, masks);
    Bytes input = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    c.receive(input);
    (void)events(c);
    CHECK(to_hex(ByteView(input).subspan(6)) == "48 65 6c 6c 6f");
}

// ---------------------------------------------------------------------------------------------
// Sending

TEST_CASE("connection: send_message, client frames masked, server frames not (§5.1, §5.3)") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    Connection s(server, masks);
    const Bytes hello = bytes_of("Hello");
    Bytes out = hex("ee");  // send_* append
    c.send_message(MessageType::text, hello, out);
    CHECK(to_hex(out) == "ee " + std::string(wscope::vectors::masked_text));
    out.clear();
    s.send_message(MessageType::text, hello, out);
    CHECK(to_hex(out) == wscope::vectors::unmasked_text);
    out.clear();
    s.send_message(MessageType::binary, hex("00 ff"), out);
    CHECK(to_hex(out) == "82 02 00 ff");
    out.clear();
    c.send_message(MessageType::binary, {}, out);
    CHECK(to_hex(out) == "82 80 37 fa 21 3d");
    out.clear();
    const Bytes p256 = pattern(256);
    s.send_message(MessageType::binary, p256, out);
    CHECK(out == wire(0x82, p256));
    out.clear();
    const Bytes p65536 = pattern(65536);
    c.send_message(MessageType::binary, p65536, out);
    CHECK(out == wire(0x82, p65536, rfc_key));
    CHECK_FALSE(c.close_sent());
}

TEST_CASE("connection: every client frame gets the next key from the MaskSource") {
    CountingMasks masks;
    Connection c(client, masks);
    Bytes out;
    c.send_message(MessageType::text, bytes_of("a"), out);
    c.send_ping({}, out);
    c.send_fragment(MessageType::binary, hex("00"), true, false, out);
    c.send_fragment(MessageType::binary, hex("00"), false, true, out);
    CHECK(to_hex(out) ==
          "81 81 10 20 30 01 71 89 80 10 20 30 02 02 81 10 20 30 03 10 80 81 10 20 30 04 10");
}

TEST_CASE("connection: send_fragment: the opcode first, continuations after") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    SUBCASE("server, RFC 6455 §5.7 fragmented text") {
        Connection s(server, masks);
        Bytes out;
        s.send_fragment(MessageType::text, bytes_of("Hel"), true, false, out);
        s.send_fragment(MessageType::text, bytes_of("lo"), false, true, out);
        CHECK(to_hex(out) == std::string(wscope::vectors::fragment_1) + " " + std::string(wscope::vectors::fragment_2));
    }
    SUBCASE("client, each fragment masked from the start of its own payload") {
        Connection c(client, masks);
        Bytes out;
        c.send_fragment(MessageType::text, bytes_of("Hel"), true, false, out);
        c.send_fragment(MessageType::text, bytes_of("lo"), false, true, out);
        CHECK(to_hex(out) == "01 83 37 fa 21 3d 7f 9f 4d 80 82 37 fa 21 3d 5b 95");
    }
    SUBCASE("binary in three fragments, the middle one empty") {
        Connection s(server, masks);
        Bytes out;
        s.send_fragment(MessageType::binary, hex("aa"), true, false, out);
        s.send_fragment(MessageType::binary, {}, false, false, out);
        s.send_fragment(MessageType::binary, hex("cc"), false, true, out);
        CHECK(to_hex(out) == "02 01 aa 00 00 80 01 cc");
    }
    SUBCASE("a single fragment that is first and last is a whole message") {
        Connection s(server, masks);
        Bytes out;
        s.send_fragment(MessageType::text, bytes_of("x"), true, true, out);
        CHECK(to_hex(out) == "81 01 78");
    }
}

TEST_CASE("connection: send_ping and send_pong (§5.5.2, §5.5.3)") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    Connection s(server, masks);
    Bytes out;
    s.send_ping(bytes_of("Hello"), out);
    CHECK(to_hex(out) == wscope::vectors::unmasked_ping);
    out.clear();
    c.send_pong(bytes_of("Hello"), out);  // RFC 6455 §5.7 masked pong
    CHECK(to_hex(out) == wscope::vectors::masked_pong);
    out.clear();
    c.send_ping({}, out);
    CHECK(to_hex(out) == "89 80 37 fa 21 3d");
    out.clear();
    s.send_pong({}, out);
    CHECK(to_hex(out) == "8a 00");
}

TEST_CASE("connection: send_close (§5.5.1)") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    SUBCASE("server: code and reason, unmasked") {
        Connection s(server, masks);
        Bytes out;
        s.send_close(1000, "bye", out);
        CHECK(to_hex(out) == "88 05 03 e8 62 79 65");
        CHECK(s.close_sent());
        CHECK_FALSE(s.close_received());
        CHECK_FALSE(s.closed());
        // The client's Close completes the handshake.
        Bytes reply = wire(0x88, hex("03 e8"), rfc_key);
        s.receive(reply);
        CHECK(events(s) == std::vector<std::string>{"start CLOSE fin=1 len=2 mask=37fa213d", "close 1000 ''"});
        CHECK(s.close_received());
        CHECK(s.closed());
    }
    SUBCASE("client: masked") {
        Connection c(client, masks);
        Bytes out;
        c.send_close(1001, "", out);
        CHECK(out == wire(0x88, hex("03 e9"), rfc_key));
        CHECK(c.close_sent());
    }
    SUBCASE("code none: an empty body") {
        Connection s(server, masks);
        Bytes out;
        s.send_close(static_cast<std::uint16_t>(CloseCode::none), "", out);
        CHECK(to_hex(out) == "88 00");
        CHECK(s.close_sent());
        Connection c(client, masks);
        out.clear();
        c.send_close(0, "", out);
        CHECK(to_hex(out) == "88 80 37 fa 21 3d");
    }
    SUBCASE("a long reason is cut so the frame stays within 125 bytes") {
        Connection s(server, masks);
        Bytes out;
        s.send_close(1000, std::string(300, 'r'), out);
        REQUIRE(out.size() == 2 + 125);
        CHECK(to_hex(ByteView(out).first(4)) == "88 7d 03 e8");
    }
    SUBCASE("receiving the peer's Close first, then sending ours") {
        Connection c(client, masks);
        Bytes in = hex("88 02 03 e8");
        c.receive(in);
        (void)events(c);
        CHECK(c.close_received());
        CHECK_FALSE(c.closed());
        Bytes out;
        c.send_close(1000, "", out);
        CHECK(c.closed());
    }
}

TEST_CASE("connection: send_raw sends exactly the frame asked for") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection c(client, masks);
    Connection s(server, masks);
    auto raw = [](bool fin, std::uint8_t rsv, unsigned op, std::uint64_t len,
                  std::optional<MaskKey> key = std::nullopt) {
        FrameHeader h;
        h.fin = fin;
        h.rsv = rsv;
        h.opcode = static_cast<Opcode>(op);
        h.payload_len = len;
        h.mask = key;
        return h;
    };
    Bytes out;
    SUBCASE("RSV bits and a reserved opcode, unmasked even from a client") {
        c.send_raw(raw(true, rsv1 | rsv3, 0x3, 2), bytes_of("ab"), out);
        CHECK(to_hex(out) == "d3 02 61 62");
    }
    SUBCASE("masked with the header's key") {
        s.send_raw(raw(true, 0, 0x1, 2, key2), bytes_of("ab"), out);
        CHECK(to_hex(out) == "81 82 01 02 03 04 60 60");
    }
    SUBCASE("reserved control opcode, fragmented ping") {
        s.send_raw(raw(true, 0, 0xB, 0), {}, out);
        s.send_raw(raw(false, 0, 0x9, 0), {}, out);
        CHECK(to_hex(out) == "8b 00 09 00");
    }
    SUBCASE("a 126-byte ping") {
        const Bytes p = pattern(126);
        s.send_raw(raw(true, 0, 0x9, 126), p, out);
        CHECK(out == wire(0x89, p));
    }
    SUBCASE("only a Close opcode marks the close as sent") {
        s.send_raw(raw(true, 0, 0x9, 0), {}, out);
        CHECK_FALSE(s.close_sent());
        s.send_raw(raw(true, 0, 0x8, 2), hex("03 e8"), out);
        CHECK(s.close_sent());
        CHECK(to_hex(out) == "89 00 88 02 03 e8");
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips

namespace {

std::vector<Plan> roundtrip_plans(std::size_t size) {
    if (size <= 70000) return wscope::test::plans(size);
    return {Plan{"whole", {}}, Plan{"split at 1", {1}}, Plan{"split at 13", {13}},
            Plan{"split in half", {size / 2}}, Plan{"split before the last byte", {size - 1}},
            chunked(size, 4096), chunked(size, 65537)};
}

}  // namespace

TEST_CASE("connection: round trip, client send → server receive") {
    for (std::size_t size : {0u, 1u, 125u, 126u, 65535u, 65536u, 1u << 20}) {
        for (MessageType type : {MessageType::text, MessageType::binary}) {
            CAPTURE(size);
            CAPTURE(type == MessageType::text);
            const Bytes payload = type == MessageType::text ? letters(size) : pattern(size);
            wscope::crypto::FixedMaskSource masks(rfc_key);
            Connection sender(client, masks);
            Bytes out;
            sender.send_message(type, payload, out);
            const std::string op = type == MessageType::text ? "TEXT" : "BINARY";
            check_connection_plans(server, out,
                                   {"start " + op + " fin=1 len=" + std::to_string(size) + " mask=37fa213d",
                                    msg_line(type, true, true, payload)},
                                   roundtrip_plans(out.size()));
        }
    }
}

TEST_CASE("connection: round trip, server send → client receive") {
    for (std::size_t size : {0u, 1u, 125u, 126u, 65535u, 65536u, 1u << 20}) {
        CAPTURE(size);
        const Bytes payload = pattern(size);
        wscope::crypto::FixedMaskSource masks(rfc_key);
        Connection sender(server, masks);
        Bytes out;
        sender.send_message(MessageType::binary, payload, out);
        check_connection_plans(client, out,
                               {"start BINARY fin=1 len=" + std::to_string(size),
                                msg_line(MessageType::binary, true, true, payload)},
                               roundtrip_plans(out.size()));
    }
}

TEST_CASE("connection: round trip of a fragmented text message with a code point cut across frames") {
    CountingMasks masks;
    Connection sender(client, masks);
    Bytes out;
    sender.send_fragment(MessageType::text, hex("48 e2"), true, false, out);
    sender.send_ping(bytes_of("p"), out);
    sender.send_fragment(MessageType::text, hex("82"), false, false, out);
    sender.send_fragment(MessageType::text, hex("ac 21"), false, true, out);
    sender.send_close(1000, "done", out);
    CHECK(sender.close_sent());
    check_connection(server, out,
                     {"start TEXT fin=0 len=2 mask=10203001", "msg text first hex{48 e2}",
                      "start PING fin=1 len=1 mask=10203002", "ping 'p'",
                      "start CONT fin=0 len=1 mask=10203003", "msg text hex{82}",
                      "start CONT fin=1 len=2 mask=10203004", "msg text last hex{ac 21}",
                      "start CLOSE fin=1 len=6 mask=10203005", "close 1000 'done'", "end clean"},
                     /*eof=*/true);
}

// ---------------------------------------------------------------------------------------------
// permessage-deflate (RFC 7692) through the Connection

namespace {

ConnectionOptions deflate_options(Role role, std::uint64_t max_message = default_max_message) {
    ConnectionOptions options = wscope::test::role_options(role, max_message);
    options.deflate = DeflateParams{};
    return options;
}

}  // namespace

TEST_CASE("connection: permessage-deflate, RFC 7692 §7.2.3 examples received") {
    const ConnectionOptions c = deflate_options(Role::client);
    check_rows(c, {
        {"§7.2.3.1 \"Hello\" compressed", hex(wscope::vectors::deflate_hello),
         {"start TEXT fin=1 rsv=100 len=7", "msg text first last 'Hello'"}},
        {"§7.2.3.3 a DEFLATE block with BFINAL set", hex(wscope::vectors::deflate_bfinal),
         {"start TEXT fin=1 rsv=100 len=8", "msg text first last 'Hello'"}},
        {"§7.2.3.4 two messages sharing the LZ77 window",
         concat_frames(hex(wscope::vectors::deflate_shared_1), hex(wscope::vectors::deflate_shared_2)),
         {"start TEXT fin=1 rsv=100 len=7", "msg text first last 'Hello'",
          "start TEXT fin=1 rsv=100 len=5", "msg text first last 'Hello'"}},
        {"§7.2.3.2 no compression (BTYPE 00)", hex(wscope::vectors::deflate_stored),
         {"start TEXT fin=1 rsv=100 len=11", "msg text first last 'Hello'"}},
        {"§7.2.3.1 fragmented: the first fragment inflates to what its bits complete",
         concat_frames(hex(wscope::vectors::deflate_fragment_1), hex(wscope::vectors::deflate_fragment_2)),
         {"start TEXT fin=0 rsv=100 len=3", "msg text first 'He'", "start CONT fin=1 len=4",
          "msg text last 'llo'"}},
        {"a fragmented compressed message, RSV1 on the first frame only",
         hex("41 09 f2 48 cd 01 00 00 00 ff ff 80 04 ca c9 07 00"),
         {"start TEXT fin=0 rsv=100 len=9", "msg text first 'Hel'", "start CONT fin=1 len=4",
          "msg text last 'lo'"}},
        {"an uncompressed message is still allowed", hex("81 05 48 65 6c 6c 6f"),
         {"start TEXT fin=1 len=5", "msg text first last 'Hello'"}},
    });
}

// RFC 7692 §7.2.3.3 lets a sender "flush data using DEFLATE blocks with BFINAL set to 1", and
// its example ends with a 0x00 octet after the final block that exists only so that a receiver
// which goes on inflating after BFINAL meets a valid empty stored block once it appends
// 00 00 FF FF. So data after a BFINAL block is more of the message, not something to drop.
TEST_CASE("connection: permessage-deflate, a second DEFLATE stream after a BFINAL block in one frame") {
    // "Hel" in a block with BFINAL set, then "lo" in a new stream, both in one frame's payload.
    check_connection(deflate_options(Role::client), hex("c1 09 f3 48 cd 01 00 ca c9 07 00"),
                     {"start TEXT fin=1 rsv=100 len=9", "msg text first last 'Hello'"});
}

TEST_CASE("connection: permessage-deflate, each fragment flushed with a BFINAL block") {
    // The same two streams, one per fragment: the second fragment's "lo" must not be lost.
    check_connection(deflate_options(Role::client), hex("41 05 f3 48 cd 01 00  80 04 ca c9 07 00"),
                     {"start TEXT fin=0 rsv=100 len=5", "msg text first 'Hel'", "start CONT fin=1 len=4",
                      "msg text last 'lo'"});
}

TEST_CASE("connection: permessage-deflate violations") {
    const ConnectionOptions c = deflate_options(Role::client);
    check_rows(c, {
        {"RSV1 on a control frame (RFC 7692 §6.1)", hex("c9 00"),
         {"start PING fin=1 rsv=100 len=0", "violation compressed_control 1002"}},
        {"RSV1 on a continuation frame (RFC 7692 §6.1)",
         hex("41 09 f2 48 cd 01 00 00 00 ff ff c0 04 ca c9 07 00"),
         {"start TEXT fin=0 rsv=100 len=9", "msg text first 'Hel'", "start CONT fin=1 rsv=100 len=4",
          "violation compressed_continuation 1002"}},
        {"RSV2 is still reserved", hex("a1 00"), {"start TEXT fin=1 rsv=010 len=0", "violation reserved_bits 1002"}},
        {"data that does not inflate", hex("c1 02 ff ff"),
         {"start TEXT fin=1 rsv=100 len=2", "violation bad_compressed_data 1007"}},
        {"compressed text that inflates to bad UTF-8", hex("c1 03 fa 0f 00"),
         {"start TEXT fin=1 rsv=100 len=3", "violation invalid_utf8 1007"}},
    });
    // 18 bytes that inflate to 2000 zero bytes, with a 1000-byte limit.
    check_connection(deflate_options(Role::client, 1000),
                     hex("c2 12 62 60 18 05 a3 60 14 8c 82 51 30 0a 46 c1 50 07 00 00"),
                     {"start BINARY fin=1 rsv=100 len=18", "violation message_too_big 1009"});
}

TEST_CASE("connection: permessage-deflate round trip, client → server, with context takeover") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection sender(deflate_options(Role::client), masks);
    Bytes out;
    const Bytes big = letters(100'000);
    sender.send_message(MessageType::text, bytes_of("Hello"), out);
    sender.send_message(MessageType::text, bytes_of("Hello"), out);  // uses the shared window
    sender.send_message(MessageType::binary, big, out);
    sender.send_fragment(MessageType::text, bytes_of("frag"), true, false, out);
    sender.send_fragment(MessageType::text, bytes_of("ment"), false, true, out);

    // Read it back as a server and compare the messages (frame sizes depend on zlib).
    wscope::crypto::FixedMaskSource unused(rfc_key);
    Connection receiver(deflate_options(Role::server), unused);
    receiver.receive(out);
    std::vector<std::string> messages;
    Bytes current;
    int rsv1_frames = 0;
    while (auto e = receiver.next_event()) {
        if (const auto* s = std::get_if<FrameStart>(&*e)) rsv1_frames += (s->header.rsv & rsv1) ? 1 : 0;
        if (const auto* v = std::get_if<Violation>(&*e)) FAIL("violation " << info(v->code).name);
        if (const auto* m = std::get_if<MessageData>(&*e)) {
            if (m->first) current.clear();
            current.insert(current.end(), m->data.begin(), m->data.end());
            if (m->last) messages.push_back(wscope::test::repr(current));
        }
    }
    CHECK(rsv1_frames == 4);  // each message's first frame, never the continuation
    CHECK(messages == std::vector<std::string>{"'Hello'", "'Hello'", wscope::test::repr(big), "'fragment'"});
    CHECK(out.size() < 10'000);  // 100 000 repetitive bytes really were compressed
}
