// The curl-style hex dump (see hexdump.hpp for the layout).
#include "present/hexdump.hpp"

#include <algorithm>

namespace wscope::present {
namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::size_t min_offset_digits = 4;
constexpr std::size_t half_row = hexdump_row_bytes / 2;

std::size_t hex_width(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >>= 4) ++n;
    return n;
}

void append_offset(std::string& out, std::uint64_t offset, std::size_t digits) {
    for (std::size_t i = digits; i-- > 0;) out += hex_digits[(offset >> (4 * i)) & 0xF];
    out += ": ";
}

// "xx " per byte, an extra space after the 8th; blanks where a short row has no byte.
void append_hex_column(std::string& out, proto::ByteView row) {
    for (std::size_t i = 0; i < hexdump_row_bytes; ++i) {
        if (i < row.size()) {
            out += hex_digits[row[i] >> 4];
            out += hex_digits[row[i] & 0xF];
            out += ' ';
        } else {
            out += "   ";
        }
        if (i + 1 == half_row) out += ' ';
    }
}

void append_ascii_column(std::string& out, proto::ByteView row) {
    out += '|';
    for (const std::uint8_t b : row) out += (b >= 0x20 && b <= 0x7E) ? static_cast<char>(b) : '.';
    out += '|';
}

void append_more_line(std::string& out, std::string_view indent, std::size_t more) {
    out += indent;
    out += "\u2026 ";
    out += std::to_string(more);
    out += more == 1 ? " more byte\n" : " more bytes\n";
}

}  // namespace

void append_hexdump(std::string& out, proto::ByteView data, const HexdumpOptions& options) {
    const std::size_t shown = std::min(data.size(), options.max_bytes);
    if (shown > 0) {
        // One width for the whole dump, so that the columns stay aligned past 0xffff.
        const std::uint64_t last_row = options.start_offset + (shown - 1) / hexdump_row_bytes *
                                                                  hexdump_row_bytes;
        const std::size_t digits = std::max(min_offset_digits, hex_width(last_row));
        for (std::size_t pos = 0; pos < shown; pos += hexdump_row_bytes) {
            const auto row = data.subspan(pos, std::min(hexdump_row_bytes, shown - pos));
            out += options.indent;
            append_offset(out, options.start_offset + pos, digits);
            append_hex_column(out, row);
            append_ascii_column(out, row);
            out += '\n';
        }
    }
    if (shown < data.size()) append_more_line(out, options.indent, data.size() - shown);
}

std::string hexdump(proto::ByteView data, const HexdumpOptions& options) {
    std::string out;
    append_hexdump(out, data, options);
    return out;
}

std::string hexdump(proto::ByteView data, std::uint64_t start_offset, std::string_view indent) {
    return hexdump(data, HexdumpOptions{start_offset, indent});
}

}  // namespace wscope::present
