// The -F frame line (layout in frame_line.hpp).
#include "present/frame_line.hpp"

#include <algorithm>
#include <string_view>

#include "present/quoted_text.hpp"
#include "proto/close_code.hpp"
#include "proto/opcode.hpp"
#include "proto/utf8.hpp"

namespace wscope::present {
namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view ellipsis = "\u2026";
// "BINARY", the longest regular name.
constexpr std::size_t opcode_column = 6;

void append_hex_byte(std::string& out, std::uint8_t b) {
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
}

Tone tone_for(const FrameInfo& f) noexcept {
    if (f.flagged) return Tone::error;
    return f.dir == Direction::out ? Tone::outgoing : Tone::incoming;
}

void append_opcode(std::string& out, const FrameInfo& f) {
    const std::string label = opcode_label(f.header.opcode, f.continuation_index);
    out += label;
    if (label.size() < opcode_column) out.append(opcode_column - label.size(), ' ');
}

void append_bits(std::string& out, const proto::FrameHeader& h) {
    out += " fin=";
    out += h.fin ? '1' : '0';
    out += " rsv=";
    out += (h.rsv & proto::rsv1) ? '1' : '0';
    out += (h.rsv & proto::rsv2) ? '1' : '0';
    out += (h.rsv & proto::rsv3) ? '1' : '0';
    if (!h.mask) return;
    out += " mask=";
    for (const std::uint8_t b : *h.mask) append_hex_byte(out, b);
}

void append_length(std::string& out, const FrameInfo& f) {
    out += " len=";
    out += std::to_string(f.header.payload_len);
    if (f.header.length_encoding == proto::LengthEncoding::len16) out += " (16-bit)";
    if (f.header.length_encoding == proto::LengthEncoding::len64) out += " (64-bit)";
    if (f.uncompressed_len) {
        out += " (uncompressed ";
        out += std::to_string(*f.uncompressed_len);
        out += ')';
    }
}

void append_text_preview(std::string& out, proto::ByteView data, bool partial) {
    if (append_quoted(out, data, frame_preview_columns, partial).truncated) out += ellipsis;
}

void append_hex_preview(std::string& out, proto::ByteView data, bool partial) {
    const std::size_t shown = std::min(data.size(), frame_preview_bytes);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out += ' ';
        append_hex_byte(out, data[i]);
    }
    if (shown < data.size() || partial) {
        if (shown > 0) out += ' ';
        out += ellipsis;
    }
}

void append_control_preview(std::string& out, proto::ByteView data, bool partial) {
    if (proto::is_valid_utf8(data))
        append_text_preview(out, data, partial);
    else
        append_hex_preview(out, data, partial);
}

// How the payload is best shown, given what the frame carries.
void append_preview(std::string& out, const FrameInfo& f) {
    // With permessage-deflate the preview shows the inflated payload.
    const std::uint64_t total = f.uncompressed_len.value_or(f.header.payload_len);
    const bool partial = f.payload.size() < total;
    if (f.payload.empty() && !partial && f.header.opcode != proto::Opcode::close) return;
    out += ' ';
    switch (f.header.opcode) {
        case proto::Opcode::text: return append_text_preview(out, f.payload, partial);
        case proto::Opcode::continuation:
            if (f.message_type == proto::MessageType::text)
                return append_text_preview(out, f.payload, partial);
            return append_hex_preview(out, f.payload, partial);
        case proto::Opcode::close: return append_close_preview(out, f.payload, partial);
        case proto::Opcode::ping:
        case proto::Opcode::pong: return append_control_preview(out, f.payload, partial);
        default: return append_hex_preview(out, f.payload, partial);
    }
}

void append_close_code(std::string& out, std::uint16_t code) {
    out += std::to_string(code);
    out += " (";
    out += proto::close_code_name(code);
    if (!proto::is_valid_on_wire(code)) out += "; not allowed on the wire";
    out += ')';
}

}  // namespace

std::string opcode_label(proto::Opcode op, std::uint64_t continuation_index) {
    std::string label(proto::name(op));
    if (op == proto::Opcode::continuation && continuation_index > 0) {
        label += '#';
        label += std::to_string(continuation_index);
    } else if (proto::is_reserved(op)) {
        label += " (0x";
        label += hex_digits[static_cast<std::uint8_t>(op) & 0xF];
        label += ')';
    }
    return label;
}

void append_close_preview(std::string& out, proto::ByteView body, bool partial) {
    if (body.empty() && !partial) {
        out += "(no status)";
        return;
    }
    // §5.5.1: a body starts with a 2-byte status code.
    if (body.size() < 2) {
        out += partial ? "(truncated)" : "(malformed: 1 byte)";
        return;
    }
    append_close_code(out, proto::load_be16(body.data()));
    if (body.size() == 2 && !partial) return;
    out += ' ';
    append_text_preview(out, body.subspan(2), partial);
}

void append_frame_line(std::string& out, const FrameInfo& frame, const Style& style) {
    append_painted(out, style, tone_for(frame), mark(frame.dir));
    out += ' ';
    append_opcode(out, frame);
    append_bits(out, frame.header);
    append_length(out, frame);
    append_preview(out, frame);
}

std::string frame_line(const FrameInfo& frame, const Style& style) {
    std::string out;
    append_frame_line(out, frame, style);
    return out;
}

}  // namespace wscope::present
