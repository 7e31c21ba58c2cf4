// WebSocket URLs (RFC 6455 §3): ws://host[:port]/path?query and wss://…, parsed strictly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/error.hpp"

namespace wscope::net {

struct Url {
    bool tls = false;          // wss
    std::string host;          // without brackets: "::1", "example.com", "127.0.0.1"
    bool ipv6_literal = false; // the host was written in brackets
    std::uint16_t port = 0;    // explicit or default (80/443)
    bool explicit_port = false;
    std::string target;        // path and query, never empty ("/" by default); fragment dropped
    std::string user;          // userinfo, percent-decoded ("" if none)
    std::string password;
    bool has_userinfo = false;

    // The Host header value: host (bracketed if IPv6) plus ":port" unless it is the default.
    [[nodiscard]] std::string host_header() const;
    // "ws://host:port/target" without userinfo, for messages.
    [[nodiscard]] std::string to_string() const;
};

// Accepts ws:// and wss:// (case-insensitive scheme); http:// and https:// are mapped to them
// (as browsers and wscat do). A URL without a scheme is an error naming the fix. Errors are
// NetErrc::bad_url with a message naming what is wrong.
[[nodiscard]] NetResult<Url> parse_url(std::string_view text);

}  // namespace wscope::net
