// Parsing and dispatch. The only place that catches CLI11's exceptions.
#include "app/run.hpp"

#include <csignal>
#include <cstdio>

#include "app/check_mode.hpp"
#include "app/cli.hpp"
#include "app/client.hpp"
#include "app/docgen.hpp"
#include "app/exit_code.hpp"
#include "app/listen_mode.hpp"
#include "app/reporter.hpp"

namespace wscope::app {

int run(int argc, char** argv) {
    // A closed stdout or socket is reported by write() as EPIPE and handled there.
    std::signal(SIGPIPE, SIG_IGN);
    auto cl = make_command_line();
    try {
        cl->app->parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cl->app->exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return cl->app->exit(e);
    } catch (const CLI::CallForVersion& e) {
        return cl->app->exit(e);
    } catch (const CLI::ParseError& e) {
        Reporter(0, false).error(std::string(e.what()) + " (see wscope --help)");
        return static_cast<int>(ExitCode::usage);
    }
    if (const CLI::Option* gen = cl->app->get_option("--generate"); gen->count() > 0) {
        const auto kind = docs::parse_kind(gen->as<std::string>());  // checked by CLI11
        std::fputs(docs::generate(*cl->app, kind.value_or(docs::Kind::man)).c_str(), stdout);
        return std::fflush(stdout) == 0 ? 0 : static_cast<int>(ExitCode::usage);
    }
    if (const CheckCommand* check = chosen_check_command(*cl->app)) return run_check(*check);
    if (std::string problem = resolve(*cl); !problem.empty()) {
        Reporter(0, false).error(problem);
        return static_cast<int>(ExitCode::usage);
    }
    if (cl->mode == Mode::listen) return run_listen(cl->listen);
    return run_client(cl->client);
}

}  // namespace wscope::app
