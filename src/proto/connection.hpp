// A WebSocket connection after the opening handshake, without I/O (RFC 6455 §5-§7).
//
// Bytes in → events out: hand received bytes to receive() (they are unmasked in place), then
// drain next_event() until it returns nothing. The stream's end is an input too
// (receive_eof()). Messages and control frames in → bytes out: the send_*() calls append
// encoded frames to a caller-owned buffer that the caller writes to the socket.
//
// Rules only, no policy: this class never answers a Ping, never replies to a Close and never
// times out. It reports what happened; the session layer decides what to do about it. After a
// Violation the connection is failed and reports nothing more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/mask_source.hpp"
#include "proto/bytes.hpp"
#include "proto/close_code.hpp"
#include "proto/deflate.hpp"
#include "proto/event.hpp"
#include "proto/frame.hpp"
#include "proto/frame_rules.hpp"
#include "proto/role.hpp"
#include "proto/utf8.hpp"

namespace wscope::proto {

struct ConnectionOptions {
    Role role = Role::client;
    std::uint64_t max_message = default_max_message;  // 0 = no limit
    std::optional<DeflateParams> deflate;              // permessage-deflate, if agreed
    // Tiny data frames (payload ≤ tiny_frame_payload) allowed in one message; 0 = no limit.
    std::uint64_t max_tiny_frames = default_max_tiny_frames;
    bool keep_wire = false;  // report each received piece as on the wire too (hex dumps)
};

// The frame that the last send_*() call appended: every call appends exactly one.
struct SentFrame {
    FrameHeader header{};
    std::size_t offset = 0;       // where the frame starts in the caller's buffer
    std::size_t header_size = 0;  // its header bytes; the payload follows them
    ByteView payload;             // the payload before masking (after compression): valid
                                  // until the next send_*() call
};

// A compressed message is delivered in MessageData pieces of at most this many bytes, however
// much one read of the wire inflates to: memory for inflating is bounded by this, not by the
// message.
inline constexpr std::size_t inflate_piece_size = 64 * 1024;

// Scratch buffers keep up to this much capacity between messages, so that a stream of small
// messages reuses them; anything larger is released once its message is done.
inline constexpr std::size_t scratch_keep = 16 * 1024;

class Connection {
public:
    Connection(const ConnectionOptions& options, crypto::MaskSource& masks);

    // --- inbound ---
    // data must stay alive and untouched until next_event() has returned nothing.
    void receive(MutableByteView data);
    void receive_eof();
    [[nodiscard]] std::optional<Event> next_event();

    // --- outbound (append to out) ---
    // A whole message in one frame.
    void send_message(MessageType type, ByteView payload, Bytes& out);
    // One fragment of a message: first picks the opcode (type) or continuation; fin ends it.
    void send_fragment(MessageType type, ByteView payload, bool first, bool fin, Bytes& out);
    void send_ping(ByteView payload, Bytes& out);
    void send_pong(ByteView payload, Bytes& out);
    // code none sends an empty Close body. Marks the close as sent.
    void send_close(std::uint16_t code, std::string_view reason, Bytes& out);
    // Any frame at all, valid or not (for testing peers). The header is sent as given, its
    // payload_len included (it may lie about the payload that follows), masked with h.mask
    // when set; only a Close opcode changes state.
    void send_raw(const FrameHeader& h, ByteView payload, Bytes& out);

    [[nodiscard]] const SentFrame& last_sent() const noexcept { return sent_; }
    // Whether received pieces are also reported as on the wire (see ConnectionOptions).
    void keep_wire(bool keep) noexcept { options_.keep_wire = keep; }

    // --- state ---
    [[nodiscard]] Role role() const noexcept { return options_.role; }
    [[nodiscard]] bool close_sent() const noexcept { return close_sent_; }
    [[nodiscard]] bool close_received() const noexcept { return close_received_; }
    [[nodiscard]] bool failed() const noexcept { return failed_; }
    // The violation that failed the connection (valid when failed()).
    [[nodiscard]] const Error& error() const noexcept { return error_; }
    // The close handshake is complete: both Close frames have passed.
    [[nodiscard]] bool closed() const noexcept { return close_sent_ && close_received_; }
    // Heap bytes this connection holds beyond its own object: scratch buffers, the event
    // queue and zlib's state. Between messages this stays small whatever the messages were.
    [[nodiscard]] std::size_t retained_bytes() const noexcept;

private:
    enum class Phase : std::uint8_t { header, payload, ignore };

    void step();
    void on_header();
    void on_payload();
    void on_data(MutableByteView piece, bool frame_end);
    void inflate_next();
    void deliver(ByteView piece, bool last, std::uint64_t frame_left = 0);
    void trim_scratch();
    void finish_control();
    void fail(Error error);
    void emit(Event e) { pending_.push_back(std::move(e)); }
    void send_frame(Opcode op, bool fin, std::uint8_t rsv, ByteView payload, Bytes& out);
    void append_sent(const FrameHeader& h, ByteView payload, Bytes& out, bool crafted);

    ConnectionOptions options_;
    crypto::MaskSource& masks_;

    MutableByteView input_;
    Phase phase_ = Phase::header;
    HeaderParser parser_;
    FrameHeader frame_{};
    std::uint64_t frame_done_ = 0;  // payload bytes of the current frame processed

    // The open data message (if any).
    bool message_open_ = false;
    MessageType message_type_ = MessageType::text;
    std::uint64_t message_size_ = 0;
    std::uint64_t message_tiny_frames_ = 0;  // data frames of at most tiny_frame_payload bytes
    bool message_reported_ = false;  // a MessageData with first set was emitted
    bool message_compressed_ = false;  // RSV1 on its first frame (RFC 7692)
    Utf8Validator utf8_;

    // A control frame's payload, gathered across reads (≤ 125 bytes).
    Bytes control_;
    CloseInfo close_info_;
    Error error_;  // the violation, once failed

    bool close_sent_ = false;
    bool close_received_ = false;
    bool failed_ = false;
    bool eof_ = false;

    // permessage-deflate state.
    std::unique_ptr<Inflater> inflater_;
    std::unique_ptr<Deflater> deflater_;
    Bytes inflated_;    // the current piece of a compressed message, inflated
    Bytes compressed_;  // scratch for sending
    bool inflating_ = false;    // the Inflater holds more of the current wire piece
    bool inflate_last_ = false;  // that wire piece ends the message

    std::uint64_t frames_in_message_ = 0;  // data frames of the open message so far
    Bytes wire_;                            // keep_wire: the current piece before unmasking
    SentFrame sent_;
    Bytes close_body_;  // the Close we sent

    std::vector<Event> pending_;
    std::size_t next_pending_ = 0;
};

}  // namespace wscope::proto
