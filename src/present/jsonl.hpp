// The --jsonl event records: one JSON object per line, every one starting with "ts" (RFC 3339
// UTC, microseconds) and "type". Each builder returns the object so that a caller can add
// members (listen mode's client id) before writing JsonObject::line().
//
//   open     url, status, headers {lower-case name: value, repeats joined with ", "},
//            subprotocol, extensions (null when none)
//   frame    dir, opcode ("text", "continuation", "reserved"…), op (0-15), fin, rsv1-3,
//            masked, mask ("3f1a09c2" or null), len, len_encoding (7, 16 or 64)
//   message  dir, msg_type ("text"/"binary"), size, data
//   ping     dir, data
//   pong     dir, data, rtt_ms (when the pong answers a ping of ours)
//   close    dir, code (null for an empty Close body, which RFC 6455 §7.1.5 reads as 1005),
//            name, reason
//   error    kind, message, exit_code
//   reconnect try (1-based), max_tries (null: no limit), delay_ms, kind and message (why the
//            last attempt ended) — the client's --reconnect, before it waits
//   injected injected (what a test server did on purpose: "drop@2", "reject=403"…)
//
// data is {"text":"…"} for valid UTF-8 and {"bytes":"<base64>"} otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "present/direction.hpp"
#include "present/json_writer.hpp"
#include "present/timestamp.hpp"
#include "proto/bytes.hpp"
#include "proto/event.hpp"
#include "proto/frame.hpp"
#include "proto/http1.hpp"

namespace wscope::present {

struct OpenInfo {
    std::string_view url;
    int status = 101;
    std::span<const proto::HeaderField> headers;  // the handshake response's (or request's)
    std::string_view subprotocol;                 // empty: none
    std::string_view extensions;                  // empty: none
};

[[nodiscard]] JsonObject open_event(TimePoint ts, const OpenInfo& open);
[[nodiscard]] JsonObject frame_event(TimePoint ts, Direction dir, const proto::FrameHeader& h);
[[nodiscard]] JsonObject message_event(TimePoint ts, Direction dir, proto::MessageType type,
                                       proto::ByteView data);
[[nodiscard]] JsonObject ping_event(TimePoint ts, Direction dir, proto::ByteView payload);
[[nodiscard]] JsonObject pong_event(TimePoint ts, Direction dir, proto::ByteView payload,
                                    std::optional<double> rtt_ms = std::nullopt);
[[nodiscard]] JsonObject close_event(TimePoint ts, Direction dir,
                                     std::optional<std::uint16_t> code, std::string_view reason);
[[nodiscard]] JsonObject error_event(TimePoint ts, std::string_view kind,
                                     std::string_view message, int exit_code);
[[nodiscard]] JsonObject reconnect_event(TimePoint ts, unsigned try_number, unsigned max_tries,
                                         std::int64_t delay_ms, std::string_view kind,
                                         std::string_view message);

[[nodiscard]] JsonObject injected_event(TimePoint ts, std::string_view what);

// "text", "binary", "continuation", "close", "ping", "pong", or "reserved".
[[nodiscard]] std::string_view json_opcode_name(proto::Opcode op) noexcept;

}  // namespace wscope::present
