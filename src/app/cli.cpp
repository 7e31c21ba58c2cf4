// Option definitions, grouped as --help shows them.
#include "app/cli.hpp"

#include <algorithm>
#include <memory>

#include "app/check_cli.hpp"
#include "app/docgen.hpp"
#include "app/fault_cli.hpp"
#include "app/help_format.hpp"
#include "app/reach_cli.hpp"
#include "app/replay_cli.hpp"
#include "app/value_checks.hpp"

namespace wscope::app {
namespace {

// The end of `wscope --help` and `wscope listen --help`: a few examples and where to read more.
constexpr const char* main_footer =
    "Examples:\n"
    "  wscope ws://localhost:8080/               talk interactively (type /help)\n"
    "  echo hi | wscope ws://localhost:8080/     send a line, print the replies\n"
    "  wscope -n 3 ws://localhost:8080/feed      print three messages, then close\n"
    "  wscope -F -X ws://localhost:8080/         show every frame with a hex dump\n"
    "  wscope -H 'Authorization: Bearer T' wss://example.com/ws\n"
    "                                            send a header with the handshake\n"
    "  wscope listen 8080 --echo                 an echo server on 127.0.0.1:8080\n"
    "\n"
    "Exit status: 0 closed normally, 1 usage error, 2 could not connect, 3 TLS\n"
    "failure, 4 handshake rejected, 5 protocol violation, 6 connection lost or closed\n"
    "with an error code, 7 timeout, 8 check found failures, 130/143 interrupted.\n"
    "Every option in detail, the interactive commands, the frame and JSON Lines\n"
    "formats, the exit status: man wscope\n";

constexpr const char* listen_footer =
    "-l PORT [OPTIONS] (wscat style) is the same as: wscope listen [OPTIONS] PORT\n"
    "\n"
    "Examples:\n"
    "  wscope listen 8080 --echo                 an echo server on 127.0.0.1:8080\n"
    "  wscope listen 0 --oneshot --echo -F       one client on a free port, with -F\n"
    "  wscope listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n"
    "                                            wss:// on every interface\n"
    "  wscope -l 9000 --echo --max-clients 4     wscat style, at most 4 clients\n"
    "  wscope listen 8080 --exec ./count.sh      a program per client, as websocketd\n"
    "\n"
    "With --oneshot the exit status is the client's outcome, as for wscope URL.\n"
    "More in man wscope, section LISTEN MODE.\n";

void add_connection_options(CLI::App& app, CommandLine& cl) {
    auto& c = cl.client;
    const char* g = "Connection";
    app.add_option("-H,--header", cl.raw_headers,
                   "Add a request header \"Name: value\" (repeatable; \"Name:\" removes a default one)")
        ->allow_extra_args(false)->type_name("HEADER")->group(g);
    app.add_option("-s,--subprotocol", c.subprotocols, "Offer a subprotocol (repeatable)")
        ->allow_extra_args(false)->type_name("NAME")->group(g);
    app.add_option("-o,--origin", c.origin, "Send an Origin header")->type_name("ORIGIN")->group(g);
    app.add_option("-u,--user", c.user, "Basic authentication (USER:PASS)")->type_name("USER:PASS")->group(g);
    app.add_option("--connect-timeout", c.connect_timeout,
                   "Seconds allowed for connecting (TCP, proxy, TLS) and the WebSocket handshake "
                   "(default: the system's TCP connect timeout, 300 for proxy and TLS, 30 for the "
                   "handshake)")
        ->check(checks::non_negative_seconds())->type_name("S")->group(g);
    const char* t = "TLS";
    app.add_flag("-k,--insecure", c.insecure, "Do not verify the server's certificate (wss://)")->group(t);
    app.add_option("--cacert", c.cacert, "Trust the CA certificates in FILE (PEM) instead of the system's")
        ->check(checks::existing_file())->type_name("FILE")->group(t);
    app.add_option("--capath", c.capath, "Trust the CA certificates in DIR (hashed, as c_rehash makes)")
        ->check(checks::existing_directory())->type_name("DIR")->group(t);
    app.add_option("--cert", c.cert, "Client certificate (PEM) for mutual TLS")
        ->check(checks::existing_file())->type_name("FILE")->group(t);
    app.add_option("--key", c.key, "Private key (PEM) for --cert, if not in the same file")
        ->check(checks::existing_file())->type_name("FILE")->group(t);
    app.add_option("-x,--proxy", c.proxy, "Connect through the proxy URL: http:// (CONNECT), socks5:// or socks5h://; \"\" for none")
        ->type_name("URL")->group(g);
    app.add_option("--noproxy", c.noproxy, "Hosts to reach without the proxy (comma list, * for all)")
        ->type_name("LIST")->group(g);
    app.add_option("--unix-socket", c.unix_socket, "Connect to the Unix domain socket PATH (the URL still gives Host and path)")
        ->type_name("PATH")->group(g);
    app.add_flag("-L,--location", c.follow_redirects, "Follow 3xx redirects during the handshake")->group(g);
    app.add_option("--max-redirs", c.max_redirects, "Follow at most N redirects (default 10)")
        ->check(checks::non_negative_integer(INT32_MAX))->type_name("N")->group(g);
    app.add_flag("--deflate", c.deflate, "Offer permessage-deflate compression (RFC 7692)")->group(g);
    app.add_flag("-4,--ipv4", cl.ipv4, "Resolve names to IPv4 addresses only")->group(g);
    app.add_flag("-6,--ipv6", cl.ipv6, "Resolve names to IPv6 addresses only")->group(g);
}

void add_input_options(CLI::App& app, CommandLine& cl) {
    auto& c = cl.client;
    const char* g = "Input";
    app.add_option("-d,--data,--execute", c.data, "Send MSG right after connecting (repeatable); stdin is then not read")
        ->allow_extra_args(false)->type_name("MSG")->group(g);
    app.add_flag("-b,--binary", c.binary, "Send input as binary messages")->group(g);
    app.add_flag("-t,--text", cl.text_flag, "Send input as text messages (the default)")->group(g);
    app.add_flag("-0,--null", cl.null_flag, "Input messages are separated by NUL bytes, not lines")->group(g);
    app.add_flag("--whole", cl.whole, "All of stdin is one message")->group(g);
    app.add_option("--chunk", c.chunk, "Input is cut into messages of N bytes")
        ->check(checks::positive_integer())->type_name("N")->group(g);
    app.add_flag("--echo", c.echo, "Send every received message back; stdin is not read")->group(g);
}

void add_session_options(CLI::App& app, CommandLine& cl) {
    auto& c = cl.client;
    const char* g = "Session";
    app.add_option("-n,--count", c.count, "Close after receiving N messages")
        ->check(checks::positive_integer())->type_name("N")->group(g);
    app.add_option("-w,--wait", c.wait, "After the input ends, close once the peer has been silent S seconds (default 0.5; 0 closes at once)")
        ->check(checks::non_negative_seconds())->type_name("S")->group(g);
    app.add_option("--ping-interval", c.ping_interval, "Send a ping every S seconds (default: none)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
    app.add_option("--ping-timeout", c.ping_timeout, "Fail (exit 7) when a pong takes longer than S seconds (default 30)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
    app.add_option("--close-timeout", c.close_timeout,
                   "While closing, give up after S seconds of silence from the peer (default 2)")
        ->check(checks::non_negative_seconds())->type_name("S")->group(g);
    app.add_option("--close-code", c.close_code, "Close code sent at the end of input (default 1000)")
        ->check(checks::close_code())->type_name("CODE")->group(g);
    app.add_option("--close-reason", c.close_reason, "Close reason sent at the end of input")
        ->type_name("TEXT")->group(g);
    app.add_option("--max-message-size", c.max_message,
                   "Largest message accepted, in bytes or with K, M or G; larger ones are refused "
                   "with close 1009 (default 64M; a compressed one may take about twice this "
                   "memory while it is inflated)")
        ->transform(checks::byte_size())->type_name("BYTES")->group(g);
    app.add_option("--mask-seed", cl.mask_seed, "Derive mask keys from SEED (reproducible captures)")
        ->group("");
}

void add_output_options(CLI::App& app, CommandLine& cl) {
    auto& o = cl.client.out;
    const char* g = "Output";
    app.add_flag("-v,--verbose", o.verbose,
                 "Show connection steps, TLS details and headers on stderr; -vv: -v plus frame "
                 "lines (-F)")->group(g);
    app.add_flag("-q,--quiet", o.quiet, "Show nothing but received data and errors")->group(g);
    app.add_flag("-F,--frames", o.frames, "Show every frame, both directions, one line each (stderr)")->group(g);
    app.add_flag("-X,--hexdump", o.hexdump, "With frames, a hex dump of each frame as on the wire")->group(g);
    app.add_flag("-P,--show-ping-pong", o.show_ping_pong, "Show pings and pongs")->group(g);
    app.add_flag("--jsonl", o.jsonl, "Print every event as a JSON object per line on stdout (frames too with -F)")->group(g);
    app.add_flag("--stats", o.stats, "At exit, print timings and counts on stderr")->group(g);
    app.add_option("--record", cl.client.record, "Write the session's transcript to FILE (JSON Lines; see wscope replay)")
        ->type_name("FILE")->group(g);
    app.add_flag("-T", cl.timestamps_flag, "Prefix diagnostic lines with the wall-clock time")->group(g);
    app.add_option("--timestamps", cl.timestamps, "Prefix diagnostic lines with the time: wall or relative (since start)")
        ->check(checks::one_of({"wall", "relative"}))->type_name("KIND")->group(g);
    app.add_option("--color", cl.color, "Colour diagnostics: auto, always or never (default auto)")
        ->check(checks::one_of({"auto", "always", "never"}))->type_name("WHEN")->group(g);
}

void add_listen_command(CLI::App& app, CommandLine& cl) {
    auto& l = cl.listen;
    CLI::App* cmd = app.add_subcommand("listen", "Run a test server for WebSocket clients");
    cmd->formatter(app.get_formatter());
    cmd->footer(listen_footer);
    cl.listen_cmd = cmd;
    cmd->add_option("address", l.address, "Port, or HOST:PORT, to listen on (HOST defaults to 127.0.0.1; port 0 picks a free one)")
        ->required()->type_name("[HOST:]PORT");
    const char* g = "Server";
    cmd->add_flag("--echo", l.echo, "Echo every message back to its sender")->group(g);
    cmd->add_option("--exec", l.exec,
                    "Run CMD (with /bin/sh -c) for every client: its messages are CMD's stdin lines, "
                    "CMD's stdout lines are sent to it, CMD's exit closes the connection")
        ->type_name("CMD")->group(g);
    cmd->add_option("-s,--subprotocol", l.subprotocols, "Accept this subprotocol (repeatable): the first of the client's offers on this list is selected")
        ->allow_extra_args(false)->type_name("NAME")->group(g);
    cmd->add_option("--max-clients", l.max_clients, "Refuse connections beyond N clients with 503 (default: no limit)")
        ->check(checks::positive_integer())->type_name("N")->group(g);
    cmd->add_option("--handshake-timeout", l.handshake_timeout, "Drop clients that have not completed the handshake after S seconds (default 10)")
        ->check(checks::positive_seconds())->type_name("S")->group(g);
    cmd->add_option("-n,--count", l.count, "Exit after receiving N messages (from all clients)")
        ->check(checks::positive_integer())->type_name("N")->group(g);
    cmd->add_option("--tls-cert", l.tls_cert, "Serve wss:// with this certificate (PEM; may hold the key too)")
        ->check(checks::existing_file())->type_name("FILE")->group("TLS");
    cmd->add_option("--tls-key", l.tls_key, "Private key (PEM) for --tls-cert")
        ->check(checks::existing_file())->type_name("FILE")->group("TLS");
    cmd->add_option("--tls-client-ca", l.tls_client_ca, "Require client certificates signed by the CA in FILE (mutual TLS)")
        ->check(checks::existing_file())->type_name("FILE")->group("TLS");
    cmd->add_flag("--deflate", l.deflate, "Accept permessage-deflate offers (RFC 7692)")->group(g);
    cmd->add_flag("--oneshot", l.oneshot, "Serve one client, then exit with its outcome")->group(g);
    cmd->add_flag("-b,--binary", l.binary, "Send stdin lines to clients as binary messages; with --exec, "
                  "pass messages and output as they are, without lines")->group(g);
    cmd->add_option("--close-timeout", l.close_timeout, "While closing, give up after S seconds of silence; with --exec, "
                    "the time a program has to exit after its client left, before SIGTERM (default 2)")
        ->check(checks::non_negative_seconds())->type_name("S")->group(g);
    cmd->add_option("--max-message-size", l.max_message,
                    "Largest message accepted, in bytes or with K, M or G; larger ones are refused "
                    "with close 1009 (default 64M; a compressed one may take about twice this "
                    "memory while it is inflated)")
        ->transform(checks::byte_size())->type_name("BYTES")->group(g);
    add_listen_fault_options(*cmd, l);
    cmd->add_flag("-v,--verbose", l.out.verbose, "Show each client's handshake (request and response) on stderr; -vv: -v plus frame lines (-F)")->group("Output");
    cmd->add_option("--prefix", cl.listen_prefix, "The [ID] before each client's printed messages: auto (once two clients were connected at once), always or never")
        ->check(checks::one_of({"auto", "always", "never"}))->type_name("WHEN")->group("Output");
    cmd->add_flag("-q,--quiet", l.out.quiet, "Show nothing but received data and errors")->group("Output");
    cmd->add_flag("-F,--frames", l.out.frames, "Show every frame, both directions, one line each (stderr)")->group("Output");
    cmd->add_flag("-X,--hexdump", l.out.hexdump, "With frames, a hex dump of each frame as on the wire")->group("Output");
    cmd->add_flag("-P,--show-ping-pong", l.out.show_ping_pong, "Show pings and pongs")->group("Output");
    cmd->add_flag("--stats", l.out.stats, "When each client leaves, print its counts on stderr")->group("Output");
    cmd->add_option("--record", l.record, "Write each client's transcript to FILE.ID (JSON Lines; see wscope replay)")
        ->type_name("FILE")->group("Output");
    cmd->add_option("--replay", l.replay, "Serve the transcript or HAR file FILE: answer each message as the recorded server did")
        ->check(checks::existing_file())->type_name("FILE")->group(g);
    cmd->add_option("--entry", l.replay_entry, "With --replay of a HAR file: the Nth WebSocket entry, or the first whose URL contains TEXT")
        ->type_name("N|TEXT")->group(g);
    cmd->add_flag("--jsonl", l.out.jsonl, "Print every event as a JSON object per line on stdout, with the client id (frames too with -F)")->group("Output");
    cmd->add_flag("-T", cl.listen_timestamps_flag, "Prefix diagnostic lines with the wall-clock time")->group("Output");
    cmd->add_option("--timestamps", cl.listen_timestamps, "Prefix diagnostic lines with the time: wall or relative (since start)")
        ->check(checks::one_of({"wall", "relative"}))->type_name("KIND")->group("Output");
    cmd->add_option("--color", cl.listen_color, "Colour diagnostics: auto, always or never (default auto)")
        ->check(checks::one_of({"auto", "always", "never"}))->type_name("WHEN")->group("Output");
}

}  // namespace

Subcommands subcommands_for(const std::vector<std::string>& args) {
    Subcommands parts{.listen = false, .check = false, .replay = false};
    for (const std::string& w : args) {
        const bool long_option = w.starts_with("--");
        const bool short_cluster = !long_option && w.size() > 1 && w[0] == '-';
        if (w.starts_with("--help") || w.starts_with("--generate") ||
            (short_cluster && w.find('h') != std::string::npos))
            return Subcommands{};
        parts.listen = parts.listen || w == "listen" || w.starts_with("--listen") ||
                       (short_cluster && w.find('l') != std::string::npos);
        parts.check = parts.check || w == "check";
        parts.replay = parts.replay || w == "replay";
    }
    return parts;
}

std::unique_ptr<CommandLine> make_command_line(Subcommands parts) {
    auto cl = std::make_unique<CommandLine>();
    cl->app = std::make_unique<CLI::App>(
        "wscope — WebSocket client, test server and protocol debugger", "wscope");
    CLI::App& app = *cl->app;
    app.formatter(std::make_shared<HelpFormatter>());
    app.footer(main_footer);
    app.set_help_flag("-h,--help", "Show this help and exit");  // listen's copies it
    app.set_version_flag("-V,--version", std::string("wscope ") + WSCOPE_VERSION,
                         "Show the version and exit");
    app.add_option("url", cl->client.url, "ws:// or wss:// URL to connect to (http:// and https:// are read as ws:// and wss://)")->type_name("URL");
    app.add_option("-c,--connect", cl->client.url, "The URL (wscat style)")->type_name("URL")->group("");
    add_connection_options(app, *cl);
    add_input_options(app, *cl);
    add_session_options(app, *cl);
    add_output_options(app, *cl);
    add_reach_options(app, *cl);
    if (parts.listen) add_listen_command(app, *cl);
    if (parts.check) add_check_command(app);
    if (parts.replay) add_replay_command(app);
    // Hidden: print the man page or a shell completion, generated from these definitions.
    app.add_option("--generate", "Print the man page or a completion script (docgen.hpp)")
        ->type_name("KIND")->check(checks::one_of(docs::kind_names()))->group("");
    return cl;
}

}  // namespace wscope::app
