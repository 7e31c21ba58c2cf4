// Parsing and dispatch. The only place that catches CLI11's exceptions.
#include "app/run.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
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

int run(int argc, char** argv) {
    // A closed stdout or socket is reported by write() as EPIPE and handled there.
    std::signal(SIGPIPE, SIG_IGN);
    auto cl = make_command_line();
    CLI::App& app = *cl->app;
    CLI::App& listen = *cl->listen_cmd;
    // -l PORT … is wscope listen PORT …: every listen option works after it.
    const auto takes_value = [&](std::string_view name) {
        for (const CLI::App* table : {&listen, &app})
            if (const CLI::Option* o = table->get_option_no_throw(std::string(name)))
                return o->get_items_expected_min() > 0;
        return false;
    };
    ListenRewrite rewritten =
        rewrite_listen_short(std::vector<std::string>(argv + std::min(argc, 1), argv + argc),
                             takes_value);
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
        Console(ConsoleSetup{}).error(usage_message(e, rewritten.args, listen.parsed(), app, listen));
        return static_cast<int>(ExitCode::usage);
    }
    if (const CLI::Option* gen = cl->app->get_option("--generate"); gen->count() > 0) {
        const auto kind = docs::parse_kind(gen->as<std::string>());  // checked by CLI11
        std::fputs(docs::generate(app, kind.value_or(docs::Kind::man)).c_str(), stdout);
        return std::fflush(stdout) == 0 ? 0 : static_cast<int>(ExitCode::usage);
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

}  // namespace wscope::app
