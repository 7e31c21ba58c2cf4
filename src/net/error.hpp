// Transport failures: what went wrong below the WebSocket protocol.
#pragma once

#include <cstdint>
#include <string>

#include "proto/result.hpp"

namespace wscope::net {

enum class NetErrc : std::uint8_t {
    bad_url,        // the URL cannot be used (usage error)
    dns,            // name resolution failed
    refused,        // connection refused
    unreachable,    // network/host unreachable
    timeout,        // --connect-timeout expired
    io,             // read/write failed on an open connection (reset, …)
    tls_handshake,  // TLS negotiation failed
    tls_verify,     // certificate verification failed
    proxy,          // the proxy refused or broke the tunnel
    bind,           // listen: cannot bind/listen
};

struct NetError {
    NetErrc code{};
    std::string message;  // one line, names the cause: "connection refused (127.0.0.1:9)"
};

template <typename T>
using NetResult = proto::Result<T, NetError>;

}  // namespace wscope::net
