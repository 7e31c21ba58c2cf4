// The one event loop of the program (epoll): file descriptors, deadlines and signals, and
// nothing else. It knows nothing of what the descriptors carry.
//
// Each pass has fixed phases, in this order:
//   1. the before-wait hooks run (the console flushes its output there), then
//   2. epoll_wait sleeps until a descriptor is ready or the earliest deadline passes (not at
//      all when work is marked soon(), e.g. TLS bytes already decrypted),
//   3. ready descriptors' handlers run, then the soon() work, then
//   4. every deadline that has passed runs, earliest first.
// The cost of a pass is proportional to what is ready, never to what is idle: interest is
// changed with epoll_ctl only when it differs, and deadlines sit in an ordered set.
//
// A handler may add or remove any descriptor or deadline, its own included: a descriptor
// removed during a pass gets no more events from that pass (slots are generation-checked).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wscope::net {

// Interest and readiness bits. They have poll(2)'s values (POLLIN, POLLOUT, POLLHUP), so a
// stream's wishes can be handed to poll() as they are.
inline constexpr std::uint32_t readable = 0x001;
inline constexpr std::uint32_t writable = 0x004;
inline constexpr std::uint32_t hangup = 0x010;  // readiness only: peer hung up or error

class Loop {
  public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;
    using IoHandler = std::function<void(std::uint32_t ready)>;
    using Handler = std::function<void()>;
    using SignalHandler = std::function<void(int signo)>;
    using TimerId = std::uint64_t;

    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // --- descriptors ---
    // Starts watching fd for interest (readable | writable, or 0 for none yet). A descriptor
    // epoll cannot watch (a regular file) is reported ready for its interest on every pass.
    void watch(int fd, std::uint32_t interest, IoHandler handler);
    // Changes what fd is watched for; no system call when it is unchanged.
    void set_interest(int fd, std::uint32_t interest);
    // Stops watching fd (call before closing it). Unknown descriptors are ignored.
    void unwatch(int fd);
    [[nodiscard]] bool watching(int fd) const;

    // --- deadlines ---
    // Runs handler once at `when` (or on the first pass after it). Returns an id for cancel().
    TimerId at(TimePoint when, Handler handler);
    void cancel(TimerId id);

    // --- signals ---
    // Takes these signals through a signalfd: they are blocked for the process and handler
    // runs in the loop, never in signal context. Restored when the loop is destroyed.
    void on_signals(std::initializer_list<int> signals, SignalHandler handler);
    // The signal mask a child process should get back before exec (what was blocked before).
    [[nodiscard]] const void* saved_signal_mask() const { return saved_mask_.data(); }

    // --- passes ---
    // Runs before every wait, in the order added (output flushing, interest updates).
    void before_wait(Handler hook);
    // Runs handler after this pass's I/O, and makes the next wait not sleep.
    void soon(Handler handler);

    // One pass; sleeps at most until `limit` when given. False once stop() was called.
    bool run_once(std::optional<TimePoint> limit = std::nullopt);
    // Passes until stop().
    void run();
    void stop() { stopped_ = true; }
    [[nodiscard]] bool stopped() const { return stopped_; }

    // Number of descriptors watched (for tests and --stats).
    [[nodiscard]] std::size_t size() const { return by_fd_.size(); }

  private:
    struct Slot {
        int fd = -1;
        std::uint32_t interest = 0;
        std::uint32_t generation = 0;
        bool pollable = true;  // false: epoll refused it (regular file): always ready
        IoHandler handler;
    };

    void dispatch(std::uint64_t key, std::uint32_t ready);
    void run_timers();
    void run_soon();
    void read_signals();
    [[nodiscard]] int wait_ms(std::optional<TimePoint> limit) const;

    int epoll_fd_ = -1;
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::map<int, std::uint32_t> by_fd_;  // fd → slot index
    std::vector<std::uint32_t> unpollable_;  // slots epoll refused

    std::set<std::pair<TimePoint, TimerId>> deadlines_;
    std::map<TimerId, std::pair<TimePoint, Handler>> timers_;
    TimerId next_timer_ = 1;

    std::vector<Handler> before_wait_;
    std::vector<Handler> soon_;
    std::vector<IoHandler> retired_;  // handlers of descriptors unwatched during this pass

    int signal_fd_ = -1;
    SignalHandler signal_handler_;
    std::vector<unsigned char> saved_mask_;  // a sigset_t, kept opaque here
    bool stopped_ = false;
};

}  // namespace wscope::net
