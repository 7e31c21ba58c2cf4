// The probe and the evaluators, driven by byte tables: a real case from the catalogue, the
// server's answer as bytes (fed whole and split at every offset), and the verdict expected.
#include "check/probe.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "check/catalogue.hpp"
#include "check/expect.hpp"
#include "support/hex.hpp"

using namespace wscope;
using check::Grade;
using test::Bytes;
using test::hex;

namespace {

// RFC 6455 §1.3's sample key and its accept value.
const std::string sample_key = "dGhlIHNhbXBsZSBub25jZQ==";
const std::string upgrade =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

enum class Ending { eof, expire, none };

struct Played {
    check::Observation obs;
    check::Verdict verdict;
};

const std::vector<check::Case>& cases() {
    static crypto::FixedMaskSource masks({1, 2, 3, 4});
    static const std::vector<check::Case> all = check::catalogue(masks);
    return all;
}

const check::Case& find(const std::string& id) {
    const auto& all = cases();
    auto it = std::find_if(all.begin(), all.end(), [&](const check::Case& c) { return c.id == id; });
    REQUIRE(it != all.end());
    return *it;
}

// Plays the case: everything we write is taken at once, then the server's bytes arrive in
// the given pieces, then the ending.
Played play(const check::Case& c, const std::vector<Bytes>& pieces, Ending ending,
            const std::string& head = upgrade) {
    crypto::FixedMaskSource masks({9, 9, 9, 9});
    auto now = std::chrono::steady_clock::time_point{};
    check::Probe p(c, {"127.0.0.1:9", "/"}, masks, sample_key, true, now);
    const auto flush = [&] {
        for (int i = 0; i < 10000 && !p.done(); ++i) {
            p.wrote(p.output().size(), now);
            now += std::chrono::milliseconds(5);
            p.on_time(now);
            if (p.output().empty() && !p.wake_at()) break;
        }
    };
    flush();
    p.on_input(proto::ByteView(reinterpret_cast<const std::uint8_t*>(head.data()), head.size()), now);
    flush();
    for (const Bytes& b : pieces) {
        p.on_input(b, now);
        flush();
    }
    if (ending == Ending::eof) p.on_eof(now);
    if (ending == Ending::expire) p.expire(now);
    return {p.observation(), c.evaluate(p.observation())};
}

// The same answer split in two at every offset gives the same verdict.
Played play_split(const check::Case& c, const Bytes& server, Ending ending) {
    const Played whole = play(c, {server}, ending);
    for (std::size_t at = 1; at < server.size(); ++at) {
        const Played split = play(c, {Bytes(server.begin(), server.begin() + static_cast<std::ptrdiff_t>(at)),
                                      Bytes(server.begin() + static_cast<std::ptrdiff_t>(at), server.end())},
                                  ending);
        CAPTURE(at);
        CHECK(split.verdict.grade == whole.verdict.grade);
        CHECK(split.verdict.reason == whole.verdict.reason);
    }
    return whole;
}

}  // namespace

TEST_CASE("a violation case: the server's answer decides the verdict") {
    const check::Case& c = find("6.3.3");  // invalid UTF-8 C0 80 in one frame
    REQUIRE(c.title.find("C0 80") != std::string::npos);
    struct Row {
        const char* server;
        Ending ending;
        Grade grade;
        const char* reason;
    } rows[] = {
        {"88 02 03 ef", Ending::eof, Grade::pass, "refused with Close 1007 (invalid payload data)"},
        {"81 02 c0 80", Ending::none, Grade::fail, "was echoed; expected Close 1007"},
        {"88 02 03 e8", Ending::eof, Grade::fail, "was answered with Close 1000 (normal); expected Close 1007"},
        {"88 02 03 ea", Ending::eof, Grade::fail, "was answered with Close 1002 (protocol error); expected Close 1007"},
        {"88 00", Ending::eof, Grade::non_strict, "refused with a Close without a code"},
        {"", Ending::eof, Grade::non_strict, "refused by dropping TCP without a Close"},
        {"", Ending::expire, Grade::fail, "was ignored: no Close before the timeout"},
        {"8a 05 61 66 74 65 72", Ending::none, Grade::fail, "was accepted: the server answered with a PONG of 5 bytes"},
        {"88 82 00 00 00 00 03 ef", Ending::eof, Grade::fail, "server frame is masked"},
    };
    for (const Row& r : rows) {
        const std::string server = r.server;
        CAPTURE(server);
        const Played p = play_split(c, hex(r.server), r.ending);
        CAPTURE(p.verdict.reason);
        CHECK(p.verdict.grade == r.grade);
        CHECK(p.verdict.reason.find(r.reason) != std::string::npos);
    }
}

TEST_CASE("an echo case: the same bytes back, then the Close reply") {
    const check::Case& c = find("5.1.1");  // "Hello, " + "world" in two fragments
    const Bytes echo = hex("81 0c 48 65 6c 6c 6f 2c 20 77 6f 72 6c 64");
    Bytes good = echo;
    const Bytes close = hex("88 02 03 e8");
    good.insert(good.end(), close.begin(), close.end());
    CHECK(play_split(c, good, Ending::eof).verdict.grade == Grade::pass);

    Bytes other = hex("81 05 48 65 6c 6c 6f 88 02 03 e8");
    const Played wrong = play(c, {other}, Ending::eof);
    CHECK(wrong.verdict.grade == Grade::fail);
    CHECK(wrong.verdict.reason.find("echo 1 differs") != std::string::npos);

    const Played too_big = play(c, {hex("88 02 03 f1")}, Ending::eof);
    CHECK(too_big.verdict.grade == Grade::non_strict);

    const Played no_reply = play(c, {echo}, Ending::eof);
    CHECK(no_reply.verdict.grade == Grade::fail);
    CHECK(no_reply.verdict.reason.find("our Close got no Close in reply") != std::string::npos);
}

TEST_CASE("the probe sends the case's frames after the handshake, and Close 1000 at the end") {
    const check::Case& c = find("3.1.1");  // ping with an empty payload
    crypto::FixedMaskSource masks({9, 9, 9, 9});
    const auto t0 = std::chrono::steady_clock::time_point{};
    check::Probe p(c, {"h:1", "/x"}, masks, sample_key, false, t0);
    const std::string request(p.output().begin(), p.output().end());
    CHECK(request.rfind("GET /x HTTP/1.1\r\n", 0) == 0);
    CHECK(request.find("Sec-WebSocket-Key: " + sample_key + "\r\n") != std::string::npos);
    p.wrote(p.output().size(), t0);
    CHECK(p.output().empty());
    p.on_input(proto::ByteView(reinterpret_cast<const std::uint8_t*>(upgrade.data()), upgrade.size()), t0);
    CHECK(Bytes(p.output().begin(), p.output().end()) == hex("89 80 01 02 03 04"));  // the catalogue's key
    p.wrote(p.output().size(), t0);
    CHECK(p.output().empty());  // waits for the pong
    p.on_input(hex("8a 00"), t0);
    CHECK(Bytes(p.output().begin(), p.output().end()) == hex("88 82 09 09 09 09 0a e1"));
}

TEST_CASE("handshake evaluators") {
    const auto accepted = [](const check::Case& c, const std::string& head) {
        return play(c, {}, Ending::eof, head).verdict;
    };
    CHECK(accepted(find("1.1.1"), upgrade).grade == Grade::pass);
    std::string wrong = upgrade;
    wrong.replace(wrong.find("s3pP"), 4, "AAAA");
    const auto bad = accepted(find("1.1.1"), wrong);
    CHECK(bad.grade == Grade::fail);
    CHECK(bad.reason.find("Sec-WebSocket-Accept") != std::string::npos);

    const check::Case& version = find("1.2.1");
    CHECK(accepted(version, "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n").grade == Grade::pass);
    CHECK(accepted(version, "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13, 8\r\n\r\n").grade == Grade::pass);
    CHECK(accepted(version, "HTTP/1.1 400 Bad Request\r\n\r\n").grade == Grade::fail);
    CHECK(accepted(version, upgrade).grade == Grade::fail);

    const check::Case& key = find("1.2.4");
    CHECK(accepted(key, "HTTP/1.1 400 Bad Request\r\n\r\n").grade == Grade::pass);
    CHECK(accepted(key, "HTTP/1.1 500 Oops\r\n\r\n").grade == Grade::non_strict);
    CHECK(accepted(key, upgrade).grade == Grade::fail);
}

TEST_CASE("pings: one pong each, or only the last (non-strict)") {
    const check::Case& c = find("3.1.4");  // 10 pings
    Bytes all;
    for (int i = 0; i < 10; ++i) {
        const Bytes pong = hex("8a 06 70 69 6e 67 20 3" + std::to_string(i));
        all.insert(all.end(), pong.begin(), pong.end());
    }
    const Bytes close = hex("88 02 03 e8");
    Bytes good = all;
    good.insert(good.end(), close.begin(), close.end());
    CHECK(play(c, {good}, Ending::eof).verdict.grade == Grade::pass);
    Bytes last = hex("8a 06 70 69 6e 67 20 39");
    last.insert(last.end(), close.begin(), close.end());
    CHECK(play(c, {last}, Ending::eof).verdict.grade == Grade::non_strict);
    CHECK(play(c, {close}, Ending::eof).verdict.grade == Grade::fail);
}
