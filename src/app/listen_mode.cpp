// The test server loop.
#include "app/listen_mode.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/exit_code.hpp"
#include "app/input.hpp"
#include "app/inspector.hpp"
#include "app/jsonl_printer.hpp"
#include "app/output.hpp"
#include "app/repl.hpp"
#include "app/reporter.hpp"
#include "app/stats_report.hpp"
#include "crypto/mask_source.hpp"
#include "net/tcp.hpp"
#include "net/tls.hpp"
#include "net/unix_socket.hpp"
#include "proto/close_code.hpp"
#include "session/handshake_io.hpp"
#include "session/server_handshake.hpp"
#include "session/session.hpp"

namespace wscope::app {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR so the loop notices
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

// "8080", "0.0.0.0:8080", "[::1]:8080", "localhost:8080" → host (default 127.0.0.1), port.
bool split_address(const std::string& text, std::string& host, std::uint16_t& port) {
    std::string port_text = text;
    host = "127.0.0.1";
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("]:");
        if (close == std::string::npos) return false;
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) return false;  // IPv6 needs brackets
    }
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    const unsigned long n = std::stoul(port_text);
    if (n > 65535) return false;
    port = static_cast<std::uint16_t>(n);
    return !host.empty();
}

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

class Server;

// One connected client: first its handshake, then its session.
struct Client {
    unsigned id = 0;
    std::unique_ptr<net::Stream> stream;
    session::ServerHandshake handshake;
    session::TimePoint handshake_deadline;
    std::unique_ptr<session::Observer> observer;
    // What the user sees of this client: frame lines on stderr, or JSON Lines on stdout.
    std::unique_ptr<session::Observer> view;
    std::unique_ptr<session::Session> session;
    std::string path;
    // A client whose TLS handshake failed: we wait briefly for it to hang up, so the alert
    // we sent reaches it instead of being destroyed by a reset.
    bool draining = false;

    Client(unsigned i, std::unique_ptr<net::Stream> s, proto::ServerPolicy policy, bool deflate,
           session::TimePoint deadline)
        : id(i), stream(std::move(s)), handshake(std::move(policy), deflate), handshake_deadline(deadline) {}
};

class Server {
public:
    Server(const ListenOptions& o, const Reporter& report) : o_(o), report_(report), out_(STDOUT_FILENO) {}

    int run();
    void on_message(Client& c, proto::MessageType type, proto::ByteView data, bool first, bool last);
    void on_close(Client& c, session::Direction dir, std::optional<std::uint16_t> code, std::string_view reason);
    [[nodiscard]] std::string tag(const Client& c) const { return "[" + std::to_string(c.id) + "] "; }
    [[nodiscard]] bool jsonl() const { return o_.out.jsonl; }

private:
    void accept_clients();
    void drive_handshake(Client& c);
    void finish_client(Client& c);
    void read_stdin();
    void broadcast(proto::ByteView record);
    void start_console();
    [[nodiscard]] bool prefix_ids() const { return ever_many_; }
    [[nodiscard]] int poll_timeout() const;
    void shut_down(std::uint16_t code);

    const ListenOptions& o_;
    const Reporter& report_;
    Output out_;
    session::SteadyTime time_;
    crypto::SecureMaskSource masks_;
    std::unique_ptr<net::Listener> listener_;
    std::shared_ptr<net::TlsServerContext> tls_;  // --tls-cert: serve wss://
    std::string unix_path_;                       // unix:PATH: remove the socket file at exit
    std::vector<std::unique_ptr<Client>> clients_;
    unsigned next_id_ = 1;
    bool ever_many_ = false;
    std::uint64_t received_ = 0;
    bool reading_stdin_ = false;
    InputSplitter splitter_{Framing::lines, 0};
    bool done_ = false;
    int exit_ = 0;
    bool served_one_ = false;
    // The REPL on stdin when it is a terminal (last: it shows the output of everything above).
    std::unique_ptr<ListenConsole> console_;
};

// Sends a client's events to the server (messages, closes) and to its inspector (frames).
class ClientObserver final : public session::Observer {
public:
    ClientObserver(Server& s, Client& c) : server_(s), client_(c) {}
    bool wants_frames() const override { return client_.view->wants_frames(); }
    void on_frame_header(session::Direction d, const proto::FrameHeader& h, proto::ByteView raw) override {
        client_.view->on_frame_header(d, h, raw);
    }
    void on_frame_payload(session::Direction d, proto::ByteView data, std::uint64_t off, bool end) override {
        client_.view->on_frame_payload(d, data, off, end);
    }
    void on_frame_uncompressed(session::Direction d, proto::ByteView data) override {
        client_.view->on_frame_uncompressed(d, data);
    }
    void on_message(proto::MessageType t, proto::ByteView d, bool first, bool last) override {
        client_.view->on_message(t, d, first, last);
        server_.on_message(client_, t, d, first, last);
    }
    void on_ping(session::Direction d, proto::ByteView p) override { client_.view->on_ping(d, p); }
    void on_pong(session::Direction d, proto::ByteView p, std::optional<std::chrono::microseconds> rtt) override {
        client_.view->on_pong(d, p, rtt);
    }
    void on_close(session::Direction dir, std::optional<std::uint16_t> code, std::string_view reason) override {
        // Frame lines show closes themselves; the server's notes cover the rest. JSON gets all.
        if (server_.jsonl()) client_.view->on_close(dir, code, reason);
        server_.on_close(client_, dir, code, reason);
    }
    void on_violation(const proto::Error& e) override { client_.view->on_violation(e); }

private:
    Server& server_;
    Client& client_;
};

void Server::on_message(Client& c, proto::MessageType type, proto::ByteView data, bool first, bool last) {
    if (o_.echo || o_.out.jsonl) {
        if (last) ++received_;
        if (report_.verbose() && last)
            report_.trace(tag(c) + "echoed a " + (type == proto::MessageType::text ? "text" : "binary") + " message");
        return;
    }
    if (first && prefix_ids()) out_.append(tag(c));
    out_.append(data);
    if (last) {
        if (type == proto::MessageType::text) out_.append('\n');
        ++received_;
    }
}

void Server::on_close(Client& c, session::Direction dir, std::optional<std::uint16_t> code, std::string_view reason) {
    if (report_.quiet()) return;
    std::string text = code ? std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")"
                            : std::string("with no status code");
    if (!reason.empty()) text += " \"" + std::string(reason) + "\"";
    report_.note(tag(c) + (dir == session::Direction::in ? "client closed: " : "replied close: ") + text);
}

void Server::accept_clients() {
    while (auto stream = listener_->accept()) {
        const unsigned id = next_id_++;
        if (o_.max_clients != 0 && clients_.size() >= o_.max_clients) {
            const std::string busy =
                "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                "Content-Length: 34\r\n\r\ntoo many clients (--max-clients)\r\n";
            (void)stream->write_some(proto::as_bytes(busy));
            report_.note("[" + std::to_string(id) + "] refused " + stream->peer_name() + ": --max-clients reached");
            continue;
        }
        if (o_.oneshot && served_one_) continue;  // --oneshot: nobody after the first
        served_one_ = true;
        if (tls_) {
            // The TLS handshake runs inside the first reads, bounded by --handshake-timeout.
            auto secured = net::tls_accept(std::move(stream), *tls_);
            if (!secured) {
                report_.note("[" + std::to_string(id) + "] " + secured.error().message);
                continue;
            }
            stream = std::move(*secured);
        }
        proto::ServerPolicy policy{o_.subprotocols};
        auto c = std::make_unique<Client>(id, std::move(stream), policy, o_.deflate,
                                          time_.now() + session::seconds(o_.handshake_timeout));
        if (report_.verbose()) report_.trace("* " + tag(*c) + "connection from " + c->stream->peer_name());
        clients_.push_back(std::move(c));
        drive_handshake(*clients_.back());
    }
}

void Server::drive_handshake(Client& c) {
    using State = session::ServerHandshake::State;
    const State st = c.handshake.on_readable(*c.stream);
    if (st == State::reading) return;
    if (st == State::gone && c.handshake.stream_failed()) {
        report_.note(tag(c) + "refused " + c.stream->peer_name() + ": " + c.handshake.gone_reason());
        ::shutdown(c.stream->fd(), SHUT_WR);
        c.draining = true;
        c.handshake_deadline = time_.now() + session::seconds(1);
        return;
    }
    if (st == State::gone) {
        if (report_.verbose()) report_.trace("* " + tag(c) + c.handshake.gone_reason());
        finish_client(c);
        return;
    }
    if (report_.verbose()) {
        std::string_view head = c.handshake.request_head();
        while (!head.empty()) {
            auto nl = head.find('\n');
            std::string_view line = head.substr(0, nl);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!line.empty()) report_.trace(tag(c) + "< " + std::string(line));
            if (nl == std::string_view::npos) break;
            head.remove_prefix(nl + 1);
        }
        std::string_view resp = c.handshake.response();
        resp = resp.substr(0, resp.find("\r\n\r\n"));
        while (!resp.empty()) {
            auto nl = resp.find("\r\n");
            report_.trace(tag(c) + "> " + std::string(resp.substr(0, nl)));
            if (nl == std::string_view::npos) break;
            resp.remove_prefix(nl + 2);
        }
    }
    const std::string& response = c.handshake.response();
    const auto write = session::write_all(*c.stream, proto::as_bytes(response), time_.now() + session::seconds(2));
    if (st == State::rejected || !write) {
        report_.note(tag(c) + "rejected " + c.stream->peer_name() + ": " + c.handshake.error().describe());
        c.stream->shutdown_write();
        finish_client(c);
        if (o_.oneshot) {
            done_ = true;
            exit_ = static_cast<int>(ExitCode::handshake);
        }
        return;
    }
    c.path = c.handshake.request().target;
    session::SessionOptions so;
    so.role = proto::Role::server;
    so.echo = o_.echo;
    so.max_message = o_.max_message;
    so.close_timeout = o_.close_timeout;
    so.deflate = c.handshake.deflate();
    if (o_.out.jsonl) {
        auto printer = std::make_unique<JsonlPrinter>(out_, o_.out.frames, c.id);
        const auto& a = c.handshake.accepted();
        const std::string extensions = c.handshake.deflate() ? std::string(proto::deflate_extension) : "";
        printer->open(c.handshake.request().target, c.handshake.request(), a.subprotocol, extensions);
        c.view = std::move(printer);
    } else {
        c.view = std::make_unique<Inspector>(o_.out, tag(c));
    }
    c.observer = std::make_unique<ClientObserver>(*this, c);
    c.session = std::make_unique<session::Session>(*c.stream, so, masks_, *c.observer, time_);
    std::size_t open = 0;
    for (const auto& other : clients_)
        if (other->session) ++open;
    if (open > 1) ever_many_ = true;
    report_.note(tag(c) + "connected: " + c.stream->peer_name() + " " + c.path +
                 (c.handshake.accepted().subprotocol.empty() ? "" : " (subprotocol " + c.handshake.accepted().subprotocol + ")") +
                 (c.handshake.deflate() ? " (permessage-deflate)" : ""));
    c.session->start(c.handshake.leftover());
    if (c.session->finished()) finish_client(c);
}

void Server::finish_client(Client& c) {
    if (c.session) {
        const session::Failure& f = c.session->failure();
        if (f.outcome != session::Outcome::normal) report_.note(tag(c) + f.message);
        if (o_.out.stats) report_.raw(format_stats(nullptr, c.session->stats(), time_.now(), tag(c)));
        if (o_.oneshot) {
            done_ = true;
            exit_ = static_cast<int>(exit_code_for(f.outcome));
        }
    }
    c.stream.reset();
}

void Server::broadcast(proto::ByteView record) {
    const auto type = o_.binary ? proto::MessageType::binary : proto::MessageType::text;
    for (auto& c : clients_)
        if (c->session && !c->session->finished()) {
            c->session->send_message(type, record);
            c->session->pump();
        }
}

void Server::start_console() {
    auto peers = [this] {
        std::vector<ListenPeer> open;
        for (const auto& c : clients_)
            if (c->stream && c->session && !c->session->finished())
                open.push_back({c->id, c->session.get(), c->stream->peer_name() + " " + c->path});
        return open;
    };
    console_ = make_listen_console(o_, peers, [] { g_interrupted = 1; });
}

void Server::read_stdin() {
    if (console_) return console_->on_readable();
    proto::Bytes buf(64 * 1024);
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    const auto sink = [this](proto::ByteView r, std::uint64_t) { broadcast(r); };
    if (n <= 0) {
        reading_stdin_ = false;
        splitter_.finish(sink);
        return;
    }
    splitter_.feed({buf.data(), static_cast<std::size_t>(n)}, sink);
}

int Server::poll_timeout() const {
    std::optional<session::TimePoint> t;
    for (const auto& c : clients_) {
        std::optional<session::TimePoint> d =
            c->session ? c->session->next_deadline() : std::optional(c->handshake_deadline);
        if (d && (!t || *d < *t)) t = d;
    }
    if (!t) return -1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*t - time_.now()).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1 << 30));
}

void Server::shut_down(std::uint16_t code) {
    for (auto& c : clients_)
        if (c->session && !c->session->finished()) c->session->close(code, "server shutting down");
}

int Server::run() {
    std::string host;
    std::uint16_t port = 0;
    if (o_.address.rfind("unix:", 0) != 0 && !split_address(o_.address, host, port)) {
        report_.error("bad listen address \"" + o_.address + "\" (expected [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080)");
        return static_cast<int>(ExitCode::usage);
    }
    if (!o_.tls_cert.empty()) {
        auto ctx = net::TlsServerContext::load({o_.tls_cert, o_.tls_key, o_.tls_client_ca});
        if (!ctx) {
            report_.error(ctx.error().message);
            return static_cast<int>(ExitCode::tls);
        }
        tls_ = std::move(*ctx);
    }
    const bool on_unix = o_.address.rfind("unix:", 0) == 0;
    if (on_unix) unix_path_ = o_.address.substr(5);
    auto listener = on_unix ? net::listen_unix(unix_path_) : net::listen_tcp(host, port);
    if (!listener) {
        report_.error(listener.error().message);
        return static_cast<int>(ExitCode::connect);
    }
    listener_ = std::move(*listener);
    // Printed even with -q: with port 0 it is the only way to learn the port.
    const std::string scheme = tls_ ? "wss" : "ws";
    report_.always(on_unix ? "listening on unix:" + unix_path_ + " (" + scheme + "://localhost/)"
                           : "listening on " + scheme + "://" + url_host(host) + ":" +
                                 std::to_string(listener_->port()) + "/");
    // Echo servers leave stdin alone; otherwise its lines go to every client.
    reading_stdin_ = !o_.echo;
    if (reading_stdin_ && listen_wants_repl(o_)) start_console();
    install_signal_handlers();

    bool shutting_down = false;
    while (!done_) {
        out_.flush();
        if (g_interrupted && !shutting_down) {
            shutting_down = true;
            shut_down(1001);
        }
        if (o_.count != 0 && received_ >= o_.count && !shutting_down) {
            shutting_down = true;
            shut_down(1000);
        }
        if (shutting_down && std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->stream != nullptr; }))
            break;

        std::vector<pollfd> fds;
        fds.reserve(clients_.size() + 2);
        fds.push_back({listener_->fd(), static_cast<short>(shutting_down ? 0 : POLLIN), 0});
        fds.push_back(console_ ? console_->poll_entry()
                               : pollfd{STDIN_FILENO, static_cast<short>(reading_stdin_ ? POLLIN : 0), 0});
        bool buffered = false;
        for (const auto& c : clients_) {
            const short ev = c->session ? c->session->events() : POLLIN;
            fds.push_back({c->stream->fd(), ev, 0});
            if (c->session && c->session->has_buffered()) buffered = true;
        }
        const int n = ::poll(fds.data(), fds.size(), buffered ? 0 : poll_timeout());
        if (n < 0 && errno != EINTR) break;
        if (n < 0) continue;
        // Clients first (their indices match fds), then new arrivals.
        const std::size_t existing = clients_.size();
        for (std::size_t i = 0; i < existing; ++i) {
            Client& c = *clients_[i];
            const short rev = fds[i + 2].revents;
            if (c.draining) {
                char scratch[4096];
                const bool hung_up = rev && ::recv(c.stream->fd(), scratch, sizeof scratch, 0) <= 0;
                if (hung_up || time_.now() >= c.handshake_deadline) finish_client(c);
                continue;
            }
            if (!c.session) {
                if (rev) drive_handshake(c);
                else if (time_.now() >= c.handshake_deadline) {
                    report_.note(tag(c) + "dropped " + c.stream->peer_name() + ": no complete handshake within " +
                                 std::to_string(static_cast<int>(o_.handshake_timeout)) + "s");
                    finish_client(c);
                }
                continue;
            }
            if (rev || c.session->has_buffered()) c.session->on_ready(rev);
            c.session->tick();
            if (c.session->finished()) finish_client(c);
        }
        std::erase_if(clients_, [](const auto& c) { return c->stream == nullptr; });
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) read_stdin();
        if (fds[0].revents & POLLIN) accept_clients();
        // A client refused during accept_clients() is already finished.
        std::erase_if(clients_, [](const auto& c) { return c->stream == nullptr; });
    }
    out_.flush();
    if (!unix_path_.empty()) net::remove_unix_socket(unix_path_);
    return exit_;
}

}  // namespace

int run_listen(const ListenOptions& options) {
    const Reporter report(options.out.verbose, options.out.quiet);
    Server server(options, report);
    return server.run();
}

}  // namespace wscope::app
