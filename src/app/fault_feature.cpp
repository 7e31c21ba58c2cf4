// listen --fault (and --header, --greeting, --ping-interval): each client gets a FaultClient
// that applies the faults at their moment — the upgrade, the stream, the session's options,
// the open, the N-th received message — and marks every one it injects.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "app/console.hpp"
#include "app/faults.hpp"
#include "app/options.hpp"
#include "net/shaped_stream.hpp"
#include "present/jsonl.hpp"
#include "session/clock.hpp"

namespace wscope::app {

void mark_injected(Console& console, const ListenOptions& o, unsigned client, std::string_view what) {
    const std::string line = "[" + std::to_string(client) + "] injected: " + std::string(what);
    if (o.out.frames)
        console.diag(line);
    else
        console.trace("* " + line);
    if (o.out.jsonl) {
        present::JsonObject obj = present::injected_event(std::chrono::system_clock::now(), what);
        obj.number("client", client);
        console.out_line(obj.line());
    }
}

namespace {

using namespace std::chrono_literals;
// slow-read: the budget is handed out in tenths of a second.
constexpr auto slow_read_tick = 100ms;

class FaultClient final : public FaultInjector {
public:
    // extras: also --header, --greeting and --ping-interval/--ping-timeout.
    FaultClient(std::vector<Fault> faults, const ListenOptions& o, Console& console, unsigned id, bool extras)
        : faults_(std::move(faults)), o_(o), console_(console), id_(id), extras_(extras) {}
    // Its timers may outlive it (the loop may be going away too): they check alive_.
    ~FaultClient() override { *alive_ = false; }

    void on_accept(std::unique_ptr<net::Stream>& stream, net::Loop& loop) override {
        loop_ = &loop;
        for (const Fault& f : faults_) {
            if (f.kind == FaultKind::chop) {
                stream = std::make_unique<net::ChopStream>(std::move(stream), f.number);
            } else if (f.kind == FaultKind::slow_read) {
                bps_ = f.number;
                auto slow = std::make_unique<net::SlowReadStream>(std::move(stream), [this] { on_budget_spent(); });
                slow_ = slow.get();
                stream = std::move(slow);
            }
        }
    }

    void on_handshake(const proto::HttpHead& /*request*/, HandshakeReply& reply) override {
        for (const auto& h : extras_ ? o_.headers : std::vector<std::string>{}) {
            Fault extra;
            extra.kind = FaultKind::header;
            const auto colon = h.find(':');
            extra.name = h.substr(0, colon);
            extra.value = h.substr(colon + 1);
            while (!extra.value.empty() && extra.value.front() == ' ') extra.value.erase(0, 1);
            apply_handshake_fault(extra, reply);
        }
        for (const Fault& f : faults_) {
            if (!is_handshake_fault(f.kind)) continue;
            apply_handshake_fault(f, reply);
            mark(f.spec);
        }
    }

    void on_session_options(session::SessionOptions& so) override {
        if (extras_ && o_.ping_interval > 0) so.ping_interval = session::seconds(o_.ping_interval);
        if (extras_ && o_.ping_timeout > 0) so.ping_timeout = session::seconds(o_.ping_timeout);
        for (const Fault& f : faults_) {
            if (f.kind == FaultKind::no_pong) so.auto_pong = false;
            if (f.kind == FaultKind::no_close_reply) so.reply_to_close = false;
            if (f.kind == FaultKind::fragment) {
                so.fragment_size = f.number;
                so.fragment_pings = f.ping;
            }
            if (f.kind == FaultKind::delay) delay_ = std::chrono::milliseconds(f.number);
            // The session's own echo sends each frame back as it comes: a held or re-cut echo
            // is sent from here, a whole message at a time.
            if ((f.kind == FaultKind::delay || f.kind == FaultKind::fragment) && so.echo) {
                so.echo = false;
                echo_ = true;
            }
        }
    }

    void on_open(ClientControl& client) override {
        client_ = &client;
        if (slow_) slow_->arm(budget());
        if (extras_ && o_.greeting) send(proto::MessageType::text, proto::as_bytes(*o_.greeting));
        for (const Fault& f : faults_) {
            if (is_handshake_fault(f.kind)) continue;
            if (f.at == 0) start(f);
        }
        client.update();
    }

    void on_event(const session::SessionEvent& event) override {
        const auto* m = std::get_if<session::MessageEvent>(&event);
        if (m == nullptr || m->dir != session::Direction::in) return;
        if (echo_) {
            if (m->first) message_.clear();
            message_.insert(message_.end(), m->data.begin(), m->data.end());
        }
        if (!m->last) return;
        ++received_;
        if (echo_) send(m->type, message_);
        proto::Bytes().swap(message_);
        // After this event, so that what the session does with the message (an echo) goes
        // first.
        for (const Fault& f : faults_)
            if (f.at == received_) later([this, f] { act(f); });
        for (const Fault& f : live_)
            if (f.at == received_) later([this, f] { act(f); });
    }

    void on_close(ClientControl& /*client*/) override {
        stop_timers();
        client_ = nullptr;
    }

    std::optional<std::string> command(std::string_view verb, std::string_view args) override {
        if (verb != "fault") return std::nullopt;
        if (client_ == nullptr) return std::string("the client is gone");
        auto parsed = parse_fault(args);
        if (auto* error = std::get_if<std::string>(&parsed)) return *error;
        return inject(std::get<Fault>(std::move(parsed)), std::nullopt);
    }

    std::string inject(Fault f, std::optional<std::uint64_t> counted_from) override {
        if (client_ == nullptr) return "the client is gone";
        if (is_handshake_fault(f.kind) || f.kind == FaultKind::chop || f.kind == FaultKind::slow_read)
            return f.spec + " acts before the session: use --fault on the command line";
        const std::string spec = f.spec;
        if (f.at != 0) f.at += counted_from.value_or(received_);
        if (f.at == 0 || f.at <= received_) {  // at once, or its message has come already
            start(f);
            client_->update();
            return "applied " + spec + " to client " + std::to_string(id_);
        }
        live_.push_back(std::move(f));
        return "client " + std::to_string(id_) + ": " + spec + " is armed";
    }

private:
    void mark(std::string_view what) { mark_injected(console_, o_, id_, what); }

    // Runs fn after this pass, if the client is still here.
    void later(std::function<void()> fn) {
        if (loop_ == nullptr) return;
        loop_->soon([alive = alive_, this, fn = std::move(fn)] {
            if (*alive && client_ != nullptr) fn();
        });
    }

    // A fault that lasts (no-pong, ping-every…) or one that happens now (at == 0).
    void start(const Fault& f) {
        switch (f.kind) {
            case FaultKind::no_pong:
                client_->session().set_auto_pong(false);
                mark(f.spec);
                break;
            case FaultKind::no_close_reply:
                client_->session().set_reply_to_close(false);
                mark(f.spec);
                break;
            case FaultKind::fragment:
                client_->session().set_fragmenting(f.number, f.ping);
                mark(f.spec);
                break;
            case FaultKind::delay:
                delay_ = std::chrono::milliseconds(f.number);
                mark(f.spec);
                break;
            case FaultKind::chop:
            case FaultKind::slow_read: mark(f.spec); break;
            case FaultKind::ping_every:
                mark(f.spec);
                ping_every_ = std::chrono::milliseconds(f.number);
                schedule_ping();
                break;
            default: later([this, f] { act(f); }); break;
        }
    }

    // The faults that happen once.
    void act(const Fault& f) {
        session::Session& s = client_->session();
        if (s.finished()) return;
        mark(f.spec);
        switch (f.kind) {
            case FaultKind::close: s.close(proto::CloseCode{static_cast<std::uint16_t>(f.number)}, f.name); break;
            case FaultKind::drop: return client_->drop(false);
            case FaultKind::reset: return client_->drop(true);
            case FaultKind::violate: {
                const CraftedFrame c = violation_frame(f.violation);
                if (c.wire.empty())
                    s.send_raw(c.header, c.payload);
                else
                    s.send_wire(c.wire);
                s.pump();
                break;
            }
            default: break;
        }
        client_->update();
    }

    void send(proto::MessageType type, proto::ByteView data) override {
        if (client_ == nullptr) return;
        if (delay_.count() == 0 || loop_ == nullptr) {
            client_->session().send_message(type, data);
            client_->session().pump();
            return;
        }
        auto held = std::make_shared<proto::Bytes>(data.begin(), data.end());
        auto slot = std::make_shared<net::Loop::TimerId>(0);
        *slot = loop_->at(session::Clock::now() + delay_, [alive = alive_, this, type, held, slot] {
            if (!*alive || client_ == nullptr) return;
            timers_.erase(*slot);
            client_->session().send_message(type, *held);
            client_->session().pump();
            client_->update();
        });
        timers_.insert(*slot);
    }

    void schedule_ping() {
        ping_timer_ = loop_->at(session::Clock::now() + ping_every_, [alive = alive_, this] {
            if (!*alive || client_ == nullptr) return;
            ping_timer_.reset();
            client_->session().send_ping(proto::as_bytes(std::string_view("ping-every")));
            client_->session().pump();
            client_->update();
            schedule_ping();
        });
    }

    [[nodiscard]] std::size_t budget() const {
        const auto tick_share = bps_ * static_cast<std::uint64_t>(slow_read_tick.count()) / 1000;
        return static_cast<std::size_t>(std::max<std::uint64_t>(tick_share, 1));
    }

    void on_budget_spent() {
        later([this] {
            client_->pause_reading(true);
            refill_timer_ = loop_->at(session::Clock::now() + slow_read_tick, [alive = alive_, this] {
                if (!*alive || client_ == nullptr) return;
                refill_timer_.reset();
                slow_->refill(budget());
                client_->pause_reading(false);
            });
        });
    }

    void stop_timers() {
        if (loop_ == nullptr) return;
        if (ping_timer_) loop_->cancel(*ping_timer_);
        if (refill_timer_) loop_->cancel(*refill_timer_);
        for (const auto id : timers_) loop_->cancel(id);
        ping_timer_.reset();
        refill_timer_.reset();
        timers_.clear();
    }

    std::vector<Fault> faults_;
    std::vector<Fault> live_;  // added with /fault
    const ListenOptions& o_;
    Console& console_;
    unsigned id_;
    bool extras_;
    net::Loop* loop_ = nullptr;
    ClientControl* client_ = nullptr;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::uint64_t received_ = 0;
    bool echo_ = false;
    proto::Bytes message_;
    std::chrono::milliseconds delay_{0};
    std::chrono::milliseconds ping_every_{0};
    std::optional<net::Loop::TimerId> ping_timer_, refill_timer_;
    std::unordered_set<net::Loop::TimerId> timers_;  // held messages (delay=MS)
    net::SlowReadStream* slow_ = nullptr;
    std::uint64_t bps_ = 0;
};

class FaultFeature final : public ListenFeature {
public:
    FaultFeature(std::vector<Fault> faults, const ListenOptions& o, Console& console)
        : faults_(std::move(faults)), o_(o), console_(console) {}
    std::unique_ptr<ClientFeature> for_client(unsigned id) override {
        return std::make_unique<FaultClient>(faults_, o_, console_, id, true);
    }

private:
    std::vector<Fault> faults_;
    const ListenOptions& o_;
    Console& console_;
};

}  // namespace

namespace {

std::vector<Fault> parsed_faults(const ListenOptions& o) {
    std::vector<Fault> faults;
    for (const auto& spec : o.faults) {
        FaultParse parsed = parse_fault(spec);  // checked already by the command line
        if (auto* f = std::get_if<Fault>(&parsed)) faults.push_back(std::move(*f));
    }
    return faults;
}

}  // namespace

std::unique_ptr<FaultInjector> make_fault_client(const ListenOptions& o, Console& console, unsigned id,
                                                 bool with_options) {
    return std::make_unique<FaultClient>(with_options ? parsed_faults(o) : std::vector<Fault>{}, o, console, id,
                                         with_options);
}

std::unique_ptr<ListenFeature> make_fault_feature(const ListenOptions& o, Console& console) {
    return std::make_unique<FaultFeature>(parsed_faults(o), o, console);
}

}  // namespace wscope::app
