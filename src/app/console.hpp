// The console: the one owner of fd 1 and fd 2. Every byte the program prints goes through it.
//
//  - stdout carries data: received messages in pipe mode (raw, the one thing never escaped),
//    JSON Lines, and the REPL's "< message" lines. stderr carries diagnostics: errors, notes,
//    -v traces, frame lines, hex dumps, stats.
//  - Output is gathered and written in large pieces when the loop is about to wait (and
//    sooner when much has piled up), in the order it was produced, so a reader sees every
//    message live and stderr lines never interleave mid-line.
//  - -T stamps every diagnostic line; colour is decided once per stream (config); text that
//    reaches a terminal is made safe a last time here: control bytes other than newline and
//    tab are shown as ^X, and only our own colour sequences survive.
//  - With a prompt (the REPL), output appears above it: the prompt is hidden, the output
//    written, the prompt drawn again with the half-typed line as it was.
//  - Asynchronous mode (listen mode): writes never block. What the reader has not taken yet
//    waits in memory and goes out when the descriptor is writable; backlogged() tells the
//    server to stop producing (it pauses reading from clients), so memory stays bounded.
//  - A reader that went away (EPIPE) is remembered, not fatal; any other write error (a full
//    disk, /dev/full) is kept as a message for the exit status (1).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/options.hpp"
#include "present/style.hpp"
#include "proto/bytes.hpp"

namespace wscope::net {
class Loop;
}

namespace wscope::app {

// The REPL's input line, which output must not tear.
class Prompt {
public:
    virtual ~Prompt() = default;
    virtual void hide() = 0;  // erase the prompt and the typed line
    virtual void show() = 0;  // draw them again
};

struct ConsoleSetup {
    bool colour_out = false;  // stdout shows colour (the REPL's lines)
    bool colour_err = false;  // stderr shows colour (frame lines, errors)
    bool out_tty = false;
    bool err_tty = false;
    OutputOptions::Timestamps timestamps = OutputOptions::Timestamps::none;
    bool quiet = false;
    int verbose = 0;
};

class Console {
public:
    explicit Console(const ConsoleSetup& setup);
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    // --- stdout ---
    void data(proto::ByteView bytes);         // as given (pipe mode)
    void data(std::string_view text) { data(proto::as_bytes(text)); }
    void out_line(std::string_view line);     // a line, '\n' added unless it has one: JSON Lines
    void show(present::Tone tone, std::string_view line);  // a REPL line, painted
    void show_text(std::string_view text);    // REPL text as given (help, stats)

    // --- stderr ---
    void error(std::string_view message);    // "wscope: error: …", always
    void warning(std::string_view message);  // "wscope: warning: …" unless -q
    void note(std::string_view message);     // "wscope: …" unless -q
    void always(std::string_view message);   // "wscope: …" even with -q
    void trace(std::string_view line);       // with -v: the line as given
    void diag(std::string_view line);        // a diagnostic line as given (frame lines)
    void diag_text(std::string_view text);   // lines as given, unstamped (hex dumps)

    [[nodiscard]] bool verbose() const { return setup_.verbose > 0; }
    [[nodiscard]] int verbosity() const { return setup_.verbose; }
    [[nodiscard]] bool quiet() const { return setup_.quiet; }
    [[nodiscard]] const present::Style& out_style() const { return out_style_; }
    [[nodiscard]] const present::Style& err_style() const { return err_style_; }
    // The -T stamp for a line written now ("" without -T).
    [[nodiscard]] std::string stamp() const;

    // --- the machinery ---
    // Writes what is gathered as far as possible (all of it, in blocking mode). False once
    // stdout's reader is gone.
    bool flush();
    // Flushes before every wait of the loop; async: never blocks, waits for writability.
    void attach(net::Loop& loop, bool async);
    // Flushes (blocking) and lets go of the loop, before the loop ends.
    void detach();
    void set_prompt(Prompt* prompt) { prompt_ = prompt; }
    [[nodiscard]] bool out_broken() const { return out_.broken; }
    [[nodiscard]] const std::string& write_error() const { return write_error_; }
    // Async: stdout has more waiting than the budget; stop producing until it drains.
    [[nodiscard]] bool backlogged() const;
    [[nodiscard]] std::size_t pending() const { return out_.buf.size() + err_.buf.size(); }

private:
    struct Stream {
        int fd = -1;
        std::string buf;       // gathered, not yet written
        std::size_t pos = 0;   // written part of buf (async)
        bool tty = false;
        bool broken = false;   // EPIPE: the reader is gone
        bool nonblocking_set = false;
        int saved_flags = 0;
        std::uint64_t dropped_lines = 0;  // async stderr over budget: lines not shown
    };

    // Where stderr's text goes: its own stream, or stdout's when both are the same terminal
    // (one stream keeps their order exactly, as the eye reads them).
    Stream& err_target() { return merged_ ? out_ : err_; }
    void add(Stream& s, std::string_view text);
    void add_line(Stream& s, std::string_view prefix, std::string_view text, bool stamped);
    // Writes s's gathered bytes; false when a non-blocking write would block.
    bool write_out(Stream& s);
    void write_direct(Stream& s, proto::ByteView data);
    void note_error(Stream& s, int err);
    void update_interest();

    ConsoleSetup setup_;
    present::Style out_style_, err_style_;
    Stream out_, err_;
    Prompt* prompt_ = nullptr;
    net::Loop* loop_ = nullptr;
    bool async_ = false;
    bool merged_ = false;
    std::string write_error_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The text of a line made safe for a terminal: C0 controls but newline and tab, DEL and C1
// controls are shown as ^X / \u00XX, bytes that are not UTF-8 as \xNN; SGR colour sequences
// are kept. (Exposed for tests.)
[[nodiscard]] std::string terminal_safe(std::string_view text);

}  // namespace wscope::app
