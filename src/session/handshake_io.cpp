// Client-side handshake I/O: one request out, one bounded response head in.
#include "session/handshake_io.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "net/fd.hpp"

namespace wscope::session {
namespace {

using S = net::IoResult::Status;

// Waits until the stream can make progress or the deadline passes.
bool wait_for(net::Stream& stream, short events, TimePoint deadline) {
    if ((events & POLLIN) && stream.has_buffered()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{stream.fd(), events, 0};
    return ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30))) > 0;
}

void trace_head(const std::function<void(const std::string&)>& trace, std::string_view head,
                std::string_view mark) {
    if (!trace) return;
    while (!head.empty()) {
        const auto nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) trace(std::string(mark) + std::string(line));
        if (nl == std::string_view::npos) break;
        head.remove_prefix(nl + 1);
    }
}

// How much of a refusal's body -v shows, and how long it waits for it: enough for the
// explanation servers put there ("403 Forbidden: bad token"), never a download.
constexpr std::size_t max_body_shown = 2048;
constexpr auto body_wait = std::chrono::milliseconds(1000);

// -v shows the body of a non-101 answer as curl -v does: what came with the head, then what
// follows until Content-Length bytes, the end of the stream, max_body_shown or body_wait.
void trace_body(net::Stream& stream, const proto::HttpHead& response, proto::ByteView first,
                TimePoint deadline, const std::function<void(const std::string&)>& trace) {
    std::size_t want = max_body_shown;
    if (auto length = response.get("Content-Length")) {
        std::size_t n = 0;
        const auto [ptr, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
        if (ec == std::errc{} && ptr == length->data() + length->size()) want = std::min(n, max_body_shown);
    }
    std::string body(first.begin(), first.begin() + std::min(first.size(), want));
    deadline = std::min(deadline, Clock::now() + body_wait);
    std::array<std::uint8_t, 2048> buf{};
    while (body.size() < want) {
        net::IoResult r = stream.read_some(buf);
        if (r.status == S::ok) {
            body.append(buf.begin(), buf.begin() + std::min(r.n, want - body.size()));
            continue;
        }
        if (r.status != S::want_read && r.status != S::want_write) break;
        if (!wait_for(stream, r.status == S::want_read ? POLLIN : POLLOUT, deadline)) break;
    }
    if (body.empty()) return;
    trace("<");
    trace_head(trace, body, "< ");
    if (body.size() == max_body_shown) trace("* (the body is cut at " + std::to_string(max_body_shown) + " bytes)");
}

Failure rejected(std::string message) { return {Outcome::handshake_rejected, "handshake: " + std::move(message)}; }

}  // namespace

proto::Result<void, Failure> write_all(net::Stream& stream, proto::ByteView data, TimePoint deadline) {
    while (!data.empty()) {
        net::IoResult r = stream.write_some(data);
        if (r.status == S::ok) {
            data = data.subspan(r.n);
            continue;
        }
        if (r.status == S::error)
            return Failure{r.tls_failure ? Outcome::tls_failed : Outcome::connect_failed,
                           "sending the handshake failed: " + r.message};
        const short ev = r.status == S::want_read ? POLLIN : POLLOUT;
        if (!wait_for(stream, ev, deadline))
            return Failure{Outcome::connect_failed, "timed out sending the handshake"};
    }
    return {};
}

proto::Result<ClientHandshake, Failure> client_handshake(
    net::Stream& stream, const proto::ClientRequest& request, Duration timeout,
    const std::function<void(const std::string&)>& trace, proto::HttpHead* response_out) {
    const TimePoint deadline = Clock::now() + timeout;
    const std::string head = proto::make_request(request);
    trace_head(trace, head, "> ");
    if (auto w = write_all(stream, proto::as_bytes(head), deadline); !w) return w.error();

    proto::HeadReader reader;
    std::array<std::uint8_t, 4096> buf{};
    for (;;) {
        net::IoResult r = stream.read_some(buf);
        if (r.status == S::want_read || r.status == S::want_write) {
            if (!wait_for(stream, r.status == S::want_read ? POLLIN : POLLOUT, deadline))
                // Part of connecting (--connect-timeout covers it): exit 2, as for a connect timeout.
                return Failure{Outcome::connect_failed,
                               "handshake: no response from the server within " +
                                   net::seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(timeout))};
            continue;
        }
        if (r.status == S::eof)
            return rejected(reader.head().empty() ? "the server closed the connection without a response"
                                                  : "the server closed the connection mid-response");
        if (r.status == S::error && r.tls_failure) return Failure{Outcome::tls_failed, r.message};
        if (r.status == S::error) return rejected("reading the response failed: " + r.message);
        proto::ByteView in(buf.data(), r.n);
        const auto status = reader.feed(in);
        if (status == proto::HeadReader::Status::need_more) continue;
        if (status == proto::HeadReader::Status::error) return rejected(reader.error().detail);
        trace_head(trace, reader.head(), "< ");
        auto parsed = proto::parse_response_head(reader.head());
        if (!parsed) return rejected(parsed.error().detail);
        if (response_out) *response_out = *parsed;
        if (trace && parsed->status != 101) trace_body(stream, *parsed, in, deadline, trace);
        auto agreed = proto::check_response(*parsed, request);
        if (!agreed) return rejected(agreed.error().detail.empty() ? agreed.error().describe()
                                                                   : agreed.error().detail);
        ClientHandshake out{std::move(*parsed), std::move(*agreed), proto::Bytes(in.begin(), in.end())};
        return out;
    }
}

}  // namespace wscope::session
