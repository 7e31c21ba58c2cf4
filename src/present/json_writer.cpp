// JSON string escaping and object building (layout and rules in json_writer.hpp).
#include "present/json_writer.hpp"

#include <cmath>

#include "present/base64.hpp"
#include "present/utf8_step.hpp"
#include "proto/utf8.hpp"

namespace wscope::present {
namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

void append_ascii(std::string& out, char c) {
    const auto b = static_cast<std::uint8_t>(c);
    if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
    } else if (b < 0x20 || b == 0x7F) {
        out += "\\u00";
        out += hex_digits[b >> 4];
        out += hex_digits[b & 0xF];
    } else {
        out += c;
    }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    const proto::ByteView bytes = proto::as_bytes(s);
    out += '"';
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const Utf8Step step = utf8_step(bytes, pos);
        if (step.kind != Utf8Step::Kind::ok) {
            out += replacement_character;
            pos += 1;
        } else if (step.len == 1) {
            append_ascii(out, s[pos]);
            pos += 1;
        } else {
            out += s.substr(pos, step.len);
            pos += step.len;
        }
    }
    out += '"';
}

void JsonObject::begin_member(std::string_view key) {
    if (!members_.empty()) members_ += ',';
    append_json_string(members_, key);
    members_ += ':';
}

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
    begin_member(key);
    members_ += json;
    return *this;
}

JsonObject& JsonObject::string(std::string_view key, std::string_view value) {
    begin_member(key);
    append_json_string(members_, value);
    return *this;
}

JsonObject& JsonObject::string_or_null(std::string_view key,
                                       std::optional<std::string_view> value) {
    return value ? string(key, *value) : null(key);
}

JsonObject& JsonObject::boolean(std::string_view key, bool value) {
    return raw(key, value ? "true" : "false");
}

JsonObject& JsonObject::null(std::string_view key) { return raw(key, "null"); }

JsonObject& JsonObject::decimal(std::string_view key, double value, int decimals) {
    if (!std::isfinite(value)) return null(key);
    char buf[64];
    const auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
    if (ec != std::errc{}) return null(key);  // too large to write in fixed notation
    return raw(key, std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

JsonObject& JsonObject::object(std::string_view key, const JsonObject& value) {
    return raw(key, value.str());
}

JsonObject& JsonObject::data(std::string_view key, proto::ByteView bytes) {
    JsonObject envelope;
    if (proto::is_valid_utf8(bytes)) {
        envelope.string("text", proto::as_chars(bytes));
    } else {
        envelope.begin_member("bytes");
        envelope.members_ += '"';
        append_base64(envelope.members_, bytes);
        envelope.members_ += '"';
    }
    return object(key, envelope);
}

std::string JsonObject::str() const { return "{" + members_ + "}"; }

std::string JsonObject::line() const { return "{" + members_ + "}\n"; }

}  // namespace wscope::present
