// TLS over loopback against our own TlsServerContext on a thread, with certificates made at
// test time: handshake and bytes both ways, what -v shows, each verification failure with its
// reason, -k, SNI, mutual TLS accepted and refused, unreadable files, a plain-TCP server, a
// silent server (timeout), and the server handshake never blocking.
#include "net/tls.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <stdlib.h>

#include <array>
#include <future>
#include <string>
#include <thread>

#include "net/net_peers.hpp"
#include "net/tcp.hpp"

namespace {

using namespace wscope::net;
using namespace wscope::net::testing;

TlsServerOptions server_with(const char* name) {
    TlsServerOptions o;
    o.cert = certs().pem(name);
    o.key = certs().key(name);
    return o;
}

TlsClientOptions trusting_ca(const std::string& host = "localhost") {
    TlsClientOptions o;
    o.host = host;
    o.cacert = certs().pem("ca");
    return o;
}

NetResult<std::unique_ptr<TlsStream>> dial(std::uint16_t port, const TlsClientOptions& options,
                                           std::chrono::milliseconds timeout = step_limit) {
    ConnectOptions c;
    c.timeout = step_limit;
    auto tcp = connect_tcp("127.0.0.1", port, c);
    REQUIRE(tcp.ok());
    return tls_connect(std::move(tcp.value()), options, timeout);
}

std::string error_of(const NetResult<std::unique_ptr<TlsStream>>& r) {
    return r.ok() ? std::string("<handshake succeeded>") : r.error().message;
}

// Sends data while reading the echo, so neither side's buffers stay full.
std::string pump(Stream& s, const std::string& data) {
    std::string got;
    std::size_t sent = 0;
    std::vector<std::uint8_t> buf(64 * 1024);
    const auto end = Clock::now() + 2 * step_limit;
    while (got.size() < data.size() && Clock::now() < end) {
        bool moved = false;
        if (sent < data.size()) {
            const IoResult w = s.write_some(wscope::proto::as_bytes(data).subspan(sent));
            REQUIRE_MESSAGE((w.status != Status::error), w.message);
            sent += w.n;
            moved = moved || w.n > 0;
        }
        const IoResult r = s.read_some(buf);
        REQUIRE_MESSAGE((r.status != Status::error && r.status != Status::eof), r.message);
        got.append(reinterpret_cast<const char*>(buf.data()), r.n);
        moved = moved || r.n > 0;
        if (!moved && !s.has_buffered()) {
            pollfd p{s.fd(), static_cast<short>(POLLIN | (sent < data.size() ? POLLOUT : 0)), 0};
            ::poll(&p, 1, 100);
        }
    }
    return got;
}

}  // namespace

TEST_CASE("tls: handshake, bytes both ways, close_notify both ways") {
    TlsEchoServer server(server_with("server"));
    auto client = dial(server.port(), trusting_ca());
    REQUIRE_MESSAGE(client.ok(), error_of(client));
    TlsStream& s = *client.value();

    const TlsInfo& info = s.tls_info();
    CHECK(info.version == "TLS 1.3");
    CHECK(info.cipher.starts_with("TLS_"));
    CHECK(info.alpn == "http/1.1");
    CHECK(info.server_name == "localhost");
    CHECK(info.peer_subject == "CN=localhost");
    CHECK(info.peer_issuer == "CN=wscope test CA");
    CHECK(info.verified);
    CHECK(info.verify_error.empty());
    CHECK(s.peer_name() == "127.0.0.1:" + std::to_string(server.port()));

    CHECK(echo_roundtrip(s, "hello over TLS") == "hello over TLS");
    s.shutdown_write();  // close_notify: the server reads eof, answers with its own and FIN
    const ReadOutcome rest = read_until(s, 0, Clock::now() + step_limit);
    CHECK(rest.last == Status::eof);
    CHECK(rest.data.empty());

    const auto& seen = server.done();
    CHECK(seen.handshake_ok);
    CHECK(seen.received == "hello over TLS");
    CHECK(seen.info.server_name == "localhost");  // SNI arrived
    CHECK(seen.info.alpn == "http/1.1");
    CHECK(seen.info.peer_subject.empty());  // no client certificate asked for
}

TEST_CASE("tls: a megabyte through partial writes and want_write") {
    TlsEchoServer server(server_with("server"));
    auto client = dial(server.port(), trusting_ca());
    REQUIRE_MESSAGE(client.ok(), error_of(client));
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
    CHECK(pump(*client.value(), big) == big);
}

TEST_CASE("tls: decrypted bytes left inside OpenSSL show as has_buffered") {
    TlsEchoServer server(server_with("server"));
    auto client = dial(server.port(), trusting_ca());
    REQUIRE_MESSAGE(client.ok(), error_of(client));
    TlsStream& s = *client.value();
    REQUIRE(write_all(s, "0123456789", Clock::now() + step_limit));
    CHECK_FALSE(s.has_buffered());
    // Read one byte: OpenSSL decrypts the whole record, and the other 9 bytes wait inside it,
    // where poll() cannot see them.
    std::array<std::uint8_t, 1> one{};
    IoResult r = s.read_some(one);
    const auto end = Clock::now() + step_limit;
    while (r.status == Status::want_read && wait_for(s, r.status, end)) r = s.read_some(one);
    REQUIRE(r.status == Status::ok);
    CHECK(r.n == 1);
    CHECK(s.has_buffered());
    std::string rest(1, static_cast<char>(one[0]));
    while (s.has_buffered()) {
        REQUIRE(s.read_some(one).status == Status::ok);
        rest += static_cast<char>(one[0]);
    }
    CHECK(rest == "0123456789");
}

TEST_CASE("tls: an IP literal is checked against the certificate's IP addresses, without SNI") {
    TlsEchoServer server(server_with("server"));
    auto client = dial(server.port(), trusting_ca("127.0.0.1"));
    REQUIRE_MESSAGE(client.ok(), error_of(client));
    CHECK(client.value()->tls_info().server_name.empty());
    CHECK(echo_roundtrip(*client.value(), "ip") == "ip");
    client.value()->shutdown_write();
    CHECK(server.done().info.server_name.empty());  // RFC 6066 §3: no IP literals in SNI

    TlsEchoServer again(server_with("server"));
    auto wrong = dial(again.port(), trusting_ca("10.0.0.1"));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == NetErrc::tls_verify);
    CHECK(wrong.error().message ==
          "certificate verify failed: IP address mismatch (certificate is for localhost, "
          "127.0.0.1, ::1, not 10.0.0.1)");
}

TEST_CASE("tls: verification failures name their reason") {
    SUBCASE("expired") {
        TlsEchoServer server(server_with("expired"));
        auto r = dial(server.port(), trusting_ca());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::tls_verify);
        CHECK(r.error().message ==
              "certificate verify failed: certificate has expired (CN=localhost, expired "
              "2020-01-02 00:00:00 UTC)");
    }
    SUBCASE("issuer not trusted (the system store does not know our CA)") {
        TlsEchoServer server(server_with("server"));
        TlsClientOptions o;
        o.host = "localhost";
        auto r = dial(server.port(), o);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::tls_verify);
        CHECK(r.error().message ==
              "certificate verify failed: unable to get local issuer certificate (CN=localhost, "
              "issued by CN=wscope test CA)");
    }
    SUBCASE("wrong host") {
        TlsEchoServer server(server_with("other"));
        auto r = dial(server.port(), trusting_ca());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::tls_verify);
        CHECK(r.error().message ==
              "certificate verify failed: hostname mismatch (certificate is for other.example, "
              "not localhost)");
    }
    SUBCASE("self-signed") {
        TlsEchoServer server(server_with("self"));
        auto r = dial(server.port(), trusting_ca());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::tls_verify);
        CHECK(r.error().message ==
              "certificate verify failed: self-signed certificate (CN=localhost)");
    }
}

TEST_CASE("tls: -k finishes the handshake and reports what failed") {
    TlsEchoServer server(server_with("self"));
    TlsClientOptions o;
    o.host = "localhost";
    o.insecure = true;
    auto r = dial(server.port(), o);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    const TlsInfo& info = r.value()->tls_info();
    CHECK_FALSE(info.verified);
    CHECK(info.verify_error == "self-signed certificate (CN=localhost)");
    CHECK(echo_roundtrip(*r.value(), "anyway") == "anyway");
    const auto lines = describe_tls(info);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].starts_with("TLS 1.3, TLS_"));
    CHECK(lines[1] == "ALPN: http/1.1");
    CHECK(lines[2] == "server certificate: subject CN=localhost, issuer CN=localhost");
    CHECK(lines[3] == "server certificate NOT verified: self-signed certificate (CN=localhost)");
}

TEST_CASE("tls: SSL_CERT_FILE extends the default store") {
    TlsEchoServer server(server_with("server"));
    const char* old = std::getenv("SSL_CERT_FILE");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("SSL_CERT_FILE", certs().pem("ca").c_str(), 1);
    TlsClientOptions o;
    o.host = "localhost";
    auto r = dial(server.port(), o);
    if (old != nullptr) {
        ::setenv("SSL_CERT_FILE", saved.c_str(), 1);
    } else {
        ::unsetenv("SSL_CERT_FILE");
    }
    CHECK_MESSAGE(r.ok(), error_of(r));
}

TEST_CASE("tls: --capath directory of hashed certificates") {
    TempDir dir;
    const std::string cmd = "cp '" + certs().pem("ca") + "' '" + dir.path().string() +
                            "/' && openssl rehash '" + dir.path().string() + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    TlsEchoServer server(server_with("server"));
    TlsClientOptions o;
    o.host = "localhost";
    o.capath = dir.path().string();
    auto r = dial(server.port(), o);
    CHECK_MESSAGE(r.ok(), error_of(r));
}

TEST_CASE("tls: mutual TLS") {
    TlsServerOptions so = server_with("server");
    so.client_ca = certs().pem("ca");

    SUBCASE("a client certificate from the CA is accepted") {
        TlsEchoServer server(so);
        TlsClientOptions o = trusting_ca();
        o.cert = certs().pem("client");
        o.key = certs().key("client");
        auto r = dial(server.port(), o);
        REQUIRE_MESSAGE(r.ok(), error_of(r));
        CHECK(echo_roundtrip(*r.value(), "mutual") == "mutual");
        r.value()->shutdown_write();
        const auto& seen = server.done();
        CHECK(seen.handshake_ok);
        CHECK(seen.info.peer_subject == "CN=wscope test client");
        CHECK(seen.info.verified);
        const auto lines = describe_tls(seen.info);
        CHECK(lines.back() ==
              "client certificate: subject CN=wscope test client, issuer CN=wscope test CA");
    }
    SUBCASE("no client certificate is refused") {
        TlsEchoServer server(so);
        auto r = dial(server.port(), trusting_ca());
        // TLS 1.3 finishes the client's side first; the server's alert arrives on the next read.
        std::string client_error = error_of(r);
        if (r.ok()) client_error = read_until(*r.value(), 0, Clock::now() + step_limit).message;
        CHECK_MESSAGE(client_error.ends_with("the server sent TLS alert \"certificate required\""),
                      client_error);
        const auto& seen = server.done();
        CHECK_FALSE(seen.handshake_ok);
        CHECK(seen.error.code == NetErrc::tls_handshake);
        CHECK_MESSAGE(
            seen.error.message.find("peer did not return a certificate") != std::string::npos,
            seen.error.message);
    }
    SUBCASE("a client certificate from another CA is refused") {
        TlsEchoServer server(so);
        TlsClientOptions o = trusting_ca();
        o.cert = certs().pem("self");
        o.key = certs().key("self");
        auto r = dial(server.port(), o);
        if (r.ok()) {
            const auto end = Clock::now() + step_limit;
            (void)write_all(*r.value(), "x", end);
            const ReadOutcome got = read_until(*r.value(), 0, end);
            CHECK(got.last == Status::error);
        }
        const auto& seen = server.done();
        CHECK_FALSE(seen.handshake_ok);
        CHECK(seen.error.code == NetErrc::tls_verify);
        CHECK(seen.error.message ==
              "client certificate verify failed: self-signed certificate (CN=localhost)");
    }
}

TEST_CASE("tls: files that cannot be used are named in the error") {
    TlsClientOptions o = trusting_ca();
    o.cacert = "/nonexistent/ca.pem";
    auto tcp_pair = listen_tcp("127.0.0.1", 0);
    REQUIRE(tcp_pair.ok());
    ConnectOptions c;
    c.timeout = step_limit;
    auto tcp = connect_tcp("127.0.0.1", tcp_pair.value()->port(), c);
    REQUIRE(tcp.ok());
    auto r = tls_connect(std::move(tcp.value()), o, step_limit);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == NetErrc::tls_handshake);
    CHECK(r.error().message ==
          "cannot read CA certificate file /nonexistent/ca.pem: no such file or directory");

    TlsServerOptions bad;
    bad.cert = certs().pem("server");
    bad.key = certs().key("other");
    auto mismatch = TlsServerContext::load(bad);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().message == "TLS key " + certs().key("other") +
                                          " does not match TLS certificate " +
                                          certs().pem("server"));

    bad.cert = certs().dir().string() + "/ext.cnf";  // not PEM
    bad.key = "";
    auto garbage = TlsServerContext::load(bad);
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.error().message == "cannot load TLS certificate " + bad.cert + ": no start line");

    TlsClientOptions client_bad = trusting_ca();
    client_bad.cert = certs().pem("client");
    client_bad.key = "/nonexistent/client.key";
    auto tcp2 = connect_tcp("127.0.0.1", tcp_pair.value()->port(), c);
    REQUIRE(tcp2.ok());
    auto r2 = tls_connect(std::move(tcp2.value()), client_bad, step_limit);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().message ==
          "cannot read client key /nonexistent/client.key: no such file or directory");
}

TEST_CASE("tls: a server that does not speak TLS, and one that says nothing") {
    auto listener = listen_tcp("127.0.0.1", 0);
    REQUIRE(listener.ok());
    ConnectOptions c;
    c.timeout = step_limit;

    // A plain HTTP answer says so; other bytes that are not TLS keep the general hint.
    std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    std::string hint = "the server answered in plain HTTP: is it ws://?";
    bool answering = false;
    SUBCASE("not HTTP either") {
        answer = "SSH-2.0-OpenSSH_9.2\r\n";
        hint = "is the server speaking TLS on this port?";
        answering = true;
    }
    SUBCASE("plain HTTP answer") { answering = true; }
    if (answering) {
        std::thread peer([&] {
            pollfd p{listener.value()->fd(), POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            auto conn = listener.value()->accept();
            if (!conn) return;
            (void)write_all(*conn, answer, Clock::now() + step_limit);
            (void)read_until(*conn, 0, Clock::now() + std::chrono::milliseconds(1000));
        });
        auto tcp = connect_tcp("127.0.0.1", listener.value()->port(), c);
        REQUIRE(tcp.ok());
        auto r = tls_connect(std::move(tcp.value()), trusting_ca(), step_limit);
        peer.join();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::tls_handshake);
        CHECK(r.error().message ==
              "TLS handshake with 127.0.0.1:" + std::to_string(listener.value()->port()) +
                  " failed: wrong version number (" + hint + ")");
    }
    SUBCASE("silence: the handshake times out") {
        auto tcp = connect_tcp("127.0.0.1", listener.value()->port(), c);  // in the backlog
        REQUIRE(tcp.ok());
        const auto start = Clock::now();
        auto r = tls_connect(std::move(tcp.value()), trusting_ca(), std::chrono::milliseconds(200));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == NetErrc::timeout);
        CHECK(r.error().message.ends_with("timed out after 0.2s"));
        CHECK(Clock::now() - start < std::chrono::seconds(3));
    }
    SUBCASE("the peer hangs up during the handshake") {
        std::thread peer([&] {
            pollfd p{listener.value()->fd(), POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            auto conn = listener.value()->accept();  // and close it at once
        });
        auto tcp = connect_tcp("127.0.0.1", listener.value()->port(), c);
        REQUIRE(tcp.ok());
        peer.join();
        auto r = tls_connect(std::move(tcp.value()), trusting_ca(), step_limit);
        REQUIRE_FALSE(r.ok());
        const bool known = r.error().message.ends_with("connection closed by peer") ||
                           r.error().message.ends_with("connection reset by peer");
        CHECK_MESSAGE(known, r.error().message);
    }
}

TEST_CASE("tls: the server handshake is driven by read_some/write_some and never blocks") {
    auto ctx = TlsServerContext::load(server_with("server"));
    REQUIRE(ctx.ok());
    auto listener = listen_tcp("127.0.0.1", 0);
    REQUIRE(listener.ok());
    ConnectOptions c;
    c.timeout = step_limit;
    auto client_tcp = connect_tcp("127.0.0.1", listener.value()->port(), c);
    REQUIRE(client_tcp.ok());
    pollfd p{listener.value()->fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    auto accepted = tls_accept(listener.value()->accept(), *ctx.value());
    REQUIRE(accepted.ok());
    TlsStream& server = *accepted.value();

    // No ClientHello yet: the server asks to be called again, at once.
    std::array<std::uint8_t, 64> buf{};
    const auto before = Clock::now();
    CHECK(server.read_some(buf).status == Status::want_read);
    CHECK(server.write_some(wscope::proto::as_bytes("early")).status == Status::want_read);
    CHECK(Clock::now() - before < std::chrono::milliseconds(500));
    CHECK_FALSE(server.handshake_done());

    auto client_done = std::async(std::launch::async, [&] {
        return tls_connect(std::move(client_tcp.value()), trusting_ca(), step_limit);
    });
    // Step the server until its handshake is done.
    const auto end = Clock::now() + step_limit;
    IoResult step = server.handshake_step();
    while (step.status != Status::ok && step.status != Status::error && Clock::now() < end) {
        REQUIRE(wait_for(server, step.status, end));
        step = server.handshake_step();
    }
    REQUIRE_MESSAGE(step.status == Status::ok, step.message);
    auto client = client_done.get();
    REQUIRE_MESSAGE(client.ok(), error_of(client));
    CHECK(server.handshake_done());
    CHECK(server.tls_info().server_name == "localhost");

    REQUIRE(write_all(server, "from server", end));
    CHECK(read_until(*client.value(), 11, end).data == "from server");
    REQUIRE(write_all(*client.value(), "from client", end));
    CHECK(read_until(server, 11, end).data == "from client");
}

TEST_CASE("tls: TLS 1.2 against another server (openssl s_server)") {
    const char* openssl = "/usr/bin/openssl";
    REQUIRE_MESSAGE(::access(openssl, X_OK) == 0,
                    "the openssl CLI is needed (apt-get install openssl)");
    TempDir dir;
    std::uint16_t port = 0;
    std::unique_ptr<Child> server;
    for (int attempt = 0; attempt < 3 && !server; ++attempt) {
        port = free_port();
        // -rev: answers each line reversed; -naccept 1: one connection, then exit.
        server = std::make_unique<Child>(
            std::vector<std::string>{openssl, "s_server", "-accept",
                                     "127.0.0.1:" + std::to_string(port), "-cert",
                                     certs().pem("server"), "-key", certs().key("server"),
                                     "-tls1_2", "-rev", "-quiet", "-naccept", "2"},
            (dir.path() / "s_server.log").string());
        if (!wait_listening(*server, port)) server.reset();  // the probe used up one accept
    }
    REQUIRE_MESSAGE(server != nullptr, read_file(dir.path() / "s_server.log"));
    auto r = dial(port, trusting_ca());
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    const TlsInfo& info = r.value()->tls_info();
    CHECK(info.version == "TLS 1.2");
    CHECK(info.verified);
    CHECK(info.alpn.empty());  // s_server agrees no ALPN unless told to
    CHECK(echo_roundtrip(*r.value(), "hello tls12\n") == "21slt olleh\n");
}

TEST_CASE("tls: an encrypted key is refused, never prompted for") {
    TempDir dir;
    const std::string key = (dir.path() / "enc.key").string();
    const std::string cmd = "openssl pkey -in '" + certs().key("server") +
                            "' -aes256 -passout pass:x -out '" + key + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    TlsServerOptions o;
    o.cert = certs().pem("server");
    o.key = key;
    auto ctx = TlsServerContext::load(o);
    REQUIRE_FALSE(ctx.ok());
    CHECK(ctx.error().message == "cannot load TLS key " + key +
                                     ": it is encrypted, and wscope does not ask for passphrases "
                                     "(decrypt it with: openssl pkey -in KEY -out PLAIN.key)");
}
