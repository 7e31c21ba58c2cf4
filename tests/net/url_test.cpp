// URL parsing: a table of accepted URLs with every field, and a table of rejected ones with
// the message each must give.
#include "net/url.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using wscope::net::NetErrc;
using wscope::net::parse_url;

struct Good {
    std::string_view input;
    bool tls;
    std::string_view host;
    bool ipv6_literal;
    std::uint16_t port;
    bool explicit_port;
    std::string_view target;
};

}  // namespace

TEST_CASE("accepted URLs and their fields") {
    const Good table[] = {
        {"ws://example.com", false, "example.com", false, 80, false, "/"},
        {"ws://example.com/", false, "example.com", false, 80, false, "/"},
        {"wss://example.com", true, "example.com", false, 443, false, "/"},
        {"WS://Example.COM/Path", false, "example.com", false, 80, false, "/Path"},
        {"WsS://example.com:8443/a/b?c=d&e", true, "example.com", false, 8443, true, "/a/b?c=d&e"},
        {"http://example.com/chat", false, "example.com", false, 80, false, "/chat"},
        {"HTTPS://example.com/chat", true, "example.com", false, 443, false, "/chat"},
        {"ws://localhost:9000", false, "localhost", false, 9000, true, "/"},
        {"ws://127.0.0.1:1/x", false, "127.0.0.1", false, 1, true, "/x"},
        {"ws://127.0.0.1:65535", false, "127.0.0.1", false, 65535, true, "/"},
        {"ws://h:080", false, "h", false, 80, true, "/"},
        {"ws://h:80", false, "h", false, 80, true, "/"},
        {"ws://[::1]:9000/", false, "::1", true, 9000, true, "/"},
        {"ws://[::1]", false, "::1", true, 80, false, "/"},
        {"wss://[2001:DB8::1]/s", true, "2001:db8::1", true, 443, false, "/s"},
        {"ws://[::ffff:127.0.0.1]:5", false, "::ffff:127.0.0.1", true, 5, true, "/"},
        {"ws://example.com?q=1", false, "example.com", false, 80, false, "/?q=1"},
        {"ws://example.com:81?q", false, "example.com", false, 81, true, "/?q"},
        {"ws://example.com/p#frag", false, "example.com", false, 80, false, "/p"},
        {"ws://example.com#frag", false, "example.com", false, 80, false, "/"},
        {"ws://example.com/p?q#f?g", false, "example.com", false, 80, false, "/p?q"},
        {"ws://example.com/a%20b?x=%2F", false, "example.com", false, 80, false, "/a%20b?x=%2F"},
        {"ws://example.com/{\"a\":1}", false, "example.com", false, 80, false, "/%7B%22a%22:1%7D"},
        {"ws://example.com/\xc3\xa9", false, "example.com", false, 80, false, "/%C3%A9"},
        {"ws://example.com/~u/!$&'()*+,;=:@", false, "example.com", false, 80, false,
         "/~u/!$&'()*+,;=:@"},
        {"ws://my_host.internal./", false, "my_host.internal.", false, 80, false, "/"},
        {"ws://xn--bcher-kva.example/", false, "xn--bcher-kva.example", false, 80, false, "/"},
    };
    for (const auto& row : table) {
        CAPTURE(row.input);
        const auto url = parse_url(row.input);
        REQUIRE_MESSAGE(url.ok(), (url.ok() ? std::string() : url.error().message));
        CHECK(url->tls == row.tls);
        CHECK(url->host == row.host);
        CHECK(url->ipv6_literal == row.ipv6_literal);
        CHECK(url->port == row.port);
        CHECK(url->explicit_port == row.explicit_port);
        CHECK(url->target == row.target);
        CHECK_FALSE(url->has_userinfo);
        CHECK(url->user.empty());
        CHECK(url->password.empty());
    }
}

TEST_CASE("userinfo is percent-decoded and kept out of to_string()") {
    SUBCASE("user and password") {
        const auto url = parse_url("ws://alice:s%40cr%3At@example.com:9000/x");
        REQUIRE(url.ok());
        CHECK(url->has_userinfo);
        CHECK(url->user == "alice");
        CHECK(url->password == "s@cr:t");
        CHECK(url->host == "example.com");
        CHECK(url->to_string() == "ws://example.com:9000/x");
    }
    SUBCASE("user only") {
        const auto url = parse_url("wss://bob@example.com");
        REQUIRE(url.ok());
        CHECK(url->has_userinfo);
        CHECK(url->user == "bob");
        CHECK(url->password.empty());
    }
    SUBCASE("empty password, decoded space in user") {
        const auto url = parse_url("ws://a%20b:@h/");
        REQUIRE(url.ok());
        CHECK(url->user == "a b");
        CHECK(url->password.empty());
        CHECK(url->has_userinfo);
    }
}

TEST_CASE("host_header() omits the default port; to_string() always names it") {
    const struct {
        std::string_view input;
        std::string_view host_header;
        std::string_view to_string;
    } table[] = {
        {"ws://example.com/a?b", "example.com", "ws://example.com:80/a?b"},
        {"ws://example.com:80/", "example.com", "ws://example.com:80/"},
        {"ws://example.com:443/", "example.com:443", "ws://example.com:443/"},
        {"wss://example.com/", "example.com", "wss://example.com:443/"},
        {"wss://example.com:80/", "example.com:80", "wss://example.com:80/"},
        {"ws://[::1]:9000/x", "[::1]:9000", "ws://[::1]:9000/x"},
        {"https://[::1]/", "[::1]", "wss://[::1]:443/"},
    };
    for (const auto& row : table) {
        CAPTURE(row.input);
        const auto url = parse_url(row.input);
        REQUIRE(url.ok());
        CHECK(url->host_header() == row.host_header);
        CHECK(url->to_string() == row.to_string);
    }
}

TEST_CASE("rejected URLs say what is wrong") {
    const struct {
        std::string_view input;
        std::string_view message;
    } table[] = {
        {"", R"(bad URL "": empty URL)"},
        {"foo", R"(bad URL "foo": no scheme (did you mean ws://foo?))"},
        {"localhost:8080/x",
         R"(bad URL "localhost:8080/x": no scheme (did you mean ws://localhost:8080/x?))"},
        {"//host/x", R"(bad URL "//host/x": no scheme (did you mean ws://host/x?))"},
        {"://host", R"(bad URL "://host": no scheme (did you mean ws://host?))"},
        {"ws:/host", R"(bad URL "ws:/host": expected "//" after "ws:")"},
        {"WSS:host", R"(bad URL "WSS:host": expected "//" after "WSS:")"},
        {"ftp://host/", R"(bad URL "ftp://host/": unsupported scheme "ftp" (use ws:// or wss://))"},
        {"ws+unix://x",
         R"(bad URL "ws+unix://x": unsupported scheme "ws+unix" (use a ws:// URL with --unix-socket))"},
        {"ws://", R"(bad URL "ws://": empty host)"},
        {"ws:///path", R"(bad URL "ws:///path": empty host)"},
        {"ws://:80/", R"(bad URL "ws://:80/": empty host)"},
        {"ws://user@/", R"(bad URL "ws://user@/": empty host)"},
        {"ws://h:/", R"(bad URL "ws://h:/": empty port after ':')"},
        {"ws://h:0/", R"(bad URL "ws://h:0/": port 0 is not allowed (1-65535))"},
        {"ws://h:65536/", R"(bad URL "ws://h:65536/": port 65536 is out of range (1-65535))"},
        {"ws://h:99999999999999999999/",
         R"(bad URL "ws://h:99999999999999999999/": port 99999999999999999999 is out of range (1-65535))"},
        {"ws://h:8o/", R"(bad URL "ws://h:8o/": port "8o" is not a number)"},
        {"ws://h:700000x/", R"(bad URL "ws://h:700000x/": port "700000x" is not a number)"},
        {"ws://h:-1/", R"(bad URL "ws://h:-1/": port "-1" is not a number)"},
        {"ws://h:+80/", R"(bad URL "ws://h:+80/": port "+80" is not a number)"},
        {"ws://a b/", R"(bad URL "ws://a b/": contains a space (write it as %20))"},
        {"ws://h/a b", R"(bad URL "ws://h/a b": contains a space (write it as %20))"},
        {" ws://h/", R"(bad URL " ws://h/": contains a space (write it as %20))"},
        {"ws://h/\n", R"(bad URL "ws://h/\x0a": contains a control character (\x0a))"},
        {"ws://h\t/", R"(bad URL "ws://h\x09/": contains a control character (\x09))"},
        {"ws://h/\x7f", R"(bad URL "ws://h/\x7f": contains a control character (\x7f))"},
        {"ws://::1:9000/",
         R"(bad URL "ws://::1:9000/": an IPv6 address must be in brackets, as in ws://[::1]:9000/)"},
        {"ws://[::1/", R"(bad URL "ws://[::1/": unterminated IPv6 address (missing ']'))"},
        {"ws://[::g]/", R"(bad URL "ws://[::g]/": bad IPv6 address "[::g]")"},
        {"ws://[]/", R"(bad URL "ws://[]/": bad IPv6 address "[]")"},
        {"ws://[127.0.0.1]/", R"(bad URL "ws://[127.0.0.1]/": bad IPv6 address "[127.0.0.1]")"},
        {"ws://[fe80::1%25eth0]/",
         R"(bad URL "ws://[fe80::1%25eth0]/": IPv6 zone identifiers are not supported ("fe80::1%25eth0"))"},
        {"ws://[v1.x]/",
         R"(bad URL "ws://[v1.x]/": IPvFuture addresses are not supported ("v1.x"))"},
        {"ws://[::1]x/", R"(bad URL "ws://[::1]x/": unexpected "x" after IPv6 address)"},
        {"ws://256.0.0.1/", R"(bad URL "ws://256.0.0.1/": bad IPv4 address "256.0.0.1")"},
        {"ws://1.2.3/", R"(bad URL "ws://1.2.3/": bad IPv4 address "1.2.3")"},
        {"ws://123/", R"(bad URL "ws://123/": bad IPv4 address "123")"},
        {"ws://a..b/", R"(bad URL "ws://a..b/": empty label in host "a..b")"},
        {"ws://.a/", R"(bad URL "ws://.a/": empty label in host ".a")"},
        {"ws://a!b/", R"(bad URL "ws://a!b/": invalid character '!' in host)"},
        {"ws://a%41/", R"(bad URL "ws://a%41/": percent-encoded host names are not supported)"},
        {"ws://b\u00fccher.example/",
         "bad URL \"ws://b\u00fccher.example/\": non-ASCII host names must be written in their "
         "xn-- (punycode) form"},
        {"ws://a@b@h/",
         R"(bad URL "ws://a@b@h/": '@' in the user name or password must be written %40)"},
        {"ws://a%3Ab:c@h/", R"(bad URL "ws://a%3Ab:***@h/": user name contains ':')"},
        {"ws://a%zz@h/", R"(bad URL "ws://a%zz@h/": bad percent-escape "%zz" in user name)"},
        {"ws://u:p%4@h/", R"(bad URL "ws://u:***@h/": bad percent-escape "%4" in password)"},
        {"ws://u:secret@h:0/", R"(bad URL "ws://u:***@h:0/": port 0 is not allowed (1-65535))"},
        {"ws://h/%", R"(bad URL "ws://h/%": bad percent-escape "%" in path)"},
        {"ws://h/%g1", R"(bad URL "ws://h/%g1": bad percent-escape "%g1" in path)"},
        {"ws://h/?q=%2", R"(bad URL "ws://h/?q=%2": bad percent-escape "%2" in path)"},
    };
    for (const auto& row : table) {
        CAPTURE(row.input);
        const auto url = parse_url(row.input);
        REQUIRE_FALSE(url.ok());
        CHECK(url.error().code == NetErrc::bad_url);
        CHECK(url.error().message == row.message);
        CHECK(url.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("a host name is limited to 253 characters and labels to 63") {
    const std::string label63(63, 'a');
    const std::string ok_host =
        label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
    REQUIRE(ok_host.size() == 253);
    CHECK(parse_url("ws://" + ok_host + "/").ok());
    CHECK(parse_url("ws://" + ok_host + "./").ok());  // the root dot does not count
    const auto too_long = parse_url("ws://" + ok_host + "b/");
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().message.ends_with("host name longer than 253 characters"));
    const auto long_label = parse_url("ws://" + std::string(64, 'a') + ".com/");
    REQUIRE_FALSE(long_label.ok());
    CHECK(long_label.error().message.ends_with("host name label longer than 63 characters"));
}
