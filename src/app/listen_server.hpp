// Listen mode's server, shared by its two files: listen_mode.cpp (the sessions, stdin,
// shutting down, the run) and listen_accept.cpp (accepting, refusing, the opening handshake as
// the features shape it). Internal to listen mode.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
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

namespace wscope::app::listen {


// A refused or failed client gets this long to read our answer and hang up, so that what we
// sent (a 503, a TLS alert) is not destroyed by a reset.
inline constexpr std::chrono::seconds drain_time{1};
// Out of descriptors: accepting pauses this long, while the open connections are served.
inline constexpr std::chrono::seconds accept_pause{1};
// stdin broadcast: while a client has this much unsent, stdin is not read (checked this often).
inline constexpr std::chrono::milliseconds backlog_check{50};

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

}  // namespace wscope::app::listen
