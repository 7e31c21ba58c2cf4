// A minimal JSON reader (RFC 8259) for the files wscope reads back: its own JSON Lines
// transcripts and HAR exports. It builds a small tree; numbers are doubles; strings are
// decoded to UTF-8 (\u escapes included, surrogate pairs joined). Nesting is bounded so that
// a hostile file cannot exhaust the stack. Errors say where (byte offset) and what.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace wscope::present {

// Deeper nesting than any transcript or HAR file has; bounds the reader's recursion.
inline constexpr std::size_t max_json_depth = 64;

class JsonValue {
public:
    using Array = std::vector<JsonValue>;
    using Object = std::vector<std::pair<std::string, JsonValue>>;  // in file order

    JsonValue() = default;
    explicit JsonValue(bool b) : v_(b) {}
    explicit JsonValue(double d) : v_(d) {}
    explicit JsonValue(std::string s) : v_(std::move(s)) {}
    explicit JsonValue(Array a) : v_(std::move(a)) {}
    explicit JsonValue(Object o) : v_(std::move(o)) {}

    [[nodiscard]] bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
    [[nodiscard]] const bool* as_bool() const { return std::get_if<bool>(&v_); }
    [[nodiscard]] const double* as_number() const { return std::get_if<double>(&v_); }
    [[nodiscard]] const std::string* as_string() const { return std::get_if<std::string>(&v_); }
    [[nodiscard]] const Array* as_array() const { return std::get_if<Array>(&v_); }
    [[nodiscard]] const Object* as_object() const { return std::get_if<Object>(&v_); }

    // An object's member (the first of that name), or nullptr.
    [[nodiscard]] const JsonValue* get(std::string_view key) const;
    // Shortcuts for a member of a given type: nullopt when absent or of another type.
    [[nodiscard]] std::optional<std::string_view> string_at(std::string_view key) const;
    [[nodiscard]] std::optional<double> number_at(std::string_view key) const;

private:
    std::variant<std::monostate, bool, double, std::string, Array, Object> v_;
};

struct JsonParse {
    std::optional<JsonValue> value;  // set on success
    std::string error;               // "offset 12: expected ':'" on failure
};

// Parses one whole JSON text (surrounding whitespace allowed, nothing else after it).
[[nodiscard]] JsonParse parse_json(std::string_view text);

}  // namespace wscope::present
