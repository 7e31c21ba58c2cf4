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

// Builds the parser; values land in the returned CommandLine.
[[nodiscard]] std::unique_ptr<CommandLine> make_command_line();

// After a successful parse: checks combinations and fills the derived fields (config.cpp).
// Returns an error message for a usage error, or empty.
[[nodiscard]] std::string resolve(CommandLine& cl);

// The console the resolved output options ask for.
[[nodiscard]] ConsoleSetup console_setup(const OutputOptions& o);

}  // namespace wscope::app
