// The opening handshake (RFC 6455 §4) in both roles, as pure functions over HTTP heads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/http1.hpp"
#include "proto/result.hpp"

namespace wscope::proto {

// §1.3: the GUID appended to the client's key before hashing.
inline constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// base64(SHA-1(key + GUID)) — the server's Sec-WebSocket-Accept (§4.2.2).
[[nodiscard]] std::string compute_accept(std::string_view key);
// A fresh Sec-WebSocket-Key: base64 of 16 random bytes (§4.1).
[[nodiscard]] std::string make_key();

// ---- client side ----

struct ClientRequest {
    std::string host;    // Host header value: "example.com", "example.com:8080", "[::1]:9000"
    std::string target;  // "/chat?room=1"
    std::string key;     // Sec-WebSocket-Key
    std::string origin;  // empty: no Origin header
    std::string user_agent;  // empty: no User-Agent header
    std::vector<std::string> subprotocols;
    std::vector<std::string> extensions;  // offers, e.g. "permessage-deflate; client_max_window_bits"
    // Extra headers (-H). A name that matches a default header replaces it; an empty value
    // removes it (curl's rule).
    std::vector<HeaderField> extra;
};

[[nodiscard]] std::string make_request(const ClientRequest& req);
// The key actually sent: req.key, unless an extra header replaced it.
[[nodiscard]] std::string effective_key(const ClientRequest& req);
// The subprotocols offered as sent: req.subprotocols, unless -H replaced the header (§4.1
// counts what was in the client's handshake).
[[nodiscard]] std::vector<std::string> offered_subprotocols(const ClientRequest& req);

struct Agreement {
    std::string subprotocol;  // empty: none
    std::string extensions;   // the server's Sec-WebSocket-Extensions, empty: none
};

// Checks the server's response head against what the client asked for (§4.1, "If the
// server's response does not conform … the client MUST Fail the WebSocket Connection").
[[nodiscard]] Result<Agreement> check_response(const HttpHead& response, const ClientRequest& req);

// ---- server side ----

struct ServerPolicy {
    std::vector<std::string> subprotocols;  // accepted, in no particular order
};

struct AcceptedRequest {
    std::string key;
    std::string subprotocol;  // chosen: the client's first preference we accept; empty: none
    std::vector<std::string> offered_extensions;  // declined unless a later layer accepts one
};

[[nodiscard]] Result<AcceptedRequest> check_request(const HttpHead& request,
                                                    const ServerPolicy& policy);

// The 101 answer. extensions is the Sec-WebSocket-Extensions value to send (empty: none).
[[nodiscard]] std::string make_accept_response(const AcceptedRequest& accepted,
                                               std::string_view extensions = {});
// The HTTP status for a rejected request: 400, 405 or 426.
[[nodiscard]] int status_for(Errc e) noexcept;
// A complete non-101 response with a short plain-text body explaining the refusal. 426 carries
// Sec-WebSocket-Version: 13 (§4.4); 405 carries Allow: GET.
[[nodiscard]] std::string make_reject_response(const Error& why);

}  // namespace wscope::proto
