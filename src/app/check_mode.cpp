#include "app/check_mode.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "check/catalogue.hpp"
#include "check/report.hpp"
#include "check/runner.hpp"
#include "check/select.hpp"
#include "crypto/mask_source.hpp"
#include "net/url.hpp"

namespace wscope::app {

namespace {

bool colour_on(const std::string& when) {
    if (when == "always") return true;
    if (when == "never") return false;
    const char* no_colour = std::getenv("NO_COLOR");
    return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

int usage(Console& console, const std::string& message) {
    console.error(message);
    return static_cast<int>(ExitCode::usage);
}

}  // namespace

int run_check(const CheckOptions& o, Console& sink) {
    auto url = net::parse_url(o.url);
    if (!url) return usage(sink, url.error().message);
    check::Selection selection;
    if (!o.only.empty())
        if (std::string problem = check::parse_selection(o.only, selection); !problem.empty())
            return usage(sink, problem);

    crypto::SecureMaskSource masks;
    const std::vector<check::Case> all = check::catalogue(masks);
    std::vector<const check::Case*> chosen;
    check::Summary summary;
    std::vector<const check::Case*> skipped;
    for (const check::Case& c : all) {
        if (!check::selected(c, selection)) continue;
        if (o.no_echo && c.needs_echo) {
            skipped.push_back(&c);
            continue;
        }
        chosen.push_back(&c);
    }
    if (chosen.empty() && skipped.empty()) return usage(sink, "--only " + o.only + " selects no case");

    check::RunOptions run;
    run.plan.url = *url;
    run.plan.tcp.timeout = std::chrono::milliseconds(static_cast<long long>(o.connect_timeout * 1000));
    run.plan.tls.insecure = o.insecure;
    run.plan.tls.cacert = o.cacert;
    run.parallel = o.parallel;
    run.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout * 1000));
    run.record_wire = o.frames || o.hexdump;

    // One connection first: a server that is not there is one error, not 180 failed cases.
    if (auto probe = net::connect(run.plan, [](const std::string&) {}); !probe) {
        sink.error(probe.error().message);
        const bool tls = probe.error().code == net::NetErrc::tls_handshake ||
                         probe.error().code == net::NetErrc::tls_verify;
        return static_cast<int>(tls ? ExitCode::tls : ExitCode::connect);
    }

    const present::Style style{!o.jsonl && sink.out_style().colour};
    const auto started = std::chrono::steady_clock::now();
    std::size_t next_skipped = 0;
    // Skipped cases are listed where they fall in id order.
    const auto emit_skipped_before = [&](const check::Case* upto) {
        while (next_skipped < skipped.size() && (upto == nullptr || skipped[next_skipped] < upto)) {
            const check::Case& c = *skipped[next_skipped++];
            summary.skip(c);
            sink.out_line(o.jsonl ? check::skipped_json(c) : check::skipped_line(c));
        }
    };
    check::run_cases(chosen, run, [&](const check::CaseResult& r) {
        emit_skipped_before(r.c);
        if (run.record_wire) {
            sink.diag("== " + r.c->id + " " + r.c->title);
            for (const auto& line : check::wire_lines(r.wire, o.hexdump, present::Style{}))
                sink.diag(line);
        }
        summary.add(r);
        sink.out_line(o.jsonl ? check::case_json(r) : check::case_line(r, style));
        sink.flush();
    });
    emit_skipped_before(nullptr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (o.jsonl) {
        sink.out_line(summary.json(seconds));
    } else {
        sink.out_line("");
        for (const auto& line : summary.lines(seconds)) sink.out_line(line);
    }
    sink.flush();
    return static_cast<int>(summary.failed() ? ExitCode::check : ExitCode::ok);
}

int run_check(const CheckCommand& command) {
    const CheckOptions& o = command.options;
    ConsoleSetup setup;
    setup.out_tty = ::isatty(STDOUT_FILENO) != 0;
    setup.err_tty = ::isatty(STDERR_FILENO) != 0;
    setup.colour_out = colour_on(o.color);
    Console console(setup);
    return run_check(o, console);
}

}  // namespace wscope::app
