// A WebSocket session: drives a proto::Connection over a non-blocking net::Stream and holds
// all the policy the core leaves out — answering pings, replying to Close, closing with the
// right code on a violation, ping/close timers, and bounded buffering.
//
// The session never blocks and owns no loop: the front end polls fd() for events(), calls
// on_ready() with what poll() returned, tick() when next_deadline() passes, and feeds its
// own input through send_*(). finished() says when the session is over; failure() says how.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "crypto/mask_source.hpp"
#include "net/stream.hpp"
#include "proto/bytes.hpp"
#include "proto/connection.hpp"
#include "session/clock.hpp"
#include "session/observer.hpp"
#include "session/outcome.hpp"

namespace wscope::session {

struct SessionOptions {
    proto::Role role = proto::Role::client;
    std::uint64_t max_message = proto::default_max_message;
    bool auto_pong = true;
    double ping_interval = 0;  // seconds; 0: no pings
    double ping_timeout = 0;   // seconds to wait for a pong; 0: 30
    double close_timeout = 2;  // seconds of silence allowed while closing
    // Stop reading the socket while this many reply bytes (echoes, pongs) wait unsent: memory
    // stays bounded whatever the peer sends.
    std::size_t read_pause_threshold = 4u << 20;
    // The front end should stop feeding input above this much unsent output.
    std::size_t input_pause_threshold = 256u << 10;
    bool echo = false;  // reflect every received data message
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
    Session(net::Stream& stream, const SessionOptions& options, crypto::MaskSource& masks,
            Observer& observer, const TimeSource& time);

    // Bytes that arrived right after the handshake's head: they are already frames.
    void start(proto::ByteView leftover);

    [[nodiscard]] int fd() const { return stream_.fd(); }
    // poll() events to wait for (POLLIN / POLLOUT); 0 once finished.
    [[nodiscard]] short events() const;
    // Reads, processes and writes as far as the stream allows without blocking.
    void on_ready(short revents);
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
    // after close_timeout seconds of silence.
    void close(std::uint16_t code, std::string_view reason);

    // True while unsent output is small enough to accept more input.
    [[nodiscard]] bool accepting_input() const { return pending_out() < options_.input_pause_threshold; }
    [[nodiscard]] bool closing() const { return conn_.close_sent(); }
    [[nodiscard]] bool compressing() const { return options_.deflate.has_value(); }
    [[nodiscard]] bool finished() const { return finished_; }
    [[nodiscard]] const Failure& failure() const { return failure_; }
    [[nodiscard]] const SessionStats& stats() const { return stats_; }
    // The close code the peer sent, if any.
    [[nodiscard]] std::optional<std::uint16_t> peer_close_code() const { return peer_code_; }

private:
    [[nodiscard]] std::size_t pending_out() const { return out_.size() - out_pos_; }
    // Replies we owe (pongs, echoes) have piled up unsent: stop reading until they drain.
    // Only replies count: pausing on the user's own output could deadlock against a peer
    // that echoes it.
    [[nodiscard]] bool reading_paused() const {
        return replies_queued_ >= options_.read_pause_threshold && pending_out() > 0;
    }
    [[nodiscard]] double pong_wait() const;
    void read_some();
    void process(proto::MutableByteView data);
    void handle(const proto::Event& ev);
    void on_peer_close(const proto::CloseReceived& c);
    void on_violation(const proto::Violation& v);
    void on_stream_end(bool clean);
    void flush();
    void report_sent(std::size_t from, proto::ByteView uncompressed = {});
    void finish(Outcome outcome, std::string message);
    void fail_io(const std::string& message);
    void touch();  // the peer said something: restart the silence timer

    net::Stream& stream_;
    SessionOptions options_;
    Observer& observer_;
    const TimeSource& time_;
    proto::Connection conn_;

    proto::Bytes in_;
    proto::Bytes out_;
    std::size_t out_pos_ = 0;
    std::size_t replies_queued_ = 0;  // reply bytes added since out_ last drained
    bool write_blocked_on_read_ = false;  // TLS: a write needs the socket readable
    bool read_blocked_on_write_ = false;  // TLS: a read needs the socket writable
    bool read_eof_ = false;
    bool write_shut_ = false;


    // Timers.
    std::optional<TimePoint> close_deadline_;  // silence limit while closing
    std::optional<TimePoint> next_ping_;
    std::optional<TimePoint> pong_deadline_;
    std::deque<std::pair<std::string, TimePoint>> pings_in_flight_;
    std::uint64_t ping_counter_ = 0;

    std::optional<std::uint16_t> peer_code_;
    bool peer_initiated_close_ = false;
    bool violated_ = false;
    bool finished_ = false;
    Failure failure_;
    SessionStats stats_;
};

}  // namespace wscope::session
