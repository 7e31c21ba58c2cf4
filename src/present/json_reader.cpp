// The JSON reader (json_reader.hpp): recursive descent over the text, one function per
// grammar rule of RFC 8259 §2-7.
#include "present/json_reader.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>

namespace wscope::present {

const JsonValue* JsonValue::get(std::string_view key) const {
    const Object* o = as_object();
    if (!o) return nullptr;
    for (const auto& [k, v] : *o)
        if (k == key) return &v;
    return nullptr;
}

std::optional<std::string_view> JsonValue::string_at(std::string_view key) const {
    const JsonValue* v = get(key);
    if (!v || !v->as_string()) return std::nullopt;
    return *v->as_string();
}

std::optional<double> JsonValue::number_at(std::string_view key) const {
    const JsonValue* v = get(key);
    if (!v || !v->as_number()) return std::nullopt;
    return *v->as_number();
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Reader {
public:
    explicit Reader(std::string_view text) : s_(text) {}

    JsonParse run() {
        JsonParse result;
        skip_ws();
        auto v = value(0);
        if (v) {
            skip_ws();
            if (pos_ != s_.size()) fail("unexpected text after the JSON value");
        }
        if (!error_.empty()) {
            result.error = "offset " + std::to_string(pos_) + ": " + error_;
            return result;
        }
        result.value = std::move(v);
        return result;
    }

private:
    std::optional<JsonValue> fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return std::nullopt;
    }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    std::optional<JsonValue> value(std::size_t depth) {
        if (depth >= max_json_depth) return fail("nested deeper than " + std::to_string(max_json_depth) + " levels");
        if (pos_ >= s_.size()) return fail("unexpected end of text");
        const char c = s_[pos_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') {
            auto s = string();
            if (!s) return std::nullopt;
            return JsonValue(std::move(*s));
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (literal("true")) return JsonValue(true);
        if (literal("false")) return JsonValue(false);
        if (literal("null")) return JsonValue();
        return fail(std::string("unexpected character '") + c + "'");
    }

    std::optional<JsonValue> object(std::size_t depth) {
        ++pos_;  // '{'
        JsonValue::Object members;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return JsonValue(std::move(members));
        }
        for (;;) {
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
            auto key = string();
            if (!key) return std::nullopt;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
            ++pos_;
            skip_ws();
            auto v = value(depth + 1);
            if (!v) return std::nullopt;
            members.emplace_back(std::move(*key), std::move(*v));
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return JsonValue(std::move(members));
            }
            return fail("expected ',' or '}'");
        }
    }

    std::optional<JsonValue> array(std::size_t depth) {
        ++pos_;  // '['
        JsonValue::Array items;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return JsonValue(std::move(items));
        }
        for (;;) {
            skip_ws();
            auto v = value(depth + 1);
            if (!v) return std::nullopt;
            items.push_back(std::move(*v));
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                return JsonValue(std::move(items));
            }
            return fail("expected ',' or ']'");
        }
    }

    // RFC 8259 §6: -? int frac? exp?
    std::optional<JsonValue> number() {
        const std::size_t start = pos_;
        const auto digits = [&] {
            const std::size_t from = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            return pos_ > from;
        };
        if (s_[pos_] == '-') ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '0') {
            ++pos_;  // no leading zeros
        } else if (!digits()) {
            return fail("expected a digit");
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (!digits()) return fail("expected a digit after '.'");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (!digits()) return fail("expected a digit in the exponent");
        }
        const std::string text(s_.substr(start, pos_ - start));
        return JsonValue(std::strtod(text.c_str(), nullptr));
    }

    std::optional<std::uint32_t> hex4() {
        if (pos_ + 4 > s_.size()) return std::nullopt;
        std::uint32_t v = 0;
        const auto* first = s_.data() + pos_;
        const auto r = std::from_chars(first, first + 4, v, 16);
        if (r.ec != std::errc() || r.ptr != first + 4) return std::nullopt;
        pos_ += 4;
        return v;
    }

    std::optional<std::string> string() {
        ++pos_;  // '"'
        std::string out;
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in a string");
                return std::nullopt;
            }
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            if (++pos_ >= s_.size()) break;
            const char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    auto cp = hex4();
                    if (!cp) {
                        fail("bad \\u escape");
                        return std::nullopt;
                    }
                    // A high surrogate followed by a low one is one code point (§7); a lone
                    // surrogate becomes U+FFFD, as it has no UTF-8 form.
                    if (*cp >= 0xD800 && *cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
                        const std::size_t back = pos_;
                        pos_ += 2;
                        auto low = hex4();
                        if (low && *low >= 0xDC00 && *low < 0xE000) {
                            append_utf8(out, 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00));
                            break;
                        }
                        pos_ = back;
                    }
                    append_utf8(out, (*cp >= 0xD800 && *cp < 0xE000) ? 0xFFFD : *cp);
                    break;
                }
                default:
                    fail(std::string("bad escape '\\") + e + "'");
                    return std::nullopt;
            }
        }
        fail("unterminated string");
        return std::nullopt;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::string error_;
};

}  // namespace

JsonParse parse_json(std::string_view text) { return Reader(text).run(); }

}  // namespace wscope::present
