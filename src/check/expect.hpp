// Evaluators: what a case expects back, as functions from an Observation to a Verdict. Pure;
// unit-tested with byte tables in tests/check/expect_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/case.hpp"
#include "proto/close_code.hpp"

namespace wscope::check {

struct Message {
    proto::MessageType type = proto::MessageType::text;
    proto::Bytes data;
};

// The server must answer with these messages, in order (and the pongs, as counted), then
// answer our Close. A Close 1009 before the end is NON-STRICT (a size limit, RFC 6455 §10.4).
[[nodiscard]] Evaluator expect_echo(std::vector<Message> messages, std::string what,
                                    std::vector<proto::Bytes> pongs = {});

// The server must fail the connection with Close `code` (what: the offence, as the verdict
// names it: "RSV1 on a text frame"). `allowed_before` data messages or pongs may arrive first
// (the replies to the valid frames that precede the offending one). Dropping TCP without a
// Close is NON-STRICT (RFC 6455 §7.1.7 allows it).
[[nodiscard]] Evaluator expect_failure(proto::CloseCode code, std::string what,
                                       std::size_t allowed_before = 0);

// One pong per ping, with the ping's payload, in order. With lenient, answering only the
// last of several pings is NON-STRICT (RFC 6455 §5.5.3).
[[nodiscard]] Evaluator expect_pongs(std::vector<proto::Bytes> payloads, std::string what,
                                     bool lenient = false);

// Our Close (with `sent`) must be answered with a Close and nothing else (no data after it).
[[nodiscard]] Evaluator expect_close_reply(std::optional<std::uint16_t> sent, std::string what);

// ---- handshake ----

// 101 with Upgrade, Connection and the right Sec-WebSocket-Accept (RFC 6455 §4.2.2).
[[nodiscard]] Evaluator expect_upgrade(std::string what);
// Any 4xx (the server "MUST stop processing the client's handshake and return an HTTP
// response with an appropriate error code", RFC 6455 §4.2.1).
[[nodiscard]] Evaluator expect_refusal(std::string what);
// A 4xx (426 or 400, as in the RFC's example) with Sec-WebSocket-Version listing 13: "it MUST
// respond with a |Sec-WebSocket-Version| header field" (RFC 6455 §4.4).
[[nodiscard]] Evaluator expect_version_refusal(std::string what);

// "Close 1002 (protocol error)", "Close without a code", "TEXT of 5 bytes", …
[[nodiscard]] std::string describe(const Reply& r);
[[nodiscard]] std::string describe_close(std::optional<std::uint16_t> code);

}  // namespace wscope::check
