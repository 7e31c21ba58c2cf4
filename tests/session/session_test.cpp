// The Session (src/session/session.hpp): the policy layer over proto::Connection.
//
// Every case drives a real Session over a scripted FakeStream (support/fake_stream.hpp) and a
// FakeTime that only moves when told to (support/fake_clock.hpp). What the session writes is
// compared byte for byte where the bytes are short, and otherwise parsed back with
// proto::HeaderParser and unmasked by hand. Client frames are masked with a FixedMaskSource key,
// so they are predictable: the key is RFC 6455 §5.7's 37 fa 21 3d.
#include "session/session.hpp"

#include <doctest/doctest.h>
#include <poll.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/mask_source.hpp"
#include "proto/deflate.hpp"
#include "proto/frame.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_stream.hpp"
#include "support/hex.hpp"

using namespace wscope;
using proto::Bytes;
using proto::ByteView;
using proto::Errc;
using proto::MessageType;
using proto::Opcode;
using session::Direction;
using session::Outcome;
using session::SessionOptions;
using test::bytes_of;
using test::concat;
using test::FakeStream;
using test::FakeTime;
using test::hex;
using test::pattern;
using test::to_hex;

namespace {

// Our (client) masking key, and another one for the frames a client peer sends to our server.
constexpr proto::MaskKey our_key{0x37, 0xfa, 0x21, 0x3d};
constexpr proto::MaskKey peer_key{0x11, 0x22, 0x33, 0x44};

// ---- what the observer saw ----

struct Message {
    MessageType type = MessageType::text;
    std::string data;
    friend bool operator==(const Message&, const Message&) = default;
};

struct CloseSeen {
    Direction dir = Direction::in;
    std::optional<std::uint16_t> code;
    std::string reason;
    friend bool operator==(const CloseSeen&, const CloseSeen&) = default;
};

struct PongSeen {
    Direction dir = Direction::in;
    std::string payload;
    std::optional<std::chrono::microseconds> rtt;
};

// Assembles message chunks and checks their first/last flags; anything inconsistent goes to
// bad, which every rig checks on destruction.
class Recorder final : public session::Observer {
  public:
    void on_event(const session::SessionEvent& ev) override {
        if (const auto* m = std::get_if<session::MessageEvent>(&ev)) {
            if (m->dir == Direction::in) {
                on_message(m->type, m->data, m->first, m->last);
                frame_left.push_back(m->frame_left);
                chunk_sizes.push_back(m->data.size());
            }
        } else if (const auto* p = std::get_if<session::PingEvent>(&ev)) {
            pings.emplace_back(p->dir, std::string(proto::as_chars(p->payload)));
        } else if (const auto* q = std::get_if<session::PongEvent>(&ev)) {
            pongs.push_back({q->dir, std::string(proto::as_chars(q->payload)), q->rtt});
        } else if (const auto* c = std::get_if<session::CloseEvent>(&ev)) {
            closes.push_back({c->dir, c->code, std::string(c->reason)});
        } else if (const auto* v = std::get_if<session::ViolationEvent>(&ev)) {
            violations.push_back(v->error);
        }
    }
    void on_message(MessageType type, ByteView data, bool first, bool last) {
        ++chunks;
        if (first == open_)
            bad.push_back(first ? "first chunk inside an open message" : "chunk without a first");
        if (first) current_ = Message{type, {}};
        if (type != current_.type) bad.push_back("message type changed between chunks");
        current_.data += proto::as_chars(data);
        open_ = !last;
        if (last) messages.push_back(current_);
    }

    std::vector<Message> messages;
    int chunks = 0;
    std::vector<std::uint64_t> frame_left;  // MessageEvent::frame_left of each chunk
    std::vector<std::size_t> chunk_sizes;   // and its size
    std::vector<std::pair<Direction, std::string>> pings;
    std::vector<PongSeen> pongs;
    std::vector<CloseSeen> closes;
    std::vector<proto::Error> violations;
    std::vector<std::string> bad;

  private:
    Message current_;
    bool open_ = false;
};

// ---- frames on the wire ----

struct WireFrame {
    proto::FrameHeader h;
    Bytes payload;  // unmasked

    [[nodiscard]] std::optional<std::uint16_t> close_code() const {
        if (payload.size() < 2) return std::nullopt;
        return proto::load_be16(payload.data());
    }
    [[nodiscard]] std::string text() const { return std::string(proto::as_chars(payload)); }
};

// Parses a byte stream into whole frames; anything left over (a cut frame) fails the test.
std::vector<WireFrame> frames_of(ByteView wire) {
    std::vector<WireFrame> out;
    while (!wire.empty()) {
        proto::HeaderParser parser;
        const auto status = parser.parse(wire);
        REQUIRE_MESSAGE(status == proto::HeaderParser::Status::done,
                        "written bytes end inside a frame header or break a length rule");
        const proto::FrameHeader& h = parser.header();
        REQUIRE_MESSAGE(h.payload_len <= wire.size(), "written bytes end inside a frame payload");
        const auto n = static_cast<std::size_t>(h.payload_len);
        WireFrame f{h, Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n))};
        // Unmasked here, independently of proto/mask.cpp.
        if (h.mask)
            for (std::size_t i = 0; i < n; ++i) f.payload[i] ^= (*h.mask)[i % 4];
        out.push_back(std::move(f));
        wire = wire.subspan(n);
    }
    return out;
}

// A frame as a peer would send it (masked when key is given).
Bytes frame(Opcode op, ByteView payload, bool fin = true,
            std::optional<proto::MaskKey> key = std::nullopt) {
    proto::FrameHeader h;
    h.fin = fin;
    h.opcode = op;
    h.mask = key;
    h.payload_len = payload.size();
    Bytes out;
    proto::append_frame(out, h, payload);
    return out;
}

Bytes frame(Opcode op, std::string_view payload, bool fin = true,
            std::optional<proto::MaskKey> key = std::nullopt) {
    return frame(op, proto::as_bytes(payload), fin, key);
}

// A client peer's frame: always masked.
Bytes client_frame(Opcode op, std::string_view payload, bool fin = true) {
    return frame(op, payload, fin, peer_key);
}

// ---- the rig: one session over one fake stream ----

SessionOptions server_options() {
    SessionOptions o;
    o.role = proto::Role::server;
    return o;
}

struct Rig {
    explicit Rig(const SessionOptions& o = {}, ByteView leftover = {})
        : options(o), session(stream, options, masks, rec, time) {
        session.start(leftover);
    }
    ~Rig() {
        CHECK_MESSAGE(rec.bad.empty(), "observer saw inconsistent message chunks: "
                                           << (rec.bad.empty() ? std::string() : rec.bad.front()));
        CHECK_FALSE_MESSAGE(stream.wrote_after_shutdown(),
                            "the session wrote after shutdown_write()");
        CHECK_FALSE_MESSAGE(stream.budget_exceeded(), "the session kept calling the stream");
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    // Scripts bytes and lets the session read them (one on_ready: at most 16 reads).
    void deliver(ByteView bytes) {
        stream.push_read(bytes);
        session.on_ready(POLLIN);
    }
    void deliver_eof() {
        stream.push_eof();
        session.on_ready(POLLIN);
    }
    // on_ready(POLLIN) until the script's data is read (or the session stops reading).
    void read_all() {
        for (int guard = 0; guard < 100000 && stream.unread() > 0 && !session.finished(); ++guard) {
            const std::size_t before = stream.unread();
            session.on_ready(POLLIN);
            if (stream.unread() == before) break;
        }
    }
    [[nodiscard]] std::vector<WireFrame> sent() const { return frames_of(stream.written()); }
    [[nodiscard]] std::string written_hex() const { return to_hex(stream.written()); }
    [[nodiscard]] Outcome outcome() const { return session.failure().outcome; }

    FakeStream stream;
    FakeTime time;
    crypto::FixedMaskSource masks{our_key};
    Recorder rec;
    SessionOptions options;
    session::Session session;
};

// Our Close 1000 with an empty reason, masked with our_key: 03^37 e8^fa.
const std::string close_1000_from_client = "88 82 37 fa 21 3d 34 12";

}  // namespace

// ======================================================================================
// Receiving data (client role)
// ======================================================================================

TEST_CASE("client: an unmasked text frame reaches Observer::on_message") {
    Rig r;
    r.deliver(hex("81 05 48 65 6c 6c 6f"));
    CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "Hello"}});
    CHECK(r.rec.chunks == 1);
    CHECK(r.stream.written().empty());  // data needs no answer
    CHECK_FALSE(r.session.finished());
    CHECK(r.session.stats().messages_in == 1);
    CHECK(r.session.stats().frames_in == 1);
    CHECK(r.session.stats().bytes_in == 7);
    CHECK((r.session.events() & POLLIN) != 0);
}

TEST_CASE("client: a binary frame keeps its type and bytes") {
    Rig r;
    r.deliver(hex("82 04 00 ff 80 7f"));
    REQUIRE(r.rec.messages.size() == 1);
    CHECK(r.rec.messages[0].type == MessageType::binary);
    CHECK(to_hex(proto::as_bytes(r.rec.messages[0].data)) == "00 ff 80 7f");
}

TEST_CASE("client: \"Hello\" in 1-byte reads") {
    SUBCASE("one scripted chunk, read_limit 1, one on_ready") {
        Rig r;
        r.stream.set_read_limit(1);
        r.stream.push_read(hex("81 05 48 65 6c 6c 6f"));
        r.session.on_ready(POLLIN);
        CHECK(r.stream.unread() == 0);
        CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "Hello"}});
        CHECK(r.rec.chunks == 5);  // one per payload byte
    }
    SUBCASE("one byte per on_ready: nothing until the last byte") {
        Rig r;
        const Bytes input = hex("81 05 48 65 6c 6c 6f");
        for (std::size_t i = 0; i < input.size(); ++i) {
            CHECK(r.rec.messages.empty());
            r.deliver(ByteView(input).subspan(i, 1));
        }
        CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "Hello"}});
        CHECK(r.session.stats().bytes_in == 7);
    }
}

TEST_CASE("client: fragmented text with a ping inside, split in two at every offset") {
    // "Hel" (FIN clear) · PING "p" · continuation "lo" (FIN) · text "!" — and the pong for "p"
    // must come out whole whatever the split.
    const Bytes input = concat({frame(Opcode::text, "Hel", false), frame(Opcode::ping, "p"),
                                frame(Opcode::continuation, "lo"), frame(Opcode::text, "!")});
    for (std::size_t k = 1; k < input.size(); ++k) {
        CAPTURE(k);
        Rig r;
        r.deliver(ByteView(input).first(k));
        r.deliver(ByteView(input).subspan(k));
        CHECK(r.rec.messages ==
              std::vector<Message>{{MessageType::text, "Hello"}, {MessageType::text, "!"}});
        CHECK(r.written_hex() == "8a 81 37 fa 21 3d 47");  // 'p' ^ 37
    }
}

TEST_CASE("client: frames that arrived with the handshake response (start(leftover))") {
    Rig r({}, hex("81 02 68 69 89 01 78"));
    CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "hi"}});
    CHECK(r.written_hex() == "8a 81 37 fa 21 3d 4f");  // the pong goes out at once
}

// ======================================================================================
// Auto-pong
// ======================================================================================

TEST_CASE("auto-pong: PING \"x\" is answered with a masked PONG \"x\"") {
    Rig r;
    r.deliver(hex("89 01 78"));
    CHECK(r.written_hex() == "8a 81 37 fa 21 3d 4f");  // 'x' = 78, ^ 37 = 4f
    REQUIRE(r.rec.pings.size() == 1);
    CHECK(r.rec.pings[0] == std::pair<Direction, std::string>{Direction::in, "x"});
    REQUIRE(r.rec.pongs.size() == 1);
    CHECK(r.rec.pongs[0].dir == Direction::out);
    CHECK(r.rec.pongs[0].payload == "x");
}

TEST_CASE("auto-pong: an empty PING gets an empty PONG") {
    Rig r;
    r.deliver(hex("89 00"));
    CHECK(r.written_hex() == "8a 80 37 fa 21 3d");
}

TEST_CASE("auto-pong: a 125-byte PING is echoed whole") {
    Rig r;
    const Bytes body = pattern(125);
    r.deliver(frame(Opcode::ping, body));
    const auto f = r.sent();
    REQUIRE(f.size() == 1);
    CHECK(f[0].h.opcode == Opcode::pong);
    CHECK(f[0].h.mask == our_key);
    CHECK(f[0].payload == body);
}

TEST_CASE("auto-pong: off when SessionOptions.auto_pong is false") {
    SessionOptions o;
    o.auto_pong = false;
    Rig r(o);
    r.deliver(hex("89 01 78"));
    CHECK(r.stream.written().empty());
    CHECK(r.rec.pings.size() == 1);
}

TEST_CASE("auto-pong: no PONG once we have sent a Close") {
    Rig r;
    r.session.close(proto::CloseCode{1000}, "");
    CHECK(r.written_hex() == close_1000_from_client);
    r.stream.clear_written();
    r.deliver(hex("89 01 78"));
    CHECK(r.rec.pings.size() == 1);     // still reported…
    CHECK(r.stream.written().empty());  // …but not answered
    CHECK(r.rec.pongs.empty());
}

// ======================================================================================
// The peer closes
// ======================================================================================

TEST_CASE("peer Close 1000: we reply Close 1000, then EOF ends the session normally") {
    Rig r;
    r.deliver(hex("88 02 03 e8"));
    CHECK(r.written_hex() == close_1000_from_client);
    CHECK_FALSE(r.session.finished());  // §7.1.1: the client waits for the server's TCP close
    CHECK(r.session.peer_close_code() == std::optional<std::uint16_t>(1000));
    CHECK(r.rec.closes ==
          std::vector<CloseSeen>{{Direction::in, 1000, ""}, {Direction::out, 1000, ""}});
    CHECK(r.session.stats().close_received == std::optional<std::uint16_t>(1000));
    CHECK(r.session.stats().close_sent == std::optional<std::uint16_t>(1000));
    CHECK(r.session.stats().peer_closed_first);

    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
    CHECK(r.session.failure().message.empty());
    CHECK(r.session.events() == 0);
    CHECK(r.written_hex() == close_1000_from_client);  // nothing more was written
}

TEST_CASE("peer Close 4000 \"bye\": we reply 4000; the outcome is peer_error_close") {
    Rig r;
    r.deliver(hex("88 05 0f a0 62 79 65"));
    CHECK(r.written_hex() == "88 82 37 fa 21 3d 38 5a");  // 0f^37 a0^fa: code only
    CHECK(r.rec.closes.front() == CloseSeen{Direction::in, 4000, "bye"});
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::peer_error_close);
    CHECK(r.session.failure().message.find("4000") != std::string::npos);
}

TEST_CASE("peer Close 1001: we reply 1001; the outcome is normal") {
    Rig r;
    r.deliver(hex("88 02 03 e9"));
    CHECK(r.written_hex() == "88 82 37 fa 21 3d 34 13");
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

TEST_CASE("peer Close without a status: we reply with an empty Close") {
    Rig r;
    r.deliver(hex("88 00"));
    CHECK(r.written_hex() == "88 80 37 fa 21 3d");
    r.deliver_eof();
    CHECK(r.outcome() == Outcome::normal);
}

TEST_CASE("peer Close 1000 and the server never closes TCP: normal after close_timeout") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.deliver(hex("88 02 03 e8"));
    r.time.advance(1.9);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.2);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

// ======================================================================================
// We close
// ======================================================================================

TEST_CASE("our close(1000): Close goes out; the peer's Close and then EOF end it normally") {
    Rig r;
    r.session.close(proto::CloseCode{1000}, "");
    CHECK(r.written_hex() == close_1000_from_client);
    CHECK(r.session.closing());
    CHECK_FALSE(r.session.finished());
    CHECK(r.rec.closes == std::vector<CloseSeen>{{Direction::out, 1000, ""}});

    r.deliver(hex("88 02 03 e8"));
    CHECK(r.written_hex() == close_1000_from_client);  // no second Close
    CHECK_FALSE(r.session.finished());
    CHECK_FALSE(r.session.stats().peer_closed_first);

    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

TEST_CASE("our close(1000, \"bye\") carries the reason; later sends are ignored") {
    Rig r;
    r.session.close(proto::CloseCode{1000}, "bye");
    r.session.send_message(MessageType::text, proto::as_bytes("late"));
    r.session.send_ping(proto::as_bytes("late"));
    r.session.close(proto::CloseCode{1001}, "again");
    r.session.pump();
    const auto f = r.sent();
    REQUIRE(f.size() == 1);
    CHECK(f[0].h.opcode == Opcode::close);
    CHECK(f[0].h.mask == our_key);
    CHECK(to_hex(f[0].payload) == "03 e8 62 79 65");
}

TEST_CASE("our close(1000) with no reply: timeout after close_timeout seconds") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.session.close(proto::CloseCode{1000}, "");
    r.time.advance(1.9);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.2);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
    CHECK(r.session.failure().message.find("no close frame") != std::string::npos);
}

TEST_CASE("close timeout counts silence, not total time") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.session.close(proto::CloseCode{1000}, "");
    r.time.advance(1.5);
    r.session.tick();
    r.deliver(hex("81 02 68 69"));  // the peer is still talking: the timer restarts
    CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "hi"}});
    REQUIRE(r.session.next_deadline().has_value());
    CHECK(*r.session.next_deadline() == r.time.now() + session::seconds(2));
    r.time.advance(1.5);  // 3 s since close(), 1.5 s of silence
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.6);  // 2.1 s of silence
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
}

// ======================================================================================
// The peer breaks a rule
// ======================================================================================

namespace {

// Feeds input, expects a single Close(code) from us, one on_violation(errc), and the outcome
// protocol_violation — also after the peer then hangs up.
void check_violation(const SessionOptions& o, const Bytes& input, Errc errc, std::uint16_t code) {
    Rig r(o);
    r.stream.push_read(input);
    r.read_all();
    const auto f = r.sent();
    REQUIRE(f.size() == 1);
    CHECK(f[0].h.opcode == Opcode::close);
    CHECK(f[0].h.fin);
    if (o.role == proto::Role::client) {
        CHECK(f[0].h.mask == our_key);
    } else {
        CHECK_FALSE(f[0].h.mask.has_value());  // §5.1: a server never masks
    }
    CHECK(f[0].close_code() == std::optional<std::uint16_t>(code));
    REQUIRE(r.rec.violations.size() == 1);
    CHECK(r.rec.violations[0].code == errc);
    CHECK(r.session.stats().close_sent == std::optional<std::uint16_t>(code));
    CHECK(r.rec.messages.empty());
    CHECK_FALSE(r.session.finished());  // waits for the peer's Close or EOF
    CHECK(r.outcome() == Outcome::protocol_violation);

    // Whatever the peer sends next is not processed, and answers nothing.
    const std::size_t written = r.stream.written().size();
    r.deliver(hex("89 01 78"));
    CHECK(r.stream.written().size() == written);

    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::protocol_violation);
    CHECK(r.rec.violations.size() == 1);
    CHECK_FALSE(r.session.failure().message.empty());
}

}  // namespace

TEST_CASE("violation: a masked frame from the server → Close 1002") {
    check_violation({}, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), Errc::server_frame_masked, 1002);
}

TEST_CASE("violation: a 126-byte PING → Close 1002 and no PONG") {
    check_violation({}, concat({hex("89 7e 00 7e"), pattern(126)}), Errc::control_too_long, 1002);
}

TEST_CASE("violation: invalid UTF-8 in a text message → Close 1007") {
    check_violation({}, hex("81 02 c3 28"), Errc::invalid_utf8, 1007);
}

TEST_CASE("violation: a message over max_message → Close 1009") {
    SessionOptions o;
    o.max_message = 16;
    SUBCASE("one frame") {
        check_violation(o, frame(Opcode::binary, pattern(17)), Errc::message_too_big, 1009);
    }
    SUBCASE("two fragments adding up") {
        check_violation(o,
                        concat({frame(Opcode::binary, pattern(10), false),
                                frame(Opcode::continuation, pattern(7))}),
                        Errc::message_too_big, 1009);
    }
    SUBCASE("exactly max_message is fine") {
        Rig r(o);
        r.deliver(frame(Opcode::binary, pattern(16)));
        REQUIRE(r.rec.messages.size() == 1);
        CHECK(r.rec.messages[0].data.size() == 16);
        CHECK(r.stream.written().empty());
    }
}

TEST_CASE("violation: a Close with code 1005 on the wire → Close 1002") {
    check_violation({}, hex("88 02 03 ed"), Errc::invalid_close_code, 1002);
}

TEST_CASE("violation: close_timeout after a violation still reports protocol_violation") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.deliver(hex("81 02 c3 28"));
    r.time.advance(2.1);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::protocol_violation);
}

// ======================================================================================
// The stream ends
// ======================================================================================

TEST_CASE("EOF without a Close → connection_lost") {
    Rig r;
    r.deliver(hex("81 02 68 69"));
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::connection_lost);
    CHECK(r.session.failure().message.find("1006") != std::string::npos);
    CHECK(r.stream.written().empty());
    CHECK(r.session.events() == 0);
}

TEST_CASE("EOF in the middle of a frame → connection_lost") {
    Rig r;
    r.deliver(hex("81 05 48 65"));
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::connection_lost);
    CHECK(r.rec.messages.empty());
}

TEST_CASE("a read error → connection_lost with the stream's message") {
    Rig r;
    r.stream.push_read_error("Connection reset by peer");
    r.session.on_ready(POLLIN);
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::connection_lost);
    CHECK(r.session.failure().message.find("Connection reset by peer") != std::string::npos);
}

TEST_CASE("a write error → connection_lost with the stream's message") {
    Rig r;
    r.stream.push_write_result({net::IoResult::Status::error, 0, "Broken pipe", false});
    r.session.send_message(MessageType::text, proto::as_bytes("hi"));
    r.session.pump();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::connection_lost);
    CHECK(r.session.failure().message.find("Broken pipe") != std::string::npos);
}

TEST_CASE("after our Close, EOF without the peer's Close is a lost connection (SPEC §2.5)") {
    Rig r;
    r.session.close(proto::CloseCode{1000}, "");
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::connection_lost);
}

TEST_CASE("the peer answers our Close 1000 with 1011: a failure; an echo of our own code is not") {
    SUBCASE("1011") {
        Rig r;
        r.session.close(proto::CloseCode{1000}, "");
        r.deliver(hex("88 02 03 f3"));
        r.deliver_eof();
        CHECK(r.outcome() == Outcome::peer_error_close);
    }
    SUBCASE("4000 echoed") {
        Rig r;
        r.session.close(proto::CloseCode{4000}, "");
        r.deliver(hex("88 02 0f a0"));
        r.deliver_eof();
        CHECK(r.outcome() == Outcome::normal);
    }
}

// ======================================================================================
// Pings we send
// ======================================================================================

TEST_CASE("ping_interval: a PING each interval; its PONG gives an RTT") {
    SessionOptions o;
    o.ping_interval = session::seconds(1);
    Rig r(o);
    r.time.advance(0.999);
    r.session.tick();
    CHECK(r.stream.written().empty());

    r.time.advance(0.001);
    r.session.tick();
    CHECK(r.written_hex() == "89 81 37 fa 21 3d 06");  // PING "1": 31 ^ 37
    CHECK(r.rec.pings == std::vector<std::pair<Direction, std::string>>{{Direction::out, "1"}});

    r.time.advance(0.25);
    r.deliver(hex("8a 01 31"));
    REQUIRE(r.rec.pongs.size() == 1);
    CHECK(r.rec.pongs[0].dir == Direction::in);
    CHECK(r.rec.pongs[0].payload == "1");
    REQUIRE(r.rec.pongs[0].rtt.has_value());
    CHECK(r.rec.pongs[0].rtt->count() == 250000);
    const auto& s = r.session.stats();
    CHECK(s.rtt_count == 1);
    CHECK(s.rtt_min == 250000);
    CHECK(s.rtt_max == 250000);
    CHECK(s.rtt_total == 250000);

    // The answered ping cleared the pong deadline: the next interval brings PING "2", not a
    // timeout (ping_timeout defaults to 30 s).
    r.time.advance(0.75);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    CHECK(r.written_hex() == "89 81 37 fa 21 3d 06 89 81 37 fa 21 3d 05");
}

TEST_CASE("ping_timeout: no PONG in time → Outcome::timeout") {
    SessionOptions o;
    o.ping_interval = session::seconds(10);
    o.ping_timeout = session::seconds(2);
    Rig r(o);
    r.time.advance(10);
    r.session.tick();
    REQUIRE(r.sent().size() == 1);
    CHECK(r.sent()[0].h.opcode == Opcode::ping);

    // A PONG that answers nothing we sent has no RTT and does not stop the timer.
    r.deliver(hex("8a 02 7a 7a"));
    REQUIRE(r.rec.pongs.size() == 1);
    CHECK_FALSE(r.rec.pongs[0].rtt.has_value());
    CHECK(r.session.stats().rtt_count == 0);

    r.time.advance(1.9);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.2);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
    CHECK(r.session.failure().message.find("no pong") != std::string::npos);
}

// ======================================================================================
// Server role
// ======================================================================================

TEST_CASE("server: masked client frames are accepted and unmasked") {
    Rig r(server_options());
    r.deliver(client_frame(Opcode::text, "Hello"));
    CHECK(r.rec.messages == std::vector<Message>{{MessageType::text, "Hello"}});
    CHECK(r.stream.written().empty());
}

TEST_CASE("server: an unmasked client frame → unmasked Close 1002") {
    check_violation(server_options(), hex("81 05 48 65 6c 6c 6f"), Errc::client_frame_unmasked,
                    1002);
    // Byte-exact start: 88, a length byte without the MASK bit, then the code right away.
    Rig r(server_options());
    r.deliver(hex("81 05 48 65 6c 6c 6f"));
    const Bytes& w = r.stream.written();
    REQUIRE(w.size() >= 4);
    CHECK(w[0] == 0x88);
    CHECK((w[1] & 0x80) == 0);
    CHECK(w.size() == 2u + w[1]);
    CHECK(to_hex(ByteView(w).subspan(2, 2)) == "03 ea");
}

TEST_CASE("server: the client's Close → reply, flush, shutdown_write, finished normal") {
    Rig r(server_options());
    r.deliver(hex("88 82 37 fa 21 3d 34 12"));  // Close 1000, masked
    CHECK(r.written_hex() == "88 02 03 e8");
    CHECK(r.stream.shutdown_count() == 1);
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
    CHECK(r.session.events() == 0);
}

TEST_CASE("server: shutdown_write waits until the Close reply is flushed") {
    Rig r(server_options());
    r.stream.set_writable(false);
    r.deliver(hex("88 82 37 fa 21 3d 34 12"));
    CHECK(r.stream.written().empty());
    CHECK_FALSE(r.stream.write_shut());
    CHECK_FALSE(r.session.finished());
    CHECK((r.session.events() & POLLOUT) != 0);

    r.stream.set_writable(true);
    r.session.on_ready(POLLOUT);
    CHECK(r.written_hex() == "88 02 03 e8");
    CHECK(r.stream.shutdown_count() == 1);
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

TEST_CASE("server: our close(1001) and the client's answer → shutdown, normal") {
    Rig r(server_options());
    r.session.close(proto::CloseCode{1001}, "");
    CHECK(r.written_hex() == "88 02 03 e9");
    CHECK_FALSE(r.stream.write_shut());
    r.deliver(client_frame(Opcode::close, std::string_view("\x03\xe9", 2)));
    CHECK(r.written_hex() == "88 02 03 e9");
    CHECK(r.stream.shutdown_count() == 1);
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

// ======================================================================================
// Echo mode (server role)
// ======================================================================================

namespace {

SessionOptions echo_options() {
    SessionOptions o = server_options();
    o.echo = true;
    return o;
}

}  // namespace

TEST_CASE("echo: a text message comes back with the same opcode and payload, unmasked") {
    Rig r(echo_options());
    r.deliver(client_frame(Opcode::text, "Hello"));
    CHECK(r.written_hex() == "81 05 48 65 6c 6c 6f");
    CHECK(r.session.stats().messages_out == 1);
}

TEST_CASE("echo: a binary message comes back as binary") {
    Rig r(echo_options());
    r.deliver(frame(Opcode::binary, hex("00 ff 10"), true, peer_key));
    CHECK(r.written_hex() == "82 03 00 ff 10");
}

TEST_CASE("echo: a fragmented message with a PING between its fragments") {
    Rig r(echo_options());
    r.deliver(concat({client_frame(Opcode::text, "Hel", false), client_frame(Opcode::ping, "p"),
                      client_frame(Opcode::continuation, "lo")}));
    // The fragments keep their shape; the PONG goes out between them, as the PING came in.
    CHECK(r.written_hex() == "01 03 48 65 6c 8a 01 70 80 02 6c 6f");
}

TEST_CASE("echo: fragmented input in 1-byte reads reassembles to the same message") {
    Rig r(echo_options());
    const std::string body = "fragmented \xe2\x82\xac message";  // a 3-byte UTF-8 sequence
    const Bytes input =
        concat({client_frame(Opcode::text, std::string_view(body).substr(0, 12), false),
                client_frame(Opcode::continuation, std::string_view(body).substr(12, 3), false),
                client_frame(Opcode::continuation, std::string_view(body).substr(15))});
    r.stream.set_read_limit(1);
    r.stream.push_read(input);
    r.read_all();
    REQUIRE(r.rec.messages.size() == 1);
    CHECK(r.rec.messages[0].data == body);

    const auto f = r.sent();
    REQUIRE(f.size() >= 3);
    std::string echoed;
    for (std::size_t i = 0; i < f.size(); ++i) {
        CAPTURE(i);
        CHECK(f[i].h.opcode == (i == 0 ? Opcode::text : Opcode::continuation));
        CHECK(f[i].h.fin == (i + 1 == f.size()));
        CHECK_FALSE(f[i].h.mask.has_value());
        echoed += f[i].text();
    }
    CHECK(echoed == body);
    CHECK(r.session.stats().messages_out == 1);
}

TEST_CASE("echo: reading pauses while more than read_pause_threshold bytes are unsent") {
    SessionOptions o = echo_options();
    o.read_pause_threshold = 8;
    Rig r(o);
    const Bytes first = frame(Opcode::binary, pattern(10), true, peer_key);     // echo: 12 bytes
    const Bytes second = frame(Opcode::binary, pattern(3, 7), true, peer_key);  // echo: 5 bytes
    REQUIRE(first.size() == 16);
    r.stream.set_writable(false);
    r.stream.set_read_limit(16);
    r.stream.push_read(concat({first, second}));

    r.session.on_ready(POLLIN);
    CHECK(r.rec.messages.size() == 1);
    CHECK(r.stream.unread() == second.size());  // the second frame stays in the socket
    CHECK((r.session.events() & POLLIN) == 0);
    CHECK((r.session.events() & POLLOUT) != 0);

    r.session.on_ready(POLLIN);  // a spurious wake-up reads nothing
    CHECK(r.stream.unread() == second.size());

    r.stream.set_writable(true);
    r.session.on_ready(POLLOUT);
    CHECK(r.stream.written() == concat({hex("82 0a"), pattern(10)}));
    CHECK((r.session.events() & POLLIN) != 0);

    r.session.on_ready(POLLIN);
    CHECK(r.stream.unread() == 0);
    CHECK(r.stream.written() == concat({hex("82 0a"), pattern(10), hex("82 03"), pattern(3, 7)}));
}

TEST_CASE("echo: below read_pause_threshold reading goes on") {
    SessionOptions o = echo_options();
    o.read_pause_threshold = 100;
    Rig r(o);
    r.stream.set_writable(false);
    r.deliver(frame(Opcode::binary, pattern(10), true, peer_key));
    CHECK((r.session.events() & POLLIN) != 0);
    CHECK((r.session.events() & POLLOUT) != 0);
}

// ======================================================================================
// Partial writes and backpressure
// ======================================================================================

TEST_CASE("partial writes: 3 bytes per write_some still deliver a 1 MiB message exactly") {
    Rig r;
    r.stream.set_write_limit(3);
    r.stream.want_write_every(1000);  // the socket fills up every 3000 bytes
    const Bytes body = pattern(1u << 20);
    r.session.send_message(MessageType::binary, body);
    r.session.pump();
    CHECK(r.stream.written().size() == 3000);  // stopped at the first want_write
    int turns = 0;
    while ((r.session.events() & POLLOUT) != 0 && turns < 100000) {
        r.session.on_ready(POLLOUT);
        ++turns;
    }
    CHECK(turns > 300);
    CHECK_FALSE(r.session.finished());
    REQUIRE(r.stream.written().size() == 14 + body.size());
    CHECK(to_hex(ByteView(r.stream.written()).first(14)) ==
          "82 ff 00 00 00 00 00 10 00 00 37 fa 21 3d");
    const auto f = r.sent();
    REQUIRE(f.size() == 1);
    CHECK(f[0].h.opcode == Opcode::binary);
    CHECK(f[0].h.fin);
    CHECK(f[0].h.mask == our_key);
    CHECK(f[0].payload == body);
    CHECK(r.session.stats().bytes_out == 14 + body.size());
}

TEST_CASE("backpressure: accepting_input(next) waits until the next input fits the buffer") {
    Rig r;
    r.stream.set_writable(false);
    r.session.send_message(MessageType::binary, pattern(200 * 1024));
    r.session.pump();
    // 200 KiB waiting, below the threshold: small input is welcome, but a 1 MiB record would
    // grow the buffer to hold both.
    CHECK(r.session.accepting_input());
    CHECK(r.session.accepting_input(1024));
    CHECK_FALSE(r.session.accepting_input(1u << 20));
    r.stream.set_writable(true);
    r.session.on_ready(POLLOUT);
    CHECK(r.session.accepting_input(1u << 20));  // nothing waiting: anything goes
}

TEST_CASE("client: MessageEvent::frame_left tells what the frame header says is still coming") {
    Rig r;
    r.stream.set_read_limit(300);
    std::string frame = "82 7e 03 e8";  // binary, FIN, 1000 bytes (16-bit length)
    r.stream.push_read(hex(frame));
    r.stream.push_read(pattern(1000));
    r.read_all();
    REQUIRE(r.rec.messages.size() == 1);
    CHECK(r.rec.messages[0].data.size() == 1000);
    REQUIRE(r.rec.frame_left.size() >= 3);
    CHECK(r.rec.frame_left.back() == 0);  // the last piece
    // What arrived so far plus the hint is the frame's length, at every piece.
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i + 1 < r.rec.frame_left.size(); ++i) {
        seen += r.rec.chunk_sizes[i];
        CHECK(seen + r.rec.frame_left[i] == 1000);
    }
}

TEST_CASE("client: MessageEvent::frame_left is 0 for a compressed message (its size is not on the wire)") {
    SessionOptions o;
    o.deflate = proto::DeflateParams{};
    Rig r(o);
    proto::Deflater d(15, false);
    std::string text(5000, 'a');
    std::uint32_t x = 6455;
    for (char& c : text) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>('a' + (x >> 16) % 26);
    }
    proto::Bytes body;
    d.compress(proto::as_bytes(text), true, body);
    REQUIRE(body.size() > 200);
    REQUIRE(body.size() < 65536);
    // FIN, RSV1, text; a 16-bit length.
    proto::Bytes frame = hex("c1 7e");
    frame.push_back(static_cast<std::uint8_t>(body.size() >> 8));
    frame.push_back(static_cast<std::uint8_t>(body.size() & 0xff));
    frame.insert(frame.end(), body.begin(), body.end());
    r.stream.set_read_limit(100);
    r.stream.push_read(frame);
    r.read_all();
    REQUIRE(r.rec.messages.size() == 1);
    CHECK(r.rec.messages[0].data == text);
    for (const auto left : r.rec.frame_left) CHECK(left == 0);
}

TEST_CASE("backpressure: accepting_input() is false above input_pause_threshold") {
    Rig r;
    r.stream.set_writable(false);
    CHECK(r.session.accepting_input());
    r.session.send_message(MessageType::binary, pattern(100));
    r.session.pump();
    CHECK(r.session.accepting_input());  // 106 bytes waiting: fine
    r.session.send_message(MessageType::binary, pattern(1u << 20));
    r.session.pump();
    CHECK_FALSE(r.session.accepting_input());
    CHECK((r.session.events() & POLLOUT) != 0);

    r.stream.set_writable(true);
    r.session.on_ready(POLLOUT);
    CHECK(r.session.accepting_input());
    const auto f = r.sent();
    REQUIRE(f.size() == 2);
    CHECK(f[0].payload == pattern(100));
    CHECK(f[1].payload == pattern(1u << 20));
}

// ======================================================================================
// More rule breaks, one row each
// ======================================================================================

TEST_CASE("violation table") {
    struct Row {
        const char* name;
        Bytes input;
        Errc errc;
        std::uint16_t code;
    };
    const std::vector<Row> rows{
        {"reserved opcode 0x3", hex("83 00"), Errc::reserved_opcode, 1002},
        {"RSV1 without an extension", hex("c1 01 61"), Errc::reserved_bits, 1002},
        {"continuation with no message open", hex("80 01 61"), Errc::unexpected_continuation, 1002},
        {"new text while a message is open", hex("01 01 61 81 01 62"), Errc::expected_continuation,
         1002},
        {"fragmented PING", hex("09 01 61"), Errc::control_fragmented, 1002},
        {"one-byte Close payload", hex("88 01 03"), Errc::close_payload_too_short, 1002},
        {"Close reason that is not UTF-8", hex("88 04 03 e8 c3 28"), Errc::invalid_utf8, 1007},
        {"16-bit length for 5 bytes", hex("81 7e 00 05 48 65 6c 6c 6f"), Errc::non_minimal_length,
         1002},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        check_violation({}, row.input, row.errc, row.code);
    }
}

// ======================================================================================
// Timers: deadlines the front end can sleep on
// ======================================================================================

TEST_CASE("ping_timeout counts from the oldest unanswered ping") {
    // Pings every second, 2.5 s allowed for each answer. The peer answers ping 1 after 1.1 s and
    // then goes quiet: ping 2 (sent at t=2) is the one that must time out, at t=4.5 — not at
    // t=3.5, the deadline of the ping that was already answered.
    SessionOptions o;
    o.ping_interval = session::seconds(1);
    o.ping_timeout = session::seconds(2.5);
    Rig r(o);
    r.time.advance(1.0);
    r.session.tick();  // t=1: PING "1"
    r.time.advance(1.0);
    r.session.tick();  // t=2: PING "2"
    r.time.advance(0.1);
    r.deliver(hex("8a 01 31"));  // t=2.1: PONG "1"
    REQUIRE(r.rec.pongs.size() == 1);
    CHECK(r.rec.pongs[0].rtt == std::chrono::microseconds(1100000));
    r.time.advance(0.9);
    r.session.tick();  // t=3: PING "3"
    r.time.advance(0.5);
    r.session.tick();  // t=3.5: ping 2 has waited 1.5 s of its 2.5
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.5);
    r.session.tick();  // t=4: PING "4"
    r.time.advance(0.6);
    r.session.tick();  // t=4.6: ping 2 has waited 2.6 s
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
}

TEST_CASE("a ping sent by hand (no interval) waits 30 s and the message says so") {
    Rig r;
    r.session.send_ping(proto::as_bytes("a"));
    r.session.pump();
    CHECK(r.written_hex() == "89 81 37 fa 21 3d 56");  // 'a' = 61, ^ 37 = 56
    r.time.advance(29.9);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.2);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
    CHECK(r.session.failure().message.find("30s") != std::string::npos);
}

TEST_CASE("after tick(), next_deadline() is not in the past (no busy loop while closing)") {
    // The front ends sleep in poll() until next_deadline(). A deadline that tick() has passed
    // without acting on would make them spin at 100% CPU until the close completes.
    SessionOptions o;
    o.ping_interval = session::seconds(1);
    o.close_timeout = session::seconds(5);
    Rig r(o);
    r.time.advance(0.5);
    r.session.close(proto::CloseCode{1000}, "");
    r.time.advance(1.0);  // t=1.5: the ping was due at t=1, but no ping may follow a Close
    r.session.tick();
    CHECK(r.written_hex() == close_1000_from_client);
    CHECK_FALSE(r.session.finished());
    REQUIRE(r.session.next_deadline().has_value());
    CHECK(*r.session.next_deadline() > r.time.now());
}

// ======================================================================================
// Bounded memory: replies we cannot send stop the reading
// ======================================================================================

TEST_CASE("read pause: PONGs piling up stop the reading too (not only echo replies)") {
    // SessionOptions::read_pause_threshold: "Stop reading the socket while this much of our
    // own output is waiting (echo replies, pongs): memory stays bounded whatever the peer
    // sends." A peer that floods PINGs and never reads our PONGs must not grow our buffer
    // without limit.
    SessionOptions o = server_options();  // a listener that prints, no echo
    o.read_pause_threshold = 64;
    Rig r(o);
    r.stream.set_writable(false);
    const Bytes ping = client_frame(Opcode::ping, "0123456789");  // 16 bytes; its PONG is 12
    Bytes flood;
    for (int i = 0; i < 40; ++i) flood.insert(flood.end(), ping.begin(), ping.end());
    r.stream.set_read_limit(ping.size());
    r.stream.push_read(flood);
    for (int i = 0; i < 10; ++i) r.session.on_ready(POLLIN);
    CHECK((r.session.events() & POLLIN) == 0);
    CHECK(r.stream.unread() > 0);  // the session stopped reading
    CHECK(r.rec.pings.size() < 40);
}

// ======================================================================================
// Timers that a peer cannot stretch, and echo framing
// ======================================================================================

TEST_CASE("a failed connection ends at a fixed time, however the peer keeps trickling") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.deliver(hex("81 02 c3 28"));  // invalid UTF-8: we fail the connection with 1007
    REQUIRE(r.sent().back().close_code() == 1007);
    for (int i = 0; i < 19; ++i) {  // a byte every 0.1 s: a silence timer would never fire
        r.time.advance(0.1);
        r.deliver(hex("00"));
        r.session.tick();
        REQUIRE_FALSE(r.session.finished());
    }
    r.time.advance(0.11);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::protocol_violation);
}

TEST_CASE("a server that failed a connection shuts its side at once and lingers briefly") {
    SessionOptions o = server_options();
    Rig r(o);
    r.deliver(hex("81 02 68 69"));  // unmasked client frame: 1002
    REQUIRE(r.sent().back().close_code() == 1002);
    CHECK(r.stream.write_shut());
    r.time.advance(std::chrono::duration_cast<session::Duration>(o.failure_linger) +
                   std::chrono::milliseconds(1));
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::protocol_violation);
}

TEST_CASE("the close timer starts when our Close is fully written, not when it is queued") {
    SessionOptions o;
    o.close_timeout = session::seconds(2);
    Rig r(o);
    r.stream.set_writable(false);
    r.session.close(proto::CloseCode::normal, "");
    r.time.advance(5.0);  // the link took nothing for 5 s: we are not waiting on the peer yet
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.stream.set_writable(true);
    r.session.on_ready(POLLOUT);
    REQUIRE(r.sent().size() == 1);
    r.time.advance(1.9);
    r.session.tick();
    CHECK_FALSE(r.session.finished());
    r.time.advance(0.2);
    r.session.tick();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::timeout);
}

TEST_CASE("--echo: one received frame goes back as one frame, however it was read") {
    SessionOptions o = echo_options();
    Rig r(o);
    const Bytes payload = pattern(3000);
    proto::FrameHeader h;
    h.opcode = Opcode::binary;
    h.mask = peer_key;
    Bytes wire;
    proto::append_frame(wire, h, payload);
    r.stream.push_read_bytewise(wire);
    r.read_all();
    const auto frames = r.sent();
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].h.fin);
    CHECK(frames[0].payload == payload);
}

TEST_CASE("--echo: fragments keep their boundaries; a huge frame is cut at echo_fragment") {
    SessionOptions o = echo_options();
    o.echo_fragment = 1000;
    Rig r(o);
    r.deliver(concat({frame(Opcode::text, "abc", false, peer_key),
                      frame(Opcode::continuation, "def", true, peer_key)}));
    auto frames = r.sent();
    REQUIRE(frames.size() == 2);
    CHECK(frames[0].text() == "abc");
    CHECK_FALSE(frames[0].h.fin);
    CHECK(frames[1].h.opcode == Opcode::continuation);
    CHECK(frames[1].text() == "def");
    r.stream.clear_written();
    r.deliver(frame(Opcode::binary, pattern(2500), true, peer_key));
    frames = r.sent();
    REQUIRE(frames.size() == 3);
    CHECK(frames[0].payload.size() == 1000);
    CHECK(frames[2].payload.size() == 500);
    CHECK(frames[2].h.fin);
}

TEST_CASE("large buffers are kept while messages flow and released once the session is idle") {
    SessionOptions o = echo_options();
    Rig r(o);
    r.deliver(frame(Opcode::binary, pattern(600000), true, peer_key));
    REQUIRE(r.sent().size() == 1);
    const std::size_t held = r.session.buffered_bytes();
    CHECK(held >= 600000);  // the next large message reuses them: no allocation per message
    REQUIRE(r.session.next_deadline());
    // Traffic before the deadline: kept, and looked at again later.
    r.time.advance(0.06);
    r.deliver(frame(Opcode::binary, pattern(600000), true, peer_key));
    r.time.advance(0.06);
    r.session.tick();
    CHECK(r.session.buffered_bytes() == held);
    // Quiet for idle_release_after: released, and no deadline is left to wake the loop.
    r.time.advance(0.11);
    r.session.tick();
    CHECK(r.session.buffered_bytes() <= 64 * 1024);
    CHECK_FALSE(r.session.next_deadline());
    CHECK(r.sent().size() == 2);
}

// ======================================================================================
// Options for listen faults
// ======================================================================================

TEST_CASE("reply_to_close off: the client's Close is not answered; its EOF then ends it normally") {
    SessionOptions o = server_options();
    o.reply_to_close = false;
    Rig r(o);
    r.deliver(hex("88 82 37 fa 21 3d 34 12"));  // Close 1000, masked
    CHECK(r.stream.written().empty());
    CHECK_FALSE(r.session.finished());
    r.deliver_eof();
    CHECK(r.session.finished());
    CHECK(r.outcome() == Outcome::normal);
}

TEST_CASE("fragment_size: a message goes out as frames of at most N bytes, pings between on request") {
    SessionOptions o = server_options();
    o.fragment_size = 2;
    Rig r(o);
    r.session.send_message(MessageType::text, proto::as_bytes(std::string_view("Hello")));
    r.session.pump();
    CHECK(r.written_hex() == "01 02 48 65 00 02 6c 6c 80 01 6f");
    CHECK(r.session.stats().messages_out == 1);

    o.fragment_pings = true;
    Rig p(o);
    p.session.send_message(MessageType::binary, hex("01 02 03"));
    p.session.pump();
    CHECK(p.written_hex() ==
          "02 02 01 02 89 11 62 65 74 77 65 65 6e 20 66 72 61 67 6d 65 6e 74 73 80 01 03");
}

TEST_CASE("send_wire: bytes go out as given (a non-minimal length, for testing clients)") {
    Rig r(server_options());
    r.session.send_wire(hex("81 7e 00 02 68 69"));
    r.session.pump();
    CHECK(r.written_hex() == "81 7e 00 02 68 69");
}
