// Real peers for the TLS, proxy and connect tests, all on loopback and all bounded: the test
// certificates (made once per test binary by make_certs.sh into a temp dir), a one-connection
// TLS echo server on a thread (our own TlsServerContext), a tinyproxy child process, and
// helpers that move bytes through a Stream with poll() and a time limit.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/stream.hpp"
#include "net/tcp.hpp"
#include "net/tls.hpp"

extern char** environ;

namespace wscope::net::testing {

using Status = IoResult::Status;
using Clock = std::chrono::steady_clock;

// Generous bound for any one loopback exchange; a broken transport fails instead of hanging.
inline constexpr std::chrono::milliseconds step_limit{5000};

// A fresh directory under $TMPDIR, removed with everything in it when this object goes.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "wscope-net-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// The certificates from make_certs.sh: ca, server, other, expired, self, client (.pem/.key).
class TestCerts {
  public:
    TestCerts() {
        const auto script = std::filesystem::path(__FILE__).parent_path() / "make_certs.sh";
        const std::string cmd = "/bin/sh '" + script.string() + "' '" + dir_.path().string() + "'";
        ok_ = !dir_.path().empty() && std::system(cmd.c_str()) == 0 &&
              std::filesystem::exists(dir_.path() / "self.pem");
    }
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] std::string pem(const char* name) const {
        return (dir_.path() / (std::string(name) + ".pem")).string();
    }
    [[nodiscard]] std::string key(const char* name) const {
        return (dir_.path() / (std::string(name) + ".key")).string();
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

  private:
    TempDir dir_;
    bool ok_ = false;
};

// Made on first use, removed at exit.
inline const TestCerts& certs() {
    static const TestCerts made;
    REQUIRE_MESSAGE(made.ok(), "tests/net/make_certs.sh failed (is the openssl CLI installed?)");
    return made;
}

// Waits until s is ready for what `want` asks, or the deadline passes.
inline bool wait_for(const Stream& s, Status want, Clock::time_point end) {
    if (want == Status::want_read && s.has_buffered()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{s.fd(), static_cast<short>(want == Status::want_read ? POLLIN : POLLOUT), 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
}

// Writes all of data; false on error or timeout.
inline bool write_all(Stream& s, const std::string& data, Clock::time_point end) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const IoResult r = s.write_some(proto::as_bytes(data).subspan(sent));
        if (r.status == Status::ok) {
            sent += r.n;
            continue;
        }
        if (r.status != Status::want_read && r.status != Status::want_write) return false;
        if (!wait_for(s, r.status, end)) return false;
    }
    return true;
}

struct ReadOutcome {
    std::string data;
    Status last = Status::ok;  // eof / error / want_read (timeout) when it stopped early
    std::string message;
};

// Reads until `want` bytes arrived, or eof, error or the deadline (want 0: until eof).
inline ReadOutcome read_until(Stream& s, std::size_t want, Clock::time_point end) {
    ReadOutcome out;
    std::vector<std::uint8_t> buf(16 * 1024);
    while (want == 0 || out.data.size() < want) {
        const IoResult r = s.read_some(buf);
        out.last = r.status;
        if (r.status == Status::ok) {
            out.data.append(reinterpret_cast<const char*>(buf.data()), r.n);
            continue;
        }
        if (r.status == Status::eof || r.status == Status::error) {
            out.message = r.message;
            return out;
        }
        if (!wait_for(s, r.status, end)) return out;
    }
    return out;
}

// Writes msg and reads the same number of bytes back (from an echo peer).
inline std::string echo_roundtrip(Stream& s, const std::string& msg) {
    const auto end = Clock::now() + step_limit;
    if (!write_all(s, msg, end)) return "<write failed>";
    return read_until(s, msg.size(), end).data;
}

// Accepts one connection on 127.0.0.1, wraps it in TLS and echoes what it reads until the
// client closes; then closes its side (close_notify + FIN). Everything it saw is kept for
// the test to check once done() returns.
class TlsEchoServer {
  public:
    struct Seen {
        bool accepted = false;
        bool handshake_ok = false;
        TlsInfo info;
        std::string received;
        NetError error;  // when the handshake or the session failed
    };

    // Listens on 127.0.0.1 on a free port, or on the listener given (a Unix socket).
    explicit TlsEchoServer(const TlsServerOptions& options,
                           std::unique_ptr<Listener> listener = nullptr) {
        auto ctx = TlsServerContext::load(options);
        REQUIRE_MESSAGE(ctx.ok(), (ctx.ok() ? "" : ctx.error().message));
        ctx_ = std::move(ctx.value());
        if (!listener) {
            auto tcp = listen_tcp("127.0.0.1", 0);
            REQUIRE(tcp.ok());
            listener = std::move(tcp.value());
        }
        listener_ = std::move(listener);
        thread_ = std::thread([this] { run(); });
    }
    ~TlsEchoServer() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    TlsEchoServer(const TlsEchoServer&) = delete;
    TlsEchoServer& operator=(const TlsEchoServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return listener_->port(); }
    // Waits (bounded) for the connection to end and returns what the server saw.
    const Seen& done() {
        if (thread_.joinable()) thread_.join();
        return seen_;
    }

  private:
    void run() {
        const auto end = Clock::now() + 2 * step_limit;
        std::unique_ptr<Stream> tcp;
        while (!tcp && !stop_ && Clock::now() < end) {
            pollfd p{listener_->fd(), POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) tcp = listener_->accept();
        }
        if (!tcp) return;
        seen_.accepted = true;
        auto tls = tls_accept(std::move(tcp), *ctx_);
        if (!tls) {
            seen_.error = tls.error();
            return;
        }
        TlsStream& s = *tls.value();
        std::vector<std::uint8_t> buf(16 * 1024);
        while (Clock::now() < end) {
            const IoResult r = s.read_some(buf);
            if (!seen_.handshake_ok && s.handshake_done()) {
                seen_.handshake_ok = true;
                seen_.info = s.tls_info();
            }
            if (r.status == Status::ok) {
                const std::string chunk(reinterpret_cast<const char*>(buf.data()), r.n);
                seen_.received += chunk;
                if (!write_all(s, chunk, end)) break;
                continue;
            }
            if (r.status == Status::eof) {
                s.shutdown_write();
                break;
            }
            if (r.status == Status::error) {
                seen_.error =
                    s.handshake_done() ? NetError{NetErrc::io, r.message} : s.last_error();
                break;
            }
            // Poll in short slices so the destructor's stop request is seen.
            while (!stop_ && Clock::now() < end &&
                   !wait_for(s, r.status, Clock::now() + std::chrono::milliseconds(50))) {
            }
            if (stop_) break;
        }
    }

    std::shared_ptr<TlsServerContext> ctx_;
    std::unique_ptr<Listener> listener_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    Seen seen_;
};

// A child process (argv[0] a full path) with stdout and stderr going to log_file; killed
// (SIGTERM) and reaped when this object goes.
class Child {
  public:
    Child(std::vector<std::string> argv, const std::string& log_file) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        if (::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Child() { stop(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    [[nodiscard]] bool started() const { return pid_ > 0; }
    // False once it has exited (reaped here).
    bool alive() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
        pid_ = -1;
        return false;
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

  private:
    pid_t pid_ = -1;
};

// A free loopback port (bound once, then released: a child binds it next).
inline std::uint16_t free_port() {
    auto probe = listen_tcp("127.0.0.1", 0);
    REQUIRE(probe.ok());
    return probe.value()->port();
}

// Waits until child accepts connections on 127.0.0.1:port; false if it exits or takes too long.
inline bool wait_listening(Child& child, std::uint16_t port) {
    const auto end = Clock::now() + step_limit;
    while (Clock::now() < end && child.alive()) {
        ConnectOptions o;
        o.timeout = std::chrono::milliseconds(500);
        if (connect_tcp("127.0.0.1", port, o).ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A tinyproxy child on a free loopback port.
class Tinyproxy {
  public:
    static constexpr const char* binary = "/usr/bin/tinyproxy";
    static bool available() { return ::access(binary, X_OK) == 0; }

    explicit Tinyproxy(const std::optional<std::pair<std::string, std::string>>& basic_auth = {}) {
        // A port taken between the probe and tinyproxy's bind makes it exit: try another.
        for (int attempt = 0; attempt < 3 && !child_; ++attempt) {
            port_ = free_port();
            const auto conf = dir_.path() / "tinyproxy.conf";
            {
                std::ofstream out(conf);
                out << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\n"
                    << "LogLevel Info\n";
                if (basic_auth)
                    out << "BasicAuth " << basic_auth->first << " " << basic_auth->second << "\n";
            }
            child_ =
                std::make_unique<Child>(std::vector<std::string>{binary, "-d", "-c", conf.string()},
                                        (dir_.path() / "tinyproxy.log").string());
            if (!wait_listening(*child_, port_)) child_.reset();
        }
        REQUIRE_MESSAGE(child_ != nullptr, (std::string("tinyproxy did not start; log: ") + log()));
    }

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string log() const { return read_file(dir_.path() / "tinyproxy.log"); }

  private:
    TempDir dir_;
    std::unique_ptr<Child> child_;
    std::uint16_t port_ = 0;
};

}  // namespace wscope::net::testing
