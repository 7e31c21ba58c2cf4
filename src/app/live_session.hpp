// One running session as every front end has it: the session itself, its fan-out of
// observers (the inspector for -F/-X/-P/-v, or the JSON Lines printer, then whatever the
// front end adds), and its driver on the loop. The front end subscribes its own observer
// (message printing, the REPL's view) with observe() before start().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/console.hpp"
#include "app/inspector.hpp"
#include "app/jsonl_printer.hpp"
#include "app/options.hpp"
#include "app/session_driver.hpp"
#include "crypto/mask_source.hpp"
#include "net/event_loop.hpp"
#include "net/stream.hpp"
#include "session/read_buffer.hpp"
#include "session/session.hpp"

namespace wscope::app {

struct LiveSessionSetup {
    const OutputOptions* out = nullptr;
    std::string prefix;       // listen mode's "[3] " before inspector lines
    unsigned client_id = 0;   // listen mode's id in JSON Lines
    session::ReadBuffer* reads = nullptr;
};

class LiveSession {
public:
    LiveSession(net::Loop& loop, Console& console, net::Stream& stream,
                const session::SessionOptions& options, crypto::MaskSource& masks,
                const LiveSessionSetup& setup);

    void observe(session::Observer& o) { observers_.subscribe(o); }
    // Processes the bytes that came with the handshake and puts the session on the loop;
    // on_finished runs (from the loop) once it has ended.
    void start(proto::ByteView leftover, std::function<void()> on_finished);
    // After feeding the session from outside its own callbacks.
    void update() {
        if (driver_) driver_->update();
    }
    void pause_reading(bool paused) {
        if (driver_) driver_->pause_reading(paused);
    }

    [[nodiscard]] session::Session& session() { return session_; }
    [[nodiscard]] const session::Session& session() const { return session_; }
    [[nodiscard]] JsonlPrinter* jsonl() { return jsonl_.get(); }

private:
    net::Loop& loop_;
    session::Observers observers_;
    std::unique_ptr<Inspector> inspector_;
    std::unique_ptr<JsonlPrinter> jsonl_;
    session::SteadyTime time_;
    session::Session session_;
    std::unique_ptr<SessionDriver> driver_;
};

// The client's mask source: --mask-seed makes it reproducible.
[[nodiscard]] std::unique_ptr<crypto::MaskSource> make_masks(std::optional<std::uint64_t> seed);

}  // namespace wscope::app
