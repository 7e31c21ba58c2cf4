// libFuzzer target: net::parse_url on arbitrary text. It must not crash; a URL it accepts must
// be internally sane, and its to_string() must parse back to the same endpoint.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/url.hpp"

using wscope::net::Url;

namespace {

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b = {}) {
    std::fprintf(stderr, "url_fuzz: %s\n  %s\n  %s\n", what, a.c_str(), b.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto url = wscope::net::parse_url(text);
    if (!url) {
        if (url.error().message.empty()) fail("an error without a message", std::string(text));
        return 0;
    }
    const std::string shown = url->to_string();
    if (url->host.empty()) fail("accepted an empty host", shown);
    if (url->port == 0) fail("accepted port 0", shown);
    if (url->target.empty() || url->target.front() != '/') fail("target does not start with /", shown);
    for (char c : url->target)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F || c == '#')
            fail("target holds a character a request line cannot carry", shown);
    if (!url->explicit_port && url->port != (url->tls ? 443 : 80)) fail("default port is wrong", shown);

    const auto again = wscope::net::parse_url(shown);
    if (!again) fail("to_string() does not parse again", shown, again.error().message);
    if (again->tls != url->tls || again->host != url->host || again->ipv6_literal != url->ipv6_literal ||
        again->port != url->port || again->target != url->target)
        fail("to_string() parses to another endpoint", shown, again->to_string());
    if (again->host_header() != url->host_header()) fail("Host header changes on re-parse", url->host_header(), again->host_header());
    return 0;
}
