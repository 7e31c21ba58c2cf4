// The --help text, in the manner of curl's: a usage line, the options group by group with
// a blank line between groups, then the command's footer (examples and where to read more).
//
//   -n, --count N            Close after receiving N messages
//       --chunk N            Input is cut into messages of N bytes
//
// Value names are printed as the definitions give them (type_name), never with CLI11's
// additions (":POSITIVE", "=1000", "REQUIRED", "{wall,relative}"); defaults are stated in the
// descriptions. Lines are wrapped at 80 columns.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace wscope::app {

class HelpFormatter : public CLI::Formatter {
  public:
    std::string make_help(const CLI::App* app, std::string name,
                          CLI::AppFormatMode mode) const override;
};

// "-n, --count N", "    --chunk N", "-T": the names and value of one option as --help
// shows them (without the two leading spaces).
[[nodiscard]] std::string help_option_head(const CLI::Option& opt);

// text wrapped at width columns, continuation lines indented by indent spaces; the first line
// is not indented (the caller has placed it).
[[nodiscard]] std::string wrap_text(const std::string& text, std::size_t indent, std::size_t width);

}  // namespace wscope::app
