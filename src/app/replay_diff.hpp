// What `wscope replay --expect` compares and how it shows a difference: text as text (quoted,
// escaped), binary as hex dumps. --ignore patterns mask what they match in both messages
// before the comparison, so that ids and timestamps do not count.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "app/transcript.hpp"
#include "proto/bytes.hpp"
#include "proto/event.hpp"

namespace wscope::app {

struct ReceivedMessage {
    proto::MessageType type = proto::MessageType::text;
    proto::Bytes data;
};

// Compiles --ignore patterns (ECMAScript syntax); error names the bad one.
struct IgnoreRules {
    std::vector<std::regex> patterns;
    std::string error;
};
[[nodiscard]] IgnoreRules compile_ignores(const std::vector<std::string>& patterns);

// data with every match replaced by "…" (U+2026).
[[nodiscard]] std::string masked(proto::ByteView data, const std::vector<std::regex>& patterns);

// Whether received is what the step recorded, after masking.
[[nodiscard]] bool same_message(const TranscriptStep& expected, const ReceivedMessage& received,
                                const std::vector<std::regex>& patterns);

// The lines of a difference: "  expected text (5 bytes): \"hello\"" and "  received …", or hex
// dumps for binary. received absent: nothing arrived.
[[nodiscard]] std::string describe_difference(const TranscriptStep& expected, const std::optional<ReceivedMessage>& received);

// A message that arrived where the recording has none.
[[nodiscard]] std::string describe_unexpected(const ReceivedMessage& received);

}  // namespace wscope::app
