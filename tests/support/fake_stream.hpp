// A net::Stream driven by a script, for session tests (websocat's ioless tests, Beast's
// fail_count streams): no sockets, no threads, no waiting.
//
// Reads: a queue of steps. A data step hands out its bytes — at most read_limit per call, so
// one step can become many short reads — and is popped when empty; want_read / want_write
// steps are popped after one call; eof and error steps stay at the front forever, as on a real
// socket. An empty queue reads as want_read, after giving the responder (if any) one chance to
// script a reply from what has been written so far.
//
// Writes: everything accepted is appended to written(). Each call accepts at most write_limit
// bytes; set_writable(false) refuses every write with want_write (a full socket buffer);
// want_write_every(n) refuses one call after every n accepted ones (a buffer that fills up
// and drains, so the caller has to come back on POLLOUT); push_write_result() scripts the
// next calls' results (e.g. an error). A write after shutdown_write() is an error and is
// remembered, so a test can check that it never happens.
//
// A caller that keeps calling after eof or error would spin forever; past call_budget calls
// (read or write) every call fails with an error and budget_exceeded() is set, so a looping
// caller ends and the test fails instead of hanging.
//
// fd() is -1: tests call the session's on_ready() directly and never poll this stream.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "net/stream.hpp"
#include "proto/bytes.hpp"

namespace wscope::test {

class FakeStream final : public net::Stream {
  public:
    using Status = net::IoResult::Status;

    // ---- scripting reads ----
    void push_read(proto::ByteView bytes) {
        if (bytes.empty()) return;  // an empty ok read would be a 0-byte "success": not a thing
        reads_.push_back({Status::ok, proto::Bytes(bytes.begin(), bytes.end()), {}});
    }
    void push_read(std::string_view text) { push_read(proto::as_bytes(text)); }
    // Each byte as its own step: one byte per read_some() whatever read_limit says.
    void push_read_bytewise(proto::ByteView bytes) {
        for (std::size_t i = 0; i < bytes.size(); ++i) push_read(bytes.subspan(i, 1));
    }
    void push_want_read() { reads_.push_back({Status::want_read, {}, {}}); }
    void push_read_want_write() { reads_.push_back({Status::want_write, {}, {}}); }
    void push_eof() { reads_.push_back({Status::eof, {}, {}}); }
    void push_read_error(std::string message) {
        reads_.push_back({Status::error, {}, std::move(message)});
    }
    // At most k bytes per successful read (0: as many as the caller's buffer holds).
    void set_read_limit(std::size_t k) { read_limit_ = k; }
    // Called when a read finds nothing scripted; it may push steps (e.g. an HTTP response
    // computed from written()). Called at most once per read_some().
    void set_responder(std::function<void(FakeStream&)> responder) {
        responder_ = std::move(responder);
    }

    // ---- scripting writes ----
    void set_write_limit(std::size_t k) { write_limit_ = k; }
    void set_writable(bool writable) { writable_ = writable; }
    void want_write_every(std::size_t n) {
        want_write_every_ = n;
        accepted_since_block_ = 0;
    }
    void push_write_result(net::IoResult r) { write_script_.push_back(std::move(r)); }

    // ---- what happened ----
    [[nodiscard]] const proto::Bytes& written() const { return written_; }
    void clear_written() { written_.clear(); }
    [[nodiscard]] bool write_shut() const { return shutdown_count_ > 0; }
    [[nodiscard]] int shutdown_count() const { return shutdown_count_; }
    [[nodiscard]] bool wrote_after_shutdown() const { return wrote_after_shutdown_; }
    [[nodiscard]] bool budget_exceeded() const { return budget_exceeded_; }
    [[nodiscard]] std::size_t read_calls() const { return read_calls_; }
    [[nodiscard]] std::size_t write_calls() const { return write_calls_; }
    // Scripted data bytes not read yet.
    [[nodiscard]] std::size_t unread() const {
        std::size_t n = 0;
        for (const auto& s : reads_) n += s.bytes.size() - s.pos;
        return n;
    }
    // The scripted data bytes not read yet, in order.
    [[nodiscard]] proto::Bytes unread_bytes() const {
        proto::Bytes out;
        for (const auto& s : reads_)
            out.insert(out.end(), s.bytes.begin() + static_cast<std::ptrdiff_t>(s.pos),
                       s.bytes.end());
        return out;
    }
    // Whether everything scripted has been consumed (sticky eof/error steps count as pending).
    [[nodiscard]] bool script_done() const { return reads_.empty(); }

    // ---- net::Stream ----
    net::IoResult read_some(proto::MutableByteView buf) override {
        if (++read_calls_ > call_budget) return over_budget();
        if (reads_.empty() && responder_) responder_(*this);
        if (reads_.empty()) return {Status::want_read, 0, {}, false};
        Step& step = reads_.front();
        switch (step.status) {
            case Status::ok: {
                std::size_t n = std::min(buf.size(), step.bytes.size() - step.pos);
                if (read_limit_ != 0) n = std::min(n, read_limit_);
                if (n == 0) return {Status::want_read, 0, {}, false};  // a 0-byte buffer
                std::copy_n(step.bytes.begin() + static_cast<std::ptrdiff_t>(step.pos), n,
                            buf.begin());
                step.pos += n;
                if (step.pos == step.bytes.size()) reads_.pop_front();
                return {Status::ok, n, {}, false};
            }
            case Status::want_read:
            case Status::want_write: {
                const Status s = step.status;
                reads_.pop_front();
                return {s, 0, {}, false};
            }
            case Status::eof:
                return {Status::eof, 0, {}, false};
            case Status::error:
                return {Status::error, 0, step.message, false};
        }
        return {Status::error, 0, "unreachable", false};
    }

    net::IoResult write_some(proto::ByteView buf) override {
        if (++write_calls_ > call_budget) return over_budget();
        if (shutdown_count_ > 0) {
            wrote_after_shutdown_ = true;
            return {Status::error, 0, "write after shutdown_write()", false};
        }
        if (!write_script_.empty()) {
            net::IoResult r = std::move(write_script_.front());
            write_script_.pop_front();
            if (r.status != Status::ok) return r;
            // A scripted ok: accept r.n bytes (at most what was offered).
            return accept(buf, std::min(r.n, buf.size()));
        }
        if (!writable_) return {Status::want_write, 0, {}, false};
        if (want_write_every_ != 0 && accepted_since_block_ == want_write_every_) {
            accepted_since_block_ = 0;
            return {Status::want_write, 0, {}, false};
        }
        std::size_t n = buf.size();
        if (write_limit_ != 0) n = std::min(n, write_limit_);
        ++accepted_since_block_;
        return accept(buf, n);
    }

    void shutdown_write() override { ++shutdown_count_; }
    [[nodiscard]] int fd() const override { return -1; }
    [[nodiscard]] std::string peer_name() const override { return "fake-peer"; }

  private:
    struct Step {
        Status status = Status::ok;
        proto::Bytes bytes;
        std::string message;
        std::size_t pos = 0;  // bytes of a data step already read
    };

    // Far more calls than any test needs (a 1 MiB message in 3-byte writes takes 350 000).
    static constexpr std::size_t call_budget = 10'000'000;

    net::IoResult over_budget() {
        budget_exceeded_ = true;
        return {Status::error, 0, "FakeStream: call budget exceeded (a caller loops?)", false};
    }

    net::IoResult accept(proto::ByteView buf, std::size_t n) {
        if (n == 0) return {Status::want_write, 0, {}, false};
        written_.insert(written_.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        return {Status::ok, n, {}, false};
    }

    std::deque<Step> reads_;
    std::size_t read_limit_ = 0;
    std::function<void(FakeStream&)> responder_;

    proto::Bytes written_;
    std::size_t write_limit_ = 0;
    bool writable_ = true;
    std::size_t want_write_every_ = 0;
    std::size_t accepted_since_block_ = 0;
    std::deque<net::IoResult> write_script_;

    int shutdown_count_ = 0;
    bool wrote_after_shutdown_ = false;
    bool budget_exceeded_ = false;
    std::size_t read_calls_ = 0;
    std::size_t write_calls_ = 0;
};

}  // namespace wscope::test
