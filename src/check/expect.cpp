#include "check/expect.hpp"

#include <utility>

#include "proto/handshake.hpp"

namespace wscope::check {

using proto::CloseCode;
using proto::MessageType;

const char* grade_name(Grade g) noexcept {
    switch (g) {
        case Grade::pass: return "PASS";
        case Grade::non_strict: return "NON-STRICT";
        case Grade::fail: return "FAIL";
    }
    return "FAIL";
}

namespace {

Verdict pass(std::string why) { return {Grade::pass, std::move(why)}; }
Verdict non_strict(std::string why) { return {Grade::non_strict, std::move(why)}; }
Verdict fail(std::string why) { return {Grade::fail, std::move(why)}; }

std::string code_text(std::uint16_t code) {
    return std::to_string(code) + " (" + std::string(proto::close_code_name(code)) + ")";
}

std::string expected_close(CloseCode code) {
    return "expected Close " + std::to_string(static_cast<unsigned>(code));
}

std::string violation_text(const Reply& r) {
    return proto::Error{r.errc, r.detail}.describe();
}

// What every evaluator of a post-handshake case says when there was no WebSocket at all.
std::optional<Verdict> no_websocket(const Observation& obs) {
    if (obs.end == End::refused)
        return fail("the upgrade was refused: " +
                    (obs.response ? obs.response->status_line() : obs.detail));
    if (obs.end == End::error && obs.replies.empty()) return fail(obs.detail);
    return std::nullopt;
}

std::string how_it_ended(const Observation& obs) {
    switch (obs.end) {
        case End::timeout: return "nothing more before the timeout";
        case End::eof: return "the server dropped TCP";
        case End::error: return obs.detail;
        default: return "the connection ended";
    }
}

}  // namespace

std::string describe_close(std::optional<std::uint16_t> code) {
    return code ? "Close " + code_text(*code) : "a Close without a code";
}

std::string describe(const Reply& r) {
    switch (r.kind) {
        case Reply::Kind::message:
            return std::string(r.type == MessageType::text ? "a TEXT" : "a BINARY") +
                   " message of " + std::to_string(r.data.size()) + " bytes";
        case Reply::Kind::ping: return "a PING of " + std::to_string(r.data.size()) + " bytes";
        case Reply::Kind::pong: return "a PONG of " + std::to_string(r.data.size()) + " bytes";
        case Reply::Kind::close: return describe_close(r.code);
        case Reply::Kind::violation: return "a frame that breaks a rule: " + violation_text(r);
    }
    return {};
}

Evaluator expect_echo(std::vector<Message> messages, std::string what,
                      std::vector<proto::Bytes> pongs) {
    return [messages = std::move(messages), what = std::move(what),
            pongs = std::move(pongs)](const Observation& obs) -> Verdict {
        if (auto v = no_websocket(obs)) return *v;
        std::size_t got = 0, got_pongs = 0;
        const std::size_t n = messages.size();
        const auto progress = [&] {
            return std::to_string(got) + " of " + std::to_string(n) + " echoes";
        };
        bool closed = false;
        for (const Reply& r : obs.replies) {
            if (closed) break;
            switch (r.kind) {
                case Reply::Kind::violation:
                    return fail(what + ": the server sent " + describe(r));
                case Reply::Kind::message: {
                    if (got == n) return fail(what + ": an extra message came back, " + describe(r));
                    const Message& m = messages[got];
                    if (r.type != m.type || r.data != m.data) {
                        Reply sent;
                        sent.type = m.type;
                        sent.data = m.data;
                        return fail(what + ": echo " + std::to_string(got + 1) + " differs: sent " +
                                    describe(sent) + ", got " + describe(r));
                    }
                    ++got;
                    break;
                }
                case Reply::Kind::pong:
                    if (got_pongs < pongs.size()) {
                        if (r.data != pongs[got_pongs])
                            return fail(what + ": pong " + std::to_string(got_pongs + 1) +
                                        " has another payload than its ping");
                        ++got_pongs;
                    }
                    break;
                case Reply::Kind::ping: break;
                case Reply::Kind::close:
                    if (got < n || got_pongs < pongs.size()) {
                        if (r.code == static_cast<std::uint16_t>(CloseCode::message_too_big))
                            return non_strict(what + ": refused as too big (Close 1009) after " +
                                              progress() + ": a size limit (RFC 6455 §10.4)");
                        return fail(what + ": the server sent " + describe_close(r.code) +
                                    " after " + progress());
                    }
                    closed = true;
                    break;
            }
        }
        if (got < n) return fail(what + ": " + progress() + ", then " + how_it_ended(obs));
        if (got_pongs < pongs.size())
            return fail(what + ": " + std::to_string(got_pongs) + " of " +
                        std::to_string(pongs.size()) + " pongs, then " + how_it_ended(obs));
        if (!closed)
            return fail(what + " echoed, but our Close got no Close in reply (" + how_it_ended(obs) +
                        "; RFC 6455 §5.5.1)");
        return pass(what + " echoed");
    };
}

Evaluator expect_failure(CloseCode code, std::string what, std::size_t allowed_before) {
    return [code, what = std::move(what), allowed_before](const Observation& obs) -> Verdict {
        if (auto v = no_websocket(obs)) return *v;
        const auto wanted = static_cast<std::uint16_t>(code);
        std::size_t answers = 0;
        for (const Reply& r : obs.replies) {
            switch (r.kind) {
                case Reply::Kind::violation:
                    if (r.errc == proto::Errc::invalid_utf8)
                        return fail(what + " was echoed; " + expected_close(code));
                    return fail(what + ": the server answered with " + describe(r) + "; " +
                                expected_close(code));
                case Reply::Kind::message:
                case Reply::Kind::pong:
                    if (++answers > allowed_before)
                        return fail(what + " was accepted: the server answered with " +
                                    describe(r) + "; " + expected_close(code));
                    break;
                case Reply::Kind::ping: break;
                case Reply::Kind::close:
                    if (r.code == wanted) return pass(what + ": refused with Close " + code_text(wanted));
                    if (!r.code)
                        return non_strict(what + ": refused with a Close without a code; " +
                                          expected_close(code));
                    return fail(what + " was answered with " + describe_close(r.code) + "; " +
                                expected_close(code));
            }
        }
        if (obs.end == End::eof)
            return non_strict(what + ": refused by dropping TCP without a Close; " +
                              expected_close(code));
        if (obs.end == End::timeout)
            return fail(what + " was ignored: no Close before the timeout; " + expected_close(code));
        return fail(what + ": " + how_it_ended(obs) + "; " + expected_close(code));
    };
}

Evaluator expect_pongs(std::vector<proto::Bytes> payloads, std::string what, bool lenient) {
    return [payloads = std::move(payloads), what = std::move(what),
            lenient](const Observation& obs) -> Verdict {
        if (auto v = no_websocket(obs)) return *v;
        std::vector<const proto::Bytes*> pongs;
        bool closed = false;
        for (const Reply& r : obs.replies) {
            if (closed) break;
            if (r.kind == Reply::Kind::violation) return fail(what + ": the server sent " + describe(r));
            if (r.kind == Reply::Kind::message)
                return fail(what + ": the server sent " + describe(r) + " instead of a pong");
            if (r.kind == Reply::Kind::pong) pongs.push_back(&r.data);
            if (r.kind == Reply::Kind::close) {
                if (pongs.size() < payloads.size() && r.code && *r.code != 1000)
                    return fail(what + ": the server sent " + describe_close(r.code));
                closed = true;
            }
        }
        bool all = pongs.size() == payloads.size();
        for (std::size_t i = 0; all && i < pongs.size(); ++i) all = *pongs[i] == payloads[i];
        if (all) {
            if (!closed)
                return fail(what + " answered, but our Close got no Close in reply (" +
                            how_it_ended(obs) + "; RFC 6455 §5.5.1)");
            return pass(what + " answered with " + (payloads.size() == 1 ? "a pong" : "pongs") +
                        " carrying the same payload");
        }
        if (lenient && !pongs.empty() && pongs.size() < payloads.size() &&
            *pongs.back() == payloads.back())
            return non_strict(what + ": answered " + std::to_string(pongs.size()) + " of " +
                              std::to_string(payloads.size()) +
                              " pings, the last one included (allowed by RFC 6455 §5.5.3)");
        if (pongs.empty()) return fail(what + ": no pong (" + how_it_ended(obs) + ")");
        return fail(what + ": " + std::to_string(pongs.size()) + " pongs for " +
                    std::to_string(payloads.size()) + " pings, or with other payloads");
    };
}

Evaluator expect_close_reply(std::optional<std::uint16_t> sent, std::string what) {
    return [sent, what = std::move(what)](const Observation& obs) -> Verdict {
        if (auto v = no_websocket(obs)) return *v;
        for (const Reply& r : obs.replies) {
            switch (r.kind) {
                case Reply::Kind::violation: return fail(what + ": the server sent " + describe(r));
                case Reply::Kind::message:
                case Reply::Kind::pong:
                    return fail(what + ": the server sent " + describe(r) +
                                " after our Close (RFC 6455 §5.5.1)");
                case Reply::Kind::ping: break;
                case Reply::Kind::close:
                    if (!r.code || r.code == sent || *r.code == 1000)
                        return pass(what + ": answered with " + describe_close(r.code));
                    return non_strict(what + ": answered with " + describe_close(r.code) +
                                      " (the received code is usually echoed)");
            }
        }
        return fail(what + ": no Close in reply (" + how_it_ended(obs) + ")");
    };
}

// ---- handshake ----

namespace {

std::optional<Verdict> no_response(const Observation& obs, const std::string& what) {
    if (obs.response) return std::nullopt;
    if (obs.end == End::timeout) return fail(what + ": no HTTP response before the timeout");
    return fail(what + ": no HTTP response (" + (obs.detail.empty() ? how_it_ended(obs) : obs.detail) +
                ")");
}

}  // namespace

Evaluator expect_upgrade(std::string what) {
    return [what = std::move(what)](const Observation& obs) -> Verdict {
        if (auto v = no_response(obs, what)) return *v;
        proto::ClientRequest req;
        req.key = obs.key;
        auto checked = proto::check_response(*obs.response, req);
        if (!checked) return fail(what + ": " + checked.error().describe());
        return pass(what + ": 101 with the right Sec-WebSocket-Accept");
    };
}

Evaluator expect_refusal(std::string what) {
    return [what = std::move(what)](const Observation& obs) -> Verdict {
        if (auto v = no_response(obs, what)) return *v;
        const int s = obs.response->status;
        const std::string line = obs.response->status_line();
        if (s >= 400 && s < 500) return pass(what + ": refused with " + line);
        if (s == 101) return fail(what + " was accepted (101); expected a 4xx refusal");
        if (s >= 500) return non_strict(what + ": refused with " + line + "; a 4xx names the client's fault");
        return fail(what + ": answered " + line + "; expected a 4xx refusal");
    };
}

Evaluator expect_version_refusal(std::string what) {
    return [what = std::move(what)](const Observation& obs) -> Verdict {
        if (auto v = no_response(obs, what)) return *v;
        const proto::HttpHead& h = *obs.response;
        const std::string line = h.status_line();
        if (h.status == 101) return fail(what + " was accepted (101); expected 426 with Sec-WebSocket-Version: 13");
        if (h.status < 400 || h.status >= 500)
            return fail(what + ": answered " + line + "; expected 426 with Sec-WebSocket-Version: 13");
        if (!h.has_token("Sec-WebSocket-Version", "13"))
            return fail(what + ": refused with " + line +
                        " but without Sec-WebSocket-Version: 13");
        return pass(what + ": refused with " + line + " and Sec-WebSocket-Version: 13");
    };
}

}  // namespace wscope::check
