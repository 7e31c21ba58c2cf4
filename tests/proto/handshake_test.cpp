// The opening handshake in both roles (src/proto/handshake.hpp; RFC 6455 §1.3, §4).
#include "proto/handshake.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "proto/http1.hpp"
#include "vectors/rfc6455.hpp"

using namespace wscope::proto;

namespace {

// RFC 6455 §1.3 (and §4.2.2's example).
constexpr std::string_view rfc_key = wscope::vectors::handshake_key;
constexpr std::string_view rfc_accept = wscope::vectors::handshake_accept;

ClientRequest basic_request() {
    ClientRequest req;
    req.host = "server.example.com";
    req.target = "/chat";
    req.key = std::string(rfc_key);
    return req;
}

HttpHead parse_request(const std::string& text) {
    auto r = parse_request_head(text);
    REQUIRE_MESSAGE(r.ok(), "test request does not parse: " << text);
    return std::move(r).value();
}

HttpHead parse_response(const std::string& text) {
    auto r = parse_response_head(text);
    REQUIRE_MESSAGE(r.ok(), "test response does not parse: " << text);
    return std::move(r).value();
}

// A response head: the status line, then the given field lines.
HttpHead response(const std::string& status_line, const std::vector<std::string>& fields) {
    std::string text = status_line + "\r\n";
    for (const auto& f : fields) text += f + "\r\n";
    return parse_response(text + "\r\n");
}

const std::string accept_line = "Sec-WebSocket-Accept: " + std::string(rfc_accept);

std::string check_name(const Result<Agreement>& r) {
    return r.ok() ? "ok" : std::string(info(r.error().code).name);
}

std::string check_name(const Result<AcceptedRequest>& r) {
    return r.ok() ? "ok" : std::string(info(r.error().code).name);
}

// How many lines of the request text start with "name:" (case-insensitive).
int count_fields(const std::string& text, std::string_view name) {
    int n = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = text.find("\r\n", pos);
        const std::string line = text.substr(pos, eol - pos);
        const auto colon = line.find(':');
        if (colon != std::string::npos && iequals(std::string_view(line).substr(0, colon), name)) ++n;
        if (eol == std::string::npos) break;
        pos = eol + 2;
    }
    return n;
}

// A valid client request head, with the given field lines replacing the defaults (an empty
// value removes the field).
std::string request_text(const std::vector<std::pair<std::string, std::string>>& overrides,
                         const std::string& request_line = "GET /chat HTTP/1.1") {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Host", "server.example.com"},
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", std::string(rfc_key)},
        {"Sec-WebSocket-Version", "13"},
    };
    for (const auto& field : overrides) {
        auto it = std::find_if(fields.begin(), fields.end(),
                               [&](const auto& f) { return iequals(f.first, field.first); });
        if (it == fields.end())
            fields.push_back(field);
        else
            it->second = field.second;
    }
    std::string text = request_line + "\r\n";
    for (const auto& [name, value] : fields)
        if (!value.empty()) text += name + ": " + value + "\r\n";
    return text + "\r\n";
}

}  // namespace

TEST_CASE("handshake: compute_accept, RFC 6455 §1.3") {
    CHECK(compute_accept(rfc_key) == rfc_accept);
    CHECK(websocket_guid == "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    // A different key gives a different accept (the key is really hashed in).
    CHECK(compute_accept("AQIDBAUGBwgJCgsMDQ4PEA==") != rfc_accept);
}

TEST_CASE("handshake: make_key is 16 random bytes in base64") {
    const std::string a = make_key();
    const std::string b = make_key();
    CHECK(a.size() == 24);
    const auto decoded = wscope::crypto::base64_decode(a);
    REQUIRE(decoded.has_value());
    CHECK(decoded->size() == 16);
    CHECK(a != b);
}

TEST_CASE("handshake: make_request holds every required field once") {
    ClientRequest req = basic_request();
    req.origin = "http://example.com";
    req.subprotocols = {"chat", "superchat"};
    req.extensions = {"permessage-deflate; client_max_window_bits"};
    const std::string text = make_request(req);
    CHECK(text.rfind("GET /chat HTTP/1.1\r\n", 0) == 0);
    REQUIRE(text.size() >= 4);
    CHECK(text.substr(text.size() - 4) == "\r\n\r\n");
    CHECK(text.find("\r\n\r\n") == text.size() - 4);  // one empty line, at the end

    const HttpHead head = parse_request(text);
    CHECK(head.method == "GET");
    CHECK(head.target == "/chat");
    CHECK(head.version == "HTTP/1.1");
    CHECK(head.get("Host") == "server.example.com");
    CHECK(head.has_token("Upgrade", "websocket"));
    CHECK(head.has_token("Connection", "Upgrade"));
    CHECK(head.get("Sec-WebSocket-Key") == std::string(rfc_key));
    CHECK(head.get("Sec-WebSocket-Version") == "13");
    CHECK(head.get("Origin") == "http://example.com");
    CHECK(head.has_token("Sec-WebSocket-Protocol", "chat"));
    CHECK(head.has_token("Sec-WebSocket-Protocol", "superchat"));
    CHECK(head.get("Sec-WebSocket-Extensions") == "permessage-deflate; client_max_window_bits");
    for (const char* name : {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
                             "Sec-WebSocket-Version", "Origin", "Sec-WebSocket-Protocol",
                             "Sec-WebSocket-Extensions"}) {
        INFO("name := " << std::string(name));
        CHECK(count_fields(text, name) == 1);
    }
}

TEST_CASE("handshake: make_request leaves out what was not asked for") {
    const std::string text = make_request(basic_request());
    CHECK(count_fields(text, "Origin") == 0);
    CHECK(count_fields(text, "User-Agent") == 0);
    CHECK(count_fields(text, "Sec-WebSocket-Protocol") == 0);
    CHECK(count_fields(text, "Sec-WebSocket-Extensions") == 0);
}

TEST_CASE("handshake: -H headers replace defaults, an empty value removes one, others are added") {
    ClientRequest req = basic_request();
    req.user_agent = "wscope/0.1";
    req.origin = "http://example.com";
    req.extra = {{"host", "other.example:8080"},
                 {"User-Agent", ""},
                 {"X-Trace", "abc"},
                 {"origin", ""},
                 {"Sec-WebSocket-Version", "8"}};
    const std::string text = make_request(req);
    const HttpHead head = parse_request(text);
    CHECK(count_fields(text, "Host") == 1);
    CHECK(head.get("Host") == "other.example:8080");
    CHECK(count_fields(text, "User-Agent") == 0);
    CHECK(count_fields(text, "Origin") == 0);
    CHECK(count_fields(text, "X-Trace") == 1);
    CHECK(head.get("X-Trace") == "abc");
    CHECK(count_fields(text, "Sec-WebSocket-Version") == 1);
    CHECK(head.get("Sec-WebSocket-Version") == "8");
    CHECK(count_fields(text, "Upgrade") == 1);
    CHECK(count_fields(text, "Sec-WebSocket-Key") == 1);
}

TEST_CASE("handshake: an -H Sec-WebSocket-Key is the key sent and the key checked") {
    ClientRequest req = basic_request();
    req.key = "AQIDBAUGBwgJCgsMDQ4PEA==";
    CHECK(effective_key(req) == "AQIDBAUGBwgJCgsMDQ4PEA==");
    req.extra = {{"sec-websocket-key", std::string(rfc_key)}};
    CHECK(effective_key(req) == rfc_key);
    const std::string text = make_request(req);
    CHECK(count_fields(text, "Sec-WebSocket-Key") == 1);
    CHECK(parse_request(text).get("Sec-WebSocket-Key") == std::string(rfc_key));
    // The server answers for the key it received: accept = compute_accept(rfc_key).
    const auto r = check_response(
        response("HTTP/1.1 101 Switching Protocols",
                 {"Upgrade: websocket", "Connection: Upgrade", accept_line}),
        req);
    CHECK(check_name(r) == "ok");
}

TEST_CASE("handshake: check_response") {
    const ClientRequest req = basic_request();
    const std::string ok_status = "HTTP/1.1 101 Switching Protocols";
    struct Row {
        std::string status;
        std::vector<std::string> fields;
        std::string expected;
    };
    const Row rows[] = {
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", accept_line}, "ok"},
        // Tokens are case-insensitive, Connection may hold a list.
        {ok_status, {"upgrade: WebSocket", "connection: keep-alive, upgrade", accept_line}, "ok"},
        {ok_status, {"Upgrade: websocket", "Connection: keep-alive", "Connection: Upgrade", accept_line}, "ok"},
        // Not 101.
        {"HTTP/1.1 200 OK", {"Upgrade: websocket", "Connection: Upgrade", accept_line}, "handshake_bad_status"},
        {"HTTP/1.1 426 Upgrade Required", {"Sec-WebSocket-Version: 13"}, "handshake_bad_status"},
        {"HTTP/1.1 302 Found", {"Location: /elsewhere"}, "handshake_bad_status"},
        {"HTTP/1.1 100 Continue", {"Upgrade: websocket", "Connection: Upgrade", accept_line}, "handshake_bad_status"},
        {"HTTP/1.1 103 Early Hints", {"Upgrade: websocket", "Connection: Upgrade", accept_line}, "handshake_bad_status"},
        // Upgrade.
        {ok_status, {"Connection: Upgrade", accept_line}, "handshake_missing_upgrade"},
        {ok_status, {"Upgrade: h2c", "Connection: Upgrade", accept_line}, "handshake_missing_upgrade"},
        {ok_status, {"Upgrade: websockets", "Connection: Upgrade", accept_line}, "handshake_missing_upgrade"},
        // Connection.
        {ok_status, {"Upgrade: websocket", accept_line}, "handshake_missing_connection"},
        {ok_status, {"Upgrade: websocket", "Connection: keep-alive", accept_line}, "handshake_missing_connection"},
        {ok_status, {"Upgrade: websocket", "Connection: Upgraded", accept_line}, "handshake_missing_connection"},
        // Accept.
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade"}, "handshake_missing_accept"},
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + compute_accept("AQIDBAUGBwgJCgsMDQ4PEA==")}, "handshake_bad_accept"},
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOO="}, "handshake_bad_accept"},
        // base64 is case-sensitive: the accept value is compared exactly.
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO="}, "handshake_bad_accept"},
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=="}, "handshake_bad_accept"},
        // A subprotocol or extension the client never offered.
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", accept_line, "Sec-WebSocket-Protocol: chat"}, "handshake_unrequested_subprotocol"},
        {ok_status, {"Upgrade: websocket", "Connection: Upgrade", accept_line, "Sec-WebSocket-Extensions: permessage-deflate"}, "handshake_unrequested_extension"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.status);
        CAPTURE(row.fields.size());
        INFO("row.expected := " << std::string(row.expected));
        CHECK(check_name(check_response(response(row.status, row.fields), req)) == row.expected);
    }
}

TEST_CASE("handshake: check_response agrees on an offered subprotocol and extension") {
    ClientRequest req = basic_request();
    req.subprotocols = {"chat", "superchat"};
    req.extensions = {"permessage-deflate; client_max_window_bits"};
    const std::vector<std::string> base = {"Upgrade: websocket", "Connection: Upgrade", accept_line};

    auto fields = base;
    fields.push_back("Sec-WebSocket-Protocol: superchat");
    fields.push_back("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover");
    const auto r = check_response(response("HTTP/1.1 101 Switching Protocols", fields), req);
    REQUIRE(r.ok());
    CHECK(r->subprotocol == "superchat");
    CHECK(r->extensions == "permessage-deflate; server_no_context_takeover");

    const auto none = check_response(response("HTTP/1.1 101 Switching Protocols", base), req);
    REQUIRE(none.ok());
    CHECK(none->subprotocol.empty());
    CHECK(none->extensions.empty());

    fields = base;
    fields.push_back("Sec-WebSocket-Protocol: graphql-ws");
    CHECK(check_name(check_response(response("HTTP/1.1 101 Switching Protocols", fields), req)) ==
          "handshake_unrequested_subprotocol");

    fields = base;
    fields.push_back("Sec-WebSocket-Extensions: x-webkit-deflate-frame");
    CHECK(check_name(check_response(response("HTTP/1.1 101 Switching Protocols", fields), req)) ==
          "handshake_unrequested_extension");
}

TEST_CASE("handshake: offers made with -H count as offered (RFC 6455 §4.1)") {
    const std::vector<std::string> base = {"Upgrade: websocket", "Connection: Upgrade", accept_line};
    auto fields = base;
    fields.push_back("Sec-WebSocket-Protocol: chat");
    fields.push_back("Sec-WebSocket-Extensions: permessage-deflate");
    const HttpHead answer = response("HTTP/1.1 101 Switching Protocols", fields);

    ClientRequest req = basic_request();
    req.extra = {{"Sec-WebSocket-Protocol", "v1, chat"}, {"sec-websocket-extensions", "permessage-deflate"}};
    const auto r = check_response(answer, req);
    REQUIRE_MESSAGE(r.ok(), r.error().detail);
    CHECK(r->subprotocol == "chat");
    CHECK(r->extensions == "permessage-deflate");

    // -H replaces the default offer: what it no longer lists is not offered.
    req.subprotocols = {"chat"};
    req.extra = {{"Sec-WebSocket-Protocol", "v1"}};
    CHECK(check_name(check_response(answer, req)) == "handshake_unrequested_subprotocol");
    req.extra = {{"Sec-WebSocket-Protocol", ""}};  // an empty -H removes the header
    CHECK(check_name(check_response(answer, req)) == "handshake_unrequested_subprotocol");
}

TEST_CASE("handshake: check_request accepts the RFC 6455 §1.2 request") {
    const HttpHead head = parse_request(request_text({{"Origin", "http://example.com"},
                                                      {"Sec-WebSocket-Protocol", "chat, superchat"}}));
    ServerPolicy policy;
    policy.subprotocols = {"chat"};
    const auto r = check_request(head, policy);
    REQUIRE(r.ok());
    CHECK(r->key == rfc_key);
    CHECK(r->subprotocol == "chat");
    CHECK(r->offered_extensions.empty());
}

TEST_CASE("handshake: check_request refusals and their HTTP status") {
    const ServerPolicy policy;
    struct Row {
        std::string text;
        const char* expected;
        int status;
    };
    const Row rows[] = {
        {request_text({}, "POST /chat HTTP/1.1"), "handshake_method_not_allowed", 405},
        {request_text({}, "HEAD /chat HTTP/1.1"), "handshake_method_not_allowed", 405},
        {request_text({{"Sec-WebSocket-Version", "8"}}), "handshake_bad_version", 426},
        {request_text({{"Sec-WebSocket-Version", "14"}}), "handshake_bad_version", 426},
        {request_text({{"Sec-WebSocket-Version", ""}}), "handshake_bad_version", 426},
        {request_text({{"Sec-WebSocket-Key", ""}}), "handshake_bad_key", 400},
        // Base64 that is not 16 bytes, or not base64 at all.
        {request_text({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"}}), "handshake_bad_key", 400},
        {request_text({{"Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4P"}}), "handshake_bad_key", 400},        // 15 bytes
        {request_text({{"Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEBE="}}), "handshake_bad_key", 400},    // 17 bytes
        {request_text({{"Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="}}), "handshake_bad_key", 400},
        {request_text({{"Sec-WebSocket-Key", "x"}}), "handshake_bad_key", 400},
        {request_text({{"Host", ""}}), "handshake_missing_host", 400},
        {request_text({{"Connection", ""}}), "handshake_missing_connection", 400},
        {request_text({{"Connection", "keep-alive"}}), "handshake_missing_connection", 400},
        // §4.2.1 item 1: the Request-URI is an absolute path (or an absolute URI).
        {request_text({}, "GET chat HTTP/1.1"), "handshake_bad_target", 400},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        const auto r = check_request(parse_request(row.text), policy);
        REQUIRE_FALSE(r.ok());
        CHECK(info(r.error().code).name == row.expected);
        CHECK(status_for(r.error().code) == row.status);
    }
    // A request without Upgrade is refused (400, or 426 naming the protocol to upgrade to).
    const auto no_upgrade = check_request(parse_request(request_text({{"Upgrade", ""}})), policy);
    REQUIRE_FALSE(no_upgrade.ok());
    CHECK(no_upgrade.error().code == Errc::handshake_missing_upgrade);
    const int s = status_for(no_upgrade.error().code);
    CHECK((s == 400 || s == 426));
}

TEST_CASE("handshake: check_request wants HTTP/1.1 or higher (§4.2.1 item 1)") {
    const auto old = check_request(parse_request(request_text({}, "GET /chat HTTP/1.0")), ServerPolicy{});
    CHECK_FALSE(old.ok());
    CHECK(check_name(check_request(parse_request(request_text({}, "GET /chat HTTP/1.1")), ServerPolicy{})) == "ok");
}

TEST_CASE("handshake: check_request accepts case variations the RFC allows") {
    const ServerPolicy policy;
    CHECK(check_name(check_request(
              parse_request(request_text({{"Upgrade", "WebSocket"}, {"Connection", "keep-alive, upgrade"}})),
              policy)) == "ok");
}

TEST_CASE("handshake: the chosen subprotocol is the client's first preference the server accepts") {
    struct Row {
        std::string offered;  // empty: no header
        std::vector<std::string> accepted;
        std::string chosen;
    };
    const Row rows[] = {
        {"chat, superchat", {"superchat", "chat"}, "chat"},
        {"superchat, chat", {"chat", "superchat"}, "superchat"},
        {"v3, v2, v1", {"v1", "v2"}, "v2"},
        {"graphql-ws", {"chat"}, ""},
        {"", {"chat"}, ""},
        {"chat", {}, ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.offered);
        ServerPolicy policy;
        policy.subprotocols = row.accepted;
        const auto r = check_request(
            parse_request(request_text({{"Sec-WebSocket-Protocol", row.offered}})), policy);
        REQUIRE(r.ok());
        CHECK(r->subprotocol == row.chosen);
    }
}

TEST_CASE("handshake: offered extensions are listed one element each") {
    const auto r = check_request(
        parse_request(request_text(
            {{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits, x-foo"}})),
        ServerPolicy{});
    REQUIRE(r.ok());
    REQUIRE(r->offered_extensions.size() == 2);
    CHECK(r->offered_extensions[0] == "permessage-deflate; client_max_window_bits");
    CHECK(r->offered_extensions[1] == "x-foo");
}

TEST_CASE("handshake: make_accept_response") {
    AcceptedRequest accepted;
    accepted.key = std::string(rfc_key);
    const std::string plain = make_accept_response(accepted);
    CHECK(plain.rfind("HTTP/1.1 101 ", 0) == 0);
    CHECK(plain.substr(plain.size() - 4) == "\r\n\r\n");
    const HttpHead head = parse_response(plain);
    CHECK(head.status == 101);
    CHECK(head.has_token("Upgrade", "websocket"));
    CHECK(head.has_token("Connection", "upgrade"));
    CHECK(head.get("Sec-WebSocket-Accept") == std::string(rfc_accept));
    CHECK_FALSE(head.has("Sec-WebSocket-Protocol"));
    CHECK_FALSE(head.has("Sec-WebSocket-Extensions"));

    accepted.subprotocol = "chat";
    const HttpHead with = parse_response(make_accept_response(accepted, "permessage-deflate"));
    CHECK(with.get("Sec-WebSocket-Protocol") == "chat");
    CHECK(with.get("Sec-WebSocket-Extensions") == "permessage-deflate");
}

TEST_CASE("handshake: client and server agree end to end") {
    ClientRequest req = basic_request();
    req.key = make_key();
    req.subprotocols = {"v2.chat", "v1.chat"};
    ServerPolicy policy;
    policy.subprotocols = {"v1.chat", "v2.chat"};

    const auto accepted = check_request(parse_request(make_request(req)), policy);
    REQUIRE(accepted.ok());
    CHECK(accepted->key == req.key);
    CHECK(accepted->subprotocol == "v2.chat");
    const auto agreed = check_response(parse_response(make_accept_response(*accepted)), req);
    REQUIRE(agreed.ok());
    CHECK(agreed->subprotocol == "v2.chat");
}

TEST_CASE("handshake: status_for") {
    CHECK(status_for(Errc::handshake_method_not_allowed) == 405);
    CHECK(status_for(Errc::handshake_bad_version) == 426);
    CHECK(status_for(Errc::handshake_bad_key) == 400);
    CHECK(status_for(Errc::handshake_missing_host) == 400);
    CHECK(status_for(Errc::handshake_missing_connection) == 400);
    CHECK(status_for(Errc::http_malformed) == 400);
}

namespace {

// Splits a complete response into its head (parsed) and body, checking Content-Length.
HttpHead reject_head(const std::string& text, std::string& body) {
    const auto end = text.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    const HttpHead head = parse_response(text.substr(0, end + 4));
    body = text.substr(end + 4);
    const auto length = head.get("Content-Length");
    REQUIRE(length.has_value());
    CHECK(*length == std::to_string(body.size()));
    return head;
}

}  // namespace

TEST_CASE("handshake: make_reject_response") {
    std::string body;
    SUBCASE("426 names the version we speak (§4.4)") {
        const HttpHead h = reject_head(make_reject_response(Error{Errc::handshake_bad_version, {}}), body);
        CHECK(h.status == 426);
        CHECK(h.get("Sec-WebSocket-Version") == "13");
        CHECK_FALSE(body.empty());
    }
    SUBCASE("405 lists the allowed method") {
        const HttpHead h =
            reject_head(make_reject_response(Error{Errc::handshake_method_not_allowed, "POST"}), body);
        CHECK(h.status == 405);
        CHECK(h.get("Allow") == "GET");
    }
    SUBCASE("400 for a bad key") {
        const HttpHead h = reject_head(make_reject_response(Error{Errc::handshake_bad_key, {}}), body);
        CHECK(h.status == 400);
        CHECK_FALSE(h.has("Sec-WebSocket-Accept"));
    }
}
