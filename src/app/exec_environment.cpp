// A client's program's environment (exec_environment.hpp).
#include "app/exec_environment.hpp"

#include <map>
#include <optional>

namespace wscope::app {
namespace {

struct HostPort {
    std::string host;
    std::optional<std::string> port;
};

// "1.2.3.4:80" / "[::1]:80" → host and port; anything else is all host.
HostPort split_address(std::string_view a) {
    if (!a.empty() && a.front() == '[') {
        const auto close = a.find(']');
        if (close != std::string_view::npos && close + 1 < a.size() && a[close + 1] == ':')
            return {std::string(a.substr(1, close - 1)), std::string(a.substr(close + 2))};
        return {std::string(a), std::nullopt};
    }
    const auto colon = a.rfind(':');
    if (colon == std::string_view::npos || a.find(':') != colon) return {std::string(a), std::nullopt};
    return {std::string(a.substr(0, colon)), std::string(a.substr(colon + 1))};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "X-Forwarded-For" → "HTTP_X_FORWARDED_FOR"; nothing for a name that would not make a
// variable name (header names are tokens, which allow more than A-Z, 0-9 and '-').
std::optional<std::string> variable_for_header(std::string_view name) {
    std::string v = "HTTP_";
    for (const char c : name) {
        if (c >= 'a' && c <= 'z') v += static_cast<char>(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) v += c;
        else if (c == '-') v += '_';
        else return std::nullopt;  // '_' too: "X_Real_IP" must not pass for X-Real-IP
    }
    if (v.size() == 5) return std::nullopt;
    return v;
}

}  // namespace

std::string percent_decode_path(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '%' && i + 2 < path.size()) {
            const int hi = hex_value(path[i + 1]);
            const int lo = hex_value(path[i + 2]);
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += path[i];
    }
    return out;
}

std::vector<std::string> exec_environment(const ExecContext& c, const char* const* base) {
    std::map<std::string, std::string> vars;
    for (const char* const* e = base; e && *e; ++e) {
        const std::string_view entry(*e);
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        const std::string name(entry.substr(0, eq));
        if (name.rfind("HTTP_", 0) == 0) continue;
        vars.emplace(name, std::string(entry.substr(eq + 1)));
    }
    const proto::HttpHead empty;
    const proto::HttpHead& request = c.request ? *c.request : empty;

    const HostPort remote = split_address(c.peer);
    vars["REMOTE_ADDR"] = remote.host;
    vars["REMOTE_HOST"] = remote.host;
    if (remote.port) vars["REMOTE_PORT"] = *remote.port;
    else vars.erase("REMOTE_PORT");

    const HostPort local = split_address(c.local);
    std::string server_name = local.host;
    if (const auto host = request.get("Host"); host && !host->empty()) server_name = split_address(*host).host;
    vars["SERVER_NAME"] = server_name;
    if (local.port) vars["SERVER_PORT"] = *local.port;
    else vars.erase("SERVER_PORT");
    vars["SERVER_PROTOCOL"] = request.version.empty() ? "HTTP/1.1" : request.version;
    vars["SERVER_SOFTWARE"] = "wscope/" + c.version;
    vars["GATEWAY_INTERFACE"] = "CGI/1.1";
    vars["REQUEST_METHOD"] = request.method.empty() ? "GET" : request.method;
    vars["REQUEST_URI"] = request.target;
    vars["SCRIPT_NAME"] = "";
    const auto query = request.target.find('?');
    vars["PATH_INFO"] = percent_decode_path(std::string_view(request.target).substr(0, query));
    vars["QUERY_STRING"] = query == std::string::npos ? std::string() : request.target.substr(query + 1);
    if (c.tls) vars["HTTPS"] = "on";
    else vars.erase("HTTPS");
    if (c.subprotocol.empty()) vars.erase("SEC_WEBSOCKET_PROTOCOL");
    else vars["SEC_WEBSOCKET_PROTOCOL"] = c.subprotocol;
    vars["WSCOPE_CLIENT_ID"] = std::to_string(c.client_id);

    for (const auto& field : request.fields) {
        const auto name = variable_for_header(field.name);
        if (!name) continue;
        auto [it, fresh] = vars.emplace(*name, field.value);
        if (!fresh) it->second += ", " + field.value;
    }

    std::vector<std::string> env;
    env.reserve(vars.size());
    for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
    return env;
}

}  // namespace wscope::app
