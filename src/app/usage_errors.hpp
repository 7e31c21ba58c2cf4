// What run() does around CLI11's parse. Before it: "-l PORT …" (wscat style) becomes
// "listen PORT …", so that every listen option works after -l. After a failure: CLI11's
// message becomes one short line for "wscope: error: ", with a pointer to the right --help
// and, for the habits of wscat users, the wscope spelling.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace wscope::app {

struct ListenRewrite {
    std::vector<std::string> args;  // argv[1…], rewritten
    std::string error;              // non-empty: a usage error, args unchanged
};

// args is argv without argv[0]. takes_value("-n") / takes_value("--count") tells whether an
// option takes its value from the next word (so that a value is never read as an option).
// -l PORT, -lPORT, --listen PORT and --listen=PORT are recognised up to "--", also at the
// end of a cluster of short flags (-vl 9000). Without -l, args come back unchanged.
[[nodiscard]] ListenRewrite rewrite_listen_short(
    std::vector<std::string> args, const std::function<bool(std::string_view)>& takes_value);

// The one-line message for a failed parse. args: what was parsed (after the rewrite);
// in_listen: the error arose in the listen command; main/listen: the two option tables.
[[nodiscard]] std::string usage_message(const CLI::ParseError& e,
                                        const std::vector<std::string>& args, bool in_listen,
                                        const CLI::App& main, const CLI::App& listen);

}  // namespace wscope::app
