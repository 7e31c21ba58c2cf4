// The `replay` subcommand's options (SPEC §2.8), defined once here and kept in the subcommand
// object itself, as `check` does.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace wscope::app {

struct ReplayOptions {
    std::string file;                 // a transcript (--record) or a HAR file
    std::string url;                  // empty: the recorded one
    std::string entry;                // --entry N|TEXT for HAR files
    double speed = 1;                 // --speed X: gaps divided by X
    bool no_wait = false;             // --no-wait: no gaps at all
    bool expect = false;              // --expect: exit 8 at the first difference
    std::vector<std::string> ignore;  // --ignore REGEX (repeatable)
    double timeout = 10;              // seconds to wait for each recorded reply
    std::string export_format;        // --export tsung
    bool insecure = false;
    std::string cacert;
    double connect_timeout = 10;
    bool quiet = false;
};

class ReplayCommand final : public CLI::App {
public:
    ReplayCommand();
    ReplayOptions options;
};

// Adds `wscope replay [OPTIONS] FILE [URL]` to app.
void add_replay_command(CLI::App& app);

// The replay subcommand when the command line chose it, nullptr otherwise.
[[nodiscard]] const ReplayCommand* chosen_replay_command(const CLI::App& app);

}  // namespace wscope::app
