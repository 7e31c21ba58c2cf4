// The option walk and the four renderers (man, bash, zsh, fish). See docgen.hpp.
#include "app/docgen.hpp"
#include "app/docgen_parts.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace wscope::app::docs {
namespace {

using namespace detail;

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
