// listen --record and listen --replay (record_replay_features.hpp).
//
// The mock server walks the transcript's steps in order. What the recorded server said before
// the client's first message is played at its recorded time after the open; each message
// from the client then moves past the next recorded client step, and the server's steps that
// followed it are played with their recorded gaps after it. A client faster than the
// recording gets the server's pending steps at once, before the next ones, so that the order
// is always the recorded one. A recorded Close from the server closes with its code.
#include "app/record_replay_features.hpp"

#include <optional>

#include "app/console.hpp"
#include "app/options.hpp"
#include "app/recorder.hpp"
#include "present/quoted_text.hpp"

namespace wscope::app {
namespace {

// ---- --record ----

class RecordClient final : public ClientFeature {
public:
    RecordClient(Console& console, std::string path) : console_(console), recorder_(path) {
        if (!recorder_.error().empty()) console_.warning("--record " + recorder_.error());
    }

    void on_handshake(const proto::HttpHead& request, HandshakeReply& reply) override {
        if (!reply.accepted || !recorder_.error().empty()) return;
        const std::string_view text = reply.response;
        auto head = proto::parse_response_head(text.substr(0, text.find("\r\n\r\n") + 4));
        if (head) response_ = std::move(*head);
        const std::string url = "ws://" + request.get("Host").value_or("localhost") + request.target;
        recorder_.open({url, request.fields, &response_, response_.get("Sec-WebSocket-Protocol").value_or(""),
                        response_.get("Sec-WebSocket-Extensions").value_or(""), true});
    }
    void on_event(const session::SessionEvent& event) override { recorder_.on_event(event); }
    void on_close(ClientControl& /*client*/) override {
        if (!recorder_.flush()) console_.warning("--record " + recorder_.error());
    }

private:
    Console& console_;
    Recorder recorder_;
    proto::HttpHead response_;
};

class RecordFeature final : public ListenFeature {
public:
    RecordFeature(Console& console, std::string base) : console_(console), base_(std::move(base)) {}
    std::unique_ptr<ClientFeature> for_client(unsigned id) override {
        return std::make_unique<RecordClient>(console_, base_ + "." + std::to_string(id));
    }

private:
    Console& console_;
    std::string base_;
};

// ---- --replay ----

class ReplayClient final : public ClientFeature {
public:
    explicit ReplayClient(const Transcript& t) : steps_(t.steps) {}

    void on_open(ClientControl& client) override {
        client_ = &client;
        play_from(session::Clock::now(), std::chrono::microseconds(0));
    }
    void on_event(const session::SessionEvent& event) override {
        const auto* m = std::get_if<session::MessageEvent>(&event);
        if (!m || m->dir != session::Direction::in || !m->last || !client_) return;
        // Answered from the loop, not from inside the session's own report.
        ++unanswered_;
        if (answer_) return;
        answer_ = client_->loop().at(session::Clock::now(), [this] {
            answer_.reset();
            for (; unanswered_ > 0; --unanswered_) on_client_message();
        });
    }
    void on_close(ClientControl& client) override {
        if (pending_) client.loop().cancel(*pending_);
        if (answer_) client.loop().cancel(*answer_);
        pending_.reset();
        answer_.reset();
        client_ = nullptr;
    }

private:
    void on_client_message() {
        if (pending_) client_->loop().cancel(*pending_);
        pending_.reset();
        // What the server still had to say before this message, in order, now.
        while (pos_ < steps_.size() && steps_[pos_].from == Sender::server) send(steps_[pos_++]);
        std::chrono::microseconds recorded{0};
        while (pos_ < steps_.size() && steps_[pos_].from == Sender::client) {
            const bool message = steps_[pos_].kind != StepKind::close;
            recorded = steps_[pos_++].at;
            if (message) break;
        }
        play_from(session::Clock::now(), recorded);
    }

    // Plays the server's next steps at their recorded times, `origin` being recorded time
    // `recorded` now.
    void play_from(session::TimePoint origin, std::chrono::microseconds recorded) {
        origin_ = origin;
        recorded_ = recorded;
        schedule();
    }
    void schedule() {
        if (!client_ || pos_ >= steps_.size() || steps_[pos_].from != Sender::server) return;
        const auto gap = std::max(std::chrono::microseconds(0), steps_[pos_].at - recorded_);
        pending_ = client_->loop().at(origin_ + gap, [this] {
            pending_.reset();
            if (pos_ < steps_.size() && steps_[pos_].from == Sender::server) send(steps_[pos_++]);
            schedule();
        });
    }
    void send(const TranscriptStep& step) {
        if (!client_) return;
        session::Session& s = client_->session();
        if (s.closing() || s.finished()) return;
        if (step.kind == StepKind::close) {
            const auto code = step.code.value_or(1000);
            const std::string_view reason(reinterpret_cast<const char*>(step.data.data()), step.data.size());
            s.close(proto::CloseCode{proto::is_valid_on_wire(code) ? code : std::uint16_t{1000}}, reason);
        } else {
            s.send_message(step.kind == StepKind::text ? proto::MessageType::text : proto::MessageType::binary,
                           step.data);
        }
        client_->update();
    }

    const std::vector<TranscriptStep>& steps_;
    std::size_t pos_ = 0;
    ClientControl* client_ = nullptr;
    std::optional<net::Loop::TimerId> pending_;  // the next server step
    std::optional<net::Loop::TimerId> answer_;   // client messages to answer
    std::size_t unanswered_ = 0;
    session::TimePoint origin_{};
    std::chrono::microseconds recorded_{0};
};

class ReplayFeature final : public ListenFeature {
public:
    explicit ReplayFeature(Transcript t) : transcript_(std::move(t)) {}
    std::unique_ptr<ClientFeature> for_client(unsigned /*id*/) override {
        return std::make_unique<ReplayClient>(transcript_);
    }

private:
    Transcript transcript_;
};

}  // namespace

std::unique_ptr<ListenFeature> make_record_feature(const ListenOptions& o, Console& console) {
    if (o.record.empty()) return nullptr;
    return std::make_unique<RecordFeature>(console, o.record);
}

std::unique_ptr<ListenFeature> make_replay_feature(const ListenOptions& o, Console& console) {
    if (o.replay.empty()) return nullptr;
    TranscriptLoad load = load_transcript(o.replay, o.replay_entry);
    if (!load.transcript) {  // checked before listening; the file changed since
        console.error("--replay " + o.replay + ": " + load.error);
        return nullptr;
    }
    return std::make_unique<ReplayFeature>(std::move(*load.transcript));
}

std::string check_replay_source(const ListenOptions& o) {
    if (o.replay.empty()) return o.replay_entry.empty() ? std::string() : "--entry needs --replay";
    if (o.echo) return "choose one of --echo and --replay";
    TranscriptLoad load = load_transcript(o.replay, o.replay_entry);
    if (!load.transcript) return "--replay " + o.replay + ": " + load.error;
    return {};
}

}  // namespace wscope::app
