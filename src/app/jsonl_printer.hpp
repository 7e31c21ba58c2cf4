// --jsonl: every event of a session as one JSON object per line on stdout (schema in the man
// page): open, frame (with -F), message (both directions), ping, pong, close, error.
#pragma once

#include <cstdint>
#include <string>

#include "app/console.hpp"
#include "proto/http1.hpp"
#include "session/observer.hpp"

namespace wscope::app {

class JsonlPrinter final : public session::Observer {
public:
    // frames: also emit one "frame" object per frame. client_id: listen mode's client id
    // (0: none), added as "client".
    JsonlPrinter(Console& console, bool frames, unsigned client_id = 0)
        : console_(console), frames_(frames), client_(client_id) {}

    void open(std::string_view url, const proto::HttpHead& head, std::string_view subprotocol,
              std::string_view extensions);
    void error(std::string_view kind, std::string_view message, int exit_code);
    // --reconnect: try try_number (of max_tries, 0: no limit) after delay_ms; kind/message: why
    // the last attempt ended.
    void reconnect(unsigned try_number, unsigned max_tries, std::int64_t delay_ms, std::string_view kind,
                   std::string_view message);

    [[nodiscard]] session::Interest interest() const override { return {frames_, false}; }
    void on_event(const session::SessionEvent& event) override;

private:
    template <typename Obj>
    void write(Obj&& obj);
    void on_message(const session::MessageEvent& m);

    Console& console_;
    bool frames_;
    unsigned client_;
    // Messages being gathered, one each way (bounded by the session's limit).
    proto::Bytes in_, out_;
};

}  // namespace wscope::app
