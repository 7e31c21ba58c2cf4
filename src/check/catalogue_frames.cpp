// Groups 2-4: payload lengths at every encoding boundary, ping/pong, reserved bits and opcodes
// (RFC 6455 §5.2, §5.5).
#include "check/catalogue_parts.hpp"

namespace wscope::check::detail {

namespace {

using proto::Bytes;
using proto::Errc;
using proto::Opcode;

// 0, 1, 2, … as bytes: a payload whose every byte is visible in a dump.
Bytes counting(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
    return b;
}

std::string letters(std::size_t n) {
    std::string s(n, 'a');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

std::string length_note(std::size_t n) {
    if (n <= 125) return " (7-bit length)";
    if (n <= 0xFFFF) return " (16-bit length)";
    return " (64-bit length)";
}

}  // namespace

void add_framing_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string rule = "RFC 6455 §5.2";
    const std::size_t lengths[] = {0, 125, 126, 127, 65535, 65536};
    int n = 0;
    for (std::size_t len : lengths) {
        const std::string s = letters(len);
        out.push_back(echo_case("2.1." + std::to_string(++n), "framing",
                                "TEXT of " + std::to_string(len) + " bytes" + length_note(len), rule,
                                {f.text(s)}, {text_message(s)}));
    }
    n = 0;
    for (std::size_t len : lengths) {
        const Bytes b = counting(len);
        out.push_back(echo_case("2.2." + std::to_string(++n), "framing",
                                "BINARY of " + std::to_string(len) + " bytes" + length_note(len),
                                rule, {f.binary(b)}, {binary_message(b)}));
    }
    // One frame written a byte at a time, another with a 16-bit length the same way: the
    // server's parser must wait for the rest (§5.2 says nothing of TCP segments).
    for (std::size_t len : {std::size_t{5}, std::size_t{300}}) {
        const std::string s = letters(len);
        Case c = echo_case("2.3." + std::to_string(len == 5 ? 1 : 2), "framing",
                           "TEXT of " + std::to_string(len) + " bytes written one byte at a time",
                           rule, {}, {text_message(s)});
        c.steps.clear();
        const Bytes frame = f.text(s);
        const std::size_t chopped = len == 5 ? frame.size() : 12;  // the header and a little
        for (std::size_t i = 0; i < chopped; ++i) {
            c.steps.push_back(send(Bytes{frame[i]}));
            c.steps.push_back(pause_ms(2));
        }
        c.steps.push_back(send(Bytes(frame.begin() + static_cast<std::ptrdiff_t>(chopped), frame.end())));
        c.steps.push_back(await_replies(1));
        out.push_back(std::move(c));
    }
    {
        std::vector<Bytes> frames;
        std::vector<Message> expected;
        for (int i = 0; i < 20; ++i) {
            const std::string s = "message " + std::to_string(i);
            frames.push_back(f.text(s));
            expected.push_back(text_message(s));
        }
        Bytes all;
        for (const Bytes& b : frames) all.insert(all.end(), b.begin(), b.end());
        out.push_back(echo_case("2.3.3", "framing", "20 messages in one write", rule, {all},
                                std::move(expected)));
    }
}

void add_ping_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string rule = "RFC 6455 §5.5.2";
    const auto ping_case = [&](std::string id, std::string title, std::vector<Bytes> payloads,
                               bool lenient = false) {
        Case c = make_case(std::move(id), "ping", title, rule);
        for (const Bytes& p : payloads) c.steps.push_back(send(f.ping(p)));
        // A server may skip pings that a Close follows (§5.5.2), so ours waits; with several
        // pings, the first pong and a moment for the rest.
        c.steps.push_back(await_replies(lenient ? 1 : payloads.size()));
        if (lenient) c.steps.push_back(pause_ms(200));
        c.evaluate = expect_pongs(std::move(payloads), std::move(title), lenient);
        return c;
    };
    out.push_back(ping_case("3.1.1", "PING with an empty payload", {Bytes{}}));
    out.push_back(ping_case("3.1.2", "PING with 125 bytes of text", {to_bytes(letters(125))}));
    out.push_back(ping_case("3.1.3", "PING with 125 binary bytes", {counting(125)}));
    {
        std::vector<Bytes> ten;
        for (int i = 0; i < 10; ++i) ten.push_back(to_bytes("ping " + std::to_string(i)));
        out.push_back(ping_case("3.1.4", "10 PINGs in a row", std::move(ten), true));
    }
    {
        Case c = ping_case("3.1.5", "unsolicited PONG, then a PING", {to_bytes("real")});
        c.steps.insert(c.steps.begin(), send(f.pong(to_bytes("unsolicited"))));
        c.rule = "RFC 6455 §5.5.3";
        out.push_back(std::move(c));
    }
    {
        Case c = ping_case("3.1.6", "PING written one byte at a time", {to_bytes("slow")});
        const Bytes frame = f.ping(to_bytes("slow"));
        c.steps.clear();
        for (std::uint8_t b : frame) {
            c.steps.push_back(send(Bytes{b}));
            c.steps.push_back(pause_ms(2));
        }
        c.steps.push_back(await_replies(1));
        out.push_back(std::move(c));
    }
    out.push_back(violation_case("3.2.1", "ping", "PING with 126 bytes", Errc::control_too_long,
                                 {f.ping(counting(126))}, f));
    out.push_back(violation_case("3.2.2", "ping", "PONG with 126 bytes", Errc::control_too_long,
                                 {f.pong(counting(126))}, f));
    out.push_back(violation_case("3.2.3", "ping", "CLOSE with 126 bytes", Errc::control_too_long,
                                 {f.close(1000, to_bytes(letters(124)))}, f));
}

void add_reserved_cases(std::vector<Case>& out, FrameMaker& f) {
    const Bytes hello = to_bytes("hello");
    const std::pair<std::uint8_t, const char*> bits[] = {
        {proto::rsv1, "RSV1"}, {proto::rsv2, "RSV2"}, {proto::rsv3, "RSV3"},
        {proto::rsv1 | proto::rsv2 | proto::rsv3, "RSV1-3"}};
    int n = 0;
    for (auto [rsv, name] : bits)
        out.push_back(violation_case("4.1." + std::to_string(++n), "reserved",
                                     std::string(name) + " on a TEXT frame", Errc::reserved_bits,
                                     {f.frame(Opcode::text, hello, true, rsv)}, f));
    out.push_back(violation_case("4.1.5", "reserved", "RSV2 on a PING", Errc::reserved_bits,
                                 {f.frame(Opcode::ping, hello, true, proto::rsv2)}, f));
    out.push_back(violation_case("4.1.6", "reserved", "RSV1 on a BINARY frame", Errc::reserved_bits,
                                 {f.frame(Opcode::binary, hello, true, proto::rsv1)}, f));
    out.push_back(violation_case("4.1.7", "reserved", "RSV3 on a continuation frame",
                                 Errc::reserved_bits,
                                 {f.text("hel", false), f.frame(Opcode::continuation, to_bytes("lo"), true, proto::rsv3)},
                                 f));
    n = 0;
    for (std::uint8_t op : {3, 4, 5, 6, 7})
        out.push_back(violation_case("4.2." + std::to_string(++n), "reserved",
                                     "reserved data opcode 0x" + std::to_string(op),
                                     Errc::reserved_opcode,
                                     {f.frame(static_cast<Opcode>(op), hello)}, f));
    n = 0;
    for (std::uint8_t op : {0xB, 0xC, 0xD, 0xE, 0xF}) {
        const char hex[] = {'0', 'x', static_cast<char>('A' + (op - 0xA)), 0};
        out.push_back(violation_case("4.3." + std::to_string(++n), "reserved",
                                     std::string("reserved control opcode ") + hex,
                                     Errc::reserved_opcode,
                                     {f.frame(static_cast<Opcode>(op), hello)}, f));
    }
}

}  // namespace wscope::check::detail
