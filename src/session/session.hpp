// A WebSocket session: drives a proto::Connection over a non-blocking net::Stream and holds
// all the policy the core leaves out — answering pings, replying to Close, closing with the
// right code on a violation, ping/close timers, and bounded buffering.
//
// The session never blocks and owns no loop: its driver (app/session_driver.hpp) watches
// fd() for interest(), calls on_ready() with what was ready, tick() when next_deadline()
// passes, and the front end feeds its input through send_*(). finished() says when the
// session is over; failure() says how. Everything that happens is reported to one Observer
// (a fan-out, session/observer.hpp).
//
// Closing, and its two timers:
//  - a normal close (ours or the peer's): after both Close frames, the server closes TCP; a
//    client waits for that. close_timeout of *silence* is allowed, counted from when our
//    Close is fully written (a slow link that is still taking our last frame is not silent);
//    every byte from the peer restarts it.
//  - a failed connection (the peer broke a rule, RFC 6455 §7.1.7): we send Close with the
//    rule's code and stop processing what arrives. The connection ends at a fixed time after
//    the failure, whatever the peer keeps sending: close_timeout (a client), or
//    failure_linger (a server, which also shuts its sending side at once).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "crypto/mask_source.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/close_code.hpp"
#include "proto/connection.hpp"
#include "session/clock.hpp"
#include "session/defaults.hpp"
#include "session/observer.hpp"
#include "session/outcome.hpp"
#include "session/read_buffer.hpp"

namespace wscope::session {

struct SessionOptions {
    proto::Role role = proto::Role::client;
    std::uint64_t max_message = proto::default_max_message;
    // Data frames of at most a few bytes allowed in one message (0: no limit).
    std::uint64_t max_tiny_frames = proto::default_max_tiny_frames;
    bool auto_pong = true;
    // false: a Close from the peer is never answered (listen --fault no-close-reply).
    bool reply_to_close = true;
    // Our messages go out as frames of at most this many payload bytes (0: one frame each),
    // with a ping between the fragments when fragment_pings is set (listen --fault fragment).
    std::size_t fragment_size = 0;
    bool fragment_pings = false;
    Duration ping_interval{0};  // 0: no pings
    Duration ping_timeout{0};   // to wait for a pong; 0: default_ping_timeout
    Duration close_timeout = default_close_timeout;  // silence allowed while closing
    // A server that failed a connection waits at most this long for the client's Close.
    Duration failure_linger = default_failure_linger;
    // Stop reading the socket while this many reply bytes (echoes, pongs) wait unsent: memory
    // stays bounded whatever the peer sends.
    std::size_t read_pause_threshold = 4u << 20;
    // The front end should stop feeding input above this much unsent output.
    std::size_t input_pause_threshold = 256u << 10;
    bool echo = false;  // reflect every received data message
    // --echo: a received frame goes back as frames of at most this many payload bytes,
    // gathered whatever the reads were (SPEC §2.1: at least 1 MiB).
    std::size_t echo_fragment = 1u << 20;
    std::optional<proto::DeflateParams> deflate;  // permessage-deflate, if agreed
};

struct SessionStats {
    std::uint64_t messages_in = 0, messages_out = 0;
    std::uint64_t frames_in = 0, frames_out = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;  // wire bytes after the handshake
    // Round trips of our pings, in microseconds.
    std::uint64_t rtt_count = 0, rtt_min = 0, rtt_max = 0, rtt_total = 0;
    // The closing handshake: codes each way (0: none / no status) and who began it.
    std::optional<std::uint16_t> close_sent, close_received;
    bool peer_closed_first = false;
    TimePoint started{};
};

class Session {
public:
    // reads: where reads land; several sessions of one loop may share one (nullptr: the
    // session gets its own).
    Session(net::Stream& stream, const SessionOptions& options, crypto::MaskSource& masks,
            Observer& observer, const TimeSource& time, ReadBuffer* reads = nullptr);

    // Bytes that arrived right after the handshake's head: they are already frames.
    void start(proto::ByteView leftover);

    [[nodiscard]] int fd() const { return stream_.fd(); }
    // What to wait for (net::readable | net::writable, poll values); 0 once finished.
    [[nodiscard]] std::uint32_t events() const;
    // Reads, processes and writes as far as the stream allows without blocking.
    void on_ready(std::uint32_t ready);
    // Whether the stream holds already-decrypted bytes that poll() cannot see.
    [[nodiscard]] bool has_buffered() const { return stream_.has_buffered(); }

    // Writes what is queued, as far as the stream takes it now (after a batch of send_*()).
    void pump() { flush(); }

    [[nodiscard]] std::optional<TimePoint> next_deadline() const;
    void tick();

    // --- sending (ignored once a Close has been sent) ---
    void send_message(proto::MessageType type, proto::ByteView payload);
    void send_fragment(proto::MessageType type, proto::ByteView payload, bool first, bool fin);
    void send_ping(proto::ByteView payload);
    void send_pong(proto::ByteView payload);
    void send_raw(const proto::FrameHeader& header, proto::ByteView payload);
    // Starts the closing handshake (§7.1.2). The session finishes when the peer answers or
    // after close_timeout of silence.
    void close(proto::CloseCode code, std::string_view reason);
    // Listen faults applied to a running session (the console's /fault).
    void set_auto_pong(bool on) { options_.auto_pong = on; }
    void set_reply_to_close(bool on) { options_.reply_to_close = on; }
    void set_fragmenting(std::size_t size, bool pings) {
        options_.fragment_size = size;
        options_.fragment_pings = pings;
    }
    // Bytes as they are, outside any frame rule (a crafted violation); ignored once closing.
    void send_wire(proto::ByteView bytes);
    // Ends the session now, without a closing handshake (a second Ctrl-C).
    void abort(Outcome outcome, std::string message);

    // True while unsent output is small enough to accept more input. next: about what the next
    // input adds (a stdin read); while output is pending, it must also fit the room the buffer
    // has, so that a stream of large messages does not grow the buffer to hold two of them.
    [[nodiscard]] bool accepting_input(std::size_t next = 0) const {
        const std::size_t pending = pending_out();
        if (pending >= options_.input_pause_threshold) return false;
        // Growing a small buffer costs little; the written part is dropped to make room.
        const std::size_t room = std::max(out_.capacity(), 2 * options_.input_pause_threshold);
        return pending == 0 || pending + next + proto::max_header_size <= room;
    }
    [[nodiscard]] bool closing() const { return conn_.close_sent(); }
    [[nodiscard]] bool close_received() const { return conn_.close_received(); }
    [[nodiscard]] bool compressing() const { return options_.deflate.has_value(); }
    [[nodiscard]] bool finished() const { return finished_; }
    [[nodiscard]] const Failure& failure() const { return failure_; }
    [[nodiscard]] const SessionStats& stats() const { return stats_; }
    // The number of the last continuation frame sent within its message (1, 2…); 0 when the
    // last data frame sent was not a continuation.
    [[nodiscard]] std::uint64_t sent_continuation_index() const { return out_continuation_; }
    // The close code and reason the peer sent, if any (the reason is the peer's bytes: escape
    // it before it reaches a terminal).
    [[nodiscard]] std::optional<std::uint16_t> peer_close_code() const { return peer_code_; }
    [[nodiscard]] const std::string& peer_close_reason() const { return peer_reason_; }
    // Bytes this session holds in its own buffers now (memory checks).
    [[nodiscard]] std::size_t buffered_bytes() const { return out_.capacity() + echo_.capacity(); }

private:
    [[nodiscard]] std::size_t pending_out() const { return out_.size() - out_pos_; }
    void make_room(std::size_t n);
    // Replies we owe (pongs, echoes) have piled up unsent: stop reading until they drain.
    // Only replies count: pausing on the user's own output could deadlock against a peer
    // that echoes it.
    [[nodiscard]] bool reading_paused() const {
        return replies_queued_ >= options_.read_pause_threshold && pending_out() > 0;
    }
    [[nodiscard]] Duration pong_wait() const;
    void read_some();
    void drain_after_failure();
    [[nodiscard]] bool drain_spent() const { return violated_ && drained_ >= failure_drain_limit; }
    void process(proto::MutableByteView data);
    void handle(const proto::Event& ev);
    void on_data(const proto::MessageData& m);
    void echo(const proto::MessageData& m);
    void on_pong(const proto::PongReceived& p);
    void on_peer_close(const proto::CloseReceived& c);
    void on_violation(const proto::Violation& v);
    void on_stream_end(bool clean);
    void queue_close(std::uint16_t code, std::string_view reason);
    void flush();
    void report_sent(std::optional<proto::ByteView> uncompressed = std::nullopt);
    void report_message_out(proto::MessageType type, proto::ByteView data, bool first, bool last);
    void finish(Outcome outcome, std::string message);
    void fail_io(const std::string& message);
    void touch();  // the peer said something: restart the silence timer
    // A large buffer was emptied: release it once the connection is quiet (idle_release_after).
    void keep_until_idle(const proto::Bytes& b);
    void release_if_idle(TimePoint now);
    void emit(const SessionEvent& e) { observer_.on_event(e); }

    net::Stream& stream_;
    SessionOptions options_;
    Observer& observer_;
    const TimeSource& time_;
    proto::Connection conn_;
    std::unique_ptr<ReadBuffer> own_reads_;
    ReadBuffer* reads_;
    bool frames_wanted_ = false;
    std::uint64_t out_continuation_ = 0;  // see sent_continuation_index()

    proto::Bytes out_;
    std::size_t out_pos_ = 0;
    std::uint64_t written_ = 0;            // bytes written so far, in all
    std::optional<std::uint64_t> close_end_;  // written_ once our Close is fully out
    std::size_t replies_queued_ = 0;  // reply bytes added since out_ last drained
    bool write_blocked_on_read_ = false;  // TLS: a write needs the socket readable
    bool read_blocked_on_write_ = false;  // TLS: a read needs the socket writable
    bool read_eof_ = false;
    bool write_shut_ = false;

    // --echo: the frame being echoed, gathered up to echo_fragment bytes.
    proto::Bytes echo_;
    bool echo_first_ = true;
    bool in_data_frame_ = false;     // the frame being received is a data frame
    bool data_frame_ended_ = false;  // ...and its last payload piece just arrived
    proto::MessageType echo_type_ = proto::MessageType::text;

    // Timers.
    std::optional<TimePoint> close_deadline_;  // silence limit while closing (normal close)
    // Our Close is written but not yet acknowledged by the peer's TCP (see check_drain).
    struct DrainWatch {
        std::size_t unacknowledged = 0;
        TimePoint since{};  // when that count last went down
    };
    std::optional<DrainWatch> drain_;
    static constexpr Duration drain_poll = std::chrono::milliseconds(20);
    bool check_drain(TimePoint now);
    std::optional<TimePoint> fail_deadline_;   // fixed end of a failed connection
    std::optional<TimePoint> next_ping_;
    std::optional<TimePoint> pong_deadline_;
    std::deque<std::pair<std::string, TimePoint>> pings_in_flight_;
    std::uint64_t ping_counter_ = 0;
    std::optional<TimePoint> release_deadline_;  // see keep_until_idle()
    std::uint64_t reads_at_release_arm_ = 0;     // stats_.bytes_in when it was set

    std::optional<std::uint16_t> peer_code_;
    std::string peer_reason_;
    bool peer_initiated_close_ = false;
    bool violated_ = false;
    std::uint64_t drained_ = 0;  // bytes read and dropped since the failure
    bool finished_ = false;
    Failure failure_;
    SessionStats stats_;
};

}  // namespace wscope::session
