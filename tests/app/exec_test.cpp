// listen --exec below the server: the CGI environment, and spawning a child with the signal
// mask and dispositions it must get (the e2e test runs the whole feature, test_exec.py).
#include "app/exec_environment.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/child_process.hpp"

namespace wscope::app {
namespace {

std::vector<std::string> env_of(const ExecContext& c, std::vector<const char*> base) {
    base.push_back(nullptr);
    return exec_environment(c, base.data());
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

bool has_name(const std::vector<std::string>& env, const std::string& name) {
    return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}

proto::HttpHead request_for(std::string target) {
    proto::HttpHead r;
    r.method = "GET";
    r.target = std::move(target);
    r.version = "HTTP/1.1";
    r.fields = {{"Host", "example.test:8080"}, {"X-Trace-Id", "abc"}, {"Accept", "a"},
                {"accept", "b"}, {"X_Real_IP", "6.6.6.6"}, {"Sec-WebSocket-Protocol", "chat, v2"}};
    return r;
}

TEST_CASE("exec environment: CGI names from the request and the addresses") {
    const proto::HttpHead r = request_for("/chat/room%201?user=ann&x=%41");
    ExecContext c;
    c.request = &r;
    c.peer = "127.0.0.1:41234";
    c.local = "127.0.0.1:8080";
    c.subprotocol = "chat";
    c.client_id = 7;
    c.version = "1.2.3";
    const auto env = env_of(c, {"PATH=/usr/bin", "HOME=/root"});
    CHECK(has(env, "PATH=/usr/bin"));
    CHECK(has(env, "HOME=/root"));
    CHECK(has(env, "REMOTE_ADDR=127.0.0.1"));
    CHECK(has(env, "REMOTE_HOST=127.0.0.1"));
    CHECK(has(env, "REMOTE_PORT=41234"));
    CHECK(has(env, "SERVER_NAME=example.test"));
    CHECK(has(env, "SERVER_PORT=8080"));
    CHECK(has(env, "SERVER_PROTOCOL=HTTP/1.1"));
    CHECK(has(env, "SERVER_SOFTWARE=wscope/1.2.3"));
    CHECK(has(env, "REQUEST_METHOD=GET"));
    CHECK(has(env, "REQUEST_URI=/chat/room%201?user=ann&x=%41"));
    CHECK(has(env, "SCRIPT_NAME="));
    CHECK(has(env, "PATH_INFO=/chat/room 1"));
    CHECK(has(env, "QUERY_STRING=user=ann&x=%41"));  // as sent: the program decodes it
    CHECK(has(env, "SEC_WEBSOCKET_PROTOCOL=chat"));
    CHECK(has(env, "HTTP_SEC_WEBSOCKET_PROTOCOL=chat, v2"));
    CHECK(has(env, "HTTP_X_TRACE_ID=abc"));
    CHECK(has(env, "HTTP_HOST=example.test:8080"));
    CHECK(has(env, "HTTP_ACCEPT=a, b"));  // repeated fields joined
    CHECK(has(env, "WSCOPE_CLIENT_ID=7"));
    CHECK_FALSE(has_name(env, "HTTPS"));
    // An underscore name could pass for a dashed one a proxy vouched for: it is left out.
    CHECK_FALSE(has_name(env, "HTTP_X_REAL_IP"));
}

TEST_CASE("exec environment: inherited HTTP_* and CGI names give way to the client's") {
    const proto::HttpHead r = request_for("/");
    ExecContext c;
    c.request = &r;
    c.peer = "[::1]:5000";
    c.local = "[::1]:80";
    c.tls = true;
    const auto env = env_of(c, {"HTTP_PROXY=http://evil:3128", "REMOTE_ADDR=10.0.0.1", "SEC_WEBSOCKET_PROTOCOL=x",
                                "QUERY_STRING=stale", "LANG=C.UTF-8"});
    CHECK_FALSE(has_name(env, "HTTP_PROXY"));
    CHECK(has(env, "REMOTE_ADDR=::1"));
    CHECK(has(env, "REMOTE_PORT=5000"));
    CHECK(has(env, "SERVER_PORT=80"));
    CHECK(has(env, "QUERY_STRING="));
    CHECK(has(env, "HTTPS=on"));
    CHECK(has(env, "LANG=C.UTF-8"));
    CHECK_FALSE(has_name(env, "SEC_WEBSOCKET_PROTOCOL"));  // none agreed
}

TEST_CASE("exec environment: a Unix-socket peer has no port") {
    proto::HttpHead r = request_for("/x");
    r.fields.clear();
    ExecContext c;
    c.request = &r;
    c.peer = "unix-peer";
    const auto env = env_of(c, {"REMOTE_PORT=1", "SERVER_PORT=2"});
    CHECK(has(env, "REMOTE_ADDR=unix-peer"));
    CHECK_FALSE(has_name(env, "REMOTE_PORT"));
    CHECK_FALSE(has_name(env, "SERVER_PORT"));
    CHECK(has(env, "SERVER_NAME="));
}

TEST_CASE("percent_decode_path") {
    CHECK(percent_decode_path("/a%20b/%2Fc") == "/a b//c");
    CHECK(percent_decode_path("/%e2%82%ac") == "/\xe2\x82\xac");
    CHECK(percent_decode_path("/%00x") == "/%00x");  // no NUL in an environment value
    CHECK(percent_decode_path("/%4") == "/%4");
    CHECK(percent_decode_path("/%zz%") == "/%zz%");
    CHECK(percent_decode_path("") == "");
}

TEST_CASE("exit_status_text") {
    CHECK(exit_status_text({0, 0}) == "exit status 0");
    CHECK(exit_status_text({3, 0}) == "exit status 3");
    CHECK(exit_status_text({0, SIGKILL}) == "killed by signal 9 (SIGKILL)");
    CHECK(exit_status_text({-1, 0}) == "exited (status unknown)");
}

// Reads all of fd (blocking, bounded by poll) into a string.
std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0 && errno == EAGAIN) continue;
        if (n < 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::optional<ExitStatus> wait_exit(ChildProcess& child) {
    pollfd p{child.exit_fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    return child.reap();
}

TEST_CASE("spawn: pipes, the environment, the exit status") {
    std::string error;
    auto child = ChildProcess::spawn({{"/bin/sh", "-c", "read x; echo \"got $x $FOO\"; echo oops >&2; exit 3"},
                                      {"FOO=bar", "PATH=/usr/bin:/bin"}, nullptr},
                                     error);
    REQUIRE_MESSAGE(child, error);
    const std::string line = "hello\n";
    REQUIRE(::write(child->stdin_fd(), line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    child->close_stdin();
    CHECK(read_all(child->stdout_fd()) == "got hello bar\n");
    CHECK(read_all(child->stderr_fd()) == "oops\n");
    const auto status = wait_exit(*child);
    REQUIRE(status);
    CHECK(status->code == 3);
    CHECK_FALSE(status->signaled());
    CHECK(child->reaped());
}

TEST_CASE("spawn: the child gets the given mask, default dispositions and no stray descriptors") {
    // What a loop with a signalfd leaves behind: SIGTERM blocked, SIGPIPE ignored.
    sigset_t blocked, saved;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &blocked, &saved);
    struct sigaction ignore {}, old_pipe {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old_pipe);
    int stray[2];
    REQUIRE(::pipe(stray) == 0);  // no close-on-exec: the spawn must close it anyway

    sigset_t for_child;
    sigemptyset(&for_child);
    std::string error;
    auto child = ChildProcess::spawn(
        {{"/bin/sh", "-c",
          "grep -E '^(SigBlk|SigIgn)' /proc/self/status; ls /proc/self/fd | sort -n | tr '\\n' ' '"},
         {"PATH=/usr/bin:/bin"}, &for_child},
        error);
    ::sigprocmask(SIG_SETMASK, &saved, nullptr);
    ::sigaction(SIGPIPE, &old_pipe, nullptr);
    REQUIRE_MESSAGE(child, error);
    const std::string out = read_all(child->stdout_fd());
    ::close(stray[0]);
    ::close(stray[1]);
    CHECK(out.find("SigBlk:\t0000000000000000") != std::string::npos);
    INFO(out);
    // Signals 1-31 (glibc reserves 32 and 33 for itself, and posix_spawn leaves them be).
    const auto ign = out.find("SigIgn:\t");
    REQUIRE(ign != std::string::npos);
    CHECK((std::stoull(out.substr(ign + 8, 16), nullptr, 16) & 0x7fffffffULL) == 0);
    // 0-2, and the descriptor ls opens to read the directory: nothing of ours.
    CHECK(out.find("0 1 2 3 ") != std::string::npos);
    CHECK(out.find("0 1 2 3 4") == std::string::npos);
    CHECK(wait_exit(*child)->success());
}

TEST_CASE("spawn: a group of its own, signalled as one; destroyed while running, it is killed") {
    std::string error;
    auto child = ChildProcess::spawn({{"/bin/sh", "-c", "sleep 30 & wait"}, {"PATH=/usr/bin:/bin"}, nullptr}, error);
    REQUIRE_MESSAGE(child, error);
    CHECK(::getpgid(child->pid()) == child->pid());
    CHECK(child->signal_group(SIGTERM));
    const auto status = wait_exit(*child);
    REQUIRE(status);
    CHECK(status->signal == SIGTERM);
    CHECK_FALSE(child->signal_group(SIGTERM));  // reaped: nothing to signal

    auto lingering = ChildProcess::spawn({{"/bin/sh", "-c", "trap '' TERM; sleep 30"}, {"PATH=/usr/bin:/bin"}, nullptr},
                                         error);
    REQUIRE_MESSAGE(lingering, error);
    const pid_t pid = lingering->pid();
    const auto start = std::chrono::steady_clock::now();
    lingering.reset();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(::kill(pid, 0) != 0);  // killed and reaped
}

TEST_CASE("spawn: a program that does not exist") {
    std::string error;
    auto child = ChildProcess::spawn({{"/nonexistent/program"}, {}, nullptr}, error);
    CHECK_FALSE(child);
    CHECK(error.find("cannot run /nonexistent/program") != std::string::npos);
}

}  // namespace
}  // namespace wscope::app
