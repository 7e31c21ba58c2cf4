// Close status codes (RFC 6455 §7.4) and the Close frame body (§5.5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::proto {

enum class CloseCode : std::uint16_t {
    none = 0,                   // not a wire value: "no code to send"
    normal = 1000,              // purpose fulfilled
    going_away = 1001,          // server shutting down, browser leaving the page
    protocol_error = 1002,      // the peer broke the protocol
    unsupported_data = 1003,    // a data type the endpoint cannot accept
    reserved_1004 = 1004,       // reserved, never on the wire
    no_status = 1005,           // "no code was present" — never on the wire
    abnormal = 1006,            // "closed without a Close frame" — never on the wire
    invalid_payload = 1007,     // data inconsistent with the message type (bad UTF-8)
    policy_violation = 1008,    // generic policy refusal
    message_too_big = 1009,     // message too big to process
    mandatory_extension = 1010, // client wanted an extension the server did not agree
    internal_error = 1011,      // unexpected condition on the server
    service_restart = 1012,     // IANA registry
    try_again_later = 1013,     // IANA registry
    bad_gateway = 1014,         // IANA registry
    tls_handshake = 1015,       // "TLS handshake failed" — never on the wire
};

// May this code appear in a Close frame? (§7.4.1, §7.4.2 and the IANA registry)
// 1000-1003, 1007-1014 and 3000-4999 yes; 0-999, 1004-1006, 1015, 1016-2999 and 5000+ no.
[[nodiscard]] bool is_valid_on_wire(std::uint16_t code) noexcept;

// "normal", "going away", "protocol error", …; "private use" for 4000-4999, "registered"
// for 3000-3999, "unknown" otherwise.
[[nodiscard]] std::string_view close_code_name(std::uint16_t code) noexcept;

// Close body: either empty (no code), or a 2-byte code followed by a UTF-8 reason. The reason
// fits the 125-byte control frame limit with its code: at most 123 bytes.
inline constexpr std::size_t max_close_reason = 123;

struct CloseInfo {
    std::optional<std::uint16_t> code;  // absent: the peer sent an empty Close (1005)
    std::string reason;
};

struct Error;
template <typename T, typename E>
class Result;

// Checks a received Close payload: no 1-byte body, a wire-valid code, a UTF-8 reason.
[[nodiscard]] Result<CloseInfo, Error> parse_close_payload(ByteView payload);

// Builds a Close body. A code of none gives an empty body; the reason is truncated to
// max_close_reason bytes on a UTF-8 boundary.
[[nodiscard]] Bytes format_close_payload(CloseCode code, std::string_view reason = {});
[[nodiscard]] Bytes format_close_payload(std::uint16_t code, std::string_view reason = {});

}  // namespace wscope::proto
