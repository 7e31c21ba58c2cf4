// Every way a peer can break RFC 6455 (or RFC 7692, or the HTTP/1.1 upgrade), one named
// error each. Each error knows the close code to send in reply and the rule it enforces, so
// that a violation can be reported as "server frame is masked (RFC 6455 §5.1)" and answered
// with the right Close frame without a second table anywhere else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "proto/close_code.hpp"

namespace wscope::proto {

enum class Errc : std::uint8_t {
    // Frame layer (RFC 6455 §5).
    reserved_opcode = 1,      // opcodes 0x3-0x7 and 0xB-0xF are reserved
    reserved_bits,            // RSV1-3 set without an extension that defines them
    control_too_long,         // control frame payload > 125 bytes
    control_fragmented,       // control frame with FIN clear
    length_msb_set,           // 64-bit length with its most significant bit set
    non_minimal_length,       // length encoded in more bytes than needed
    unexpected_continuation,  // continuation frame with no fragmented message open
    expected_continuation,    // new data frame while a fragmented message is open
    server_frame_masked,      // a client received a masked frame
    client_frame_unmasked,    // a server received an unmasked frame
    message_too_big,          // message larger than the configured maximum
    too_many_tiny_frames,     // message sent as more tiny frames than allowed
    invalid_utf8,             // text message (or close reason) that is not UTF-8
    close_payload_too_short,  // a close payload of exactly one byte
    invalid_close_code,       // a close code that may not appear on the wire
    bad_compressed_data,      // permessage-deflate data that does not inflate
    compressed_control,       // RSV1 on a control frame with permessage-deflate
    compressed_continuation,  // RSV1 on a continuation frame with permessage-deflate
    connection_lost,          // the byte stream ended without a closing handshake

    // Opening handshake (RFC 6455 §4, RFC 9110/9112 for the HTTP head).
    http_head_too_large,
    http_malformed,
    handshake_bad_status,
    handshake_missing_upgrade,
    handshake_missing_connection,
    handshake_missing_accept,
    handshake_bad_accept,
    handshake_unrequested_subprotocol,
    handshake_unrequested_extension,
    handshake_bad_extension,
    handshake_method_not_allowed,
    handshake_bad_version,
    handshake_bad_key,
    handshake_missing_host,
    handshake_bad_target,
};

struct ErrcInfo {
    std::string_view name;     // "server_frame_masked"
    std::string_view message;  // "server frame is masked"
    std::string_view rule;     // "RFC 6455 §5.1"
    CloseCode close_code;      // what to send in reply (frame errors only)
};

[[nodiscard]] const ErrcInfo& info(Errc e) noexcept;
[[nodiscard]] inline CloseCode close_code_for(Errc e) noexcept { return info(e).close_code; }
[[nodiscard]] bool is_handshake_error(Errc e) noexcept;

// The error as a value: what broke, and the specific detail ("126-byte PING", the bytes).
struct Error {
    Errc code{};
    std::string detail;  // may be empty

    // "server frame is masked (RFC 6455 §5.1)" or "<detail> (RFC 6455 §5.1)" when the detail
    // already says it better.
    [[nodiscard]] std::string describe() const;
};

[[nodiscard]] const std::error_category& wscope_category() noexcept;
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace wscope::proto

template <>
struct std::is_error_code_enum<wscope::proto::Errc> : std::true_type {};
