// Listen addresses as the user writes them: "8080", "0.0.0.0:8080", "[::1]:8080",
// "localhost:8080" (HOST defaults to 127.0.0.1), or "unix:PATH".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscope::app {

struct ListenAddress {
    std::string host;        // TCP: the host to bind
    std::uint16_t port = 0;  // TCP: 0 picks a free one
    std::string unix_path;   // unix:PATH (then host and port are unused)
    [[nodiscard]] bool is_unix() const { return !unix_path.empty(); }
};

// The address, or nullopt when it is malformed (a bad port, IPv6 without brackets).
[[nodiscard]] std::optional<ListenAddress> parse_listen_address(std::string_view text);

// A host as it appears in a URL: IPv6 addresses in brackets.
[[nodiscard]] std::string url_host(const std::string& host);

}  // namespace wscope::app
