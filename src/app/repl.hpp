// The interactive front ends (SPEC §2.2): a readline prompt where typed lines become messages
// and slash commands (repl_command.hpp), while received messages, pongs and closes appear
// above it (terminal_printer.hpp). run_repl() is the client's loop; ListenConsole is listen
// mode's stdin when it is a terminal, driven by the server's own poll() loop.
#pragma once

#include <poll.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "app/pipe_mode.hpp"
#include "app/stats_report.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/deflate.hpp"
#include "session/observer.hpp"
#include "session/session.hpp"

namespace wscope::app {

// The client runs the REPL when stdin and stdout are terminals and no option asks for
// pipe-mode behaviour (-d, --echo, --jsonl, -n, -w, -0, --whole, --chunk).
[[nodiscard]] bool client_wants_repl(const ClientOptions& options);

// Runs the session to its end with the prompt on the terminal. inspector (may be null) sees
// every event (-F/-X/-P/-v); its output shows above the prompt too.
[[nodiscard]] SessionEnd run_repl(net::Stream& stream, proto::ByteView leftover,
                                  const ClientOptions& options,
                                  const std::optional<proto::DeflateParams>& deflate,
                                  session::Observer* inspector, const Timings& timings);

// $XDG_STATE_HOME/wscope/history, else $HOME/.local/state/wscope/history (XDG Base Directory
// spec: a relative XDG_STATE_HOME is ignored); empty when neither is usable.
[[nodiscard]] std::string history_path(const char* xdg_state_home, const char* home);

// ---------------------------------------------------------------------------- listen mode

// A connected client, as the listen REPL sees it.
struct ListenPeer {
    unsigned id = 0;
    session::Session* session = nullptr;
    std::string name;  // "127.0.0.1:41234 /chat"
};

class ListenConsole {
  public:
    using Peers = std::function<std::vector<ListenPeer>()>;
    virtual ~ListenConsole() = default;
    // The entry for stdin's slot in the server's poll() set. It first shows pending output
    // above the prompt, so call it right before poll().
    [[nodiscard]] virtual pollfd poll_entry() = 0;
    // poll() reported that entry readable.
    virtual void on_readable() = 0;
};

// Listen mode takes the REPL when stdin and stdout are terminals, stdin is read (no --echo)
// and output is for humans (no --jsonl).
[[nodiscard]] bool listen_wants_repl(const ListenOptions& options);

// peers: the clients with an open session, now. quit: shut the server down (/quit, Ctrl-D).
[[nodiscard]] std::unique_ptr<ListenConsole> make_listen_console(const ListenOptions& options,
                                                                 ListenConsole::Peers peers,
                                                                 std::function<void()> quit);

}  // namespace wscope::app
