// A notice shown only when a blocking step is slow: "connecting to …" when the connect and
// handshake take longer than a moment, so a terminal user knows wscope is not stuck.
//
// The notice runs on its own thread while the caller is blocked; the caller must not use the
// Console until stop() (or the destructor) has returned, which joins the thread. That keeps
// the Console's one-owner rule: at any moment one thread uses it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace wscope::app {

class SlowNotice {
public:
    // Calls show() on another thread once `after` has passed, unless stop() comes first.
    SlowNotice(std::chrono::milliseconds after, std::function<void()> show);
    ~SlowNotice();
    SlowNotice(const SlowNotice&) = delete;
    SlowNotice& operator=(const SlowNotice&) = delete;

    // Cancels the notice if it has not been shown, and waits for the thread. Idempotent.
    void stop();

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;
    std::thread thread_;
};

}  // namespace wscope::app
