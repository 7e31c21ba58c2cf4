// readline in callback mode; output is the Console's, shown above the prompt (terminal.hpp).
#include "app/terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

// readline.h needs FILE declared first (<cstdio>, from our header).
#include <readline/history.h>
#include <readline/readline.h>

namespace wscope::app {
namespace {

// The Terminal that readline's C callbacks talk to (see the header): set while one exists.
Terminal* active_terminal = nullptr;

// Keys read per on_readable(): a long paste still leaves the socket its turn.
constexpr int keys_per_turn = 4096;

void on_line(char* line) {
    if (active_terminal) active_terminal->line_entered(line);
}

char* candidate(const char* /*word*/, int state) {
    return active_terminal ? active_terminal->next_candidate(state) : nullptr;
}

char** attempted_completion(const char* word, int start, int /*end*/) {
    return active_terminal ? active_terminal->completions(word, start) : nullptr;
}

// In callback mode readline gives the terminal back (echo on, line mode) while the line handler
// runs, so keys typed or pasted meanwhile would be echoed by the tty driver and land on the
// screen twice. The Terminal keeps it prepared instead, and restores it itself when input ends
// (readline prepares a terminal at most once, and restores it at most once).
void keep_terminal_prepared() {}


// Creates each missing directory of path's parent, mode 0700 (history may hold secrets).
void make_parent_dirs(const std::string& path) {
    for (auto slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1))
        ::mkdir(path.substr(0, slash).c_str(), 0700);
}



}  // namespace

Terminal::Terminal(TerminalSetup setup, LineHandler on_line, QuitHandler on_quit, NoteHandler note)
    : setup_(std::move(setup)), on_line_(std::move(on_line)), on_quit_(std::move(on_quit)),
      note_(std::move(note)) {
    active_terminal = this;
    rl_readline_name = "wscope";
    rl_instream = stdin;
    rl_outstream = stdout;
    rl_catch_signals = 0;  // signals come through the loop (handle_signal)
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = attempted_completion;
    rl_deprep_term_function = keep_terminal_prepared;
    load_history();
    install_handler();
}

Terminal::~Terminal() {
    close_input();
    if (history_ok_)
        history_truncate_file(setup_.history_file.c_str(), static_cast<int>(setup_.history_size));
    rl_attempted_completion_function = nullptr;
    rl_deprep_term_function = rl_deprep_terminal;
    active_terminal = nullptr;
}

// ---------------------------------------------------------------------------- input

std::string Terminal::painted_prompt() const {
    if (!setup_.colour) return setup_.prompt;
    // \001 \002 tell readline that the colour codes take no room on the screen.
    return "\001\x1b[32m\002" + setup_.prompt + "\001\x1b[0m\002";
}

void Terminal::install_handler() {
    rl_callback_handler_install(painted_prompt().c_str(), on_line);
    input_open_ = true;
}

void Terminal::set_prompt(std::string_view prompt) {
    setup_.prompt = std::string(prompt);
    if (!input_open_) return;
    rl_set_prompt(painted_prompt().c_str());
    if (!in_handler_) rl_forced_update_display();  // after a line, readline redraws by itself
}

void Terminal::close_input() {
    if (!input_open_) return;
    input_open_ = false;
    if (!in_handler_ && !hidden_) rl_clear_visible_line();  // after Enter the cursor is on a fresh line
    rl_callback_handler_remove();
    rl_deprep_terminal();
    std::fflush(rl_outstream);
}

void Terminal::hide() {
    if (!input_open_ || in_handler_ || hidden_) return;
    hidden_ = true;
    rl_clear_visible_line();
    std::fflush(rl_outstream);
}

void Terminal::show() {
    if (!hidden_) return;
    hidden_ = false;
    if (input_open_) rl_forced_update_display();
    std::fflush(rl_outstream);
}

void Terminal::line_entered(char* raw) {
    std::optional<std::string> line;
    if (raw) {
        line = raw;
        std::free(raw);  // readline allocated it with malloc
        if (!line->empty()) remember(*line);
    } else {
        std::fputs("\n", rl_outstream);  // Ctrl-D leaves the cursor after the prompt
        std::fflush(rl_outstream);
    }
    in_handler_ = true;
    on_line_(std::move(line));
    in_handler_ = false;
}

int Terminal::fd() const { return STDIN_FILENO; }

void Terminal::on_readable() {
    for (int i = 0; i < keys_per_turn && input_open_; ++i) {
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (::poll(&in, 1, 0) <= 0) break;
        rl_callback_read_char();
    }
}

// ---------------------------------------------------------------------------- completion

char** Terminal::completions(const char* word, int start) {
    rl_attempted_completion_over = 1;  // no file names unless the command takes one
    if (!setup_.complete) return nullptr;
    repl::Completion c =
        setup_.complete(std::string_view(rl_line_buffer, static_cast<std::size_t>(start)), word);
    if (c.files) {
        rl_attempted_completion_over = 0;
        return nullptr;
    }
    rl_completion_suppress_append = c.append_space ? 0 : 1;
    candidates_ = std::move(c.words);
    next_candidate_ = 0;
    if (candidates_.empty()) return nullptr;
    return rl_completion_matches(word, candidate);
}

char* Terminal::next_candidate(int state) {
    if (state == 0) next_candidate_ = 0;
    if (next_candidate_ >= candidates_.size()) return nullptr;
    return ::strdup(candidates_[next_candidate_++].c_str());  // readline frees it
}

// ---------------------------------------------------------------------------- history

void Terminal::load_history() {
    using_history();
    // An entry of several lines (a paste) is saved as one, with its newlines, and comes back
    // whole (readline keeps such entries together between "#<time>" lines).
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    stifle_history(static_cast<int>(setup_.history_size));
    if (setup_.history_file.empty()) return;
    make_parent_dirs(setup_.history_file);
    const int fd =
        ::open(setup_.history_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;  // no history file: history works for this run only
    ::close(fd);
    history_ok_ = true;
    read_history(setup_.history_file.c_str());
}

void Terminal::remember(const std::string& line) {
    const HIST_ENTRY* last =
        history_length > 0 ? history_get(history_base + history_length - 1) : nullptr;
    if (last && line == last->line) return;  // Up should not walk through repeats
    add_history(line.c_str());
    // A time stamp line before each entry is what lets a multi-line entry be read back whole.
    add_history_time(("#" + std::to_string(std::time(nullptr))).c_str());
    if (history_ok_) append_history(1, setup_.history_file.c_str());
}

// ---------------------------------------------------------------------------- signals

void Terminal::handle_signal(int signo) {
    switch (signo) {
        case SIGINT:
            clear_line();
            break;
        case SIGWINCH:
            // The new width may rewrap the typed line: redraw it whole, on its own line.
            rl_resize_terminal();
            if (input_open_ && !hidden_) rl_forced_update_display();
            break;
        case SIGTSTP:
            suspend();
            break;
        default:
            if (on_quit_) on_quit_();
    }
}

// Ctrl-C: like a shell, leave "> abc^C" on the screen and start a fresh, empty line.
void Terminal::clear_line() {
    if (!input_open_) return;
    const bool empty = rl_end == 0;
    rl_callback_sigcleanup();  // leave an incremental search or a half-read key sequence
    rl_free_line_state();
    rl_point = rl_end;
    rl_redisplay();
    std::fputs("^C\n", rl_outstream);
    std::fflush(rl_outstream);
    rl_replace_line("", 0);
    using_history();  // the next Up or Ctrl-R starts from the newest entry again
    if (empty && !ctrl_c_hint_shown_ && note_) {
        ctrl_c_hint_shown_ = true;
        note_("to quit, press Ctrl-D or type /quit");
    }
    rl_on_new_line();
    rl_redisplay();
}

// Ctrl-Z: give the terminal back as it was, stop, and take it again when continued.
void Terminal::suspend() {
    std::string line;
    int point = 0;
    if (input_open_) {
        line.assign(rl_line_buffer, static_cast<std::size_t>(rl_end));
        point = rl_point;
        rl_clear_visible_line();
        rl_callback_handler_remove();
        rl_deprep_terminal();
        std::fflush(rl_outstream);
    }
    ::kill(::getpid(), SIGSTOP);
    if (!input_open_) return;
    install_handler();
    rl_replace_line(line.c_str(), 0);
    rl_point = point;
    rl_redisplay();
}

}  // namespace wscope::app
