// The command line: every option defined once, in groups, with CLI11. --help, the man page and
// the completions are checked against these definitions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/console.hpp"
#include "app/options.hpp"

namespace wscope::app {

enum class Mode : std::uint8_t { client, listen };

struct CommandLine {
    std::unique_ptr<CLI::App> app;
    Mode mode = Mode::client;
    ClientOptions client;
    ListenOptions listen;
    CLI::App* listen_cmd = nullptr;
    std::string listen_prefix = "auto";  // listen --prefix
    // Raw strings that need checking after parsing.
    std::vector<std::string> raw_headers;
    std::string color = "auto", listen_color = "auto", timestamps, listen_timestamps;
    bool timestamps_flag = false, listen_timestamps_flag = false;
    bool null_flag = false, whole = false, text_flag = false, ipv4 = false, ipv6 = false;
    std::uint64_t mask_seed = 0;
    // reach_cli.cpp's raw values.
    std::string reconnect_raw, reconnect_delay = "0.5:30", socks5, socks5_hostname;
};

// The subcommands a parser is built with. Each costs a few hundred thousand instructions to
// build (CLI11 compares every new option with each earlier one), so a client run builds none.
struct Subcommands {
    bool listen = true, check = true, replay = true;
    [[nodiscard]] bool all() const { return listen && check && replay; }
};

// The subcommands a parse of args (argv without argv[0]) can enter. CLI11 enters one only at a
// word that is its name (-l and --listen become "listen"), so leaving out the others changes
// no parse; --help and --generate list every one, so they ask for all.
[[nodiscard]] Subcommands subcommands_for(const std::vector<std::string>& args);

// Builds the parser; values land in the returned CommandLine.
[[nodiscard]] std::unique_ptr<CommandLine> make_command_line(Subcommands parts = {});

// After a successful parse: checks combinations and fills the derived fields (config.cpp).
// Returns an error message for a usage error, or empty.
[[nodiscard]] std::string resolve(CommandLine& cl);

// The console the resolved output options ask for.
[[nodiscard]] ConsoleSetup console_setup(const OutputOptions& o);

}  // namespace wscope::app
