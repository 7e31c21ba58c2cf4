// The opening handshake of RFC 6455 §4: building and checking both sides' HTTP heads.
#include "proto/handshake.hpp"

#include <algorithm>
#include <array>

#include "crypto/crypto.hpp"

namespace wscope::proto {
namespace {

constexpr std::string_view crlf = "\r\n";

void add_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append(crlf);
}

const HeaderField* find_extra(const ClientRequest& req, std::string_view name) {
    for (const auto& f : req.extra)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

// Writes a default header unless -H replaced it (then the user's value, or nothing if empty).
void add_default(std::string& out, const ClientRequest& req, std::string_view name,
                 std::string_view value) {
    if (const HeaderField* f = find_extra(req, name)) {
        if (!f->value.empty()) add_field(out, f->name, f->value);
        return;
    }
    if (!value.empty()) add_field(out, name, value);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += ", ";
        out += s;
    }
    return out;
}

// The extension name of an offer/response element: "permessage-deflate; x=1" → "permessage-deflate".
std::string_view extension_name(std::string_view element) {
    const auto semi = element.find(';');
    std::string_view n = element.substr(0, semi);
    while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.remove_suffix(1);
    return n;
}

constexpr std::array kDefaultHeaders{"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
                                     "Sec-WebSocket-Version", "Origin", "Sec-WebSocket-Protocol",
                                     "Sec-WebSocket-Extensions", "User-Agent"};

bool is_default_header(std::string_view name) {
    return std::any_of(kDefaultHeaders.begin(), kDefaultHeaders.end(),
                       [&](const char* d) { return iequals(d, name); });
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What the request offered for a list header (§4.1 counts "the client's handshake"): the
// values of -H lines of that name when there are any (they replace the default), else ours.
std::vector<std::string> offered(const ClientRequest& req, std::string_view name,
                                 const std::vector<std::string>& defaults) {
    std::vector<std::string> out;
    bool replaced = false;
    for (const auto& f : req.extra) {
        if (!iequals(f.name, name)) continue;
        replaced = true;
        for (auto item : split_list(f.value)) out.emplace_back(item);
    }
    return replaced ? out : defaults;
}

}  // namespace

std::string compute_accept(std::string_view key) {
    std::string text(key);
    text.append(websocket_guid);
    return crypto::base64_encode(crypto::sha1(as_bytes(text)));
}

std::string make_key() {
    std::array<std::uint8_t, 16> nonce{};
    crypto::random_bytes(nonce);
    return crypto::base64_encode(nonce);
}

std::string effective_key(const ClientRequest& req) {
    if (const HeaderField* f = find_extra(req, "Sec-WebSocket-Key")) return f->value;
    return req.key;
}

std::vector<std::string> offered_subprotocols(const ClientRequest& req) {
    return offered(req, "Sec-WebSocket-Protocol", req.subprotocols);
}

std::string make_request(const ClientRequest& req) {
    std::string out;
    out.reserve(256);
    out.append("GET ").append(req.target.empty() ? "/" : req.target).append(" HTTP/1.1").append(crlf);
    add_default(out, req, "Host", req.host);
    add_default(out, req, "Upgrade", "websocket");
    add_default(out, req, "Connection", "Upgrade");
    add_default(out, req, "Sec-WebSocket-Key", req.key);
    add_default(out, req, "Sec-WebSocket-Version", "13");
    add_default(out, req, "Origin", req.origin);
    add_default(out, req, "Sec-WebSocket-Protocol", join(req.subprotocols));
    add_default(out, req, "Sec-WebSocket-Extensions", join(req.extensions));
    add_default(out, req, "User-Agent", req.user_agent);
    for (const auto& f : req.extra)
        if (!is_default_header(f.name) && !f.value.empty()) add_field(out, f.name, f.value);
    out.append(crlf);
    return out;
}

Result<Agreement> check_response(const HttpHead& response, const ClientRequest& req) {
    // §4.1: "If the status code received from the server is not 101, the client handles the
    // response per HTTP procedures" — for us, a failed connection.
    if (response.status != 101)
        return Error{Errc::handshake_bad_status, "expected 101, got " +
                                                     std::to_string(response.status) +
                                                     (response.reason.empty() ? "" : " " + response.reason)};
    // §4.1: the response must carry "Upgrade: websocket" (case-insensitive)…
    if (!response.has_token("Upgrade", "websocket"))
        return Error{Errc::handshake_missing_upgrade,
                     "response lacks \"Upgrade: websocket\" (got " +
                         (response.has("Upgrade") ? quote(*response.get("Upgrade")) : "none") + ")"};
    // … and "Connection: Upgrade".
    if (!response.has_token("Connection", "upgrade"))
        return Error{Errc::handshake_missing_connection,
                     "response lacks \"Connection: Upgrade\" (got " +
                         (response.has("Connection") ? quote(*response.get("Connection")) : "none") +
                         ")"};
    // … and Sec-WebSocket-Accept = base64(SHA-1(key + GUID)).
    const auto accept = response.get("Sec-WebSocket-Accept");
    if (!accept) return Error{Errc::handshake_missing_accept, "response lacks Sec-WebSocket-Accept"};
    const std::string expected = compute_accept(effective_key(req));
    if (*accept != expected)
        return Error{Errc::handshake_bad_accept, "Sec-WebSocket-Accept mismatch (expected " +
                                                     expected + ", got " + *accept + ")"};
    Agreement agreed;
    // §4.1: a subprotocol "that was not present in the client's handshake" fails the connection.
    if (auto proto = response.get("Sec-WebSocket-Protocol")) {
        const auto protocols = offered_subprotocols(req);
        if (std::find(protocols.begin(), protocols.end(), *proto) == protocols.end())
            return Error{Errc::handshake_unrequested_subprotocol,
                         "server chose subprotocol " + quote(*proto) +
                             (protocols.empty() ? ", but none was offered" : ", which was not offered")};
        agreed.subprotocol = *proto;
    }
    // §4.1: so does an extension "not present in the client's handshake".
    if (auto ext = response.get("Sec-WebSocket-Extensions")) {
        const auto extensions = offered(req, "Sec-WebSocket-Extensions", req.extensions);
        for (auto element : split_list(*ext)) {
            const auto name = extension_name(element);
            const bool was_offered = std::any_of(extensions.begin(), extensions.end(),
                                                 [&](const std::string& o) { return extension_name(o) == name; });
            if (!was_offered)
                return Error{Errc::handshake_unrequested_extension,
                             "server chose extension " + quote(name) + ", which was not offered"};
        }
        agreed.extensions = *ext;
    }
    return agreed;
}

Result<AcceptedRequest> check_request(const HttpHead& request, const ServerPolicy& policy) {
    // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
    if (request.method != "GET")
        return Error{Errc::handshake_method_not_allowed,
                     "method " + request.method + " not allowed; the opening handshake is a GET"};
    if (request.version < std::string("HTTP/1.1"))
        return Error{Errc::http_malformed, request.version + " cannot upgrade; HTTP/1.1 is required"};
    // §4.2.1 item 1: "including a Request-URI" — an absolute path (or absolute URI).
    if (request.target.front() != '/' && request.target.find("://") == std::string::npos)
        return Error{Errc::handshake_bad_target, "bad request target " + quote(request.target)};
    // Item 2: a Host header field.
    if (!request.has("Host")) return Errc::handshake_missing_host;
    // Item 3: "Upgrade: websocket".
    if (!request.has_token("Upgrade", "websocket"))
        return Error{Errc::handshake_missing_upgrade,
                     "this is a WebSocket endpoint; the request lacks \"Upgrade: websocket\""};
    // Item 4: "Connection: Upgrade".
    if (!request.has_token("Connection", "upgrade"))
        return Error{Errc::handshake_missing_connection, "request lacks \"Connection: Upgrade\""};
    // Item 6: "Sec-WebSocket-Version: 13"; otherwise §4.4: answer 426 naming the version.
    const auto version = request.get("Sec-WebSocket-Version");
    if (!version || *version != "13")
        return Error{Errc::handshake_bad_version,
                     "Sec-WebSocket-Version " + (version ? quote(*version) : std::string("missing")) +
                         "; only 13 is supported"};
    // Item 5: a Sec-WebSocket-Key that decodes to 16 bytes.
    const auto key = request.get("Sec-WebSocket-Key");
    if (!key) return Error{Errc::handshake_bad_key, "missing Sec-WebSocket-Key"};
    const auto nonce = crypto::base64_decode(*key);
    if (!nonce || nonce->size() != 16)
        return Error{Errc::handshake_bad_key,
                     "Sec-WebSocket-Key " + quote(*key) + " is not 16 bytes in base64"};
    AcceptedRequest accepted;
    accepted.key = *key;
    // §4.2.2: pick one of the client's subprotocols, in its order of preference.
    if (auto offered = request.get("Sec-WebSocket-Protocol")) {
        for (auto p : split_list(*offered)) {
            if (std::find(policy.subprotocols.begin(), policy.subprotocols.end(), p) !=
                policy.subprotocols.end()) {
                accepted.subprotocol = p;
                break;
            }
        }
    }
    if (auto ext = request.get("Sec-WebSocket-Extensions"))
        for (auto element : split_list(*ext)) accepted.offered_extensions.emplace_back(element);
    return accepted;
}

std::string make_accept_response(const AcceptedRequest& accepted, std::string_view extensions) {
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
    add_field(out, "Upgrade", "websocket");
    add_field(out, "Connection", "Upgrade");
    add_field(out, "Sec-WebSocket-Accept", compute_accept(accepted.key));
    if (!accepted.subprotocol.empty()) add_field(out, "Sec-WebSocket-Protocol", accepted.subprotocol);
    if (!extensions.empty()) add_field(out, "Sec-WebSocket-Extensions", extensions);
    out.append(crlf);
    return out;
}

int status_for(Errc e) noexcept {
    switch (e) {
        case Errc::handshake_method_not_allowed: return 405;
        case Errc::handshake_bad_version: return 426;
        case Errc::handshake_missing_upgrade: return 426;
        case Errc::http_head_too_large: return 431;
        default: return 400;
    }
}

std::string make_reject_response(const Error& why) {
    const int status = status_for(why.code);
    std::string_view reason = "Bad Request";
    if (status == 405) reason = "Method Not Allowed";
    if (status == 426) reason = "Upgrade Required";
    if (status == 431) reason = "Request Header Fields Too Large";
    const std::string body = why.describe() + "\n";
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    // §4.4: tell the client which version we speak.
    if (why.code == Errc::handshake_bad_version) add_field(out, "Sec-WebSocket-Version", "13");
    // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to.
    if (status == 426) {
        add_field(out, "Upgrade", "websocket");
        add_field(out, "Connection", "Upgrade, close");
    } else {
        add_field(out, "Connection", "close");
    }
    // RFC 9110 §15.5.6: a 405 lists the allowed methods.
    if (status == 405) add_field(out, "Allow", "GET");
    add_field(out, "Content-Type", "text/plain; charset=utf-8");
    add_field(out, "Content-Length", std::to_string(body.size()));
    out.append(crlf).append(body);
    return out;
}

}  // namespace wscope::proto
