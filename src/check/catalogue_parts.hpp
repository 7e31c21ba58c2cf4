// Shared by the catalogue_*.cpp files: one function per group, and the small builders they use.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "check/case.hpp"
#include "check/expect.hpp"
#include "check/frames.hpp"
#include "proto/errc.hpp"

namespace wscope::check::detail {

void add_handshake_cases(std::vector<Case>& out);
void add_framing_cases(std::vector<Case>& out, FrameMaker& f);
void add_ping_cases(std::vector<Case>& out, FrameMaker& f);
void add_reserved_cases(std::vector<Case>& out, FrameMaker& f);
void add_fragmentation_cases(std::vector<Case>& out, FrameMaker& f);
void add_utf8_cases(std::vector<Case>& out, FrameMaker& f);
void add_close_cases(std::vector<Case>& out, FrameMaker& f);
void add_masking_cases(std::vector<Case>& out, FrameMaker& f);
void add_performance_cases(std::vector<Case>& out, FrameMaker& f);

inline Step send(proto::Bytes b) { return Step{Step::Kind::send, std::move(b), {}, 0}; }
inline Step pause_ms(int ms) { return Step{Step::Kind::pause, {}, std::chrono::milliseconds(ms), 0}; }
inline Step await_replies(std::size_t n) { return Step{Step::Kind::await, {}, {}, n}; }

inline Case make_case(std::string id, std::string group, std::string title, std::string rule) {
    Case c;
    c.id = std::move(id);
    c.group = std::move(group);
    c.title = std::move(title);
    c.rule = std::move(rule);
    return c;
}

// The rule an Errc enforces, as the core names it ("RFC 6455 §5.2").
inline std::string rule_of(proto::Errc e) { return std::string(proto::info(e).rule); }

// A case where the server must fail the connection for the rule `e`: send the frames, then a
// ping (a server that ignored the offence answers it), and expect Close close_code_for(e).
inline Case violation_case(std::string id, std::string group, std::string title, proto::Errc e,
                           std::vector<proto::Bytes> frames, FrameMaker& f,
                           std::size_t allowed_before = 0) {
    Case c = make_case(std::move(id), std::move(group), title, rule_of(e));
    for (auto& b : frames) c.steps.push_back(send(std::move(b)));
    c.steps.push_back(send(f.ping(to_bytes("after"))));
    // A server that let the offence pass answers the ping: then the case need not wait for
    // its timeout. One that fails the connection sends Close instead, which ends the wait.
    c.steps.push_back(await_replies(allowed_before + 1));
    c.evaluate = expect_failure(proto::close_code_for(e), std::move(title), allowed_before);
    return c;
}

// A case where the server must echo these messages (sent as the given frames).
inline Case echo_case(std::string id, std::string group, std::string title, std::string rule,
                      std::vector<proto::Bytes> frames, std::vector<Message> expected,
                      std::vector<proto::Bytes> pongs = {}) {
    Case c = make_case(std::move(id), std::move(group), title, std::move(rule));
    c.needs_echo = true;
    for (auto& b : frames) c.steps.push_back(send(std::move(b)));
    c.steps.push_back(await_replies(expected.size() + pongs.size()));
    c.evaluate = expect_echo(std::move(expected), std::move(title), std::move(pongs));
    return c;
}

inline Message text_message(std::string_view s) { return {proto::MessageType::text, to_bytes(s)}; }
inline Message binary_message(proto::Bytes b) { return {proto::MessageType::binary, std::move(b)}; }

}  // namespace wscope::check::detail
