// readline in callback mode, output captured and replayed above the prompt, signals by signalfd.
#include "app/terminal_printer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

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

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Creates each missing directory of path's parent, mode 0700 (history may hold secrets).
void make_parent_dirs(const std::string& path) {
    for (auto slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1))
        ::mkdir(path.substr(0, slash).c_str(), 0700);
}

// The length of an SGR colour sequence (ESC [ digits/semicolons m) starting at text[i], or 0.
std::size_t sgr_length(std::string_view text, std::size_t i) {
    if (i + 2 >= text.size() || text[i + 1] != '[') return 0;
    std::size_t j = i + 2;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == ';')) ++j;
    return j < text.size() && text[j] == 'm' ? j + 1 - i : 0;
}

bool only_bells(std::string_view text) {
    return text.find_first_not_of('\a') == std::string_view::npos;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
        if (c == '\n' || c == '\t' || c == '\a') {
            out.push_back(static_cast<char>(c));
        } else if (c == '\r' && next == '\n') {
            continue;  // CRLF line ends print as plain line ends
        } else if (c == 0x1b && sgr_length(text, i) > 0) {
            const std::size_t len = sgr_length(text, i);
            out.append(text.substr(i, len));
            i += len - 1;
        } else if (c < 0x20 || c == 0x7f) {
            out.push_back('^');
            out.push_back(static_cast<char>(c ^ 0x40));
        } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
            out += "\\u00";  // a C1 control, e.g. U+009B (CSI)
            out.push_back(hex[next >> 4]);
            out.push_back(hex[next & 15]);
            ++i;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

Terminal::Terminal(TerminalSetup setup, LineHandler on_line, QuitHandler on_quit)
    : setup_(std::move(setup)), on_line_(std::move(on_line)), on_quit_(std::move(on_quit)) {
    active_terminal = this;
    start_capture();
    start_signals();
    rl_readline_name = "wscope";
    rl_instream = stdin;
    rl_outstream = screen_ ? screen_ : stdout;
    rl_catch_signals = 0;  // signals come through signal_fd_ (see handle_signal)
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = attempted_completion;
    rl_deprep_term_function = keep_terminal_prepared;
    load_history();
    install_handler();
}

Terminal::~Terminal() {
    close_input();
    flush();
    if (history_ok_)
        history_truncate_file(setup_.history_file.c_str(), static_cast<int>(setup_.history_size));
    stop_signals();
    stop_capture();
    rl_outstream = stdout;
    rl_attempted_completion_function = nullptr;
    rl_deprep_term_function = rl_deprep_terminal;
    active_terminal = nullptr;
}

// ---------------------------------------------------------------------------- output

void Terminal::start_capture() {
    screen_fd_ = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (screen_fd_ < 0) return;
    screen_ = ::fdopen(screen_fd_, "w");
    capture_fd_ = ::memfd_create("wscope-output", MFD_CLOEXEC);
    if (capture_fd_ < 0 || !screen_) return;  // no capture: output goes straight to the screen
    if (::isatty(STDERR_FILENO)) {
        saved_stderr_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        ::dup2(capture_fd_, STDERR_FILENO);
    }
    ::dup2(capture_fd_, STDOUT_FILENO);
}

void Terminal::stop_capture() {
    if (capture_fd_ >= 0) {
        ::dup2(screen_fd_, STDOUT_FILENO);
        if (saved_stderr_ >= 0) {
            ::dup2(saved_stderr_, STDERR_FILENO);
            ::close(saved_stderr_);
        }
        ::close(capture_fd_);
        capture_fd_ = -1;
    }
    if (screen_)
        std::fclose(screen_);  // closes screen_fd_
    else if (screen_fd_ >= 0)
        ::close(screen_fd_);
    screen_ = nullptr;
    screen_fd_ = -1;
}

// Everything written since the last call. fd 1 and 2 share the memory file's offset, so the
// offset is how much was written; rewinding it makes the next writes start over at 0.
std::string Terminal::take_captured() {
    if (capture_fd_ < 0) return {};
    const off_t end = ::lseek(capture_fd_, 0, SEEK_CUR);
    if (end <= 0) return {};
    std::string text(static_cast<std::size_t>(end), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n =
            ::pread(capture_fd_, text.data() + got, text.size() - got, static_cast<off_t>(got));
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    if (::ftruncate(capture_fd_, 0) != 0) return text;
    ::lseek(capture_fd_, 0, SEEK_SET);
    return text;
}

void Terminal::write_screen(std::string_view text) const {
    if (screen_) std::fflush(screen_);  // readline's own output first
    write_all(screen_fd_ >= 0 ? screen_fd_ : STDOUT_FILENO, text);
}

void Terminal::flush() {
    std::string text = terminal_safe(take_captured());
    if (text.empty()) return;
    if (only_bells(text)) {
        write_screen(text);
        return;
    }
    if (text.back() != '\n') text.push_back('\n');
    const bool redraw = input_open_ && !in_handler_;
    if (redraw) rl_clear_visible_line();
    write_screen(text);
    if (redraw) rl_forced_update_display();
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
    if (!in_handler_) rl_clear_visible_line();  // after Enter the cursor is on a fresh line already
    rl_callback_handler_remove();
    rl_deprep_terminal();
    if (screen_) std::fflush(screen_);
    if (wake_fd_ >= 0) ::epoll_ctl(wake_fd_, EPOLL_CTL_DEL, STDIN_FILENO, nullptr);
}

void Terminal::line_entered(char* raw) {
    std::optional<std::string> line;
    if (raw) {
        line = raw;
        std::free(raw);  // readline allocated it with malloc
        if (!line->empty()) remember(*line);
    } else {
        write_screen("\n");  // Ctrl-D leaves the cursor after the prompt
    }
    in_handler_ = true;
    on_line_(std::move(line));
    flush();  // what the line caused shows under it, before readline draws the next prompt
    in_handler_ = false;
}

void Terminal::on_readable() {
    signalfd_siginfo info{};
    while (signal_fd_ >= 0 &&
           ::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        handle_signal(static_cast<int>(info.ssi_signo));
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
    if (history_ok_) append_history(1, setup_.history_file.c_str());
}

// ---------------------------------------------------------------------------- signals

void Terminal::start_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGWINCH, SIGTSTP, SIGTERM, SIGHUP}) sigaddset(&set, s);
    // Blocked signals stay pending for the signalfd instead of running a handler.
    ::sigprocmask(SIG_BLOCK, &set, &saved_mask_);
    signal_fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    wake_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event in{};
    in.events = EPOLLIN;
    in.data.fd = STDIN_FILENO;
    ::epoll_ctl(wake_fd_, EPOLL_CTL_ADD, STDIN_FILENO, &in);
    epoll_event sig{};
    sig.events = EPOLLIN;
    sig.data.fd = signal_fd_;
    if (signal_fd_ >= 0) ::epoll_ctl(wake_fd_, EPOLL_CTL_ADD, signal_fd_, &sig);
}

void Terminal::stop_signals() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (signal_fd_ >= 0) ::close(signal_fd_);
    wake_fd_ = signal_fd_ = -1;
    ::sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
}

void Terminal::handle_signal(int signo) {
    switch (signo) {
        case SIGINT:
            clear_line();
            break;
        case SIGWINCH:
            rl_resize_terminal();
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
    rl_callback_sigcleanup();  // leave an incremental search or a half-read key sequence
    rl_free_line_state();
    rl_point = rl_end;
    rl_redisplay();
    write_screen("^C\n");
    rl_replace_line("", 0);
    using_history();  // the next Up or Ctrl-R starts from the newest entry again
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
        if (screen_) std::fflush(screen_);
    }
    ::kill(::getpid(), SIGSTOP);
    if (!input_open_) return;
    install_handler();
    rl_replace_line(line.c_str(), 0);
    rl_point = point;
    rl_redisplay();
}

}  // namespace wscope::app
