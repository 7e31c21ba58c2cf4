// Frame lines and hex dumps on stderr.
#include "app/inspector.hpp"
#include "app/direction.hpp"

#include <algorithm>
#include <cstring>

#include "present/describe.hpp"
#include "present/frame_line.hpp"
#include "present/hexdump.hpp"
#include "present/quoted_text.hpp"
#include "proto/close_code.hpp"

namespace wscope::app {
namespace {

using session::Direction;


// A frame line previews at most this much of the uncompressed data.
constexpr std::size_t preview_bytes = 256;

}  // namespace

Inspector::Inspector(const OutputOptions& options, Console& console, std::string prefix)
    : o_(options), console_(console), prefix_(std::move(prefix)) {}

void Inspector::on_event(const session::SessionEvent& event) {
    using namespace session;
    if (const auto* h = std::get_if<FrameHeaderEvent>(&event)) return on_header(*h);
    if (const auto* p = std::get_if<FramePayloadEvent>(&event)) return on_payload(*p);
    if (const auto* m = std::get_if<MessageEvent>(&event)) return on_message(*m);
    if (std::holds_alternative<ViolationEvent>(event)) return on_violation();
    const bool pings = o_.show_ping_pong && !o_.frames;
    if (const auto* ping = std::get_if<PingEvent>(&event); ping && pings) {
        console_.diag(start() + (ping->dir == Direction::in ? "< ping " : "> ping ") +
                      present::quoted(proto::as_chars(ping->payload)));
    } else if (const auto* pong = std::get_if<PongEvent>(&event); pong && pings) {
        std::string line = start() + (pong->dir == Direction::in ? "< pong " : "> pong ") +
                           present::quoted(proto::as_chars(pong->payload));
        if (pong->rtt) line += " rtt " + present::rtt_text(*pong->rtt);
        console_.diag(line);
    } else if (const auto* c = std::get_if<CloseEvent>(&event); c && o_.verbose > 0 && !o_.frames) {
        console_.diag(start() + (c->dir == Direction::in ? "* peer sent close: " : "* sent close: ") +
                      present::close_text(c->code, c->reason));
    }
}

void Inspector::on_header(const session::FrameHeaderEvent& h) {
    FrameState& f = h.dir == Direction::in ? in_ : out_;
    f.head = h;
    f.head.raw = {};
    f.raw_len = std::min(h.raw.size(), sizeof f.raw);
    std::memcpy(f.raw, h.raw.data(), f.raw_len);
    f.line_printed = false;
    const proto::Opcode op = h.header.opcode;
    if (op == proto::Opcode::text || op == proto::Opcode::binary)
        f.message_compressed = (h.header.rsv & proto::rsv1) != 0;
    f.compressed = !proto::is_control(op) && f.message_compressed;
    if (op == proto::Opcode::continuation) f.head.message_type = h.message_type;
    f.payload.clear();
    f.wire.clear();
    f.dumped = false;
    f.have_plain = false;
    f.awaiting_inflation = false;
    if (h.uncompressed) {  // a sent frame with permessage-deflate
        const proto::ByteView plain = *h.uncompressed;
        f.plain_preview.assign(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(std::min(plain.size(), preview_bytes)));
        f.plain_size = plain.size();
        f.have_plain = true;
    } else {
        f.plain_preview.clear();
        f.plain_size = 0;
    }
}

void Inspector::on_payload(const session::FramePayloadEvent& p) {
    FrameState& f = p.dir == Direction::in ? in_ : out_;
    if (p.dir == Direction::out) {  // one piece: the whole frame, as encoded
        print_line(f, p.dir, p.data);
        if (o_.hexdump) dump(f, p.wire, p.data);
        return;
    }
    const bool hold_line = f.compressed;
    // A frame that arrives in several reads is shown once, whole, when it is complete.
    if (o_.hexdump || hold_line) {
        f.payload.insert(f.payload.end(), p.data.begin(), p.data.end());
        f.wire.insert(f.wire.end(), p.wire.begin(), p.wire.end());
    }
    if (hold_line) {
        // Hold the line until the frame has been inflated (the message event) to show both sizes.
        if (!p.frame_end) return;
        f.awaiting_inflation = true;
        // A non-final frame may inflate to nothing yet: show what we have.
        if (!f.head.header.fin) flush_compressed(f, p.dir);
        return;
    }
    if (!f.line_printed) print_line(f, p.dir, p.data);
    if (!p.frame_end) return;
    if (o_.hexdump) dump(f, f.wire, f.payload);
    f.dumped = true;
    f.payload.clear();
    f.wire.clear();
}

void Inspector::on_message(const session::MessageEvent& m) {
    if (m.dir != Direction::in) return;
    FrameState& f = in_;
    if (!f.compressed) return;
    const std::size_t room = f.plain_preview.size() < preview_bytes ? preview_bytes - f.plain_preview.size() : 0;
    f.plain_preview.insert(f.plain_preview.end(), m.data.begin(),
                           m.data.begin() + static_cast<std::ptrdiff_t>(std::min(room, m.data.size())));
    f.plain_size += m.data.size();
    f.have_plain = true;
    if (m.last && f.awaiting_inflation) flush_compressed(f, Direction::in);
}

void Inspector::flush_compressed(FrameState& f, Direction dir) {
    f.awaiting_inflation = false;
    if (!f.line_printed) print_line(f, dir, f.payload);
    if (o_.hexdump && !f.dumped) dump(f, f.wire, f.payload);
    f.dumped = true;
    f.payload.clear();
    f.wire.clear();
}

// A frame whose header broke a rule carries no payload event: show its header (and as much
// of it as arrived) before the error.
void Inspector::on_violation() {
    FrameState& f = in_;
    if (f.compressed && !f.line_printed) f.have_plain = false;
    if (!f.line_printed) print_line(f, Direction::in, f.payload);
    if (o_.hexdump && !f.dumped) dump(f, f.wire, f.payload);
    f.dumped = true;
    f.payload.clear();
    f.wire.clear();
}

void Inspector::print_line(FrameState& f, Direction dir, proto::ByteView preview) {
    if (!o_.frames) return;
    present::FrameInfo info;
    info.dir = to_present(dir);
    info.header = f.head.header;
    info.payload = preview;
    info.continuation_index = f.head.continuation_index;
    info.message_type = f.head.message_type;
    if (f.compressed && f.have_plain) {
        info.payload = f.plain_preview;
        info.uncompressed_len = f.plain_size;
    }
    std::string line = start();
    present::append_frame_line(line, info, console_.err_style());
    console_.diag(line);
    f.line_printed = true;
}

void Inspector::dump(const FrameState& f, proto::ByteView wire, proto::ByteView plain) {
    const std::string indent = prefix_ + "   ";
    present::HexdumpOptions opts;
    opts.indent = indent;
    proto::Bytes onwire(f.raw, f.raw + f.raw_len);
    // Without a wire copy (an unmasked frame), the payload is as it was on the wire.
    const proto::ByteView body = wire.size() == plain.size() && !wire.empty() ? wire : plain;
    onwire.insert(onwire.end(), body.begin(), body.end());
    std::string text;
    present::append_hexdump(text, onwire, opts);
    if (f.head.header.mask && !plain.empty()) {
        text += indent + "unmasked payload:\n";
        present::append_hexdump(text, plain, opts);
    }
    console_.diag_text(text);
}

}  // namespace wscope::app
