// The option walk and the four renderers (man, bash, zsh, fish). See docgen.hpp.
#include "app/docgen.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace wscope::app::docs {
namespace {

// man/wscope.1.in is a C++ raw string literal around the page's groff text, so that the
// prose ships inside the binary without a build step.
constexpr std::string_view man_template_text =
#include "../../man/wscope.1.in"
    ;

constexpr std::array<std::pair<std::string_view, Kind>, 4> kinds{{
    {"man", Kind::man},
    {"bash", Kind::bash},
    {"zsh", Kind::zsh},
    {"fish", Kind::fish},
}};

// ---------------------------------------------------------------------------- the walk

// Options whose value is a path, by long name. Options whose value name is FILE, PATH or DIR
// get the same treatment without being listed.
struct HintRule {
    std::string_view long_name;
    ValueHint hint;
};
constexpr std::array<HintRule, 7> hint_rules{{
    {"cacert", ValueHint::file},
    {"capath", ValueHint::directory},
    {"cert", ValueHint::file},
    {"key", ValueHint::file},
    {"tls-cert", ValueHint::file},
    {"tls-key", ValueHint::file},
    {"unix-socket", ValueHint::file},
}};

ValueHint value_hint(const OptionDoc& o) {
    for (const auto& rule : hint_rules)
        if (std::find(o.long_names.begin(), o.long_names.end(), rule.long_name) !=
            o.long_names.end())
            return rule.hint;
    if (o.value_name == "FILE" || o.value_name == "PATH") return ValueHint::file;
    if (o.value_name == "DIR") return ValueHint::directory;
    return ValueHint::none;
}

// CLI11 appends each validator's description to the type name ("S:NONNEGATIVE",
// "WHEN:{auto,always,never}"). Returns the descriptions, in order.
std::vector<std::string> validator_descriptions(CLI::Option& opt) {
    std::vector<std::string> out;
    // CLI11 2.1 has no validator count: get_validator(index) throws past the last one.
    for (int i = 0;; ++i) {
        const CLI::Validator* v = nullptr;
        try {
            v = opt.get_validator(i);
        } catch (const CLI::OptionNotFound&) {
            break;
        }
        if (std::string d = v->get_description(); !d.empty()) out.push_back(std::move(d));
    }
    return out;
}

// "{auto,always,never}" (CLI::IsMember's description) → its members.
std::vector<std::string> members(std::string_view description) {
    std::vector<std::string> out;
    if (description.size() < 2 || description.front() != '{' || description.back() != '}')
        return out;
    std::string_view rest = description.substr(1, description.size() - 2);
    while (!rest.empty()) {
        const auto comma = std::min(rest.find(','), rest.size());
        out.emplace_back(rest.substr(0, comma));
        rest.remove_prefix(std::min(comma + 1, rest.size()));
    }
    return out;
}

// The type name as given to type_name(), without the validators' descriptions.
std::string bare_type_name(CLI::Option& opt) {
    std::string type = opt.get_type_name();
    const auto validators = validator_descriptions(opt);
    for (auto v = validators.rbegin(); v != validators.rend(); ++v) {
        const std::string suffix = ":" + *v;
        if (type.ends_with(suffix)) type.resize(type.size() - suffix.size());
    }
    return type;
}

OptionDoc describe_option(CLI::Option& opt) {
    OptionDoc d;
    d.short_names = opt.get_snames();
    d.long_names = opt.get_lnames();
    d.description = opt.get_description();
    d.group = opt.get_group();
    if (opt.get_items_expected_max() > 0) {
        for (const auto& v : validator_descriptions(opt))
            if (d.choices.empty()) d.choices = members(v);
        const std::string type = bare_type_name(opt);
        d.value_name = type.empty() ? "VALUE" : type;
        d.optional_value = opt.get_items_expected_min() == 0;
        if (!d.optional_value) d.default_value = opt.get_default_str();
        if (d.default_value == "[]") d.default_value.clear();
    } else if (std::string type = bare_type_name(opt); !type.empty()) {  // --flag[=VALUE]
        d.value_name = std::move(type);
        d.optional_value = true;
    }
    d.repeatable = opt.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ||
                   opt.get_items_expected_max() > 1;
    d.hint = value_hint(d);
    return d;
}

CommandDoc describe_command(CLI::App& app, std::string name) {
    CommandDoc c;
    c.name = std::move(name);
    c.description = app.get_description();
    for (CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;  // hidden
        if (!opt->nonpositional()) {
            c.positionals.push_back(
                {opt->get_name(true), bare_type_name(*opt), opt->get_description()});
            continue;
        }
        c.options.push_back(describe_option(*opt));
        if (std::find(c.groups.begin(), c.groups.end(), opt->get_group()) == c.groups.end())
            c.groups.push_back(opt->get_group());
    }
    return c;
}

// ---------------------------------------------------------------------------- shared helpers

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += sep;
        out += w;
    }
    return out;
}

// Options of a command in --help order: group by group, each in definition order.
std::vector<const OptionDoc*> in_help_order(const CommandDoc& c) {
    std::vector<const OptionDoc*> out;
    for (const auto& g : c.groups)
        for (const auto& o : c.options)
            if (o.group == g) out.push_back(&o);
    return out;
}

// Replaces every occurrence of from in s.
std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// A description as a sentence.
std::string sentence(std::string text) {
    if (!text.empty() && std::string_view(".!?").find(text.back()) == std::string_view::npos)
        text += '.';
    return text;
}

// The first code point of s (UTF-8); len receives its length in bytes. Malformed: the byte.
std::uint32_t decode_utf8(std::string_view s, std::size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    len = b0 < 0x80 ? 1 : b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
    if (len > s.size()) len = 1;
    if (len == 1) return b0;
    std::uint32_t cp = b0 & (0x3f >> (len - 1));
    for (std::size_t i = 1; i < len; ++i) cp = cp << 6 | (static_cast<unsigned char>(s[i]) & 0x3f);
    return cp;
}

// ---------------------------------------------------------------------------- man

// Text as groff input: backslashes and non-ASCII characters escaped, the dashes of option
// names ("--close-code") as \- so that they render as ASCII minus signs and can be copied.
std::string man_escape(std::string_view s) {
    std::string out;
    bool in_option = false;
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        const auto is_word = [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        };
        if (!is_word(c) && c != '-') in_option = false;
        if (c == '-') {
            const bool starts_word = i == 0 || !is_word(s[i - 1]);
            const bool before_name = i + 1 < s.size() && (is_word(s[i + 1]) || s[i + 1] == '-');
            if (starts_word && before_name) in_option = true;
            out += in_option ? "\\-" : "-";
            ++i;
            continue;
        }
        if (c == '\\') {
            out += "\\e";
            ++i;
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x80) {
            out += c;
            ++i;
            continue;
        }
        std::size_t len = 1;
        const std::uint32_t cp = decode_utf8(s.substr(i), len);
        i += len;
        switch (cp) {
            case 0x2014:
                out += "\\(em";
                break;
            case 0x2013:
                out += "\\(en";
                break;
            case 0x00a7:
                out += "\\(sc";
                break;
            case 0x2192:
                out += "\\(->";
                break;
            case 0x2026:
                out += "\\&.\\|.\\|.";
                break;
            default: {
                char buf[16];
                std::snprintf(buf, sizeof buf, "\\[u%04X]", static_cast<unsigned>(cp));
                out += buf;
            }
        }
    }
    // A text line must not start with a control character.
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string man_option_head(const OptionDoc& o) {
    std::string head;
    for (const auto& name : o.names()) {
        if (!head.empty()) head += ", ";
        head += "\\fB" + man_escape(name) + "\\fR";
    }
    if (o.takes_value()) {
        const std::string value = "\\fI" + man_escape(o.value_name) + "\\fR";
        head += o.optional_value ? "[=" + value + "]" : " " + value;
    }
    return head;
}

std::string man_group_title(const std::string& group) {
    return group == "Options" ? "General" : group;
}

std::string man_options(const CommandDoc& c) {
    std::string out;
    if (!c.positionals.empty()) out += ".SS Arguments\n";
    for (const auto& p : c.positionals) {
        out += ".TP\n\\fI" + man_escape(p.value_name) + "\\fR\n";
        out += man_escape(sentence(p.description)) + "\n";
    }
    for (const auto& g : c.groups) {
        out += ".SS " + man_escape(man_group_title(g)) + "\n";
        for (const auto& o : c.options) {
            if (o.group != g) continue;
            out += ".TP\n" + man_option_head(o) + "\n";
            std::string text = sentence(o.description);
            if (!o.default_value.empty()) text += " Default: " + o.default_value + ".";
            out += man_escape(text) + "\n";
        }
    }
    return out;
}

// ---------------------------------------------------------------------------- bash

// "a b c" as a single-quoted shell word (our words have no quotes).
std::string sh_quote(std::string_view s) {
    return "'" + replace_all(std::string(s), "'", "'\\''") + "'";
}

std::string bash_value_cases(const CommandDoc& c) {
    std::string out;
    std::vector<std::string> files, dirs, other;
    for (const OptionDoc* o : in_help_order(c)) {
        if (!o->takes_value()) continue;
        const std::string pattern = join(o->names(), "|");
        if (!o->choices.empty()) {
            const std::string words = sh_quote(join(o->choices, " "));
            if (o->optional_value)
                out += "            " + pattern +
                       ") if [[ $cur != -* ]]; then _wscope_words \"$prefix\" \"$cur\" " + words +
                       "; return; fi ;;\n";
            else
                out += "            " + pattern + ") _wscope_words \"$prefix\" \"$cur\" " + words +
                       "; return ;;\n";
            continue;
        }
        if (o->optional_value) continue;
        auto& list = o->hint == ValueHint::file        ? files
                     : o->hint == ValueHint::directory ? dirs
                                                       : other;
        list.push_back(pattern);
    }
    if (!files.empty())
        out += "            " + join(files, "|") +
               ") _wscope_paths \"$prefix\" \"$cur\" -f; return ;;\n";
    if (!dirs.empty())
        out += "            " + join(dirs, "|") +
               ") _wscope_paths \"$prefix\" \"$cur\" -d; return ;;\n";
    if (!other.empty())
        out += "            " + join(other, "|") + ") return ;;  # a value wscope cannot guess\n";
    return out;
}

std::vector<std::string> all_names(const CommandDoc& c) {
    std::vector<std::string> out;
    for (const OptionDoc* o : in_help_order(c))
        for (auto& n : o->names()) out.push_back(n);
    return out;
}

// Names of the options that take a separate value word (to skip it while looking for the
// subcommand).
std::vector<std::string> value_taking_names(const CommandDoc& c) {
    std::vector<std::string> out;
    for (const OptionDoc* o : in_help_order(c))
        if (o->takes_value() && !o->optional_value)
            for (auto& n : o->names()) out.push_back(n);
    return out;
}

std::string bash(const std::vector<CommandDoc>& cmds) {
    const CommandDoc& main = cmds.front();
    std::vector<std::string> subcommands;
    for (std::size_t i = 1; i < cmds.size(); ++i) subcommands.push_back(cmds[i].name);

    std::string out =
        "# bash completion for wscope(1)\n"
        "# Generated by `wscope --generate bash` (scripts/regen-docs) from the option definitions\n"
        "# in src/app/cli.cpp. DO NOT EDIT.\n"
        "\n"
        "# _wscope_words PREFIX CUR WORDS: the words that start with CUR.\n"
        "_wscope_words() {\n"
        "    local prefix=$1 cur=$2\n"
        "    mapfile -t COMPREPLY < <(compgen -W \"$3\" -- \"$cur\")\n"
        "    COMPREPLY=(\"${COMPREPLY[@]/#/$prefix}\")\n"
        "}\n"
        "\n"
        "# _wscope_paths PREFIX CUR -f|-d: file or directory names that start with CUR.\n"
        "_wscope_paths() {\n"
        "    local prefix=$1 cur=$2\n"
        "    compopt -o filenames 2>/dev/null\n"
        "    mapfile -t COMPREPLY < <(compgen \"$3\" -- \"$cur\")\n"
        "    COMPREPLY=(\"${COMPREPLY[@]/#/$prefix}\")\n"
        "}\n"
        "\n"
        "_wscope() {\n"
        "    COMPREPLY=()\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev= prefix= cmd= positional= i\n"
        "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
        "    # --opt=value is usually split at \"=\" (COMP_WORDBREAKS); otherwise it is one word.\n"
        "    if [[ $cur == = ]]; then\n"
        "        cur=\n"
        "    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
        "        prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
        "    elif [[ $cur == --*=* ]]; then\n"
        "        prev=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}\n"
        "    fi\n"
        "\n"
        "    # The subcommand, if one comes before the cursor (values of options skipped).\n"
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "        case ${COMP_WORDS[i]} in\n";
    if (!subcommands.empty())
        out += "            " + join(subcommands, "|") +
               ") [[ -z $positional ]] && cmd=${COMP_WORDS[i]} && break ;;\n";
    if (const auto names = value_taking_names(main); !names.empty())
        out += "            " + join(names, "|") + ") ((i++)) ;;\n";
    out +=
        "            -*) ;;\n"
        "            *) positional=1 ;;\n"
        "        esac\n"
        "    done\n"
        "\n"
        "    local opts\n"
        "    case $cmd in\n";
    for (std::size_t i = 1; i < cmds.size(); ++i) {
        out += "    " + cmds[i].name + ")\n";
        out += "        case $prev in\n" + bash_value_cases(cmds[i]) + "        esac\n";
        out += "        opts=" + sh_quote(join(all_names(cmds[i]), " ")) + " ;;\n";
    }
    out += "    *)\n";
    out += "        case $prev in\n" + bash_value_cases(main) + "        esac\n";
    out += "        opts=" + sh_quote(join(all_names(main), " ")) + " ;;\n";
    out +=
        "    esac\n"
        "\n"
        "    if [[ $cur == -* ]]; then\n"
        "        _wscope_words '' \"$cur\" \"$opts\"\n";
    if (!subcommands.empty())
        out +=
            "    elif [[ -z $cmd && -z $positional ]]; then\n"
            "        _wscope_words '' \"$cur\" " +
            sh_quote(join(subcommands, " ")) + "\n";
    out +=
        "    fi\n"
        "}\n"
        "\n"
        "complete -F _wscope wscope\n";
    return out;
}

// ---------------------------------------------------------------------------- zsh

// Text inside an _arguments "[explanation]".
std::string zsh_explanation(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// A message or explanation part after ":" in an _arguments spec.
std::string zsh_message(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string zsh_action(const OptionDoc& o) {
    if (!o.choices.empty()) return "(" + join(o.choices, " ") + ")";
    if (o.hint == ValueHint::file) return "_files";
    if (o.hint == ValueHint::directory) return "_files -/";
    return " ";
}

// One _arguments spec per option, as a line of a zsh array (already quoted).
std::string zsh_spec(const OptionDoc& o) {
    std::vector<std::string> names;
    for (const auto& s : o.short_names)
        names.push_back("-" + s + (o.takes_value() ? (o.optional_value ? "-" : "+") : ""));
    for (const auto& l : o.long_names)
        names.push_back("--" + l + (o.takes_value() ? (o.optional_value ? "=-" : "=") : ""));
    std::string spec;
    if (o.repeatable)
        spec += "'*'";
    else
        spec += "'(" + join(o.names(), " ") + ")'";
    spec += names.size() == 1 ? names.front() : "{" + join(names, ",") + "}";
    std::string rest = "[" + zsh_explanation(o.description) + "]";
    if (o.takes_value())
        rest += std::string(o.optional_value ? "::" : ":") + zsh_message(o.value_name) + ":" +
                zsh_action(o);
    spec += sh_quote(rest);
    return spec;
}

std::string zsh_specs(const CommandDoc& c) {
    std::string out;
    for (const OptionDoc* o : in_help_order(c)) out += "    " + zsh_spec(*o) + "\n";
    return out;
}

std::string zsh(const std::vector<CommandDoc>& cmds) {
    const CommandDoc& main = cmds.front();
    std::string out =
        "#compdef wscope\n"
        "# zsh completion for wscope(1)\n"
        "# Generated by `wscope --generate zsh` (scripts/regen-docs) from the option definitions\n"
        "# in src/app/cli.cpp. DO NOT EDIT.\n"
        "\n"
        "_wscope() {\n"
        "  local curcontext=$curcontext state state_descr line ret=1\n"
        "  typeset -A opt_args\n"
        "  local -a main_opts subcommands\n"
        "  main_opts=(\n" +
        zsh_specs(main) + "  )\n";
    out += "  subcommands=(\n";
    for (std::size_t i = 1; i < cmds.size(); ++i)
        out += "    " + sh_quote(cmds[i].name + ":" + cmds[i].description) + "\n";
    out += "  )\n";
    for (std::size_t i = 1; i < cmds.size(); ++i)
        out += "  local -a " + cmds[i].name + "_opts\n  " + cmds[i].name + "_opts=(\n" +
               zsh_specs(cmds[i]) + "  )\n";
    std::string first_positional =
        main.positionals.empty() ? "ARG" : main.positionals.front().value_name;
    out +=
        "\n"
        "  _arguments -C -s -S $main_opts '1: :->first' '*:: :->rest' && ret=0\n"
        "  case $state in\n"
        "    first)\n"
        "      _describe -t subcommands subcommand subcommands && ret=0\n"
        "      _message -e urls " +
        sh_quote(first_positional) +
        "\n"
        "      ;;\n"
        "    rest)\n"
        "      case $words[1] in\n";
    for (std::size_t i = 1; i < cmds.size(); ++i) {
        const std::string arg =
            cmds[i].positionals.empty()
                ? ""
                : " " + sh_quote(":" + zsh_message(cmds[i].positionals.front().value_name) + ": ");
        out += "        " + cmds[i].name + ")\n";
        out += "          curcontext=${curcontext%:*:*}:wscope-" + cmds[i].name + ":\n";
        out += "          _arguments -s -S $" + cmds[i].name + "_opts" + arg + " && ret=0 ;;\n";
    }
    out +=
        "        *)\n"
        "          _arguments -s -S $main_opts && ret=0 ;;\n"
        "      esac\n"
        "      ;;\n"
        "  esac\n"
        "  return ret\n"
        "}\n"
        "\n"
        "_wscope \"$@\"\n";
    return out;
}

// ---------------------------------------------------------------------------- fish

// A fish single-quoted word.
std::string fish_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string fish_lines(const CommandDoc& c, const std::string& condition) {
    std::string out;
    for (const OptionDoc* o : in_help_order(c)) {
        std::string line = "complete -c wscope -n " + fish_quote(condition);
        for (const auto& s : o->short_names) line += " -s " + s;
        for (const auto& l : o->long_names) line += " -l " + l;
        if (o->takes_value()) {
            if (!o->choices.empty())
                line += " -x -a " + fish_quote(join(o->choices, " "));
            else if (o->optional_value)
                ;  // a flag for completion purposes
            else if (o->hint == ValueHint::file)
                line += " -r -F";
            else if (o->hint == ValueHint::directory)
                line += " -x -a '(__fish_complete_directories (commandline -ct))'";
            else
                line += " -x";
        }
        line += " -d " + fish_quote(o->description);
        out += line + "\n";
    }
    return out;
}

std::string fish(const std::vector<CommandDoc>& cmds) {
    std::vector<std::string> subcommands;
    for (std::size_t i = 1; i < cmds.size(); ++i) subcommands.push_back(cmds[i].name);
    std::string out =
        "# fish completion for wscope(1)\n"
        "# Generated by `wscope --generate fish` (scripts/regen-docs) from the option definitions\n"
        "# in src/app/cli.cpp. DO NOT EDIT.\n"
        "\n"
        "complete -c wscope -f\n";
    for (std::size_t i = 1; i < cmds.size(); ++i)
        out += "complete -c wscope -n __fish_use_subcommand -a " + cmds[i].name + " -d " +
               fish_quote(cmds[i].description) + "\n";
    out += "\n# wscope [OPTIONS] URL\n";
    const std::string not_sub =
        subcommands.empty() ? "true" : "not __fish_seen_subcommand_from " + join(subcommands, " ");
    out += fish_lines(cmds.front(), not_sub);
    for (std::size_t i = 1; i < cmds.size(); ++i) {
        out += "\n# wscope " + cmds[i].name + " [OPTIONS]\n";
        out += fish_lines(cmds[i], "__fish_seen_subcommand_from " + cmds[i].name);
    }
    return out;
}

}  // namespace

std::optional<Kind> parse_kind(std::string_view name) {
    for (const auto& [n, k] : kinds)
        if (n == name) return k;
    return std::nullopt;
}

std::vector<std::string> kind_names() {
    std::vector<std::string> out;
    for (const auto& [n, k] : kinds) out.emplace_back(n);
    return out;
}

std::vector<std::string> OptionDoc::names() const {
    std::vector<std::string> out;
    for (const auto& s : short_names) out.push_back("-" + s);
    for (const auto& l : long_names) out.push_back("--" + l);
    return out;
}

std::vector<CommandDoc> describe(CLI::App& app) {
    std::vector<CommandDoc> out;
    out.push_back(describe_command(app, ""));
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        out.push_back(describe_command(*sub, sub->get_name()));
    return out;
}

std::string_view man_template() {
    return man_template_text;
}

std::string man_page(const std::vector<CommandDoc>& commands, std::string_view tmpl,
                     std::string_view version) {
    std::string page(tmpl);
    // The raw string starts right after its opening delimiter's "(": drop that newline.
    if (!page.empty() && page.front() == '\n') page.erase(0, 1);
    for (const auto& c : commands) {
        const std::string marker = c.name.empty() ? "@OPTIONS@\n" : "@OPTIONS " + c.name + "@\n";
        const auto at = page.find(marker);
        if (at == std::string::npos || (at != 0 && page[at - 1] != '\n'))
            throw std::logic_error("man/wscope.1.in has no line " +
                                   marker.substr(0, marker.size() - 1));
        page.replace(at, marker.size(), man_options(c));
    }
    return replace_all(std::move(page), "@VERSION@", version);
}

std::string generate(CLI::App& app, Kind kind) {
    const auto commands = describe(app);
    switch (kind) {
        case Kind::man:
            return man_page(commands, man_template(), WSCOPE_VERSION);
        case Kind::bash:
            return bash(commands);
        case Kind::zsh:
            return zsh(commands);
        case Kind::fish:
            return fish(commands);
    }
    return {};
}

}  // namespace wscope::app::docs
