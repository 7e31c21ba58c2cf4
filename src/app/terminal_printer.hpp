// The interactive terminal of the REPLs: GNU readline in callback mode for the input line, and
// everything else printed above that line without tearing it.
//
// Output. While a Terminal exists, what the process writes to stdout (and to stderr, when that
// is a terminal too) lands in an in-memory file instead of on the screen. flush() moves it to
// the screen above the prompt: erase the prompt and the half-typed line, print, draw them again
// as they were. So every part of wscope keeps writing to fd 1 and 2 as it always does (the
// inspector's frame lines, the reporter, listen mode's messages), the order between them is
// kept, and a memory file never blocks a writer however much it writes between two flushes.
// The owner calls flush() before each poll(), so output is never held back while it waits.
// Control characters are neutralised on the way (shown as ^X), except newlines, tabs and
// colour (SGR) sequences: no peer can move the cursor or retitle the window.
//
// Input. fd() becomes readable when a key or a signal waits; on_readable() feeds keys to
// readline and handles the signals, which are taken with a signalfd rather than handlers:
//   SIGINT (Ctrl-C)   clears the line being typed
//   SIGWINCH          tells readline the new size
//   SIGTSTP (Ctrl-Z)  suspends with the terminal restored, redraws on return
//   SIGTERM, SIGHUP   calls the quit handler
// History is kept in a file (created with its directories, mode 0600), at most
// TerminalSetup::history_size lines.
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

class Terminal {
  public:
    // Each line entered (Enter), or nullopt for Ctrl-D on an empty line (or the end of input).
    using LineHandler = std::function<void(std::optional<std::string> line)>;
    // SIGTERM or SIGHUP arrived.
    using QuitHandler = std::function<void()>;

    Terminal(TerminalSetup setup, LineHandler on_line, QuitHandler on_quit);
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    // Poll this for POLLIN: keys or signals are waiting.
    [[nodiscard]] int fd() const { return wake_fd_; }
    void on_readable();
    // Prints what was written to stdout/stderr since the last flush, above the prompt.
    void flush();
    void set_prompt(std::string_view prompt);
    // No more input: the prompt goes away for good (output still flows).
    void close_input();
    [[nodiscard]] bool input_open() const { return input_open_; }

    // Internal, for readline's C callbacks.
    void line_entered(char* line);
    char** completions(const char* word, int start);
    char* next_candidate(int state);

  private:
    void start_capture();
    void stop_capture();
    [[nodiscard]] std::string take_captured();
    void write_screen(std::string_view text) const;
    void start_signals();
    void stop_signals();
    void handle_signal(int signo);
    void clear_line();
    void suspend();
    void install_handler();
    void load_history();
    void remember(const std::string& line);
    [[nodiscard]] std::string painted_prompt() const;

    TerminalSetup setup_;
    LineHandler on_line_;
    QuitHandler on_quit_;
    bool input_open_ = false;
    int screen_fd_ = -1;     // the real terminal (a copy of the original stdout)
    int saved_stderr_ = -1;  // the original stderr, when it is captured too
    int capture_fd_ = -1;    // the memory file standing in for stdout/stderr
    int signal_fd_ = -1;
    int wake_fd_ = -1;             // epoll set of stdin and signal_fd_
    std::FILE* screen_ = nullptr;  // readline's output stream, on screen_fd_
    sigset_t saved_mask_{};
    bool in_handler_ = false;  // inside on_line_: readline redraws the prompt afterwards
    bool history_ok_ = false;
    std::vector<std::string> candidates_;  // the completion being offered
    std::size_t next_candidate_ = 0;
};

// stdout/stderr text made safe for the terminal (see the top of this file).
[[nodiscard]] std::string terminal_safe(std::string_view text);

}  // namespace wscope::app
