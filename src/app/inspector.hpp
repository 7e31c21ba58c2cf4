// The human-readable window on a session, on stderr: one line per frame (-F), a hex dump of
// each frame as on the wire (-X), pings and pongs (-P), closes and violations (-v).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "app/console.hpp"
#include "app/options.hpp"
#include "proto/bytes.hpp"
#include "session/observer.hpp"

namespace wscope::app {

class Inspector final : public session::Observer {
public:
    // prefix is written before every line (listen mode's "[3] ").
    Inspector(const OutputOptions& options, Console& console, std::string prefix = {});

    [[nodiscard]] session::Interest interest() const override {
        return {o_.frames || o_.hexdump, o_.hexdump};
    }
    void on_event(const session::SessionEvent& event) override;

private:
    struct FrameState {
        session::FrameHeaderEvent head;
        std::uint8_t raw[proto::max_header_size]{};
        std::size_t raw_len = 0;
        bool line_printed = false;
        // permessage-deflate: the frame's payload is compressed. Its line shows the data
        // before compression (sent) or after inflation (received) and both sizes.
        bool message_compressed = false;
        bool compressed = false;
        proto::Bytes plain_preview;     // the uncompressed data's first bytes
        std::uint64_t plain_size = 0;   // and its size
        bool have_plain = false;
        proto::Bytes payload;           // received payload pieces, held for the line or dump
        proto::Bytes wire;              // the same as on the wire, for the dump
        bool awaiting_inflation = false;
        bool dumped = false;            // the frame's hex dump has been shown
    };

    void on_header(const session::FrameHeaderEvent& h);
    void on_payload(const session::FramePayloadEvent& p);
    void on_message(const session::MessageEvent& m);
    void on_violation();
    void flush_compressed(FrameState& f, session::Direction dir);
    void print_line(FrameState& f, session::Direction dir, proto::ByteView preview);
    void dump(const FrameState& f, proto::ByteView wire, proto::ByteView plain);
    // The line start: the prefix (the console adds the -T stamp).
    [[nodiscard]] const std::string& start() const { return prefix_; }

    OutputOptions o_;
    Console& console_;
    std::string prefix_;
    FrameState in_, out_;
};

}  // namespace wscope::app
