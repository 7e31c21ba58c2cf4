// Builders for the --jsonl event records (schema in jsonl.hpp).
#include "present/jsonl.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "proto/close_code.hpp"
#include "proto/opcode.hpp"

namespace wscope::present {
namespace {

constexpr int rtt_decimals = 3;  // microsecond resolution in milliseconds

JsonObject event(TimePoint ts, std::string_view type) {
    JsonObject o;
    o.string("ts", format_timestamp(ts));
    o.string("type", type);
    return o;
}

JsonObject event(TimePoint ts, std::string_view type, Direction dir) {
    JsonObject o = event(ts, type);
    o.string("dir", json_name(dir));
    return o;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// HTTP field names are case-insensitive and may repeat (RFC 9110 §5.1, §5.3); a JSON object
// should not, so names are lower-cased and repeated fields joined in order.
JsonObject headers_object(std::span<const proto::HeaderField> fields) {
    std::vector<std::pair<std::string, std::string>> merged;
    for (const auto& f : fields) {
        std::string name = lower(f.name);
        auto it = std::find_if(merged.begin(), merged.end(),
                               [&](const auto& m) { return m.first == name; });
        if (it == merged.end())
            merged.emplace_back(std::move(name), f.value);
        else
            it->second += ", " + f.value;
    }
    JsonObject o;
    for (const auto& [name, value] : merged) o.string(name, value);
    return o;
}

std::optional<std::string_view> unless_empty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

std::string mask_hex(const proto::MaskKey& key) {
    constexpr std::string_view hex_digits = "0123456789abcdef";
    std::string s;
    for (const std::uint8_t b : key) {
        s += hex_digits[b >> 4];
        s += hex_digits[b & 0xF];
    }
    return s;
}

}  // namespace

std::string_view json_opcode_name(proto::Opcode op) noexcept {
    switch (op) {
        case proto::Opcode::continuation: return "continuation";
        case proto::Opcode::text: return "text";
        case proto::Opcode::binary: return "binary";
        case proto::Opcode::close: return "close";
        case proto::Opcode::ping: return "ping";
        case proto::Opcode::pong: return "pong";
    }
    return "reserved";
}

JsonObject open_event(TimePoint ts, const OpenInfo& open) {
    JsonObject o = event(ts, "open");
    o.string("url", open.url);
    o.number("status", open.status);
    o.object("headers", headers_object(open.headers));
    o.string_or_null("subprotocol", unless_empty(open.subprotocol));
    o.string_or_null("extensions", unless_empty(open.extensions));
    return o;
}

JsonObject frame_event(TimePoint ts, Direction dir, const proto::FrameHeader& h) {
    JsonObject o = event(ts, "frame", dir);
    o.string("opcode", json_opcode_name(h.opcode));
    o.number("op", static_cast<unsigned>(h.opcode));
    o.boolean("fin", h.fin);
    o.boolean("rsv1", (h.rsv & proto::rsv1) != 0);
    o.boolean("rsv2", (h.rsv & proto::rsv2) != 0);
    o.boolean("rsv3", (h.rsv & proto::rsv3) != 0);
    o.boolean("masked", h.mask.has_value());
    if (h.mask)
        o.string("mask", mask_hex(*h.mask));
    else
        o.null("mask");
    o.number("len", h.payload_len);
    o.number("len_encoding", static_cast<unsigned>(h.length_encoding));
    return o;
}

JsonObject message_event(TimePoint ts, Direction dir, proto::MessageType type,
                         proto::ByteView data) {
    JsonObject o = event(ts, "message", dir);
    o.string("msg_type", type == proto::MessageType::text ? "text" : "binary");
    o.number("size", data.size());
    o.data("data", data);
    return o;
}

JsonObject ping_event(TimePoint ts, Direction dir, proto::ByteView payload) {
    JsonObject o = event(ts, "ping", dir);
    o.data("data", payload);
    return o;
}

JsonObject pong_event(TimePoint ts, Direction dir, proto::ByteView payload,
                      std::optional<double> rtt_ms) {
    JsonObject o = event(ts, "pong", dir);
    o.data("data", payload);
    if (rtt_ms) o.decimal("rtt_ms", *rtt_ms, rtt_decimals);
    return o;
}

JsonObject close_event(TimePoint ts, Direction dir, std::optional<std::uint16_t> code,
                       std::string_view reason) {
    JsonObject o = event(ts, "close", dir);
    if (code)
        o.number("code", *code);
    else
        o.null("code");
    // §7.1.5: no status code in the Close frame is read as 1005.
    o.string("name", proto::close_code_name(code.value_or(1005)));
    o.string("reason", reason);
    return o;
}

JsonObject error_event(TimePoint ts, std::string_view kind, std::string_view message,
                       int exit_code) {
    JsonObject o = event(ts, "error");
    o.string("kind", kind);
    o.string("message", message);
    o.number("exit_code", exit_code);
    return o;
}

JsonObject reconnect_event(TimePoint ts, unsigned try_number, unsigned max_tries, std::int64_t delay_ms,
                           std::string_view kind, std::string_view message) {
    JsonObject o = event(ts, "reconnect");
    o.number("try", try_number);
    if (max_tries == 0)
        o.null("max_tries");
    else
        o.number("max_tries", max_tries);
    o.number("delay_ms", delay_ms);
    o.string("kind", kind);
    o.string("message", message);
    return o;
}

JsonObject injected_event(TimePoint ts, std::string_view what) {
    JsonObject o = event(ts, "injected");
    o.string("injected", what);
    return o;
}

}  // namespace wscope::present
