// The test server on the event loop: accept, the server handshake, one session per client.
#include "app/listen_mode.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/address.hpp"
#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "app/input.hpp"
#include "app/listen_console.hpp"
#include "app/listen_feature.hpp"
#include "app/live_session.hpp"
#include "app/repl_actions.hpp"
#include "app/stats_report.hpp"
#include "net/event_loop.hpp"
#include "net/tcp.hpp"
#include "net/tls.hpp"
#include "net/unix_socket.hpp"
#include "present/describe.hpp"
#include "present/quoted_text.hpp"
#include "session/handshake_io.hpp"
#include "session/server_handshake.hpp"

namespace wscope::app {
namespace {

using session::Direction;
using namespace std::chrono_literals;

// A refused or failed client gets this long to read our answer and hang up, so that what we
// sent (a 503, a TLS alert) is not destroyed by a reset.
constexpr auto drain_time = 1s;
// Out of descriptors: accepting pauses this long, while the open connections are served.
constexpr auto accept_pause = 1s;
// stdin broadcast: while a client has this much unsent, stdin is not read (checked this often).
constexpr auto backlog_check = 50ms;

class Server;
struct Client;

// A client as the features act on it.
class ClientLink final : public ClientControl {
public:
    ClientLink(Server& server, Client& client) : server_(server), client_(client) {}
    [[nodiscard]] unsigned id() const override;
    [[nodiscard]] std::string peer() const override;
    [[nodiscard]] const proto::HttpHead& request() const override;
    [[nodiscard]] session::Session& session() override;
    [[nodiscard]] net::Loop& loop() override;
    [[nodiscard]] Console& console() override;
    void update() override;
    void drop(bool reset) override;
    void pause_reading(bool paused) override;

private:
    Server& server_;
    Client& client_;
};

// One connected client: first its handshake, then its session.
struct Client {
    unsigned id = 0;
    std::unique_ptr<net::Stream> stream;
    std::optional<session::ServerHandshake> handshake;
    std::optional<net::Loop::TimerId> deadline;
    std::unique_ptr<LiveSession> live;
    std::unique_ptr<session::Observer> view;
    std::string path;
    bool draining = false;  // refused: reading what it still sends until it hangs up
    bool client_closed_first = false;
    bool held = false;  // a feature stopped its reading
    proto::HttpHead request;
    std::vector<std::unique_ptr<ClientFeature>> features;
    std::unique_ptr<ClientLink> link;
};

// What the server shows of one client's session: its messages, closes, pongs, violations.
class ClientView final : public session::Observer {
public:
    ClientView(Server& server, Client& client) : server_(server), client_(client) {}
    void on_event(const session::SessionEvent& event) override;

private:
    Server& server_;
    Client& client_;
    IncomingMessage message_;
    proto::Bytes partial_;
    bool sent_close_ = false, got_close_ = false;
};

class Server {
public:
    Server(const ListenOptions& o, Console& console) : o_(o), console_(console) {}

    int run();

    // For ClientView.
    void message(Client& c, const session::MessageEvent& m, IncomingMessage& shown, proto::Bytes& partial);
    [[nodiscard]] std::string tag(const Client& c) const { return "[" + std::to_string(c.id) + "] "; }
    [[nodiscard]] bool prefix_ids() const {
        return o_.prefix == PrefixMode::always || (o_.prefix == PrefixMode::auto_ && ever_many_);
    }
    [[nodiscard]] const ListenOptions& options() const { return o_; }
    [[nodiscard]] Console& console() { return console_; }
    [[nodiscard]] bool has_console() const { return console_repl_ != nullptr; }
    [[nodiscard]] net::Loop& loop() { return loop_; }
    void drop(Client& c, bool reset);
    void hold_reading(Client& c, bool held);

private:
    // Received messages go to stdout and stdin is broadcast, unless --echo or --exec answers.
    [[nodiscard]] bool relays() const { return !o_.echo && o_.exec.empty(); }
    int start_listening();
    void on_accept();
    void admit(std::unique_ptr<net::Stream> stream);
    void refuse(std::unique_ptr<net::Stream> stream, unsigned id);
    void drain(Client& c, session::TimePoint until);
    void on_handshake_io(Client& c);
    void answer(Client& c, bool accepted);
    void send_reply(Client& c, const HandshakeReply& reply);
    void trace_handshake(const Client& c);
    void start_session(Client& c);
    void finish_client(Client& c);
    void remove(unsigned id);
    void on_stdin();
    void broadcast(proto::ByteView record);
    void check_backlog();
    void after_pass();
    void on_signal(int signo);
    void shut_down(proto::CloseCode code);
    std::vector<ListenPeer> open_peers();

    const ListenOptions& o_;
    Console& console_;
    net::Loop loop_;
    session::ReadBuffer reads_;  // every client's reads land here
    crypto::SecureMaskSource masks_;
    std::unique_ptr<net::Listener> listener_;
    std::shared_ptr<net::TlsServerContext> tls_;  // --tls-cert: serve wss://
    std::string unix_path_;                       // unix:PATH: remove the socket file at exit
    std::map<unsigned, std::unique_ptr<Client>> clients_;
    std::size_t sessions_open_ = 0;
    unsigned next_id_ = 1;
    bool ever_many_ = false;
    bool accepting_ = true;
    bool emfile_said_ = false;
    bool served_one_ = false;
    std::uint64_t received_ = 0;
    // stdin (not a terminal): lines broadcast to every client.
    bool reading_stdin_ = false;
    bool stdin_paused_ = false;
    std::unique_ptr<std::uint8_t[]> stdin_buf_;
    InputSplitter splitter_{Framing::lines, 0};
    bool console_backlogged_ = false;
    std::unique_ptr<ListenConsole> console_repl_;
    std::vector<std::unique_ptr<ListenFeature>> features_;
    bool shutting_down_ = false;
    int signal_ = 0;
    int exit_ = 0;
};

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

// ---------------------------------------------------------------------------- accepting

void Server::on_accept() {
    while (accepting_) {
        std::unique_ptr<net::Stream> stream = listener_->accept();
        if (!stream) {
            const int err = listener_->last_error();
            if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
                // Out of descriptors: stop accepting for a while instead of spinning on the
                // pending connection; the open ones are served meanwhile.
                if (!emfile_said_) {
                    console_.warning(std::string("cannot accept more connections: ") + std::strerror(err) +
                                     "; pausing new connections (open ones are still served)");
                    emfile_said_ = true;
                }
                loop_.set_interest(listener_->fd(), 0);
                loop_.at(session::Clock::now() + accept_pause, [this] {
                    if (accepting_) loop_.set_interest(listener_->fd(), net::readable);
                });
            }
            return;
        }
        if (o_.oneshot && served_one_) continue;  // --oneshot: nobody after the first
        admit(std::move(stream));
    }
}

void Server::admit(std::unique_ptr<net::Stream> stream) {
    const unsigned id = next_id_++;
    if (o_.max_clients != 0 && clients_.size() >= o_.max_clients) return refuse(std::move(stream), id);
    served_one_ = true;
    std::vector<std::unique_ptr<ClientFeature>> features;
    for (auto& f : features_)
        if (auto cf = f->for_client(id)) features.push_back(std::move(cf));
    for (auto& f : features) f->on_accept(stream, loop_);
    if (tls_) {
        // The TLS handshake runs inside the first reads, bounded by --handshake-timeout.
        auto secured = net::tls_accept(std::move(stream), *tls_);
        if (!secured) {
            console_.note("[" + std::to_string(id) + "] " + secured.error().message);
            return;
        }
        stream = std::move(*secured);
    }
    auto owned = std::make_unique<Client>();
    Client& c = *owned;
    c.id = id;
    c.stream = std::move(stream);
    c.handshake.emplace(proto::ServerPolicy{o_.subprotocols}, o_.deflate);
    c.features = std::move(features);
    c.link = std::make_unique<ClientLink>(*this, c);
    clients_.emplace(id, std::move(owned));
    console_.trace("* " + tag(c) + "connection from " + c.stream->peer_name());
    c.deadline = loop_.at(session::Clock::now() + session::seconds(o_.handshake_timeout), [this, id] {
        auto it = clients_.find(id);
        if (it == clients_.end()) return;
        Client& late = *it->second;
        late.deadline.reset();
        console_.note(tag(late) + "dropped " + late.stream->peer_name() + ": no complete handshake within " +
                      present::seconds_text(session::seconds(o_.handshake_timeout)));
        finish_client(late);
    });
    loop_.watch(c.stream->fd(), net::readable, [this, id](std::uint32_t) {
        auto it = clients_.find(id);
        if (it != clients_.end()) on_handshake_io(*it->second);
    });
    on_handshake_io(c);
}

// --max-clients: a 503, then our side shut and the request read until the client hangs up,
// so that the answer is not lost to a reset (closing with unread data sends RST).
void Server::refuse(std::unique_ptr<net::Stream> stream, unsigned id) {
    const std::string busy =
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
        "Content-Length: 34\r\n\r\ntoo many clients (--max-clients)\r\n";
    (void)stream->write_some(proto::as_bytes(busy));
    console_.note("[" + std::to_string(id) + "] refused " + stream->peer_name() + ": --max-clients reached");
    auto owned = std::make_unique<Client>();
    owned->id = id;
    owned->stream = std::move(stream);
    Client& c = *owned;
    clients_.emplace(id, std::move(owned));
    drain(c, session::Clock::now() + drain_time);
}

void Server::drain(Client& c, session::TimePoint until) {
    c.draining = true;
    c.stream->shutdown_write();
    const unsigned id = c.id;
    if (c.deadline) loop_.cancel(*c.deadline);
    c.deadline = loop_.at(until, [this, id] {
        if (clients_.count(id)) {
            clients_[id]->deadline.reset();
            remove(id);
        }
    });
    loop_.watch(c.stream->fd(), net::readable, [this, id](std::uint32_t) {
        auto it = clients_.find(id);
        if (it == clients_.end()) return;
        char scratch[4096];
        const ssize_t n = ::recv(it->second->stream->fd(), scratch, sizeof scratch, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) remove(id);
    });
}

void Server::on_handshake_io(Client& c) {
    using State = session::ServerHandshake::State;
    const State st = c.handshake->on_readable(*c.stream);
    if (st == State::reading) return;
    if (st == State::gone && c.handshake->stream_failed()) {
        console_.note(tag(c) + "refused " + c.stream->peer_name() + ": " + c.handshake->gone_reason());
        return drain(c, session::Clock::now() + drain_time);
    }
    if (st == State::gone) {
        console_.trace("* " + tag(c) + c.handshake->gone_reason());
        return finish_client(c);
    }
    c.request = c.handshake->request();
    answer(c, st == State::accepted);
}

// Sends the answer to the upgrade, as the features have it (delayed, cut, changed).
void Server::answer(Client& c, bool accepted) {
    HandshakeReply reply{c.handshake->response(), 0ms, std::nullopt, accepted};
    for (auto& f : c.features) f->on_handshake(c.request, reply);
    const unsigned id = c.id;
    if (reply.delay.count() > 0) {
        loop_.unwatch(c.stream->fd());  // nothing more is read until the answer is out
        auto later = std::make_shared<HandshakeReply>(reply);
        later->delay = 0ms;
        if (c.deadline) loop_.cancel(*c.deadline);
        c.deadline = loop_.at(session::Clock::now() + reply.delay, [this, id, later] {
            auto it = clients_.find(id);
            if (it == clients_.end()) return;
            it->second->deadline.reset();
            send_reply(*it->second, *later);  // the answer is decided: the features are not asked again
        });
        return;
    }
    send_reply(c, reply);
}

void Server::send_reply(Client& c, const HandshakeReply& reply) {
    c.handshake->override_response(reply.response);
    trace_handshake(c);
    std::string_view out = reply.response;
    if (reply.cut_after) out = out.substr(0, std::min(out.size(), *reply.cut_after));
    const auto write = session::write_all(*c.stream, proto::as_bytes(out), session::Clock::now() + 2s);
    if (reply.cut_after) {
        console_.note(tag(c) + "cut the handshake after " + present::bytes_text(out.size()));
        return drop(c, false);
    }
    if (!reply.accepted || !write) {
        const std::string why = reply.accepted ? std::string("cannot write the response")
                                : c.handshake->state() == session::ServerHandshake::State::rejected
                                    ? c.handshake->error().describe()
                                    : std::string("answered without 101 on purpose");
        console_.note(tag(c) + "rejected " + c.stream->peer_name() + ": " + why);
        if (o_.oneshot) exit_ = static_cast<int>(ExitCode::handshake);
        if (o_.oneshot) shutting_down_ = true;
        return drain(c, session::Clock::now() + drain_time);
    }
    start_session(c);
}

void Server::trace_handshake(const Client& c) {
    if (!console_.verbose()) return;
    std::string_view head = c.handshake->request_head();
    while (!head.empty()) {
        const auto nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) console_.trace(tag(c) + "< " + present::display_text(line));
        if (nl == std::string_view::npos) break;
        head.remove_prefix(nl + 1);
    }
    std::string_view resp = c.handshake->response();
    resp = resp.substr(0, resp.find("\r\n\r\n"));
    while (!resp.empty()) {
        const auto nl = resp.find("\r\n");
        console_.trace(tag(c) + "> " + present::display_text(resp.substr(0, nl)));
        if (nl == std::string_view::npos) break;
        resp.remove_prefix(nl + 2);
    }
}

void Server::start_session(Client& c) {
    if (c.deadline) loop_.cancel(*c.deadline);
    c.deadline.reset();
    loop_.unwatch(c.stream->fd());  // the session's driver watches it from now on
    c.path = c.handshake->request().target;
    session::SessionOptions so;
    so.role = proto::Role::server;
    so.echo = o_.echo;
    so.max_message = o_.max_message;
    so.close_timeout = session::seconds(o_.close_timeout);
    so.deflate = c.handshake->deflate();
    for (auto& f : c.features) f->on_session_options(so);
    c.live = std::make_unique<LiveSession>(loop_, console_, *c.stream, so, masks_,
                                           LiveSessionSetup{&o_.out, tag(c), c.id, &reads_});
    c.view = std::make_unique<ClientView>(*this, c);
    c.live->observe(*c.view);
    for (auto& f : c.features) c.live->observe(*f);
    const auto& accepted = c.handshake->accepted();
    const std::string extensions = c.handshake->extensions();
    if (JsonlPrinter* j = c.live->jsonl()) j->open(c.path, c.handshake->request(), accepted.subprotocol, extensions);
    if (++sessions_open_ > 1) ever_many_ = true;
    console_.note(tag(c) + "connected: " + c.stream->peer_name() + " " + present::display_text(c.path) +
                  (accepted.subprotocol.empty() ? "" : " (subprotocol " + present::display_text(accepted.subprotocol) + ")") +
                  (c.handshake->deflate() ? " (" + extensions + ")" : ""));
    const proto::Bytes leftover = c.handshake->leftover();
    c.handshake.reset();
    const unsigned id = c.id;
    if (console_backlogged_ && relays()) c.live->pause_reading(true);
    c.live->start(leftover, [this, id] {
        auto it = clients_.find(id);
        if (it != clients_.end()) finish_client(*it->second);
    });
    for (auto& f : c.features) {
        if (!c.live || c.live->session().finished()) break;
        f->on_open(*c.link);
        c.live->update();
    }
}

void Server::drop(Client& c, bool reset) {
    if (reset) {
        // SO_LINGER with a zero time: close() sends RST instead of FIN.
        const linger hard{1, 0};
        ::setsockopt(c.stream->fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    console_.note(tag(c) + (reset ? "reset the connection on purpose" : "dropped the connection on purpose"));
    if (c.live) {
        c.live->session().abort(session::Outcome::normal, {});
        c.live->update();  // finish_client follows from the loop
        if (!reset) ::shutdown(c.stream->fd(), SHUT_RDWR);
        return;
    }
    finish_client(c);
}

unsigned ClientLink::id() const { return client_.id; }
std::string ClientLink::peer() const { return client_.stream ? client_.stream->peer_name() : std::string(); }
const proto::HttpHead& ClientLink::request() const { return client_.request; }
session::Session& ClientLink::session() { return client_.live->session(); }
net::Loop& ClientLink::loop() { return server_.loop(); }
Console& ClientLink::console() { return server_.console(); }
void ClientLink::update() {
    if (client_.live) client_.live->update();
}
void ClientLink::drop(bool reset) { server_.drop(client_, reset); }
void ClientLink::pause_reading(bool paused) { server_.hold_reading(client_, paused); }

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
    if (shutting_down_ && clients_.empty()) loop_.stop();
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

}  // namespace

int run_listen(const ListenOptions& options, Console& console) {
    Server server(options, console);
    return server.run();
}

}  // namespace wscope::app
