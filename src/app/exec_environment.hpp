// The environment of a client's program (listen --exec), CGI style (RFC 3875 §4.1) as
// websocketd gives it, so that scripts written for it run unchanged:
//   REMOTE_ADDR, REMOTE_HOST, REMOTE_PORT      the client's address (no name lookups)
//   SERVER_NAME, SERVER_PORT                   the Host the client asked for, our port
//   SERVER_PROTOCOL, SERVER_SOFTWARE, GATEWAY_INTERFACE, REQUEST_METHOD, REQUEST_URI
//   SCRIPT_NAME (empty), PATH_INFO (the path, percent-decoded), QUERY_STRING (as sent)
//   HTTP_<NAME>                                every request header, its name upper-cased
//                                              with '-' as '_'; repeated ones joined by ", "
//   SEC_WEBSOCKET_PROTOCOL                     the subprotocol agreed on, if any
//   HTTPS=on                                   when serving wss://
//   WSCOPE_CLIENT_ID                           the id the log shows as [N]
// Everything else comes from wscope's own environment, except any HTTP_* variable there:
// those names belong to the client's headers (an inherited HTTP_PROXY must not pass for one).
#pragma once

#include <string>
#include <vector>

#include "proto/http1.hpp"

namespace wscope::app {

struct ExecContext {
    const proto::HttpHead* request = nullptr;
    std::string peer;         // "127.0.0.1:41234", "[::1]:41234", or another name (unix socket)
    std::string local;        // our end, in the same form ("" when unknown)
    std::string subprotocol;  // agreed on; "" for none
    bool tls = false;
    unsigned client_id = 0;
    std::string version;      // wscope's, for SERVER_SOFTWARE
};

// "NAME=value" strings: base (wscope's environment, nullptr-terminated) with the CGI names set.
[[nodiscard]] std::vector<std::string> exec_environment(const ExecContext& context, const char* const* base);

// "%2Fa%20b" → "/a b"; a %00, or a % without two hex digits, is kept as it is. (For tests.)
[[nodiscard]] std::string percent_decode_path(std::string_view path);

}  // namespace wscope::app
