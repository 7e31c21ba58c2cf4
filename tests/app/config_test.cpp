// Option resolution (config.cpp resolve()): a table of command lines and what they resolve
// to, through the real definitions of make_command_line(), the -l rewrite and CLI11.
#include <doctest/doctest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/usage_errors.hpp"

namespace wscope::app {
namespace {

using Words = std::vector<std::string>;

struct Resolved {
    std::unique_ptr<CommandLine> cl;
    std::string error;  // a parse or resolve error; "" when the line is good
};

// What run() does before dispatching: the -l rewrite, CLI11, then resolve().
Resolved resolve_words(const Words& words) {
    Resolved r{make_command_line(), {}};
    CLI::App& app = *r.cl->app;
    CLI::App& listen = *r.cl->listen_cmd;
    const auto takes_value = [&](std::string_view name) {
        for (const CLI::App* table : {&listen, &app})
            if (const CLI::Option* o = table->get_option_no_throw(std::string(name)))
                return o->get_items_expected_min() > 0;
        return false;
    };
    const ListenRewrite rw = rewrite_listen_short(words, takes_value);
    if (!rw.error.empty()) {
        r.error = rw.error;
        return r;
    }
    Words reversed(rw.args.rbegin(), rw.args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        r.error = usage_message(e, rw.args, listen.parsed() > 0, app, listen);
        return r;
    }
    r.error = resolve(*r.cl);
    return r;
}

struct Row {
    Words words;
    std::function<bool(const CommandLine&)> holds;
    const char* what;
};

}  // namespace

TEST_CASE("resolve: client command lines and what they resolve to") {
    using TS = OutputOptions::Timestamps;
    const std::vector<Row> table = {
        {{"ws://h/"},
         [](const CommandLine& c) {
             const ClientOptions& o = c.client;
             return c.mode == Mode::client && o.url == "ws://h/" && o.framing == Framing::lines &&
                    o.family == net::Family::any && o.close_code == 1000 && o.wait == 0.5 &&
                    !o.wait_given && !o.out.frames && o.out.timestamps == TS::none &&
                    !o.mask_seed && o.max_message == proto::default_max_message;
         },
         "the defaults"},
        {{"-c", "ws://h/"},
         [](const CommandLine& c) { return c.client.url == "ws://h/"; },
         "-c URL"},
        {{"-0", "ws://h/"},
         [](const CommandLine& c) { return c.client.framing == Framing::nul; },
         "-0"},
        {{"--whole", "ws://h/"},
         [](const CommandLine& c) { return c.client.framing == Framing::whole; },
         "--whole"},
        {{"--chunk", "16", "ws://h/"},
         [](const CommandLine& c) {
             return c.client.framing == Framing::chunk && c.client.chunk == 16;
         },
         "--chunk"},
        {{"-4", "ws://h/"},
         [](const CommandLine& c) { return c.client.family == net::Family::ipv4; },
         "-4"},
        {{"-6", "ws://h/"},
         [](const CommandLine& c) { return c.client.family == net::Family::ipv6; },
         "-6"},
        {{"-X", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.hexdump && c.client.out.frames; },
         "-X implies -F"},
        {{"-v", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.verbose == 1 && !c.client.out.frames; },
         "-v alone shows no frames"},
        {{"-vv", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.verbose == 2 && c.client.out.frames; },
         "-vv adds frame lines"},
        {{"-T", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.timestamps == TS::wall; },
         "-T"},
        {{"--timestamps", "relative", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.timestamps == TS::relative; },
         "--timestamps relative"},
        {{"--timestamps", "wall", "ws://h/"},
         [](const CommandLine& c) { return c.client.out.timestamps == TS::wall; },
         "--timestamps wall"},
        {{"--color", "always", "ws://h/"},
         [](const CommandLine& c) {
             return c.client.out.colour_stdout && c.client.out.colour_stderr;
         },
         "--color always"},
        {{"--color", "never", "ws://h/"},
         [](const CommandLine& c) {
             return !c.client.out.colour_stdout && !c.client.out.colour_stderr;
         },
         "--color never"},
        {{"-w", "0", "ws://h/"},
         [](const CommandLine& c) { return c.client.wait == 0 && c.client.wait_given; },
         "-w 0 is given"},
        {{"-H", "X-A:  b c ", "-H", "Y:z", "ws://h/"},
         [](const CommandLine& c) {
             const auto& h = c.client.headers;
             return h.size() == 2 && h[0].name == "X-A" && h[0].value == "b c " &&
                    h[1].name == "Y" && h[1].value == "z";
         },
         "-H: leading blanks of the value dropped"},
        {{"--max-message-size", "1M", "ws://h/"},
         [](const CommandLine& c) { return c.client.max_message == 1024u * 1024u; },
         "--max-message-size 1M"},
        {{"--close-code", "4000", "--close-reason", "bye", "ws://h/"},
         [](const CommandLine& c) {
             return c.client.close_code == 4000 && c.client.close_reason == "bye";
         },
         "--close-code"},
        {{"--mask-seed", "7", "ws://h/"},
         [](const CommandLine& c) { return c.client.mask_seed == std::optional<std::uint64_t>(7); },
         "--mask-seed"},
    };
    for (const Row& row : table) {
        INFO(row.what);
        const Resolved r = resolve_words(row.words);
        REQUIRE(r.error == "");
        CHECK(row.holds(*r.cl));
    }
}

TEST_CASE("resolve: listen command lines") {
    const std::vector<Row> table = {
        {{"listen", "8080"},
         [](const CommandLine& c) {
             return c.mode == Mode::listen && c.listen.address == "8080" &&
                    c.listen.prefix == PrefixMode::auto_ &&
                    c.listen.max_message == proto::default_max_message && c.listen.max_clients == 0;
         },
         "listen PORT"},
        {{"-l", "8080", "--echo"},
         [](const CommandLine& c) {
             return c.mode == Mode::listen && c.listen.address == "8080" && c.listen.echo;
         },
         "-l PORT takes listen options"},
        {{"listen", "8080", "--prefix", "always"},
         [](const CommandLine& c) { return c.listen.prefix == PrefixMode::always; },
         "--prefix always"},
        {{"listen", "8080", "--prefix", "never"},
         [](const CommandLine& c) { return c.listen.prefix == PrefixMode::never; },
         "--prefix never"},
        {{"listen", "8080", "-X"},
         [](const CommandLine& c) {
             return c.listen.out.hexdump && c.listen.out.frames && !c.client.out.frames;
         },
         "listen -X implies listen -F"},
        {{"listen", "8080", "-vv"},
         [](const CommandLine& c) { return c.listen.out.frames; },
         "listen -vv"},
        {{"listen", "8080", "-T"},
         [](const CommandLine& c) {
             return c.listen.out.timestamps == OutputOptions::Timestamps::wall;
         },
         "listen -T"},
        {{"listen", "8080", "--max-clients", "3", "--max-message-size", "2K"},
         [](const CommandLine& c) {
             return c.listen.max_clients == 3 && c.listen.max_message == 2048;
         },
         "listen limits"},
    };
    for (const Row& row : table) {
        INFO(row.what);
        const Resolved r = resolve_words(row.words);
        REQUIRE(r.error == "");
        CHECK(row.holds(*r.cl));
    }
}

TEST_CASE("resolve: combinations that are refused, with the line that says why") {
    const std::vector<std::pair<Words, std::string>> table = {
        {{}, "no URL given (try: wscope ws://127.0.0.1:8080/)"},
        {{"-0", "--whole", "ws://h/"}, "choose one of -0/--null, --whole and --chunk"},
        {{"-0", "--chunk", "4", "ws://h/"}, "choose one of -0/--null, --whole and --chunk"},
        {{"--whole", "--chunk", "4", "ws://h/"}, "choose one of -0/--null, --whole and --chunk"},
        {{"-b", "-t", "ws://h/"}, "choose one of -b/--binary and -t/--text"},
        {{"-4", "-6", "ws://h/"}, "choose one of -4 and -6"},
        {{"-q", "-v", "ws://h/"}, "choose one of -q/--quiet and -v/--verbose"},
        {{"-H", "no colon", "ws://h/"}, "bad header \"no colon\": expected \"Name: value\""},
        {{"-H", ":v", "ws://h/"}, "bad header \":v\": expected \"Name: value\""},
        {{"listen", "8080", "-q", "-v"}, "choose one of -q/--quiet and -v/--verbose"},
        {{"listen", "8080", "--tls-key", __FILE__},
         "--tls-key and --tls-client-ca need --tls-cert"},
        {{"listen", "8080", "--tls-client-ca", __FILE__},
         "--tls-key and --tls-client-ca need --tls-cert"},
    };
    for (const auto& [words, message] : table) {
        std::string line;
        for (const auto& w : words) line += w + " ";
        INFO("wscope " << line);
        CHECK(resolve_words(words).error == message);
    }
}

TEST_CASE("resolve: close codes that may not be sent are refused before any I/O") {
    for (const char* code : {"1005", "1006", "1015", "999", "5000"}) {
        INFO("--close-code " << code);
        CHECK(resolve_words({"--close-code", code, "ws://h/"}).error != "");
    }
}

TEST_CASE("resolve: NO_COLOR turns auto colour off, --color always still wins") {
    ::setenv("NO_COLOR", "1", 1);
    const Resolved automatic = resolve_words({"ws://h/"});
    const Resolved always = resolve_words({"--color", "always", "ws://h/"});
    ::unsetenv("NO_COLOR");
    REQUIRE(automatic.error == "");
    REQUIRE(always.error == "");
    CHECK_FALSE(automatic.cl->client.out.colour_stderr);
    CHECK(always.cl->client.out.colour_stderr);
}

TEST_CASE("console_setup: the console gets what was resolved") {
    const Resolved r = resolve_words({"--color", "always", "-T", "-vv", "ws://h/"});
    REQUIRE(r.error == "");
    const ConsoleSetup s = console_setup(r.cl->client.out);
    CHECK(s.colour_out);
    CHECK(s.colour_err);
    CHECK(s.timestamps == OutputOptions::Timestamps::wall);
    CHECK(s.verbose == 2);
    CHECK_FALSE(s.quiet);
}

}  // namespace wscope::app
