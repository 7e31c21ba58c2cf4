// One conformance case of `wscope check` (SPEC §2.9), as data: what to send, and an evaluator
// that turns what came back into a verdict. Nothing here does I/O; the probe (probe.hpp) plays
// a case against bytes, and the runner (runner.hpp) moves those bytes over a socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/errc.hpp"
#include "proto/event.hpp"
#include "proto/http1.hpp"

namespace wscope::check {

using Duration = std::chrono::steady_clock::duration;

// PASS: the server did what the RFC requires. NON_STRICT: it made a choice the RFC allows but
// not the best one (dropped TCP instead of sending Close…). FAIL: it broke a MUST.
enum class Grade : std::uint8_t { pass, non_strict, fail };

struct Verdict {
    Grade grade = Grade::fail;
    std::string reason;  // one line, without the RFC section
};

// One thing the server sent after the handshake, in order.
struct Reply {
    enum class Kind : std::uint8_t { message, ping, pong, close, violation };
    Kind kind = Kind::message;
    proto::MessageType type = proto::MessageType::text;  // message
    proto::Bytes data;                                   // message, ping, pong payload
    std::optional<std::uint16_t> code;                   // close: absent for an empty body
    std::string reason;                                  // close reason
    proto::Errc errc{};                                  // violation: the rule the server broke
    std::string detail;                                  // violation detail
};

// How the case ended.
enum class End : std::uint8_t {
    closed,          // the close handshake finished (or the server dropped TCP after it)
    eof,             // the server closed TCP before completing a close handshake
    timeout,         // the case's time ran out
    violation,       // the server broke a rule; we dropped the connection
    refused,         // the handshake did not end in 101 (handshake cases end here too)
    handshake_done,  // a handshake case ended after the response head
    error,           // connect or I/O failure
};

struct Observation {
    std::optional<proto::HttpHead> response;  // the server's answer to the upgrade
    std::string key;                          // the Sec-WebSocket-Key we sent ("" if none)
    std::vector<Reply> replies;
    End end = End::error;
    std::string detail;  // End::error: the message; End::refused: why
    Duration elapsed{};  // from the first byte sent to the end of the case
};

using Evaluator = std::function<Verdict(const Observation&)>;

// A step after the handshake. Steps run in order; each waits for the previous one's bytes to
// be written.
struct Step {
    enum class Kind : std::uint8_t {
        send,     // write bytes (whole frames, or a piece of one)
        pause,    // wait `pause` after everything before it was written
        await,    // wait until `replies` data messages and pongs have arrived in all
    };
    Kind kind = Kind::send;
    proto::Bytes bytes;
    std::chrono::milliseconds pause{0};
    std::size_t replies = 0;
};

struct Case {
    std::string id;     // "6.4.3": ours, numbered like the groups below
    std::string group;  // "utf8"
    std::string title;  // "invalid UTF-8 (C0 80) in one frame"
    std::string rule;   // "RFC 6455 §8.1"
    bool needs_echo = false;  // meaningless against a server that does not echo
    bool timed = false;       // a performance case: its time is part of the report
    // Handshake cases send this request instead of the standard one; {host}, {target} and
    // {key} are replaced by the URL's Host, target and a fresh key. The case ends with the
    // response head.
    std::optional<std::string> request;
    std::vector<Step> steps;
    // After the steps: send Close 1000 and wait for the server's reply.
    bool close_at_end = true;
    std::chrono::milliseconds timeout{0};  // 0: the run's --timeout
    Evaluator evaluate;
};

// "PASS", "NON-STRICT", "FAIL".
[[nodiscard]] const char* grade_name(Grade g) noexcept;

}  // namespace wscope::check
