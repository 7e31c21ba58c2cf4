// TLS with OpenSSL libssl over any Stream. OpenSSL reads and writes through a small BIO that
// calls the inner stream's read_some/write_some, so TLS runs the same over TCP, a proxy
// tunnel or a Unix socket, and "would block" travels up as BIO retry flags → SSL_ERROR_WANT_*
// → IoResult want_read/want_write. Certificate failures are recorded by a verify callback so
// the error can say which check failed and on which certificate.
#include "net/tls.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <utility>

#include "net/fd.hpp"
#include "net/fd_stream.hpp"
#include "net/tls_certs.hpp"

namespace wscope::net {

// What the BIO and the verify callback share with the TlsStream (SSL app data).
struct TlsStream::Io {
    Stream* inner = nullptr;
    bool eof = false;   // the inner stream reported eof
    std::string error;  // the inner stream's last error, if it broke
    // The first certificate check that failed, as seen by the verify callback.
    long verify_code = X509_V_OK;
    std::string verify_detail;  // "certificate is for other.example, not localhost"
    std::string expected_name;  // the host name or IP the client asked for
    std::string first_bytes;    // the first few bytes the peer sent (to recognise plain HTTP)
};

namespace {

using Status = IoResult::Status;
using Io = TlsStream::Io;
using Clock = std::chrono::steady_clock;
using namespace tls_detail;

struct CtxDeleter {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// ---- OpenSSL's error queue -----------------------------------------------------------------

struct SslReason {
    unsigned long code = 0;  // the first (root cause) error in the queue; 0 if none
    std::string text;        // "certificate verify failed"
};

// Takes the whole error queue (so later calls start clean) and keeps its first entry.
SslReason take_ssl_errors() {
    SslReason out;
    while (const unsigned long e = ERR_get_error()) {
        if (out.code != 0) continue;
        out.code = e;
        if (const char* reason = ERR_reason_error_string(e)) {
            out.text = reason;
        } else {
            char buf[256];
            ERR_error_string_n(e, buf, sizeof buf);
            out.text = buf;
        }
    }
    if (out.text.empty()) out.text = "unknown TLS error";
    return out;
}

std::string explain(const SslReason& reason, bool server) {
    // OpenSSL reports an alert from the peer as reason 1000 + the alert number, with text like
    // "tlsv13 alert certificate required": say who sent it.
    const int code = ERR_GET_REASON(reason.code);
    const std::size_t at = reason.text.find("alert ");
    if (ERR_GET_LIB(reason.code) != ERR_LIB_SSL || code < SSL_AD_REASON_OFFSET ||
        at == std::string::npos) {
        return reason.text;
    }
    return std::string(server ? "the client" : "the server") + " sent TLS alert \"" +
           reason.text.substr(at + 6) + "\"";
}

// Records the first failed check; the verdict itself stays OpenSSL's (with SSL_VERIFY_NONE
// the handshake goes on regardless).
int on_verify(int preverify_ok, X509_STORE_CTX* store) {
    if (preverify_ok == 1) return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* io = ssl != nullptr ? static_cast<Io*>(SSL_get_app_data(ssl)) : nullptr;
    if (io != nullptr && io->verify_code == X509_V_OK) {
        io->verify_code = X509_STORE_CTX_get_error(store);
        io->verify_detail = verify_detail(io->verify_code, X509_STORE_CTX_get_current_cert(store),
                                          io->expected_name);
    }
    return preverify_ok;
}

// ---- The BIO between OpenSSL and the inner Stream ------------------------------------------

int bio_read(BIO* bio, char* data, std::size_t len, std::size_t* done) {
    auto* io = static_cast<Io*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    *done = 0;
    const IoResult r = io->inner->read_some({reinterpret_cast<std::uint8_t*>(data), len});
    switch (r.status) {
        case Status::ok:
            *done = r.n;
            if (io->first_bytes.size() < 5)
                io->first_bytes.append(data, std::min(r.n, 5 - io->first_bytes.size()));
            return 1;
        case Status::want_read:
            BIO_set_retry_read(bio);
            return 0;
        case Status::want_write:
            BIO_set_retry_write(bio);
            return 0;
        case Status::eof:
            io->eof = true;
            return 0;
        case Status::error:
            io->error = r.message;
            return 0;
    }
    return 0;
}

int bio_write(BIO* bio, const char* data, std::size_t len, std::size_t* done) {
    auto* io = static_cast<Io*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    *done = 0;
    const IoResult r = io->inner->write_some({reinterpret_cast<const std::uint8_t*>(data), len});
    switch (r.status) {
        case Status::ok:
            *done = r.n;
            return 1;
        case Status::want_read:
            BIO_set_retry_read(bio);
            return 0;
        case Status::want_write:
            BIO_set_retry_write(bio);
            return 0;
        case Status::eof:
        case Status::error:
            io->error = r.message.empty() ? "connection closed" : r.message;
            return 0;
    }
    return 0;
}

long bio_ctrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
    switch (cmd) {
        case BIO_CTRL_FLUSH:
            return 1;  // nothing is buffered here: every write went to the inner stream
        case BIO_CTRL_EOF:
            // Read by OpenSSL to tell a peer that just went away from a failed read.
            return static_cast<Io*>(BIO_get_data(bio))->eof ? 1 : 0;
        default:
            return 0;
    }
}

int bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD* stream_bio_method() {
    // Made once and never freed: one small table for the life of the process.
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wscope stream");
        if (m == nullptr) return m;
        BIO_meth_set_read_ex(m, bio_read);
        BIO_meth_set_write_ex(m, bio_write);
        BIO_meth_set_ctrl(m, bio_ctrl);
        BIO_meth_set_create(m, bio_create);
        return m;
    }();
    return method;
}

// ---- Setting up contexts -------------------------------------------------------------------

// "TLSv1.3" → "TLS 1.3"
std::string version_text(const char* v) {
    std::string s = v != nullptr ? v : "?";
    if (s.rfind("TLSv", 0) == 0) s = "TLS " + s.substr(4);
    return s;
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A file the user named must be readable; say so plainly instead of OpenSSL's "system lib".
NetResult<void> check_readable(const std::string& path, const char* what) {
    if (::access(path.c_str(), R_OK) != 0) {
        return NetError{NetErrc::tls_handshake,
                        std::string("cannot read ") + what + " " + path + ": " + errno_text(errno)};
    }
    return {};
}

NetError load_error(const char* what, const std::string& path) {
    return NetError{NetErrc::tls_handshake, std::string("cannot load ") + what + " " + path + ": " +
                                                take_ssl_errors().text};
}

// "-----BEGIN ENCRYPTED PRIVATE KEY-----" (PKCS#8) or "Proc-Type: 4,ENCRYPTED" (legacy PEM).
bool is_encrypted_pem(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    for (int i = 0; i < 64 && std::getline(in, line); ++i) {
        if (line.find("ENCRYPTED") != std::string::npos) return true;
    }
    return false;
}

// An encrypted key would otherwise make OpenSSL prompt on the terminal.
int no_password(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
    return 0;
}

CtxPtr new_context(const SSL_METHOD* method) {
    CtxPtr ctx(SSL_CTX_new(method));
    if (!ctx) return ctx;
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // Many servers close without close_notify; WebSocket's own Close frame tells a clean end
    // from a cut one, so a bare EOF is just EOF here.
    SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Writes report what went out record by record, and the caller's buffer may move or grow
    // between a want_write and the retry (Session appends to a vector).
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_default_passwd_cb(ctx.get(), no_password);
    return ctx;
}

NetResult<void> load_key_pair(SSL_CTX* ctx, const std::string& cert, const std::string& key_file,
                              const char* cert_what, const char* key_what) {
    const std::string& key = key_file.empty() ? cert : key_file;
    if (auto r = check_readable(cert, cert_what); !r) return r.error();
    if (auto r = check_readable(key, key_what); !r) return r.error();
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
        return load_error(cert_what, cert);
    const auto mismatch = [&] {
        return NetError{NetErrc::tls_handshake, std::string(key_what) + " " + key +
                                                    " does not match " + cert_what + " " + cert};
    };
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        const SslReason reason = take_ssl_errors();
        if (ERR_GET_REASON(reason.code) == X509_R_KEY_VALUES_MISMATCH) return mismatch();
        if (is_encrypted_pem(key)) {
            return NetError{NetErrc::tls_handshake,
                            std::string("cannot load ") + key_what + " " + key +
                                ": it is encrypted, and wscope does not ask for passphrases "
                                "(decrypt it with: openssl pkey -in KEY -out PLAIN.key)"};
        }
        return NetError{NetErrc::tls_handshake,
                        std::string("cannot load ") + key_what + " " + key + ": " + reason.text};
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        return mismatch();
    }
    return {};
}

NetResult<void> load_trust(SSL_CTX* ctx, const TlsClientOptions& o) {
    if (o.cacert.empty() && o.capath.empty()) {
        // The system store; honours SSL_CERT_FILE and SSL_CERT_DIR.
        if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            return NetError{NetErrc::tls_handshake,
                            "cannot load the system CA certificates: " + take_ssl_errors().text};
        }
        return {};
    }
    // Like curl: --cacert/--capath replace the system store.
    if (!o.cacert.empty()) {
        if (auto r = check_readable(o.cacert, "CA certificate file"); !r) return r.error();
    }
    if (!o.capath.empty()) {
        if (auto r = check_readable(o.capath, "CA certificate directory"); !r) return r.error();
    }
    const char* file = o.cacert.empty() ? nullptr : o.cacert.c_str();
    const char* dir = o.capath.empty() ? nullptr : o.capath.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
        return load_error(file != nullptr ? "CA certificates from" : "CA directory",
                          file != nullptr ? o.cacert : o.capath);
    }
    return {};
}

// ALPN protocol list in wire format: each name prefixed by its length (RFC 7301 §3.1).
std::string alpn_wire(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        if (n.empty() || n.size() > 255) continue;
        out += static_cast<char>(n.size());
        out += n;
    }
    return out;
}

// Server: agree on http/1.1 when the client offers it; otherwise go on without ALPN.
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* /*arg*/) {
    static const unsigned char ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, ours, sizeof ours, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

// Attaches the BIO over inner and the shared Io to a fresh SSL (freed on failure).
NetResult<std::unique_ptr<TlsStream>> make_stream(SSL* ssl, std::unique_ptr<Stream> inner,
                                                  std::unique_ptr<Io> io, bool server) {
    BIO* bio = stream_bio_method() != nullptr ? BIO_new(stream_bio_method()) : nullptr;
    if (bio == nullptr) {
        SSL_free(ssl);
        return NetError{NetErrc::tls_handshake, "cannot set up TLS: " + take_ssl_errors().text};
    }
    io->inner = inner.get();
    BIO_set_data(bio, io.get());
    SSL_set_bio(ssl, bio, bio);  // one reference, owned by ssl from here on
    SSL_set_app_data(ssl, io.get());
    return std::make_unique<TlsStream>(ssl, std::move(inner), std::move(io), server);
}


}  // namespace

// ---- TlsStream -----------------------------------------------------------------------------

TlsStream::TlsStream(SSL* ssl, std::unique_ptr<Stream> inner, std::unique_ptr<Io> io, bool server)
    : ssl_(ssl), inner_(std::move(inner)), io_(std::move(io)), server_(server) {
    info_.local_is_server = server_;
}

TlsStream::~TlsStream() {
    SSL_free(ssl_);  // frees the BIO, which points at io_ and inner_: they go after it
}

int TlsStream::fd() const {
    return inner_->fd();
}

std::string TlsStream::peer_name() const {
    return inner_->peer_name();
}

bool TlsStream::has_buffered() const {
    return SSL_pending(ssl_) > 0 || inner_->has_buffered();
}

IoResult TlsStream::handshake_step() {
    if (handshake_done_) return {Status::ok, 0, {}};
    if (broken_) return {Status::error, 0, error_.message};
    ERR_clear_error();
    const int ret = SSL_do_handshake(ssl_);
    if (ret == 1) {
        handshake_done_ = true;
        collect_info();
        return {Status::ok, 0, {}};
    }
    const int err = SSL_get_error(ssl_, ret);
    if (err == SSL_ERROR_WANT_READ) return {Status::want_read, 0, {}};
    if (err == SSL_ERROR_WANT_WRITE) return {Status::want_write, 0, {}};
    broken_ = true;
    const std::string with = " with " + inner_->peer_name();
    const SslReason reason = take_ssl_errors();
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK && ERR_GET_REASON(reason.code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        const std::string detail = verify == io_->verify_code ? io_->verify_detail : "";
        const char* prefix =
            server_ ? "client certificate verify failed: " : "certificate verify failed: ";
        error_ = {NetErrc::tls_verify, verify_message(verify, detail, prefix)};
    } else if (err == SSL_ERROR_SSL) {
        std::string text = "TLS handshake" + with + " failed: " + explain(reason, server_);
        const bool wrong_version = ERR_GET_REASON(reason.code) == SSL_R_WRONG_VERSION_NUMBER;
        if (!server_ && io_->first_bytes.rfind("HTTP/", 0) == 0)
            text += " (the server answered in plain HTTP: is it ws://?)";
        else if (wrong_version && !server_)
            text += " (is the server speaking TLS on this port?)";
        if (wrong_version && server_)
            text += " (the client is not speaking TLS)";
        error_ = {NetErrc::tls_handshake, text};
    } else if (!io_->error.empty()) {
        error_ = {NetErrc::io, "TLS handshake" + with + " failed: " + io_->error};
    } else {
        // ZERO_RETURN or SYSCALL with EOF: the peer hung up mid-handshake.
        error_ = {NetErrc::tls_handshake,
                  "TLS handshake" + with + " failed: connection closed by peer"};
    }
    return {Status::error, 0, error_.message};
}

IoResult TlsStream::fail(int ret, const char* what) {
    IoResult r = classify(ret, what);
    // Later calls repeat why the session broke.
    if (broken_ && error_.message.empty()) error_ = {NetErrc::io, r.message};
    return r;
}

IoResult TlsStream::classify(int ret, const char* what) {
    const int err = SSL_get_error(ssl_, ret);
    switch (err) {
        case SSL_ERROR_WANT_READ:
            return {Status::want_read, 0, {}};
        case SSL_ERROR_WANT_WRITE:
            return {Status::want_write, 0, {}};
        case SSL_ERROR_ZERO_RETURN:
            // close_notify (or a bare EOF, see SSL_OP_IGNORE_UNEXPECTED_EOF).
            ERR_clear_error();
            return {Status::eof, 0, {}};
        case SSL_ERROR_SYSCALL:
            ERR_clear_error();
            if (io_->eof && io_->error.empty()) return {Status::eof, 0, {}};
            broken_ = true;
            if (!io_->error.empty()) return {Status::error, 0, io_->error};
            return {Status::error, 0, std::string("TLS ") + what + " failed: connection lost"};
        default:
            break;
    }
    broken_ = true;
    const SslReason reason = take_ssl_errors();
    return {Status::error, 0, std::string("TLS ") + what + " failed: " + explain(reason, server_), true};
}

IoResult TlsStream::read_some(proto::MutableByteView buf) {
    if (!handshake_done_) {
        IoResult hs = handshake_step();
        if (hs.status != Status::ok) return hs;
    }
    if (broken_) return {Status::error, 0, error_.message};
    if (buf.empty()) return {Status::ok, 0, {}};
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_, buf.data(), buf.size(), &n);
    if (ret == 1) return {Status::ok, n, {}};
    return fail(ret, "read");
}

IoResult TlsStream::write_some(proto::ByteView buf) {
    if (!handshake_done_) {
        IoResult hs = handshake_step();
        if (hs.status != Status::ok) return hs;
    }
    if (broken_) return {Status::error, 0, error_.message};
    if (shut_) return {Status::error, 0, "write after TLS close_notify"};
    if (buf.empty()) return {Status::ok, 0, {}};
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_write_ex(ssl_, buf.data(), buf.size(), &n);
    if (ret == 1) return {Status::ok, n, {}};
    IoResult r = fail(ret, "write");
    // A write cannot meet a clean end: the peer closed while we still had data to send.
    if (r.status == Status::eof) r = {Status::error, 0, "TLS session closed by peer"};
    return r;
}

void TlsStream::shutdown_write() {
    if (shut_) return;
    shut_ = true;
    if (handshake_done_ && !broken_) {
        ERR_clear_error();
        // Sends close_notify once, without waiting for the peer's (we keep reading).
        const int ret = SSL_shutdown(ssl_);
        ERR_clear_error();
        // Half of an alert record followed by FIN would look like a cut: keep the TCP side
        // open if the alert is still stuck in OpenSSL's buffer.
        if (ret < 0) return;
    }
    inner_->shutdown_write();
}

void TlsStream::collect_info() {
    info_.version = version_text(SSL_get_version(ssl_));
    info_.cipher = SSL_get_cipher_name(ssl_) != nullptr ? SSL_get_cipher_name(ssl_) : "";
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(ssl_, &alpn, &alpn_len);
    info_.alpn.assign(reinterpret_cast<const char*>(alpn), alpn == nullptr ? 0 : alpn_len);
    const char* sni = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    info_.server_name = sni != nullptr ? sni : "";
    X509* peer = SSL_get0_peer_certificate(ssl_);
    if (peer != nullptr) {
        info_.peer_subject = name_text(X509_get_subject_name(peer));
        info_.peer_issuer = name_text(X509_get_issuer_name(peer));
        const long verify = SSL_get_verify_result(ssl_);
        info_.verified = verify == X509_V_OK;
        if (!info_.verified) {
            const std::string detail = verify == io_->verify_code ? io_->verify_detail : "";
            info_.verify_error = verify_message(verify, detail, "");
        }
    }
}

// ---- Client --------------------------------------------------------------------------------

NetResult<std::unique_ptr<TlsStream>> tls_connect(std::unique_ptr<Stream> inner,
                                                  const TlsClientOptions& options,
                                                  std::chrono::milliseconds timeout) {
    std::optional<Clock::time_point> end;
    if (timeout.count() > 0) end = Clock::now() + timeout;
    std::string host = options.host;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (!host.empty() && host.back() == '.') host.pop_back();  // "example.com." is absolute
    if (host.empty() && !options.insecure) {
        return NetError{NetErrc::tls_handshake,
                        "no host name to check the server's certificate against"};
    }

    ERR_clear_error();
    CtxPtr ctx = new_context(TLS_client_method());
    if (!ctx)
        return NetError{NetErrc::tls_handshake, "cannot set up TLS: " + take_ssl_errors().text};
    if (auto r = load_trust(ctx.get(), options); !r) return r.error();
    if (!options.cert.empty()) {
        auto r =
            load_key_pair(ctx.get(), options.cert, options.key, "client certificate", "client key");
        if (!r) return r.error();
    }
    SSL_CTX_set_verify(ctx.get(), options.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, on_verify);

    SSL* ssl = SSL_new(ctx.get());  // holds its own reference to ctx
    if (ssl == nullptr)
        return NetError{NetErrc::tls_handshake, "cannot set up TLS: " + take_ssl_errors().text};
    auto io = std::make_unique<Io>();
    io->expected_name = host;
    const bool ip = is_ip_literal(host);
    bool named = true;
    if (!host.empty() && !ip) {
        // RFC 6066 §3: SNI carries DNS names only, never IP literals.
        named = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
                SSL_set1_host(ssl, host.c_str()) == 1;
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    } else if (ip) {
        named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    }
    const std::string alpn = alpn_wire(options.alpn);
    // SSL_set_alpn_protos returns 0 on success.
    if (!named || (!alpn.empty() &&
                   SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn.data()),
                                       static_cast<unsigned int>(alpn.size())) != 0)) {
        SSL_free(ssl);
        return NetError{NetErrc::tls_handshake,
                        "cannot set up TLS for \"" + host + "\": " + take_ssl_errors().text};
    }
    SSL_set_connect_state(ssl);
    auto made = make_stream(ssl, std::move(inner), std::move(io), false);
    if (!made) return made.error();
    std::unique_ptr<TlsStream> stream = std::move(made.value());

    for (;;) {
        const IoResult r = stream->handshake_step();
        if (r.status == Status::ok) return stream;
        if (r.status == Status::error) return stream->last_error();
        if (stream->has_buffered()) continue;
        pollfd p{stream->fd(), static_cast<short>(r.status == Status::want_read ? POLLIN : POLLOUT),
                 0};
        const int rc = ::poll(&p, 1, poll_ms(end));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return NetError{NetErrc::io, "poll failed: " + errno_text(errno)};
        if (rc == 0) {
            return NetError{NetErrc::timeout, "TLS handshake with " + stream->peer_name() +
                                                  " timed out after " + seconds_text(timeout)};
        }
    }
}

// ---- Server --------------------------------------------------------------------------------

TlsServerContext::~TlsServerContext() {
    SSL_CTX_free(ctx_);
}

NetResult<std::shared_ptr<TlsServerContext>> TlsServerContext::load(
    const TlsServerOptions& options) {
    ERR_clear_error();
    CtxPtr ctx = new_context(TLS_server_method());
    if (!ctx)
        return NetError{NetErrc::tls_handshake, "cannot set up TLS: " + take_ssl_errors().text};
    if (options.cert.empty())
        return NetError{NetErrc::tls_handshake, "a TLS server needs a certificate"};
    auto pair = load_key_pair(ctx.get(), options.cert, options.key, "TLS certificate", "TLS key");
    if (!pair) return pair.error();
    if (!options.client_ca.empty()) {
        if (auto r = check_readable(options.client_ca, "client CA file"); !r) return r.error();
        if (SSL_CTX_load_verify_locations(ctx.get(), options.client_ca.c_str(), nullptr) != 1)
            return load_error("client CA certificates from", options.client_ca);
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca.c_str());
        if (names != nullptr) SSL_CTX_set_client_CA_list(ctx.get(), names);  // takes ownership
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, on_verify);
    }
    static const unsigned char session_context[] = "wscope";
    SSL_CTX_set_session_id_context(ctx.get(), session_context, sizeof session_context - 1);
    // Our clients never resume: TLS 1.3 session tickets would be bytes sent for nothing.
    SSL_CTX_set_num_tickets(ctx.get(), 0);
    SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, nullptr);
    return std::make_shared<TlsServerContext>(ctx.release());
}

NetResult<std::unique_ptr<TlsStream>> tls_accept(std::unique_ptr<Stream> inner,
                                                 const TlsServerContext& context) {
    ERR_clear_error();
    SSL* ssl = SSL_new(context.native());
    if (ssl == nullptr)
        return NetError{NetErrc::tls_handshake, "cannot set up TLS: " + take_ssl_errors().text};
    SSL_set_accept_state(ssl);
    return make_stream(ssl, std::move(inner), std::make_unique<Io>(), true);
}

std::vector<std::string> describe_tls(const TlsInfo& info) {
    std::vector<std::string> lines;
    lines.push_back(info.version + ", " + info.cipher);
    if (!info.alpn.empty()) lines.push_back("ALPN: " + info.alpn);
    const char* whose = info.local_is_server ? "client certificate" : "server certificate";
    if (info.peer_subject.empty() && info.peer_issuer.empty()) {
        if (info.local_is_server) lines.push_back("no client certificate");
        return lines;
    }
    lines.push_back(std::string(whose) + ": subject " + info.peer_subject + ", issuer " +
                    info.peer_issuer);
    if (!info.verified && !info.verify_error.empty())
        lines.push_back(std::string(whose) + " NOT verified: " + info.verify_error);
    return lines;
}

}  // namespace wscope::net
