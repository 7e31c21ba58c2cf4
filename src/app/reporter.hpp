// Diagnostics on stderr, one reporter for all of them: errors always, notes unless -q,
// traces with -v. Data never goes through here.
#pragma once

#include <string_view>

namespace wscope::app {

class Reporter {
public:
    Reporter(int verbose, bool quiet) : verbose_(verbose), quiet_(quiet) {}

    void error(std::string_view message) const;    // "wscope: error: …"
    void warning(std::string_view message) const;  // "wscope: warning: …" (unless -q)
    void note(std::string_view message) const;     // "wscope: …" (unless -q)
    void always(std::string_view message) const;   // "wscope: …" even with -q
    void trace(std::string_view line) const;       // "* …" etc. with -v: the line as given
    void raw(std::string_view text) const;         // text as given, always (--stats)
    [[nodiscard]] bool verbose() const { return verbose_ > 0; }
    [[nodiscard]] int verbosity() const { return verbose_; }
    [[nodiscard]] bool quiet() const { return quiet_; }

private:
    int verbose_;
    bool quiet_;
};

}  // namespace wscope::app
