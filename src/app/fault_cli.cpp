// listen's fault and scenario options (fault_cli.hpp). Each value is checked here, so a bad
// one is a one-line usage error that names it.
#include "app/fault_cli.hpp"

#include <string>
#include <variant>

#include "app/faults.hpp"
#include "app/value_checks.hpp"

namespace wscope::app {
namespace {

CLI::Validator fault_spec() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const FaultParse parsed = parse_fault(value);
            if (const auto* error = std::get_if<std::string>(&parsed)) return *error;
            return {};
        },
        "", "fault");
}

CLI::Validator header_field() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            const FaultParse parsed = parse_fault("header=" + value);
            if (std::holds_alternative<std::string>(parsed))
                return "\"" + value + "\" must be NAME:VALUE (a token, a colon, then the value)";
            return {};
        },
        "", "header");
}

}  // namespace

void add_listen_fault_options(CLI::App& cmd, ListenOptions& l) {
    const char* g = "Faults and scenarios";
    cmd.add_option("--fault", l.faults,
                   "Break clients on purpose (repeatable; @N: after the N-th message received from the "
                   "client). Handshake: delay-handshake=MS, reject=STATUS, bad-accept, no-accept, "
                   "no-upgrade, no-connection, extra-protocol=NAME, extra-extension=NAME, cut-handshake, "
                   "header=NAME:VALUE. Timing: delay=MS, fragment=N[,ping], chop=N, slow-read=BPS, "
                   "ping-every=S. Endings: no-pong, no-close-reply, close=CODE[:REASON]@N, drop@N, "
                   "reset@N. Violations: violate=KIND@N with KIND masked, rsv1, opcode=3, bad-utf8, "
                   "long-ping, fragmented-ping, bad-close-code, non-minimal-length or continuation")
        ->check(fault_spec())->allow_extra_args(false)->type_name("SPEC")->group(g);
    cmd.add_option("--script", l.script,
                   "Answer clients by the rules in FILE: TRIGGER ACTION [; ACTION…] per line (see "
                   "SCENARIOS in the man page)")
        ->check(checks::existing_file())->type_name("FILE")->group(g);
    cmd.add_option("--header", l.headers, "Add this header to every 101 response (repeatable)")
        ->check(header_field())->allow_extra_args(false)->type_name("NAME:VALUE")->group(g);
    cmd.add_option("--greeting", l.greeting, "Send this text message to each client as it connects")
        ->type_name("TEXT")->group(g);
    cmd.add_option("--ping-interval", l.ping_interval, "Ping each client every S seconds (its pongs show the RTT)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
    cmd.add_option("--ping-timeout", l.ping_timeout,
                   "Drop a client whose pong is S seconds late (default 30; with --ping-interval)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
}

}  // namespace wscope::app
