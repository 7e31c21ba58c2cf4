// Spawning and reaping a client's program (child_process.hpp).
#include "app/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace wscope::app {
namespace {

// Both ends of a pipe, closed unless released.
struct Pipe {
    int read = -1, write = -1;
    ~Pipe() {
        if (read >= 0) ::close(read);
        if (write >= 0) ::close(write);
    }
};

bool make_pipe(Pipe& p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    p.read = fds[0];
    p.write = fds[1];
    return true;
}

bool set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// The child's end must not be one of 0-2 already (our own standard streams were closed):
// dup2 onto its own number would leave it close-on-exec, and a later dup2 could overwrite it.
bool keep_above_stdio(int& fd) {
    if (fd > STDERR_FILENO) return true;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) return false;
    ::close(fd);
    fd = moved;
    return true;
}

std::string errno_text(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

// Owns posix_spawn's two attribute objects for the length of one spawn.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

std::string exit_status_text(const ExitStatus& status) {
    if (status.signaled()) {
        const char* abbrev = ::sigabbrev_np(status.signal);
        return "killed by signal " + std::to_string(status.signal) +
               (abbrev ? " (SIG" + std::string(abbrev) + ")" : std::string());
    }
    if (status.code < 0) return "exited (status unknown)";
    return "exit status " + std::to_string(status.code);
}

std::unique_ptr<ChildProcess> ChildProcess::spawn(const SpawnRequest& request, std::string& error) {
    if (request.argv.empty()) {
        error = "no program given";
        return nullptr;
    }
    Pipe in, out, err;
    if (!make_pipe(in) || !make_pipe(out) || !make_pipe(err)) {
        error = errno_text("cannot make pipes", errno);
        return nullptr;
    }
    if (!keep_above_stdio(in.read) || !keep_above_stdio(out.write) || !keep_above_stdio(err.write) ||
        !set_nonblocking(in.write) || !set_nonblocking(out.read) || !set_nonblocking(err.read)) {
        error = errno_text("cannot set up pipes", errno);
        return nullptr;
    }

    SpawnSetup s;
    posix_spawn_file_actions_adddup2(&s.actions, in.read, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&s.actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&s.actions, err.write, STDERR_FILENO);
    // Close-on-exec is set on every descriptor we open; this also covers any a library opened
    // without it (the listening socket, other clients' sockets and pipes must not leak).
    posix_spawn_file_actions_addclosefrom_np(&s.actions, STDERR_FILENO + 1);

    sigset_t mask;
    if (request.signal_mask) std::memcpy(&mask, request.signal_mask, sizeof mask);
    else sigemptyset(&mask);
    sigset_t defaults;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setsigmask(&s.attr, &mask);
    posix_spawnattr_setsigdefault(&s.attr, &defaults);
    // A group of its own: SIGTERM reaches what a shell started too, and the terminal's Ctrl-C
    // reaches only wscope, which closes the clients in order.
    posix_spawnattr_setpgroup(&s.attr, 0);
    posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    std::vector<char*> argv;
    for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0], &s.actions, &s.attr, argv.data(), envp.data());
    if (rc != 0) {
        error = errno_text(("cannot run " + request.argv[0]).c_str(), rc);
        return nullptr;
    }
    std::unique_ptr<ChildProcess> child(new ChildProcess());
    child->pid_ = pid;
    // The child cannot be reaped by anyone but us, so its pid is still its own here.
    // (by number: glibc 2.36's <sys/pidfd.h> lacks the C linkage a C++ caller needs)
    child->pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (child->pidfd_ < 0) {
        error = errno_text("cannot watch the program (pidfd_open)", errno);
        return nullptr;  // the destructor kills and reaps it
    }
    child->in_ = std::exchange(in.write, -1);
    child->out_ = std::exchange(out.read, -1);
    child->err_ = std::exchange(err.read, -1);
    return child;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
    }
    close_fd(in_);
    close_fd(out_);
    close_fd(err_);
    close_fd(pidfd_);
}

void ChildProcess::close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

bool ChildProcess::signal_group(int signo) {
    if (status_ || pid_ <= 0) return false;
    if (::kill(-pid_, signo) == 0) return true;
    return ::kill(pid_, signo) == 0;  // it left its group (setsid): at least the program itself
}

std::optional<ExitStatus> ChildProcess::reap() {
    if (status_) return status_;
    int st = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return std::nullopt;
    ExitStatus s;
    if (r < 0) s.code = -1;  // reaped elsewhere (SIGCHLD ignored): the status is lost
    else if (WIFSIGNALED(st)) s.signal = WTERMSIG(st);
    else s.code = WEXITSTATUS(st);
    status_ = s;
    return status_;
}

}  // namespace wscope::app
