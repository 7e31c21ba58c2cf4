// The table of protocol errors: name, message, rule, and the close code each one calls for.
#include "proto/errc.hpp"

#include <array>
#include <cstddef>

namespace wscope::proto {
namespace {

constexpr CloseCode kProto = CloseCode::protocol_error;
constexpr CloseCode kData = CloseCode::invalid_payload;
constexpr CloseCode kNone = CloseCode::none;

struct Row {
    Errc code;
    ErrcInfo info;
};

constexpr std::array kTable{
    Row{Errc::reserved_opcode, {"reserved_opcode", "frame uses a reserved opcode", "RFC 6455 §5.2", kProto}},
    Row{Errc::reserved_bits, {"reserved_bits", "RSV bit set without a negotiated extension", "RFC 6455 §5.2", kProto}},
    Row{Errc::control_too_long, {"control_too_long", "control frame longer than 125 bytes", "RFC 6455 §5.5", kProto}},
    Row{Errc::control_fragmented, {"control_fragmented", "control frame is fragmented (FIN clear)", "RFC 6455 §5.5", kProto}},
    Row{Errc::length_msb_set, {"length_msb_set", "64-bit payload length has its most significant bit set", "RFC 6455 §5.2", kProto}},
    Row{Errc::non_minimal_length, {"non_minimal_length", "payload length not encoded in the minimal number of bytes", "RFC 6455 §5.2", kProto}},
    Row{Errc::unexpected_continuation, {"unexpected_continuation", "continuation frame with no message to continue", "RFC 6455 §5.4", kProto}},
    Row{Errc::expected_continuation, {"expected_continuation", "new data frame while a fragmented message is open", "RFC 6455 §5.4", kProto}},
    Row{Errc::server_frame_masked, {"server_frame_masked", "server frame is masked", "RFC 6455 §5.1", kProto}},
    Row{Errc::client_frame_unmasked, {"client_frame_unmasked", "client frame is not masked", "RFC 6455 §5.1", kProto}},
    Row{Errc::message_too_big, {"message_too_big", "message exceeds the maximum message size", "RFC 6455 §10.4", CloseCode::message_too_big}},
    Row{Errc::too_many_tiny_frames, {"too_many_tiny_frames", "message sent as too many tiny frames", "RFC 6455 §10.4", CloseCode::policy_violation}},
    Row{Errc::invalid_utf8, {"invalid_utf8", "text is not valid UTF-8", "RFC 6455 §8.1", kData}},
    Row{Errc::close_payload_too_short, {"close_payload_too_short", "close frame body of 1 byte (a code takes 2)", "RFC 6455 §5.5.1", kProto}},
    Row{Errc::invalid_close_code, {"invalid_close_code", "close code may not be sent on the wire", "RFC 6455 §7.4", kProto}},
    Row{Errc::bad_compressed_data, {"bad_compressed_data", "compressed message does not inflate", "RFC 7692 §7.2.2", kData}},
    Row{Errc::compressed_control, {"compressed_control", "RSV1 set on a control frame", "RFC 7692 §6.1", kProto}},
    Row{Errc::compressed_continuation, {"compressed_continuation", "RSV1 set on a continuation frame", "RFC 7692 §6.1", kProto}},
    Row{Errc::connection_lost, {"connection_lost", "connection closed without a close frame", "RFC 6455 §7.1.5", CloseCode::abnormal}},
    Row{Errc::http_head_too_large, {"http_head_too_large", "HTTP head exceeds 16 KiB", "RFC 9112 §2", kNone}},
    Row{Errc::http_malformed, {"http_malformed", "malformed HTTP head", "RFC 9112 §2", kNone}},
    Row{Errc::handshake_bad_status, {"handshake_bad_status", "expected status 101", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_missing_upgrade, {"handshake_missing_upgrade", "missing \"Upgrade: websocket\"", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_missing_connection, {"handshake_missing_connection", "missing \"Connection: Upgrade\"", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_missing_accept, {"handshake_missing_accept", "missing Sec-WebSocket-Accept", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_bad_accept, {"handshake_bad_accept", "Sec-WebSocket-Accept mismatch", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_unrequested_subprotocol, {"handshake_unrequested_subprotocol", "server chose a subprotocol the client did not offer", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_unrequested_extension, {"handshake_unrequested_extension", "server chose an extension the client did not offer", "RFC 6455 §4.1", kNone}},
    Row{Errc::handshake_bad_extension, {"handshake_bad_extension", "unacceptable extension parameters", "RFC 7692 §5", kNone}},
    Row{Errc::handshake_method_not_allowed, {"handshake_method_not_allowed", "the opening handshake must be a GET", "RFC 6455 §4.2.1", kNone}},
    Row{Errc::handshake_bad_version, {"handshake_bad_version", "unsupported Sec-WebSocket-Version (13 required)", "RFC 6455 §4.2.1", kNone}},
    Row{Errc::handshake_bad_key, {"handshake_bad_key", "Sec-WebSocket-Key must be 16 bytes in base64", "RFC 6455 §4.2.1", kNone}},
    Row{Errc::handshake_missing_host, {"handshake_missing_host", "missing Host header", "RFC 6455 §4.2.1", kNone}},
    Row{Errc::handshake_bad_target, {"handshake_bad_target", "request target must be an absolute path", "RFC 6455 §4.2.1", kNone}},
};

constexpr bool table_in_order() {
    for (std::size_t i = 0; i < kTable.size(); ++i)
        if (static_cast<std::size_t>(kTable[i].code) != i + 1) return false;
    return true;
}
static_assert(table_in_order(), "kTable rows must follow the order of enum Errc");

const ErrcInfo kUnknown{"unknown", "unknown error", "", CloseCode::protocol_error};

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "wscope"; }
    std::string message(int ev) const override {
        return std::string(info(static_cast<Errc>(ev)).message);
    }
};

}  // namespace

const ErrcInfo& info(Errc e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    if (i == 0 || i > kTable.size()) return kUnknown;
    return kTable[i - 1].info;
}

bool is_handshake_error(Errc e) noexcept { return e >= Errc::http_head_too_large; }

std::string Error::describe() const {
    const ErrcInfo& i = info(code);
    std::string out(detail.empty() ? i.message : std::string_view(detail));
    if (!i.rule.empty()) {
        out += " (";
        out += i.rule;
        out += ')';
    }
    return out;
}

const std::error_category& wscope_category() noexcept {
    static const Category category;
    return category;
}

std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), wscope_category()};
}

}  // namespace wscope::proto
