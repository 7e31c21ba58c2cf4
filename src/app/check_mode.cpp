#include "app/check_mode.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "app/exit_code.hpp"
#include "check/catalogue.hpp"
#include "check/report.hpp"
#include "check/runner.hpp"
#include "check/select.hpp"
#include "crypto/mask_source.hpp"
#include "net/url.hpp"

namespace wscope::app {

namespace {

class StdioSink final : public LineSink {
public:
    void out(std::string_view line) override { put(stdout, line); }
    void err(std::string_view line) override {
        std::fflush(stdout);
        put(stderr, line);
    }
    void flush() override { std::fflush(stdout); }

private:
    static void put(std::FILE* f, std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), f);
        std::fputc('\n', f);
    }
};

bool colour_on(const std::string& when) {
    if (when == "always") return true;
    if (when == "never") return false;
    const char* no_colour = std::getenv("NO_COLOR");
    return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

int usage(LineSink& sink, const std::string& message) {
    sink.err("wscope: error: " + message);
    return static_cast<int>(ExitCode::usage);
}

}  // namespace

int run_check(const CheckOptions& o, LineSink& sink) {
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
        sink.err("wscope: error: " + probe.error().message);
        const bool tls = probe.error().code == net::NetErrc::tls_handshake ||
                         probe.error().code == net::NetErrc::tls_verify;
        return static_cast<int>(tls ? ExitCode::tls : ExitCode::connect);
    }

    const present::Style style{!o.jsonl && colour_on(o.color)};
    const auto started = std::chrono::steady_clock::now();
    std::size_t next_skipped = 0;
    // Skipped cases are listed where they fall in id order.
    const auto emit_skipped_before = [&](const check::Case* upto) {
        while (next_skipped < skipped.size() && (upto == nullptr || skipped[next_skipped] < upto)) {
            const check::Case& c = *skipped[next_skipped++];
            summary.skip(c);
            sink.out(o.jsonl ? check::skipped_json(c) : check::skipped_line(c));
        }
    };
    check::run_cases(chosen, run, [&](const check::CaseResult& r) {
        emit_skipped_before(r.c);
        if (run.record_wire) {
            sink.err("== " + r.c->id + " " + r.c->title);
            for (const auto& line : check::wire_lines(r.wire, o.hexdump, present::Style{}))
                sink.err(line);
        }
        summary.add(r);
        sink.out(o.jsonl ? check::case_json(r) : check::case_line(r, style));
        sink.flush();
    });
    emit_skipped_before(nullptr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (o.jsonl) {
        sink.out(summary.json(seconds));
    } else {
        sink.out("");
        for (const auto& line : summary.lines(seconds)) sink.out(line);
    }
    sink.flush();
    return static_cast<int>(summary.failed() ? ExitCode::check : ExitCode::ok);
}

int run_check(const CheckCommand& command) {
    StdioSink sink;
    return run_check(command.options, sink);
}

}  // namespace wscope::app
