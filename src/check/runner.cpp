#include "check/runner.hpp"

#include <array>
#include <map>
#include <optional>

#include "check/probe.hpp"
#include "crypto/mask_source.hpp"
#include "net/event_loop.hpp"
#include "proto/handshake.hpp"

namespace wscope::check {

namespace {

using Clock = std::chrono::steady_clock;

// One read's worth: large enough that the 16 MiB case is not a million system calls.
constexpr std::size_t read_chunk = 256 * 1024;

class Runner {
public:
    Runner(const std::vector<const Case*>& cases, const RunOptions& options, const ResultFn& on_result)
        : cases_(cases), options_(options), on_result_(on_result), results_(cases.size()) {}

    void run() {
        if (cases_.empty()) return;
        while (next_ < cases_.size() && active_.size() < std::max(1u, options_.parallel)) start(next_++);
        while (delivered_ < cases_.size()) loop_.run_once();
    }

private:
    struct Active {
        std::unique_ptr<net::Stream> stream;
        std::unique_ptr<Probe> probe;
        net::Loop::TimerId deadline = 0;
        net::Loop::TimerId wake = 0;
        std::optional<TimePoint> wake_at;
    };

    ProbeTarget target() const {
        return {options_.plan.url.host_header(), options_.plan.url.target};
    }

    void start(std::size_t i) {
        const Case& c = *cases_[i];
        auto connected = net::connect(options_.plan, [](const std::string&) {});
        if (!connected) {
            CaseResult r;
            r.c = &c;
            r.obs.end = End::error;
            r.obs.detail = "could not connect: " + connected.error().message;
            return complete(i, std::move(r));
        }
        Active a;
        a.stream = std::move(connected.value().stream);
        a.probe = std::make_unique<Probe>(c, target(), masks_, proto::make_key(), options_.record_wire, Clock::now());
        const int fd = a.stream->fd();
        const auto timeout = c.timeout.count() > 0 ? c.timeout : options_.timeout;
        a.deadline = loop_.at(Clock::now() + timeout, [this, i] {
            auto it = active_.find(i);
            if (it == active_.end()) return;
            it->second.deadline = 0;
            it->second.probe->expire(Clock::now());
            settle(i);
        });
        active_.emplace(i, std::move(a));
        loop_.watch(fd, net::readable | net::writable, [this, i](std::uint32_t ready) { pump(i, ready); });
    }

    void pump(std::size_t i, std::uint32_t ready) {
        auto it = active_.find(i);
        if (it == active_.end()) return;
        Active& a = it->second;
        Probe& p = *a.probe;
        if ((ready & (net::readable | net::hangup)) != 0) read(a);
        if (!p.done()) write(a);
        settle(i);
    }

    void read(Active& a) {
        Probe& p = *a.probe;
        while (!p.done()) {
            const auto r = a.stream->read_some(buf_);
            const auto now = Clock::now();
            if (r.status == net::IoResult::Status::ok) {
                p.on_input(proto::ByteView(buf_.data(), r.n), now);
                write(a);  // replies (pongs, Close) go out before more is read
                continue;
            }
            if (r.status == net::IoResult::Status::eof) p.on_eof(now);
            if (r.status == net::IoResult::Status::error) p.on_error(r.message, now);
            return;
        }
    }

    void write(Active& a) {
        Probe& p = *a.probe;
        while (!p.done() && !p.output().empty()) {
            const auto r = a.stream->write_some(p.output());
            if (r.status == net::IoResult::Status::ok) {
                p.wrote(r.n, Clock::now());
                continue;
            }
            if (r.status == net::IoResult::Status::error) p.on_error(r.message, Clock::now());
            return;
        }
    }

    // After any event: finish the case, or update interest and the wake-up timer.
    void settle(std::size_t i) {
        auto it = active_.find(i);
        if (it == active_.end()) return;
        Active& a = it->second;
        Probe& p = *a.probe;
        if (!p.done()) {
            const int fd = a.stream->fd();
            loop_.set_interest(fd, net::readable | (p.output().empty() ? 0u : net::writable));
            const auto wake = p.wake_at();
            if (wake != a.wake_at) {
                if (a.wake) loop_.cancel(a.wake);
                a.wake = 0;
                a.wake_at = wake;
                if (wake)
                    a.wake = loop_.at(*wake, [this, i] {
                        auto found = active_.find(i);
                        if (found == active_.end()) return;
                        found->second.wake = 0;
                        found->second.wake_at.reset();
                        found->second.probe->on_time(Clock::now());
                        if (!found->second.probe->done()) write(found->second);
                        settle(i);
                    });
            }
            return;
        }
        loop_.unwatch(a.stream->fd());
        if (a.deadline) loop_.cancel(a.deadline);
        if (a.wake) loop_.cancel(a.wake);
        CaseResult r;
        r.c = cases_[i];
        r.obs = p.observation();
        r.wire = p.wire();
        active_.erase(it);  // closes the connection
        complete(i, std::move(r));
        while (next_ < cases_.size() && active_.size() < std::max(1u, options_.parallel)) start(next_++);
    }

    void complete(std::size_t i, CaseResult r) {
        r.verdict = r.c->evaluate(r.obs);
        results_[i] = std::move(r);
        while (delivered_ < cases_.size() && results_[delivered_]) {
            on_result_(*results_[delivered_]);
            results_[delivered_].reset();  // the 16 MiB echoes need not stay
            ++delivered_;
        }
    }

    const std::vector<const Case*>& cases_;
    const RunOptions& options_;
    const ResultFn& on_result_;
    net::Loop loop_;
    crypto::SecureMaskSource masks_;
    std::array<std::uint8_t, read_chunk> buf_{};
    std::map<std::size_t, Active> active_;
    std::vector<std::optional<CaseResult>> results_;
    std::size_t next_ = 0;
    std::size_t delivered_ = 0;
};

}  // namespace

void run_cases(const std::vector<const Case*>& cases, const RunOptions& options,
               const ResultFn& on_result) {
    auto runner = std::make_unique<Runner>(cases, options, on_result);  // 256 KiB buffer: heap
    runner->run();
}

}  // namespace wscope::check
