// permessage-deflate negotiation and the compressor's window (src/proto/deflate.hpp; RFC 7692).
#include "proto/deflate.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wscope::proto;

namespace {

Bytes compress_message(Deflater& d, const std::string& text) {
    Bytes out;
    d.compress(as_bytes(text), true, out);
    return out;
}

std::string inflate_message(const Bytes& compressed) {
    Inflater inflater(false);
    inflater.feed(compressed, true);
    std::string text;
    Bytes piece;
    for (;;) {
        const auto more = inflater.inflate_some(1 << 16, 0, piece);
        REQUIRE(more.ok());
        text.append(piece.begin(), piece.end());
        if (!*more) return text;
    }
}

}  // namespace

TEST_CASE("deflate: a server's client_max_window_bits=8 is accepted (RFC 7692 §7.1.2.2)") {
    const auto r = deflate_accept_response("permessage-deflate; client_max_window_bits=8");
    REQUIRE_MESSAGE(r.ok(), r.error().detail);
    REQUIRE(r->has_value());
    CHECK((*r)->our_max_window_bits == 8);
}

TEST_CASE("deflate: a client's server_max_window_bits=8 offer is accepted") {
    const auto a = deflate_negotiate({"permessage-deflate; server_max_window_bits=8"});
    REQUIRE(a.has_value());
    CHECK(a->params.our_max_window_bits == 8);
    CHECK(a->response == "permessage-deflate; server_max_window_bits=8; server_no_context_takeover");
}

TEST_CASE("deflate: a server always answers server_no_context_takeover, once (RFC 7692 §7.1.1.1)") {
    const auto plain = deflate_negotiate({"permessage-deflate; client_max_window_bits"});
    REQUIRE(plain.has_value());
    CHECK(plain->params.our_no_context_takeover);
    CHECK_FALSE(plain->params.peer_no_context_takeover);
    CHECK(plain->response == "permessage-deflate; server_no_context_takeover");
    // The client's answer to it parses back to the same agreement, seen from the other side.
    const auto seen = deflate_accept_response(plain->response);
    REQUIRE(seen.ok());
    REQUIRE(seen->has_value());
    CHECK((*seen)->peer_no_context_takeover);

    const auto asked = deflate_negotiate({"permessage-deflate; server_no_context_takeover"});
    REQUIRE(asked.has_value());
    CHECK(asked->response == "permessage-deflate; server_no_context_takeover");
}

TEST_CASE("deflate: without context takeover a compressor holds no zlib state between messages") {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "message " + std::to_string(i) + ' ';
    Deflater reset(15, true);
    Deflater kept(15, false);
    for (int round = 0; round < 3; ++round) {
        // Each message inflates alone: it refers to nothing of the one before.
        CHECK(inflate_message(compress_message(reset, text)) == text);
        CHECK(reset.state_bytes() == 0);
        compress_message(kept, text);
        CHECK(kept.state_bytes() > 200 * 1024);  // what an idle connection would keep
    }
    // A message in pieces holds its state until the last piece.
    Bytes out;
    reset.compress(as_bytes(text), false, out);
    CHECK(reset.state_bytes() > 0);
    reset.compress(as_bytes(text), true, out);
    CHECK(reset.state_bytes() == 0);
    CHECK(inflate_message(out) == text + text);
}

TEST_CASE("deflate: an 8-bit window compresses without back-references, and round-trips") {
    std::string text;
    for (int i = 0; i < 500; ++i) text += "abcdefgh";  // 4000 bytes, one 8-byte pattern
    Deflater wide(15, false);
    Deflater narrow(8, false);
    const Bytes w = compress_message(wide, text);
    const Bytes n = compress_message(narrow, text);
    CHECK(w.size() < 100);  // LZ77 matches make it tiny
    // Literals only: at least 3 bits per byte of an 8-symbol alphabet.
    CHECK(n.size() >= text.size() * 3 / 8);
    CHECK(inflate_message(w) == text);
    CHECK(inflate_message(n) == text);
    // The second message of a context-takeover stream may not refer to the first either.
    const Bytes again = compress_message(narrow, text);
    CHECK(again.size() >= text.size() * 3 / 8);
}
