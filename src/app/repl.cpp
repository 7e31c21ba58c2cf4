// The client REPL on the event loop: the terminal's keys and the session's socket.
#include "app/repl.hpp"

#include <unistd.h>

#include <csignal>
#include <memory>
#include <variant>

#include "app/live_session.hpp"
#include "app/repl_actions.hpp"
#include "app/repl_command.hpp"
#include "app/terminal.hpp"
#include "present/describe.hpp"
#include "present/quoted_text.hpp"
#include "proto/close_code.hpp"

namespace wscope::app {
namespace {

using session::Direction;

// Shows what the peer sends: messages, closes, the RTT of our pings.
class ClientView final : public session::Observer {
public:
    ClientView(Console& console, bool inspector_shows_rtt)
        : console_(console), inspector_shows_rtt_(inspector_shows_rtt) {}

    void on_event(const session::SessionEvent& event) override {
        using namespace session;
        if (const auto* m = std::get_if<MessageEvent>(&event)) {
            if (m->dir != Direction::in) return;
            message_.add(*m);
            if (m->last) console_.show(present::Tone::incoming, message_.describe());
        } else if (const auto* p = std::get_if<PongEvent>(&event)) {
            if (!p->rtt || inspector_shows_rtt_) return;
            console_.show_text("* pong " + present::quoted(proto::as_chars(p->payload)) + ": rtt " +
                               present::rtt_text(*p->rtt) + "\n");
        } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
            if (c->dir == Direction::in)
                console_.show_text("* peer closed: " + present::close_text(c->code, c->reason) + "\n");
        }
    }

private:
    Console& console_;
    bool inspector_shows_rtt_;
    IncomingMessage message_;
};

class ClientRepl {
public:
    ClientRepl(net::Loop& loop, Console& console, net::Stream& stream, const ClientOptions& o,
               const std::optional<proto::DeflateParams>& deflate, const Timings& timings)
        : loop_(loop),
          console_(console),
          o_(o),
          timings_(timings),
          masks_(make_masks(o.mask_seed)),
          live_(loop, console, stream, client_session_options(o, deflate), *masks_,
                LiveSessionSetup{&o.out, {}, 0, nullptr}),
          view_(console, o.out.show_ping_pong && !o.out.frames),
          terminal_(
              terminal_setup(console.out_style().colour, repl::Side::client),
              [this](std::optional<std::string> line) { on_line(std::move(line)); },
              [this] { on_quit_signal(SIGTERM); },
              [this](std::string_view note) { console_.show_text("* " + std::string(note) + "\n"); }) {
        live_.observe(view_);
    }

    SessionEnd run(proto::ByteView leftover, const std::string& url, const SessionContext& context);
    void observe(session::Observer& o) { live_.observe(o); }

private:
    void on_line(std::optional<std::string> line);
    void perform(const repl::Action& action);
    void send_file(const repl::SendFile& f);
    void close(proto::CloseCode code, std::string_view reason);
    void on_signal(int signo);
    void on_quit_signal(int signo);

    net::Loop& loop_;
    Console& console_;
    const ClientOptions& o_;
    Timings timings_;
    std::unique_ptr<crypto::MaskSource> masks_;
    LiveSession live_;
    ClientView view_;
    Terminal terminal_;
    int signal_ = 0;
    bool we_closed_ = false;
    bool time_up_ = false;
};

void ClientRepl::on_line(std::optional<std::string> line) {
    if (!line) return close(proto::CloseCode{o_.close_code}, o_.close_reason);  // Ctrl-D
    // A paste of several lines sends one message per line (commands too).
    std::string_view rest = *line;
    while (true) {
        const auto nl = rest.find('\n');
        std::string_view one = rest.substr(0, nl);
        if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
        if (!one.empty() || nl == std::string_view::npos) perform(repl::parse_line(one, repl::Side::client));
        if (nl == std::string_view::npos || live_.session().closing()) break;
        rest.remove_prefix(nl + 1);
    }
    live_.update();
}

void ClientRepl::perform(const repl::Action& action) {
    if (const auto* bad = std::get_if<repl::Invalid>(&action)) return show_invalid(console_, *bad);
    if (std::holds_alternative<repl::Nothing>(action)) return;
    if (std::holds_alternative<repl::ShowHelp>(action)) return console_.show_text(repl::help_text(repl::Side::client));
    if (std::holds_alternative<repl::ShowStats>(action))
        return console_.show_text(format_stats(&timings_, live_.session().stats(), session::Clock::now()));
    if (std::holds_alternative<repl::Quit>(action)) return close(proto::CloseCode{o_.close_code}, o_.close_reason);
    if (const auto* c = std::get_if<repl::Close>(&action)) return close(proto::CloseCode{c->code}, c->reason);
    if (const auto* f = std::get_if<repl::SendFile>(&action)) return send_file(*f);
    SendContext ctx{*masks_, proto::Role::client, o_.binary, o_.out.frames};
    if (std::string note = send_action(live_.session(), action, ctx); !note.empty())
        console_.show_text("* " + note + "\n");
    if (live_.session().closing()) terminal_.close_input();  // e.g. /frame op=close
}

void ClientRepl::send_file(const repl::SendFile& f) {
    const auto loaded = load_file(f);
    if (const auto* error = std::get_if<std::string>(&loaded))
        return console_.show(present::Tone::error, "! " + *error);
    const auto& file = std::get<LoadedFile>(loaded);
    live_.session().send_message(file.type, file.data);
    live_.session().pump();
    console_.show_text("* " + file_note(f, file) + "\n");
}

// Starts the closing handshake; the loop ends when the peer's Close arrives (or times out).
void ClientRepl::close(proto::CloseCode code, std::string_view reason) {
    terminal_.close_input();
    session::Session& s = live_.session();
    if (s.closing() || s.finished()) return;
    we_closed_ = true;
    s.close(code, reason);
    live_.update();
    if (o_.out.verbose == 0 && !o_.out.frames)
        console_.show_text("* sent close " + present::close_text(static_cast<std::uint16_t>(code), reason) +
                           "; waiting for the peer's close\n");
}

void ClientRepl::on_quit_signal(int signo) {
    if (signal_ != 0) {  // the second: stop waiting
        live_.session().abort(session::Outcome::normal, {});
        live_.update();
        return;
    }
    signal_ = signo;
    close(proto::CloseCode::going_away, {});
}

void ClientRepl::on_signal(int signo) {
    if (signo == SIGTERM || signo == SIGHUP) return on_quit_signal(signo);
    terminal_.handle_signal(signo);
}

SessionEnd ClientRepl::run(proto::ByteView leftover, const std::string& url, const SessionContext& context) {
    console_.set_prompt(&terminal_);
    loop_.on_signals({SIGINT, SIGWINCH, SIGTSTP, SIGTERM, SIGHUP}, [this](int s) { on_signal(s); });
    loop_.watch(terminal_.fd(), net::readable, [this](std::uint32_t) {
        terminal_.on_readable();
        if (!terminal_.input_open()) loop_.set_interest(terminal_.fd(), 0);
    });
    loop_.before_wait([this] {
        if (live_.session().closing()) terminal_.close_input();  // the peer closed, or we did
    });
    if (context.reconnect_try == 0)
        console_.show_text("* connected to " + present::display_text(url) + " (/help for commands, Ctrl-D to quit)\n");
    else
        console_.show_text("* reconnected (try " + std::to_string(context.reconnect_try) + ") to " +
                           present::display_text(url) + "\n");
    if (context.deadline)
        loop_.at(*context.deadline, [this] {
            if (live_.session().finished()) return;
            time_up_ = true;
            console_.show_text("* --max-time reached\n");
            close(proto::CloseCode::normal, {});
            loop_.at(max_time_give_up(o_), [this] {
                live_.session().abort(session::Outcome::timeout, {});
                live_.update();
            });
        });
    live_.start(leftover, [this] { loop_.stop(); });
    if (!live_.session().finished()) loop_.run();
    loop_.unwatch(terminal_.fd());
    terminal_.close_input();
    console_.flush();
    console_.set_prompt(nullptr);
    const session::Session& s = live_.session();
    SessionEnd end{s.failure(), s.stats(), signal_, s.peer_close_reason(), we_closed_};
    if (time_up_ && end.failure.outcome != session::Outcome::protocol_violation)
        end.failure = max_time_failure(context.max_time);
    return end;
}

}  // namespace

bool client_wants_repl(const ClientOptions& o) {
    return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && o.data.empty() && !o.echo &&
           !o.out.jsonl && o.count == 0 && !o.wait_given && o.framing == Framing::lines;
}

SessionEnd run_repl(net::Loop& loop, Console& console, net::Stream& stream, proto::ByteView leftover,
                    const ClientOptions& options, const std::optional<proto::DeflateParams>& deflate,
                    const Timings& timings, const std::string& url, const SessionContext& context,
                    session::Observer* record) {
    ClientRepl repl(loop, console, stream, options, deflate, timings);
    if (record) repl.observe(*record);
    return repl.run(leftover, url, context);
}

}  // namespace wscope::app
