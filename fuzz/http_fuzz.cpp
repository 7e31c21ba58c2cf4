// libFuzzer target: the opening handshake's HTTP side, both roles.
//
// Input: byte 0 = read-size seed, the rest = bytes from the peer. HeadReader must find the same
// head and leave the same bytes whether fed whole or in pieces. The head (and, separately, the
// raw input, which may hold empty lines anywhere) goes through parse_request_head and
// parse_response_head. A request the server accepts must produce a 101 response the client
// accepts; a refused one must produce a response that parses, with status_for()'s status.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proto/handshake.hpp"
#include "proto/http1.hpp"

using namespace wscope::proto;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "http_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

struct ReadResult {
    HeadReader::Status status = HeadReader::Status::need_more;
    std::string head;
    std::size_t leftover = 0;  // bytes not consumed
    Errc error{};
};

ReadResult read_head(ByteView input, std::uint8_t seed) {
    HeadReader reader;
    ReadResult r;
    std::uint32_t state = seed;
    std::size_t at = 0;
    while (at < input.size()) {
        std::size_t n = input.size() - at;
        if (seed != 0) {
            state = state * 1103515245u + 12345u;
            n = std::min<std::size_t>(1 + (state >> 16) % 97, n);
        }
        ByteView in = input.subspan(at, n);
        r.status = reader.feed(in);
        at += n - in.size();
        if (r.status == HeadReader::Status::need_more && !in.empty()) fail("need_more left input unread");
        if (r.status != HeadReader::Status::need_more) break;
    }
    r.head = std::string(reader.head());
    r.leftover = input.size() - at;
    if (r.status == HeadReader::Status::error) r.error = reader.error().code;
    if (r.status == HeadReader::Status::done) {
        if (r.head.size() > max_head_size) fail("head over the limit");
        if (r.head != as_chars(input.first(r.head.size()))) fail("head is not the input's start");
        if (r.head.size() != at) fail("head size and consumed bytes differ");
    }
    return r;
}

void server_side(const HttpHead& request) {
    ServerPolicy policy;
    policy.subprotocols = {"chat", "superchat"};
    const auto accepted = check_request(request, policy);
    if (!accepted) {
        const std::string reply = make_reject_response(accepted.error());
        const auto end = reply.find("\r\n\r\n");
        if (end == std::string::npos) fail("reject response has no end of head", reply);
        const auto head = parse_response_head(std::string_view(reply).substr(0, end + 4));
        if (!head) fail("reject response does not parse", reply);
        if (head->status != status_for(accepted.error().code)) fail("reject status differs from status_for()", reply);
        return;
    }
    if (!accepted->subprotocol.empty() &&
        accepted->subprotocol != "chat" && accepted->subprotocol != "superchat")
        fail("server chose a subprotocol it does not accept");
    const std::string reply = make_accept_response(*accepted);
    const auto head = parse_response_head(reply);
    if (!head) fail("accept response does not parse", reply);
    ClientRequest req;
    req.host = "example.com";
    req.target = "/";
    req.key = accepted->key;
    if (!accepted->subprotocol.empty()) req.subprotocols = {accepted->subprotocol};
    if (!check_response(*head, req)) fail("client refuses the server's own 101", reply);
}

void client_side(const HttpHead& response) {
    ClientRequest req;
    req.host = "example.com";
    req.target = "/chat";
    req.key = "dGhlIHNhbXBsZSBub25jZQ==";
    req.subprotocols = {"chat"};
    req.extensions = {"permessage-deflate; client_max_window_bits"};
    const auto agreed = check_response(response, req);
    if (agreed && !agreed->subprotocol.empty() && agreed->subprotocol != "chat")
        fail("client agreed to a subprotocol it never offered");
}

void parse_both(std::string_view text) {
    if (auto request = parse_request_head(text)) server_side(*request);
    if (auto response = parse_response_head(text)) client_side(*response);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t seed = data[0];
    const ByteView input(data + 1, size - 1);

    const ReadResult whole = read_head(input, 0);
    const ReadResult pieces = read_head(input, seed == 0 ? 1 : seed);
    if (whole.status != pieces.status || whole.head != pieces.head || whole.leftover != pieces.leftover ||
        whole.error != pieces.error)
        fail("HeadReader depends on how bytes arrive");
    if (whole.status == HeadReader::Status::done) parse_both(whole.head);
    // The raw input too: text with an empty line before its end, which no HeadReader head has.
    parse_both(as_chars(input));
    return 0;
}
