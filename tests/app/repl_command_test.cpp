// REPL line parsing: every command, well-formed and malformed, "//", hex, /frame fields, and
// tab completion.
#include "app/repl_command.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wscope::app::repl;
using wscope::proto::Bytes;
using wscope::proto::MaskKey;
using wscope::proto::Opcode;

namespace {

Action client(std::string_view line) {
    return parse_line(line, Side::client);
}
Action server(std::string_view line) {
    return parse_line(line, Side::server);
}

template <typename T>
T as(const Action& a) {  // a copy: the Action is often a temporary
    const T* v = std::get_if<T>(&a);
    REQUIRE_MESSAGE(v != nullptr, "the action holds variant index " << a.index());
    return *v;
}

// A malformed command: an Invalid carrying the command's usage line.
void check_usage(std::string_view line, std::string_view usage_start, Side side = Side::client) {
    INFO("line: " << line);
    const Action a = parse_line(line, side);
    const auto* bad = std::get_if<Invalid>(&a);
    REQUIRE(bad != nullptr);
    CHECK(!bad->message.empty());
    CHECK(bad->usage.starts_with(usage_start));
}

Bytes bytes(std::initializer_list<int> v) {
    Bytes out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

}  // namespace

TEST_CASE("plain lines are text messages; empty lines are nothing") {
    CHECK(as<SendText>(client("hello")).text == "hello");
    CHECK(as<SendText>(client("  two  spaces ")).text == "  two  spaces ");
    CHECK(std::holds_alternative<Nothing>(client("")));
    CHECK(as<SendText>(client("a/b")).text == "a/b");
}

TEST_CASE("// escapes a leading slash") {
    CHECK(as<SendText>(client("//ping")).text == "/ping");
    CHECK(as<SendText>(client("//")).text == "/");
    CHECK(as<SendText>(client("///x")).text == "//x");
}

TEST_CASE("text that is not UTF-8 is refused") {
    CHECK(std::holds_alternative<Invalid>(client("caf\xe9")));
    CHECK(std::holds_alternative<Invalid>(client("//\xff")));
    CHECK(as<SendText>(client("caf\xc3\xa9")).text == "caf\xc3\xa9");
}

TEST_CASE("unknown commands") {
    const auto& bad = as<Invalid>(client("/xyz"));
    CHECK(bad.message == "unknown command /xyz (try /help)");
    CHECK(bad.usage.empty());
    CHECK(as<Invalid>(client("/")).message == "unknown command / (try /help)");
    // Listen-only commands do not exist in the client.
    CHECK(as<Invalid>(client("/to 1")).message.starts_with("unknown command /to "));
    CHECK(as<Invalid>(client("/clients")).message.starts_with("unknown command /clients "));
}

TEST_CASE("command names are case-insensitive") {
    CHECK(std::holds_alternative<SendPing>(client("/PING")));
    CHECK(std::holds_alternative<Quit>(client("/Quit")));
}

TEST_CASE("/ping and /pong") {
    CHECK(as<SendPing>(client("/ping")).payload.empty());
    CHECK(as<SendPing>(client("/ping hello there")).payload == "hello there");
    CHECK(as<SendPing>(client("/ping    x")).payload == "x");
    CHECK(as<SendPong>(client("/pong")).payload.empty());
    CHECK(as<SendPong>(client("/pong abc")).payload == "abc");
    CHECK(as<SendPing>(client("/ping " + std::string(125, 'a'))).payload.size() == 125);
    check_usage("/ping " + std::string(126, 'a'), "/ping");
    check_usage("/pong " + std::string(126, 'a'), "/pong");
}

TEST_CASE("/close") {
    const auto& plain = as<Close>(client("/close"));
    CHECK(plain.code == 1000);
    CHECK(plain.reason.empty());
    const auto& c = as<Close>(client("/close 4000 bye"));
    CHECK(c.code == 4000);
    CHECK(c.reason == "bye");
    CHECK(as<Close>(client("/close 1001 going  away now")).reason == "going  away now");
    CHECK(as<Close>(client("/close 3000")).code == 3000);
    check_usage("/close abc", "/close");
    check_usage("/close 1005", "/close");  // never on the wire
    check_usage("/close 999", "/close");
    check_usage("/close 5000", "/close");
    check_usage("/close 70000", "/close");
    check_usage("/close -1", "/close");
    check_usage("/close 1000 " + std::string(124, 'r'), "/close");
    CHECK(as<Close>(client("/close 1000 " + std::string(123, 'r'))).reason.size() == 123);
    check_usage("/close 1000 \xff", "/close");
}

TEST_CASE("/binary") {
    CHECK(as<SendBinary>(client("/binary 48 65 6c 6c 6f")).data ==
          bytes({0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    CHECK(as<SendBinary>(client("/binary 48656c6c6f")).data ==
          bytes({0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    CHECK(as<SendBinary>(client("/binary 4865 6C6c\t6f ")).data ==
          bytes({0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    CHECK(as<SendBinary>(client("/binary 00 ff")).data == bytes({0x00, 0xff}));
    check_usage("/binary", "/binary");
    check_usage("/binary 4", "/binary");
    check_usage("/binary 486", "/binary");
    check_usage("/binary zz", "/binary");
    CHECK(as<SendBinary>(client("/binary 0x48 0x69")).data == bytes({0x48, 0x69}));
    CHECK(as<SendBinary>(client("/binary 48:69")).data == bytes({0x48, 0x69}));
    check_usage("/binary 0x", "/binary");
}

TEST_CASE("parse_hex") {
    CHECK(parse_hex("")->empty());
    CHECK(parse_hex("   ")->empty());
    CHECK(*parse_hex("DEADbeef") == bytes({0xde, 0xad, 0xbe, 0xef}));
    CHECK(*parse_hex("de ad  be\tef") == bytes({0xde, 0xad, 0xbe, 0xef}));
    CHECK(!parse_hex("d e"));
    CHECK(!parse_hex("0g"));
    CHECK(!parse_hex("abc"));
    // The forms people paste: 0x prefixes (C, Python), colons (Wireshark), commas.
    CHECK(*parse_hex("0x48 0x69") == bytes({0x48, 0x69}));
    CHECK(*parse_hex("48:69") == bytes({0x48, 0x69}));
    CHECK(*parse_hex("0x48,0x69, 0XA") == bytes({0x48, 0x69, 0x0a}));
    CHECK(*parse_hex("0x4869") == bytes({0x48, 0x69}));
    CHECK(!parse_hex("48::69"));
    CHECK(!parse_hex("48,,"));
    CHECK(!parse_hex(","));
    CHECK(!parse_hex("0x"));
    CHECK(!parse_hex("48:"));
    CHECK(!parse_hex("0xg1"));
}

TEST_CASE("/file") {
    const auto& text = as<SendFile>(client("/file notes.txt"));
    CHECK(text.path == "notes.txt");
    CHECK(!text.binary);
    const auto& bin = as<SendFile>(client("/file -b /tmp/a b.bin "));
    CHECK(bin.path == "/tmp/a b.bin");
    CHECK(bin.binary);
    check_usage("/file", "/file");
    check_usage("/file -b", "/file");
    check_usage("/file   ", "/file");
}

TEST_CASE("/fragment") {
    const auto& f = as<SendFragments>(client("/fragment 3 hello world"));
    CHECK(f.frames == 3);
    CHECK(f.text == "hello world");
    CHECK(as<SendFragments>(client("/fragment 1 x")).frames == 1);
    CHECK(as<SendFragments>(client("/fragment 4096 x")).frames == 4096);
    check_usage("/fragment", "/fragment");
    check_usage("/fragment 3", "/fragment");
    check_usage("/fragment 0 text", "/fragment");
    check_usage("/fragment 4097 text", "/fragment");
    check_usage("/fragment x text", "/fragment");
    check_usage("/fragment -2 text", "/fragment");
    check_usage("/fragment 2 \xff\xfe", "/fragment");
}

TEST_CASE("/stats, /help, /quit take no arguments") {
    CHECK(std::holds_alternative<ShowStats>(client("/stats")));
    CHECK(std::holds_alternative<ShowHelp>(client("/help")));
    CHECK(std::holds_alternative<Quit>(client("/quit")));
    CHECK(std::holds_alternative<Quit>(client("/quit   ")));
    check_usage("/stats now", "/stats");
    check_usage("/help me", "/help");
    check_usage("/quit now", "/quit");
}

TEST_CASE("/frame: defaults") {
    const auto& f = as<SendFrame>(client("/frame"));
    CHECK(f.header.fin);
    CHECK(f.header.rsv == 0);
    CHECK(f.header.opcode == Opcode::text);
    CHECK(f.mask == FrameMask::automatic);
    CHECK(!f.header.mask);
    CHECK(f.header.payload_len == 0);
    CHECK(f.payload.empty());
}

TEST_CASE("/frame: every field") {
    const auto& f =
        as<SendFrame>(client("/frame fin=0 rsv=101 op=binary mask=0a0B0c0d len=300 hex:01 02 03"));
    CHECK(!f.header.fin);
    CHECK(f.header.rsv == 0x5);
    CHECK(f.header.opcode == Opcode::binary);
    CHECK(f.mask == FrameMask::key);
    CHECK(f.header.mask == MaskKey{0x0a, 0x0b, 0x0c, 0x0d});
    CHECK(f.header.payload_len == 300);  // the lie
    CHECK(f.payload == bytes({1, 2, 3}));
}

TEST_CASE("/frame: opcodes by name and number, reserved ones included") {
    CHECK(as<SendFrame>(client("/frame op=RSV3 text:hi")).header.opcode == static_cast<Opcode>(3));
    CHECK(as<SendFrame>(client("/frame op=rsvb")).header.opcode == static_cast<Opcode>(0xb));
    CHECK(as<SendFrame>(client("/frame op=15")).header.opcode == static_cast<Opcode>(15));
    CHECK(as<SendFrame>(client("/frame op=0x9")).header.opcode == Opcode::ping);
    CHECK(as<SendFrame>(client("/frame op=cont")).header.opcode == Opcode::continuation);
    CHECK(as<SendFrame>(client("/frame op=continuation")).header.opcode == Opcode::continuation);
    CHECK(as<SendFrame>(client("/frame op=close hex:03e8")).header.opcode == Opcode::close);
    check_usage("/frame op=16", "/frame");
    check_usage("/frame op=bogus", "/frame");
}

TEST_CASE("/frame: rsv bits") {
    CHECK(as<SendFrame>(client("/frame rsv=100")).header.rsv == 0x4);
    CHECK(as<SendFrame>(client("/frame rsv=010")).header.rsv == 0x2);
    CHECK(as<SendFrame>(client("/frame rsv=001")).header.rsv == 0x1);
    CHECK(as<SendFrame>(client("/frame rsv=111")).header.rsv == 0x7);
    check_usage("/frame rsv=1", "/frame");
    check_usage("/frame rsv=1000", "/frame");
    check_usage("/frame rsv=102", "/frame");
}

TEST_CASE("/frame: mask choices") {
    CHECK(as<SendFrame>(client("/frame mask=on")).mask == FrameMask::random);
    CHECK(as<SendFrame>(client("/frame mask=OFF")).mask == FrameMask::off);
    CHECK(as<SendFrame>(client("/frame mask=off")).header.mask == std::nullopt);
    check_usage("/frame mask=0a0b0c", "/frame");
    check_usage("/frame mask=0a0b0c0d0e", "/frame");
    check_usage("/frame mask=yes", "/frame");
    check_usage("/frame mask=0a 0b0c0d", "/frame");
}

TEST_CASE("/frame: payloads run to the end of the line") {
    const auto& t = as<SendFrame>(client("/frame text:hello  world "));
    CHECK(std::string(t.payload.begin(), t.payload.end()) == "hello  world ");
    CHECK(t.header.payload_len == 13);
    const auto& with_fields = as<SendFrame>(client("/frame fin=0 text:fin=1 is text here"));
    CHECK(!with_fields.header.fin);
    CHECK(std::string(with_fields.payload.begin(), with_fields.payload.end()) ==
          "fin=1 is text here");
    CHECK(as<SendFrame>(client("/frame text:")).payload.empty());
    CHECK(as<SendFrame>(client("/frame hex:")).payload.empty());
    CHECK(as<SendFrame>(client("/frame HEX:ff")).payload == bytes({0xff}));
    // Text is sent as typed, valid UTF-8 or not: /frame checks no rule.
    CHECK(as<SendFrame>(client("/frame text:\xff")).payload == bytes({0xff}));
    check_usage("/frame hex:zz", "/frame");
    check_usage("/frame hex:1", "/frame");
}

TEST_CASE("/frame: len= claims any length below 2^63") {
    CHECK(as<SendFrame>(client("/frame len=0 text:abc")).header.payload_len == 0);
    CHECK(as<SendFrame>(client("/frame len=9223372036854775807")).header.payload_len ==
          9223372036854775807ull);
    check_usage("/frame len=9223372036854775808", "/frame");
    check_usage("/frame len=-1", "/frame");
    check_usage("/frame len=x", "/frame");
}

TEST_CASE("/frame: malformed fields") {
    check_usage("/frame fin=2", "/frame");
    check_usage("/frame fin=", "/frame");
    check_usage("/frame fin=1 fin=0", "/frame");
    check_usage("/frame FIN=1 fin=0", "/frame");
    check_usage("/frame color=red", "/frame");
    check_usage("/frame hello", "/frame");
}

TEST_CASE("/to and /clients on the listen side") {
    CHECK(as<ChooseTarget>(server("/to 3")).client == 3u);
    CHECK(!as<ChooseTarget>(server("/to all")).client);
    CHECK(!as<ChooseTarget>(server("/to ALL")).client);
    CHECK(std::holds_alternative<ListClients>(server("/clients")));
    check_usage("/to", "/to", Side::server);
    check_usage("/to 0", "/to", Side::server);
    check_usage("/to x", "/to", Side::server);
    check_usage("/to 1 2", "/to", Side::server);
    check_usage("/clients 1", "/clients", Side::server);
    // The shared commands work on both sides.
    CHECK(as<Close>(server("/close 4001")).code == 4001);
}

TEST_CASE("command names and help") {
    const std::vector<std::string> c = command_names(Side::client);
    CHECK(c == std::vector<std::string>{"/binary", "/close", "/file", "/fragment", "/frame",
                                        "/help", "/ping", "/pong", "/quit", "/stats"});
    const std::vector<std::string> s = command_names(Side::server);
    CHECK(s.size() == c.size() + 3);  // /to, /clients, /fault
    const std::string help = help_text(Side::client);
    for (const auto& name : c) CHECK_MESSAGE(help.find(name) != std::string::npos, name);
    CHECK(help.find("/to") == std::string::npos);
    CHECK(help.find("mask=on|off|KEY") != std::string::npos);
    CHECK(help_text(Side::server).find("/to ID|all") != std::string::npos);
    CHECK(help_text(Side::server).find("/fault ID SPEC") != std::string::npos);
}

TEST_CASE("/fault ID SPEC: listen side only") {
    const auto f = parse_line("/fault 2 close=4000:bye now@3", Side::server);
    REQUIRE(std::holds_alternative<InjectFault>(f));
    CHECK(std::get<InjectFault>(f).client == 2);
    CHECK(std::get<InjectFault>(f).spec == "close=4000:bye now@3");
    CHECK(std::holds_alternative<Invalid>(parse_line("/fault 2", Side::server)));
    CHECK(std::holds_alternative<Invalid>(parse_line("/fault x drop", Side::server)));
    CHECK(std::holds_alternative<Invalid>(parse_line("/fault 1 drop", Side::client)));
}

TEST_CASE("completion") {
    CHECK(complete("", "/p", Side::client).words == std::vector<std::string>{"/ping", "/pong"});
    CHECK(complete("", "/fr", Side::client).words ==
          std::vector<std::string>{"/fragment", "/frame"});
    CHECK(complete("", "/", Side::client).words.size() == 10);
    CHECK(complete("", "hel", Side::client).words.empty());
    CHECK(complete("", "/t", Side::client).words.empty());
    CHECK(complete("", "/t", Side::server).words == std::vector<std::string>{"/to"});
    CHECK(complete("/file ", "no", Side::client).files);
    CHECK(complete("/file -b ", "no", Side::client).files);
    const Completion fields = complete("/frame ", "m", Side::client);
    CHECK(fields.words == std::vector<std::string>{"mask="});
    CHECK(!fields.append_space);
    CHECK(complete("/frame fin=0 op=", "bi", Side::client).words ==
          std::vector<std::string>{"binary"});
    CHECK(complete("/frame mask=", "", Side::client).words ==
          std::vector<std::string>{"on", "off"});
    CHECK(complete("/frame len=", "", Side::client).words.empty());
    CHECK(complete("/to ", "a", Side::server).words == std::vector<std::string>{"all"});
    CHECK(complete("hello ", "wor", Side::client).words.empty());
    CHECK(!complete("hello ", "wor", Side::client).files);
}
