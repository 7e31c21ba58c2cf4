// The server's side of the opening handshake, without blocking: read a client's request as it
// trickles in (a slow client must not stall the others), then decide 101 or a refusal.
#pragma once

#include <cstdint>
#include <string>

#include "net/stream.hpp"
#include "proto/deflate.hpp"
#include "proto/handshake.hpp"
#include "proto/http1.hpp"

namespace wscope::session {

class ServerHandshake {
public:
    enum class State : std::uint8_t {
        reading,   // need more bytes
        accepted,  // response() is a 101; leftover() holds early frames
        rejected,  // response() is a 4xx explaining why; error() says it
        gone,      // the client closed or broke the stream before finishing its request
    };

    // deflate: accept a permessage-deflate offer (RFC 7692) instead of declining it.
    ServerHandshake(proto::ServerPolicy policy, bool deflate)
        : policy_(std::move(policy)), deflate_(deflate) {}

    // Reads what the stream has now and advances.
    State on_readable(net::Stream& stream);

    [[nodiscard]] State state() const { return state_; }
    [[nodiscard]] std::string_view request_head() const { return reader_.head(); }
    [[nodiscard]] const proto::HttpHead& request() const { return request_; }
    [[nodiscard]] const proto::AcceptedRequest& accepted() const { return accepted_; }
    [[nodiscard]] const std::string& response() const { return response_; }
    // A response changed on purpose (listen mode's faults): sent instead of the one decided.
    void override_response(std::string response) { response_ = std::move(response); }
    [[nodiscard]] const proto::Bytes& leftover() const { return leftover_; }
    [[nodiscard]] const proto::Error& error() const { return error_; }
    // The agreed permessage-deflate parameters (accepted state only).
    [[nodiscard]] const std::optional<proto::DeflateParams>& deflate() const { return agreed_deflate_; }
    // The Sec-WebSocket-Extensions value of the 101, parameters included ("" when none).
    [[nodiscard]] const std::string& extensions() const { return agreed_extensions_; }
    [[nodiscard]] const std::string& gone_reason() const { return gone_reason_; }
    // Gone because the stream failed (e.g. a TLS alert), not because the client hung up.
    [[nodiscard]] bool stream_failed() const { return stream_failed_; }

private:
    void decide();

    proto::ServerPolicy policy_;
    bool deflate_;
    std::optional<proto::DeflateParams> agreed_deflate_;
    std::string agreed_extensions_;
    proto::HeadReader reader_;
    State state_ = State::reading;
    proto::HttpHead request_;
    proto::AcceptedRequest accepted_;
    std::string response_;
    proto::Bytes leftover_;
    proto::Error error_;
    std::string gone_reason_;
    bool stream_failed_ = false;
};

}  // namespace wscope::session
