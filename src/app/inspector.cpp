// Frame lines and hex dumps on stderr.
#include "app/inspector.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cstring>

#include "present/frame_line.hpp"
#include "present/hexdump.hpp"
#include "proto/close_code.hpp"
#include "proto/mask.hpp"

namespace wscope::app {
namespace {

present::Direction to_present(session::Direction d) {
    return d == session::Direction::in ? present::Direction::in : present::Direction::out;
}

std::string printable(proto::ByteView data) {
    std::string out;
    for (std::uint8_t b : data) {
        if (b >= 0x20 && b < 0x7f) {
            out.push_back(static_cast<char>(b));
        } else {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out.push_back(hex[b >> 4]);
            out.push_back(hex[b & 15]);
        }
    }
    return out;
}

}  // namespace

bool use_colour(ColorMode mode, int fd) {
    if (mode == ColorMode::always) return true;
    if (mode == ColorMode::never) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    return ::isatty(fd) != 0;
}

Inspector::Inspector(const OutputOptions& options, std::string prefix)
    : o_(options), prefix_(std::move(prefix)) {
    style_.colour = use_colour(o_.color, STDERR_FILENO);
}

std::string Inspector::start() const {
    using OT = OutputOptions::Timestamps;
    std::string s = prefix_;
    char buf[48];
    if (o_.timestamps == OT::relative) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - created_).count();
        std::snprintf(buf, sizeof buf, "+%lld.%06lld ", static_cast<long long>(us / 1000000),
                      static_cast<long long>(us % 1000000));
        s += buf;
    } else if (o_.timestamps == OT::wall) {
        const auto now = std::chrono::system_clock::now();
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
        std::tm tm{};
        localtime_r(&t, &tm);
        std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06lld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<long long>(us));
        s += buf;
    }
    return s;
}

void Inspector::emit(const std::string& text) const {
    std::string_view rest = text;
    while (!rest.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n <= 0) return;
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Inspector::on_frame_header(session::Direction dir, const proto::FrameHeader& h, proto::ByteView raw) {
    FrameState& f = dir == session::Direction::in ? in_ : out_;
    f.header = h;
    f.raw_len = std::min(raw.size(), sizeof f.raw);
    std::memcpy(f.raw, raw.data(), f.raw_len);
    f.line_printed = false;
    // Number continuation frames within their message.
    if (h.opcode == proto::Opcode::text || h.opcode == proto::Opcode::binary) {
        f.message_type = h.opcode == proto::Opcode::text ? proto::MessageType::text : proto::MessageType::binary;
        f.continuation = 0;
        f.message_open = !h.fin;
        f.message_compressed = (h.rsv & proto::rsv1) != 0;
    } else if (h.opcode == proto::Opcode::continuation) {
        ++f.continuation;
        if (h.fin) f.message_open = false;
    }
    f.compressed = !proto::is_control(h.opcode) && f.message_compressed;
    f.wire.clear();
    f.dumped = false;
    if (dir == session::Direction::in) {
        f.have_plain = false;
        f.plain_preview.clear();
        f.plain_size = 0;
        f.awaiting_inflation = false;
    }
}

void Inspector::on_frame_uncompressed(session::Direction dir, proto::ByteView data) {
    FrameState& f = dir == session::Direction::in ? in_ : out_;
    f.plain_preview.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(data.size(), 256)));
    f.plain_size = data.size();
    f.have_plain = true;
}

void Inspector::print_line(FrameState& f, session::Direction dir, proto::ByteView preview) {
    present::FrameInfo info;
    info.dir = to_present(dir);
    info.header = f.header;
    info.payload = preview;
    info.continuation_index = f.header.opcode == proto::Opcode::continuation ? f.continuation : 0;
    info.message_type = f.message_type;
    if (f.compressed && f.have_plain) {
        info.payload = f.plain_preview;
        info.uncompressed_len = f.plain_size;
    }
    std::string line = start();
    present::append_frame_line(line, info, style_);
    line.push_back('\n');
    emit(line);
    f.line_printed = true;
}

void Inspector::dump(FrameState& f, proto::ByteView data, std::uint64_t offset) {
    const std::string indent = prefix_ + "   ";
    std::string text;
    present::HexdumpOptions wire;
    wire.indent = indent;
    // The payload as it was on the wire: masked again if it came masked.
    proto::Bytes onwire;
    if (offset == 0) onwire.assign(f.raw, f.raw + f.raw_len);
    const std::size_t head = onwire.size();
    onwire.insert(onwire.end(), data.begin(), data.end());
    if (f.header.mask)
        proto::apply_mask({onwire.data() + head, data.size()}, *f.header.mask, static_cast<std::size_t>(offset & 3));
    wire.start_offset = offset == 0 ? 0 : f.raw_len + offset;
    present::append_hexdump(text, onwire, wire);
    if (f.header.mask && !data.empty()) {
        text += indent + "unmasked payload:\n";
        present::HexdumpOptions plain;
        plain.indent = indent;
        plain.start_offset = offset;
        present::append_hexdump(text, data, plain);
    }
    emit(text);
}

void Inspector::on_frame_payload(session::Direction dir, proto::ByteView data, std::uint64_t, bool end) {
    FrameState& f = dir == session::Direction::in ? in_ : out_;
    const bool hold_line = dir == session::Direction::in && f.compressed;
    // A frame that arrives in several reads is dumped once, whole, when it is complete.
    if (o_.hexdump || hold_line) f.wire.insert(f.wire.end(), data.begin(), data.end());
    if (hold_line) {
        // Hold the line until the frame has been inflated (on_message) to show both sizes.
        if (!end) return;
        f.awaiting_inflation = true;
        // A non-final frame may inflate to nothing yet: show what we have.
        if (!f.header.fin) flush_compressed(f, dir);
        return;
    }
    if (!f.line_printed) print_line(f, dir, data);
    if (!end) return;
    if (o_.hexdump) dump(f, f.wire, 0);
    f.dumped = true;
    f.wire.clear();
    f.have_plain = false;
}

void Inspector::on_message(proto::MessageType, proto::ByteView data, bool, bool last) {
    FrameState& f = in_;
    if (!f.compressed || !wants_frames()) return;
    const std::size_t room = f.plain_preview.size() < 256 ? 256 - f.plain_preview.size() : 0;
    f.plain_preview.insert(f.plain_preview.end(), data.begin(),
                           data.begin() + static_cast<std::ptrdiff_t>(std::min(room, data.size())));
    f.plain_size += data.size();
    f.have_plain = true;
    if (last && f.awaiting_inflation) flush_compressed(f, session::Direction::in);
}

void Inspector::flush_compressed(FrameState& f, session::Direction dir) {
    f.awaiting_inflation = false;
    if (!f.line_printed) print_line(f, dir, f.wire);
    if (o_.hexdump && !f.dumped) dump(f, f.wire, 0);
    f.dumped = true;
    f.wire.clear();
}

void Inspector::on_ping(session::Direction dir, proto::ByteView payload) {
    if (!o_.show_ping_pong || o_.frames) return;
    emit(start() + (dir == session::Direction::in ? "< ping " : "> ping ") + "\"" + printable(payload) + "\"\n");
}

void Inspector::on_pong(session::Direction dir, proto::ByteView payload, std::optional<std::chrono::microseconds> rtt) {
    if (!o_.show_ping_pong || o_.frames) return;
    std::string line = start() + (dir == session::Direction::in ? "< pong " : "> pong ") + "\"" + printable(payload) + "\"";
    if (rtt) line += " rtt=" + std::to_string(static_cast<double>(rtt->count()) / 1000.0).substr(0, 6) + "ms";
    emit(line + "\n");
}

void Inspector::on_close(session::Direction dir, std::optional<std::uint16_t> code, std::string_view reason) {
    if (o_.verbose == 0 || o_.frames) return;
    std::string line = start() + (dir == session::Direction::in ? "* peer sent close: " : "* sent close: ");
    line += code ? std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")" : "no status code";
    if (!reason.empty()) line += " \"" + printable(proto::as_bytes(reason)) + "\"";
    emit(line + "\n");
}

}  // namespace wscope::app

namespace wscope::app {

// A frame whose header broke a rule carries no payload event: show its header before the error.
void Inspector::on_violation(const proto::Error&) {
    if (wants_frames() && in_.compressed && !in_.line_printed) {
        in_.have_plain = false;
        flush_compressed(in_, session::Direction::in);
        return;
    }
    if (!wants_frames()) return;
    // Show the offending frame (as much of it as arrived) before the error.
    if (!in_.line_printed) print_line(in_, session::Direction::in, in_.wire);
    if (o_.hexdump && !in_.dumped) dump(in_, in_.wire, 0);
    in_.dumped = true;
    in_.wire.clear();
}

}  // namespace wscope::app
