#include "app/slow_notice.hpp"

#include <utility>

namespace wscope::app {

SlowNotice::SlowNotice(std::chrono::milliseconds after, std::function<void()> show)
    : thread_([this, after, show = std::move(show)] {
          std::unique_lock lock(mutex_);
          if (!wake_.wait_for(lock, after, [this] { return stopped_; })) show();
      }) {}

SlowNotice::~SlowNotice() { stop(); }

void SlowNotice::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace wscope::app
