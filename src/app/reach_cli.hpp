// The client's reach options (SPEC §2.10): --reconnect[=MAX], --reconnect-delay,
// --reconnect-always, --socks5, --socks5-hostname and --max-time. Defined here, resolved
// here into ClientOptions, so that cli.cpp and config.cpp only call in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/cli.hpp"
#include "session/clock.hpp"

namespace wscope::app {

void add_reach_options(CLI::App& app, CommandLine& cl);

// After parsing: fills ClientOptions::reconnect, max_time and proxy; an error message for a
// usage error, or empty.
[[nodiscard]] std::string resolve_reach(CommandLine& cl);

// "MIN" or "MIN:MAX" in seconds (fractions allowed), MIN > 0, MAX >= MIN; MAX defaults to
// 30 s, or to MIN when MIN is larger. nullopt when malformed.
struct DelayRange {
    session::Duration min, max;
};
[[nodiscard]] std::optional<DelayRange> parse_delay_range(std::string_view text);

}  // namespace wscope::app
