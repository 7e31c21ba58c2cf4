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
    CHECK(a->response == "permessage-deflate; server_max_window_bits=8");
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
