// listen --script: each client runs the script (scenario.hpp) on the loop. Its steps run in
// order from one queue; a wait holds the queue on a timer.
#include <chrono>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "app/console.hpp"
#include "app/exit_code.hpp"
#include "app/faults.hpp"
#include "app/options.hpp"
#include "app/scenario.hpp"
#include "present/jsonl.hpp"
#include "present/quoted_text.hpp"
#include "session/clock.hpp"

namespace wscope::app {
namespace {

class ScenarioClient final : public ClientFeature {
public:
    ScenarioClient(std::shared_ptr<const Script> script, const ListenOptions& o, Console& console, unsigned id,
                   std::vector<std::string>& unmet)
        : faults_(make_fault_client(o, console, id, true)),
          run_(std::move(script)),
          o_(o),
          console_(console),
          id_(id),
          unmet_(unmet) {}
    ~ScenarioClient() override { *alive_ = false; }

    // The faults (--fault and the script's "fault SPEC" actions) and the script's messages
    // go through a fault feature of our own, which sees the client's life as we do.
    void on_accept(std::unique_ptr<net::Stream>& stream, net::Loop& loop) override {
        loop_ = &loop;
        faults_->on_accept(stream, loop);
    }
    void on_handshake(const proto::HttpHead& request, HandshakeReply& reply) override {
        faults_->on_handshake(request, reply);
    }
    void on_session_options(session::SessionOptions& options) override { faults_->on_session_options(options); }
    std::optional<std::string> command(std::string_view verb, std::string_view args) override {
        return faults_->command(verb, args);
    }

    void on_open(ClientControl& client) override {
        client_ = &client;
        faults_->on_open(client);
        queue(run_.on_open());
    }

    void on_event(const session::SessionEvent& event) override {
        faults_->on_event(event);
        if (const auto* c = std::get_if<session::CloseEvent>(&event)) {
            if (c->dir == session::Direction::in) queue(run_.on_close());
            return;
        }
        const auto* m = std::get_if<session::MessageEvent>(&event);
        if (m == nullptr || m->dir != session::Direction::in) return;
        if (m->first) message_.clear();
        message_.insert(message_.end(), m->data.begin(), m->data.end());
        if (!m->last) return;
        if (auto miss = run_.check(m->type, message_)) unmet(*miss);
        // After this event: what the session does with the message first.
        ++received_;
        auto steps = std::make_shared<std::vector<Step>>(run_.on_message(m->type, message_));
        for (Step& s : *steps) s.after = received_;
        proto::Bytes().swap(message_);
        if (steps->empty()) return;
        loop_->soon([alive = alive_, this, steps] {
            if (*alive && client_ != nullptr) queue(std::move(*steps));
        });
    }

    void on_close(ClientControl& client) override {
        faults_->on_close(client);
        if (timer_) loop_->cancel(*timer_);
        timer_.reset();
        // What was still to be checked when the client left.
        for (const Step& s : steps_)
            if (s.kind == Step::Kind::expect) run_.arm(s);
        steps_.clear();
        for (const auto& miss : run_.unmet_at_end()) unmet(miss);
        client_ = nullptr;
    }

private:
    void unmet(const std::string& what) {
        console_.error("[" + std::to_string(id_) + "] expectation not met: " + what);
        if (o_.out.jsonl) {
            present::JsonObject obj = present::error_event(std::chrono::system_clock::now(), "expect", what,
                                                           static_cast<int>(ExitCode::check));
            obj.number("client", id_);
            console_.out_line(obj.line());
        }
        unmet_.push_back(what);
    }

    void queue(std::vector<Step> steps) {
        for (auto& s : steps) steps_.push_back(std::move(s));
        pump();
    }

    void pump() {
        while (!timer_ && !steps_.empty() && client_ != nullptr) {
            Step s = std::move(steps_.front());
            steps_.pop_front();
            if (s.kind == Step::Kind::wait) {
                if (s.ms.count() == 0) continue;
                timer_ = loop_->at(session::Clock::now() + s.ms, [alive = alive_, this] {
                    if (!*alive) return;
                    timer_.reset();
                    pump();
                });
                break;
            }
            perform(s);
        }
        if (client_ != nullptr) client_->update();
    }

    void perform(const Step& s) {
        session::Session& session = client_->session();
        const std::string where = "[" + std::to_string(id_) + "] script line " + std::to_string(s.line) + ": ";
        switch (s.kind) {
            case Step::Kind::send_text:
                console_.trace("* " + where + "send " + present::quoted(s.text));
                faults_->send(proto::MessageType::text, proto::as_bytes(s.text));
                break;
            case Step::Kind::send_binary:
                console_.trace("* " + where + "send-binary of " + std::to_string(s.bytes.size()) + " bytes");
                faults_->send(proto::MessageType::binary, s.bytes);
                break;
            case Step::Kind::close:
                mark_injected(console_, o_, id_, "close=" + std::to_string(s.code) + (s.text.empty() ? "" : ":" + s.text));
                session.close(proto::CloseCode{s.code}, s.text);
                break;
            case Step::Kind::drop:
                mark_injected(console_, o_, id_, "drop");
                client_->drop(false);
                return;
            case Step::Kind::fault:
                console_.trace("* " + where + faults_->inject(s.fault, s.after));
                break;
            case Step::Kind::expect:
                console_.trace("* " + where + "expect " + s.expect.describe());
                run_.arm(s);
                break;
            case Step::Kind::wait: break;
        }
        session.pump();
    }

    std::unique_ptr<FaultInjector> faults_;
    Scenario run_;
    std::uint64_t received_ = 0;
    const ListenOptions& o_;
    Console& console_;
    unsigned id_;
    std::vector<std::string>& unmet_;
    net::Loop* loop_ = nullptr;
    ClientControl* client_ = nullptr;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    proto::Bytes message_;
    std::deque<Step> steps_;
    std::optional<net::Loop::TimerId> timer_;
};

class ScenarioFeature final : public ListenFeature {
public:
    ScenarioFeature(Script script, const ListenOptions& o, Console& console)
        : script_(std::make_shared<const Script>(std::move(script))), o_(o), console_(console) {}
    std::unique_ptr<ClientFeature> for_client(unsigned id) override {
        return std::make_unique<ScenarioClient>(script_, o_, console_, id, unmet_);
    }
    [[nodiscard]] std::optional<int> exit_status() const override {
        if (unmet_.empty()) return std::nullopt;
        return static_cast<int>(ExitCode::check);
    }

private:
    std::shared_ptr<const Script> script_;
    const ListenOptions& o_;
    Console& console_;
    std::vector<std::string> unmet_;
};

std::variant<std::string, Script> load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::string("cannot read the script ") + present::quoted(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ScriptParse parsed = parse_script(text, path);
    if (auto* e = std::get_if<std::string>(&parsed)) return *e;
    return std::get<Script>(std::move(parsed));
}

}  // namespace

std::string check_listen_script(const ListenOptions& o) {
    if (o.script.empty()) return {};
    auto loaded = load(o.script);
    if (auto* e = std::get_if<std::string>(&loaded)) return "--script " + *e;
    return {};
}

std::unique_ptr<ListenFeature> make_scenario_feature(const ListenOptions& o, Console& console) {
    if (o.script.empty()) return nullptr;
    auto loaded = load(o.script);
    if (auto* e = std::get_if<std::string>(&loaded)) {
        console.error("--script " + *e);
        return nullptr;
    }
    return std::make_unique<ScenarioFeature>(std::get<Script>(std::move(loaded)), o, console);
}

}  // namespace wscope::app
