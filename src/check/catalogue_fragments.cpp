// Groups 5 and 6: fragmentation with control frames in between (RFC 6455 §5.4), and UTF-8 in
// text messages, whole and split across fragments at every byte (§5.6, §8.1).
#include "check/catalogue_parts.hpp"

#include <iomanip>
#include <sstream>

namespace wscope::check::detail {

namespace {

using proto::Bytes;
using proto::Errc;
using proto::Opcode;

// A message as fragments of the given sizes (the last takes the rest).
std::vector<Bytes> fragments(FrameMaker& f, Opcode op, const Bytes& data, std::size_t piece) {
    std::vector<Bytes> out;
    std::size_t at = 0;
    do {
        const std::size_t n = std::min(piece, data.size() - at);
        const Bytes part(data.begin() + static_cast<std::ptrdiff_t>(at),
                         data.begin() + static_cast<std::ptrdiff_t>(at + n));
        at += n;
        out.push_back(f.frame(out.empty() ? op : Opcode::continuation, part, at == data.size()));
    } while (at < data.size());
    return out;
}

std::string hex_of(const Bytes& b) {
    std::ostringstream s;
    for (std::size_t i = 0; i < b.size(); ++i)
        s << (i ? " " : "") << std::uppercase << std::hex << std::setw(2) << std::setfill('0')
          << static_cast<unsigned>(b[i]);
    return s.str();
}

Bytes from_hex(std::string_view text) {
    Bytes out;
    for (std::size_t i = 0; i < text.size(); i += 3)
        out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

}  // namespace

void add_fragmentation_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string rule = "RFC 6455 §5.4";
    const std::string g = "fragmentation";
    out.push_back(echo_case("5.1.1", g, "TEXT in 2 fragments", rule,
                            {f.text("Hello, ", false), f.cont(to_bytes("world"), true)},
                            {text_message("Hello, world")}));
    out.push_back(echo_case("5.1.2", g, "BINARY in 3 fragments", rule,
                            {f.binary(Bytes{1, 2}, false), f.cont(Bytes{3}, false), f.cont(Bytes{4, 5}, true)},
                            {binary_message(Bytes{1, 2, 3, 4, 5})}));
    out.push_back(echo_case("5.1.3", g, "TEXT in 1-byte fragments", rule,
                            fragments(f, Opcode::text, to_bytes("fragmented!"), 1),
                            {text_message("fragmented!")}));
    out.push_back(echo_case("5.1.4", g, "an empty TEXT in 3 empty fragments", rule,
                            {f.text("", false), f.cont({}, false), f.cont({}, true)},
                            {text_message("")}));
    out.push_back(echo_case("5.2.1", g, "a PING between two fragments", rule,
                            {f.text("fragment ", false), f.ping(to_bytes("between")), f.cont(to_bytes("two"), true)},
                            {text_message("fragment two")}, {to_bytes("between")}));
    out.push_back(echo_case("5.2.2", g, "a PING between every fragment", rule,
                            {f.text("a", false), f.ping(to_bytes("1")), f.cont(to_bytes("b"), false),
                             f.ping(to_bytes("2")), f.cont(to_bytes("c"), false), f.ping(to_bytes("3")),
                             f.cont(to_bytes("d"), true)},
                            {text_message("abcd")},
                            {to_bytes("1"), to_bytes("2"), to_bytes("3")}));
    out.push_back(echo_case("5.2.3", g, "an unsolicited PONG between fragments", rule,
                            {f.binary(Bytes{9}, false), f.pong(to_bytes("unsolicited")), f.cont(Bytes{8}, true)},
                            {binary_message(Bytes{9, 8})}));
    {
        // Without an echo: the ping must be answered while the message is still open.
        Case c = make_case("5.2.4", g, "a PING while a fragmented message is open", rule);
        c.steps = {send(f.text("open", false)), send(f.ping(to_bytes("mid"))), await_replies(1)};
        c.evaluate = expect_pongs({to_bytes("mid")}, c.title);
        out.push_back(std::move(c));
    }
    out.push_back(violation_case("5.3.1", g, "a continuation frame with no message open",
                                 Errc::unexpected_continuation, {f.cont(to_bytes("orphan"), true)}, f));
    out.push_back(violation_case("5.3.2", g, "a continuation frame after a complete message",
                                 Errc::unexpected_continuation,
                                 {f.text("complete"), f.cont(to_bytes("orphan"), true)}, f, 1));
    out.push_back(violation_case("5.3.3", g, "a new TEXT frame while a message is open",
                                 Errc::expected_continuation,
                                 {f.text("first ", false), f.text("second")}, f));
    out.push_back(violation_case("5.3.4", g, "a BINARY frame while a TEXT message is open",
                                 Errc::expected_continuation,
                                 {f.text("first ", false), f.binary(Bytes{1})}, f));
    out.push_back(violation_case("5.4.1", g, "a fragmented PING", Errc::control_fragmented,
                                 {f.frame(Opcode::ping, to_bytes("frag"), false), f.cont(to_bytes("ment"), true)}, f));
    out.push_back(violation_case("5.4.2", g, "a fragmented PONG", Errc::control_fragmented,
                                 {f.frame(Opcode::pong, to_bytes("frag"), false), f.cont(to_bytes("ment"), true)}, f));
    out.push_back(violation_case("5.4.3", g, "a fragmented CLOSE", Errc::control_fragmented,
                                 {f.frame(Opcode::close, Bytes{0x03, 0xE8}, false), f.cont({}, true)}, f));
}

void add_utf8_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string rule = "RFC 6455 §8.1";
    const std::string g = "utf8";
    const std::pair<const char*, const char*> valid[] = {
        {"ASCII", "Hello, world"},
        {"2-byte sequences (κόσμε)", "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"},
        {"3-byte sequences (€, 中文)", "\xE2\x82\xAC \xE4\xB8\xAD\xE6\x96\x87"},
        {"4-byte sequences (😀, U+10FFFF)", "\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"},
        {"each length's first and last code point",
         "\x7F \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80"},
        {"around the surrogates (U+D7FF, U+E000), U+FFFD and a BOM",
         "\xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBD \xEF\xBB\xBF"},
    };
    int n = 0;
    for (auto [name, text] : valid)
        out.push_back(echo_case("6.1." + std::to_string(++n), g, std::string("valid UTF-8: ") + name,
                                rule, {f.text(text)}, {text_message(text)}));
    const std::string mixed = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 \xF0\x9F\x98\x80 \xE2\x82\xAC!";
    out.push_back(echo_case("6.2.1", g, "valid UTF-8 in 1-byte fragments", rule,
                            fragments(f, Opcode::text, to_bytes(mixed), 1), {text_message(mixed)}));
    {
        // The same text as two fragments, once for every split point.
        std::vector<Bytes> frames;
        std::vector<Message> expected;
        for (std::size_t at = 1; at < mixed.size(); ++at) {
            frames.push_back(f.text(mixed.substr(0, at), false));
            frames.push_back(f.cont(to_bytes(mixed.substr(at)), true));
            expected.push_back(text_message(mixed));
        }
        out.push_back(echo_case("6.2.2", g, "valid UTF-8 in 2 fragments, split at every byte",
                                rule, std::move(frames), std::move(expected)));
    }
    const std::pair<const char*, const char*> invalid[] = {
        {"80", "a lone continuation byte"},
        {"BF", "a lone continuation byte"},
        {"C0 80", "an overlong NUL"},
        {"C1 BF", "an overlong 2-byte form"},
        {"E0 80 AF", "an overlong 3-byte form"},
        {"F0 80 80 AF", "an overlong 4-byte form"},
        {"ED A0 80", "the surrogate U+D800"},
        {"ED BF BF", "the surrogate U+DFFF"},
        {"F4 90 80 80", "a code point above U+10FFFF"},
        {"F5 80 80 80", "the byte F5"},
        {"F8 88 80 80 80", "a 5-byte form"},
        {"FE", "the byte FE"},
        {"FF", "the byte FF"},
        {"C2 41", "a missing continuation byte"},
        {"CE", "a 2-byte sequence cut at the end"},
        {"E2 82", "a 3-byte sequence cut at the end"},
        {"F0 9F 98", "a 4-byte sequence cut at the end"},
        {"CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64", "a surrogate after valid text"},
    };
    n = 0;
    for (auto [hex, what] : invalid) {
        ++n;
        const Bytes bad = from_hex(hex);
        const std::string shown = hex_of(bad).size() > 14 ? what : std::string(what) + ", " + hex;
        out.push_back(violation_case("6.3." + std::to_string(n), g,
                                     "invalid UTF-8 (" + shown + ")", Errc::invalid_utf8,
                                     {f.frame(Opcode::text, bad)}, f));
        out.push_back(violation_case("6.4." + std::to_string(n), g,
                                     "invalid UTF-8 in 1-byte fragments (" + shown + ")",
                                     Errc::invalid_utf8, fragments(f, Opcode::text, bad, 1), f));
    }
}

}  // namespace wscope::check::detail
