// `wscope check URL` (SPEC §2.9): runs the conformance cases against a server and reports a
// verdict per case. Exit 0 when no case FAILed, 8 when one did.
#pragma once

#include <string_view>

#include "app/check_cli.hpp"

namespace wscope::app {

// Where the report goes: result lines to stdout, the wire (-F/-X) and errors to stderr. One
// small interface so the output can move to the program's console without touching the mode.
class LineSink {
public:
    virtual ~LineSink() = default;
    virtual void out(std::string_view line) = 0;
    virtual void err(std::string_view line) = 0;
    virtual void flush() = 0;
};

[[nodiscard]] int run_check(const CheckOptions& options, LineSink& sink);
// With stdout and stderr.
[[nodiscard]] int run_check(const CheckCommand& command);

}  // namespace wscope::app
