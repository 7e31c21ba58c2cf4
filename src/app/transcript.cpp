// Reading transcripts and HAR files (transcript.hpp).
#include "app/transcript.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "present/json_reader.hpp"

namespace wscope::app {
namespace {

using present::JsonValue;

// A transcript larger than this is surely not one (and would not fit a replay's memory well).
constexpr std::size_t max_transcript_bytes = 256u << 20;

TranscriptLoad failed(std::string message) {
    TranscriptLoad r;
    r.error = std::move(message);
    return r;
}

std::optional<proto::Bytes> base64_decode(std::string_view s) {
    std::array<int, 256> value{};
    value.fill(-1);
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    proto::Bytes out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t pad = 0;
    for (char c : s) {
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad > 0) return std::nullopt;  // data after padding
        const int v = value[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    if (pad > 2 || bits >= 6) return std::nullopt;
    return out;
}

proto::Bytes to_bytes(std::string_view s) { return proto::Bytes(s.begin(), s.end()); }

// data as --jsonl writes it: {"text":"…"} or {"bytes":"<base64>"}.
std::optional<proto::Bytes> envelope(const JsonValue* data) {
    if (!data) return proto::Bytes{};
    if (auto t = data->string_at("text")) return to_bytes(*t);
    if (auto b = data->string_at("bytes")) return base64_decode(*b);
    return std::nullopt;
}

std::int64_t int_digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
    std::int64_t v = 0;
    if (at + n > s.size()) {
        ok = false;
        return 0;
    }
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') ok = false;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void add_header(std::vector<proto::HeaderField>& out, std::string_view name, const JsonValue& v) {
    if (const std::string* s = v.as_string()) out.push_back({std::string(name), *s});
}

// ---- wscope transcripts (JSON Lines) ----

TranscriptLoad parse_jsonl(std::string_view text) {
    Transcript t;
    bool opened = false;
    bool server_side = false;
    std::int64_t origin_us = 0;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        const std::string where = "line " + std::to_string(line_no) + ": ";
        present::JsonParse p = present::parse_json(line);
        if (!p.value) return failed(where + p.error);
        const JsonValue& rec = *p.value;
        const auto type = rec.string_at("type");
        if (!type) return failed(where + "a record without \"type\"");
        std::int64_t ts = origin_us;
        if (auto s = rec.string_at("ts")) {
            auto parsed = parse_rfc3339_us(*s);
            if (!parsed) return failed(where + "bad \"ts\"");
            ts = *parsed;
        }
        if (*type == "open") {
            if (opened) return failed(where + "a second \"open\": one session per transcript");
            opened = true;
            origin_us = ts;
            if (auto v = rec.number_at("version")) {
                t.version = static_cast<int>(*v);
                if (t.version > transcript_version || t.version < 1)
                    return failed(where + "transcript version " + std::to_string(t.version) +
                                  " (this wscope reads version " + std::to_string(transcript_version) + ")");
            }
            t.url = std::string(rec.string_at("url").value_or(""));
            t.subprotocol = std::string(rec.string_at("subprotocol").value_or(""));
            t.extensions = std::string(rec.string_at("extensions").value_or(""));
            server_side = rec.string_at("role") == std::string_view("server") || rec.get("client") != nullptr;
            if (const JsonValue* h = rec.get("request_headers"); h && h->as_object())
                for (const auto& [name, value] : *h->as_object()) add_header(t.request_headers, name, value);
            continue;
        }
        if (!opened) return failed(where + "expected the \"open\" record first");
        if (*type != "message" && *type != "close") continue;  // frames, pings, pongs, errors
        const auto dir = rec.string_at("dir");
        if (dir != std::string_view("in") && dir != std::string_view("out"))
            return failed(where + "\"dir\" must be \"in\" or \"out\"");
        const bool we_sent = *dir == "out";
        TranscriptStep step;
        step.from = (we_sent != server_side) ? Sender::client : Sender::server;
        step.at = std::chrono::microseconds(std::max<std::int64_t>(0, ts - origin_us));
        if (*type == "message") {
            const auto kind = rec.string_at("msg_type");
            if (kind != std::string_view("text") && kind != std::string_view("binary"))
                return failed(where + "\"msg_type\" must be \"text\" or \"binary\"");
            step.kind = *kind == "text" ? StepKind::text : StepKind::binary;
            auto data = envelope(rec.get("data"));
            if (!data) return failed(where + "bad \"data\" (want {\"text\":…} or {\"bytes\":base64})");
            step.data = std::move(*data);
        } else {
            step.kind = StepKind::close;
            if (auto c = rec.number_at("code")) step.code = static_cast<std::uint16_t>(*c);
            step.data = to_bytes(rec.string_at("reason").value_or(""));
        }
        t.steps.push_back(std::move(step));
    }
    if (!opened) return failed("no \"open\" record: not a wscope transcript");
    TranscriptLoad r;
    r.transcript = std::move(t);
    return r;
}

// ---- HAR 1.2 (Chrome DevTools) ----

bool is_websocket_entry(const JsonValue& e) {
    return e.string_at("_resourceType") == std::string_view("websocket") ||
           (e.get("_webSocketMessages") && e.get("_webSocketMessages")->as_array());
}

std::string entry_url(const JsonValue& e) {
    const JsonValue* req = e.get("request");
    return req ? std::string(req->string_at("url").value_or("")) : std::string();
}

std::optional<std::string> header_value(const JsonValue* headers, std::string_view name) {
    if (!headers || !headers->as_array()) return std::nullopt;
    for (const JsonValue& h : *headers->as_array()) {
        auto n = h.string_at("name");
        auto v = h.string_at("value");
        if (n && v && proto::iequals(*n, name)) return std::string(*v);
    }
    return std::nullopt;
}

TranscriptLoad from_har_entry(const JsonValue& e, std::size_t number) {
    const std::string where = "HAR entry " + std::to_string(number) + ": ";
    Transcript t;
    t.url = entry_url(e);
    const JsonValue* req = e.get("request");
    if (const JsonValue* hs = req ? req->get("headers") : nullptr; hs && hs->as_array())
        for (const JsonValue& h : *hs->as_array()) {
            auto n = h.string_at("name");
            auto v = h.string_at("value");
            if (n && v && !n->empty() && n->front() != ':') t.request_headers.push_back({std::string(*n), std::string(*v)});
        }
    const JsonValue* resp = e.get("response");
    const JsonValue* resp_headers = resp ? resp->get("headers") : nullptr;
    t.subprotocol = header_value(resp_headers, "Sec-WebSocket-Protocol").value_or("");
    t.extensions = header_value(resp_headers, "Sec-WebSocket-Extensions").value_or("");
    const JsonValue* msgs = e.get("_webSocketMessages");
    if (!msgs || !msgs->as_array()) return failed(where + "no _webSocketMessages");
    std::optional<double> origin;
    if (auto started = e.string_at("startedDateTime"))
        if (auto us = parse_rfc3339_us(*started)) origin = static_cast<double>(*us) / 1e6;
    std::size_t index = 0;
    for (const JsonValue& m : *msgs->as_array()) {
        ++index;
        const std::string at = where + "message " + std::to_string(index) + ": ";
        const auto type = m.string_at("type");
        const auto time = m.number_at("time");
        const auto opcode = m.number_at("opcode");
        const auto data = m.string_at("data");
        if (!type || (*type != "send" && *type != "receive")) return failed(at + "\"type\" must be \"send\" or \"receive\"");
        if (!time || !opcode || !data) return failed(at + "needs \"time\", \"opcode\" and \"data\"");
        if (*opcode != 1 && *opcode != 2) continue;  // only data messages are recorded as steps
        if (!origin || *origin > *time) origin = *time;
        TranscriptStep step;
        step.from = *type == "send" ? Sender::client : Sender::server;
        step.kind = *opcode == 1 ? StepKind::text : StepKind::binary;
        step.at = std::chrono::microseconds(std::llround((*time - *origin) * 1e6));
        if (step.kind == StepKind::text) {
            step.data = to_bytes(*data);
        } else {
            auto bytes = base64_decode(*data);
            if (!bytes) return failed(at + "binary data that is not base64");
            step.data = std::move(*bytes);
        }
        t.steps.push_back(std::move(step));
    }
    // Chrome's times are wall-clock; keep the order they were listed in, but never go back.
    for (std::size_t i = 1; i < t.steps.size(); ++i) t.steps[i].at = std::max(t.steps[i].at, t.steps[i - 1].at);
    TranscriptLoad r;
    r.transcript = std::move(t);
    return r;
}

TranscriptLoad parse_har(const JsonValue& doc, std::string_view entry) {
    const JsonValue* log = doc.get("log");
    const JsonValue* entries = log ? log->get("entries") : nullptr;
    if (!entries || !entries->as_array()) return failed("not a HAR file (no log.entries)");
    std::vector<const JsonValue*> sockets;
    for (const JsonValue& e : *entries->as_array())
        if (is_websocket_entry(e)) sockets.push_back(&e);
    if (sockets.empty()) return failed("the HAR file holds no WebSocket entry (_resourceType \"websocket\")");
    if (entry.empty()) {
        if (sockets.size() == 1) return from_har_entry(*sockets.front(), 1);
        std::string list;
        for (std::size_t i = 0; i < sockets.size(); ++i)
            list += (i ? ", " : "") + std::to_string(i + 1) + " " + entry_url(*sockets[i]);
        return failed("the HAR file holds " + std::to_string(sockets.size()) +
                      " WebSocket entries; choose one with --entry N or --entry URL-PART (" + list + ")");
    }
    std::size_t n = 0;
    const auto r = std::from_chars(entry.data(), entry.data() + entry.size(), n);
    if (r.ec == std::errc() && r.ptr == entry.data() + entry.size()) {
        if (n == 0 || n > sockets.size())
            return failed("--entry " + std::string(entry) + ": the HAR file has WebSocket entries 1 to " +
                          std::to_string(sockets.size()));
        return from_har_entry(*sockets[n - 1], n);
    }
    for (std::size_t i = 0; i < sockets.size(); ++i)
        if (entry_url(*sockets[i]).find(entry) != std::string::npos) return from_har_entry(*sockets[i], i + 1);
    return failed("--entry " + std::string(entry) + ": no WebSocket entry's URL contains it");
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_us(std::string_view s) {
    // 2026-11-24T12:19:14.296993Z  or  2026-11-24T12:19:14+01:00
    bool ok = s.size() >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') &&
              s[13] == ':' && s[16] == ':';
    if (!ok) return std::nullopt;
    const std::int64_t y = int_digits(s, 0, 4, ok), mo = int_digits(s, 5, 2, ok), d = int_digits(s, 8, 2, ok);
    const std::int64_t h = int_digits(s, 11, 2, ok), mi = int_digits(s, 14, 2, ok), sec = int_digits(s, 17, 2, ok);
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::size_t i = 19;
    std::int64_t frac_us = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::int64_t scale = 100000;
        const std::size_t from = i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
            frac_us += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (i == from) return std::nullopt;
    }
    std::int64_t offset_s = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        const std::int64_t oh = int_digits(s, i + 1, 2, ok), om = int_digits(s, i + 4, 2, ok);
        if (!ok) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    return secs * 1000000 + frac_us;
}

TranscriptLoad parse_transcript(std::string_view text, std::string_view entry) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return failed("empty: not a transcript or HAR file");
    // A HAR file is one JSON document whose top is {"log": …}; a transcript is one per line.
    const std::size_t nl = text.find('\n', first);
    present::JsonParse line = present::parse_json(text.substr(first, nl == std::string_view::npos ? nl : nl - first));
    if (line.value && line.value->get("type")) return parse_jsonl(text);
    present::JsonParse whole = present::parse_json(text);
    if (whole.value && whole.value->get("log")) return parse_har(*whole.value, entry);
    if (!line.value && !whole.value) return failed("not JSON: " + whole.error);
    return parse_jsonl(text);
}

TranscriptLoad load_transcript(const std::string& path, std::string_view entry) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_transcript_bytes) return failed("larger than 256 MiB: not a transcript");
    std::ifstream in(path, std::ios::binary);
    if (!in) return failed("cannot open it");
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string text = std::move(buf).str();
    if (in.bad()) return failed("cannot read it");
    return parse_transcript(text, entry);
}

}  // namespace wscope::app
