// Listen mode's console: the REPL on stdin when stdin and stdout are terminals. Typed lines
// and commands go to every connected client or the one chosen with /to; /clients and /stats
// show who is there. The server's loop drives it; the Console shows its output above the
// prompt.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/console.hpp"
#include "app/live_session.hpp"
#include "app/options.hpp"
#include "net/event_loop.hpp"

namespace wscope::app {

// A connected client, as the console sees it.
struct ListenPeer {
    unsigned id = 0;
    LiveSession* live = nullptr;
    std::string name;  // "127.0.0.1:41234 /chat"
    // A command for this client's listen features (/fault): what to tell the user, or nullopt
    // when no feature takes it.
    std::function<std::optional<std::string>(std::string_view verb, std::string_view args)> command;
};

class ListenConsole {
public:
    using Peers = std::function<std::vector<ListenPeer>()>;
    virtual ~ListenConsole() = default;
    // Stops taking input (the server is shutting down).
    virtual void close_input() = 0;
    // SIGINT, SIGWINCH, SIGTSTP: the terminal's business (SIGTERM/SIGHUP are the server's).
    virtual void handle_signal(int signo) = 0;
};

// Listen mode takes the console when stdin and stdout are terminals, stdin is read (no
// --echo) and output is for humans (no --jsonl).
[[nodiscard]] bool listen_wants_console(const ListenOptions& options);

// peers: the clients with an open session, now. quit: shut the server down (/quit, Ctrl-D).
[[nodiscard]] std::unique_ptr<ListenConsole> make_listen_console(net::Loop& loop, Console& console,
                                                                 const ListenOptions& options,
                                                                 ListenConsole::Peers peers,
                                                                 std::function<void()> quit);

}  // namespace wscope::app
