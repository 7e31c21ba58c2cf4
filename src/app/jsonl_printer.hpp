// --jsonl: every event of a session as one JSON object per line on stdout (schema in the man
// page): open, frame (with -F), message (received), ping, pong, close, error.
#pragma once

#include <string>

#include "app/output.hpp"
#include "proto/http1.hpp"
#include "session/observer.hpp"

namespace wscope::app {

class JsonlPrinter final : public session::Observer {
public:
    // frames: also emit one "frame" object per frame. prefix_id: listen mode's client id
    // (0: none), added as "client".
    JsonlPrinter(Output& out, bool frames, unsigned client_id = 0)
        : out_(out), frames_(frames), client_(client_id) {}

    void open(std::string_view url, const proto::HttpHead& head, std::string_view subprotocol,
              std::string_view extensions);
    void error(std::string_view kind, std::string_view message, int exit_code);

    bool wants_frames() const override { return frames_; }
    void on_frame_header(session::Direction, const proto::FrameHeader&, proto::ByteView) override;
    void on_message(proto::MessageType, proto::ByteView data, bool first, bool last) override;
    void on_ping(session::Direction, proto::ByteView payload) override;
    void on_pong(session::Direction, proto::ByteView payload,
                 std::optional<std::chrono::microseconds> rtt) override;
    void on_close(session::Direction, std::optional<std::uint16_t> code, std::string_view reason) override;

private:
    template <typename Obj>
    void write(Obj&& obj);

    Output& out_;
    bool frames_;
    unsigned client_;
    proto::Bytes message_;  // a received message being gathered (bounded by the session's limit)
};

}  // namespace wscope::app
