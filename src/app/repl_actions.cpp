// The REPLs' shared parts (repl_actions.hpp).
#include "app/repl_actions.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "app/terminal.hpp"
#include "present/describe.hpp"
#include "present/frame_line.hpp"
#include "present/quoted_text.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

using proto::ByteView;
using proto::MessageType;

// A received text message is shown up to this size: beyond it a terminal is no help
// (the rest is counted, and pipe mode or --jsonl shows everything).
constexpr std::size_t max_text_shown = 1u << 20;
// A binary message shows one hex dump row's worth.
constexpr std::size_t binary_preview_bytes = 16;
// /file reads at most this much: a typo such as /file /dev/zero must not eat the memory.
constexpr std::uintmax_t max_file_size = 64u << 20;

// "48 65 6c 6c 6f  |Hello|"
std::string hex_preview(ByteView data) {
    static const char* hex = "0123456789abcdef";
    std::string bytes, ascii;
    for (std::uint8_t b : data) {
        if (!bytes.empty()) bytes.push_back(' ');
        bytes.push_back(hex[b >> 4]);
        bytes.push_back(hex[b & 15]);
        ascii.push_back(b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.');
    }
    return bytes + "  |" + ascii + "|";
}

void send_fragments(session::Session& s, const repl::SendFragments& f) {
    const ByteView text = proto::as_bytes(f.text);
    for (std::size_t i = 0; i < f.frames; ++i) {
        const std::size_t from = text.size() * i / f.frames;
        const std::size_t to = text.size() * (i + 1) / f.frames;
        s.send_fragment(MessageType::text, text.subspan(from, to - from), i == 0, i + 1 == f.frames);
    }
}

// The header as it will go out: /frame's mask= choice resolved for this side.
proto::FrameHeader frame_header(const repl::SendFrame& f, const SendContext& ctx) {
    proto::FrameHeader h = f.header;
    switch (f.mask) {
        case repl::FrameMask::automatic:
            if (ctx.role == proto::Role::client)
                h.mask = ctx.masks.next();
            else
                h.mask.reset();
            break;
        case repl::FrameMask::random:
            h.mask = ctx.masks.next();
            break;
        case repl::FrameMask::off:
            h.mask.reset();
            break;
        case repl::FrameMask::key:
            break;
    }
    return h;
}

// "sent >> RSV3 (0x3) fin=1 rsv=101 len=2 "hi"": the frame line that -F would show.
std::string frame_note(const proto::FrameHeader& h, proto::ByteView payload, std::uint64_t continuation) {
    present::FrameInfo info;
    info.continuation_index = h.opcode == proto::Opcode::continuation ? continuation : 0;
    info.dir = present::Direction::out;
    info.header = h;
    info.payload = payload;
    return "sent " + present::frame_line(info);
}

}  // namespace

std::string send_action(session::Session& s, const repl::Action& a, const SendContext& ctx) {
    std::string note;
    if (const auto* t = std::get_if<repl::SendText>(&a)) {
        s.send_message(ctx.binary_lines ? MessageType::binary : MessageType::text, proto::as_bytes(t->text));
    } else if (const auto* b = std::get_if<repl::SendBinary>(&a)) {
        s.send_message(MessageType::binary, b->data);
        note = "sent a binary message of " + present::bytes_text(b->data.size());
    } else if (const auto* f = std::get_if<repl::SendFragments>(&a)) {
        send_fragments(s, *f);
        note = "sent " + present::bytes_text(f->text.size()) + " of text in " + std::to_string(f->frames) +
               (f->frames == 1 ? " frame" : " frames");
    } else if (const auto* p = std::get_if<repl::SendPing>(&a)) {
        s.send_ping(proto::as_bytes(p->payload));
    } else if (const auto* q = std::get_if<repl::SendPong>(&a)) {
        s.send_pong(proto::as_bytes(q->payload));
        if (!ctx.frames_shown) note = "sent pong " + present::quoted(q->payload);
    } else if (const auto* r = std::get_if<repl::SendFrame>(&a)) {
        const proto::FrameHeader h = frame_header(*r, ctx);
        s.send_raw(h, r->payload);
        if (!ctx.frames_shown) note = frame_note(h, r->payload, s.sent_continuation_index());
    } else if (const auto* c = std::get_if<repl::Close>(&a)) {
        s.close(proto::CloseCode{c->code}, c->reason);
        note = "sent close " + present::close_text(c->code, c->reason) + "; waiting for the peer's close";
    }
    s.pump();
    return note;
}

std::variant<LoadedFile, std::string> load_file(const repl::SendFile& f) {
    std::string path = f.path;
    if (path.starts_with("~/"))
        if (const char* home = std::getenv("HOME")) path = home + path.substr(1);
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot read " + f.path + ": " + std::strerror(errno);
    LoadedFile file;
    file.type = f.binary ? MessageType::binary : MessageType::text;
    char buf[64 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        file.data.insert(file.data.end(), buf, buf + in.gcount());
        if (file.data.size() > max_file_size) return f.path + " is larger than 64 MiB: not sent";
    }
    if (in.bad()) return "cannot read " + f.path;
    if (!f.binary && !proto::is_valid_utf8(file.data))
        return f.path + " is not valid UTF-8: not sent as text (/file -b " + f.path + " sends it as binary)";
    return file;
}

std::string file_note(const repl::SendFile& f, const LoadedFile& file) {
    return "sent " + f.path + ": " + present::bytes_text(file.data.size()) + " as " +
           (file.type == MessageType::text ? "text" : "binary");
}

void IncomingMessage::add(const session::MessageEvent& m) {
    if (m.first) {
        type_ = m.type;
        kept_.clear();
        size_ = 0;
    }
    const std::size_t limit = type_ == MessageType::text ? max_text_shown : binary_preview_bytes;
    const std::size_t take = std::min(m.data.size(), limit - std::min(limit, kept_.size()));
    kept_.insert(kept_.end(), m.data.begin(), m.data.begin() + static_cast<std::ptrdiff_t>(take));
    size_ += m.data.size();
}

std::string IncomingMessage::describe() const {
    const std::string more = size_ > kept_.size() ? " … (" + present::bytes_text(size_) + ")" : "";
    if (type_ == MessageType::text) {
        std::string out = "< ";
        present::append_display_text(out, kept_, "\n  ");  // continuation lines under the mark
        return out + more;
    }
    std::string out = "< [binary " + present::bytes_text(size_) + "]";
    if (!kept_.empty()) out += " " + hex_preview(kept_) + (size_ > kept_.size() ? " …" : "");
    return out;
}

void show_invalid(Console& console, const repl::Invalid& bad) {
    console.show(present::Tone::error, "! " + bad.message);
    if (!bad.usage.empty()) console.show_text("  usage: " + bad.usage + "\n");
}

TerminalSetup terminal_setup(bool colour, repl::Side side) {
    TerminalSetup t;
    t.colour = colour;
    t.complete = [side](std::string_view before, std::string_view word) {
        return repl::complete(before, word, side);
    };
    t.history_file = history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
    return t;
}

std::string history_path(const char* xdg_state_home, const char* home) {
    if (xdg_state_home && xdg_state_home[0] == '/') return std::string(xdg_state_home) + "/wscope/history";
    if (home && home[0] == '/') return std::string(home) + "/.local/state/wscope/history";
    return {};
}

}  // namespace wscope::app
