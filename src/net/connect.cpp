// Composes the transports for the client: Unix socket or TCP (to the server or to a proxy),
// then the CONNECT tunnel or the SOCKS5 exchange, then TLS. One deadline covers all the steps.
// Bytes a proxy sent after its answer stay in front of the tunnel's stream, so nothing is lost.
#include "net/connect.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "net/socks5.hpp"
#include "net/unix_socket.hpp"

namespace wscope::net {

namespace {

using Clock = std::chrono::steady_clock;

// The stream through a proxy tunnel: the proxy connection, named after the target, with any
// bytes that arrived together with the proxy's answer served first.
class TunnelStream final : public Stream {
  public:
    TunnelStream(std::unique_ptr<Stream> inner, proto::Bytes leftover, std::string name)
        : inner_(std::move(inner)), leftover_(std::move(leftover)), name_(std::move(name)) {}

    IoResult read_some(proto::MutableByteView buf) override {
        if (pos_ < leftover_.size() && !buf.empty()) {
            const std::size_t n = std::min(buf.size(), leftover_.size() - pos_);
            std::memcpy(buf.data(), leftover_.data() + pos_, n);
            pos_ += n;
            return {IoResult::Status::ok, n, {}};
        }
        return inner_->read_some(buf);
    }
    IoResult write_some(proto::ByteView buf) override { return inner_->write_some(buf); }
    [[nodiscard]] bool has_buffered() const override {
        return pos_ < leftover_.size() || inner_->has_buffered();
    }
    void shutdown_write() override { inner_->shutdown_write(); }
    [[nodiscard]] int fd() const override { return inner_->fd(); }
    [[nodiscard]] std::string peer_name() const override { return name_; }

  private:
    std::unique_ptr<Stream> inner_;
    proto::Bytes leftover_;
    std::size_t pos_ = 0;
    std::string name_;
};

// What is left of the plan's time for the next step; at least 1 ms, so that a step never
// reads 0 as "no limit".
class Budget {
  public:
    explicit Budget(std::chrono::milliseconds timeout)
        : total_(timeout.count() > 0 ? timeout
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           default_connect_timeout)),
          end_(Clock::now() + total_) {}
    [[nodiscard]] std::chrono::milliseconds left() const {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(end_ - Clock::now());
        return std::max(ms, std::chrono::milliseconds(1));
    }

  private:
    std::chrono::milliseconds total_;
    Clock::time_point end_;
};

std::string host_port(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Where a SOCKS5 proxy is to connect: socks5h:// sends the name, socks5:// the first address
// it resolves to here (an address in the URL is sent as it is, either way).
NetResult<Socks5Destination> socks5_destination(const ConnectPlan& plan, const ProxySpec& proxy,
                                                const Budget& budget, const TraceFn& trace) {
    if (proxy.kind == ProxyKind::socks5h) return Socks5Destination{plan.url.host, plan.url.port};
    auto addresses = resolve_host(plan.url.host, plan.tcp.family, budget.left());
    if (!addresses) return addresses.error();
    const std::string& address = addresses->front();
    if (address != plan.url.host) trace("resolved " + plan.url.host + " locally: " + address);
    return Socks5Destination{address, plan.url.port};
}

NetResult<std::unique_ptr<Stream>> through_socks5(const ConnectPlan& plan, const ProxySpec& proxy,
                                                  std::unique_ptr<Stream> stream,
                                                  const Budget& budget, const TraceFn& trace) {
    auto dest = socks5_destination(plan, proxy, budget, trace);
    if (!dest) return dest.error();
    auto tunnel = socks5_connect(*stream, dest.value(), proxy.credentials, budget.left());
    if (!tunnel) return tunnel.error();
    if (tunnel->authenticated) trace("SOCKS5 user name and password accepted");
    trace("SOCKS5 CONNECT " + host_port(dest->host, dest->port) + " → succeeded (bound " +
          tunnel->bound + ")");
    const std::string name =
        host_port(plan.url.host, plan.url.port) + " via proxy " + stream->peer_name();
    return std::unique_ptr<Stream>(
        std::make_unique<TunnelStream>(std::move(stream), proto::Bytes(), name));
}

NetResult<std::unique_ptr<Stream>> through_proxy(const ConnectPlan& plan, const ProxySpec& proxy,
                                                 const ConnectOptions& tcp, const Budget& budget,
                                                 const TraceFn& trace) {
    trace("using proxy " + proxy.to_string());
    auto to_proxy = connect_tcp(proxy.host, proxy.port, tcp);
    if (!to_proxy) {
        NetError e = to_proxy.error();
        e.message = "cannot connect to proxy " + proxy.to_string() + ": " + e.message;
        return e;
    }
    std::unique_ptr<Stream> stream = std::move(to_proxy.value());
    const std::string proxy_addr = stream->peer_name();
    trace("connected to proxy " + proxy_addr);
    if (proxy.kind != ProxyKind::http)
        return through_socks5(plan, proxy, std::move(stream), budget, trace);
    const std::string target = host_port(plan.url.host, plan.url.port);
    auto tunnel =
        connect_tunnel(*stream, plan.url.host, plan.url.port, proxy.credentials, budget.left());
    if (!tunnel) return tunnel.error();
    const proto::HttpHead& answer = tunnel->response;
    trace("CONNECT " + target + " → " + std::to_string(answer.status) +
          (answer.reason.empty() ? "" : " " + answer.reason));
    if (!tunnel->leftover.empty()) {
        trace("proxy sent " + std::to_string(tunnel->leftover.size()) +
              " bytes after its answer; passing them on");
    }
    return std::unique_ptr<Stream>(std::make_unique<TunnelStream>(
        std::move(stream), std::move(tunnel->leftover), target + " via proxy " + proxy_addr));
}

}  // namespace

NetResult<Connected> connect(const ConnectPlan& plan, const TraceFn& trace_fn) {
    const auto trace = [&](const std::string& line) {
        if (trace_fn) trace_fn(line);
    };
    const Budget budget(plan.tcp.timeout);
    ConnectOptions tcp = plan.tcp;
    if (!tcp.trace) tcp.trace = trace_fn;

    using SteadyClock = std::chrono::steady_clock;
    const auto since = [](SteadyClock::time_point t) {
        return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t);
    };
    const auto started = SteadyClock::now();
    std::unique_ptr<Stream> stream;
    if (plan.unix_socket) {
        trace("connecting to Unix socket " + *plan.unix_socket);
        auto s = connect_unix(*plan.unix_socket, budget.left());
        if (!s) return s.error();
        stream = std::move(s.value());
        trace("connected to " + *plan.unix_socket);
    } else if (plan.proxy) {
        auto s = through_proxy(plan, *plan.proxy, tcp, budget, trace);
        if (!s) return s.error();
        stream = std::move(s.value());
    } else {
        auto s = connect_tcp(plan.url.host, plan.url.port, tcp);
        if (!s) return s.error();
        stream = std::move(s.value());
    }

    Connected out;
    out.transport_time = since(started);
    if (!plan.url.tls) {
        out.stream = std::move(stream);
        return out;
    }
    TlsClientOptions tls = plan.tls;
    if (tls.host.empty()) tls.host = plan.url.host;
    const auto tls_started = SteadyClock::now();
    auto secured = tls_connect(std::move(stream), tls, budget.left());
    if (!secured) return secured.error();
    out.tls_time = since(tls_started);
    out.tls = secured.value()->tls_info();
    for (const std::string& line : describe_tls(*out.tls)) trace(line);
    out.stream = std::move(secured.value());
    return out;
}

}  // namespace wscope::net
