// A recorded session as replay reads it (SPEC §2.8), from either of two files:
//  - a wscope transcript: the JSON Lines that --record writes (or that --jsonl printed), its
//    first line an "open" record with the URL, the request headers, the agreed subprotocol
//    and extensions, the schema version and the recording side (man page: RECORD AND REPLAY);
//  - a HAR 1.2 file as Chrome DevTools saves it: the entries whose _resourceType is
//    "websocket", their _webSocketMessages (type send/receive, time in epoch seconds, opcode
//    1 text or 2 binary in base64, data).
// Either way the result is the same list of steps, each said by the client or the server,
// with its time since the connection opened. Ping, pong and frame records are not steps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/http1.hpp"

namespace wscope::app {

// The transcript schema this build writes; it reads this one and those before it.
inline constexpr int transcript_version = 1;

enum class Sender : std::uint8_t { client, server };
enum class StepKind : std::uint8_t { text, binary, close };

struct TranscriptStep {
    Sender from = Sender::client;
    StepKind kind = StepKind::text;
    std::chrono::microseconds at{0};     // since the open
    proto::Bytes data;                   // the message; a close: its reason
    std::optional<std::uint16_t> code;   // a close's code (none: an empty Close body)
};

struct Transcript {
    int version = transcript_version;
    std::string url;
    std::vector<proto::HeaderField> request_headers;  // as recorded, handshake fields included
    std::string subprotocol;                          // empty: none
    std::string extensions;                           // empty: none
    std::vector<TranscriptStep> steps;
};

struct TranscriptLoad {
    std::optional<Transcript> transcript;
    std::string error;  // why not, for "wscope: error: FILE: …"
};

// entry chooses among a HAR file's WebSocket entries: "" (there must be one), a number (the
// Nth, from 1), or text that the entry's URL contains. A wscope transcript ignores it.
[[nodiscard]] TranscriptLoad parse_transcript(std::string_view text, std::string_view entry = {});
[[nodiscard]] TranscriptLoad load_transcript(const std::string& path, std::string_view entry = {});

// RFC 3339 date-time (with fraction and Z or ±hh:mm) → microseconds since the epoch.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339_us(std::string_view s);

}  // namespace wscope::app
