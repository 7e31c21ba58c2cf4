// Option definitions of `wscope check`.
#include "app/check_cli.hpp"

#include <memory>

namespace wscope::app {

CheckCommand::CheckCommand()
    : CLI::App("Test a WebSocket server against RFC 6455: wscope check [OPTIONS] URL", "check") {
    auto& o = options;
    add_option("url", o.url, "ws:// or wss:// URL of the server to test")->required()->type_name("URL");
    const char* g = "Check";
    add_option("--only", o.only, "Run only these cases: ids, id prefixes or group names, comma-separated (6.*,7.3.2,utf8)")
        ->type_name("CASES")->group(g);
    add_flag("--no-echo", o.no_echo, "The server does not echo: skip the cases that need it")->group(g);
    add_option("--timeout", o.timeout, "Seconds each case may take (the timed cases take up to 30)")
        ->default_val(3)->check(CLI::PositiveNumber)->type_name("S")->group(g);
    add_option("-j,--parallel", o.parallel, "Cases run at once, each on its own connection")
        ->default_val(4)->check(CLI::Range(1, 64))->type_name("N")->group(g);
    add_option("--connect-timeout", o.connect_timeout, "Seconds allowed for each connection")
        ->default_val(10)->check(CLI::PositiveNumber)->type_name("S")->group(g);
    add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate (wss://)")->group("TLS");
    add_option("--cacert", o.cacert, "Trust the CA certificates in FILE (PEM) instead of the system's")
        ->check(CLI::ExistingFile)->type_name("FILE")->group("TLS");
    add_flag("--jsonl", o.jsonl, "One JSON object per case, then a summary object, on stdout")->group("Output");
    add_flag("-F,--frames", o.frames, "Show the wire of each case: handshake and frames, both ways")->group("Output");
    add_flag("-X,--hexdump", o.hexdump, "With frames, a hex dump of each frame as on the wire")->group("Output");
    add_option("--color", o.color, "Colour the verdicts: auto, always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}))->type_name("WHEN")->group("Output");
}

void add_check_command(CLI::App& app) { app.add_subcommand(std::make_shared<CheckCommand>()); }

const CheckCommand* chosen_check_command(const CLI::App& app) {
    for (const CLI::App* sub : app.get_subcommands())
        if (auto* check = dynamic_cast<const CheckCommand*>(sub)) return check;
    return nullptr;
}

}  // namespace wscope::app
