// Strict RFC 4648 base64 (the standard alphabet, padding required).
#include "crypto/crypto.hpp"

namespace wscope::crypto {

namespace {

// RFC 4648 §4: the base64 alphabet.
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int not_base64 = -1;

// The 6-bit value of an alphabet character, or not_base64.
int sextet(char c) {
    const auto pos = alphabet.find(c);
    return pos == std::string_view::npos ? not_base64 : static_cast<int>(pos);
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t group =
            (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out += alphabet[(group >> 18) & 0x3F];
        out += alphabet[(group >> 12) & 0x3F];
        out += alphabet[(group >> 6) & 0x3F];
        out += alphabet[group & 0x3F];
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        // RFC 4648 §4 (2): 8 bits → two characters and "==".
        const std::uint32_t group = std::uint32_t{data[i]} << 16;
        out += alphabet[(group >> 18) & 0x3F];
        out += alphabet[(group >> 12) & 0x3F];
        out += "==";
    } else if (rest == 2) {
        // RFC 4648 §4 (3): 16 bits → three characters and "=".
        const std::uint32_t group =
            (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out += alphabet[(group >> 18) & 0x3F];
        out += alphabet[(group >> 12) & 0x3F];
        out += alphabet[(group >> 6) & 0x3F];
        out += '=';
    }
    return out;
}

namespace {

// Decodes one 4-character quantum. `last` allows padding. Pad bits must be zero (RFC 4648
// §3.5: a decoder MAY reject non-canonical encodings; we do, so each text has one meaning).
bool decode_quantum(std::string_view q, bool last, std::vector<std::uint8_t>& out) {
    int pads = 0;
    if (last && q[3] == '=') pads = q[2] == '=' ? 2 : 1;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        const bool is_pad = k >= 4 - static_cast<std::size_t>(pads);
        const int v = is_pad ? 0 : sextet(q[k]);
        if (v == not_base64) return false;  // includes '=' in the middle of the text
        group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    if (pads == 2 && (group & 0xFFFF) != 0) return false;
    if (pads == 1 && (group & 0xFF) != 0) return false;
    out.push_back(static_cast<std::uint8_t>(group >> 16));
    if (pads < 2) out.push_back(static_cast<std::uint8_t>(group >> 8));
    if (pads < 1) out.push_back(static_cast<std::uint8_t>(group));
    return true;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    // Padding is required, so the length is always a multiple of four.
    if (text.size() % 4 != 0) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        if (!decode_quantum(text.substr(i, 4), last, out)) return std::nullopt;
    }
    return out;
}

}  // namespace wscope::crypto
