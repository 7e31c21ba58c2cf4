// Binds one Session to the event loop: watches its socket for what the session wants, runs
// its deadlines, and tells the owner once it has finished. The owner calls update() after it
// fed the session from outside the loop's callbacks (a stdin line, a console command), so
// the interest and deadline follow; everything the driver runs itself is updated already.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "net/event_loop.hpp"
#include "session/session.hpp"

namespace wscope::app {

class SessionDriver {
public:
    // on_finished runs once, from the loop (never from inside a call on the driver), when the
    // session has finished; the owner may destroy the driver and the session there.
    SessionDriver(net::Loop& loop, session::Session& session, std::function<void()> on_finished);
    ~SessionDriver();
    SessionDriver(const SessionDriver&) = delete;
    SessionDriver& operator=(const SessionDriver&) = delete;

    void update();
    // While paused, the socket is not read (the consumer of its messages is backlogged).
    void pause_reading(bool paused);
    [[nodiscard]] session::Session& session() { return session_; }

private:
    void on_io(std::uint32_t ready);
    void on_deadline();

    net::Loop& loop_;
    session::Session& session_;
    std::function<void()> on_finished_;
    int fd_;
    std::optional<net::Loop::TimePoint> armed_;  // the deadline a timer is set for
    net::Loop::TimerId timer_ = 0;
    bool paused_ = false;
    bool finish_reported_ = false;
    bool buffered_queued_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace wscope::app
