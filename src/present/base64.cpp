// Base64 encoding: every 3 bytes become 4 characters of 6 bits each; a short last group is
// padded with '=' (RFC 4648 §4).
#include "present/base64.hpp"

#include <algorithm>
#include <string_view>

namespace wscope::present {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Encodes n (1-3) bytes of group, padding to 4 characters.
void append_group(std::string& out, const std::uint8_t* group, std::size_t n) {
    const std::uint32_t bits = (std::uint32_t{group[0]} << 16) |
                               (n > 1 ? std::uint32_t{group[1]} << 8 : 0) |
                               (n > 2 ? std::uint32_t{group[2]} : 0);
    out += alphabet[(bits >> 18) & 0x3F];
    out += alphabet[(bits >> 12) & 0x3F];
    out += n > 1 ? alphabet[(bits >> 6) & 0x3F] : '=';
    out += n > 2 ? alphabet[bits & 0x3F] : '=';
}

}  // namespace

void append_base64(std::string& out, proto::ByteView data) {
    out.reserve(out.size() + (data.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < data.size(); i += 3)
        append_group(out, data.data() + i, std::min<std::size_t>(3, data.size() - i));
}

std::string base64(proto::ByteView data) {
    std::string out;
    append_base64(out, data);
    return out;
}

}  // namespace wscope::present
