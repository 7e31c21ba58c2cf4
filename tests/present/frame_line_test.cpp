// Golden tests for the -F frame line: RFC 6455 §5.7 frames, length encodings, masks,
// continuation numbering, reserved opcodes, close bodies, escaping, truncation and colour.
#include "present/frame_line.hpp"

#include <doctest/doctest.h>

#include <string>

#include "bytes_literal.hpp"
#include "proto/frame.hpp"
#include "proto/mask.hpp"

namespace wscope::present {
namespace {

using proto::Opcode;
using test::hex;
using test::ramp;
using test::view;

// A frame as received: the header parsed from wire bytes, the payload unmasked.
struct WireFrame {
    proto::FrameHeader header;
    proto::Bytes payload;
};

WireFrame parse(const proto::Bytes& wire) {
    proto::HeaderParser parser;
    proto::ByteView in(wire);
    REQUIRE(parser.parse(in) == proto::HeaderParser::Status::done);
    WireFrame f{parser.header(), proto::Bytes(in.begin(), in.end())};
    if (f.header.mask) proto::apply_mask(f.payload, *f.header.mask);
    return f;
}

std::string line_for(const proto::Bytes& wire, Direction dir = Direction::in,
                     std::uint64_t continuation_index = 0,
                     proto::MessageType type = proto::MessageType::binary) {
    const WireFrame f = parse(wire);
    FrameInfo info;
    info.dir = dir;
    info.header = f.header;
    info.payload = f.payload;
    info.continuation_index = continuation_index;
    info.message_type = type;
    return frame_line(info);
}

FrameInfo frame(Opcode op, proto::ByteView payload, Direction dir = Direction::in) {
    FrameInfo info;
    info.dir = dir;
    info.header.opcode = op;
    info.header.payload_len = payload.size();
    info.header.length_encoding = proto::minimal_encoding(payload.size());
    info.payload = payload;
    return info;
}

std::string text_line(std::string_view text) { return frame_line(frame(Opcode::text, view(text))); }

std::string close_line(const proto::Bytes& body) {
    return frame_line(frame(Opcode::close, body));
}

TEST_CASE("frame line: RFC 6455 §5.7 single-frame unmasked text") {
    CHECK(line_for(hex("81 05 48 65 6c 6c 6f")) == R"(<< TEXT   fin=1 rsv=000 len=5 "Hello")");
}

TEST_CASE("frame line: RFC 6455 §5.7 single-frame masked text shows the key") {
    CHECK(line_for(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), Direction::out) ==
          R"(>> TEXT   fin=1 rsv=000 mask=37fa213d len=5 "Hello")");
}

TEST_CASE("frame line: RFC 6455 §5.7 fragmented text, continuations numbered from 1") {
    CHECK(line_for(hex("01 03 48 65 6c")) == R"(<< TEXT   fin=0 rsv=000 len=3 "Hel")");
    CHECK(line_for(hex("80 02 6c 6f"), Direction::in, 1, proto::MessageType::text) ==
          R"(<< CONT#1 fin=1 rsv=000 len=2 "lo")");
}

TEST_CASE("frame line: RFC 6455 §5.7 ping and masked pong") {
    CHECK(line_for(hex("89 05 48 65 6c 6c 6f")) == R"(<< PING   fin=1 rsv=000 len=5 "Hello")");
    CHECK(line_for(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), Direction::out) ==
          R"(>> PONG   fin=1 rsv=000 mask=37fa213d len=5 "Hello")");
}

TEST_CASE("frame line: empty control frames have no preview") {
    CHECK(line_for(hex("89 00")) == "<< PING   fin=1 rsv=000 len=0");
    CHECK(line_for(hex("8a 80 01 02 03 04"), Direction::out) ==
          ">> PONG   fin=1 rsv=000 mask=01020304 len=0");
}

TEST_CASE("frame line: RFC 6455 §5.7 256-byte binary uses the 16-bit length") {
    proto::Bytes wire = hex("82 7e 01 00");
    const proto::Bytes payload = ramp(256);
    wire.insert(wire.end(), payload.begin(), payload.end());
    CHECK(line_for(wire) ==
          "<< BINARY fin=1 rsv=000 len=256 (16-bit) "
          "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f \u2026");
}

TEST_CASE("frame line: RFC 6455 §5.7 64 KiB binary uses the 64-bit length; partial payload") {
    const WireFrame f = parse(hex("82 7f 00 00 00 00 00 01 00 00"));
    CHECK(f.header.payload_len == 65536);
    FrameInfo info;
    info.header = f.header;
    const proto::Bytes first = ramp(4, 0xf0);  // only the start of the payload has arrived
    info.payload = first;
    CHECK(frame_line(info) == "<< BINARY fin=1 rsv=000 len=65536 (64-bit) f0 f1 f2 f3 \u2026");
}

TEST_CASE("frame line: a masked 64-bit frame shows mask then length") {
    FrameInfo info = frame(Opcode::binary, {}, Direction::out);
    info.header.mask = proto::MaskKey{0x3f, 0x1a, 0x09, 0xc2};
    info.header.payload_len = 70000;
    info.header.length_encoding = proto::LengthEncoding::len64;
    CHECK(frame_line(info) == ">> BINARY fin=1 rsv=000 mask=3f1a09c2 len=70000 (64-bit) \u2026");
}

TEST_CASE("frame line: a non-minimal length encoding is shown as it was on the wire") {
    // (The decoder reports the violation; the line still shows what arrived.)
    FrameInfo info = frame(Opcode::text, view("hi"));
    info.header.length_encoding = proto::LengthEncoding::len16;
    CHECK(frame_line(info) == R"(<< TEXT   fin=1 rsv=000 len=2 (16-bit) "hi")");
    info.header.length_encoding = proto::LengthEncoding::len64;
    CHECK(frame_line(info) == R"(<< TEXT   fin=1 rsv=000 len=2 (64-bit) "hi")");
}

TEST_CASE("frame line: binary preview stops at 16 bytes") {
    const proto::Bytes sixteen = ramp(16);
    CHECK(frame_line(frame(Opcode::binary, sixteen)) ==
          "<< BINARY fin=1 rsv=000 len=16 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
    const proto::Bytes seventeen = ramp(17);
    CHECK(frame_line(frame(Opcode::binary, seventeen)) ==
          "<< BINARY fin=1 rsv=000 len=17 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
          "\u2026");
    CHECK(frame_line(frame(Opcode::binary, {})) == "<< BINARY fin=1 rsv=000 len=0");
}

TEST_CASE("frame line: continuation numbering and the type of the message they continue") {
    const proto::Bytes payload = hex("00 ff");
    FrameInfo info = frame(Opcode::continuation, payload);
    info.header.fin = false;
    info.continuation_index = 2;
    CHECK(frame_line(info) == "<< CONT#2 fin=0 rsv=000 len=2 00 ff");
    info.continuation_index = 12;
    CHECK(frame_line(info) == "<< CONT#12 fin=0 rsv=000 len=2 00 ff");
    info.continuation_index = 0;  // unknown position
    CHECK(frame_line(info) == "<< CONT   fin=0 rsv=000 len=2 00 ff");

    FrameInfo text = frame(Opcode::continuation, view("abc"));
    text.continuation_index = 1;
    text.message_type = proto::MessageType::text;
    CHECK(frame_line(text) == R"(<< CONT#1 fin=1 rsv=000 len=3 "abc")");
}

TEST_CASE("frame line: reserved opcodes show name and number, payload as hex") {
    CHECK(line_for(hex("83 00")) == "<< RSV3 (0x3) fin=1 rsv=000 len=0");
    CHECK(line_for(hex("87 01 41")) == "<< RSV7 (0x7) fin=1 rsv=000 len=1 41");
    CHECK(line_for(hex("8b 02 68 69")) == "<< RSVB (0xb) fin=1 rsv=000 len=2 68 69");
    CHECK(line_for(hex("0f 00")) == "<< RSVF (0xf) fin=0 rsv=000 len=0");
}

TEST_CASE("frame line: RSV bits in order RSV1 RSV2 RSV3") {
    CHECK(line_for(hex("c1 00")) == R"(<< TEXT   fin=1 rsv=100 len=0)");
    CHECK(line_for(hex("a1 00")) == R"(<< TEXT   fin=1 rsv=010 len=0)");
    CHECK(line_for(hex("91 00")) == R"(<< TEXT   fin=1 rsv=001 len=0)");
    CHECK(line_for(hex("71 00")) == R"(<< TEXT   fin=0 rsv=111 len=0)");
}

TEST_CASE("frame line: permessage-deflate shows both sizes, previews the inflated text") {
    FrameInfo info = frame(Opcode::text, view("Hello"));
    info.header.rsv = proto::rsv1;
    info.header.payload_len = 7;
    info.uncompressed_len = 5;
    CHECK(frame_line(info) == R"(<< TEXT   fin=1 rsv=100 len=7 (uncompressed 5) "Hello")");
}

TEST_CASE("frame line: close bodies decoded") {
    CHECK(close_line(hex("03 e8 62 79 65")) == R"(<< CLOSE  fin=1 rsv=000 len=5 1000 (normal) "bye")");
    CHECK(close_line(hex("03 e9")) == "<< CLOSE  fin=1 rsv=000 len=2 1001 (going away)");
    CHECK(close_line(hex("0f a0 78")) == R"(<< CLOSE  fin=1 rsv=000 len=3 4000 (private use) "x")");
    CHECK(close_line({}) == "<< CLOSE  fin=1 rsv=000 len=0 (no status)");
    CHECK(close_line(hex("03")) == "<< CLOSE  fin=1 rsv=000 len=1 (malformed: 1 byte)");
}

TEST_CASE("frame line: close codes that may not be sent are flagged") {
    CHECK(close_line(hex("03 ed")) ==
          "<< CLOSE  fin=1 rsv=000 len=2 1005 (no status; not allowed on the wire)");
    CHECK(close_line(hex("03 e7")) ==
          "<< CLOSE  fin=1 rsv=000 len=2 999 (unknown; not allowed on the wire)");
}

TEST_CASE("frame line: a close reason that is not UTF-8 shows the bad bytes") {
    CHECK(close_line(hex("03 e8 61 ff c3")) ==
          R"(<< CLOSE  fin=1 rsv=000 len=5 1000 (normal) "a\xff\xc3")");
}

TEST_CASE("frame line: text escapes quotes, backslashes and control characters") {
    CHECK(text_line("a\nb\tc\rd\"e\\f") ==
          R"(<< TEXT   fin=1 rsv=000 len=11 "a\nb\tc\rd\"e\\f")");
    CHECK(text_line(std::string_view("\x00\x01\x1b[2J\x7f", 7)) ==
          R"(<< TEXT   fin=1 rsv=000 len=7 "\x00\x01\x1b[2J\x7f")");
}

TEST_CASE("frame line: non-ASCII UTF-8 is shown as is") {
    CHECK(text_line("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "<< TEXT   fin=1 rsv=000 len=15 \"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST_CASE("frame line: invalid UTF-8 bytes become \\xNN") {
    // a lone continuation byte, an overlong '/', a surrogate, beyond U+10FFFF, a cut sequence
    CHECK(text_line("\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82") ==
          R"(<< TEXT   fin=1 rsv=000 len=16 "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82")");
}

TEST_CASE("frame line: C1 controls and bidirectional marks are escaped") {
    CHECK(text_line("a\xc2\x85" "b\xe2\x80\xae" "c\xe2\x81\xa6" "d") ==
          R"(<< TEXT   fin=1 rsv=000 len=12 "a\u0085b\u202ec\u2066d")");
}

TEST_CASE("frame line: long text is cut at 60 columns") {
    const std::string hundred(100, 'a');
    CHECK(text_line(hundred) ==
          "<< TEXT   fin=1 rsv=000 len=100 \"" + std::string(60, 'a') + "\"\u2026");
    const std::string sixty(60, 'b');
    CHECK(text_line(sixty) == "<< TEXT   fin=1 rsv=000 len=60 \"" + sixty + "\"");
}

TEST_CASE("frame line: the 60 columns count code points, and escapes by their length") {
    std::string accents;
    for (int i = 0; i < 61; ++i) accents += "\xc3\xa9";
    std::string shown;
    for (int i = 0; i < 60; ++i) shown += "\xc3\xa9";
    CHECK(text_line(accents) == "<< TEXT   fin=1 rsv=000 len=122 \"" + shown + "\"\u2026");

    std::string escapes_shown;
    for (int i = 0; i < 30; ++i) escapes_shown += "\\n";
    CHECK(text_line(std::string(30, '\n')) ==
          "<< TEXT   fin=1 rsv=000 len=30 \"" + escapes_shown + "\"");
    CHECK(text_line(std::string(31, '\n')) ==
          "<< TEXT   fin=1 rsv=000 len=31 \"" + escapes_shown + "\"\u2026");
    // An escape that does not fit whole is left out whole.
    CHECK(text_line(std::string(59, 'x') + "\x01") ==
          "<< TEXT   fin=1 rsv=000 len=60 \"" + std::string(59, 'x') + "\"\u2026");
}

TEST_CASE("frame line: a partial payload cut inside a UTF-8 sequence is truncation, not bad data") {
    const proto::Bytes start = hex("68 c3");
    FrameInfo info = frame(Opcode::text, start);
    info.header.payload_len = 6;  // "héllo": only "h" and half of "é" given
    CHECK(frame_line(info) == "<< TEXT   fin=1 rsv=000 len=6 \"h\"\u2026");
}

TEST_CASE("frame line: ping payloads that are not UTF-8 are shown in hex") {
    const proto::Bytes payload = hex("de ad be ef");
    CHECK(frame_line(frame(Opcode::ping, payload, Direction::out)) ==
          ">> PING   fin=1 rsv=000 len=4 de ad be ef");
}

TEST_CASE("frame line: colour marks the direction only") {
    const Style colour{true};
    FrameInfo out = frame(Opcode::text, view("hi"), Direction::out);
    CHECK(frame_line(out, colour) == "\x1b[32m>>\x1b[0m TEXT   fin=1 rsv=000 len=2 \"hi\"");
    FrameInfo in = frame(Opcode::text, view("hi"));
    CHECK(frame_line(in, colour) == "\x1b[36m<<\x1b[0m TEXT   fin=1 rsv=000 len=2 \"hi\"");
    in.flagged = true;
    CHECK(frame_line(in, colour) == "\x1b[31m<<\x1b[0m TEXT   fin=1 rsv=000 len=2 \"hi\"");
}

TEST_CASE("frame line: without colour no escape byte is written, whatever the payload") {
    FrameInfo info = frame(Opcode::text, view("\x1b[31mred\x1b[0m"));
    info.flagged = true;
    const std::string line = frame_line(info);
    CHECK(line == R"(<< TEXT   fin=1 rsv=000 len=12 "\x1b[31mred\x1b[0m")");
    CHECK(line.find('\x1b') == std::string::npos);
}

TEST_CASE("frame line: opcode labels") {
    CHECK(opcode_label(Opcode::text) == "TEXT");
    CHECK(opcode_label(Opcode::continuation) == "CONT");
    CHECK(opcode_label(Opcode::continuation, 3) == "CONT#3");
    CHECK(opcode_label(static_cast<Opcode>(0xe)) == "RSVE (0xe)");
}

TEST_CASE("frame line: append_frame_line appends without a newline") {
    std::string out = "[1] ";
    append_frame_line(out, frame(Opcode::ping, {}));
    CHECK(out == "[1] << PING   fin=1 rsv=000 len=0");
}

}  // namespace
}  // namespace wscope::present
