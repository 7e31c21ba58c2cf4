// The --help layout of help_format.hpp.
#include "app/help_format.hpp"

#include <algorithm>
#include <vector>

namespace wscope::app {
namespace {

constexpr std::size_t help_width = 80;
// Names longer than this put their description on the next line.
constexpr std::size_t max_head_width = 28;

// The value name as type_name() gave it: CLI11 appends each validator's description, and
// only one_of() has one ("WHEN:{auto,always,never}").
std::string value_name(const CLI::Option& opt) {
    std::string type = opt.get_type_name();
    if (!type.empty() && type.back() == '}')
        if (const auto at = type.rfind(":{"); at != std::string::npos) type.resize(at);
    return type;
}

std::string group_title(const std::string& group) {
    return group == "Options" ? "General" : group;
}

std::string full_name(const CLI::App& app) {
    std::string name = app.get_name();
    for (const CLI::App* p = app.get_parent(); p != nullptr; p = p->get_parent())
        name = p->get_name() + " " + name;
    return name;
}

std::vector<const CLI::Option*> visible_options(const CLI::App& app) {
    return app.get_options([](const CLI::Option* o) { return !o->get_group().empty(); });
}

std::string positionals_usage(const CLI::App& app) {
    std::string out;
    for (const CLI::Option* o : visible_options(app))
        if (!o->nonpositional()) out += " " + value_name(*o);
    return out;
}

struct Row {
    std::string head;
    std::string description;
};

std::string render_rows(const std::vector<Row>& rows, std::size_t column) {
    std::string out;
    for (const Row& r : rows) {
        std::string line = "  " + r.head;
        if (r.head.size() + 2 > column - 2) {
            out += line + "\n";
            line.clear();
        }
        line.resize(column, ' ');
        out += line + wrap_text(r.description, column, help_width) + "\n";
    }
    return out;
}

}  // namespace

std::string help_option_head(const CLI::Option& opt) {
    std::string head;
    for (const auto& s : opt.get_snames()) head += (head.empty() ? "-" : ", -") + s;
    // Long-only options line up with the long names of the others ("-n, --count").
    std::string longs;
    for (const auto& l : opt.get_lnames()) longs += (longs.empty() ? "--" : ", --") + l;
    if (!longs.empty()) head = head.empty() ? "    " + longs : head + ", " + longs;
    if (opt.get_items_expected_max() > 0) {
        const std::string value = value_name(opt);
        head += opt.get_items_expected_min() == 0 ? "[=" + value + "]" : " " + value;
    } else if (!value_name(opt).empty()) {  // a flag that also takes --flag=VALUE
        head += "[=" + value_name(opt) + "]";
    }
    return head;
}

std::string wrap_text(const std::string& text, std::size_t indent, std::size_t width) {
    const std::size_t room = width > indent + 20 ? width - indent : 20;
    std::string out, line;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = std::min(text.find(' ', at), text.size());
        const std::string word = text.substr(at, end - at);
        at = end + 1;
        if (!line.empty() && line.size() + 1 + word.size() > room) {
            out += line + "\n" + std::string(indent, ' ');
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    return out + line;
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string /*name*/,
                                     CLI::AppFormatMode /*mode*/) const {
    const std::string name = full_name(*app);
    const auto options = visible_options(*app);
    const auto subcommands = app->get_subcommands([](const CLI::App*) { return true; });

    std::vector<std::string> groups;
    std::vector<Row> arguments;
    for (const CLI::Option* o : options) {
        if (!o->nonpositional()) {
            arguments.push_back({value_name(*o), o->get_description()});
            continue;
        }
        if (std::find(groups.begin(), groups.end(), o->get_group()) == groups.end())
            groups.push_back(o->get_group());
    }

    std::size_t widest = 0;
    for (const CLI::Option* o : options)
        widest = std::max(widest,
                          o->nonpositional() ? help_option_head(*o).size() : value_name(*o).size());
    for (const CLI::App* sub : subcommands) widest = std::max(widest, sub->get_name().size());
    const std::size_t column = std::min(widest, max_head_width) + 4;

    std::string out;
    if (!app->get_description().empty()) out += app->get_description() + "\n\n";
    out += "Usage: " + name + " [OPTIONS]" + positionals_usage(*app) + "\n";
    for (const CLI::App* sub : subcommands)
        out += "       " + name + " " + sub->get_name() + " [OPTIONS]" + positionals_usage(*sub) +
               "\n";
    if (!arguments.empty()) out += "\nArguments:\n" + render_rows(arguments, column);
    for (const auto& g : groups) {
        std::vector<Row> rows;
        for (const CLI::Option* o : options)
            if (o->nonpositional() && o->get_group() == g)
                rows.push_back({help_option_head(*o), o->get_description()});
        out += "\n" + group_title(g) + ":\n" + render_rows(rows, column);
    }
    if (!subcommands.empty()) {
        std::vector<Row> rows;
        for (const CLI::App* sub : subcommands)
            rows.push_back({sub->get_name(), sub->get_description() + " (see " + name + " " +
                                                 sub->get_name() + " --help)"});
        out += "\nCommands:\n" + render_rows(rows, column);
    }
    if (const std::string footer = app->get_footer(); !footer.empty()) {
        out += "\n" + footer;
        if (footer.back() != '\n') out += "\n";
    }
    return out;
}

}  // namespace wscope::app
