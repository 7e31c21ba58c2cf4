// listen --script FILE (SPEC §2.7): a mock server written as rules, one per line:
//
//   TRIGGER  ACTION [; ACTION…]          # a comment
//
// Triggers: open, text "exact", text /regex/, text *, binary, close, * (any message). The
// first rule whose trigger matches runs. Actions: send TEXT, send-binary HEX, sleep MS,
// every MS xN send TEXT, close CODE [REASON], drop, fault SPEC, expect text "…" | text /re/ |
// binary. In TEXT, $msg is the received message and $n the repetition number (every), or how
// many times the rule has run. MS is a number of milliseconds, "50ms" or "2s".
//
// Each client's actions run one after another, in the order their triggers fired: a sleep or
// an every holds the ones queued after it. expect arms an expectation on the client's next
// message; one that is not met (another message came, or the client left) is reported, and
// makes the run exit 8.
//
// parse_script and Scenario are pure; scenario_feature.cpp runs them on the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/faults.hpp"
#include "proto/bytes.hpp"
#include "proto/event.hpp"

namespace wscope::app {

// What a message must be (a trigger's or an expectation's).
struct Match {
    enum class Kind : std::uint8_t { any, text_any, text_exact, text_regex, binary };
    Kind kind = Kind::any;
    std::string text;                  // exact text, or the regex's source
    std::shared_ptr<std::regex> regex;  // text_regex
    [[nodiscard]] bool matches(proto::MessageType type, std::string_view data) const;
    [[nodiscard]] std::string describe() const;  // text "bye", text /re/, binary…
};

struct Action {
    enum class Kind : std::uint8_t { send, send_binary, sleep, every, close, drop, fault, expect };
    Kind kind = Kind::send;
    std::string text;          // send / every: the template; close: the reason
    proto::Bytes bytes;        // send-binary
    std::chrono::milliseconds ms{0};  // sleep / every
    std::uint64_t count = 1;   // every xN
    std::uint16_t code = 0;    // close
    Fault fault;               // fault
    Match expect;              // expect
    int line = 0;
};

struct Rule {
    enum class On : std::uint8_t { open, message, close };
    On on = On::message;
    Match match;  // On::message
    std::vector<Action> actions;
    int line = 0;
};

struct Script {
    std::vector<Rule> rules;
};

// An error names the file, the line and the column: "FILE:3:12: unknown action "sned"".
using ScriptParse = std::variant<Script, std::string>;
[[nodiscard]] ScriptParse parse_script(std::string_view text, std::string_view file);

// One thing to do, with its text expanded.
struct Step {
    enum class Kind : std::uint8_t { send_text, send_binary, wait, close, drop, fault, expect };
    Kind kind = Kind::send_text;
    std::string text;  // send_text; close: reason
    proto::Bytes bytes;
    std::chrono::milliseconds ms{0};
    std::uint16_t code = 0;
    Fault fault;
    Match expect;
    int line = 0;
    std::uint64_t after = 0;  // fault: the messages received when its rule ran (its @N counts from there)
};

// One client's run of a script.
class Scenario {
public:
    explicit Scenario(std::shared_ptr<const Script> script) : script_(std::move(script)) {}
    [[nodiscard]] std::vector<Step> on_open();
    [[nodiscard]] std::vector<Step> on_message(proto::MessageType type, proto::ByteView data);
    [[nodiscard]] std::vector<Step> on_close();

    // Expectations: arm() when an expect step is reached; each message is checked first.
    void arm(const Step& expect);
    // An unmet expectation, described, when this message does not meet the one armed.
    [[nodiscard]] std::optional<std::string> check(proto::MessageType type, proto::ByteView data);
    // The expectations still armed when the client leaves, described.
    [[nodiscard]] std::vector<std::string> unmet_at_end();

private:
    std::vector<Step> run(std::size_t rule, std::string_view msg);

    std::shared_ptr<const Script> script_;
    std::vector<std::uint64_t> runs_;  // per rule: how many times it ran
    std::vector<Step> armed_;
};

// --script: the file read and checked before the server starts (a usage error names the
// line and column), and the feature that runs it for each client.
[[nodiscard]] std::string check_listen_script(const ListenOptions& options);
[[nodiscard]] std::unique_ptr<ListenFeature> make_scenario_feature(const ListenOptions& options, Console& console);

}  // namespace wscope::app
