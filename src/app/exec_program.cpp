// A client's program on the loop (exec_program.hpp).
#include "app/exec_program.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "app/console.hpp"
#include "present/describe.hpp"
#include "present/quoted_text.hpp"

namespace wscope::app {

Program::Program(net::Loop& loop, Console& console, std::unique_ptr<ChildProcess> child,
                 const ProgramSetup& setup, std::function<void()> on_done)
    : loop_(loop),
      console_(console),
      child_(std::move(child)),
      setup_(setup),
      on_done_(std::move(on_done)),
      buf_(new std::uint8_t[read_size]) {
    loop_.watch(child_->exit_fd(), net::readable, [this](std::uint32_t) { on_exit_fd(); });
    loop_.watch(child_->stdout_fd(), net::readable, [this](std::uint32_t) { read_stdout(); });
    stdout_watched_ = true;
    loop_.watch(child_->stderr_fd(), net::readable, [this](std::uint32_t) { read_stderr(); });
}

Program::~Program() {
    *alive_ = false;
    for (auto* t : {&term_timer_, &kill_timer_, &drain_timer_})
        if (*t) loop_.cancel(**t);
    for (const int fd : {child_->exit_fd(), child_->stdin_fd(), child_->stdout_fd(), child_->stderr_fd()})
        if (fd >= 0) loop_.unwatch(fd);
}

std::string Program::tag() const { return "[" + std::to_string(setup_.id) + "] "; }

void Program::attach(ProgramListener* listener) {
    listener_ = listener;
    if (!listener_) {
        pause_output(false);  // dropped from now on: never block the program on a full pipe
        check_done();
    }
}

// ---------------------------------------------------------------------------- stdin

void Program::write_input(proto::ByteView data) {
    if (child_->stdin_fd() < 0 || data.empty()) return;
    if (input_pos_ == input_.size()) {
        input_.clear();
        input_pos_ = 0;
    }
    input_.insert(input_.end(), data.begin(), data.end());
    write_some();
}

void Program::write_some() {
    const bool was_backlogged = input_backlogged();
    while (pending_input() > 0) {
        const ssize_t n = ::write(child_->stdin_fd(), input_.data() + input_pos_, pending_input());
        if (n > 0) {
            input_pos_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        // EPIPE: the program closed its stdin or exited; what it did not take is dropped.
        input_.clear();
        input_pos_ = 0;
        close_stdin();
        break;
    }
    if (pending_input() == 0 && input_pos_ > 0) {
        proto::Bytes().swap(input_);
        input_pos_ = 0;
    } else if (input_pos_ > input_bound) {
        input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_pos_));
        input_pos_ = 0;
    }
    if (child_->stdin_fd() >= 0) {
        // Watched only while something waits: an idle pipe end must not report its hangup
        // on every pass.
        const bool want = pending_input() > 0;
        if (want && !stdin_watched_)
            loop_.watch(child_->stdin_fd(), net::writable, [this](std::uint32_t) { write_some(); });
        if (!want && stdin_watched_) loop_.unwatch(child_->stdin_fd());
        stdin_watched_ = want;
        if (!want && input_ended_) close_stdin();
    }
    if (was_backlogged && !input_backlogged() && listener_) listener_->on_input_drained();
}

void Program::close_stdin() {
    if (child_->stdin_fd() < 0) return;
    if (stdin_watched_) loop_.unwatch(child_->stdin_fd());
    stdin_watched_ = false;
    child_->close_stdin();
}

void Program::end_input() {
    if (input_ended_) return;
    input_ended_ = true;
    if (pending_input() == 0) close_stdin();
    if (child_->reaped()) return;
    const auto term_at = session::Clock::now() + setup_.close_timeout;
    term_timer_ = loop_.at(term_at, [this] {
        term_timer_.reset();
        escalate(SIGTERM);
    });
}

void Program::terminate(session::Duration grace) {
    if (child_->reaped() || kill_timer_) return;
    if (term_timer_) loop_.cancel(*std::exchange(term_timer_, std::nullopt));
    child_->signal_group(SIGTERM);
    kill_timer_ = loop_.at(session::Clock::now() + grace, [this] {
        kill_timer_.reset();
        escalate(SIGKILL);
    });
}

// SIGTERM once the client has been gone close_timeout; SIGKILL if that did not end it.
void Program::escalate(int signo) {
    if (child_->reaped()) return;
    if (signo == SIGTERM) {
        console_.note(tag() + "program still running " + present::seconds_text(setup_.close_timeout) +
                      " after the client left: sending SIGTERM");
        child_->signal_group(SIGTERM);
        const auto grace = std::max<session::Duration>(setup_.close_timeout, kill_grace_min);
        kill_timer_ = loop_.at(session::Clock::now() + grace, [this] {
            kill_timer_.reset();
            escalate(SIGKILL);
        });
        return;
    }
    console_.note(tag() + "program still running after SIGTERM: sending SIGKILL");
    child_->signal_group(SIGKILL);
}

// ---------------------------------------------------------------------------- stdout

void Program::pause_output(bool paused) {
    if (!listener_) paused = false;
    if (paused == output_paused_) return;
    output_paused_ = paused;
    if (child_->stdout_fd() < 0) return;
    // Unwatched rather than watched for nothing: a pipe whose writer is gone reports its
    // hangup whatever the interest.
    if (paused && stdout_watched_) loop_.unwatch(child_->stdout_fd());
    if (!paused && !stdout_watched_)
        loop_.watch(child_->stdout_fd(), net::readable, [this](std::uint32_t) { read_stdout(); });
    stdout_watched_ = !paused;
}

void Program::read_stdout() {
    if (child_->stdout_fd() < 0 || output_paused_) return;
    const ssize_t n = ::read(child_->stdout_fd(), buf_.get(), read_size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) return end_stdout();
    const proto::ByteView data(buf_.get(), static_cast<std::size_t>(n));
    if (!listener_) return;  // the client is gone: dropped
    if (setup_.binary) {
        listener_->on_output(data);
    } else {
        const auto sink = [this](proto::ByteView line, std::uint64_t) {
            if (listener_) listener_->on_output(line);
        };
        lines_.feed(data, sink);
        // A line without end is passed on at max_line: memory stays bounded.
        if (setup_.max_line > 0 && lines_.buffered() >= setup_.max_line) lines_.finish(sink);
    }
    if (listener_) listener_->on_output_done();
}

void Program::end_stdout() {
    if (child_->stdout_fd() < 0) return;
    if (listener_ && !setup_.binary) {
        lines_.finish([this](proto::ByteView line, std::uint64_t) { listener_->on_output(line); });
        listener_->on_output_done();
    }
    if (stdout_watched_) loop_.unwatch(child_->stdout_fd());
    stdout_watched_ = false;
    child_->close_stdout();
    check_exit();
    check_done();
}

// ---------------------------------------------------------------------------- stderr

void Program::read_stderr() {
    if (child_->stderr_fd() < 0) return;
    const ssize_t n = ::read(child_->stderr_fd(), buf_.get(), read_size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) return end_stderr();
    proto::ByteView data(buf_.get(), static_cast<std::size_t>(n));
    while (!data.empty()) {
        const auto* nl = static_cast<const std::uint8_t*>(std::memchr(data.data(), '\n', data.size()));
        const std::size_t upto = nl ? static_cast<std::size_t>(nl - data.data()) : data.size();
        const std::size_t take = std::min(upto, max_log_line - err_line_.size());
        err_line_.append(reinterpret_cast<const char*>(data.data()), take);
        data = data.subspan(take);
        const bool ended = !data.empty() && data.front() == '\n';
        if (ended) data = data.subspan(1);
        if (ended || err_line_.size() >= max_log_line) {
            log_stderr(proto::as_bytes(err_line_));
            err_line_.clear();
        }
    }
}

void Program::end_stderr() {
    if (child_->stderr_fd() < 0) return;
    if (!err_line_.empty()) log_stderr(proto::as_bytes(err_line_));
    err_line_.clear();
    loop_.unwatch(child_->stderr_fd());
    child_->close_stderr();
    check_done();
}

void Program::log_stderr(proto::ByteView line) {
    if (!line.empty() && line.back() == '\r') line = line.first(line.size() - 1);
    console_.always(tag() + "stderr: " + present::display_text(proto::as_chars(line)));
}

// ---------------------------------------------------------------------------- the end

void Program::on_exit_fd() {
    const auto status = child_->reap();
    if (!status) return;
    loop_.unwatch(child_->exit_fd());
    for (auto* t : {&term_timer_, &kill_timer_})
        if (*t) {
            loop_.cancel(**t);
            t->reset();
        }
    console_.note(tag() + "program ended: " + exit_status_text(*status));
    if (child_->stdout_fd() >= 0 || child_->stderr_fd() >= 0)
        drain_timer_ = loop_.at(session::Clock::now() + exit_drain, [this] { on_drain_deadline(); });
    close_stdin();
    check_exit();
    check_done();
}

void Program::on_drain_deadline() {
    drain_timer_.reset();
    // Still being read by a slow client: that is progress, not a held pipe.
    if (output_paused_ && listener_) {
        drain_timer_ = loop_.at(session::Clock::now() + exit_drain, [this] { on_drain_deadline(); });
        return;
    }
    end_stderr();
    end_stdout();
}

void Program::check_exit() {
    if (exit_told_ || !listener_ || !child_->reaped() || child_->stdout_fd() >= 0) return;
    exit_told_ = true;
    listener_->on_exit(*child_->reap());
}

void Program::check_done() {
    if (done_told_ || listener_ || !child_->reaped() || child_->stdout_fd() >= 0 || child_->stderr_fd() >= 0)
        return;
    done_told_ = true;
    if (drain_timer_) {
        loop_.cancel(*drain_timer_);
        drain_timer_.reset();
    }
    loop_.soon([this, alive = alive_] {
        if (*alive) on_done_();
    });
}

}  // namespace wscope::app
