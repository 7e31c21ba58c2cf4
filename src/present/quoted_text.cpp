// Escaping and width-bounding of text previews (see quoted_text.hpp for the escapes).
#include "present/quoted_text.hpp"

#include <string_view>

#include "present/utf8_step.hpp"

namespace wscope::present {
namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

void append_hex_escape(std::string& out, std::uint8_t b) {
    out += "\\x";
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
}

void append_u_escape(std::string& out, char32_t cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex_digits[(cp >> shift) & 0xF];
}

// Code points that would steer the terminal or reorder the line if printed as they are.
bool is_format_control(char32_t cp) noexcept {
    if (cp >= 0x80 && cp <= 0x9F) return true;      // C1 controls
    if (cp == 0x200E || cp == 0x200F) return true;  // LRM, RLM
    if (cp >= 0x2028 && cp <= 0x202E) return true;  // line/paragraph separators, embeddings
    return cp >= 0x2066 && cp <= 0x2069;            // isolates
}

// The escape for an ASCII byte, or empty when it is shown as it is.
std::string ascii_escape(std::uint8_t b, bool quoted) {
    if (!quoted && (b == '"' || b == '\\' || b == '\n')) return {};
    switch (b) {
        case '"': return "\\\"";
        case '\\': return "\\\\";
        case '\n': return "\\n";
        case '\t': return "\\t";
        case '\r': return "\\r";
        default: break;
    }
    if (b >= 0x20 && b != 0x7F) return {};
    std::string e;
    append_hex_escape(e, b);
    return e;
}

// The text that shows the sequence data[pos, pos+step.len): an escape, or the bytes as they are.
std::string render(proto::ByteView data, std::size_t pos, const Utf8Step& step, bool quoted = true) {
    std::string piece;
    if (step.kind != Utf8Step::Kind::ok) {
        append_hex_escape(piece, data[pos]);
    } else if (step.len == 1) {
        piece = ascii_escape(data[pos], quoted);
        if (piece.empty()) piece += static_cast<char>(data[pos]);
    } else if (is_format_control(step.code_point)) {
        append_u_escape(piece, step.code_point);
    } else {
        piece.assign(proto::as_chars(data.subspan(pos, step.len)));
    }
    return piece;
}

// Columns a rendered piece takes: an escape its length, a code point one.
std::size_t columns(const std::string& piece, const Utf8Step& step) noexcept {
    const bool raw_multibyte = step.kind == Utf8Step::Kind::ok && step.len > 1 && piece[0] != '\\';
    return raw_multibyte ? 1 : piece.size();
}

}  // namespace

QuotedText append_quoted(std::string& out, proto::ByteView data, std::size_t max_columns,
                         bool partial) {
    out += '"';
    std::size_t pos = 0;
    std::size_t used = 0;
    while (pos < data.size()) {
        Utf8Step step = utf8_step(data, pos);
        if (step.kind == Utf8Step::Kind::incomplete) {
            if (partial) break;  // the rest of the sequence is in bytes we were not given
            step = {Utf8Step::Kind::invalid, 0, 1};
        }
        const std::string piece = render(data, pos, step);
        const std::size_t width = columns(piece, step);
        if (used + width > max_columns) break;
        out += piece;
        used += width;
        pos += step.kind == Utf8Step::Kind::ok ? step.len : 1;
    }
    out += '"';
    return {pos, pos < data.size() || partial};
}

}  // namespace wscope::present

namespace wscope::present {

void append_display_text(std::string& out, proto::ByteView data, std::string_view newline) {
    std::size_t pos = 0;
    while (pos < data.size()) {
        Utf8Step step = utf8_step(data, pos);
        if (step.kind == Utf8Step::Kind::incomplete) step = {Utf8Step::Kind::invalid, 0, 1};
        if (step.kind == Utf8Step::Kind::ok && step.len == 1 && data[pos] == '\n')
            out += newline;
        else
            out += render(data, pos, step, false);
        pos += step.kind == Utf8Step::Kind::ok ? step.len : 1;
    }
}

std::string display_text(std::string_view text) {
    std::string out;
    append_display_text(out, proto::as_bytes(text), "\\n");
    return out;
}

std::string quoted(std::string_view text, std::size_t max_columns) {
    std::string out;
    append_quoted(out, proto::as_bytes(text), max_columns);
    return out;
}

}  // namespace wscope::present
