// The human-readable window on a session, on stderr: one line per frame (-F), a hex dump of
// each frame as on the wire (-X), pings and pongs (-P), closes and violations (-v).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "proto/bytes.hpp"

#include "app/options.hpp"
#include "present/style.hpp"
#include "session/observer.hpp"

namespace wscope::app {

class Inspector final : public session::Observer {
public:
    // prefix is written before every line (listen mode's "[3] ").
    Inspector(const OutputOptions& options, std::string prefix = {});

    bool wants_frames() const override { return o_.frames || o_.hexdump; }
    void on_frame_uncompressed(session::Direction, proto::ByteView data) override;
    void on_frame_header(session::Direction, const proto::FrameHeader&, proto::ByteView raw) override;
    void on_message(proto::MessageType, proto::ByteView data, bool first, bool last) override;
    void on_frame_payload(session::Direction, proto::ByteView data, std::uint64_t offset,
                          bool frame_end) override;
    void on_ping(session::Direction, proto::ByteView payload) override;
    void on_pong(session::Direction, proto::ByteView payload,
                 std::optional<std::chrono::microseconds> rtt) override;
    void on_close(session::Direction, std::optional<std::uint16_t> code, std::string_view reason) override;
    void on_violation(const proto::Error& error) override;

private:
    struct FrameState {
        proto::FrameHeader header{};
        std::uint8_t raw[proto::max_header_size]{};
        std::size_t raw_len = 0;
        bool line_printed = false;
        bool message_open = false;
        proto::MessageType message_type = proto::MessageType::text;
        std::uint64_t continuation = 0;
        // permessage-deflate: the frame's payload is compressed. Its line shows the data
        // before compression (sent) or after inflation (received) and both sizes.
        bool message_compressed = false;
        bool compressed = false;
        proto::Bytes plain_preview;     // the uncompressed data's first bytes
        std::uint64_t plain_size = 0;   // and its size
        bool have_plain = false;
        proto::Bytes wire;              // received compressed payload, held until inflated
        bool awaiting_inflation = false;
        bool dumped = false;            // the frame's hex dump has been shown
    };

    void flush_compressed(FrameState& f, session::Direction dir);

    void print_line(FrameState& f, session::Direction dir, proto::ByteView preview);
    void dump(FrameState& f, proto::ByteView data, std::uint64_t offset);
    void emit(const std::string& text) const;
    // The line start: prefix, then the -T time if asked for.
    [[nodiscard]] std::string start() const;

    OutputOptions o_;
    std::string prefix_;
    present::Style style_;
    FrameState in_, out_;
    std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
};

// Colour on stderr: --color=always/never, or auto: a terminal and no NO_COLOR.
[[nodiscard]] bool use_colour(ColorMode mode, int fd);

}  // namespace wscope::app
