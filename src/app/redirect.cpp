// Redirect targets (redirect.hpp).
#include "app/redirect.hpp"

namespace wscope::app {

namespace {

// An absolute reference starts with a scheme and "://" (RFC 3986 §3.1: a letter, then
// letters, digits, "+", "-" or "."); "://" later on, in a path or a query, does not count.
bool has_scheme(std::string_view location) {
    const auto colon = location.find("://");
    if (colon == std::string_view::npos || colon == 0) return false;
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(location[0])) return false;
    for (const char c : location.substr(1, colon - 1))
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
    return true;
}

}  // namespace

std::optional<std::string> redirect_target(const net::Url& from, std::string_view location) {
    if (has_scheme(location)) return std::string(location);
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
