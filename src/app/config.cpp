// Raw options → what the program does: combinations checked, derived fields filled, once,
// before any I/O.
#include "app/cli.hpp"

#include <unistd.h>

#include <cstdlib>

#include "app/reach_cli.hpp"
#include "app/scenario.hpp"
#include "app/record_replay_features.hpp"
#include "proto/close_code.hpp"

namespace wscope::app {

namespace {

ColorMode colour_mode(const std::string& s) {
    if (s == "always") return ColorMode::always;
    if (s == "never") return ColorMode::never;
    return ColorMode::auto_;
}

// Colour: --color=always/never, or auto: a terminal and no NO_COLOR (no-color.org).
bool use_colour(ColorMode mode, bool tty) {
    if (mode == ColorMode::always) return true;
    if (mode == ColorMode::never) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    return tty;
}

// What the terminals are and what shows colour: decided here, once, before any I/O.
void resolve_terminal(OutputOptions& o) {
    o.stdout_tty = ::isatty(STDOUT_FILENO) != 0;
    o.stderr_tty = ::isatty(STDERR_FILENO) != 0;
    o.colour_stdout = use_colour(o.color, o.stdout_tty);
    o.colour_stderr = use_colour(o.color, o.stderr_tty);
}

}  // namespace

ConsoleSetup console_setup(const OutputOptions& o) {
    ConsoleSetup s;
    s.colour_out = o.colour_stdout;
    s.colour_err = o.colour_stderr;
    s.out_tty = o.stdout_tty;
    s.err_tty = o.stderr_tty;
    s.timestamps = o.timestamps;
    s.quiet = o.quiet;
    s.verbose = o.verbose;
    return s;
}

std::string resolve(CommandLine& cl) {
    cl.client.out.color = colour_mode(cl.color);
    if (cl.timestamps_flag || !cl.timestamps.empty())
        cl.client.out.timestamps = cl.timestamps == "relative" ? OutputOptions::Timestamps::relative
                                                                : OutputOptions::Timestamps::wall;
    cl.listen.out.color = colour_mode(cl.listen_color);
    if (cl.listen_timestamps_flag || !cl.listen_timestamps.empty())
        cl.listen.out.timestamps = cl.listen_timestamps == "relative" ? OutputOptions::Timestamps::relative
                                                                      : OutputOptions::Timestamps::wall;
    // -X shows frames, so it implies -F.
    if (cl.client.out.hexdump) cl.client.out.frames = true;
    if (cl.listen.out.hexdump) cl.listen.out.frames = true;
    resolve_terminal(cl.client.out);
    resolve_terminal(cl.listen.out);
    cl.client.wait_given = cl.app->count("--wait") > 0;
    // -vv: -v plus frame lines.
    if (cl.client.out.verbose >= 2) cl.client.out.frames = true;
    if (cl.listen.out.verbose >= 2) cl.listen.out.frames = true;
    if (cl.listen_cmd != nullptr && cl.listen_cmd->parsed()) {  // also -l PORT, rewritten to listen PORT before parsing
        cl.mode = Mode::listen;
        cl.listen.prefix = cl.listen_prefix == "always" ? PrefixMode::always
                           : cl.listen_prefix == "never" ? PrefixMode::never
                                                         : PrefixMode::auto_;
        if (cl.listen.out.quiet && cl.listen.out.verbose) return "choose one of -q/--quiet and -v/--verbose";
        if (cl.listen.echo && !cl.listen.exec.empty()) return "choose one of --echo and --exec";
        if (cl.listen_cmd->count("--exec") > 0 && cl.listen.exec.empty()) return "--exec needs a command";
        if (cl.listen.tls_cert.empty() && (!cl.listen.tls_key.empty() || !cl.listen.tls_client_ca.empty()))
            return "--tls-key and --tls-client-ca need --tls-cert";
        if (std::string problem = check_listen_script(cl.listen); !problem.empty()) return problem;
        return check_replay_source(cl.listen);
    }
    ClientOptions& c = cl.client;
    if (c.url.empty()) return "no URL given (try: wscope ws://127.0.0.1:8080/)";
    for (const auto& h : cl.raw_headers) {
        const auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0)
            return "bad header \"" + h + "\": expected \"Name: value\"";
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        c.headers.push_back({h.substr(0, colon), value});
    }
    const int framings = (cl.null_flag ? 1 : 0) + (cl.whole ? 1 : 0) + (c.chunk ? 1 : 0);
    if (framings > 1) return "choose one of -0/--null, --whole and --chunk";
    if (cl.null_flag) c.framing = Framing::nul;
    if (cl.whole) c.framing = Framing::whole;
    if (c.chunk) c.framing = Framing::chunk;
    if (c.binary && cl.text_flag) return "choose one of -b/--binary and -t/--text";
    if (cl.ipv4 && cl.ipv6) return "choose one of -4 and -6";
    c.family = cl.ipv4 ? net::Family::ipv4 : cl.ipv6 ? net::Family::ipv6 : net::Family::any;
    if (cl.app->count("--mask-seed")) c.mask_seed = cl.mask_seed;
    if (c.out.quiet && c.out.verbose) return "choose one of -q/--quiet and -v/--verbose";
    if (!proto::is_valid_on_wire(c.close_code))
        return "--close-code " + std::to_string(c.close_code) +
               " may not be sent (use 1000-1003, 1007-1014 or 3000-4999; RFC 6455 §7.4)";
    return resolve_reach(cl);
}

}  // namespace wscope::app
