// The command-line layer: value checks, the -l rewrite, the usage-error messages and the
// --help layout, with the real definitions of cli.cpp where it matters.
#include "app/value_checks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/help_format.hpp"
#include "app/usage_errors.hpp"

namespace wscope::app {
namespace {

using Words = std::vector<std::string>;

// What run() does before dispatching: the rewrite, then CLI11. Returns the error line, or "".
std::string parse(CommandLine& cl, const Words& words) {
    CLI::App& app = *cl.app;
    const CLI::App* listen = cl.listen_cmd;  // null when built without it
    const auto takes_value = [&](std::string_view name) {
        for (const CLI::App* table : {listen, static_cast<const CLI::App*>(&app)})
            if (const CLI::Option* o = table ? table->get_option_no_throw(std::string(name)) : nullptr)
                return o->get_items_expected_min() > 0;
        return false;
    };
    const ListenRewrite rw = rewrite_listen_short(words, takes_value);
    if (!rw.error.empty()) return rw.error;
    Words reversed(rw.args.rbegin(), rw.args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        if (listen == nullptr) return std::string("parse error: ") + e.what();
        return usage_message(e, rw.args, listen->parsed() > 0, app, *listen);
    }
    return {};
}

std::string error_for(const Words& words) {
    auto cl = make_command_line();
    return parse(*cl, words);
}

ListenRewrite rewrite(const Words& words) {
    // -n, -H and --header take a value; the rest are flags.
    return rewrite_listen_short(words, [](std::string_view n) {
        return n == "-n" || n == "-H" || n == "--header" || n == "-d";
    });
}

}  // namespace

TEST_CASE("parse_unsigned: decimal digits only") {
    CHECK(checks::parse_unsigned("0") == 0u);
    CHECK(checks::parse_unsigned("42") == 42u);
    CHECK(checks::parse_unsigned("18446744073709551615") == UINT64_MAX);
    for (const char* bad :
         {"", "-1", "+1", " 1", "1 ", "1.0", "0x10", "1e3", "18446744073709551616"})
        CHECK_MESSAGE(!checks::parse_unsigned(bad), bad);
}

TEST_CASE("parse_seconds: non-negative, finite, fractions allowed") {
    CHECK(checks::parse_seconds("0") == 0.0);
    CHECK(checks::parse_seconds("2") == 2.0);
    CHECK(checks::parse_seconds("0.25") == 0.25);
    CHECK(checks::parse_seconds("1e3") == 1000.0);
    for (const char* bad : {"", "-1", "+1", "abc", "1s", "inf", "nan", " 1", "1,5"})
        CHECK_MESSAGE(!checks::parse_seconds(bad), bad);
}

TEST_CASE("parse_byte_size: K, M, G are powers of 1024") {
    CHECK(checks::parse_byte_size("65536") == 65536u);
    CHECK(checks::parse_byte_size("64K") == 65536u);
    CHECK(checks::parse_byte_size("64kib") == 65536u);
    CHECK(checks::parse_byte_size("16M") == 16u << 20);
    CHECK(checks::parse_byte_size("1G") == 1u << 30);
    CHECK(checks::parse_byte_size("10B") == 10u);
    for (const char* bad : {"", "K", "1T", "1.5M", "-1", "1 K", "99999999999999999999G"})
        CHECK_MESSAGE(!checks::parse_byte_size(bad), bad);
}

TEST_CASE("bad values: one line naming the option and what it expects") {
    const std::string url = "ws://127.0.0.1:1/";
    CHECK(error_for({"-n", "0", url}) == "--count must be a positive integer (got 0)");
    CHECK(error_for({"-n0", url}) == "--count must be a positive integer (got 0)");
    CHECK(error_for({"--count=abc", url}) == "--count must be a positive integer (got abc)");
    CHECK(error_for({"--ping-interval", "0", url}) ==
          "--ping-interval must be a positive number of seconds (got 0)");
    CHECK(error_for({"-w", "-1", url}) ==
          "--wait must be a non-negative number of seconds (got -1)");
    CHECK(error_for({"--chunk", "0", url}) == "--chunk must be a positive integer (got 0)");
    CHECK(error_for({"--max-redirs", "3000000000", url}) ==
          "--max-redirs must be at most 2147483647 (got 3000000000)");
    CHECK(error_for({"--close-code", "abc", url}) ==
          "--close-code abc is not a number (use 1000-1003, 1007-1014 or 3000-4999)");
    CHECK(
        error_for({"--close-code", "1006", url}) ==
        "--close-code 1006 may not be sent (use 1000-1003, 1007-1014 or 3000-4999; RFC 6455 §7.4)");
    CHECK(
        error_for({"--max-message-size", "1T", url}) ==
        "--max-message-size must be a positive size in bytes, such as 65536, 64K or 16M (got 1T)");
    CHECK(error_for({"listen", "--max-clients", "0", "0"}) ==
          "--max-clients must be a positive integer (got 0)");
    CHECK(error_for({"--color", "", url}) == "--color must be auto, always or never (got \"\")");
}

TEST_CASE("good values land in the options, sizes converted") {
    auto cl = make_command_line();
    REQUIRE(parse(*cl, {"-n", "3", "-w", "0.5", "--close-code", "4000", "--max-message-size", "1M",
                        "ws://h/"}) == "");
    CHECK(cl->client.count == 3);
    CHECK(cl->client.wait == 0.5);
    CHECK(cl->client.close_code == 4000);
    CHECK(cl->client.max_message == 1u << 20);
    CHECK(cl->client.close_timeout == 2);  // the defaults, now stated in the descriptions
    CHECK(cl->listen.handshake_timeout == 10);
}

TEST_CASE("subcommands_for: only the subcommands a command line can enter are built") {
    const auto none = [](const Subcommands& p) { return !p.listen && !p.check && !p.replay; };
    CHECK(none(subcommands_for({})));
    CHECK(none(subcommands_for({"-n", "1", "-b", "--chunk", "64", "ws://h/"})));
    CHECK(none(subcommands_for({"-V"})));
    CHECK(subcommands_for({"listen", "0", "--echo"}).listen);
    CHECK(!subcommands_for({"listen", "0", "--echo"}).check);
    CHECK(subcommands_for({"-l", "9000"}).listen);
    CHECK(subcommands_for({"-vl", "9000"}).listen);
    CHECK(subcommands_for({"--listen=9000"}).listen);
    CHECK(subcommands_for({"check", "ws://h/"}).check);
    CHECK(subcommands_for({"replay", "f.jsonl"}).replay);
    for (const Words& help : {Words{"--help"}, Words{"-h"}, Words{"listen", "--help"},
                              Words{"--help-all"}, Words{"--generate", "man"}, Words{"-vh"}})
        CHECK(subcommands_for(help).all());
}

TEST_CASE("a parser built for the command line parses it as the whole one does") {
    for (const Words& words :
         {Words{"-n", "3", "-H", "X-Test: listen", "ws://h/"}, Words{"-q", "--jsonl", "ws://h/x"},
          Words{"listen", "0", "--echo", "-q"}, Words{"-l", "0", "--oneshot"},
          Words{"-d", "check", "ws://h/"}}) {
        CAPTURE(words.front());
        auto whole = make_command_line();
        auto part = make_command_line(subcommands_for(words));
        REQUIRE(parse(*whole, words) == "");
        REQUIRE(parse(*part, words) == "");
        CHECK(part->client.url == whole->client.url);
        CHECK(part->client.count == whole->client.count);
        CHECK(part->client.out.jsonl == whole->client.out.jsonl);
        CHECK(part->listen.echo == whole->listen.echo);
        CHECK(part->listen.oneshot == whole->listen.oneshot);
        CHECK((part->listen_cmd != nullptr && part->listen_cmd->parsed()) ==
              whole->listen_cmd->parsed());
    }
}

TEST_CASE("-v is counted in OutputOptions::verbose (-vv is 2)") {
    auto cl = make_command_line();
    REQUIRE(parse(*cl, {"-vv", "ws://h/"}) == "");
    CHECK(cl->client.out.verbose == 2);
    auto l = make_command_line();
    REQUIRE(parse(*l, {"-l", "0", "-v", "--verbose"}) == "");
    CHECK(l->listen.out.verbose == 2);
}

TEST_CASE("hints for wscat habits and pointers to the right --help") {
    const std::string k = "; to skip the certificate check as wscat's -n does, use -k";
    CHECK(error_for({"-n", "wss://h/"}) == "--count must be a positive integer (got wss://h/)" + k);
    CHECK(error_for({"-n", "-c", "wss://h/"}) == "--count must be a positive integer (got -c)" + k);
    CHECK(error_for({"wss://h/", "-n"}) == "--count needs a value (a positive integer)" + k);
    CHECK(error_for({"--auth", "a:b", "wss://h/"}) ==
          "--auth is wscat's; wscope's is -u USER:PASS (see wscope --help)");
    CHECK(error_for({"listen"}) ==
          "wscope listen needs the PORT or HOST:PORT to listen on (see wscope listen --help)");
    CHECK(error_for({"listen", "0", "--nope"}) ==
          "unknown option --nope (see wscope listen --help)");
    CHECK(error_for({"listen", "0", "1"}) == "unexpected argument 1 (see wscope listen --help)");
    CHECK(error_for({"ws://a/", "ws://b/"}) == "unexpected argument ws://b/ (see wscope --help)");
    CHECK(error_for({"--tls-cert", "c.pem", "ws://a/"}) ==
          "--tls-cert is a listen option (wscope listen PORT --tls-cert …; see wscope listen "
          "--help)");
    CHECK(error_for({"-H"}) == "--header needs a value (see wscope --help)");
}

TEST_CASE("rewrite_listen_short: -l PORT … becomes listen PORT …") {
    CHECK(rewrite({"-l", "9000", "--oneshot"}).args == Words{"listen", "9000", "--oneshot"});
    CHECK(rewrite({"--echo", "-l9000"}).args == Words{"listen", "9000", "--echo"});
    CHECK(rewrite({"--listen", "9000", "-v"}).args == Words{"listen", "9000", "-v"});
    CHECK(rewrite({"--listen=0.0.0.0:9000"}).args == Words{"listen", "0.0.0.0:9000"});
    CHECK(rewrite({"-vl", "9000", "-F"}).args == Words{"listen", "9000", "-v", "-F"});
    CHECK(rewrite({"-l"}).args == Words{"listen"});
    // values are never taken for -l: -n's, -H's and -d's next word is theirs
    CHECK(rewrite({"-n", "-l", "ws://h/"}).args == Words{"-n", "-l", "ws://h/"});
    CHECK(rewrite({"-d", "-l", "ws://h/"}).args == Words{"-d", "-l", "ws://h/"});
    CHECK(rewrite({"-nl", "-l", "1"}).args == Words{"listen", "1", "-nl"});
    CHECK(rewrite({"--header", "-l", "ws://h/"}).args == Words{"--header", "-l", "ws://h/"});
    CHECK(rewrite({"--", "-l", "1"}).args == Words{"--", "-l", "1"});
    CHECK(rewrite({"ws://h/", "-v"}).args == Words{"ws://h/", "-v"});
    CHECK(rewrite({"listen", "1", "-l", "2"}).error ==
          "use either -l PORT or the listen command, not both");
}

TEST_CASE("-l PORT takes every listen option") {
    auto cl = make_command_line();
    REQUIRE(parse(*cl, {"-l", "9000", "--oneshot", "--max-clients", "3", "--echo", "-n", "2",
                        "--handshake-timeout", "4"}) == "");
    CHECK(cl->listen_cmd->parsed());
    CHECK(cl->listen.address == "9000");
    CHECK(cl->listen.oneshot);
    CHECK(cl->listen.echo);
    CHECK(cl->listen.max_clients == 3);
    CHECK(cl->listen.count == 2);
    CHECK(cl->listen.handshake_timeout == 4);
    CHECK(error_for({"-l", "0", "-H", "X: y"}) ==
          "-H is a client option, not a listen option (see wscope listen --help)");
}

TEST_CASE("help: option heads, wrapping, no CLI11 residue") {
    auto cl = make_command_line();
    CHECK(help_option_head(*cl->app->get_option("--count")) == "-n, --count N");
    CHECK(help_option_head(*cl->app->get_option("--chunk")) == "    --chunk N");
    CHECK(help_option_head(*cl->app->get_option("--data")) == "-d, --data, --execute MSG");
    CHECK(help_option_head(*cl->app->get_option("--color")) == "    --color WHEN");
    CHECK(help_option_head(*cl->app->get_option("-T")) == "-T");
    CHECK(wrap_text("aaa bbb ccc ddd", 4, 32) == "aaa bbb ccc ddd");
    CHECK(wrap_text("aaaa bbbb cccc dddd eeee ffff gggg", 20, 40) ==
          "aaaa bbbb cccc dddd\n" + std::string(20, ' ') + "eeee ffff gggg");

    for (const std::string& help : {cl->app->help(), cl->listen_cmd->help()}) {
        for (const char* residue : {"NONNEGATIVE", "POSITIVE", "FILE:FILE", "DIR:DIR", "INT in [",
                                    "{wall,relative}", "REQUIRED", "=1000", "Positionals:"})
            CHECK_MESSAGE(help.find(residue) == std::string::npos, residue << " in\n" << help);
        CHECK(help.find("\n\n\n") == std::string::npos);
        CHECK(help.find("\nExamples:\n") != std::string::npos);
    }
    const std::string main_help = cl->app->help();
    CHECK(main_help.find("\nSession:\n  -n, --count N ") != std::string::npos);
    CHECK(main_help.find("Commands:\n  listen ") != std::string::npos);
    CHECK(cl->listen_cmd->help().starts_with(
        "Run a test server for WebSocket clients\n\nUsage: wscope listen [OPTIONS] [HOST:]PORT\n"));
}

}  // namespace wscope::app
