// Parsing REPL lines into actions, one small parser per command, all listed in one table.
#include "app/repl_command.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "proto/close_code.hpp"
#include "proto/opcode.hpp"
#include "proto/utf8.hpp"

namespace wscope::app::repl {
namespace {

constexpr std::string_view blanks = " \t";

std::string_view trim_left(std::string_view s) {
    const auto i = s.find_first_not_of(blanks);
    return i == std::string_view::npos ? std::string_view{} : s.substr(i);
}

std::string_view trim(std::string_view s) {
    s = trim_left(s);
    const auto i = s.find_last_not_of(blanks);
    return i == std::string_view::npos ? std::string_view{} : s.substr(0, i + 1);
}

// The next blank-separated word of rest; rest is left just after it.
std::string_view next_word(std::string_view& rest) {
    rest = trim_left(rest);
    const auto end = std::min(rest.find_first_of(blanks), rest.size());
    const std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end);
    return word;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == prefix;
}

// A decimal number with no sign, no blanks, nothing after it.
template <typename T>
std::optional<T> parse_number(std::string_view s) {
    T value{};
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_utf8(std::string_view s) {
    return proto::is_valid_utf8(proto::as_bytes(s));
}

// ---------------------------------------------------------------------------- the commands

struct Command {
    std::string_view name;     // "/ping"
    std::string_view usage;    // "/ping [TEXT]"
    std::string_view summary;  // for /help
    bool server_only;
    Action (*parse)(std::string_view args);  // args: the line after the name, blanks skipped
};

Action parse_ping(std::string_view args);
Action parse_pong(std::string_view args);
Action parse_close(std::string_view args);
Action parse_binary(std::string_view args);
Action parse_file(std::string_view args);
Action parse_fragment(std::string_view args);
Action parse_frame(std::string_view args);
Action parse_stats(std::string_view args);
Action parse_help(std::string_view args);
Action parse_quit(std::string_view args);
Action parse_to(std::string_view args);
Action parse_clients(std::string_view args);
Action parse_fault(std::string_view args);

constexpr std::array<Command, 13> commands{{
    {"/ping", "/ping [TEXT]", "send a ping; the RTT shows when its pong arrives", false,
     parse_ping},
    {"/pong", "/pong [TEXT]", "send an unsolicited pong", false, parse_pong},
    {"/close", "/close [CODE [REASON]]", "close (1000 by default), wait for the peer's close",
     false, parse_close},
    {"/binary", "/binary HEX...", "send bytes as a binary message: 48 65 6c, 48656c, 48:65:6c or 0x48 0x65", false,
     parse_binary},
    {"/file", "/file [-b] PATH", "send a file as text (UTF-8 only), or as binary (-b)", false,
     parse_file},
    {"/fragment", "/fragment N TEXT", "send TEXT as one message in N frames", false,
     parse_fragment},
    {"/frame", "/frame [FIELD...] PAYLOAD", "send one raw frame, no rule checked (see below)",
     false, parse_frame},
    {"/stats", "/stats", "bytes, messages, frames each way; uptime; ping RTTs", false, parse_stats},
    {"/help", "/help", "show this help", false, parse_help},
    {"/quit", "/quit", "close normally (1000), exit when the peer answers", false, parse_quit},
    {"/to", "/to ID|all", "send to client ID only, or to all clients again", true, parse_to},
    {"/clients", "/clients", "list the connected clients", true, parse_clients},
    {"/fault", "/fault ID SPEC", "break client ID on purpose now, as --fault SPEC would", true, parse_fault},
}};

const Command& command(std::string_view name) {
    for (const auto& c : commands)
        if (c.name == name) return c;
    return commands.front();  // unreachable: callers pass names from the table
}

Invalid bad(std::string_view name, std::string message) {
    return Invalid{std::move(message), std::string(command(name).usage)};
}

Action no_arguments(std::string_view name, std::string_view args, Action ok) {
    if (!trim(args).empty()) return bad(name, std::string(name) + " takes no arguments");
    return ok;
}

Action control_payload(std::string_view name, std::string_view args, bool ping) {
    if (args.size() > max_ping_payload)
        return bad(name, "the payload is " + std::to_string(args.size()) +
                             " bytes; a control frame carries at most 125 (RFC 6455 §5.5)");
    if (ping) return SendPing{std::string(args)};
    return SendPong{std::string(args)};
}

Action parse_ping(std::string_view args) {
    return control_payload("/ping", args, true);
}
Action parse_pong(std::string_view args) {
    return control_payload("/pong", args, false);
}

Action parse_close(std::string_view args) {
    std::string_view rest = args;
    const std::string_view code_text = next_word(rest);
    const std::string_view reason = trim_left(rest);
    Close c;
    if (code_text.empty()) return c;
    const auto code = parse_number<std::uint16_t>(code_text);
    if (!code) return bad("/close", "\"" + std::string(code_text) + "\" is not a close code");
    if (!proto::is_valid_on_wire(*code))
        return bad("/close", std::to_string(*code) +
                                 " may not be sent in a Close frame (RFC 6455 §7.4); "
                                 "/frame op=close hex:… sends anything");
    if (reason.size() > proto::max_close_reason)
        return bad("/close", "the reason is " + std::to_string(reason.size()) +
                                 " bytes; at most 123 fit in a Close frame");
    if (!is_utf8(reason)) return bad("/close", "the reason is not valid UTF-8");
    c.code = *code;
    c.reason = std::string(reason);
    return c;
}

Action parse_binary(std::string_view args) {
    auto bytes = parse_hex(args);
    if (!bytes) return bad("/binary", "not hex bytes: \"" + std::string(trim(args)) + "\"");
    if (bytes->empty()) return bad("/binary", "no bytes given");
    return SendBinary{std::move(*bytes)};
}

Action parse_file(std::string_view args) {
    SendFile f;
    std::string_view rest = args;
    if (next_word(rest) == "-b") {
        f.binary = true;
        args = rest;
    }
    f.path = std::string(trim(args));
    if (f.path.empty()) return bad("/file", "no file given");
    return f;
}

Action parse_fragment(std::string_view args) {
    std::string_view rest = args;
    const std::string_view n_text = next_word(rest);
    const auto n = parse_number<std::size_t>(n_text);
    if (!n || *n == 0 || *n > max_fragments)
        return bad("/fragment",
                   "N must be a number of frames from 1 to " + std::to_string(max_fragments));
    const std::string_view text = trim_left(rest);
    if (text.empty()) return bad("/fragment", "no text given");
    if (!is_utf8(text)) return bad("/fragment", "the text is not valid UTF-8");
    return SendFragments{*n, std::string(text)};
}

Action parse_stats(std::string_view args) {
    return no_arguments("/stats", args, ShowStats{});
}
Action parse_help(std::string_view args) {
    return no_arguments("/help", args, ShowHelp{});
}
Action parse_quit(std::string_view args) {
    return no_arguments("/quit", args, Quit{});
}
Action parse_clients(std::string_view args) {
    return no_arguments("/clients", args, ListClients{});
}

Action parse_to(std::string_view args) {
    const std::string_view target = trim(args);
    if (lower(target) == "all") return ChooseTarget{};
    const auto id = parse_number<unsigned>(target);
    if (!id || *id == 0) return bad("/to", "expected a client id or \"all\"");
    return ChooseTarget{*id};
}

Action parse_fault(std::string_view args) {
    std::string_view rest = args;
    const auto id = parse_number<unsigned>(next_word(rest));
    const std::string_view spec = trim(rest);
    if (!id || *id == 0 || spec.empty()) return bad("/fault", "expected a client id and a fault SPEC");
    return InjectFault{*id, std::string(spec)};
}

// ---------------------------------------------------------------------------- /frame

constexpr std::string_view frame_fields_help =
    "/frame fields, in any order, each at most once [default]:\n"
    "  fin=0|1            FIN bit [1]\n"
    "  rsv=BITS           RSV1 RSV2 RSV3 as three bits, e.g. 100 sets RSV1 [000]\n"
    "  op=NAME|N          text binary cont close ping pong rsv3..rsvf, or 0-15 [text]\n"
    "  mask=on|off|KEY    KEY: 8 hex digits [on in the client, off in the server]\n"
    "  len=N              the payload length to claim, true or not [the real one]\n"
    "  text:TEXT          payload: the rest of the line as typed [empty]\n"
    "  hex:HEX...         payload: hex bytes to the end of the line, e.g. hex:48 65\n"
    "  e.g. /frame fin=0 text:hel   then   /frame op=cont text:lo\n"
    "       /frame rsv=100 op=rsv3 mask=off hex:01 02\n";

// mask=on|off|KEY
std::string apply_mask_field(SendFrame& f, std::string_view value) {
    const std::string v = lower(value);
    if (v == "on") {
        f.mask = FrameMask::random;
        return {};
    }
    if (v == "off") {
        f.mask = FrameMask::off;
        return {};
    }
    const auto key = parse_hex(value);
    if (!key || key->size() != 4 || value.size() != 8)
        return "mask= takes on, off, or a key of 8 hex digits";
    f.mask = FrameMask::key;
    f.header.mask = proto::MaskKey{(*key)[0], (*key)[1], (*key)[2], (*key)[3]};
    return {};
}

// Applies one FIELD=VALUE to the frame; returns an error message, or empty.
std::string apply_frame_field(SendFrame& f, std::optional<std::uint64_t>& len, std::string_view key,
                              std::string_view value) {
    if (key == "fin") {
        if (value != "0" && value != "1") return "fin= takes 0 or 1";
        f.header.fin = value == "1";
    } else if (key == "rsv") {
        if (value.size() != 3 || value.find_first_not_of("01") != std::string_view::npos)
            return "rsv= takes three bits RSV1 RSV2 RSV3, e.g. rsv=100";
        f.header.rsv = static_cast<std::uint8_t>((value[0] - '0') << 2 | (value[1] - '0') << 1 |
                                                 (value[2] - '0'));
    } else if (key == "op") {
        if (!proto::parse_opcode(value, f.header.opcode))
            return "op=" + std::string(value) + " names no opcode";
    } else if (key == "mask") {
        return apply_mask_field(f, value);
    } else if (key == "len") {
        const auto n = parse_number<std::uint64_t>(value);
        if (!n || *n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return "len= takes a number below 2^63 (RFC 6455 §5.2)";
        len = *n;
    } else {
        return "unknown field \"" + std::string(key) +
               "\" (fields: fin= rsv= op= mask= len= text: hex:)";
    }
    return {};
}

// The payload, which runs to the end of the line: text:TEXT or hex:HEX...
std::string take_frame_payload(SendFrame& f, std::string_view rest) {
    if (starts_with_icase(rest, "text:")) {
        const std::string_view text = rest.substr(5);
        f.payload.assign(text.begin(), text.end());
        return {};
    }
    auto bytes = parse_hex(rest.substr(4));
    if (!bytes) return "hex: takes hex bytes, e.g. hex:48 65 or hex:4865";
    f.payload = std::move(*bytes);
    return {};
}

Action parse_frame(std::string_view args) {
    SendFrame f;
    f.header.fin = true;
    f.header.opcode = proto::Opcode::text;
    std::optional<std::uint64_t> len;
    std::vector<std::string> given;
    std::string_view rest = args;
    while (!(rest = trim_left(rest)).empty()) {
        if (starts_with_icase(rest, "text:") || starts_with_icase(rest, "hex:")) {
            if (std::string error = take_frame_payload(f, rest); !error.empty())
                return bad("/frame", error);
            break;
        }
        const std::string_view field = next_word(rest);
        const auto eq = field.find('=');
        if (eq == std::string_view::npos)
            return bad("/frame", "expected FIELD=VALUE, text:TEXT or hex:HEX, not \"" +
                                     std::string(field) + "\"");
        const std::string key = lower(field.substr(0, eq));
        if (std::find(given.begin(), given.end(), key) != given.end())
            return bad("/frame", key + "= is given twice");
        given.push_back(key);
        if (std::string error = apply_frame_field(f, len, key, field.substr(eq + 1));
            !error.empty())
            return bad("/frame", error);
    }
    f.header.payload_len = len.value_or(f.payload.size());
    return f;
}

bool available(const Command& c, Side side) {
    return !c.server_only || side == Side::server;
}

const Command* find_command(std::string_view name, Side side) {
    const std::string wanted = lower(name);
    for (const auto& c : commands)
        if (c.name == wanted && available(c, side)) return &c;
    return nullptr;
}

Action text_message(std::string_view text) {
    if (!is_utf8(text))
        return Invalid{"the line is not valid UTF-8: not sent (try /binary or /file -b)", {}};
    return SendText{std::string(text)};
}

std::vector<std::string> with_prefix(std::initializer_list<std::string_view> words,
                                     std::string_view prefix) {
    std::vector<std::string> out;
    for (std::string_view w : words)
        if (starts_with_icase(w, lower(prefix))) out.emplace_back(w);
    return out;
}

// Completion of the words after "/frame": field names, or the values of op= / mask= / fin=.
Completion complete_frame(std::string_view before, std::string_view word) {
    Completion c;
    if (before.ends_with("op=")) {
        c.words = with_prefix({"text", "binary", "cont", "close", "ping", "pong", "rsv3", "rsv4",
                               "rsv5", "rsv6", "rsv7", "rsvb", "rsvc", "rsvd", "rsve", "rsvf"},
                              word);
    } else if (before.ends_with("mask=")) {
        c.words = with_prefix({"on", "off"}, word);
    } else if (before.ends_with("fin=")) {
        c.words = with_prefix({"0", "1"}, word);
    } else if (!before.ends_with("=")) {
        c.words = with_prefix({"fin=", "rsv=", "op=", "mask=", "len=", "text:", "hex:"}, word);
        c.append_space = false;
    }
    return c;
}

// "  /ping [TEXT]              send a ping…": usages in a column, summaries after them.
void append_help_row(std::string& out, std::string_view usage, std::string_view summary) {
    constexpr std::size_t usage_column = 26;
    std::string row = "  " + std::string(usage);
    row.resize(std::max(row.size() + 2, usage_column + 2), ' ');
    out += row + std::string(summary) + "\n";
}

}  // namespace

std::optional<proto::Bytes> parse_hex(std::string_view text) {
    proto::Bytes out;
    // One group of digits: an even number of them, or one or two after 0x.
    auto add_group = [&out](std::string_view group) {
        const bool prefixed = group.size() > 2 && group[0] == '0' && (group[1] == 'x' || group[1] == 'X');
        if (prefixed) group.remove_prefix(2);
        if (group.empty()) return false;
        if (group.size() % 2 != 0 && !(prefixed && group.size() == 1)) return false;
        if (group.size() == 1) {
            const int lo = hex_digit(group[0]);
            if (lo < 0) return false;
            out.push_back(static_cast<std::uint8_t>(lo));
            return true;
        }
        for (std::size_t i = 0; i < group.size(); i += 2) {
            const int hi = hex_digit(group[i]);
            const int lo = hex_digit(group[i + 1]);
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
        }
        return true;
    };
    std::string_view rest = text;
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
        // "48:69" (as Wireshark copies bytes) and "0x48,0x69" separate bytes within a word; a
        // word may end with the comma of a C array ("0x48, 0x69").
        if (word.size() > 1 && word.back() == ',') word.remove_suffix(1);
        for (;;) {
            const auto sep = word.find_first_of(":,");
            if (!add_group(word.substr(0, sep))) return std::nullopt;
            if (sep == std::string_view::npos) break;
            word.remove_prefix(sep + 1);
        }
    }
    return out;
}

Action parse_line(std::string_view line, Side side) {
    if (line.empty()) return Nothing{};
    if (line.starts_with("//")) return text_message(line.substr(1));
    if (line.front() != '/') return text_message(line);
    std::string_view rest = line;
    const std::string_view name = next_word(rest);
    const Command* c = find_command(name, side);
    if (!c) return Invalid{"unknown command " + std::string(name) + " (try /help)", {}};
    return c->parse(trim_left(rest));
}

std::vector<std::string> command_names(Side side) {
    std::vector<std::string> names;
    for (const auto& c : commands)
        if (available(c, side)) names.emplace_back(c.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::string help_text(Side side) {
    std::string out = "Commands (Tab completes them):\n";
    for (const auto& c : commands)
        if (available(c, side)) append_help_row(out, c.usage, c.summary);
    append_help_row(out, "//TEXT", "send the text message \"/TEXT\"");
    out += "Any other line is sent as a text message";
    out += side == Side::server ? " to the chosen clients (all at first).\n" : ".\n";
    out += frame_fields_help;
    out +=
        "Keys: Up/Down walk the history, Ctrl-R searches it, Ctrl-C clears the line,\n"
        "      Ctrl-D on an empty line does /quit.\n";
    return out;
}

Completion complete(std::string_view before, std::string_view word, Side side) {
    std::string_view rest = before;
    const std::string cmd = lower(next_word(rest));
    Completion c;
    if (cmd.empty()) {
        if (word.starts_with("/"))
            for (auto& name : command_names(side))
                if (starts_with_icase(name, word)) c.words.push_back(name);
    } else if (cmd == "/file") {
        c.files = true;
    } else if (cmd == "/frame") {
        c = complete_frame(before, word);
    } else if (cmd == "/to" && side == Side::server) {
        c.words = with_prefix({"all"}, word);
    }
    return c;
}

}  // namespace wscope::app::repl
