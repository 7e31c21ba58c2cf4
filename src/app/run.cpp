// Parsing and dispatch. The only place that catches CLI11's exceptions.
#include "app/run.hpp"

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "app/check_mode.hpp"
#include "app/cli.hpp"
#include "app/client.hpp"
#include "app/docgen.hpp"
#include "app/exit_code.hpp"
#include "app/listen_mode.hpp"
#include "app/replay_mode.hpp"
#include "app/console.hpp"
#include "app/usage_errors.hpp"

namespace wscope::app {

namespace {

// Parses words (argv without argv[0]) with a parser of the given subcommands and runs what
// they ask for. A parse error with a partial parser is parsed again with the whole one, whose
// message can name the subcommand an option belongs to.
int parse_and_run(const std::vector<std::string>& words, Subcommands parts) {
    auto cl = make_command_line(parts);
    CLI::App& app = *cl->app;
    // -l PORT … is wscope listen PORT …: every listen option works after it.
    const auto takes_value = [&](std::string_view name) {
        for (const CLI::App* table : {cl->listen_cmd, &app})
            if (const CLI::Option* o = table ? table->get_option_no_throw(std::string(name)) : nullptr)
                return o->get_items_expected_min() > 0;
        return false;
    };
    ListenRewrite rewritten = rewrite_listen_short(words, takes_value);
    if (!rewritten.error.empty()) {
        Console(ConsoleSetup{}).error(rewritten.error + " (see wscope listen --help)");
        return static_cast<int>(ExitCode::usage);
    }
    std::vector<std::string> args = rewritten.args;
    std::reverse(args.begin(), args.end());  // CLI11 takes the words last first
    try {
        app.parse(args);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (!parts.all()) return parse_and_run(words, Subcommands{});
        Console(ConsoleSetup{}).error(
            usage_message(e, rewritten.args, cl->listen_cmd->parsed(), app, *cl->listen_cmd));
        return static_cast<int>(ExitCode::usage);
    }
    if (const CLI::Option* gen = cl->app->get_option("--generate"); gen->count() > 0) {
        const auto kind = docs::parse_kind(gen->as<std::string>());  // checked by CLI11
        Console console(ConsoleSetup{});
        console.data(docs::generate(app, kind.value_or(docs::Kind::man)));
        return console.flush() && console.write_error().empty() ? 0 : static_cast<int>(ExitCode::usage);
    }
    if (const CheckCommand* check = chosen_check_command(*cl->app)) return run_check(*check);
    if (const ReplayCommand* replay = chosen_replay_command(*cl->app)) return run_replay(replay->options);
    if (std::string problem = resolve(*cl); !problem.empty()) {
        Console(ConsoleSetup{}).error(problem);
        return static_cast<int>(ExitCode::usage);
    }
    const OutputOptions& out = cl->mode == Mode::listen ? cl->listen.out : cl->client.out;
    Console console(console_setup(out));
    if (cl->mode == Mode::listen) return run_listen(cl->listen, console);
    return run_client(cl->client, console);
}

}  // namespace

int run(int argc, char** argv) {
    // A closed stdout or socket is reported by write() as EPIPE and handled there.
    std::signal(SIGPIPE, SIG_IGN);
    // Buffers of 128 KiB and more get mappings of their own, so that one released goes back to
    // the system at once. (glibc would raise this threshold to the size of the first large
    // buffer freed, and later ones would stay in the heap: a 1 MiB bulk stream then peaked
    // at 13 MiB of RSS instead of 9.)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    const std::vector<std::string> words(argv + std::min(argc, 1), argv + argc);
    return parse_and_run(words, subcommands_for(words));
}

}  // namespace wscope::app
