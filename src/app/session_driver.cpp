// The session ↔ loop binding (session_driver.hpp).
#include "app/session_driver.hpp"

namespace wscope::app {

SessionDriver::SessionDriver(net::Loop& loop, session::Session& session, std::function<void()> on_finished)
    : loop_(loop), session_(session), on_finished_(std::move(on_finished)), fd_(session.fd()) {
    loop_.watch(fd_, 0, [this](std::uint32_t ready) { on_io(ready); });
    update();
}

SessionDriver::~SessionDriver() {
    *alive_ = false;
    loop_.unwatch(fd_);
    if (armed_) loop_.cancel(timer_);
}

void SessionDriver::on_io(std::uint32_t ready) {
    session_.on_ready(ready);
    session_.tick();
    update();
}

void SessionDriver::on_deadline() {
    armed_.reset();
    session_.tick();
    update();
}

void SessionDriver::pause_reading(bool paused) {
    if (paused_ == paused) return;
    paused_ = paused;
    update();
}

void SessionDriver::update() {
    if (session_.finished()) {
        loop_.set_interest(fd_, 0);
        if (armed_) {
            loop_.cancel(timer_);
            armed_.reset();
        }
        if (!finish_reported_) {
            finish_reported_ = true;
            loop_.soon([this, alive = alive_] {
                if (*alive) on_finished_();
            });
        }
        return;
    }
    std::uint32_t want = session_.events();
    if (paused_) want &= ~net::readable;
    loop_.set_interest(fd_, want);
    // TLS may hold decrypted bytes that epoll cannot see: read them on this pass.
    if (session_.has_buffered() && !paused_ && !buffered_queued_) {
        buffered_queued_ = true;
        loop_.soon([this, alive = alive_] {
            if (!*alive) return;
            buffered_queued_ = false;
            on_io(net::readable);
        });
    }
    const std::optional<session::TimePoint> next = session_.next_deadline();
    if (next == armed_) return;
    if (armed_) loop_.cancel(timer_);
    armed_ = next;
    if (next) timer_ = loop_.at(*next, [this] { on_deadline(); });
}

}  // namespace wscope::app
