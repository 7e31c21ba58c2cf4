// Incremental server handshake.
#include "session/server_handshake.hpp"

#include <array>

namespace wscope::session {

ServerHandshake::State ServerHandshake::on_readable(net::Stream& stream) {
    std::array<std::uint8_t, 4096> buf{};
    while (state_ == State::reading) {
        net::IoResult r = stream.read_some(buf);
        using S = net::IoResult::Status;
        if (r.status == S::want_read || r.status == S::want_write) break;
        if (r.status == S::eof || r.status == S::error) {
            gone_reason_ = r.status == S::eof ? "closed before completing the handshake" : r.message;
            stream_failed_ = r.status == S::error;
            state_ = State::gone;
            break;
        }
        proto::ByteView in(buf.data(), r.n);
        const auto status = reader_.feed(in);
        if (status == proto::HeadReader::Status::need_more) continue;
        if (status == proto::HeadReader::Status::error) {
            error_ = reader_.error();
            response_ = proto::make_reject_response(error_);
            state_ = State::rejected;
            break;
        }
        leftover_.assign(in.begin(), in.end());
        decide();
    }
    return state_;
}

void ServerHandshake::decide() {
    auto head = proto::parse_request_head(reader_.head());
    if (!head) {
        error_ = head.error();
        response_ = proto::make_reject_response(error_);
        state_ = State::rejected;
        return;
    }
    request_ = std::move(*head);
    auto accepted = proto::check_request(request_, policy_);
    if (!accepted) {
        error_ = accepted.error();
        response_ = proto::make_reject_response(error_);
        state_ = State::rejected;
        return;
    }
    accepted_ = std::move(*accepted);
    // Extension offers (e.g. permessage-deflate from every browser) are declined by leaving
    // Sec-WebSocket-Extensions out of the answer (RFC 6455 §9.1), unless asked to deflate.
    std::string extensions;
    if (deflate_) {
        if (auto agreed = proto::deflate_negotiate(accepted_.offered_extensions)) {
            agreed_deflate_ = agreed->params;
            extensions = agreed->response;
            agreed_extensions_ = agreed->response;
        }
    }
    response_ = proto::make_accept_response(accepted_, extensions);
    state_ = State::accepted;
}

}  // namespace wscope::session
