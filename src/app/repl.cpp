// The REPL loops: the client's own poll() loop over the socket and the terminal, and the listen
// mode console. Both turn typed lines into actions (repl_command) and carry them out here.
#include "app/repl.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <variant>

#include "app/inspector.hpp"
#include "app/repl_command.hpp"
#include "app/terminal_printer.hpp"
#include "crypto/mask_source.hpp"
#include "present/frame_line.hpp"
#include "present/quoted_text.hpp"
#include "present/style.hpp"
#include "proto/close_code.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

using proto::ByteView;
using proto::MessageType;
using session::Direction;

// A received text message is shown up to this size: beyond it a terminal is no help
// (the rest is counted, and pipe mode or --jsonl shows everything).
constexpr std::size_t max_text_shown = 1u << 20;
// A binary message shows one hex dump row's worth.
constexpr std::size_t binary_preview_bytes = 16;
// /file reads at most this much: a typo such as /file /dev/zero must not eat the memory.
constexpr std::uintmax_t max_file_size = 64u << 20;

// ---------------------------------------------------------------------------- the screen

void write_out(std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Lines for the user. They go to stdout, which the Terminal shows above the prompt, in order
// with everything else the program writes.
class Screen {
  public:
    explicit Screen(bool colour) { style_.colour = colour; }

    void incoming(std::string_view text) const { line(present::Tone::incoming, text); }
    void error(std::string_view text) const { line(present::Tone::error, text); }
    void note(std::string_view text) const { write_out("* " + std::string(text) + "\n"); }
    void text(std::string_view text) const { write_out(text); }

  private:
    void line(present::Tone tone, std::string_view text) const {
        write_out(present::painted(style_, tone, text) + "\n");
    }
    present::Style style_;
};

std::string ms_text(std::chrono::microseconds us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(us.count()) / 1000.0);
    return buf;
}

// `1000 (normal) "bye"`, or `no status code`.
std::string close_text(std::optional<std::uint16_t> code, std::string_view reason) {
    std::string out =
        code ? std::to_string(*code) + " (" + std::string(proto::close_code_name(*code)) + ")"
             : std::string("no status code");
    if (!reason.empty()) {
        out.push_back(' ');
        present::append_quoted(out, proto::as_bytes(reason), proto::max_close_reason);
    }
    return out;
}

// Text for the screen: control characters as ^X (a peer cannot drive the terminal), and the
// lines after the first indented under the "< " mark.
std::string displayed(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            out += "\n  ";
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            out.push_back('^');
            out.push_back(static_cast<char>(c ^ 0x40));
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

// "48 65 6c 6c 6f  |Hello|"
std::string hex_preview(ByteView data) {
    static const char* hex = "0123456789abcdef";
    std::string bytes, ascii;
    for (std::uint8_t b : data) {
        if (!bytes.empty()) bytes.push_back(' ');
        bytes.push_back(hex[b >> 4]);
        bytes.push_back(hex[b & 15]);
        ascii.push_back(b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.');
    }
    return bytes + "  |" + ascii + "|";
}

// A received message, gathered piece by piece as far as it will be shown.
class IncomingMessage {
  public:
    void start(MessageType type) {
        type_ = type;
        kept_.clear();
        size_ = 0;
    }
    void add(ByteView data) {
        const std::size_t limit =
            type_ == MessageType::text ? max_text_shown : binary_preview_bytes;
        const std::size_t take = std::min(data.size(), limit - std::min(limit, kept_.size()));
        kept_.insert(kept_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
        size_ += data.size();
    }
    // "< hello", or "< [binary 5 bytes] 48 65 6c 6c 6f  |Hello|"
    [[nodiscard]] std::string describe() const {
        const std::string more =
            size_ > kept_.size() ? " … (" + std::to_string(size_) + " bytes)" : "";
        if (type_ == MessageType::text) return "< " + displayed(proto::as_chars(kept_)) + more;
        std::string out =
            "< [binary " + std::to_string(size_) + (size_ == 1 ? " byte]" : " bytes]");
        if (!kept_.empty()) out += " " + hex_preview(kept_) + (size_ > kept_.size() ? " …" : "");
        return out;
    }

  private:
    MessageType type_ = MessageType::text;
    proto::Bytes kept_;
    std::uint64_t size_ = 0;
};

// ---------------------------------------------------------------------------- sending

struct SendContext {
    crypto::MaskSource& masks;
    proto::Role role;
    bool binary_lines;  // -b: typed lines go out as binary messages
    bool frames_shown;  // -F: the inspector shows every frame sent
};

// /file's contents, ready to send.
struct LoadedFile {
    MessageType type = MessageType::text;
    proto::Bytes data;
};

// Reads /file's file, or says why not (naming the file).
std::variant<LoadedFile, std::string> load_file(const repl::SendFile& f) {
    std::string path = f.path;
    if (path.starts_with("~/"))
        if (const char* home = std::getenv("HOME")) path = home + path.substr(1);
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot read " + f.path + ": " + std::strerror(errno);
    LoadedFile file;
    file.type = f.binary ? MessageType::binary : MessageType::text;
    char buf[64 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        file.data.insert(file.data.end(), buf, buf + in.gcount());
        if (file.data.size() > max_file_size) return f.path + " is larger than 64 MiB: not sent";
    }
    if (in.bad()) return "cannot read " + f.path;
    if (!f.binary && !proto::is_valid_utf8(file.data))
        return f.path + " is not valid UTF-8: not sent as text (/file -b " + f.path +
               " sends it as binary)";
    return file;
}

std::string file_note(const repl::SendFile& f, const LoadedFile& file) {
    return "sent " + f.path + ": " + std::to_string(file.data.size()) + " bytes as " +
           (file.type == MessageType::text ? "text" : "binary");
}

void send_fragments(session::Session& s, const repl::SendFragments& f) {
    const ByteView text = proto::as_bytes(f.text);
    for (std::size_t i = 0; i < f.frames; ++i) {
        const std::size_t from = text.size() * i / f.frames;
        const std::size_t to = text.size() * (i + 1) / f.frames;
        s.send_fragment(MessageType::text, text.subspan(from, to - from), i == 0,
                        i + 1 == f.frames);
    }
}

// The header as it will go out: /frame's mask= choice resolved for this side.
proto::FrameHeader frame_header(const repl::SendFrame& f, const SendContext& ctx) {
    proto::FrameHeader h = f.header;
    switch (f.mask) {
        case repl::FrameMask::automatic:
            if (ctx.role == proto::Role::client)
                h.mask = ctx.masks.next();
            else
                h.mask.reset();
            break;
        case repl::FrameMask::random:
            h.mask = ctx.masks.next();
            break;
        case repl::FrameMask::off:
            h.mask.reset();
            break;
        case repl::FrameMask::key:
            break;
    }
    return h;
}

std::string fragments_note(const repl::SendFragments& f) {
    return "sent " + std::to_string(f.text.size()) + " bytes of text in " +
           std::to_string(f.frames) + (f.frames == 1 ? " frame" : " frames");
}

// "sent >> RSV3 (0x3) fin=1 rsv=101 len=2 "hi"": the frame line that -F would show.
std::string frame_note(const proto::FrameHeader& h, proto::ByteView payload) {
    present::FrameInfo info;
    info.dir = present::Direction::out;
    info.header = h;
    info.payload = payload;
    return "sent " + present::frame_line(info);
}

// Puts a sending action on one session's wire: messages, control frames, a raw frame, a close.
// Returns what to tell the user, or "" when the screen shows it already (typed text stays on
// its prompt line; a pong will show the RTT; -F shows frames).
std::string send_action(session::Session& s, const repl::Action& a, const SendContext& ctx) {
    std::string note;
    if (const auto* t = std::get_if<repl::SendText>(&a)) {
        s.send_message(ctx.binary_lines ? MessageType::binary : MessageType::text,
                       proto::as_bytes(t->text));
    } else if (const auto* b = std::get_if<repl::SendBinary>(&a)) {
        s.send_message(MessageType::binary, b->data);
        note = "sent a binary message of " + std::to_string(b->data.size()) + " bytes";
    } else if (const auto* f = std::get_if<repl::SendFragments>(&a)) {
        send_fragments(s, *f);
        note = fragments_note(*f);
    } else if (const auto* p = std::get_if<repl::SendPing>(&a)) {
        s.send_ping(proto::as_bytes(p->payload));
    } else if (const auto* q = std::get_if<repl::SendPong>(&a)) {
        s.send_pong(proto::as_bytes(q->payload));
    } else if (const auto* r = std::get_if<repl::SendFrame>(&a)) {
        const proto::FrameHeader h = frame_header(*r, ctx);
        s.send_raw(h, r->payload);
        if (!ctx.frames_shown) note = frame_note(h, r->payload);
    } else if (const auto* c = std::get_if<repl::Close>(&a)) {
        s.close(c->code, c->reason);
        note = "sent close " + close_text(c->code, c->reason) + "; waiting for the peer's close";
    }
    s.pump();
    return note;
}

void show_invalid(const Screen& screen, const repl::Invalid& bad) {
    screen.error("! " + bad.message);
    if (!bad.usage.empty()) screen.text("  usage: " + bad.usage + "\n");
}

std::unique_ptr<crypto::MaskSource> make_masks(const ClientOptions& o) {
    if (o.mask_seed) return std::make_unique<crypto::SeededMaskSource>(*o.mask_seed);
    return std::make_unique<crypto::SecureMaskSource>();
}

TerminalSetup terminal_setup(bool colour, repl::Side side) {
    TerminalSetup t;
    t.colour = colour;
    t.complete = [side](std::string_view before, std::string_view word) {
        return repl::complete(before, word, side);
    };
    t.history_file = history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
    return t;
}

// ---------------------------------------------------------------------------- the client

// Shows what the peer sends: messages, closes, the RTT of our pings. Everything also goes to
// the inspector, whose lines (-F/-X/-P/-v) show above the prompt as well.
class ClientView final : public session::Observer {
  public:
    ClientView(const Screen& screen, session::Observer* inspector, bool inspector_shows_rtt)
        : screen_(screen), inspector_(inspector), inspector_shows_rtt_(inspector_shows_rtt) {}

    bool wants_frames() const override { return inspector_ && inspector_->wants_frames(); }
    void on_frame_header(Direction d, const proto::FrameHeader& h, ByteView raw) override {
        inspector_->on_frame_header(d, h, raw);
    }
    void on_frame_payload(Direction d, ByteView data, std::uint64_t off, bool end) override {
        inspector_->on_frame_payload(d, data, off, end);
    }
    void on_message(MessageType type, ByteView data, bool first, bool last) override {
        if (inspector_) inspector_->on_message(type, data, first, last);
        if (first) message_.start(type);
        message_.add(data);
        if (last) screen_.incoming(message_.describe());
    }
    void on_ping(Direction d, ByteView p) override {
        if (inspector_) inspector_->on_ping(d, p);
    }
    void on_pong(Direction d, ByteView p, std::optional<std::chrono::microseconds> rtt) override {
        if (inspector_) inspector_->on_pong(d, p, rtt);
        if (!rtt || inspector_shows_rtt_) return;
        std::string line = "pong ";
        present::append_quoted(line, p, proto::max_control_payload);
        screen_.note(line + ": rtt " + ms_text(*rtt));
    }
    void on_close(Direction d, std::optional<std::uint16_t> code,
                  std::string_view reason) override {
        if (inspector_) inspector_->on_close(d, code, reason);
        if (d == Direction::in) screen_.note("peer closed: " + close_text(code, reason));
    }
    void on_violation(const proto::Error& e) override {
        if (inspector_) inspector_->on_violation(e);
    }

  private:
    const Screen& screen_;
    session::Observer* inspector_;
    bool inspector_shows_rtt_;
    IncomingMessage message_;
};


class ClientRepl {
  public:
    ClientRepl(net::Stream& stream, const ClientOptions& o,
               const std::optional<proto::DeflateParams>& deflate, session::Observer* inspector,
               const Timings& timings)
        : o_(o),
          timings_(timings),
          colour_(use_colour(o.out.color, STDOUT_FILENO)),
          screen_(colour_),
          masks_(make_masks(o)),
          view_(screen_, inspector, inspector && o.out.show_ping_pong && !o.out.frames),
          session_(stream, client_session_options(o, deflate), *masks_, view_, time_),
          terminal_(
              terminal_setup(colour_, repl::Side::client),
              [this](std::optional<std::string> line) { on_line(std::move(line)); },
              [this] { close(static_cast<std::uint16_t>(proto::CloseCode::going_away), {}); }) {}

    SessionEnd run(ByteView leftover);

  private:
    void on_line(std::optional<std::string> line);
    void perform(const repl::Action& action);
    void send_file(const repl::SendFile& f);
    void close(std::uint16_t code, std::string_view reason);
    [[nodiscard]] int poll_timeout() const;

    const ClientOptions& o_;
    Timings timings_;
    bool colour_;  // decided while stdout is still the terminal
    Screen screen_;
    session::SteadyTime time_;
    std::unique_ptr<crypto::MaskSource> masks_;
    ClientView view_;
    session::Session session_;
    Terminal terminal_;  // last: it captures the output once everything else is ready
};

void ClientRepl::on_line(std::optional<std::string> line) {
    if (!line) {
        close(o_.close_code, o_.close_reason);  // Ctrl-D
        return;
    }
    perform(repl::parse_line(*line, repl::Side::client));
}

void ClientRepl::perform(const repl::Action& action) {
    if (const auto* bad = std::get_if<repl::Invalid>(&action)) return show_invalid(screen_, *bad);
    if (std::holds_alternative<repl::Nothing>(action)) return;
    if (std::holds_alternative<repl::ShowHelp>(action))
        return screen_.text(repl::help_text(repl::Side::client));
    if (std::holds_alternative<repl::ShowStats>(action))
        return screen_.text(format_stats(&timings_, session_.stats(), time_.now()));
    if (std::holds_alternative<repl::Quit>(action)) return close(o_.close_code, o_.close_reason);
    if (const auto* c = std::get_if<repl::Close>(&action)) return close(c->code, c->reason);
    if (const auto* f = std::get_if<repl::SendFile>(&action)) return send_file(*f);
    SendContext ctx{*masks_, proto::Role::client, o_.binary, o_.out.frames};
    if (std::string note = send_action(session_, action, ctx); !note.empty()) screen_.note(note);
    if (session_.closing()) terminal_.close_input();  // e.g. /frame op=close
}

void ClientRepl::send_file(const repl::SendFile& f) {
    const auto loaded = load_file(f);
    if (const auto* error = std::get_if<std::string>(&loaded)) return screen_.error("! " + *error);
    const auto& file = std::get<LoadedFile>(loaded);
    session_.send_message(file.type, file.data);
    session_.pump();
    screen_.note(file_note(f, file));
}

// Starts the closing handshake; the loop ends when the peer's Close arrives (or times out).
void ClientRepl::close(std::uint16_t code, std::string_view reason) {
    terminal_.close_input();
    if (session_.closing() || session_.finished()) return;
    session_.close(code, reason);
    const bool inspector_shows_it = o_.out.verbose > 0 || o_.out.frames;
    if (!inspector_shows_it)
        screen_.note("sent close " + close_text(code, reason) + "; waiting for the peer's close");
}

int ClientRepl::poll_timeout() const {
    const std::optional<session::TimePoint> t = session_.next_deadline();
    if (!t) return -1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*t - time_.now()).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1 << 30));
}

SessionEnd ClientRepl::run(ByteView leftover) {
    session_.start(leftover);
    while (!session_.finished()) {
        if (session_.closing()) terminal_.close_input();  // the peer closed, or we did
        terminal_.flush();
        pollfd fds[2]{{session_.fd(), session_.events(), 0}, {terminal_.fd(), POLLIN, 0}};
        const int n = ::poll(fds, 2, session_.has_buffered() ? 0 : poll_timeout());
        if (n < 0 && errno != EINTR) break;
        if (fds[1].revents) terminal_.on_readable();
        if (fds[0].revents || session_.has_buffered()) session_.on_ready(fds[0].revents);
        session_.tick();
    }
    terminal_.close_input();
    terminal_.flush();
    return {session_.failure(), session_.stats()};
}

// ---------------------------------------------------------------------------- listen mode

// "[1] 127.0.0.1:5000 /chat, open for 12.345 s" and a line of counts.
std::string peer_stats(const ListenPeer& p, session::TimePoint now) {
    const session::SessionStats& s = p.session->stats();
    const auto open = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.started);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f s", static_cast<double>(open.count()) / 1000.0);
    std::string text = "[" + std::to_string(p.id) + "] " + p.name + ", open for " + seconds + "\n";
    text += "    messages " + std::to_string(s.messages_out) + " sent, " +
            std::to_string(s.messages_in) + " received; frames " + std::to_string(s.frames_out) +
            " sent, " + std::to_string(s.frames_in) + " received; bytes " +
            std::to_string(s.bytes_out) + " sent, " + std::to_string(s.bytes_in) + " received";
    if (s.rtt_count > 0)
        text += "; ping rtt avg " + ms_text(std::chrono::microseconds(s.rtt_total / s.rtt_count));
    return text + "\n";
}

class ListenRepl final : public ListenConsole {
  public:
    ListenRepl(const ListenOptions& o, Peers peers, std::function<void()> quit)
        : o_(o),
          peers_(std::move(peers)),
          quit_(std::move(quit)),
          colour_(use_colour(o.out.color, STDOUT_FILENO)),
          screen_(colour_),
          terminal_(
              terminal_setup(colour_, repl::Side::server),
              [this](std::optional<std::string> line) { on_line(std::move(line)); },
              [this] { shut_down(); }) {}

    pollfd poll_entry() override {
        terminal_.flush();
        return {terminal_.fd(), POLLIN, 0};
    }
    void on_readable() override { terminal_.on_readable(); }

  private:
    void on_line(std::optional<std::string> line) {
        if (!line) return shut_down();
        perform(repl::parse_line(*line, repl::Side::server));
    }
    void perform(const repl::Action& action);
    void send(const repl::Action& action);
    void send_file(const repl::SendFile& f);
    void choose(const repl::ChooseTarget& t);
    void list_clients();
    void show_stats();
    void shut_down() {
        terminal_.close_input();
        quit_();
    }
    // The chosen clients that are still here; says so when there are none.
    std::vector<ListenPeer> targets();

    const ListenOptions& o_;
    Peers peers_;
    std::function<void()> quit_;
    bool colour_;  // decided while stdout is still the terminal
    Screen screen_;
    session::SteadyTime time_;
    crypto::SecureMaskSource masks_;
    std::optional<unsigned> target_;  // empty: all clients
    Terminal terminal_;               // last: it captures the output once everything else is ready
};

void ListenRepl::perform(const repl::Action& action) {
    if (const auto* bad = std::get_if<repl::Invalid>(&action)) return show_invalid(screen_, *bad);
    if (std::holds_alternative<repl::Nothing>(action)) return;
    if (std::holds_alternative<repl::ShowHelp>(action))
        return screen_.text(repl::help_text(repl::Side::server));
    if (std::holds_alternative<repl::ShowStats>(action)) return show_stats();
    if (std::holds_alternative<repl::ListClients>(action)) return list_clients();
    if (std::holds_alternative<repl::Quit>(action)) return shut_down();
    if (const auto* t = std::get_if<repl::ChooseTarget>(&action)) return choose(*t);
    if (const auto* f = std::get_if<repl::SendFile>(&action)) return send_file(*f);
    send(action);
}

void ListenRepl::send(const repl::Action& action) {
    const std::vector<ListenPeer> to = targets();
    if (to.empty()) return;
    SendContext ctx{masks_, proto::Role::server, o_.binary, o_.out.frames};
    std::string note;
    for (const ListenPeer& p : to) note = send_action(*p.session, action, ctx);
    if (!note.empty() && (to.size() > 1 || target_))
        note += to.size() == 1 ? " (client " + std::to_string(to.front().id) + ")"
                               : " (" + std::to_string(to.size()) + " clients)";
    if (!note.empty()) screen_.note(note);
}

void ListenRepl::send_file(const repl::SendFile& f) {
    const auto loaded = load_file(f);
    if (const auto* error = std::get_if<std::string>(&loaded)) return screen_.error("! " + *error);
    const auto& file = std::get<LoadedFile>(loaded);
    const std::vector<ListenPeer> to = targets();
    for (const ListenPeer& p : to) {
        p.session->send_message(file.type, file.data);
        p.session->pump();
    }
    if (!to.empty()) screen_.note(file_note(f, file));
}

std::vector<ListenPeer> ListenRepl::targets() {
    std::vector<ListenPeer> all = peers_();
    if (!target_) {
        if (all.empty()) screen_.error("! no client is connected: not sent");
        return all;
    }
    for (const ListenPeer& p : all)
        if (p.id == *target_) return {p};
    screen_.error("! client " + std::to_string(*target_) +
                  " is gone: not sent (/to all, or /clients)");
    return {};
}

void ListenRepl::choose(const repl::ChooseTarget& t) {
    if (t.client) {
        const std::vector<ListenPeer> all = peers_();
        if (std::none_of(all.begin(), all.end(),
                         [&](const ListenPeer& p) { return p.id == *t.client; }))
            return screen_.error("! no client " + std::to_string(*t.client) + " (see /clients)");
    }
    target_ = t.client;
    terminal_.set_prompt(target_ ? "[" + std::to_string(*target_) + "]> " : "> ");
    screen_.note(target_ ? "sending to client " + std::to_string(*target_) + " only"
                         : "sending to all clients");
}

void ListenRepl::list_clients() {
    const std::vector<ListenPeer> all = peers_();
    if (all.empty()) return screen_.note("no client is connected");
    std::string text;
    for (const ListenPeer& p : all)
        text += "[" + std::to_string(p.id) + "] " + p.name + (target_ == p.id ? "  (chosen)" : "") +
                "\n";
    screen_.text(text);
}

void ListenRepl::show_stats() {
    const std::vector<ListenPeer> all = peers_();
    if (all.empty()) return screen_.note("no client is connected");
    std::string text;
    for (const ListenPeer& p : all) text += peer_stats(p, time_.now());
    screen_.text(text);
}

}  // namespace

bool client_wants_repl(const ClientOptions& o) {
    return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && o.data.empty() && !o.echo &&
           !o.out.jsonl && o.count == 0 && o.wait < 0 && o.framing == Framing::lines;
}

SessionEnd run_repl(net::Stream& stream, ByteView leftover, const ClientOptions& options,
                    const std::optional<proto::DeflateParams>& deflate,
                    session::Observer* inspector, const Timings& timings) {
    ClientRepl repl(stream, options, deflate, inspector, timings);
    return repl.run(leftover);
}

std::string history_path(const char* xdg_state_home, const char* home) {
    if (xdg_state_home && xdg_state_home[0] == '/')
        return std::string(xdg_state_home) + "/wscope/history";
    if (home && home[0] == '/') return std::string(home) + "/.local/state/wscope/history";
    return {};
}

bool listen_wants_repl(const ListenOptions& o) {
    return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && !o.echo && !o.out.jsonl;
}

std::unique_ptr<ListenConsole> make_listen_console(const ListenOptions& options,
                                                   ListenConsole::Peers peers,
                                                   std::function<void()> quit) {
    return std::make_unique<ListenRepl>(options, std::move(peers), std::move(quit));
}

}  // namespace wscope::app
