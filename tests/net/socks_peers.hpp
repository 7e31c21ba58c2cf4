// SOCKS5 peers for the tests, all on 127.0.0.1 and all bounded: a scripted raw SOCKS5 server
// on a thread (answers as told and records every byte the client sent), a plain TCP echo
// server to be the target, and the real servers microsocks and danted as child processes
// with generated command lines or configurations.
#pragma once

#include <doctest/doctest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/net_peers.hpp"
#include "net/tcp.hpp"

namespace wscope::net::testing {

// "05 00 01" → bytes, for scripts written as the RFC draws them.
inline std::string hex_bytes(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
        i += 2;
    }
    return out;
}

// Reads exactly n bytes (never more: what follows belongs to the next step); fewer on EOF,
// error or the deadline.
inline std::string read_exact(Stream& s, std::size_t n, Clock::time_point end) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const IoResult r =
            s.read_some({reinterpret_cast<std::uint8_t*>(out.data()) + got, n - got});
        if (r.status == Status::ok) {
            got += r.n;
            continue;
        }
        if (r.status == Status::eof || r.status == Status::error) break;
        if (!wait_for(s, r.status, end)) break;
    }
    out.resize(got);
    return out;
}

// Accepts one connection on a free port; runs `serve` on it on a thread; joined on destruction.
class OneConnection {
  public:
    template <typename F>
    explicit OneConnection(F serve) {
        auto l = listen_tcp("127.0.0.1", 0);
        REQUIRE(l.ok());
        listener_ = std::move(l.value());
        thread_ = std::thread([this, serve] {
            pollfd p{listener_->fd(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(step_limit.count())) <= 0) return;
            if (auto conn = listener_->accept()) serve(*conn);
        });
    }
    ~OneConnection() { join(); }
    OneConnection(const OneConnection&) = delete;
    OneConnection& operator=(const OneConnection&) = delete;
    [[nodiscard]] std::uint16_t port() const { return listener_->port(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

  private:
    std::unique_ptr<Listener> listener_;
    std::thread thread_;
};

// Echoes what it reads on its one connection until the client closes.
class TcpEchoServer {
  public:
    TcpEchoServer()
        : conn_([](Stream& s) {
              const auto end = Clock::now() + 2 * step_limit;
              for (;;) {
                  ReadOutcome in = read_until(s, 1, end);
                  if (in.data.empty() || !write_all(s, in.data, end)) return;
              }
          }) {}
    [[nodiscard]] std::uint16_t port() const { return conn_.port(); }

  private:
    OneConnection conn_;
};

// A raw SOCKS5 server that follows a script: the method it selects, the RFC 1929 status it
// answers, and the bytes it sends after the CONNECT request. It parses what the client sends
// by the RFC's lengths and keeps it for the test; after `reply` it echoes until EOF.
class ScriptedSocks5 {
  public:
    struct Script {
        std::string first;     // sent after the greeting: "05 00" as bytes; may be anything
        std::string auth;      // sent after an RFC 1929 request, when first selected method 2
        std::string reply;     // sent after the CONNECT request (the reply, maybe more)
        bool echo = false;     // then echo what arrives
        bool hang_up = false;  // or close at once (else: wait for the client to close)
    };
    struct Seen {
        std::string greeting;
        std::string auth;
        std::string request;  // the CONNECT request
    };

    explicit ScriptedSocks5(Script script)
        : script_(std::move(script)), conn_([this](Stream& s) { serve(s); }) {}
    [[nodiscard]] std::uint16_t port() const { return conn_.port(); }
    // Waits for the connection to end, then what the client sent.
    const Seen& seen() {
        conn_.join();
        return seen_;
    }

  private:
    void serve(Stream& s) {
        const auto end = Clock::now() + step_limit;
        const auto take = [&](std::size_t n, std::string& into) {
            const std::string got = read_exact(s, n, end);
            into += got;
            return got.size() == n ? got : std::string();
        };
        const std::string head = take(2, seen_.greeting);
        if (head.empty() || take(static_cast<unsigned char>(head[1]), seen_.greeting).empty())
            return;
        if (!write_all(s, script_.first, end)) return;
        if (script_.first.size() == 2 && script_.first[1] == 0x02) {
            const std::string ulen = take(2, seen_.auth);
            if (ulen.empty()) return;
            take(static_cast<unsigned char>(ulen[1]), seen_.auth);
            const std::string plen = take(1, seen_.auth);
            if (plen.empty()) return;
            take(static_cast<unsigned char>(plen[0]), seen_.auth);
            if (!write_all(s, script_.auth, end)) return;
        }
        const std::string fixed = take(4, seen_.request);
        if (fixed.empty()) return;
        std::size_t rest = 0;
        if (fixed[3] == 0x01) rest = 4 + 2;
        if (fixed[3] == 0x04) rest = 16 + 2;
        if (fixed[3] == 0x03) {
            const std::string len = take(1, seen_.request);
            if (len.empty()) return;
            rest = static_cast<unsigned char>(len[0]) + 2;
        }
        take(rest, seen_.request);
        if (!write_all(s, script_.reply, end) || script_.hang_up) return;
        while (script_.echo) {
            ReadOutcome in = read_until(s, 1, end);
            if (in.data.empty() || !write_all(s, in.data, end)) return;
        }
        // Linger until the client hangs up, so it reads the reply before our FIN.
        (void)read_until(s, 0, end);
    }

    Script script_;
    Seen seen_;
    OneConnection conn_;  // last: its thread uses the members above
};

// A real SOCKS5 server as a child: microsocks or danted, started on a free port.
class SocksChild {
  public:
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string log() const { return read_file(dir_.path() / "socks.log"); }
    [[nodiscard]] std::string url(const std::string& scheme,
                                  const std::string& userinfo = "") const {
        return scheme + "://" + userinfo + "127.0.0.1:" + std::to_string(port_);
    }

  protected:
    // A port taken between the probe and the child's bind makes it exit: try another.
    template <typename MakeArgv>
    void start(const char* what, MakeArgv make_argv) {
        for (int attempt = 0; attempt < 3 && !child_; ++attempt) {
            port_ = free_port();
            child_ =
                std::make_unique<Child>(make_argv(port_), (dir_.path() / "socks.log").string());
            if (!wait_listening(*child_, port_)) child_.reset();
        }
        REQUIRE_MESSAGE(child_ != nullptr, (std::string(what) + " did not start; log: " + log()));
    }
    TempDir dir_;
    std::unique_ptr<Child> child_;
    std::uint16_t port_ = 0;
};

// microsocks, with username/password required when given.
class Microsocks : public SocksChild {
  public:
    static constexpr const char* binary = "/usr/bin/microsocks";
    static bool available() { return ::access(binary, X_OK) == 0; }

    explicit Microsocks(const std::optional<std::pair<std::string, std::string>>& auth = {}) {
        start("microsocks", [&](std::uint16_t port) {
            std::vector<std::string> argv{binary, "-i", "127.0.0.1", "-p", std::to_string(port)};
            if (auth) argv.insert(argv.end(), {"-u", auth->first, "-P", auth->second});
            return argv;
        });
    }
};

// Dante's danted in the foreground (it detaches only with -D), one process, with a generated
// configuration: no authentication or "username" (checked against the system's accounts, so
// the tests can only see it refuse), and optionally a rule that blocks one target port.
class Dante : public SocksChild {
  public:
    static constexpr const char* binary = "/usr/sbin/danted";
    static bool available() { return ::access(binary, X_OK) == 0; }

    struct Options {
        bool username = false;
        std::optional<std::uint16_t> block_port;  // CONNECT to 127.0.0.1:this is refused
    };

    explicit Dante(const Options& options) {
        start("danted", [&](std::uint16_t port) {
            const auto conf = dir_.path() / "danted.conf";
            std::ofstream out(conf);
            out << "logoutput: stderr\n"
                << "internal: 127.0.0.1 port = " << port << "\n"
                << "external: 127.0.0.1\n"
                << "clientmethod: none\n"
                << "socksmethod: " << (options.username ? "username" : "none") << "\n"
                << "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n";
            if (options.block_port) {
                out << "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = "
                    << *options.block_port << " }\n";
            }
            out << "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n";
            return std::vector<std::string>{binary,
                                            "-f",
                                            conf.string(),
                                            "-N",
                                            "1",
                                            "-p",
                                            (dir_.path() / "danted.pid").string()};
        });
    }
};

}  // namespace wscope::net::testing
