// The seam for what listen mode does with its clients beyond the basics (print, echo,
// broadcast): faults injected on purpose, scenarios, replayed transcripts, a program per
// connection. Each such feature is a ListenFeature; it gives every client a ClientFeature that
// sees the client's life in order (accept, handshake, session options, open, every session
// event, close) and acts on it through a ClientControl. The server knows nothing of what the
// features do. make_listen_features() (listen_features.cpp) builds the ones the options ask for.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "proto/http1.hpp"
#include "session/observer.hpp"
#include "session/session.hpp"

namespace wscope::app {

class Console;

// What a feature may do with one client.
class ClientControl {
public:
    virtual ~ClientControl() = default;
    [[nodiscard]] virtual unsigned id() const = 0;
    [[nodiscard]] virtual std::string peer() const = 0;        // "127.0.0.1:41234"
    [[nodiscard]] virtual const proto::HttpHead& request() const = 0;
    // Valid from on_open() until on_close().
    [[nodiscard]] virtual session::Session& session() = 0;
    [[nodiscard]] virtual net::Loop& loop() = 0;
    [[nodiscard]] virtual Console& console() = 0;
    // After sending on the session from a timer or another client's event.
    virtual void update() = 0;
    // Closes TCP now without a Close: FIN, or RST with reset.
    virtual void drop(bool reset) = 0;
    // While paused, the client's socket is not read (what the feature feeds is backlogged).
    virtual void pause_reading(bool paused) = 0;
};

// How the server answers an upgrade, as features may change it.
struct HandshakeReply {
    std::string response;                 // the whole HTTP response head (and body)
    std::chrono::milliseconds delay{0};   // wait this long before writing it
    std::optional<std::size_t> cut_after;  // write only this many bytes, then close TCP
    bool accepted = true;                 // false: not a 101 any more (the session never starts)
};

// One client's part of a feature. It is subscribed to the client's session like any observer
// (on_event sees every event of the session, both directions), from on_open on.
class ClientFeature : public session::Observer {
public:
    // The accepted stream, before anything is read: a feature may wrap it (chop writes, slow
    // reads).
    virtual void on_accept(std::unique_ptr<net::Stream>& /*stream*/, net::Loop& /*loop*/) {}
    // The request was read and judged; reply is what will be sent.
    virtual void on_handshake(const proto::HttpHead& /*request*/, HandshakeReply& /*reply*/) {}
    // The session is about to be made.
    virtual void on_session_options(session::SessionOptions& /*options*/) {}
    // The session has started; client stays valid until on_close() returns.
    virtual void on_open(ClientControl& /*client*/) {}
    void on_event(const session::SessionEvent& /*event*/) override {}
    // The session has ended (or the client went away before it began).
    virtual void on_close(ClientControl& /*client*/) {}
    // A listen console command for this client (/fault ID SPEC: verb "fault"). Returns
    // nullopt when the command is not this feature's, else what to tell the user.
    virtual std::optional<std::string> command(std::string_view /*verb*/, std::string_view /*args*/) {
        return std::nullopt;
    }
};

class ListenFeature {
public:
    virtual ~ListenFeature() = default;
    // A feature for the client with this id (nullptr: nothing for this one).
    [[nodiscard]] virtual std::unique_ptr<ClientFeature> for_client(unsigned id) = 0;
    // The server is stopping and its clients are gone: false while the feature still winds
    // down on the loop (programs exiting); the loop stops once every feature says true.
    [[nodiscard]] virtual bool ready_to_stop() { return true; }
    // After the run: a status that overrides the server's (a scenario's unmet expect: 8).
    [[nodiscard]] virtual std::optional<int> exit_status() const { return std::nullopt; }
};

struct ListenOptions;

// The features the options ask for, in the order they act.
[[nodiscard]] std::vector<std::unique_ptr<ListenFeature>> make_listen_features(const ListenOptions& options,
                                                                               Console& console);

}  // namespace wscope::app
