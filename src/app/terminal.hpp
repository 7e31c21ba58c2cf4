// The interactive terminal of the REPLs: GNU readline in callback mode for the input line.
// Everything else is printed by the Console above that line without tearing it: the Terminal
// is the console's Prompt (hide() erases the prompt and the half-typed line, show() draws them
// again as they were).
//
// Input. The loop watches stdin (fd()) and calls on_readable(), which feeds keys to readline.
// Signals come from the loop too (handle_signal):
//   SIGINT (Ctrl-C)   clears the line being typed (the first time, says how to quit)
//   SIGWINCH          tells readline the new size and redraws
//   SIGTSTP (Ctrl-Z)  suspends with the terminal restored, redraws on return
//   SIGTERM, SIGHUP   the quit handler
// History is kept in a file (created with its directories, mode 0600), at most
// TerminalSetup::history_size entries; an entry of several lines comes back as one.
//
// readline's callbacks (line handler, completion) are plain C functions without a context
// argument: they reach the Terminal through one file-level pointer to the active Terminal —
// readline itself is process-wide, so there is at most one.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/console.hpp"
#include "app/repl_command.hpp"

namespace wscope::app {

struct TerminalSetup {
    std::string prompt = "> ";  // as shown, without colour codes
    bool colour = false;        // paint the prompt
    // Tab completion: words for the word being typed (see repl::complete).
    std::function<repl::Completion(std::string_view before, std::string_view word)> complete;
    std::string history_file;  // empty: history for this run only
    std::size_t history_size = 1000;
};

class Terminal final : public Prompt {
  public:
    // Each line entered (Enter), or nullopt for Ctrl-D on an empty line (or the end of input).
    using LineHandler = std::function<void(std::optional<std::string> line)>;
    // SIGTERM or SIGHUP arrived.
    using QuitHandler = std::function<void()>;
    // A line of help for the user (Ctrl-C's hint).
    using NoteHandler = std::function<void(std::string_view)>;

    Terminal(TerminalSetup setup, LineHandler on_line, QuitHandler on_quit, NoteHandler note);
    ~Terminal() override;
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    [[nodiscard]] int fd() const;
    void on_readable();
    void handle_signal(int signo);
    void set_prompt(std::string_view prompt);
    // No more input: the prompt goes away for good (output still flows).
    void close_input();
    [[nodiscard]] bool input_open() const { return input_open_; }

    // Prompt: the console's output goes between these.
    void hide() override;
    void show() override;

    // Internal, for readline's C callbacks.
    void line_entered(char* line);
    char** completions(const char* word, int start);
    char* next_candidate(int state);

  private:
    void clear_line();
    void suspend();
    void install_handler();
    void load_history();
    void remember(const std::string& line);
    [[nodiscard]] std::string painted_prompt() const;

    TerminalSetup setup_;
    LineHandler on_line_;
    QuitHandler on_quit_;
    NoteHandler note_;
    bool input_open_ = false;
    bool in_handler_ = false;  // inside on_line_: readline redraws the prompt afterwards
    bool hidden_ = false;
    bool history_ok_ = false;
    bool ctrl_c_hint_shown_ = false;
    std::vector<std::string> candidates_;  // the completion being offered
    std::size_t next_candidate_ = 0;
};

}  // namespace wscope::app
