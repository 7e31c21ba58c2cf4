// Checks of option values, one per kind of value. Each fails with one short line that names
// the kind and repeats what was given. CLI11 puts the option's name and ": " in front of the
// message; usage_errors.cpp drops the ": ", so that the user reads
//   wscope: error: --count must be a positive integer (got 0)
// Every message therefore starts with "must be" or with the value itself.
//
// A check accepts only what the option's variable can hold, so CLI11's own conversion that
// follows never fails (its messages are not ours).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace wscope::app::checks {

// Largest number of seconds accepted: a timeout of more than ~31 years is a typo, and
// seconds × 1000 must still fit the millisecond counts the timers use.
inline constexpr double max_seconds = 1e9;

// 1, 2, 3… up to max (for -n, --chunk, --max-clients).
[[nodiscard]] CLI::Validator positive_integer(std::uint64_t max = UINT64_MAX);
// 0, 1, 2… up to max (for --max-redirs).
[[nodiscard]] CLI::Validator non_negative_integer(std::uint64_t max = UINT64_MAX);
// A number of seconds, fractions allowed: > 0 (--ping-interval) or >= 0 (-w).
[[nodiscard]] CLI::Validator positive_seconds();
[[nodiscard]] CLI::Validator non_negative_seconds();
// A size in bytes: 65536, 64K, 64KiB, 16M, 1G (powers of 1024). A transform: the value
// becomes the plain number of bytes. Use with Option::transform().
[[nodiscard]] CLI::Validator byte_size();
// A close code that may be sent (RFC 6455 §7.4): 1000-1003, 1007-1014, 3000-4999.
[[nodiscard]] CLI::Validator close_code();
// One of a fixed set of words. Its description is "{a,b,c}", which docgen reads as the
// option's choices (for the completions).
[[nodiscard]] CLI::Validator one_of(std::vector<std::string> words);
// A file or directory that exists.
[[nodiscard]] CLI::Validator existing_file();
[[nodiscard]] CLI::Validator existing_directory();

// The parsers behind them, for tests. Plain decimal digits only: no sign, no spaces, no hex.
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view s);
// Decimal with an optional fraction ("2", "0.5", ".25", "1e3"); finite and >= 0.
[[nodiscard]] std::optional<double> parse_seconds(std::string_view s);
[[nodiscard]] std::optional<std::uint64_t> parse_byte_size(std::string_view s);

}  // namespace wscope::app::checks
