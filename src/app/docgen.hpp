// Documentation derived from the CLI11 definitions in cli.cpp (STYLE habit 9): the man page and
// the bash, zsh and fish completions. Nothing here knows an option by heart except the small
// table of value hints (which options take a file or a directory); a flag added to cli.cpp
// shows up in every generated file.
//
//   wscope --generate man|bash|zsh|fish     prints one of them (hidden option)
//   scripts/regen-docs                      rewrites man/wscope.1 and completions/* with it
//   tests/app/docs_test.cpp                 fails when a committed file differs
//
// The man page's prose (every section but the option lists) lives in man/wscope.1.in, which is
// compiled into the binary; its lines "@OPTIONS@" and "@OPTIONS listen@" are replaced by the
// option lists of the main command and of the listen subcommand, "@VERSION@" by the version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace wscope::app::docs {

enum class Kind : std::uint8_t { man, bash, zsh, fish };

// "man", "bash", "zsh", "fish" → Kind.
[[nodiscard]] std::optional<Kind> parse_kind(std::string_view name);
// The names parse_kind() accepts, for the option's check.
[[nodiscard]] std::vector<std::string> kind_names();

// What a completion offers for an option's value.
enum class ValueHint : std::uint8_t { none, file, directory };

struct OptionDoc {
    std::vector<std::string> short_names;  // "H" (no dash)
    std::vector<std::string> long_names;   // "header" (no dashes)
    std::string value_name;                // "HEADER"; empty for a flag
    bool optional_value = false;           // -T[=KIND]: the value may be left out
    bool repeatable = false;               // may be given more than once
    std::vector<std::string> choices;      // the allowed values, when the option has a fixed set
    ValueHint hint = ValueHint::none;
    std::string description;
    std::string group;          // as --help shows it ("Connection"); "Options" for -h/-V
    std::string default_value;  // shown in the man page; empty: none

    [[nodiscard]] bool takes_value() const { return !value_name.empty(); }
    // "-H", "--header", "--execute"… in definition order, shorts first.
    [[nodiscard]] std::vector<std::string> names() const;
};

struct PositionalDoc {
    std::string name;        // "url"
    std::string value_name;  // "URL"
    std::string description;
};

struct CommandDoc {
    std::string name;  // empty for the main command, "listen"…
    std::string description;
    std::vector<PositionalDoc> positionals;
    std::vector<OptionDoc> options;   // visible ones (hidden: group ""), in --help order
    std::vector<std::string> groups;  // in --help order
};

// The main command, then each subcommand. Takes the App by non-const reference only because
// CLI11 2.1 has no const access to an option's validators.
[[nodiscard]] std::vector<CommandDoc> describe(CLI::App& app);

// The whole generated file. A man page template with no marker for one of the commands is a
// programming error: it throws std::logic_error naming the marker.
[[nodiscard]] std::string generate(CLI::App& app, Kind kind);

// The same, from an explicit man page template (for tests).
[[nodiscard]] std::string man_page(const std::vector<CommandDoc>& commands, std::string_view tmpl,
                                   std::string_view version);

// The compiled-in man/wscope.1.in.
[[nodiscard]] std::string_view man_template();

}  // namespace wscope::app::docs
