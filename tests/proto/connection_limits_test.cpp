// The Connection's bounds against hostile peers (src/proto/connection.hpp, frame_rules.hpp):
// tiny frames per message (RFC 6455 §10.4), compressed messages inflated in bounded pieces, and
// the memory a connection keeps once a message is over (retained_bytes()).
//
// Byte tables are fed whole, split in two at every offset and byte by byte (support/feed.hpp).
#include "proto/connection.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "support/event_log.hpp"
#include "support/feed.hpp"
#include "support/hex.hpp"

using namespace wscope::proto;
using wscope::test::check_connection;
using wscope::test::check_connection_plans;
using wscope::test::chunked;
using wscope::test::hex;
using wscope::test::msg_line;
using wscope::test::pattern;
using wscope::test::Plan;
using wscope::test::rfc_key;

namespace {

ConnectionOptions with_tiny_limit(ConnectionOptions options, std::uint64_t max_tiny) {
    options.max_tiny_frames = max_tiny;
    return options;
}

ConnectionOptions deflate_options(Role role, DeflateParams params = {}) {
    ConnectionOptions options = wscope::test::role_options(role, default_max_message);
    options.deflate = params;
    return options;
}

// One unmasked (client-bound) frame: first byte b0, minimal length, payload.
Bytes frame(std::uint8_t b0, std::size_t n, std::uint8_t fill = 'x') {
    Bytes out{b0};
    if (n < 126) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    }
    out.insert(out.end(), n, fill);
    return out;
}

void append(Bytes& to, const Bytes& more) { to.insert(to.end(), more.begin(), more.end()); }

// A text message "x…" as a first frame of first_len bytes, then count continuations of len
// bytes each, the last one with FIN.
Bytes fragmented(std::size_t first_len, std::size_t count, std::size_t len) {
    Bytes out = frame(0x01, first_len);
    for (std::size_t i = 0; i < count; ++i) append(out, frame(i + 1 == count ? 0x80 : 0x00, len));
    return out;
}

std::vector<std::string> start_lines(std::size_t first_len, std::size_t count, std::size_t len) {
    std::vector<std::string> out{"start TEXT fin=0 len=" + std::to_string(first_len)};
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(std::string("start CONT fin=") + (i + 1 == count ? "1" : "0") +
                      " len=" + std::to_string(len));
    return out;
}

Bytes zeros(std::size_t n) { return Bytes(n, 0); }

// What a client Connection with permessage-deflate puts on the wire for one message.
Bytes compressed_message(MessageType type, ByteView payload, DeflateParams params = {}) {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection sender(deflate_options(Role::client, params), masks);
    Bytes out;
    sender.send_message(type, payload, out);
    return out;
}

// Receives input in one read and drains it, checking each MessageData against the piece
// bound; returns the message's bytes and the largest retained_bytes() seen while draining.
struct Drained {
    Bytes message;
    std::size_t largest_piece = 0;
    std::size_t peak_retained = 0;
    int messages = 0;
};

Drained drain(Connection& c, Bytes& input) {
    Drained d;
    c.receive(input);
    while (auto e = c.next_event()) {
        d.peak_retained = std::max(d.peak_retained, c.retained_bytes());
        if (const auto* v = std::get_if<Violation>(&*e)) FAIL("violation " << info(v->code).name);
        const auto* m = std::get_if<MessageData>(&*e);
        if (!m) continue;
        d.largest_piece = std::max(d.largest_piece, m->data.size());
        d.message.insert(d.message.end(), m->data.begin(), m->data.end());
        if (m->last) ++d.messages;
    }
    return d;
}

constexpr std::size_t MiB = 1024 * 1024;
constexpr std::size_t KiB = 1024;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tiny frames per message (RFC 6455 §10.4: "a long stream of small frames that are a part of a
// fragmented message")

TEST_CASE("connection: tiny frames in one message are bounded (§10.4), 1008") {
    const ConnectionOptions c = with_tiny_limit(wscope::test::client_options(), 3);
    SUBCASE("three tiny frames: the limit, accepted") {
        check_connection(c, hex("01 01 61  00 00  80 01 62"),
                         {"start TEXT fin=0 len=1", "msg text first 'a'", "start CONT fin=0 len=0",
                          "start CONT fin=1 len=1", "msg text last 'b'"});
    }
    SUBCASE("a fourth: refused at its header") {
        check_connection(c, hex("01 01 61  00 00  00 00  80 01 62"),
                         {"start TEXT fin=0 len=1", "msg text first 'a'", "start CONT fin=0 len=0",
                          "start CONT fin=0 len=0", "start CONT fin=1 len=1",
                          "violation too_many_tiny_frames 1008"});
        check_connection(c, hex("02 00  00 00  00 00  00 00"),
                         {"start BINARY fin=0 len=0", "start CONT fin=0 len=0",
                          "start CONT fin=0 len=0", "start CONT fin=0 len=0",
                          "violation too_many_tiny_frames 1008"});
    }
    SUBCASE("control frames between the fragments do not count") {
        check_connection(c, hex("01 01 61  89 00  8a 00  89 00  00 00  80 01 62"),
                         {"start TEXT fin=0 len=1", "msg text first 'a'", "start PING fin=1 len=0",
                          "ping ''", "start PONG fin=1 len=0", "pong ''", "start PING fin=1 len=0",
                          "ping ''", "start CONT fin=0 len=0", "start CONT fin=1 len=1",
                          "msg text last 'b'"});
    }
    SUBCASE("the count is per message") {
        check_connection(c, hex("01 01 61 00 00 80 01 62  01 01 63 00 00 80 01 64  81 00 81 00"),
                         {"start TEXT fin=0 len=1", "msg text first 'a'", "start CONT fin=0 len=0",
                          "start CONT fin=1 len=1", "msg text last 'b'", "start TEXT fin=0 len=1",
                          "msg text first 'c'", "start CONT fin=0 len=0", "start CONT fin=1 len=1",
                          "msg text last 'd'", "start TEXT fin=1 len=0", "msg text first last ''",
                          "start TEXT fin=1 len=0", "msg text first last ''"});
    }
}

TEST_CASE("connection: a tiny frame is one whose length fits the 7-bit field (≤ 125 bytes)") {
    const ConnectionOptions c = with_tiny_limit(wscope::test::client_options(), 2);
    SUBCASE("125-byte frames count") {
        std::vector<std::string> want = start_lines(125, 2, 125);
        want.insert(want.begin() + 1, "msg text first " + wscope::test::repr(Bytes(125, 'x')));
        want.insert(want.begin() + 3, "msg text " + wscope::test::repr(Bytes(125, 'x')));
        want.push_back("violation too_many_tiny_frames 1008");
        const Bytes input = fragmented(125, 2, 125);
        check_connection_plans(c, input, want,
                               {Plan{"whole", {}}, chunked(input.size(), 1), chunked(input.size(), 7)});
    }
    SUBCASE("126-byte frames do not: any number of them is fine") {
        Bytes input = fragmented(126, 40, 126);
        wscope::crypto::FixedMaskSource masks(rfc_key);
        Connection conn(c, masks);
        const Drained d = drain(conn, input);
        CHECK_FALSE(conn.failed());
        CHECK(d.messages == 1);
        CHECK(d.message == Bytes(126 * 41, 'x'));
    }
}

TEST_CASE("connection: the default bound on tiny frames, and 0 for no limit") {
    CHECK(ConnectionOptions{}.max_tiny_frames == default_max_tiny_frames);
    const std::size_t n = default_max_tiny_frames;
    // The first frame and n - 1 empty continuations: exactly the limit.
    Bytes at_limit = frame(0x02, 0);
    for (std::size_t i = 1; i + 1 < n; ++i) append(at_limit, frame(0x00, 0));
    Bytes over = at_limit;
    append(at_limit, frame(0x80, 0));
    append(over, frame(0x00, 0));
    append(over, frame(0x80, 0));

    auto run = [](const ConnectionOptions& options, Bytes input) {
        wscope::crypto::FixedMaskSource masks(rfc_key);
        Connection conn(options, masks);
        conn.receive(input);
        std::optional<Errc> violation;
        int messages = 0;
        std::size_t frames = 0;
        while (auto e = conn.next_event()) {
            if (std::holds_alternative<FrameStart>(*e)) ++frames;
            if (const auto* v = std::get_if<Violation>(&*e)) violation = v->code;
            if (const auto* m = std::get_if<MessageData>(&*e)) messages += m->last ? 1 : 0;
        }
        return std::tuple{violation, messages, frames};
    };
    const ConnectionOptions c = wscope::test::client_options();
    CHECK(run(c, at_limit) == std::tuple{std::optional<Errc>{}, 1, n});
    CHECK(run(c, over) == std::tuple{std::optional<Errc>{Errc::too_many_tiny_frames}, 0, n + 1});
    CHECK(run(with_tiny_limit(c, 0), over) == std::tuple{std::optional<Errc>{}, 1, n + 1});
}

TEST_CASE("connection: tiny frames bounded for a server (masked) and for compressed messages") {
    // The §5.7 masked "Hel" + "lo" (key 37fa213d), with an empty masked continuation between.
    const Bytes masked = hex("01 83 37 fa 21 3d 7f 9f 4d  00 80 01 02 03 04  80 82 37 fa 21 3d 5b 95");
    check_connection(with_tiny_limit(wscope::test::server_options(), 3), masked,
                     {"start TEXT fin=0 len=3 mask=37fa213d", "msg text first 'Hel'",
                      "start CONT fin=0 len=0 mask=01020304", "start CONT fin=1 len=2 mask=37fa213d",
                      "msg text last 'lo'"});
    check_connection(with_tiny_limit(wscope::test::server_options(), 2), masked,
                     {"start TEXT fin=0 len=3 mask=37fa213d", "msg text first 'Hel'",
                      "start CONT fin=0 len=0 mask=01020304", "start CONT fin=1 len=2 mask=37fa213d",
                      "violation too_many_tiny_frames 1008"});
    // RFC 7692: the wire frames count, whatever they inflate to.
    ConnectionOptions d = deflate_options(Role::client);
    d.max_tiny_frames = 1;
    check_connection(d, hex("41 09 f2 48 cd 01 00 00 00 ff ff 80 04 ca c9 07 00"),
                     {"start TEXT fin=0 rsv=100 len=9", "msg text first 'Hel'", "start CONT fin=1 len=4",
                      "violation too_many_tiny_frames 1008"});
}

// ---------------------------------------------------------------------------------------------
// Compressed messages: bounded pieces, bounded memory afterwards

// 32 KiB on the wire that inflate to 32 MiB, in one frame: one read holds four times a piece's
// worth of compressed data.
namespace {

constexpr std::size_t bomb_size = 32 * MiB;

const Bytes& bomb() {
    static const Bytes wire = compressed_message(MessageType::binary, zeros(bomb_size));
    return wire;
}

}  // namespace

TEST_CASE("connection: a compressed message inflates in pieces of at most inflate_piece_size") {
    Bytes wire = bomb();
    REQUIRE(wire.size() > 16 * KiB);  // inflating it whole would give pieces of 4 × this
    REQUIRE(wire.size() < 64 * KiB);
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server), masks);
    const Drained d = drain(server, wire);
    CHECK(d.messages == 1);
    CHECK(d.message == zeros(bomb_size));
    CHECK(d.largest_piece <= 64 * KiB);  // inflate_piece_size
    // While it inflates, the connection holds one piece and zlib's state, not the message.
    CHECK(d.peak_retained <= 192 * KiB);
}

TEST_CASE("connection: a compressed message larger than a piece, fed split at every offset") {
    // ~1 KiB on the wire, 200 KiB of text: more than three pieces.
    Bytes text(200 * KiB);
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<std::uint8_t>('a' + i % 26);
    const Bytes wire = compressed_message(MessageType::text, text);
    REQUIRE(wire.size() <= 4096);
    check_connection(deflate_options(Role::server), wire,
                     {"start TEXT fin=1 rsv=100 len=" + std::to_string(wire.size() - 8) +
                          " mask=37fa213d",
                      msg_line(MessageType::text, true, true, text)});
}

TEST_CASE("connection: after a 32 MiB compressed message, little memory is retained") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server), masks);
    Bytes hello = compressed_message(MessageType::text, wscope::test::bytes_of("Hello"));
    (void)drain(server, hello);
    const std::size_t after_small = server.retained_bytes();

    Bytes wire = bomb();
    (void)drain(server, wire);
    const std::size_t after_big = server.retained_bytes();
    // Without the bound this is the whole message (32 MiB and more); with it, zlib's state
    // (its 32 KiB window and a few KiB) and small scratch.
    CHECK(after_big <= 96 * KiB);
    CHECK(after_big <= after_small + inflate_piece_size);
}

TEST_CASE("connection: small messages keep their scratch capacity (no churn)") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server), masks);
    Bytes out;
    std::size_t first = 0;
    for (int i = 0; i < 200; ++i) {
        Bytes wire = compressed_message(MessageType::text, wscope::test::bytes_of("Hello, small world"));
        const Drained d = drain(server, wire);
        REQUIRE(d.message.size() == 18);
        out.clear();
        server.send_message(MessageType::text, d.message, out);
        if (i == 0) first = server.retained_bytes();
        CHECK(server.retained_bytes() == first);
    }
    CHECK(first > 0);
}

TEST_CASE("connection: sending a large compressed message leaves no large buffer behind") {
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server), masks);
    Bytes out;
    server.send_message(MessageType::binary, zeros(8 * MiB), out);
    CHECK(out.size() < 16 * KiB);
    // zlib's compressor state (about 256 KiB for a 15-bit window) and small scratch; not the
    // worst case of 8 MiB reserved for the output.
    CHECK(server.retained_bytes() <= 320 * KiB);
}

TEST_CASE("connection: an echo of a deflate bomb, piece by piece, stays bounded") {
    // What `listen --echo --deflate` does: every piece received is sent back as a fragment.
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server), masks);
    Bytes wire = compressed_message(MessageType::binary, zeros(8 * MiB));
    server.receive(wire);
    Bytes echo;
    std::size_t peak = 0;
    while (auto e = server.next_event()) {
        if (const auto* m = std::get_if<MessageData>(&*e))
            server.send_fragment(m->type, m->data, m->first, m->last, echo);
        peak = std::max(peak, server.retained_bytes());
    }
    CHECK(peak <= inflate_piece_size + 512 * KiB);
    CHECK(server.retained_bytes() <= 384 * KiB);

    // The echo is the same message.
    wscope::crypto::FixedMaskSource unused(rfc_key);
    Connection client(deflate_options(Role::client), unused);
    const Drained d = drain(client, echo);
    CHECK(d.messages == 1);
    CHECK(d.message == zeros(8 * MiB));
}

TEST_CASE("connection: with no context takeover, zlib's state is released between messages") {
    DeflateParams params;
    params.our_no_context_takeover = true;
    params.peer_no_context_takeover = true;
    wscope::crypto::FixedMaskSource masks(rfc_key);
    Connection server(deflate_options(Role::server, params), masks);
    const std::size_t idle = server.retained_bytes();
    CHECK(idle <= 2 * KiB);  // nothing of zlib before the first message

    DeflateParams sender_params;
    sender_params.our_no_context_takeover = true;
    for (int i = 0; i < 3; ++i) {
        Bytes wire = compressed_message(MessageType::binary, pattern(300 * KiB), sender_params);
        const Drained d = drain(server, wire);
        CHECK(d.message == pattern(300 * KiB));
        CHECK(server.retained_bytes() <= idle + scratch_keep);
        Bytes out;
        server.send_message(MessageType::binary, d.message, out);
        CHECK(server.retained_bytes() <= idle + scratch_keep);
        wscope::crypto::FixedMaskSource unused(rfc_key);
        Connection client(deflate_options(Role::client), unused);
        CHECK(drain(client, out).message == pattern(300 * KiB));
    }
}
