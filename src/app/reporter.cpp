// stderr writer for diagnostics. Unbuffered, one write per line, so lines from different
// sources never interleave mid-line.
#include "app/reporter.hpp"

#include <unistd.h>

#include <string>

namespace wscope::app {
namespace {

void write_all(std::string_view rest) {
    while (!rest.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n <= 0) return;  // stderr is gone: nothing better to do
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void write_line(std::string_view prefix, std::string_view message) {
    std::string line;
    line.reserve(prefix.size() + message.size() + 1);
    line.append(prefix).append(message).push_back('\n');
    write_all(line);
}

}  // namespace

void Reporter::error(std::string_view message) const { write_line("wscope: error: ", message); }

void Reporter::warning(std::string_view message) const {
    if (!quiet_) write_line("wscope: warning: ", message);
}

void Reporter::note(std::string_view message) const {
    if (!quiet_) write_line("wscope: ", message);
}

void Reporter::always(std::string_view message) const { write_line("wscope: ", message); }

void Reporter::raw(std::string_view text) const { write_all(text); }

void Reporter::trace(std::string_view line) const {
    if (verbose_ > 0) write_line("", line);
}

}  // namespace wscope::app
