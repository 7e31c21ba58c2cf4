// Console escaping: what the peer controls never steers the terminal. Every peer-controlled
// field (a close reason, a header value, a subprotocol name, a redirect URL, a message shown
// in the REPL or in listen mode's log lines, a frame preview) goes through display_text /
// quoted (present/quoted_text.hpp) or close_text (present/describe.hpp), and the console's
// terminal_safe is the last guard before a terminal. Each hostile sample below is fed to each
// of them; the output must be safe, and the escapes are checked exactly.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/console.hpp"
#include "present/describe.hpp"
#include "present/frame_line.hpp"
#include "present/quoted_text.hpp"
#include "present/utf8_step.hpp"

namespace wscope::app {
namespace {

using namespace std::string_literals;

// What may reach a terminal: valid UTF-8 without C0 controls (but newline and tab when
// allowed), DEL, C1 controls or bidirectional formatting marks. ESC only as an SGR colour
// sequence when `sgr_ok`.
std::string unsafe_part(std::string_view text, bool newline_ok, bool sgr_ok = false) {
    const proto::ByteView data = proto::as_bytes(text);
    for (std::size_t i = 0; i < data.size();) {
        const auto step = present::utf8_step(data, i);
        if (step.kind != present::Utf8Step::Kind::ok) return "bad UTF-8 at " + std::to_string(i);
        const char32_t cp = step.code_point;
        if (cp == 0x1b && sgr_ok) {
            std::size_t j = i + 2;
            if (i + 1 < data.size() && data[i + 1] == '[') {
                while (j < data.size() && ((data[j] >= '0' && data[j] <= '9') || data[j] == ';'))
                    ++j;
                if (j < data.size() && data[j] == 'm') {
                    i = j + 1;
                    continue;
                }
            }
            return "ESC at " + std::to_string(i);
        }
        const bool allowed_control = newline_ok && (cp == '\n' || cp == '\t');
        if ((cp < 0x20 && !allowed_control) || cp == 0x7f) return "control at " + std::to_string(i);
        if (cp >= 0x80 && cp <= 0x9f) return "C1 at " + std::to_string(i);
        if (cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return "bidi mark at " + std::to_string(i);
        i += step.len;
    }
    return {};
}

// What a hostile peer puts in a reason, a header, a name, a URL or a message.
const std::vector<std::string> hostile = {
    "\x1b]0;owned\x07",    // OSC: retitles the terminal, ended by BEL
    "\x1b]0;owned\x1b\\",  // the same, ended by ST
    "\x1b[2J\x1b[H",       // CSI: clears the screen
    "\x1b[31mred",         // SGR from the peer: not ours, so not kept
    "a\rb",                // CR: overwrites the line
    "\x08\x08\x08xx",      // backspaces
    "\x07",                // BEL
    "\x7f",                // DEL
    "\0nul"s,              // NUL
    "\xc2\x9b"
    "2J",  // CSI as a C1 control (U+009B)
    "\xc2\x9d"
    "0;t\xc2\x9c",  // OSC … ST as C1 controls
    "\x9b"
    "2J",                // CSI as a lone 8-bit byte (not UTF-8)
    "\xff\xfe",          // bytes that are never UTF-8
    "\xc0\xaf",          // an overlong "/"
    "\xed\xa0\x80",      // a surrogate
    "\xf4\x90\x80\x80",  // above U+10FFFF
    "\xe2\x82",          // a sequence cut short
    "abc\xe2\x80\xae"
    "cba",  // U+202E RIGHT-TO-LEFT OVERRIDE
    "\xe2\x81\xa6"
    "x\xe2\x81\xa9",         // U+2066 … U+2069 isolates
    "\xe2\x80\x8f",          // U+200F RIGHT-TO-LEFT MARK
    "line\xe2\x80\xa8next",  // U+2028 LINE SEPARATOR
};

}  // namespace

TEST_CASE("display_text: every hostile sample comes out safe, on one line") {
    for (const std::string& s : hostile) {
        INFO(doctest::toString(s));
        CHECK(unsafe_part(present::display_text(s), false) == "");
        CHECK(unsafe_part(present::display_text(s + "\n" + s), false) == "");
        std::string shown;
        present::append_display_text(shown, proto::as_bytes(s + "\n" + s), "\n  ");
        CHECK(unsafe_part(shown, true) == "");
    }
}

TEST_CASE("display_text: the escapes") {
    CHECK(present::display_text("\x1b]0;x\x07") == "\\x1b]0;x\\x07");
    CHECK(present::display_text("\x1b[2J") == "\\x1b[2J");
    CHECK(present::display_text("a\rb\tc\nd") == "a\\rb\\tc\\nd");
    CHECK(present::display_text("\0\x7f"s) == "\\x00\\x7f");
    CHECK(present::display_text("\xc2\x9b") == "\\u009b");
    CHECK(present::display_text("\xc2\x85") == "\\u0085");
    CHECK(present::display_text("\x9b") == "\\x9b");
    CHECK(present::display_text("\xff") == "\\xff");
    CHECK(present::display_text("\xc0\xaf") == "\\xc0\\xaf");
    CHECK(present::display_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");
    CHECK(present::display_text("\xe2\x82") == "\\xe2\\x82");
    CHECK(present::display_text("\xe2\x80\xae") == "\\u202e");
    CHECK(present::display_text("\xe2\x81\xa6\xe2\x81\xa9") == "\\u2066\\u2069");
    CHECK(present::display_text("\xe2\x80\x8e\xe2\x80\x8f") == "\\u200e\\u200f");
    // What is not dangerous is shown as it is: quotes, backslashes, non-ASCII text.
    CHECK(present::display_text("say \"hi\" \\o/") == "say \"hi\" \\o/");
    CHECK(present::display_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    // The REPL indents continuation lines of a message under its mark.
    std::string repl;
    present::append_display_text(repl, proto::as_bytes("one\ntwo\x1b[H"), "\n  ");
    CHECK(repl == "one\n  two\\x1b[H");
}

TEST_CASE("quoted: every hostile sample comes out safe, between quotes") {
    for (const std::string& s : hostile) {
        INFO(doctest::toString(s));
        const std::string q = present::quoted(s);
        CHECK(unsafe_part(q, false) == "");
        REQUIRE(q.size() >= 2);
        CHECK(q.front() == '"');
        CHECK(q.back() == '"');
    }
    CHECK(present::quoted("\x1b]0;x\x07\"\\\n") == "\"\\x1b]0;x\\x07\\\"\\\\\\n\"");
    CHECK(present::quoted("\xc2\x9b\xe2\x80\xae\x9b") == "\"\\u009b\\u202e\\x9b\"");
}

TEST_CASE("quoted: the width bound never cuts an escape in half") {
    const std::string q = present::quoted(
        "ab\x1b"
        "cd",
        4);
    CHECK(q == "\"ab\"");  // "\x1b" is 4 columns: it does not fit after "ab"
    CHECK(present::quoted("\xe2\x80\xae", 5) == "\"\"");
    CHECK(present::quoted("\xe2\x80\xae", 6) == "\"\\u202e\"");
}

TEST_CASE("close_text: a peer's close reason is escaped, whatever it holds") {
    for (const std::string& s : hostile) {
        INFO(doctest::toString(s));
        CHECK(unsafe_part(present::close_text(1000, s), false) == "");
        CHECK(unsafe_part(present::close_text(4000, s), false) == "");
    }
    CHECK(present::close_text(1000, "\x1b]0;x\x07") == "1000 (normal) \"\\x1b]0;x\\x07\"");
    CHECK(present::close_text(1001) == "1001 (going away)");
    CHECK(present::close_text(std::nullopt) == "no status code");
}

TEST_CASE("frame lines: a text, ping or close payload from the peer is escaped") {
    for (const std::string& s : hostile) {
        INFO(doctest::toString(s));
        for (const proto::Opcode op :
             {proto::Opcode::text, proto::Opcode::ping, proto::Opcode::pong}) {
            present::FrameInfo f;
            f.header.opcode = op;
            f.header.payload_len = s.size();
            f.payload = proto::as_bytes(s);
            f.message_type = proto::MessageType::text;
            CHECK(unsafe_part(present::frame_line(f), false) == "");
        }
        const std::string body = "\x03\xe8"s + s;  // 1000 and the reason
        present::FrameInfo close;
        close.header.opcode = proto::Opcode::close;
        close.header.payload_len = body.size();
        close.payload = proto::as_bytes(body);
        CHECK(unsafe_part(present::frame_line(close), false) == "");
    }
}

TEST_CASE("terminal_safe: only our own colour sequences survive") {
    CHECK(terminal_safe("\x1b]0;x\x07") == "^[]0;x^G");
    CHECK(terminal_safe("\x1b[2J") == "^[[2J");
    CHECK(terminal_safe("\x1b[H") == "^[[H");
    CHECK(terminal_safe("\x1b[31;1mred\x1b[0m\x1b[m") == "\x1b[31;1mred\x1b[0m\x1b[m");
    CHECK(terminal_safe("a\rb") == "a^Mb");
    CHECK(terminal_safe("a\r\nb\n\tc") == "a\nb\n\tc");
    CHECK(terminal_safe("\0\x08\x7f"s) == "^@^H^?");
    CHECK(terminal_safe("\xc2\x9b"
                        "2J") == "\\u009b2J");
    CHECK(terminal_safe("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
}

TEST_CASE("terminal_safe: a lone C1 byte (8-bit CSI, not UTF-8) is not passed to the terminal") {
    // A terminal set to 8-bit controls reads 0x9b as CSI; within a UTF-8 sequence the same
    // byte value is a continuation byte and harmless.
    CHECK(terminal_safe("\x9b"
                        "2J") == "\\x9b2J");
    CHECK(terminal_safe("\x85x\x9d") == "\\x85x\\x9d");
    CHECK(terminal_safe("\xe2\x82\xac") == "\xe2\x82\xac");  // U+20AC: 0x82 continues it
    CHECK(terminal_safe("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
}

TEST_CASE("terminal_safe after display_text: the hostile samples, as the console writes them") {
    for (const std::string& s : hostile) {
        INFO(doctest::toString(s));
        CHECK(unsafe_part(terminal_safe(present::display_text(s)), false, true) == "");
        // terminal_safe alone keeps newlines and tabs and valid UTF-8 text; it must still
        // never pass a control byte.
        const std::string raw = terminal_safe(s);
        for (const char c : raw) {
            const auto b = static_cast<unsigned char>(c);
            CHECK_FALSE(((b < 0x20 && b != '\n' && b != '\t' && b != 0x1b) || b == 0x7f));
        }
        CHECK(raw.find("\x1b]") == std::string::npos);
        CHECK(raw.find("\xc2\x9b") == std::string::npos);
    }
}

}  // namespace wscope::app
