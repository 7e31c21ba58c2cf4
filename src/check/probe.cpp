#include "check/probe.hpp"

#include <utility>

#include "proto/close_code.hpp"
#include "proto/handshake.hpp"

namespace wscope::check {

namespace {

std::string substitute(std::string text, std::string_view name, const std::string& value) {
    for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size()))
        text.replace(at, name.size(), value);
    return text;
}

proto::ConnectionOptions client_options() {
    proto::ConnectionOptions o;
    o.role = proto::Role::client;
    o.max_message = 0;  // the server's echo is compared, whatever its size
    return o;
}

}  // namespace

Probe::Probe(const Case& c, const ProbeTarget& target, crypto::MaskSource& masks, std::string key,
             bool record_wire, TimePoint now)
    : case_(c), masks_(masks), record_(record_wire), start_(now), conn_(client_options(), masks) {
    std::string request;
    if (c.request) {
        request = substitute(substitute(substitute(*c.request, "{host}", target.host), "{target}",
                                        target.target),
                             "{key}", key);
        if (c.request->find("{key}") != std::string::npos) obs_.key = key;
    } else {
        proto::ClientRequest req;
        req.host = target.host;
        req.target = target.target;
        req.key = key;
        request = proto::make_request(req);
        obs_.key = key;
    }
    if (record_) wire_.push_back(WireItem{true, request, {}, {}, {}});
    out_.assign(request.begin(), request.end());
}

proto::ByteView Probe::output() const noexcept {
    return proto::ByteView(out_).subspan(out_done_);
}

void Probe::send(proto::Bytes bytes) {
    if (record_) split_out_.feed(bytes, true, wire_);
    if (out_done_ == out_.size()) {
        out_.clear();
        out_done_ = 0;
    }
    out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void Probe::wrote(std::size_t n, TimePoint now) {
    out_done_ += n;
    if (out_done_ == out_.size()) {
        out_.clear();
        out_done_ = 0;
    }
    if (!done_ && phase_ == Phase::open) advance(now);
}

void Probe::on_input(proto::ByteView data, TimePoint now) {
    if (done_) return;
    if (phase_ == Phase::handshake) {
        const auto status = head_.feed(data);
        if (status == proto::HeadReader::Status::need_more) return;
        if (status == proto::HeadReader::Status::error)
            return finish(End::error, now, "bad HTTP response: " + head_.error().describe());
        on_head(now);
        if (done_) return;
    }
    if (data.empty()) return;
    if (record_) split_in_.feed(data, false, wire_);
    in_.assign(data.begin(), data.end());
    conn_.receive(in_);
    drain(now);
    if (!done_) advance(now);
}

void Probe::on_head(TimePoint now) {
    const std::string head(head_.head());
    if (record_) wire_.push_back(WireItem{false, head, {}, {}, {}});
    auto parsed = proto::parse_response_head(head);
    if (!parsed) return finish(End::error, now, "bad HTTP response: " + parsed.error().describe());
    obs_.response = std::move(parsed.value());
    if (case_.request) return finish(End::handshake_done, now);
    if (obs_.response->status != 101) return finish(End::refused, now, obs_.response->status_line());
    phase_ = Phase::open;
    advance(now);
}

void Probe::drain(TimePoint now) {
    while (auto event = conn_.next_event()) {
        if (auto* m = std::get_if<proto::MessageData>(&*event)) {
            if (m->first) {
                message_ = Reply{};
                message_.kind = Reply::Kind::message;
                message_.type = m->type;
            }
            message_.data.insert(message_.data.end(), m->data.begin(), m->data.end());
            if (m->last) {
                obs_.replies.push_back(std::move(message_));
                ++answers_;
            }
        } else if (auto* p = std::get_if<proto::PingReceived>(&*event)) {
            Reply r;
            r.kind = Reply::Kind::ping;
            r.data.assign(p->payload.begin(), p->payload.end());
            obs_.replies.push_back(std::move(r));
            if (!close_sent_) {
                proto::Bytes pong;
                conn_.send_pong(p->payload, pong);
                send(std::move(pong));
            }
        } else if (auto* q = std::get_if<proto::PongReceived>(&*event)) {
            Reply r;
            r.kind = Reply::Kind::pong;
            r.data.assign(q->payload.begin(), q->payload.end());
            obs_.replies.push_back(std::move(r));
            ++answers_;
        } else if (auto* c = std::get_if<proto::CloseReceived>(&*event)) {
            Reply r;
            r.kind = Reply::Kind::close;
            r.code = c->code;
            r.reason = std::string(c->reason);
            obs_.replies.push_back(std::move(r));
            close_received_ = true;
            if (!close_sent_) {
                proto::Bytes close;
                conn_.send_close(c->code.value_or(0), {}, close);
                send(std::move(close));
                close_sent_ = true;
            }
            grace_until_ = now + close_grace;
        } else if (auto* v = std::get_if<proto::Violation>(&*event)) {
            Reply r;
            r.kind = Reply::Kind::violation;
            r.errc = v->code;
            r.detail = std::string(v->detail);
            obs_.replies.push_back(std::move(r));
            return finish(End::violation, now);
        } else if (std::holds_alternative<proto::StreamEnded>(*event)) {
            return finish(close_received_ ? End::closed : End::eof, now);
        }
    }
}

void Probe::advance(TimePoint now) {
    const auto& steps = case_.steps;
    while (step_ < steps.size()) {
        const Step& s = steps[step_];
        if (s.kind == Step::Kind::send) {
            send(s.bytes);
        } else if (s.kind == Step::Kind::pause) {
            if (!output().empty()) return;
            if (!pause_until_) pause_until_ = now + s.pause;
            if (now < *pause_until_) return;
            pause_until_.reset();
        } else if (answers() < s.replies) {
            if (close_received_) break;  // no more replies will come: skip to the end
            return;
        }
        ++step_;
    }
    step_ = steps.size();
    if (case_.close_at_end && !close_sent_) {
        proto::Bytes close;
        conn_.send_close(1000, {}, close);
        send(std::move(close));
        close_sent_ = true;
    }
}

void Probe::on_eof(TimePoint now) {
    if (done_) return;
    if (phase_ == Phase::handshake) return finish(End::eof, now, "the server closed the connection before answering");
    conn_.receive_eof();
    drain(now);
    if (!done_) finish(close_received_ ? End::closed : End::eof, now);
}

void Probe::on_error(std::string message, TimePoint now) {
    if (done_) return;
    if (close_received_) return finish(End::closed, now);
    finish(End::error, now, std::move(message));
}

void Probe::on_time(TimePoint now) {
    if (done_) return;
    if (grace_until_ && now >= *grace_until_ && output().empty()) return finish(End::closed, now);
    if (phase_ == Phase::open) advance(now);
}

void Probe::expire(TimePoint now) {
    if (done_) return;
    finish(close_received_ ? End::closed : End::timeout, now);
}

std::optional<TimePoint> Probe::wake_at() const noexcept {
    if (done_) return std::nullopt;
    if (pause_until_ && grace_until_) return std::min(*pause_until_, *grace_until_);
    return pause_until_ ? pause_until_ : grace_until_;
}

void Probe::finish(End end, TimePoint now, std::string detail) {
    done_ = true;
    obs_.end = end;
    obs_.detail = std::move(detail);
    obs_.elapsed = now - start_;
}

}  // namespace wscope::check
