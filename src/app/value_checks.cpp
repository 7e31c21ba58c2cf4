// The value checks of value_checks.hpp.
#include "app/value_checks.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "proto/close_code.hpp"

namespace wscope::app::checks {
namespace {

std::string got(std::string_view value) {
    return " (got " + (value.empty() ? std::string("\"\"") : std::string(value)) + ")";
}

// "a, b or c".
std::string spoken_list(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
        out += words[i];
    }
    return out;
}

std::string braced_list(const std::vector<std::string>& words) {
    std::string out = "{";
    for (std::size_t i = 0; i < words.size(); ++i) out += (i ? "," : "") + words[i];
    return out + "}";
}

// The sizes in bytes of the suffixes parse_byte_size() accepts, in either case.
struct Unit {
    std::string_view suffix;
    std::uint64_t bytes;
};
constexpr Unit units[] = {
    {"", 1},           {"b", 1},
    {"k", 1ull << 10}, {"kib", 1ull << 10},
    {"m", 1ull << 20}, {"mib", 1ull << 20},
    {"g", 1ull << 30}, {"gib", 1ull << 30},
};

bool same_letters(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (c != lower[i]) return false;
    }
    return true;
}

const char* const close_codes_hint = "use 1000-1003, 1007-1014 or 3000-4999";

}  // namespace

std::optional<std::uint64_t> parse_unsigned(std::string_view s) {
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;  // no sign
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<double> parse_seconds(std::string_view s) {
    if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_byte_size(std::string_view s) {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    const auto number = parse_unsigned(s.substr(0, digits));
    if (!number) return std::nullopt;
    for (const Unit& u : units) {
        if (!same_letters(s.substr(digits), u.suffix)) continue;
        if (*number > UINT64_MAX / u.bytes) return std::nullopt;
        return *number * u.bytes;
    }
    return std::nullopt;
}

CLI::Validator positive_integer(std::uint64_t max) {
    return CLI::Validator(
        [max](std::string& value) -> std::string {
            const auto n = parse_unsigned(value);
            if (!n || *n == 0) return "must be a positive integer" + got(value);
            if (*n > max) return "must be at most " + std::to_string(max) + got(value);
            return {};
        },
        "", "positive integer");
}

CLI::Validator non_negative_integer(std::uint64_t max) {
    return CLI::Validator(
        [max](std::string& value) -> std::string {
            const auto n = parse_unsigned(value);
            if (!n) return "must be a non-negative integer" + got(value);
            if (*n > max) return "must be at most " + std::to_string(max) + got(value);
            return {};
        },
        "", "non-negative integer");
}

CLI::Validator positive_seconds() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const auto s = parse_seconds(value);
            if (!s || *s <= 0) return "must be a positive number of seconds" + got(value);
            if (*s > max_seconds) return "must be at most 1000000000 seconds" + got(value);
            return {};
        },
        "", "positive seconds");
}

CLI::Validator non_negative_seconds() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const auto s = parse_seconds(value);
            if (!s) return "must be a non-negative number of seconds" + got(value);
            if (*s > max_seconds) return "must be at most 1000000000 seconds" + got(value);
            return {};
        },
        "", "non-negative seconds");
}

CLI::Validator byte_size() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const auto n = parse_byte_size(value);
            if (!n || *n == 0)
                return "must be a positive size in bytes, such as 65536, 64K or 16M" + got(value);
            value = std::to_string(*n);
            return {};
        },
        "", "byte size");
}

CLI::Validator close_code() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const auto n = parse_unsigned(value);
            if (!n)
                return (value.empty() ? std::string("\"\"") : value) + " is not a number (" +
                       close_codes_hint + ")";
            if (*n > UINT16_MAX || !proto::is_valid_on_wire(static_cast<std::uint16_t>(*n)))
                return value + " may not be sent (" + close_codes_hint + "; RFC 6455 §7.4)";
            return {};
        },
        "", "close code");
}

CLI::Validator one_of(std::vector<std::string> words) {
    const std::string description = braced_list(words);
    return CLI::Validator(
        [words = std::move(words)](std::string& value) -> std::string {
            for (const auto& w : words)
                if (w == value) return {};
            return "must be " + spoken_list(words) + got(value);
        },
        description, "one of");
}

CLI::Validator existing_file() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            std::error_code ec;
            const auto st = std::filesystem::status(value, ec);
            if (!std::filesystem::exists(st)) return "must be an existing file" + got(value);
            if (std::filesystem::is_directory(st))
                return "must be a file, not a directory" + got(value);
            return {};
        },
        "", "existing file");
}

CLI::Validator existing_directory() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            std::error_code ec;
            if (!std::filesystem::is_directory(std::filesystem::status(value, ec)))
                return "must be an existing directory" + got(value);
            return {};
        },
        "", "existing directory");
}

}  // namespace wscope::app::checks
