// Option definitions of `wscope replay`.
#include "app/replay_cli.hpp"

#include <memory>

#include "app/value_checks.hpp"

namespace wscope::app {

ReplayCommand::ReplayCommand()
    : CLI::App("Replay a recorded session against a server: wscope replay [OPTIONS] FILE [URL]", "replay") {
    auto& o = options;
    add_option("file", o.file, "The transcript (--record) or HAR file to replay")
        ->required()->check(checks::existing_file())->type_name("FILE");
    add_option("url", o.url, "ws:// or wss:// URL of the server (default: the recorded one)")->type_name("URL");
    const char* g = "Replay";
    add_option("--speed", o.speed, "Play the recorded gaps X times faster (default 1)")
        ->check(checks::positive_seconds())->type_name("X")->group(g);
    add_flag("--no-wait", o.no_wait, "Send each message as soon as the replies before it arrived")->group(g);
    add_flag("--expect", o.expect, "Compare what arrives with the recording: exit 8 with a diff at the first difference")->group(g);
    add_option("--ignore", o.ignore, "With --expect, mask what REGEX matches in both before comparing (repeatable)")
        ->allow_extra_args(false)->type_name("REGEX")->group(g);
    add_option("--timeout", o.timeout, "Seconds to wait for each recorded reply (default 10)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
    add_option("--entry", o.entry, "In a HAR file: the Nth WebSocket entry, or the first whose URL contains TEXT")
        ->type_name("N|TEXT")->group(g);
    add_option("--export", o.export_format, "Write the transcript for another tool on stdout instead: tsung")
        ->check(checks::one_of({"tsung"}))->type_name("FORMAT")->group(g);
    add_option("--connect-timeout", o.connect_timeout, "Seconds allowed for connecting (default 10)")
        ->check(checks::positive_seconds())->type_name("S")->group("Connection");
    add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate (wss://)")->group("TLS");
    add_option("--cacert", o.cacert, "Trust the CA certificates in FILE (PEM) instead of the system's")
        ->check(checks::existing_file())->type_name("FILE")->group("TLS");
    add_flag("-q,--quiet", o.quiet, "Show nothing but received data and errors")->group("Output");
}

void add_replay_command(CLI::App& app) { app.add_subcommand(std::make_shared<ReplayCommand>()); }

const ReplayCommand* chosen_replay_command(const CLI::App& app) {
    for (const CLI::App* sub : app.get_subcommands())
        if (auto* replay = dynamic_cast<const ReplayCommand*>(sub)) return replay;
    return nullptr;
}

}  // namespace wscope::app
