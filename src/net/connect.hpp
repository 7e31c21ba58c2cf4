// The client's one way to reach a WebSocket server: TCP or a Unix socket, optionally through
// an HTTP CONNECT or SOCKS5 proxy, optionally with TLS on top, as a single Stream. Each step
// reports to a trace callback for -v.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/error.hpp"
#include "net/proxy.hpp"
#include "net/stream.hpp"
#include "net/tcp.hpp"
#include "net/tls.hpp"
#include "net/url.hpp"

namespace wscope::net {

// The bound on the proxy and TLS steps when ConnectOptions::timeout is 0 (curl's default
// connect timeout): a server that accepts TCP and then stays silent must not hang us forever.
inline constexpr std::chrono::seconds default_connect_timeout{300};

struct ConnectPlan {
    Url url;
    // family and the trace for the TCP steps; timeout (0: none) bounds the whole connect:
    // TCP, the proxy exchange (CONNECT or SOCKS5, with socks5://'s local name lookup) and the
    // TLS handshake.
    ConnectOptions tcp;
    std::optional<std::string> unix_socket;  // --unix-socket: used instead of TCP (no proxy)
    std::optional<ProxySpec> proxy;          // from choose_proxy(); ignored with unix_socket
    TlsClientOptions tls;                    // for wss://; tls.host defaults to url.host
};

struct Connected {
    std::unique_ptr<Stream> stream;  // ready for the WebSocket handshake
    std::optional<TlsInfo> tls;      // for wss://
    // How long the steps took: name resolution + TCP (+ proxy tunnel), then TLS (--stats).
    std::chrono::microseconds transport_time{0};
    std::chrono::microseconds tls_time{0};
};

using TraceFn = std::function<void(const std::string&)>;

// Trace lines have no "* " prefix: "connected to proxy 127.0.0.1:8888",
// "CONNECT example.com:443 → 200 Connection established", "resolved example.com locally:
// 192.0.2.7" and "SOCKS5 CONNECT 192.0.2.7:443 → succeeded (bound 10.0.0.2:40312)", "TLS 1.3,
// TLS_AES_256_GCM_SHA384", "server certificate: subject CN=localhost, issuer CN=wscope test CA".
// plan.tcp.trace, when empty, is set to trace. Errors keep the failing step's code (refused, proxy,
// tls_verify, …).
[[nodiscard]] NetResult<Connected> connect(const ConnectPlan& plan, const TraceFn& trace);

}  // namespace wscope::net
