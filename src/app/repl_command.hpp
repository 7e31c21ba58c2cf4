// What a line typed at the REPL prompt asks for. Pure: a line in, an Action out — no I/O, no
// readline, no session. The REPL front ends (repl.cpp) carry the actions out.
//
//   hello          a text message ("hello")
//   //hello        the text message "/hello" (a leading "//" escapes the slash)
//   /ping [TEXT]   and every other command below, by name (case-insensitive)
//   (empty line)   nothing
//
// A malformed command gives Invalid, with its usage line: nothing is ever sent for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/frame.hpp"

namespace wscope::app::repl {

// Which end the REPL runs on: the listen side has commands to choose clients.
enum class Side : std::uint8_t { client, server };

struct Nothing {};
struct SendText {
    std::string text;
};
struct SendBinary {
    proto::Bytes data;
};
struct SendFile {
    std::string path;  // as typed (the front end expands a leading "~/")
    bool binary = false;
};
// TEXT cut into `frames` frames: a TEXT frame, then frames - 1 continuations.
struct SendFragments {
    std::size_t frames = 1;
    std::string text;
};
struct SendPing {
    std::string payload;
};
struct SendPong {
    std::string payload;
};
struct Close {
    std::uint16_t code = 1000;
    std::string reason;
};
// /frame's mask= field: none given (masked in the client, as RFC 6455 §5.1 has it, unmasked
// in the server), off, on (a fresh random key), or the key given in header.mask.
enum class FrameMask : std::uint8_t { automatic, off, random, key };
// One frame sent exactly as described, no rule checked. header.payload_len is the length the
// header claims (len=N), which may differ from payload.size().
struct SendFrame {
    proto::FrameHeader header{};
    proto::Bytes payload;
    FrameMask mask = FrameMask::automatic;
};
struct ShowStats {};
struct ShowHelp {};
struct Quit {};
// Listen side: /to ID, /to all (client empty).
struct ChooseTarget {
    std::optional<unsigned> client;
};
struct ListClients {};
// Listen side: /fault ID SPEC (a listen --fault applied to one connected client, live).
struct InjectFault {
    unsigned client = 0;
    std::string spec;
};
struct Invalid {
    std::string message;  // what is wrong (for an unknown command, with a hint to /help)
    std::string usage;    // the command's usage line; empty for an unknown command
};

using Action =
    std::variant<Nothing, SendText, SendBinary, SendFile, SendFragments, SendPing, SendPong, Close,
                 SendFrame, ShowStats, ShowHelp, Quit, ChooseTarget, ListClients, InjectFault, Invalid>;

// Limits with their reasons.
// Control frames carry at most 125 payload bytes (RFC 6455 §5.5).
inline constexpr std::size_t max_ping_payload = 125;
// /fragment: enough for any test of fragmentation, small enough not to flood by a typo.
inline constexpr std::size_t max_fragments = 4096;

[[nodiscard]] Action parse_line(std::string_view line, Side side);

// "48 65 6c6c 6f", "48:65:6c", "0x48 0x65,0x6c" → bytes. Whitespace, ':' and ',' separate
// groups; each group is an even number of hex digits (either case), optionally after 0x (then
// one digit is a byte too). Empty text gives no bytes; anything else malformed gives nullopt.
[[nodiscard]] std::optional<proto::Bytes> parse_hex(std::string_view text);

// The command names ("/binary", "/close", …) available on a side, sorted.
[[nodiscard]] std::vector<std::string> command_names(Side side);

// The /help text: one usage line and summary per command, then the keys; '\n'-terminated lines.
[[nodiscard]] std::string help_text(Side side);

// Tab completion for the word being typed. before: the line up to the word; word: its text
// so far. files: let readline complete a file name instead (/file).
struct Completion {
    std::vector<std::string> words;
    bool files = false;
    bool append_space = true;  // after a unique match
};
[[nodiscard]] Completion complete(std::string_view before, std::string_view word, Side side);

}  // namespace wscope::app::repl
