// One client's program on the loop (listen --exec): its stdin fed from a bounded queue, its
// stdout cut into records for the client, its stderr logged line by line with the client's
// id, its exit noticed through the pidfd. A slow or stuck program costs only its own client:
// every pipe is non-blocking and watched by the one loop.
//
// Life of a program:
//  - attached: a listener (the client's side, exec_feature.cpp) gets the stdout records, is
//    told when stdin's backlog has drained (to read the socket again), and when the program
//    has exited and its stdout has been read to the end (to close the connection).
//  - end_input() (the client closed or left): stdin gets EOF once the queue is written; the
//    program then has close_timeout to exit, then gets SIGTERM, then as long again (at least
//    kill_grace_min) before SIGKILL. The signals go to its process group.
//  - detached (the client is gone): stdout is still read, and dropped, so that the program
//    never blocks on a full pipe while it winds down; stderr is still logged.
//  - done: reaped, its pipes closed, detached. on_done runs (from the loop) so the owner can
//    destroy it.
// After the exit, stdout and stderr get exit_drain to reach their end (a process the program
// started may hold them open); then they are closed and whatever was read counts.
#pragma once

#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>

#include "app/child_process.hpp"
#include "app/input.hpp"
#include "net/event_loop.hpp"
#include "proto/bytes.hpp"
#include "session/clock.hpp"

namespace wscope::app {

class Console;

class ProgramListener {
public:
    virtual ~ProgramListener() = default;
    // A line of stdout without its newline (text), or what one read gave (binary).
    virtual void on_output(proto::ByteView record) = 0;
    // After the records of one read: the moment to send them.
    virtual void on_output_done() = 0;
    // stdin's backlog is under the bound again.
    virtual void on_input_drained() = 0;
    // The program has exited and its stdout has been read to the end.
    virtual void on_exit(const ExitStatus& status) = 0;
};

struct ProgramSetup {
    unsigned id = 0;              // the client's, for the log
    bool binary = false;          // stdout as it is read, not as lines
    std::size_t max_line = 0;     // a stdout line this long is passed on without waiting for '\n'
    session::Duration close_timeout{};  // from end_input() to SIGTERM
};

class Program {
public:
    // stdin's queue above this stops the client's socket from being read.
    static constexpr std::size_t input_bound = 256u << 10;
    // stdout and stderr are read this much at a time: one busy program cannot hold the loop.
    static constexpr std::size_t read_size = 64u << 10;
    // A stderr line is logged when it reaches this length, newline or not.
    static constexpr std::size_t max_log_line = 4096;
    static constexpr auto kill_grace_min = std::chrono::milliseconds(500);
    static constexpr auto exit_drain = std::chrono::seconds(2);

    Program(net::Loop& loop, Console& console, std::unique_ptr<ChildProcess> child, const ProgramSetup& setup,
            std::function<void()> on_done);
    ~Program();
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    // nullptr detaches: output is dropped from then on.
    void attach(ProgramListener* listener);
    // Queues data for stdin (dropped once stdin is closed).
    void write_input(proto::ByteView data);
    [[nodiscard]] bool input_backlogged() const { return pending_input() >= input_bound; }
    // No more input: EOF after the queue, and the clock towards SIGTERM starts.
    void end_input();
    // While paused, stdout is not read (the client has too much unsent).
    void pause_output(bool paused);
    [[nodiscard]] bool exited() const { return child_->reaped(); }
    [[nodiscard]] pid_t pid() const { return child_->pid(); }
    [[nodiscard]] int exit_fd() const { return child_->exit_fd(); }
    // The server is going away: SIGTERM now, whatever the clock says, and SIGKILL if the
    // program is still running after grace (on the loop).
    void terminate(session::Duration grace);

private:
    [[nodiscard]] std::size_t pending_input() const { return input_.size() - input_pos_; }
    [[nodiscard]] std::string tag() const;
    void write_some();
    void close_stdin();
    void read_stdout();
    void end_stdout();
    void read_stderr();
    void end_stderr();
    void log_stderr(proto::ByteView line);
    void on_exit_fd();
    void on_drain_deadline();
    void escalate(int signo);
    void check_exit();
    void check_done();

    net::Loop& loop_;
    Console& console_;
    std::unique_ptr<ChildProcess> child_;
    ProgramSetup setup_;
    std::function<void()> on_done_;
    ProgramListener* listener_ = nullptr;
    std::unique_ptr<std::uint8_t[]> buf_;

    proto::Bytes input_;
    std::size_t input_pos_ = 0;
    bool input_ended_ = false;
    bool stdin_watched_ = false;

    InputSplitter lines_{Framing::lines, 0};
    bool output_paused_ = false;
    bool stdout_watched_ = false;
    std::string err_line_;

    std::optional<net::Loop::TimerId> term_timer_, kill_timer_, drain_timer_;
    bool exit_told_ = false;
    bool done_told_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace wscope::app
