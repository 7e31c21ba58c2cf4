// A non-blocking byte stream over a file descriptor (TCP, Unix socket, or TLS on top of one).
// Knows nothing of WebSocket. Callers poll fd() for the events that the last call asked for.
#pragma once

#include <cstddef>
#include <string>

#include "proto/bytes.hpp"

namespace wscope::net {

struct IoResult {
    enum class Status : unsigned char {
        ok,          // n bytes moved (n > 0)
        want_read,   // nothing moved: wait until fd() is readable, then retry
        want_write,  // nothing moved: wait until fd() is writable, then retry
        eof,         // read only: the peer closed its side cleanly
        error,       // the stream is broken; message says why
    };
    Status status = Status::ok;
    std::size_t n = 0;
    std::string message;
    bool tls_failure = false;  // error: TLS itself failed (an alert, a bad record)
};

class Stream {
public:
    virtual ~Stream() = default;
    Stream() = default;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    virtual IoResult read_some(proto::MutableByteView buf) = 0;
    virtual IoResult write_some(proto::ByteView buf) = 0;
    // Bytes already decrypted and waiting inside the stream (TLS): poll() would not show them.
    [[nodiscard]] virtual bool has_buffered() const { return false; }
    // Half-close our sending side (TCP FIN; TLS close_notify is sent by the TLS layer).
    virtual void shutdown_write() = 0;
    [[nodiscard]] virtual int fd() const = 0;
    // "127.0.0.1:9000" / "[::1]:9000" / "/run/app.sock": the peer, for messages.
    [[nodiscard]] virtual std::string peer_name() const = 0;
};

}  // namespace wscope::net
