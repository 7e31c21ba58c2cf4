// Unix domain sockets over a temp directory and the abstract namespace: connect/accept and
// bytes both ways, stale socket files cleared, live ones and plain files left alone, and the
// errors (no such file, refused, path too long) naming the path.
#include "net/unix_socket.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "net/net_peers.hpp"

namespace {

using namespace wscope::net;
using namespace wscope::net::testing;

constexpr std::chrono::milliseconds limit{2000};

std::unique_ptr<Stream> accept_one(Listener& l) {
    pollfd p{l.fd(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return nullptr;
    return l.accept();
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

void round_trip(const std::string& path) {
    auto listener = listen_unix(path);
    REQUIRE_MESSAGE(listener.ok(), (listener.ok() ? "" : listener.error().message));
    CHECK(listener.value()->local_name() == path);
    CHECK(listener.value()->port() == 0);

    auto client = connect_unix(path, limit);
    REQUIRE_MESSAGE(client.ok(), (client.ok() ? "" : client.error().message));
    CHECK(client.value()->peer_name() == path);
    auto server = accept_one(*listener.value());
    REQUIRE(server);

    const auto end = Clock::now() + step_limit;
    REQUIRE(write_all(*client.value(), "ping over unix", end));
    CHECK(read_until(*server, 14, end).data == "ping over unix");
    REQUIRE(write_all(*server, "pong", end));
    CHECK(read_until(*client.value(), 4, end).data == "pong");
    client.value()->shutdown_write();
    CHECK(read_until(*server, 0, end).last == Status::eof);
}

}  // namespace

TEST_CASE("unix: connect, accept, bytes both ways, half-close") {
    TempDir dir;
    const std::string path = (dir.path() / "ws.sock").string();
    round_trip(path);
    CHECK(is_socket(path));  // the file stays after the listener closes…
    remove_unix_socket(path);
    CHECK_FALSE(is_socket(path));  // …until removed
}

TEST_CASE("unix: abstract namespace names have no file") {
    const std::string name = "@wscope-test-" + std::to_string(::getpid());
    round_trip(name);
    CHECK_FALSE(is_socket(name));
    remove_unix_socket(name);  // nothing to do, and no harm
}

TEST_CASE("unix: a stale socket file is replaced, a live one is not stolen") {
    TempDir dir;
    const std::string path = (dir.path() / "ws.sock").string();
    {
        auto first = listen_unix(path);
        REQUIRE(first.ok());
        auto second = listen_unix(path);
        REQUIRE_FALSE(second.ok());
        CHECK(second.error().code == NetErrc::bind);
        CHECK(second.error().message ==
              "cannot listen on " + path + ": another server is listening on it");
    }
    REQUIRE(is_socket(path));  // left behind by the listener that is gone

    auto refused = connect_unix(path, limit);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == NetErrc::refused);
    CHECK(refused.error().message == "connection refused (" + path + ")");

    auto again = listen_unix(path);
    REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error().message));
    auto client = connect_unix(path, limit);
    CHECK(client.ok());
}

TEST_CASE("unix: errors name the path") {
    TempDir dir;
    const std::string file = (dir.path() / "not-a-socket").string();
    std::ofstream(file) << "data\n";
    auto on_file = listen_unix(file);
    REQUIRE_FALSE(on_file.ok());
    CHECK(on_file.error().code == NetErrc::bind);
    CHECK(on_file.error().message ==
          "cannot listen on " + file + ": file exists and is not a socket");
    std::ifstream still(file);
    CHECK(still.good());  // never deleted

    const std::string missing = (dir.path() / "missing.sock").string();
    auto none = connect_unix(missing, limit);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == NetErrc::refused);
    CHECK(none.error().message == "no such file or directory (" + missing + ")");

    const std::string no_dir = (dir.path() / "no" / "dir.sock").string();
    auto bad_dir = listen_unix(no_dir);
    REQUIRE_FALSE(bad_dir.ok());
    CHECK(bad_dir.error().message == "cannot listen on " + no_dir + ": no such file or directory");

    const std::string too_long = "/tmp/" + std::string(120, 'x');
    auto long_connect = connect_unix(too_long, limit);
    REQUIRE_FALSE(long_connect.ok());
    CHECK(long_connect.error().code == NetErrc::bad_url);
    CHECK(long_connect.error().message.starts_with("Unix socket path too long ("));
    CHECK(long_connect.error().message.ends_with(": 125 bytes, at most 107)"));
    CHECK_FALSE(listen_unix(too_long).ok());
    CHECK_FALSE(connect_unix("", limit).ok());
}
