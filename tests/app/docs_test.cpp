// The generated documentation: the walk over the CLI11 definitions, the renderers, and the
// committed man/wscope.1 and completions/* against what the current definitions generate
// (STYLE habit 9: a flag added to cli.cpp without running scripts/regen-docs fails here).
#include "app/docgen.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/exit_code.hpp"
#include "app/repl_command.hpp"

namespace wscope::app::docs {
namespace {

// The source tree: this file is tests/app/docs_test.cpp.
const std::filesystem::path source_root =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();

std::string read_source_file(const std::string& relative) {
    std::ifstream in(source_root / relative, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot read " << (source_root / relative).string()
                                              << ": run scripts/regen-docs");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct GeneratedFile {
    Kind kind;
    const char* kind_name;
    const char* path;
};
const GeneratedFile generated_files[] = {
    {Kind::man, "man", "man/wscope.1"},
    {Kind::bash, "bash", "completions/wscope.bash"},
    {Kind::zsh, "zsh", "completions/_wscope"},
    {Kind::fish, "fish", "completions/wscope.fish"},
};

// The first line where a and b differ, for the failure message.
std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream sa(a), sb(b);
    std::string la, lb;
    for (int n = 1;; ++n) {
        const bool ga = static_cast<bool>(std::getline(sa, la));
        const bool gb = static_cast<bool>(std::getline(sb, lb));
        if (!ga && !gb) return "(the files differ only in their last newline)";
        if (!ga || !gb || la != lb)
            return "line " + std::to_string(n) + ":\n  committed: " + (ga ? la : "(end of file)") +
                   "\n  generated: " + (gb ? lb : "(end of file)");
    }
}

// The option names in a --help text: lines such as "  -H, --header HEADER   Description" or
// "      --chunk N   Description" (help_format.hpp).
std::vector<std::string> help_option_names(const std::string& help) {
    std::vector<std::string> names;
    std::istringstream in(help);
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with("  -") && !line.starts_with("      --")) continue;
        std::string_view head(line);
        head.remove_prefix(head.find('-'));
        head = head.substr(0, head.find("  "));
        while (!head.empty()) {
            const auto comma = std::min(head.find(", "), head.size());
            std::string_view name = head.substr(0, comma);
            name = name.substr(0, std::min(name.find(' '), name.find('[')));
            names.emplace_back(name);
            head.remove_prefix(std::min(comma + 2, head.size()));
        }
    }
    return names;
}

// "--close-code" as the man page writes it: "\-\-close\-code".
std::string man_name(const std::string& name) {
    std::string out;
    for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
    return out;
}

bool has_word(const std::string& text, const std::string& word, std::string_view before,
              std::string_view after) {
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        const char b = at == 0 ? ' ' : text[at - 1];
        const char a = at + word.size() < text.size() ? text[at + word.size()] : '\n';
        if (before.find(b) != std::string_view::npos && after.find(a) != std::string_view::npos)
            return true;
    }
    return false;
}

// The section of a man page from ".SH NAME" to the next .SH.
std::string man_section(const std::string& page, const std::string& name) {
    const auto at = page.find(".SH " + name + "\n");
    if (at == std::string::npos) return {};
    const auto end = page.find("\n.SH ", at + 1);
    return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace

TEST_CASE("the committed man page and completions are what the option definitions generate") {
    for (const auto& f : generated_files) {
        const std::string path = f.path, kind = f.kind_name;
        INFO(path);
        auto cl = make_command_line();
        const std::string generated = generate(*cl->app, f.kind);
        const std::string committed = read_source_file(f.path);
        const bool same =
            committed == generated;  // not in the CHECK: doctest would print both files
        CHECK_MESSAGE(same, path << " is not what `wscope --generate " << kind
                                 << "` prints: run scripts/regen-docs\n"
                                 << first_difference(committed, generated));
    }
}

TEST_CASE("every option --help lists is in the man page and in each completion") {
    const std::string man = read_source_file("man/wscope.1");
    const std::string bash = read_source_file("completions/wscope.bash");
    const std::string zsh = read_source_file("completions/_wscope");
    const std::string fish = read_source_file("completions/wscope.fish");
    auto cl = make_command_line();
    const std::vector<std::pair<std::string, std::string>> helps = {
        {"wscope --help", cl->app->help()},
        {"wscope listen --help", cl->listen_cmd->help()},
    };
    for (const auto& entry : helps) {
        const std::string& what = entry.first;  // not a structured binding: INFO captures it
        const std::string& help = entry.second;
        const auto names = help_option_names(help);
        REQUIRE_MESSAGE(names.size() > 10, what << " lists " << names.size() << " options:\n"
                                                << help);
        for (const auto& name : names) {
            INFO(what << ": " << name);
            CHECK_MESSAGE(man.find("\\fB" + man_name(name) + "\\fR") != std::string::npos,
                          "man/wscope.1 lacks " << name << ": run scripts/regen-docs");
            CHECK_MESSAGE(has_word(bash, name, " '|", " '|)"),
                          "completions/wscope.bash lacks " << name);
            CHECK_MESSAGE(has_word(zsh, name, "{,(' ", "+=-,}'[ )"),
                          "completions/_wscope lacks " << name);
            const std::string fish_option =
                name.starts_with("--") ? "-l " + name.substr(2) : "-s " + name.substr(1);
            CHECK_MESSAGE(has_word(fish, fish_option, " ", " \n"),
                          "completions/wscope.fish lacks " << name);
        }
    }
}

TEST_CASE("the man page has its sections, every exit status and every REPL command") {
    const std::string man = read_source_file("man/wscope.1");
    for (const char* section :
         {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "LISTEN MODE", "INTERACTIVE MODE",
          "INPUT AND OUTPUT", "FRAME LINES", "JSON LINES", "EXIT STATUS", "ENVIRONMENT", "FILES",
          "COMPATIBILITY", "EXAMPLES", "SEE ALSO"}) {
        CHECK_MESSAGE(!man_section(man, section).empty(),
                      "man/wscope.1 has no section " << section);
    }
    const std::string exit_status = man_section(man, "EXIT STATUS");
    for (ExitCode code :
         {ExitCode::ok, ExitCode::usage, ExitCode::connect, ExitCode::tls, ExitCode::handshake,
          ExitCode::protocol, ExitCode::lost, ExitCode::timeout}) {
        const std::string entry = ".TP\n.B " + std::to_string(static_cast<int>(code)) + "\n";
        CHECK_MESSAGE(exit_status.find(entry) != std::string::npos,
                      "EXIT STATUS does not explain " << static_cast<int>(code));
    }
    const std::string repl = man_section(man, "INTERACTIVE MODE");
    for (const auto& name : repl::command_names(repl::Side::server)) {
        CHECK_MESSAGE(has_word(repl, name, " ", " \n"),
                      "INTERACTIVE MODE does not describe " << name);
    }
    CHECK(man.find("@OPTIONS") == std::string::npos);
    CHECK(man.find("@VERSION@") == std::string::npos);
    const auto th = man.find("\n.TH WSCOPE 1 ");
    REQUIRE(th != std::string::npos);
    const auto version = man.find("\"wscope ", th);
    CHECK(version < man.find('\n', th + 1));
    CHECK(std::isdigit(static_cast<unsigned char>(man.at(version + 8))));
}

// ---------------------------------------------------------------------------- the walk

namespace {

struct Sample {
    CLI::App app{"sample tool", "sample"};
    std::vector<std::string> headers;
    std::string when = "auto", kind, ca, file;
    int verbose = 0;
    double timeout = 2;
    bool quiet = false;
    std::string secret;
    CLI::App* sub = nullptr;
    bool echo = false;

    Sample() {
        app.set_version_flag("-V,--version", "1");
        app.add_option("url", kind, "Where to go")->type_name("URL");
        app.add_option("-H,--header", headers, "Add a header (repeatable)")
            ->type_name("HEADER")
            ->group("Net");
        app.add_option("--color", when, "Colour: auto, always or never")
            ->check(CLI::IsMember({"auto", "always", "never"}))
            ->type_name("WHEN")
            ->group("Out");
        app.add_option("-T,--timestamps", kind, "Times")
            ->expected(0, 1)
            ->check(CLI::IsMember({"wall", "relative"}))
            ->type_name("KIND")
            ->group("Out");
        app.add_option("--close-timeout", timeout, "Seconds of silence")
            ->default_val(2)
            ->check(CLI::NonNegativeNumber)
            ->check(CLI::Range(0, 60))
            ->type_name("S")
            ->group("Net");
        app.add_option("--cacert", ca, "CA certificates")->type_name("PEM")->group("Net");
        app.add_option("--log", file, "Where the log goes")->type_name("FILE")->group("Out");
        app.add_flag("-v,--verbose", verbose, "More")->group("Out");
        app.add_flag("-q,--quiet", quiet, "Less — much less, as in §2; it's so")->group("Out");
        app.add_option("--secret", secret, "Hidden")->group("");
        sub = app.add_subcommand("serve", "Serve: sample serve PORT");
        sub->add_option("port", kind, "The port")->required()->type_name("PORT");
        sub->add_flag("--echo", echo, ".dot first")->group("Server");
    }

    const OptionDoc& option(const std::vector<CommandDoc>& docs, const std::string& long_name) {
        for (const auto& o : docs.front().options)
            if (std::find(o.long_names.begin(), o.long_names.end(), long_name) !=
                o.long_names.end())
                return o;
        FAIL("no option --" << long_name);
        return docs.front().options.front();
    }
};

}  // namespace

TEST_CASE("describe: names, value names without validators, choices, hints, defaults, groups") {
    Sample s;
    const auto docs = describe(s.app);
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].name.empty());
    CHECK(docs[1].name == "serve");
    CHECK(docs[1].description == "Serve: sample serve PORT");
    REQUIRE(docs[0].positionals.size() == 1);
    CHECK(docs[0].positionals[0].value_name == "URL");
    CHECK(docs[0].groups == std::vector<std::string>{"Options", "Net", "Out"});

    const auto& header = s.option(docs, "header");
    CHECK(header.names() == std::vector<std::string>{"-H", "--header"});
    CHECK(header.value_name == "HEADER");
    CHECK(header.repeatable);
    CHECK_FALSE(header.optional_value);

    const auto& color = s.option(docs, "color");
    CHECK(color.value_name == "WHEN");
    CHECK(color.choices == std::vector<std::string>{"auto", "always", "never"});
    CHECK_FALSE(color.repeatable);

    const auto& timestamps = s.option(docs, "timestamps");
    CHECK(timestamps.optional_value);
    CHECK(timestamps.choices == std::vector<std::string>{"wall", "relative"});

    const auto& timeout = s.option(docs, "close-timeout");
    CHECK(timeout.value_name == "S");
    CHECK(timeout.default_value == "2");

    CHECK(s.option(docs, "cacert").hint == ValueHint::file);  // by name
    CHECK(s.option(docs, "log").hint == ValueHint::file);     // by value name
    CHECK(s.option(docs, "header").hint == ValueHint::none);

    const auto& verbose = s.option(docs, "verbose");
    CHECK_FALSE(verbose.takes_value());
    CHECK(verbose.repeatable);
    CHECK_FALSE(s.option(docs, "quiet").repeatable);
    CHECK(s.option(docs, "help").group == "Options");
    CHECK(s.option(docs, "version").names() == std::vector<std::string>{"-V", "--version"});

    for (const auto& o : docs[0].options) CHECK(o.long_names != std::vector<std::string>{"secret"});
}

TEST_CASE("man_page: markers replaced by option lists, escaped for groff") {
    Sample s;
    const auto docs = describe(s.app);
    const std::string page = man_page(docs,
                                      "\n.TH SAMPLE 1 x \"sample @VERSION@\"\n.SH "
                                      "OPTIONS\n@OPTIONS@\n.SH SERVE\n@OPTIONS serve@\n",
                                      "9.9");
    CHECK(
        page.starts_with(".TH SAMPLE 1 x \"sample 9.9\"\n.SH OPTIONS\n.SS "
                         "Arguments\n.TP\n\\fIURL\\fR\nWhere to go.\n"));
    CHECK(page.find(".SS General\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n") != std::string::npos);
    CHECK(page.find(".SS Net\n.TP\n\\fB\\-H\\fR, \\fB\\-\\-header\\fR \\fIHEADER\\fR\nAdd a header "
                    "(repeatable).\n") != std::string::npos);
    CHECK(page.find("\\fB\\-\\-close\\-timeout\\fR \\fIS\\fR\nSeconds of silence. Default: 2.\n") !=
          std::string::npos);
    CHECK(page.find("\\fB\\-T\\fR, \\fB\\-\\-timestamps\\fR[=\\fIKIND\\fR]\n") !=
          std::string::npos);
    CHECK(page.find("Less \\(em much less, as in \\(sc2; it's so.\n") != std::string::npos);
    CHECK(page.find(".SH SERVE\n.SS Arguments\n.TP\n\\fIPORT\\fR\nThe port.\n") !=
          std::string::npos);
    CHECK(page.find("\\fB\\-\\-echo\\fR\n\\&.dot first.\n") != std::string::npos);
    CHECK(page.find("secret") == std::string::npos);

    CHECK_THROWS_AS((void)man_page(docs, "\n.SH OPTIONS\n@OPTIONS@\n", "1"), std::logic_error);
}

TEST_CASE("completions: every option, values and quoting") {
    Sample s;
    const std::string bash = generate(s.app, Kind::bash);
    CHECK(bash.find("complete -F _wscope wscope\n") != std::string::npos);
    CHECK(bash.find("--color) _wscope_words \"$prefix\" \"$cur\" 'auto always never'; return ;;") !=
          std::string::npos);
    CHECK(bash.find("--cacert|--log) _wscope_paths \"$prefix\" \"$cur\" -f; return ;;") !=
          std::string::npos);
    CHECK(bash.find("serve) [[ -z $positional ]]") != std::string::npos);
    CHECK(bash.find("opts='-h --help --echo'") != std::string::npos);

    const std::string zsh = generate(s.app, Kind::zsh);
    CHECK(zsh.starts_with("#compdef wscope\n"));
    CHECK(zsh.find("'*'{-H+,--header=}'[Add a header (repeatable)]:HEADER: '") !=
          std::string::npos);
    CHECK(
        zsh.find("'(--color)'--color='[Colour: auto, always or never]:WHEN:(auto always never)'") !=
        std::string::npos);
    CHECK(zsh.find("{-T-,--timestamps=-}'[Times]::KIND:(wall relative)'") != std::string::npos);
    CHECK(zsh.find("--log='[Where the log goes]:FILE:_files'") != std::string::npos);
    CHECK(zsh.find("it'\\''s so") != std::string::npos);

    const std::string fish = generate(s.app, Kind::fish);
    CHECK(fish.find("complete -c wscope -n __fish_use_subcommand -a serve -d 'Serve: sample serve "
                    "PORT'\n") != std::string::npos);
    CHECK(fish.find(
              "-n 'not __fish_seen_subcommand_from serve' -l color -x -a 'auto always never'") !=
          std::string::npos);
    CHECK(fish.find("-l cacert -r -F") != std::string::npos);
    CHECK(fish.find("it\\'s so") != std::string::npos);
    CHECK(fish.find("-n '__fish_seen_subcommand_from serve' -l echo -d '.dot first'\n") !=
          std::string::npos);
}

TEST_CASE("parse_kind") {
    CHECK(parse_kind("man") == Kind::man);
    CHECK(parse_kind("fish") == Kind::fish);
    CHECK_FALSE(parse_kind("html").has_value());
    CHECK(kind_names() == std::vector<std::string>{"man", "bash", "zsh", "fish"});
}

}  // namespace wscope::app::docs
