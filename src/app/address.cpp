// Listen address parsing (address.hpp).
#include "app/address.hpp"

#include <algorithm>

namespace wscope::app {

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    ListenAddress a;
    if (text.starts_with("unix:")) {
        a.unix_path = std::string(text.substr(5));
        if (a.unix_path.empty()) return std::nullopt;
        return a;
    }
    std::string_view port_text = text;
    a.host = "127.0.0.1";
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        a.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        a.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
        if (a.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    }
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const unsigned long n = std::stoul(std::string(port_text));
    if (n > 65535 || a.host.empty()) return std::nullopt;
    a.port = static_cast<std::uint16_t>(n);
    return a;
}

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace wscope::app
