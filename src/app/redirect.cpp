// Redirect targets (redirect.hpp).
#include "app/redirect.hpp"

namespace wscope::app {

std::optional<std::string> redirect_target(const net::Url& from, std::string_view location) {
    const auto colon = location.find("://");
    if (colon != std::string_view::npos) return std::string(location);
    const std::string scheme = from.tls ? "wss:" : "ws:";
    if (location.substr(0, 2) == "//") return scheme + std::string(location);
    const std::string origin = scheme + "//" + from.host_header();
    if (!location.empty() && location.front() == '/') return origin + std::string(location);
    std::string base = from.target.substr(0, from.target.find('?'));
    base = base.substr(0, base.rfind('/') + 1);
    return origin + base + std::string(location);
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace wscope::app
