// Turns the events of a proto::Connection into lines of text that tests can compare, in a form
// that does not depend on how the input was split into reads:
//
//   start TEXT fin=1 len=5 mask=37fa213d     a FrameStart (rsv=… only when an RSV bit is set)
//   msg text first last 'Hello'              the MessageData chunks of one read-independent run
//   ping 'Hello'   pong ''                   PingReceived / PongReceived
//   close 1000 'bye'   close none            CloseReceived
//   violation control_too_long 1002          Violation: Errc name and the close code it calls for
//   end clean   end abnormal                 StreamEnded
//
// Consecutive MessageData chunks are merged until another event (or the message's last chunk)
// arrives, so "Hel"+"lo" read in one piece or in five gives the same lines. The chunks of a
// frame that fails (a Violation before another event) are dropped: how much of a failing frame
// was delivered depends on the split. FramePayload events are not logged; instead the log
// checks them (offsets contiguous, frame_end exactly at the end) and re-masks them to rebuild
// the wire bytes, so a test can verify that raw headers and unmasked payloads add up to the
// input. Every broken invariant becomes a line starting with "BAD:", which makes the
// comparison fail and says why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/errc.hpp"
#include "proto/event.hpp"
#include "proto/opcode.hpp"
#include "support/hex.hpp"

namespace wscope::test {

// 'Hello' for short printable ASCII, hex{e2 82 ac} for other short data, and a length with a
// checksum for anything long.
inline std::string repr(ByteView data) {
    bool printable = data.size() <= 64;
    for (std::uint8_t b : data)
        if (b < 0x20 || b > 0x7e || b == '\'' || b == '\\') printable = false;
    if (printable) return "'" + std::string(proto::as_chars(data)) + "'";
    if (data.size() <= 32) return "hex{" + to_hex(data) + "}";
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (std::uint8_t b : data) h = (h ^ b) * 16777619u;
    static constexpr char digits[] = "0123456789abcdef";
    std::string sum;
    for (int shift = 28; shift >= 0; shift -= 4) sum += digits[(h >> shift) & 0xF];
    return "<" + std::to_string(data.size()) + " bytes fnv=" + sum + ">";
}

inline std::string repr(std::string_view text) { return repr(proto::as_bytes(text)); }

// The line logged for a whole message chunk (for expectations with generated payloads).
inline std::string msg_line(proto::MessageType type, bool first, bool last, ByteView data) {
    std::string out = type == proto::MessageType::text ? "msg text" : "msg binary";
    if (first) out += " first";
    if (last) out += " last";
    return out + " " + repr(data);
}

inline std::string start_line(const proto::FrameHeader& h) {
    std::string out = "start " + std::string(proto::name(h.opcode));
    out += h.fin ? " fin=1" : " fin=0";
    if (h.rsv != 0) {
        out += " rsv=";
        out += (h.rsv & 4) ? '1' : '0';
        out += (h.rsv & 2) ? '1' : '0';
        out += (h.rsv & 1) ? '1' : '0';
    }
    out += " len=" + std::to_string(h.payload_len);
    if (h.mask) {
        std::string key = to_hex(*h.mask);
        std::erase(key, ' ');
        out += " mask=" + key;
    }
    return out;
}

inline std::string violation_line(proto::Errc code) {
    return "violation " + std::string(proto::info(code).name) + " " +
           std::to_string(static_cast<unsigned>(proto::close_code_for(code)));
}

class EventLog {
public:
    void add(const proto::Event& event) {
        if (violated_) bad("event after a Violation");
        if (ended_) bad("event after StreamEnded");
        std::visit([this](const auto& e) { on(e); }, event);
    }

    // Call after the last event of a run.
    void finish() { flush(); }

    [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
    // Headers and payloads as they must have been on the wire (payload re-masked).
    [[nodiscard]] const Bytes& wire() const { return wire_; }
    [[nodiscard]] bool violated() const { return violated_; }
    [[nodiscard]] bool close_seen() const { return close_seen_; }

private:
    void on(const proto::FrameStart& e) {
        flush();
        if (frame_ && frame_done_ != frame_->payload_len)
            bad("FrameStart while the previous frame has " +
                std::to_string(frame_->payload_len - frame_done_) + " payload bytes left");
        frame_ = e.header;
        frame_done_ = 0;
        wire_.insert(wire_.end(), e.raw.begin(), e.raw.end());
        lines_.push_back(start_line(e.header));
    }

    void on(const proto::FramePayload& e) {
        if (!frame_) {
            bad("FramePayload without a FrameStart");
            return;
        }
        if (e.offset != frame_done_)
            bad("FramePayload offset " + std::to_string(e.offset) + ", expected " +
                std::to_string(frame_done_));
        frame_done_ += e.data.size();
        if (frame_done_ > frame_->payload_len) bad("FramePayload past the frame's length");
        if (e.frame_end != (frame_done_ == frame_->payload_len))
            bad(std::string("FramePayload frame_end=") + (e.frame_end ? "1" : "0") + " at " +
                std::to_string(frame_done_) + " of " + std::to_string(frame_->payload_len));
        // Re-mask with a plain per-byte loop (not the code under test) to rebuild the wire.
        for (std::size_t i = 0; i < e.data.size(); ++i) {
            std::uint8_t b = e.data[i];
            if (frame_->mask) b ^= (*frame_->mask)[(e.offset + i) % 4];
            wire_.push_back(b);
        }
    }

    void on(const proto::MessageData& e) {
        if (e.first == message_open_)
            bad(std::string("MessageData first=") + (e.first ? "1" : "0") +
                (message_open_ ? " inside an open message" : " with no message open"));
        if (!e.first && e.type != message_type_) bad("MessageData changed type mid-message");
        if (!pending_) {
            pending_ = true;
            pending_first_ = e.first;
            pending_type_ = e.type;
            pending_data_.clear();
        }
        pending_data_.insert(pending_data_.end(), e.data.begin(), e.data.end());
        message_open_ = !e.last;
        message_type_ = e.type;
        if (e.last) {
            lines_.push_back(msg_line(pending_type_, pending_first_, true, pending_data_));
            pending_ = false;
        }
    }

    void on(const proto::PingReceived& e) {
        flush();
        lines_.push_back("ping " + repr(e.payload));
    }

    void on(const proto::PongReceived& e) {
        flush();
        lines_.push_back("pong " + repr(e.payload));
    }

    void on(const proto::CloseReceived& e) {
        flush();
        close_seen_ = true;
        if (e.code)
            lines_.push_back("close " + std::to_string(*e.code) + " " + repr(e.reason));
        else
            lines_.push_back(e.reason.empty() ? "close none" : "close none " + repr(e.reason));
    }

    void on(const proto::Violation& e) {
        pending_ = false;  // the failing frame's chunks: how many arrived depends on the split
        violated_ = true;
        lines_.push_back(violation_line(e.code));
    }

    void on(const proto::StreamEnded& e) {
        flush();
        ended_ = true;
        lines_.push_back(e.clean ? "end clean" : "end abnormal");
    }

    void flush() {
        if (!pending_) return;
        lines_.push_back(msg_line(pending_type_, pending_first_, false, pending_data_));
        pending_ = false;
    }

    void bad(const std::string& what) { lines_.push_back("BAD: " + what); }

    std::vector<std::string> lines_;
    Bytes wire_;

    std::optional<proto::FrameHeader> frame_;
    std::uint64_t frame_done_ = 0;

    bool message_open_ = false;
    proto::MessageType message_type_ = proto::MessageType::text;
    bool pending_ = false;
    bool pending_first_ = false;
    proto::MessageType pending_type_ = proto::MessageType::text;
    Bytes pending_data_;

    bool violated_ = false;
    bool ended_ = false;
    bool close_seen_ = false;
};

}  // namespace wscope::test
