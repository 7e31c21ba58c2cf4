// Group 1: the opening handshake (RFC 6455 §4.1, §4.2, §4.4), as raw requests.
#include "check/catalogue_parts.hpp"

namespace wscope::check::detail {

namespace {

struct Field {
    const char* name;
    const char* value;  // nullptr: leave the header out
};

// The standard request with some header fields replaced or left out.
std::string request(std::initializer_list<Field> changes, const char* method = "GET") {
    std::vector<Field> fields = {{"Host", "{host}"},
                                 {"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Key", "{key}"},
                                 {"Sec-WebSocket-Version", "13"}};
    for (const Field& c : changes) {
        bool found = false;
        for (Field& f : fields)
            if (std::string_view(f.name) == c.name) {
                f.value = c.value;
                found = true;
            }
        if (!found) fields.push_back(c);
    }
    std::string out = std::string(method) + " {target} HTTP/1.1\r\n";
    for (const Field& f : fields)
        if (f.value) out += std::string(f.name) + ": " + f.value + "\r\n";
    return out + "\r\n";
}

Case handshake_case(std::string id, std::string title, std::string rule, std::string req,
                    Evaluator (*expect)(std::string)) {
    Case c = make_case(std::move(id), "handshake", title, std::move(rule));
    c.request = std::move(req);
    c.close_at_end = false;
    c.evaluate = expect(std::move(title));
    return c;
}

}  // namespace

void add_handshake_cases(std::vector<Case>& out) {
    const std::string accept = "RFC 6455 §4.2.2";
    const std::string reject = "RFC 6455 §4.2.1";
    out.push_back(handshake_case("1.1.1", "a valid request", accept, request({}), expect_upgrade));
    out.push_back(handshake_case("1.1.2", "Upgrade and Connection in other letter cases", accept,
                                 request({{"Upgrade", "WebSocket"}, {"Connection", "upgrade"}}),
                                 expect_upgrade));
    out.push_back(handshake_case("1.1.3", "Connection as a token list (keep-alive, Upgrade)", accept,
                                 request({{"Connection", "keep-alive, Upgrade"}}), expect_upgrade));
    out.push_back(handshake_case("1.1.4", "unknown extra headers", accept,
                                 request({{"X-Check", "1"}, {"Sec-WebSocket-Extensions", "x-unknown-ext"}}),
                                 expect_upgrade));
    out.push_back(handshake_case("1.2.1", "Sec-WebSocket-Version: 12", "RFC 6455 §4.4",
                                 request({{"Sec-WebSocket-Version", "12"}}), expect_version_refusal));
    out.push_back(handshake_case("1.2.2", "Sec-WebSocket-Version: 14", "RFC 6455 §4.4",
                                 request({{"Sec-WebSocket-Version", "14"}}), expect_version_refusal));
    out.push_back(handshake_case("1.2.3", "no Sec-WebSocket-Version", reject,
                                 request({{"Sec-WebSocket-Version", nullptr}}), expect_refusal));
    out.push_back(handshake_case("1.2.4", "no Sec-WebSocket-Key", reject,
                                 request({{"Sec-WebSocket-Key", nullptr}}), expect_refusal));
    out.push_back(handshake_case("1.2.5", "a Sec-WebSocket-Key of 4 bytes", reject,
                                 request({{"Sec-WebSocket-Key", "dGVzdA=="}}), expect_refusal));
    out.push_back(handshake_case("1.2.6", "a Sec-WebSocket-Key that is not base64", reject,
                                 request({{"Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="}}),
                                 expect_refusal));
    out.push_back(handshake_case("1.2.7", "no Upgrade header", reject,
                                 request({{"Upgrade", nullptr}}), expect_refusal));
    out.push_back(handshake_case("1.2.8", "no Connection header", reject,
                                 request({{"Connection", nullptr}}), expect_refusal));
    out.push_back(handshake_case("1.2.9", "Upgrade: h2c instead of websocket", reject,
                                 request({{"Upgrade", "h2c"}}), expect_refusal));
    out.push_back(handshake_case("1.2.10", "a POST request", reject, request({}, "POST"),
                                 expect_refusal));
}

}  // namespace wscope::check::detail
