// A minimal JSON writer (RFC 8259) for one-line objects: members are written in the order
// they are added, with no whitespace. Strings are always valid JSON and valid UTF-8: '"' and
// '\' are escaped, every control character (and DEL) becomes \u00XX, non-ASCII UTF-8 is kept
// as it is, and a byte that is not part of valid UTF-8 becomes U+FFFD. Payloads that must
// survive byte for byte go through append_data() instead, which picks a text or base64 envelope.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::present {

// Appends s as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

class JsonObject {
public:
    JsonObject& string(std::string_view key, std::string_view value);
    // null when value is absent.
    JsonObject& string_or_null(std::string_view key, std::optional<std::string_view> value);
    JsonObject& boolean(std::string_view key, bool value);
    JsonObject& null(std::string_view key);
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    JsonObject& number(std::string_view key, T value) {
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
        return raw(key, std::string_view(buf, static_cast<std::size_t>(end - buf)));
    }
    // A fixed-point number with the given decimals; null when value is not finite (JSON has
    // no NaN or infinity).
    JsonObject& decimal(std::string_view key, double value, int decimals);
    JsonObject& object(std::string_view key, const JsonObject& value);
    // {"text":"…"} when data is valid UTF-8, {"bytes":"<base64>"} otherwise.
    JsonObject& data(std::string_view key, proto::ByteView data);

    [[nodiscard]] bool empty() const noexcept { return members_.empty(); }
    // "{…}"
    [[nodiscard]] std::string str() const;
    // "{…}\n": one JSON Lines record.
    [[nodiscard]] std::string line() const;

private:
    JsonObject& raw(std::string_view key, std::string_view json);
    void begin_member(std::string_view key);

    std::string members_;  // "\"a\":1,\"b\":2" without braces
};

}  // namespace wscope::present
