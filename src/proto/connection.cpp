// The Connection state machine: frames in, events out; messages in, frames out.
#include "proto/connection.hpp"

#include <algorithm>
#include <string>

#include "proto/mask.hpp"
#include "proto/result.hpp"

namespace wscope::proto {

Connection::Connection(const ConnectionOptions& options, crypto::MaskSource& masks)
    : options_(options), masks_(masks) {
    pending_.reserve(8);
    control_.reserve(max_control_payload);
    if (options_.deflate) {
        inflater_ = std::make_unique<Inflater>(options_.deflate->peer_no_context_takeover);
        deflater_ = std::make_unique<Deflater>(options_.deflate->our_max_window_bits,
                                               options_.deflate->our_no_context_takeover);
    }
}

void Connection::receive(MutableByteView data) {
    if (failed_ || eof_) return;
    input_ = data;
}

void Connection::receive_eof() {
    if (failed_ || eof_) return;
    eof_ = true;
    input_ = {};
    // §7.1.5: a stream that ends before the peer's Close is an abnormal closure (1006).
    emit(StreamEnded{close_received_});
}

std::optional<Event> Connection::next_event() {
    if (next_pending_ == pending_.size()) {
        // The events handed out so far are done with, and so are the views they held.
        pending_.clear();
        next_pending_ = 0;
        trim_scratch();
        while (pending_.empty() && (!input_.empty() || inflating_) && !failed_) step();
        if (pending_.empty()) return std::nullopt;
    }
    return std::move(pending_[next_pending_++]);
}

void Connection::step() {
    // The rest of what the last wire piece inflates to comes before anything after it.
    if (inflating_) {
        inflate_next();
        return;
    }
    switch (phase_) {
        case Phase::header: {
            ByteView in(input_.data(), input_.size());
            const auto status = parser_.parse(in);
            input_ = input_.subspan(input_.size() - in.size());
            if (status == HeaderParser::Status::need_more) return;
            frame_ = parser_.header();
            {
                FrameStart start{frame_, parser_.raw()};
                if (frame_.opcode == Opcode::continuation) {
                    start.continuation_index = frames_in_message_;
                    start.message_type = message_type_;
                } else if (frame_.opcode == Opcode::text) {
                    start.message_type = MessageType::text;
                }
                emit(start);
            }
            if (status == HeaderParser::Status::error) {
                fail(Error{parser_.error(), {}});
                return;
            }
            on_header();
            return;
        }
        case Phase::payload:
            on_payload();
            return;
        case Phase::ignore:
            // After the peer's Close nothing more is processed (§5.5.1: the Close is the last
            // frame an endpoint sends).
            input_ = {};
            return;
    }
}

void Connection::on_header() {
    const bool deflate = options_.deflate.has_value();
    const FrameContext ctx{options_.role,
                           static_cast<std::uint8_t>(deflate ? rsv1 : 0),
                           deflate,
                           message_open_,
                           message_size_,
                           options_.max_message,
                           message_tiny_frames_,
                           options_.max_tiny_frames};
    if (auto error = check_header(frame_, ctx)) {
        fail(std::move(*error));
        return;
    }
    frame_done_ = 0;
    if (is_control(frame_.opcode)) {
        control_.clear();
    } else {
        if (frame_.opcode != Opcode::continuation) {
            message_open_ = true;
            message_reported_ = false;
            message_type_ =
                frame_.opcode == Opcode::text ? MessageType::text : MessageType::binary;
            message_size_ = 0;
            message_tiny_frames_ = 0;
            message_compressed_ = (frame_.rsv & rsv1) != 0;
            utf8_.reset();
            frames_in_message_ = 0;
        }
        ++frames_in_message_;
        message_size_ += frame_.payload_len;
        if (frame_.payload_len <= tiny_frame_payload) ++message_tiny_frames_;
    }
    phase_ = Phase::payload;
    // An empty frame has no payload bytes to wait for: finish it now.
    if (frame_.payload_len == 0) on_payload();
}

void Connection::on_payload() {
    const std::uint64_t remaining = frame_.payload_len - frame_done_;
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, input_.size()));
    if (take == 0 && remaining != 0) return;
    MutableByteView piece = input_.first(take);
    input_ = input_.subspan(take);
    ByteView wire;
    if (options_.keep_wire) {
        wire_.assign(piece.begin(), piece.end());
        wire = wire_;
    }
    if (frame_.mask) apply_mask(piece, *frame_.mask, static_cast<std::size_t>(frame_done_ & 3));
    const std::uint64_t offset = frame_done_;
    frame_done_ += take;
    const bool frame_end = frame_done_ == frame_.payload_len;
    emit(FramePayload{piece, offset, frame_end, wire});

    if (is_control(frame_.opcode)) {
        control_.insert(control_.end(), piece.begin(), piece.end());
        if (frame_end) finish_control();
    } else {
        on_data(piece, frame_end);
    }
    if (frame_end && phase_ == Phase::payload) {
        phase_ = Phase::header;
        parser_.reset();
    }
}

void Connection::on_data(MutableByteView wire, bool frame_end) {
    const bool last = frame_end && frame_.fin;
    if (!message_compressed_) {
        deliver(wire, last, frame_.payload_len - frame_done_);
        return;
    }
    if (wire.empty() && !last) return;
    // RFC 7692 §7.2.2: inflate the piece, at most inflate_piece_size bytes per step.
    inflater_->feed(wire, last);
    inflating_ = true;
    inflate_last_ = last;
    inflate_next();
}

void Connection::inflate_next() {
    auto more = inflater_->inflate_some(inflate_piece_size, options_.max_message, inflated_);
    if (!more) {
        fail(more.error());
        return;
    }
    inflating_ = *more;
    deliver(inflated_, !inflating_ && inflate_last_);
}

void Connection::deliver(ByteView piece, bool last, std::uint64_t frame_left) {
    if (message_type_ == MessageType::text) {
        // §8.1: fail as soon as the bytes cannot be UTF-8, not only at the message's end.
        if (!utf8_.feed(piece)) {
            fail(Error{Errc::invalid_utf8, "text message is not valid UTF-8"});
            return;
        }
        if (last && !utf8_.finish()) {
            fail(Error{Errc::invalid_utf8, "text message ends inside a UTF-8 sequence"});
            return;
        }
    }
    if (!piece.empty() || last) {
        emit(MessageData{message_type_, piece, !message_reported_, last, frame_left});
        message_reported_ = true;
    }
    if (last) message_open_ = false;
}

// Gives back what a large message made the scratch buffers grow to. Called only when no
// event still points into them.
void Connection::trim_scratch() {
    if (inflating_) return;
    if (inflated_.capacity() > scratch_keep) Bytes().swap(inflated_);
}

std::size_t Connection::retained_bytes() const noexcept {
    std::size_t n = inflated_.capacity() + compressed_.capacity() + control_.capacity() +
                    pending_.capacity() * sizeof(Event) + error_.detail.capacity() +
                    close_info_.reason.capacity();
    if (inflater_) n += inflater_->state_bytes();
    if (deflater_) n += deflater_->state_bytes();
    return n;
}

void Connection::finish_control() {
    switch (frame_.opcode) {
        case Opcode::ping:
            emit(PingReceived{control_});
            return;
        case Opcode::pong:
            emit(PongReceived{control_});
            return;
        case Opcode::close: {
            auto info = parse_close_payload(control_);
            if (!info) {
                fail(info.error());
                return;
            }
            close_received_ = true;
            close_info_ = std::move(*info);
            emit(CloseReceived{close_info_.code, close_info_.reason});
            phase_ = Phase::ignore;
            return;
        }
        default:
            return;  // reserved control opcodes were rejected at the header
    }
}

void Connection::fail(Error error) {
    failed_ = true;
    inflating_ = false;
    input_ = {};
    error_ = std::move(error);
    emit(Violation{error_.code, error_.detail});
}

void Connection::send_frame(Opcode op, bool fin, std::uint8_t rsv, ByteView payload, Bytes& out) {
    FrameHeader h;
    h.fin = fin;
    h.rsv = rsv;
    h.opcode = op;
    // §5.3: a client masks every frame with a fresh key; a server never masks.
    if (options_.role == Role::client) h.mask = masks_.next();
    append_sent(h, payload, out, false);
}

void Connection::append_sent(const FrameHeader& h, ByteView payload, Bytes& out, bool crafted) {
    sent_.header = h;
    if (!crafted) sent_.header.payload_len = payload.size();
    sent_.offset = out.size();
    sent_.payload = payload;
    append_crafted_frame(out, sent_.header, payload);
    // A crafted header may claim more payload than it carries: the header is the rest.
    sent_.header_size = out.size() - sent_.offset - payload.size();
}

void Connection::send_message(MessageType type, ByteView payload, Bytes& out) {
    send_fragment(type, payload, true, true, out);
}

void Connection::send_fragment(MessageType type, ByteView payload, bool first, bool fin,
                               Bytes& out) {
    const Opcode op = !first ? Opcode::continuation
                      : type == MessageType::text ? Opcode::text
                                                  : Opcode::binary;
    if (!deflater_) {
        send_frame(op, fin, 0, payload, out);
        return;
    }
    // RFC 7692 §6: compress the message; RSV1 goes on its first frame only.
    compressed_.clear();
    deflater_->compress(payload, fin, compressed_);
    send_frame(op, fin, first ? rsv1 : 0, compressed_, out);
    // Sent: keep the capacity only if it is small.
    if (compressed_.capacity() > scratch_keep) Bytes().swap(compressed_);
}

void Connection::send_ping(ByteView payload, Bytes& out) {
    send_frame(Opcode::ping, true, 0, payload.first(std::min(payload.size(), max_control_payload)),
               out);
}

void Connection::send_pong(ByteView payload, Bytes& out) {
    send_frame(Opcode::pong, true, 0, payload.first(std::min(payload.size(), max_control_payload)),
               out);
}

void Connection::send_close(std::uint16_t code, std::string_view reason, Bytes& out) {
    close_body_ = format_close_payload(code, reason);  // kept: last_sent() points into it
    send_frame(Opcode::close, true, 0, close_body_, out);
    close_sent_ = true;
}

void Connection::send_raw(const FrameHeader& h, ByteView payload, Bytes& out) {
    append_sent(h, payload, out, true);
    if (h.opcode == Opcode::close) close_sent_ = true;
}

}  // namespace wscope::proto
