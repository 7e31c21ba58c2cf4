// The test server on the event loop: one session per client, stdin, shutting down, the run.
// Accepting and the opening handshake are in listen_accept.cpp.
#include "app/listen_mode.hpp"

#include "app/listen_server.hpp"

namespace wscope::app {
namespace listen {

using session::Direction;
using namespace std::chrono_literals;

void ClientView::on_event(const session::SessionEvent& event) {
    using namespace session;
    Console& console = server_.console();
    const std::string tag = server_.tag(client_);
    if (const auto* m = std::get_if<MessageEvent>(&event)) {
        if (m->dir == Direction::in) server_.message(client_, *m, message_, partial_);
    } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
        const std::string what = present::close_text(c->code, c->reason);
        if (c->dir == Direction::in) {
            got_close_ = true;
            client_.client_closed_first = !sent_close_;
            console.note(tag + (sent_close_ ? "client answered close: " : "client closed: ") + what);
        } else {
            sent_close_ = true;
            console.note(tag + (got_close_ ? "replied close: " : "sent close: ") + what);
        }
    } else if (const auto* p = std::get_if<PongEvent>(&event)) {
        if (p->rtt && !server_.options().out.show_ping_pong)
            console.note(tag + "pong " + present::quoted(proto::as_chars(p->payload)) + ": rtt " +
                         present::rtt_text(*p->rtt));
    } else if (const auto* v = std::get_if<ViolationEvent>(&event)) {
        console.note(tag + v->error.describe());
    }
}

void Server::message(Client& c, const session::MessageEvent& m, IncomingMessage& shown, proto::Bytes& partial) {
    if (m.last) ++received_;
    if (!o_.exec.empty()) return;  // the program has it
    if (o_.echo || o_.out.jsonl) {
        if (console_.verbose() && m.last && o_.echo)
            console_.trace(tag(c) + "echoed a " + (m.type == proto::MessageType::text ? "text" : "binary") + " message");
        return;
    }
    if (has_console()) {  // a person reads it: the REPL's marker, colour and escaping
        shown.add(m);
        if (m.last) console_.show(present::Tone::incoming, (prefix_ids() ? tag(c) : "") + shown.describe());
        return;
    }
    // Whole messages only, as pipe mode prints them.
    if (m.first) partial.clear();
    if (!(m.first && m.last)) partial.insert(partial.end(), m.data.begin(), m.data.end());
    if (!m.last) return;
    if (prefix_ids()) console_.data(tag(c));
    console_.data(m.first ? m.data : proto::ByteView(partial));
    if (m.type == proto::MessageType::text) console_.data(std::string_view("\n"));
    proto::Bytes().swap(partial);
}


void Server::hold_reading(Client& c, bool held) {
    c.held = held;
    if (c.live) c.live->pause_reading(held || (console_backlogged_ && relays()));
}

void Server::finish_client(Client& c) {
    for (auto& f : c.features) f->on_close(*c.link);
    if (c.live) {
        const session::Session& s = c.live->session();
        const session::Failure& f = s.failure();
        // A violation was told when it happened; the rest is told now.
        if (f.outcome != session::Outcome::normal && f.outcome != session::Outcome::protocol_violation)
            console_.note(tag(c) + f.message);
        console_.note(tag(c) + "closed");
        if (o_.out.stats) console_.diag_text(format_stats(nullptr, s.stats(), session::Clock::now(), console_.stamp() + tag(c)));
        if (o_.oneshot) {
            exit_ = static_cast<int>(exit_code_for(f.outcome));
            shutting_down_ = true;
        }
        --sessions_open_;
    } else if (o_.oneshot && !c.draining) {
        shutting_down_ = true;
        exit_ = static_cast<int>(ExitCode::handshake);
    }
    remove(c.id);
}

void Server::remove(unsigned id) {
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    Client& c = *it->second;
    if (c.deadline) loop_.cancel(*c.deadline);
    if (c.stream) loop_.unwatch(c.stream->fd());
    // The session and its driver go first (the driver unwatches the stream's fd), then the
    // stream; destroyed after this pass, as a handler of theirs may be running.
    auto owned = std::move(it->second);
    clients_.erase(it);
    owned->live.reset();
    owned->view.reset();
    loop_.soon([gone = std::shared_ptr<Client>(std::move(owned))] {});
}

// ---------------------------------------------------------------------------- stdin

void Server::on_stdin() {
    const ssize_t n = ::read(STDIN_FILENO, stdin_buf_.get(), 64 * 1024);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    const auto sink = [this](proto::ByteView r, std::uint64_t) { broadcast(r); };
    if (n <= 0) {
        reading_stdin_ = false;
        loop_.unwatch(STDIN_FILENO);
        splitter_.finish(sink);
        return;
    }
    splitter_.feed({stdin_buf_.get(), static_cast<std::size_t>(n)}, sink);
    check_backlog();
}

void Server::broadcast(proto::ByteView record) {
    const auto type = o_.binary ? proto::MessageType::binary : proto::MessageType::text;
    for (auto& [id, c] : clients_) {
        if (!c->live || c->live->session().finished()) continue;
        c->live->session().send_message(type, record);
        c->live->session().pump();
        c->live->update();
    }
}

// Broadcasting is bounded: stdin waits while any client has more unsent than the budget.
void Server::check_backlog() {
    if (!reading_stdin_) return;
    bool slow = false;
    for (auto& [id, c] : clients_)
        if (c->live && !c->live->session().finished() && !c->live->session().accepting_input()) slow = true;
    if (slow == stdin_paused_ && !slow) return;
    stdin_paused_ = slow;
    loop_.set_interest(STDIN_FILENO, slow ? 0 : net::readable);
    if (slow) loop_.at(session::Clock::now() + backlog_check, [this] { check_backlog(); });
}

// ---------------------------------------------------------------------------- passes

void Server::after_pass() {
    if (o_.count != 0 && received_ >= o_.count && !shutting_down_) {
        shutting_down_ = true;
        shut_down(proto::CloseCode::normal);
    }
    if (shutting_down_ && clients_.empty() &&
        std::all_of(features_.begin(), features_.end(), [](const auto& f) { return f->ready_to_stop(); }))
        loop_.stop();
    // stdout not read: stop reading from clients whose messages it carries.
    const bool backlogged = console_.backlogged();
    if (backlogged != console_backlogged_ && relays()) {
        console_backlogged_ = backlogged;
        for (auto& [id, c] : clients_)
            if (c->live) c->live->pause_reading(backlogged || c->held);
    }
}

void Server::on_signal(int signo) {
    if (console_repl_ && (signo == SIGINT || signo == SIGWINCH || signo == SIGTSTP))
        return console_repl_->handle_signal(signo);
    if (signo == SIGWINCH || signo == SIGTSTP) return;
    if (signal_ != 0) {  // a second signal: stop waiting for the clients' Close
        loop_.stop();
        return;
    }
    signal_ = signo;
    shut_down(proto::CloseCode::going_away);
}

void Server::shut_down(proto::CloseCode code) {
    shutting_down_ = true;
    accepting_ = false;
    loop_.set_interest(listener_->fd(), 0);
    if (console_repl_) console_repl_->close_input();
    for (auto& [id, c] : clients_) {
        if (c->live) {
            c->live->session().close(code, "server shutting down");
            c->live->update();
        }
    }
    // Clients still in their handshake are let go.
    std::vector<unsigned> early;
    for (auto& [id, c] : clients_)
        if (!c->live && !c->draining) early.push_back(id);
    for (unsigned id : early) remove(id);
}

std::vector<ListenPeer> Server::open_peers() {
    std::vector<ListenPeer> open;
    for (auto& [id, c] : clients_)
        if (c->live && !c->live->session().finished())
            open.push_back({c->id, c->live.get(), c->stream->peer_name() + " " + present::display_text(c->path),
                            [cl = c.get()](std::string_view verb, std::string_view args) -> std::optional<std::string> {
                                for (auto& f : cl->features)
                                    if (auto said = f->command(verb, args)) return said;
                                return std::nullopt;
                            }});
    return open;
}

int Server::start_listening() {
    const auto address = parse_listen_address(o_.address);
    if (!address) {
        console_.error("bad listen address \"" + o_.address +
                       "\" (expected [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080, or unix:PATH)");
        return static_cast<int>(ExitCode::usage);
    }
    if (!o_.tls_cert.empty()) {
        auto ctx = net::TlsServerContext::load({o_.tls_cert, o_.tls_key, o_.tls_client_ca});
        if (!ctx) {
            console_.error(ctx.error().message);
            return static_cast<int>(ExitCode::tls);
        }
        tls_ = std::move(*ctx);
    }
    unix_path_ = address->unix_path;
    auto listener = address->is_unix() ? net::listen_unix(unix_path_) : net::listen_tcp(address->host, address->port);
    if (!listener) {
        console_.error(listener.error().message);
        return static_cast<int>(ExitCode::connect);
    }
    listener_ = std::move(*listener);
    // Printed even with -q: with port 0 it is the only way to learn the port.
    const std::string scheme = tls_ ? "wss" : "ws";
    console_.always(address->is_unix() ? "listening on unix:" + unix_path_ + " (" + scheme + "://localhost/)"
                                       : "listening on " + scheme + "://" + url_host(address->host) + ":" +
                                             std::to_string(listener_->port()) + "/");
    return 0;
}

int Server::run() {
    if (const int failed = start_listening(); failed != 0) return failed;
    features_ = make_listen_features(o_, console_);
    console_.attach(loop_, true);
    loop_.on_signals({SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP}, [this](int s) { on_signal(s); });
    loop_.before_wait([this] { after_pass(); });
    loop_.watch(listener_->fd(), net::readable, [this](std::uint32_t) { on_accept(); });
    // Echo servers and --exec leave stdin alone; otherwise its lines go to every client.
    if (relays()) {
        if (listen_wants_console(o_)) {
            console_repl_ = make_listen_console(loop_, console_, o_, [this] { return open_peers(); },
                                                [this] { shut_down(proto::CloseCode::going_away); });
        } else {
            reading_stdin_ = true;
            stdin_buf_.reset(new std::uint8_t[64 * 1024]);
            loop_.watch(STDIN_FILENO, net::readable, [this](std::uint32_t) { on_stdin(); });
        }
    }
    loop_.run();
    console_repl_.reset();
    clients_.clear();
    console_.detach();
    if (!unix_path_.empty()) net::remove_unix_socket(unix_path_);
    if (signal_ != 0) return 128 + signal_;
    for (const auto& f : features_)
        if (auto status = f->exit_status()) return *status;
    if (!console_.write_error().empty()) {
        console_.error(console_.write_error());
        console_.flush();
        return static_cast<int>(ExitCode::usage);
    }
    return exit_;
}

}  // namespace listen

int run_listen(const ListenOptions& options, Console& console) {
    listen::Server server(options, console);
    return server.run();
}

}  // namespace wscope::app
