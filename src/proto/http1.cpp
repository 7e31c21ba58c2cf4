// Bounded HTTP/1.1 head parsing (RFC 9112): start line, header fields, empty line.
#include "proto/http1.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

namespace wscope::proto {
namespace {

bool is_tchar(char c) {
    // RFC 9110 §5.6.2: token characters.
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_http_version(std::string_view v) {
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && std::isdigit(static_cast<unsigned char>(v[5])) &&
           v[6] == '.' && std::isdigit(static_cast<unsigned char>(v[7]));
}

bool has_bad_chars(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7F;
    });
}

// Splits the head into lines (CRLF, or a bare LF as RFC 9112 §2.2 lets a recipient accept).
std::vector<std::string_view> lines_of(std::string_view head) {
    std::vector<std::string_view> lines;
    while (!head.empty()) {
        const auto nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        head.remove_prefix(nl + 1);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

Error malformed(std::string what) { return Error{Errc::http_malformed, "malformed HTTP head: " + std::move(what)}; }

Result<void> parse_fields(const std::vector<std::string_view>& lines, HttpHead& head) {
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.empty()) return malformed("empty line inside the header section");
        // RFC 9112 §5.2: obsolete line folding is rejected.
        if (line.front() == ' ' || line.front() == '\t') return malformed("folded header line");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return malformed("header line without a colon");
        const std::string_view name = line.substr(0, colon);
        // RFC 9112 §5.1: no whitespace between the field name and the colon.
        if (!is_token(name)) return malformed("bad header name \"" + std::string(name) + "\"");
        const std::string_view value = trim(line.substr(colon + 1));
        if (has_bad_chars(value)) return malformed("control character in header " + std::string(name));
        head.fields.push_back({std::string(name), std::string(value)});
    }
    return {};
}

// A head starts with a token (a method, or "HTTP" in a status line; RFC 9112 §3, §4), after
// any empty lines (§2.2). Bytes that cannot start one fail the head at once rather than when
// the size limit or a timeout is reached: a TLS ClientHello (record type 0x16) sent to a
// plain listener is the usual case.
std::optional<Error> bad_start(std::string_view buf) {
    const auto first = buf.find_first_not_of("\r\n");
    if (first == std::string_view::npos || is_tchar(buf[first])) return std::nullopt;
    if (buf[first] == '\x16')
        return Error{Errc::http_malformed, "a TLS handshake, not HTTP: this end speaks plain ws://"};
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(buf[first])));
    return malformed(std::string("it starts with byte ") + hex);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = value.find(',');
        const std::string_view item = trim(value.substr(0, comma));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return out;
}

std::optional<std::string> HttpHead::get(std::string_view name) const {
    std::optional<std::string> out;
    for (const auto& f : fields) {
        if (!iequals(f.name, name)) continue;
        if (out)
            *out += ", " + f.value;
        else
            out = f.value;
    }
    return out;
}

bool HttpHead::has(std::string_view name) const {
    return std::any_of(fields.begin(), fields.end(),
                       [&](const HeaderField& f) { return iequals(f.name, name); });
}

bool HttpHead::has_token(std::string_view name, std::string_view token) const {
    for (const auto& f : fields) {
        if (!iequals(f.name, name)) continue;
        for (auto item : split_list(f.value))
            if (iequals(item, token)) return true;
    }
    return false;
}

std::string HttpHead::status_line() const {
    std::string out = version.empty() ? std::string("HTTP/1.1") : version;
    out += ' ' + std::to_string(status);
    if (!reason.empty()) out += ' ' + reason;
    return out;
}

// A start that cannot be HTTP fails the head at its first byte, however the bytes arrived: the
// head keeps up to that byte and only that much input is taken.
bool HeadReader::refuse_bad_start(std::size_t upto, std::size_t old, ByteView& in) {
    const auto first = buf_.find_first_not_of("\r\n");
    if (first == std::string::npos || first >= upto || first < old) return false;
    auto bad = bad_start(buf_);
    if (!bad) return false;
    buf_.resize(first + 1);
    in = in.subspan(first + 1 - old);
    error_ = std::move(*bad);
    return true;
}

HeadReader::Status HeadReader::feed(ByteView& in) {
    const std::size_t old = buf_.size();
    const std::size_t take = std::min(in.size(), max_head_size - old);
    buf_.append(as_chars(in.first(take)));
    // The head ends at the first empty line: "\n\n" or "\n\r\n". Search only what is new (plus
    // the 2 bytes before it, which may start the terminator).
    for (std::size_t i = old >= 2 ? old - 2 : 0; i < buf_.size(); ++i) {
        if (buf_[i] != '\n') continue;
        std::size_t j = i + 1;
        if (j < buf_.size() && buf_[j] == '\r') ++j;
        if (j < buf_.size() && buf_[j] == '\n') {
            const std::size_t end = j + 1;
            if (refuse_bad_start(end, old, in)) return Status::error;
            buf_.resize(end);
            in = in.subspan(end - old);
            return Status::done;
        }
    }
    if (refuse_bad_start(buf_.size(), old, in)) return Status::error;
    in = in.subspan(take);
    if (buf_.size() >= max_head_size) {
        error_ = Error{Errc::http_head_too_large,
                       "HTTP head exceeds " + std::to_string(max_head_size / 1024) + " KiB"};
        return Status::error;
    }
    return Status::need_more;
}

Result<HttpHead> parse_request_head(std::string_view text) {
    const auto lines = lines_of(text);
    if (lines.empty()) return malformed("empty request");
    HttpHead head;
    // RFC 9112 §3: method SP request-target SP HTTP-version
    const std::string_view line = lines[0];
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return malformed("bad request line \"" + std::string(line) + "\"");
    head.method = line.substr(0, sp1);
    head.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    head.version = line.substr(sp2 + 1);
    if (!is_token(head.method) || head.target.empty() || has_bad_chars(head.target) ||
        !is_http_version(head.version))
        return malformed("bad request line \"" + std::string(line) + "\"");
    if (auto r = parse_fields(lines, head); !r) return r.error();
    return head;
}

Result<HttpHead> parse_response_head(std::string_view text) {
    const auto lines = lines_of(text);
    if (lines.empty()) return malformed("empty response");
    HttpHead head;
    // RFC 9112 §4: HTTP-version SP status-code SP [ reason-phrase ]
    const std::string_view line = lines[0];
    const bool ok = line.size() >= 12 && is_http_version(line.substr(0, 8)) && line[8] == ' ' &&
                    std::all_of(line.begin() + 9, line.begin() + 12,
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
                    (line.size() == 12 || line[12] == ' ');
    if (!ok) return malformed("bad status line \"" + std::string(line.substr(0, 80)) + "\"");
    head.version = line.substr(0, 8);
    head.status = std::stoi(std::string(line.substr(9, 3)));
    if (line.size() > 13) head.reason = line.substr(13);
    if (auto r = parse_fields(lines, head); !r) return r.error();
    return head;
}

}  // namespace wscope::proto
