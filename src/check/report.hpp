// The report of a check run, as text: one line per case, the wire of a case for -F/-X, a
// summary per group and overall; or the same as JSON Lines. Pure: strings out.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "check/runner.hpp"
#include "present/style.hpp"

namespace wscope::check {

// "6.3.3   FAIL       invalid UTF-8 (an overlong NUL, C0 80) was echoed; expected Close 1007 (RFC 6455 §8.1)"
// Timed cases add " in 0.42 s".
[[nodiscard]] std::string case_line(const CaseResult& r, const present::Style& style = {});
// "6.3.3   SKIP       … (needs an echo server)"
[[nodiscard]] std::string skipped_line(const Case& c);
// {"type":"case","id":…,"group":…,"verdict":"FAIL","rule":…,"reason":…,"echo":…,"ms":…}
[[nodiscard]] std::string case_json(const CaseResult& r);
[[nodiscard]] std::string skipped_json(const Case& c);

// The wire of a case: "> " / "< " lines of each HTTP head, a frame line per frame, and with
// hexdump the frame bytes as on the wire. Each line without its '\n'.
[[nodiscard]] std::vector<std::string> wire_lines(const std::vector<WireItem>& wire, bool hexdump,
                                                  const present::Style& style = {});

struct Tally {
    std::size_t pass = 0, non_strict = 0, fail = 0, skipped = 0;
    void add(Grade g);
    [[nodiscard]] std::size_t run() const { return pass + non_strict + fail; }
};

class Summary {
public:
    void add(const CaseResult& r);
    void skip(const Case& c);
    [[nodiscard]] bool failed() const { return total_.fail > 0; }
    [[nodiscard]] const Tally& total() const { return total_; }
    // One line per group that had a case, then "total: …" with the time taken.
    [[nodiscard]] std::vector<std::string> lines(double seconds) const;
    [[nodiscard]] std::string json(double seconds) const;

private:
    std::vector<std::string> order_;  // groups as first seen
    std::map<std::string, Tally> groups_;
    Tally total_;
    Tally& group(const std::string& name);
};

}  // namespace wscope::check
