// The `check` subcommand's options (SPEC §2.9), defined once here and kept in the subcommand
// object itself, so that the rest of the command line needs no field for them.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace wscope::app {

struct CheckOptions {
    std::string url;
    std::string only;        // --only patterns (check/select.hpp)
    bool no_echo = false;    // skip the cases that need an echo server
    bool jsonl = false;
    bool frames = false;     // -F: the wire of each case, one line per frame
    bool hexdump = false;    // -X: and the bytes
    double timeout = 3;      // seconds per case
    unsigned parallel = 4;   // cases at once
    double connect_timeout = 10;
    bool insecure = false;
    std::string cacert;
    std::string color = "auto";
};

class CheckCommand final : public CLI::App {
public:
    CheckCommand();
    CheckOptions options;
};

// Adds `wscope check [OPTIONS] URL` to app.
void add_check_command(CLI::App& app);

// The check subcommand when the command line chose it, nullptr otherwise.
[[nodiscard]] const CheckCommand* chosen_check_command(const CLI::App& app);

}  // namespace wscope::app
