// A bounded HTTP/1.1 message-head parser (RFC 9112 §2-§5), just enough for the WebSocket
// opening handshake in both roles: a request line or status line, then header fields, ending
// at the first empty line. Bytes after the head are left to the caller — in a WebSocket
// upgrade they are already frames.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/result.hpp"

namespace wscope::proto {

// 16 KiB holds any real handshake (browsers send about 500 bytes; long cookies and tokens a
// few KiB) while bounding what a slow or hostile peer can make us buffer before the upgrade.
inline constexpr std::size_t max_head_size = 16 * 1024;

struct HeaderField {
    std::string name;
    std::string value;
};

struct HttpHead {
    // Request line (requests only).
    std::string method;
    std::string target;
    // Status line (responses only).
    int status = 0;
    std::string reason;

    std::string version;  // "HTTP/1.1"
    std::vector<HeaderField> fields;

    // The field's value, case-insensitive name; several fields of one name are joined with
    // ", " (RFC 9110 §5.3). Nothing when absent.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    [[nodiscard]] bool has(std::string_view name) const;
    // Whether the comma-separated list in field name holds token (case-insensitive).
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const;
    // "HTTP/1.1 404 Not Found"
    [[nodiscard]] std::string status_line() const;
};

// Splits a comma-separated header value into trimmed, non-empty elements.
[[nodiscard]] std::vector<std::string_view> split_list(std::string_view value);
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

// Collects a head from bytes that arrive in any pieces.
class HeadReader {
public:
    enum class Status : std::uint8_t { need_more, done, error };

    // Consumes bytes from in up to the end of the head (in keeps whatever follows the head).
    Status feed(ByteView& in);
    [[nodiscard]] std::string_view head() const noexcept { return buf_; }
    [[nodiscard]] const Error& error() const noexcept { return error_; }

private:
    bool refuse_bad_start(std::size_t upto, std::size_t old, ByteView& in);
    std::string buf_;
    Error error_{};
};

[[nodiscard]] Result<HttpHead> parse_request_head(std::string_view head);
[[nodiscard]] Result<HttpHead> parse_response_head(std::string_view head);

}  // namespace wscope::proto
