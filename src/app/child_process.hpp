// A program run for one client (listen --exec): spawned with posix_spawn in a process group
// of its own, its stdin, stdout and stderr on pipes, and a pidfd that becomes readable when it
// exits. Our ends of the pipes are non-blocking; every descriptor is close-on-exec, and the
// child closes all but 0-2 before exec besides. The child starts with the signal mask the
// caller gives (the one from before the loop blocked its signals) and every signal at its
// default disposition (wscope ignores SIGPIPE; a program must not inherit that).
//
// Nothing here knows the loop: the owner watches the descriptors. A child that has not been
// reaped when its ChildProcess is destroyed is killed (its whole group) and reaped then.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wscope::app {

// How a program ended.
struct ExitStatus {
    int code = 0;    // the exit status, when no signal ended it
    int signal = 0;  // the signal that ended it (0: it exited)
    [[nodiscard]] bool signaled() const { return signal != 0; }
    [[nodiscard]] bool success() const { return !signaled() && code == 0; }
};

// "exit status 3", "killed by signal 9 (SIGKILL)".
[[nodiscard]] std::string exit_status_text(const ExitStatus& status);

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is the program, looked up in PATH when bare
    std::vector<std::string> env;   // "NAME=value", the child's whole environment
    const void* signal_mask = nullptr;  // a sigset_t for the child; nullptr: none blocked
};

class ChildProcess {
public:
    // nullptr when it could not be started; error says why.
    [[nodiscard]] static std::unique_ptr<ChildProcess> spawn(const SpawnRequest& request, std::string& error);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    // Readable once the child has exited (then reap() succeeds).
    [[nodiscard]] int exit_fd() const { return pidfd_; }
    // Our ends of its standard streams (-1 once closed).
    [[nodiscard]] int stdin_fd() const { return in_; }
    [[nodiscard]] int stdout_fd() const { return out_; }
    [[nodiscard]] int stderr_fd() const { return err_; }
    void close_stdin() { close_fd(in_); }
    void close_stdout() { close_fd(out_); }
    void close_stderr() { close_fd(err_); }

    // Sends signo to the child's process group (the program and whatever it started), until
    // it has been reaped. False when nothing was signalled.
    bool signal_group(int signo);
    // The status once the child has exited (it is reaped then); nothing while it runs.
    std::optional<ExitStatus> reap();
    [[nodiscard]] bool reaped() const { return status_.has_value(); }

private:
    ChildProcess() = default;
    static void close_fd(int& fd);

    pid_t pid_ = -1;
    int pidfd_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::optional<ExitStatus> status_;
};

}  // namespace wscope::app
