// Listen mode: accepting clients, refusing them, and the opening handshake (listen_server.hpp).
#include "app/listen_server.hpp"

namespace wscope::app::listen {

using session::Direction;
using namespace std::chrono_literals;

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

}  // namespace wscope::app::listen
