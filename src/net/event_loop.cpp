// The epoll event loop (see event_loop.hpp for the phases of a pass).
#include "net/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

namespace wscope::net {
namespace {

// Ready descriptors taken per epoll_wait: enough for a busy server, small enough for the stack.
constexpr int max_events = 256;
// The key of the signalfd in epoll's data: no slot ever has it.
constexpr std::uint64_t signal_key = ~std::uint64_t{0};

std::uint32_t to_epoll(std::uint32_t interest) {
    std::uint32_t e = 0;
    if (interest & readable) e |= EPOLLIN;
    if (interest & writable) e |= EPOLLOUT;
    return e;
}

std::uint32_t from_epoll(std::uint32_t e) {
    std::uint32_t r = 0;
    if (e & EPOLLIN) r |= readable;
    if (e & EPOLLOUT) r |= writable;
    if (e & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) r |= hangup | readable;
    return r;
}

std::uint64_t key_of(std::uint32_t slot, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | slot;
}

}  // namespace

Loop::Loop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), saved_mask_(sizeof(sigset_t)) {
    sigset_t none;
    sigemptyset(&none);
    std::memcpy(saved_mask_.data(), &none, sizeof none);
}

Loop::~Loop() {
    if (signal_fd_ >= 0) {
        ::close(signal_fd_);
        sigset_t saved;
        std::memcpy(&saved, saved_mask_.data(), sizeof saved);
        ::sigprocmask(SIG_SETMASK, &saved, nullptr);
    }
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Loop::watch(int fd, std::uint32_t interest, IoHandler handler) {
    unwatch(fd);
    std::uint32_t index;
    if (!free_slots_.empty()) {
        index = free_slots_.back();
        free_slots_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[index];
    s.fd = fd;
    s.interest = interest;
    s.handler = std::move(handler);
    s.pollable = true;
    epoll_event ev{};
    ev.events = to_epoll(interest);
    ev.data.u64 = key_of(index, s.generation);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EPERM) {
        s.pollable = false;  // a regular file or /dev/null: it is always ready
        unpollable_.push_back(index);
    }
    by_fd_[fd] = index;
}

void Loop::set_interest(int fd, std::uint32_t interest) {
    const auto it = by_fd_.find(fd);
    if (it == by_fd_.end()) return;
    Slot& s = slots_[it->second];
    if (s.interest == interest) return;
    s.interest = interest;
    if (!s.pollable) return;
    epoll_event ev{};
    ev.events = to_epoll(interest);
    ev.data.u64 = key_of(it->second, s.generation);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void Loop::unwatch(int fd) {
    const auto it = by_fd_.find(fd);
    if (it == by_fd_.end()) return;
    const std::uint32_t index = it->second;
    by_fd_.erase(it);
    Slot& s = slots_[index];
    if (s.pollable) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    } else {
        std::erase(unpollable_, index);
    }
    s.fd = -1;
    s.interest = 0;
    ++s.generation;  // events already taken for this slot are now stale
    // The handler may be the one running: destroy it after the pass, not now.
    retired_.push_back(std::move(s.handler));
    s.handler = nullptr;
    free_slots_.push_back(index);
}

bool Loop::watching(int fd) const { return by_fd_.count(fd) != 0; }

Loop::TimerId Loop::at(TimePoint when, Handler handler) {
    const TimerId id = next_timer_++;
    deadlines_.emplace(when, id);
    timers_.emplace(id, std::make_pair(when, std::move(handler)));
    return id;
}

void Loop::cancel(TimerId id) {
    const auto it = timers_.find(id);
    if (it == timers_.end()) return;
    deadlines_.erase({it->second.first, id});
    timers_.erase(it);
}

void Loop::on_signals(std::initializer_list<int> signals, SignalHandler handler) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    sigset_t saved;
    ::sigprocmask(SIG_BLOCK, &set, &saved);
    if (signal_fd_ < 0) std::memcpy(saved_mask_.data(), &saved, sizeof saved);
    signal_fd_ = ::signalfd(signal_fd_, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    signal_handler_ = std::move(handler);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = signal_key;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev);
}

void Loop::before_wait(Handler hook) { before_wait_.push_back(std::move(hook)); }

void Loop::soon(Handler handler) { soon_.push_back(std::move(handler)); }

int Loop::wait_ms(std::optional<TimePoint> limit) const {
    if (!soon_.empty()) return 0;
    for (std::uint32_t index : unpollable_)
        if (slots_[index].interest != 0) return 0;
    std::optional<TimePoint> until = limit;
    if (!deadlines_.empty() && (!until || deadlines_.begin()->first < *until))
        until = deadlines_.begin()->first;
    if (!until) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - Clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
}

void Loop::dispatch(std::uint64_t key, std::uint32_t ready) {
    const auto index = static_cast<std::uint32_t>(key & 0xffffffffu);
    const auto generation = static_cast<std::uint32_t>(key >> 32);
    if (index >= slots_.size()) return;
    Slot& s = slots_[index];
    if (s.generation != generation || !s.handler) return;
    // Copy: the handler may unwatch its own descriptor (and so reset the slot's).
    IoHandler h = s.handler;
    h(ready);
}

void Loop::read_signals() {
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        if (signal_handler_) signal_handler_(static_cast<int>(info.ssi_signo));
}

void Loop::run_soon() {
    while (!soon_.empty()) {
        std::vector<Handler> now;
        now.swap(soon_);
        for (auto& h : now)
            if (h) h();
        if (stopped_) return;
    }
}

void Loop::run_timers() {
    const TimePoint now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now && !stopped_) {
        const TimerId id = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = timers_.find(id);
        Handler h = std::move(it->second.second);
        timers_.erase(it);
        h();
    }
}

bool Loop::run_once(std::optional<TimePoint> limit) {
    if (stopped_) return false;
    for (std::size_t i = 0; i < before_wait_.size(); ++i) before_wait_[i]();
    if (stopped_) return false;
    epoll_event events[max_events];
    const int n = ::epoll_wait(epoll_fd_, events, max_events, wait_ms(limit));
    for (int i = 0; i < n && !stopped_; ++i) {
        if (events[i].data.u64 == signal_key) {
            read_signals();
            continue;
        }
        dispatch(events[i].data.u64, from_epoll(events[i].events));
    }
    // Descriptors epoll cannot watch are always ready for what they want.
    const std::vector<std::uint32_t> always = unpollable_;
    for (std::uint32_t index : always) {
        if (stopped_) break;
        const Slot& s = slots_[index];
        if (s.interest != 0) dispatch(key_of(index, s.generation), s.interest);
    }
    if (!stopped_) run_soon();
    if (!stopped_) run_timers();
    retired_.clear();
    return !stopped_;
}

void Loop::run() {
    while (run_once()) {
    }
}

}  // namespace wscope::net
