// TLS over any Stream (OpenSSL libssl): the client handshake with certificate and host name
// verification (tls_connect), a server context and an incrementally driven server handshake
// (tls_accept), and TlsStream, the non-blocking Stream that carries the encrypted bytes.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/error.hpp"
#include "net/stream.hpp"

namespace wscope::net {

struct TlsClientOptions {
    // The name the server must prove it is: sent as SNI and checked against the certificate
    // (RFC 6125). An IP literal ("127.0.0.1", "::1", no brackets) is checked against the
    // certificate's IP addresses and sends no SNI (RFC 6066 §3). connect() fills it from the
    // URL when empty.
    std::string host;
    bool insecure = false;  // -k: finish the handshake whatever the certificate says
    std::string cacert;     // --cacert: PEM bundle trusted instead of the system store
    std::string capath;     // --capath: hashed certificate directory (c_rehash)
    std::string cert;       // --cert: client certificate chain (PEM), for mutual TLS
    std::string key;        // --key: its private key (PEM); "" = the key is in `cert`
    std::vector<std::string> alpn{"http/1.1"};  // RFC 8441 is HTTP/2: WebSocket needs 1.1
};

struct TlsServerOptions {
    std::string cert;       // certificate chain (PEM), leaf first
    std::string key;        // private key (PEM); "" = the key is in `cert`
    std::string client_ca;  // "" = no client certificates; else they are required and
                            // must chain to a CA in this PEM bundle (mutual TLS)
};

// What was negotiated, for -v and for listen mode's logs.
struct TlsInfo {
    std::string version;           // "TLS 1.3"
    std::string cipher;            // "TLS_AES_256_GCM_SHA384"
    std::string alpn;              // "http/1.1", or "" when none was agreed
    std::string server_name;       // client: the SNI sent; server: the SNI received ("" = none)
    std::string peer_subject;      // "CN=localhost" ("" when the peer sent no certificate)
    std::string peer_issuer;       // "CN=wscope test CA"
    bool verified = false;         // the peer's certificate was checked and passed
    std::string verify_error;      // why it did not pass (with -k)
    bool local_is_server = false;  // which side we are: the peer's certificate is the other's
};

// A TLS session over an owned inner Stream. All I/O is non-blocking and goes through the
// inner stream's read_some/write_some, so poll fd() for what the last call asked for:
// SSL_read may want to write and SSL_write may want to read. After a want_write, retry the
// write with a buffer that starts with the same bytes (it may move and may grow).
class TlsStream final : public Stream {
  public:
    struct Io;  // the bridge between OpenSSL and the inner stream (tls.cpp)

    // Takes ownership of ssl (already set up for its role) and of inner.
    TlsStream(SSL* ssl, std::unique_ptr<Stream> inner, std::unique_ptr<Io> io, bool server);
    ~TlsStream() override;

    // A server stream completes its handshake inside its first read_some/write_some calls,
    // which return want_read/want_write until it is done, or error naming why it failed.
    IoResult read_some(proto::MutableByteView buf) override;
    IoResult write_some(proto::ByteView buf) override;
    // Decrypted bytes waiting in OpenSSL: poll() cannot see them.
    [[nodiscard]] bool has_buffered() const override;
    // Sends close_notify (best effort, never blocks), then half-closes the inner stream.
    void shutdown_write() override;
    [[nodiscard]] int fd() const override;
    [[nodiscard]] std::string peer_name() const override;

    [[nodiscard]] bool handshake_done() const noexcept { return handshake_done_; }
    // Filled once the handshake is done.
    [[nodiscard]] const TlsInfo& tls_info() const noexcept { return info_; }

    // One step of the handshake: ok (n = 0) when done, want_read/want_write, or error.
    IoResult handshake_step();
    // Why the handshake failed (tls_verify, tls_handshake or io), once handshake_step
    // returned error.
    [[nodiscard]] const NetError& last_error() const noexcept { return error_; }

  private:
    IoResult fail(int ret, const char* what);
    IoResult classify(int ret, const char* what);
    void collect_info();

    SSL* ssl_;
    std::unique_ptr<Stream> inner_;
    std::unique_ptr<Io> io_;
    bool server_;
    bool handshake_done_ = false;
    bool broken_ = false;  // after a fatal error OpenSSL must not be asked to send anything
    bool shut_ = false;
    TlsInfo info_;
    NetError error_;
};

// Runs the client handshake over an already connected stream (TCP, a proxy tunnel, a Unix
// socket), waiting at most `timeout` (0: no limit). Errors: tls_verify naming the reason
// ("certificate verify failed: certificate has expired (…)"), tls_handshake with OpenSSL's
// reason (also for unreadable --cacert/--cert/--key files), timeout, io.
[[nodiscard]] NetResult<std::unique_ptr<TlsStream>> tls_connect(std::unique_ptr<Stream> inner,
                                                                const TlsClientOptions& options,
                                                                std::chrono::milliseconds timeout);

// A certificate and key loaded once for a listening server; shared by its connections.
class TlsServerContext {
  public:
    // Errors (NetErrc::tls_handshake) name the file and OpenSSL's reason:
    // "cannot load TLS certificate server.pem: no start line".
    [[nodiscard]] static NetResult<std::shared_ptr<TlsServerContext>> load(
        const TlsServerOptions& options);

    explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
    ~TlsServerContext();
    TlsServerContext(const TlsServerContext&) = delete;
    TlsServerContext& operator=(const TlsServerContext&) = delete;

    [[nodiscard]] SSL_CTX* native() const noexcept { return ctx_; }

  private:
    SSL_CTX* ctx_;
};

// Wraps an accepted connection; the handshake runs inside the stream's first read_some/
// write_some calls, so a slow client never stalls the server's loop.
[[nodiscard]] NetResult<std::unique_ptr<TlsStream>> tls_accept(std::unique_ptr<Stream> inner,
                                                               const TlsServerContext& context);

// "TLS 1.3, TLS_AES_256_GCM_SHA384" and "subject CN=localhost, issuer CN=wscope test CA":
// the -v lines (without the "* " prefix), and a third line when verification was skipped.
[[nodiscard]] std::vector<std::string> describe_tls(const TlsInfo& info);

}  // namespace wscope::net
