// -l rewriting and usage-error messages (usage_errors.hpp).
#include "app/usage_errors.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace wscope::app {
namespace {

// Options of other tools that users type out of habit, and what wscope calls them.
struct ForeignOption {
    std::string_view name;
    std::string_view tool;
    std::string_view ours;
};
constexpr std::array<ForeignOption, 6> foreign_options{{
    {"--no-check", "wscat", "-k (--insecure)"},
    {"--auth", "wscat", "-u USER:PASS"},
    {"--ca", "wscat", "--cacert FILE"},
    {"--protocol", "websocat", "-s NAME (--subprotocol)"},
    {"--no-color", "wscat", "--color never"},
    {"--max-redirects", "wscat", "--max-redirs N"},
}};

// "a: b" → {"a", "b"}; no ": " → {"", s}.
std::pair<std::string, std::string> split_name(const std::string& s) {
    const auto at = s.find(": ");
    if (at == std::string::npos) return {{}, s};
    return {s.substr(0, at), s.substr(at + 2)};
}

bool is_option_word(std::string_view w) {
    return w.size() > 1 && w.front() == '-';
}

// wscat's -n is --no-check: "-n wss://…" or "-n -c wss://…" was meant as -k.
bool wscat_no_check(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") return false;
        if (args[i] != "-n") continue;
        if (i + 1 == args.size()) return true;
        const std::string& next = args[i + 1];
        if (is_option_word(next) || next.find("://") != std::string::npos) return true;
    }
    return false;
}

// The first of the words CLI11 lists as unexpected, in the order the user gave them.
std::string first_unexpected(const std::string& list, const std::vector<std::string>& args) {
    std::vector<std::string> words;
    for (std::size_t at = 0; at < list.size();) {
        const auto end = std::min(list.find(' ', at), list.size());
        if (end > at) words.push_back(list.substr(at, end - at));
        at = end + 1;
    }
    if (words.empty()) return list;
    std::string best = words.back();
    std::size_t best_at = args.size();
    for (const auto& w : words) {
        const auto it = std::find(args.begin(), args.end(), w);
        const auto at = static_cast<std::size_t>(it - args.begin());
        if (at < best_at) best = w, best_at = at;
    }
    return best;
}

std::string unexpected_message(const std::string& word, bool in_listen, const CLI::App& main,
                               const CLI::App& listen, const std::string& see) {
    if (!is_option_word(word)) return "unexpected argument " + word + " " + see;
    const std::string name = word.substr(0, word.find('='));
    for (const auto& f : foreign_options)
        if (f.name == name)
            return name + " is " + std::string(f.tool) + "'s; wscope's is " + std::string(f.ours) +
                   " " + see;
    if (in_listen && main.get_option_no_throw(name) != nullptr)
        return name + " is a client option, not a listen option " + see;
    if (!in_listen && listen.get_option_no_throw(name) != nullptr)
        return name + " is a listen option (wscope listen PORT " + name +
               " …; see wscope listen --help)";
    return "unknown option " + name + " " + see;
}

}  // namespace

ListenRewrite rewrite_listen_short(std::vector<std::string> args,
                                   const std::function<bool(std::string_view)>& takes_value) {
    bool found = false, subcommand = false;
    std::vector<std::string> port;  // empty: -l was last, without its PORT
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& w = args[i];
        if (w == "--") {
            rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        if (w.starts_with("--")) {
            const auto eq = w.find('=');
            const std::string name = w.substr(0, eq);
            if (name == "--listen") {
                found = true;
                if (eq != std::string::npos)
                    port = {w.substr(eq + 1)};
                else if (i + 1 < args.size())
                    port = {args[++i]};
                continue;
            }
            rest.push_back(w);
            if (eq == std::string::npos && takes_value(name) && i + 1 < args.size())
                rest.push_back(args[++i]);
            continue;
        }
        if (!is_option_word(w)) {
            if (w == "listen") subcommand = true;
            rest.push_back(w);
            continue;
        }
        // A cluster of short options: -v, -vl 9000, -l9000, -n3.
        bool value_next = false;
        std::string kept = "-";
        for (std::size_t k = 1; k < w.size(); ++k) {
            const std::string letter = std::string("-") + w[k];
            if (letter == "-l") {
                found = true;
                if (k + 1 < w.size())
                    port = {w.substr(k + 1)};
                else if (i + 1 < args.size())
                    port = {args[++i]};
                break;
            }
            kept += w[k];
            if (takes_value(letter)) {
                kept += w.substr(k + 1);
                value_next = k + 1 == w.size();
                break;
            }
        }
        if (kept.size() > 1) rest.push_back(kept);
        if (value_next && i + 1 < args.size()) rest.push_back(args[++i]);
    }
    if (!found) return {std::move(args), {}};
    if (subcommand) return {std::move(args), "use either -l PORT or the listen command, not both"};
    std::vector<std::string> out{"listen"};
    out.insert(out.end(), port.begin(), port.end());
    out.insert(out.end(), rest.begin(), rest.end());
    return {std::move(out), {}};
}

std::string usage_message(const CLI::ParseError& e, const std::vector<std::string>& args,
                          bool in_listen, const CLI::App& main, const CLI::App& listen) {
    const std::string see = in_listen ? "(see wscope listen --help)" : "(see wscope --help)";
    const std::string what = e.what();
    const bool hint_k = !in_listen && wscat_no_check(args);
    const std::string k_hint = "; to skip the certificate check as wscat's -n does, use -k";

    if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
        // Our checks (value_checks.hpp): "--count: must be …" → "--count must be …".
        auto [name, message] = split_name(what);
        std::string line = name.empty() ? message : name + " " + message;
        if (hint_k && name == "--count") line += k_hint;
        return line;
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
        // "--count: 1 required N missing": the value was left out.
        auto [name, message] = split_name(what);
        if (name.empty() || message.find(" missing") == std::string::npos) return what + " " + see;
        if (hint_k && name == "--count")
            return name + " needs a value (a positive integer)" + k_hint;
        return name + " needs a value " + see;
    }
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && in_listen)
        return "wscope listen needs the PORT or HOST:PORT to listen on " + see;
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
        const auto colon = what.find(": ");
        const std::string list = colon == std::string::npos ? what : what.substr(colon + 2);
        return unexpected_message(first_unexpected(list, args), in_listen, main, listen, see);
    }
    return what + " " + see;
}

}  // namespace wscope::app
