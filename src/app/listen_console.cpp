// The listen-side REPL (listen_console.hpp).
#include "app/listen_console.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <variant>

#include "app/repl_actions.hpp"
#include "app/repl_command.hpp"
#include "app/terminal.hpp"
#include "present/describe.hpp"

namespace wscope::app {
namespace {

// "[1] 127.0.0.1:5000 /chat, open for 12.345 s" and a line of counts.
std::string peer_stats(const ListenPeer& p, session::TimePoint now) {
    const session::SessionStats& s = p.live->session().stats();
    const auto open = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.started);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f s", static_cast<double>(open.count()) / 1000.0);
    std::string text = "[" + std::to_string(p.id) + "] " + p.name + ", open for " + seconds + "\n";
    text += "    messages " + std::to_string(s.messages_out) + " sent, " + std::to_string(s.messages_in) +
            " received; frames " + std::to_string(s.frames_out) + " sent, " + std::to_string(s.frames_in) +
            " received; bytes " + std::to_string(s.bytes_out) + " sent, " + std::to_string(s.bytes_in) +
            " received";
    if (s.rtt_count > 0) text += "; ping rtt avg " + present::rtt_text(std::chrono::microseconds(s.rtt_total / s.rtt_count));
    return text + "\n";
}

class ListenRepl final : public ListenConsole {
public:
    ListenRepl(net::Loop& loop, Console& console, const ListenOptions& o, Peers peers, std::function<void()> quit)
        : loop_(loop),
          console_(console),
          o_(o),
          peers_(std::move(peers)),
          quit_(std::move(quit)),
          terminal_(
              terminal_setup(console.out_style().colour, repl::Side::server),
              [this](std::optional<std::string> line) { on_line(std::move(line)); },
              [this] { shut_down(); },
              [this](std::string_view note) { console_.show_text("* " + std::string(note) + "\n"); }) {
        console_.set_prompt(&terminal_);
        loop_.watch(terminal_.fd(), net::readable, [this](std::uint32_t) {
            terminal_.on_readable();
            if (!terminal_.input_open()) loop_.set_interest(terminal_.fd(), 0);
        });
    }
    ~ListenRepl() override {
        loop_.unwatch(terminal_.fd());
        console_.flush();
        console_.set_prompt(nullptr);
    }

    void close_input() override { terminal_.close_input(); }
    void handle_signal(int signo) override { terminal_.handle_signal(signo); }

private:
    void on_line(std::optional<std::string> line) {
        if (!line) return shut_down();
        std::string_view rest = *line;  // a paste: one line at a time
        while (true) {
            const auto nl = rest.find('\n');
            std::string_view one = rest.substr(0, nl);
            if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
            if (!one.empty() || nl == std::string_view::npos) perform(repl::parse_line(one, repl::Side::server));
            if (nl == std::string_view::npos) break;
            rest.remove_prefix(nl + 1);
        }
    }
    void perform(const repl::Action& action);
    void send(const repl::Action& action);
    void send_file(const repl::SendFile& f);
    void choose(const repl::ChooseTarget& t);
    void list_clients();
    void show_stats();
    void inject(const repl::InjectFault& f);
    void note(const std::string& text) { console_.show_text("* " + text + "\n"); }
    void error(const std::string& text) { console_.show(present::Tone::error, "! " + text); }
    void shut_down() {
        terminal_.close_input();
        quit_();
    }
    // The chosen clients that are still here; says so when there are none.
    std::vector<ListenPeer> targets();

    net::Loop& loop_;
    Console& console_;
    const ListenOptions& o_;
    Peers peers_;
    std::function<void()> quit_;
    crypto::SecureMaskSource masks_;
    std::optional<unsigned> target_;  // empty: all clients
    Terminal terminal_;
};

void ListenRepl::perform(const repl::Action& action) {
    if (const auto* bad = std::get_if<repl::Invalid>(&action)) return show_invalid(console_, *bad);
    if (std::holds_alternative<repl::Nothing>(action)) return;
    if (std::holds_alternative<repl::ShowHelp>(action)) return console_.show_text(repl::help_text(repl::Side::server));
    if (std::holds_alternative<repl::ShowStats>(action)) return show_stats();
    if (std::holds_alternative<repl::ListClients>(action)) return list_clients();
    if (std::holds_alternative<repl::Quit>(action)) return shut_down();
    if (const auto* t = std::get_if<repl::ChooseTarget>(&action)) return choose(*t);
    if (const auto* f = std::get_if<repl::InjectFault>(&action)) return inject(*f);
    if (const auto* f = std::get_if<repl::SendFile>(&action)) return send_file(*f);
    send(action);
}

void ListenRepl::send(const repl::Action& action) {
    const std::vector<ListenPeer> to = targets();
    if (to.empty()) return;
    SendContext ctx{masks_, proto::Role::server, o_.binary, o_.out.frames};
    std::string text;
    for (const ListenPeer& p : to) {
        text = send_action(p.live->session(), action, ctx);
        p.live->update();
    }
    // Each client's "sent close" line is in the server's log already.
    if (std::holds_alternative<repl::Close>(action)) text.clear();
    if (!text.empty() && (to.size() > 1 || target_))
        text += to.size() == 1 ? " (client " + std::to_string(to.front().id) + ")"
                               : " (" + std::to_string(to.size()) + " clients)";
    if (!text.empty()) note(text);
}

void ListenRepl::send_file(const repl::SendFile& f) {
    const auto loaded = load_file(f);
    if (const auto* e = std::get_if<std::string>(&loaded)) return error(*e);
    const auto& file = std::get<LoadedFile>(loaded);
    const std::vector<ListenPeer> to = targets();
    for (const ListenPeer& p : to) {
        p.live->session().send_message(file.type, file.data);
        p.live->session().pump();
        p.live->update();
    }
    if (!to.empty()) note(file_note(f, file));
}

std::vector<ListenPeer> ListenRepl::targets() {
    std::vector<ListenPeer> all = peers_();
    if (!target_) {
        if (all.empty()) error("no client is connected: not sent");
        return all;
    }
    for (const ListenPeer& p : all)
        if (p.id == *target_) return {p};
    error("client " + std::to_string(*target_) + " is gone: not sent (/to all, or /clients)");
    return {};
}

void ListenRepl::choose(const repl::ChooseTarget& t) {
    if (t.client) {
        const std::vector<ListenPeer> all = peers_();
        if (std::none_of(all.begin(), all.end(), [&](const ListenPeer& p) { return p.id == *t.client; }))
            return error("no client " + std::to_string(*t.client) + " (see /clients)");
    }
    target_ = t.client;
    terminal_.set_prompt(target_ ? "[" + std::to_string(*target_) + "]> " : "> ");
    note(target_ ? "sending to client " + std::to_string(*target_) + " only" : "sending to all clients");
}

void ListenRepl::inject(const repl::InjectFault& f) {
    for (const ListenPeer& p : peers_()) {
        if (p.id != f.client) continue;
        const auto said = p.command ? p.command("fault", f.spec) : std::nullopt;
        if (!said) return error("client " + std::to_string(f.client) + " takes no faults");
        p.live->update();
        return note(*said);
    }
    error("no client " + std::to_string(f.client) + " (see /clients)");
}

void ListenRepl::list_clients() {
    const std::vector<ListenPeer> all = peers_();
    if (all.empty()) return note("no client is connected");
    std::string text;
    for (const ListenPeer& p : all)
        text += "[" + std::to_string(p.id) + "] " + p.name + (target_ == p.id ? "  (chosen)" : "") + "\n";
    console_.show_text(text);
}

void ListenRepl::show_stats() {
    const std::vector<ListenPeer> all = peers_();
    if (all.empty()) return note("no client is connected");
    std::string text;
    for (const ListenPeer& p : all) text += peer_stats(p, session::Clock::now());
    console_.show_text(text);
}

}  // namespace

bool listen_wants_console(const ListenOptions& o) {
    return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && !o.echo && !o.out.jsonl;
}

std::unique_ptr<ListenConsole> make_listen_console(net::Loop& loop, Console& console, const ListenOptions& options,
                                                   ListenConsole::Peers peers, std::function<void()> quit) {
    return std::make_unique<ListenRepl>(loop, console, options, std::move(peers), std::move(quit));
}

}  // namespace wscope::app
