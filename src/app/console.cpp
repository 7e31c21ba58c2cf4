// The console (console.hpp): gathering, stamping, painting and writing fd 1 and fd 2.
#include "app/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "net/event_loop.hpp"
#include "present/utf8_step.hpp"

namespace wscope::app {
namespace {

// Gathered output is written once it reaches this size, even before the loop waits; data
// larger than this goes out directly, without a copy.
constexpr std::size_t flush_threshold = 256 * 1024;
// Asynchronous stdout: above this much unwritten, the producers are asked to pause.
constexpr std::size_t out_budget = 8u << 20;
// Asynchronous stderr: above this much unwritten, diagnostic lines are counted, not kept.
constexpr std::size_t err_budget = 1u << 20;

bool same_terminal(int a, int b) {
    struct stat sa {}, sb {};
    return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && S_ISCHR(sa.st_mode) &&
           sa.st_rdev == sb.st_rdev;
}

// A pipe or socket: the only kinds a write can block on for long, and that epoll can watch.
bool can_block(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

// The length of an SGR colour sequence (ESC [ digits/semicolons m) starting at text[i], or 0.
std::size_t sgr_length(std::string_view text, std::size_t i) {
    if (i + 2 >= text.size() || text[i + 1] != '[') return 0;
    std::size_t j = i + 2;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == ';')) ++j;
    return j < text.size() && text[j] == 'm' ? j + 1 - i : 0;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
        if (c == '\n' || c == '\t') {
            out.push_back(static_cast<char>(c));
        } else if (c == '\r' && next == '\n') {
            continue;  // CRLF line ends print as plain line ends
        } else if (c == 0x1b && sgr_length(text, i) > 0) {
            const std::size_t len = sgr_length(text, i);
            out.append(text.substr(i, len));
            i += len - 1;
        } else if (c < 0x20 || c == 0x7f) {
            out.push_back('^');
            out.push_back(static_cast<char>(c ^ 0x40));
        } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
            out += "\\u00";  // a C1 control, e.g. U+009B (CSI)
            out.push_back(hex[next >> 4]);
            out.push_back(hex[next & 15]);
            ++i;
        } else if (c >= 0x80) {
            // Non-ASCII: a well-formed UTF-8 sequence as it is; any other byte as \xNN, since
            // a terminal set to 8-bit controls reads a lone 0x80-0x9f (0x9b: CSI) as a control.
            const auto step = present::utf8_step(proto::as_bytes(text), i);
            if (step.kind == present::Utf8Step::Kind::ok) {
                out.append(text.substr(i, step.len));
                i += step.len - 1;
            } else {
                out += "\\x";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
            }
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

Console::Console(const ConsoleSetup& setup) : setup_(setup) {
    out_.fd = STDOUT_FILENO;
    err_.fd = STDERR_FILENO;
    out_.tty = setup.out_tty;
    err_.tty = setup.err_tty;
    out_style_.colour = setup.colour_out;
    err_style_.colour = setup.colour_err;
    merged_ = setup.out_tty && setup.err_tty && same_terminal(STDOUT_FILENO, STDERR_FILENO);
}

Console::~Console() {
    detach();
    flush();
}

void Console::detach() {
    if (loop_) {
        loop_->unwatch(out_.fd);
        loop_->unwatch(err_.fd);
    }
    loop_ = nullptr;
    async_ = false;  // from now on, writes wait for the reader
    for (Stream* s : {&out_, &err_})
        if (s->nonblocking_set) {
            s->nonblocking_set = false;
            ::fcntl(s->fd, F_SETFL, s->saved_flags);
        }
    flush();
}

std::string Console::stamp() const {
    using TS = OutputOptions::Timestamps;
    char buf[48];
    if (setup_.timestamps == TS::relative) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
        std::snprintf(buf, sizeof buf, "+%lld.%06lld ", static_cast<long long>(us / 1000000),
                      static_cast<long long>(us % 1000000));
        return buf;
    }
    if (setup_.timestamps == TS::wall) {
        const auto now = std::chrono::system_clock::now();
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
            1000000;
        std::tm tm{};
        localtime_r(&t, &tm);
        std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06lld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<long long>(us));
        return buf;
    }
    return {};
}

// ---------------------------------------------------------------------------- gathering

void Console::add(Stream& s, std::string_view text) {
    if (s.broken) return;
    if (async_ && &s == &err_ && s.buf.size() - s.pos > err_budget) {
        ++s.dropped_lines;
        return;
    }
    if (s.tty) {
        s.buf += terminal_safe(text);
    } else {
        s.buf.append(text);
    }
    if (!async_ && s.buf.size() >= flush_threshold) flush();
}

void Console::add_line(Stream& s, std::string_view prefix, std::string_view text, bool stamped) {
    std::string line;
    line.reserve(prefix.size() + text.size() + 24);
    if (stamped) line += stamp();
    line.append(prefix).append(text).push_back('\n');
    add(s, line);
}

void Console::data(proto::ByteView bytes) {
    if (out_.broken) return;
    if (async_ || out_.buf.size() + bytes.size() < flush_threshold) {
        out_.buf.append(proto::as_chars(bytes));
        return;
    }
    // Large data goes out directly, without a copy into the batch.
    flush();
    write_direct(out_, bytes);
}

void Console::out_line(std::string_view line) {
    if (out_.broken) return;
    out_.buf.append(line);
    if (line.empty() || line.back() != '\n') out_.buf.push_back('\n');
    if (!async_ && out_.buf.size() >= flush_threshold) flush();
}

void Console::show(present::Tone tone, std::string_view line) {
    add_line(out_, {}, present::painted(out_style_, tone, line), setup_.timestamps != OutputOptions::Timestamps::none);
}

void Console::show_text(std::string_view text) { add(out_, text); }

void Console::error(std::string_view message) {
    add_line(err_target(), "wscope: error: ", message, true);
}

void Console::warning(std::string_view message) {
    if (!setup_.quiet) add_line(err_target(), "wscope: warning: ", message, true);
}

void Console::note(std::string_view message) {
    if (!setup_.quiet) add_line(err_target(), "wscope: ", message, true);
}

void Console::always(std::string_view message) { add_line(err_target(), "wscope: ", message, true); }

void Console::trace(std::string_view line) {
    if (setup_.verbose > 0) add_line(err_target(), {}, line, true);
}

void Console::diag(std::string_view line) { add_line(err_target(), {}, line, true); }

void Console::diag_text(std::string_view text) { add(err_target(), text); }

// ---------------------------------------------------------------------------- writing

void Console::note_error(Stream& s, int err) {
    s.broken = true;
    s.buf.clear();
    s.pos = 0;
    if (&s == &out_ && err != EPIPE && write_error_.empty())
        write_error_ = std::string("cannot write to stdout: ") + std::strerror(err);
}

void Console::write_direct(Stream& s, proto::ByteView data) {
    std::size_t done = 0;
    while (done < data.size() && !s.broken) {
        const ssize_t n = ::write(s.fd, data.data() + done, data.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            pollfd p{s.fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            note_error(s, n < 0 ? errno : EIO);
        }
    }
}

bool Console::write_out(Stream& s) {
    while (s.pos < s.buf.size() && !s.broken) {
        const ssize_t n = ::write(s.fd, s.buf.data() + s.pos, s.buf.size() - s.pos);
        if (n > 0) {
            s.pos += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            if (async_ && s.nonblocking_set) {
                if (s.pos >= (1u << 20)) {  // keep the unwritten tail only
                    s.buf.erase(0, s.pos);
                    s.pos = 0;
                }
                return false;
            }
            pollfd p{s.fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            note_error(s, n < 0 ? errno : EIO);
        }
    }
    s.buf.clear();
    s.pos = 0;
    if (s.buf.capacity() > 4 * flush_threshold) std::string().swap(s.buf);
    return true;
}

bool Console::flush() {
    if (err_.dropped_lines > 0 && err_.buf.size() - err_.pos <= err_budget / 2) {
        const std::uint64_t n = err_.dropped_lines;
        err_.dropped_lines = 0;
        add_line(err_, "wscope: ", std::to_string(n) + " diagnostic lines not shown: stderr was not read", true);
    }
    const bool any = out_.buf.size() > out_.pos || err_.buf.size() > err_.pos;
    if (any) {
        const bool redraw = prompt_ != nullptr && (out_.tty || err_.tty);
        if (redraw) prompt_->hide();
        write_out(out_);
        write_out(err_);
        if (redraw) prompt_->show();
    }
    if (loop_) update_interest();
    return !out_.broken;
}

void Console::update_interest() {
    for (Stream* s : {&out_, &err_})
        if (s->nonblocking_set) loop_->set_interest(s->fd, s->buf.size() > s->pos ? net::writable : 0);
}

bool Console::backlogged() const { return async_ && out_.buf.size() - out_.pos > out_budget; }

void Console::attach(net::Loop& loop, bool async) {
    loop_ = &loop;
    async_ = async;
    loop.before_wait([this] { flush(); });
    if (!async) return;
    for (Stream* s : {&out_, &err_}) {
        if (s == &err_ && merged_) continue;
        if (!can_block(s->fd)) continue;  // a terminal or a file: writes go straight through
        s->saved_flags = ::fcntl(s->fd, F_GETFL);
        if (s->saved_flags < 0 || ::fcntl(s->fd, F_SETFL, s->saved_flags | O_NONBLOCK) != 0) continue;
        s->nonblocking_set = true;
        loop.watch(s->fd, 0, [this](std::uint32_t) { flush(); });
    }
}

}  // namespace wscope::app
