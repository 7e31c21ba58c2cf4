// What both REPLs (the client's and listen mode's console) share: carrying out a sending
// action on a session, /file's loading, and how a received message is shown.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "app/console.hpp"
#include "app/repl_command.hpp"
#include "crypto/mask_source.hpp"
#include "proto/bytes.hpp"
#include "proto/event.hpp"
#include "proto/role.hpp"
#include "session/observer.hpp"
#include "session/session.hpp"

namespace wscope::app {

struct SendContext {
    crypto::MaskSource& masks;
    proto::Role role;
    bool binary_lines;  // -b: typed lines go out as binary messages
    bool frames_shown;  // -F: the inspector shows every frame sent
};

// Puts a sending action on one session's wire: messages, control frames, a raw frame, a close.
// Returns what to tell the user, or "" when the screen shows it already (typed text stays on
// its prompt line; -F shows frames).
[[nodiscard]] std::string send_action(session::Session& s, const repl::Action& a, const SendContext& ctx);

// /file's contents, ready to send.
struct LoadedFile {
    proto::MessageType type = proto::MessageType::text;
    proto::Bytes data;
};
// Reads /file's file, or says why not (naming the file).
[[nodiscard]] std::variant<LoadedFile, std::string> load_file(const repl::SendFile& f);
[[nodiscard]] std::string file_note(const repl::SendFile& f, const LoadedFile& file);

// A received message, gathered piece by piece as far as it will be shown:
// "< hello", or "< [binary 5 bytes] 48 65 6c 6c 6f  |Hello|".
class IncomingMessage {
public:
    void add(const session::MessageEvent& m);
    [[nodiscard]] std::string describe() const;

private:
    proto::MessageType type_ = proto::MessageType::text;
    proto::Bytes kept_;
    std::uint64_t size_ = 0;
};

// The usage error of a bad command line, on the console.
void show_invalid(Console& console, const repl::Invalid& bad);

// The terminal setup both REPLs use: completion for their side, the history file.
struct TerminalSetup;
[[nodiscard]] TerminalSetup terminal_setup(bool colour, repl::Side side);

// $XDG_STATE_HOME/wscope/history, else $HOME/.local/state/wscope/history (XDG Base Directory
// spec: a relative XDG_STATE_HOME is ignored); empty when neither is usable.
[[nodiscard]] std::string history_path(const char* xdg_state_home, const char* home);

}  // namespace wscope::app
