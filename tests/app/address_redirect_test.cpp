// Listen addresses (address.hpp) and the targets of 3xx redirects (redirect.hpp).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "app/address.hpp"
#include "app/redirect.hpp"

namespace wscope::app {

TEST_CASE("parse_listen_address: the forms users write") {
    struct Row {
        const char* text;
        const char* host;
        std::uint16_t port;
    };
    for (const Row& r : {Row{"8080", "127.0.0.1", 8080}, Row{"0", "127.0.0.1", 0},
                         Row{"65535", "127.0.0.1", 65535}, Row{"080", "127.0.0.1", 80},
                         Row{"0.0.0.0:80", "0.0.0.0", 80}, Row{"localhost:8080", "localhost", 8080},
                         Row{"[::1]:8080", "::1", 8080}, Row{"[::]:0", "::", 0},
                         Row{"[fe80::1%lo]:9", "fe80::1%lo", 9}}) {
        INFO(r.text);
        const auto a = parse_listen_address(r.text);
        REQUIRE(a.has_value());
        CHECK(a->host == r.host);
        CHECK(a->port == r.port);
        CHECK_FALSE(a->is_unix());
    }
}

TEST_CASE("parse_listen_address: unix:PATH") {
    const auto a = parse_listen_address("unix:/run/ws.sock");
    REQUIRE(a.has_value());
    CHECK(a->is_unix());
    CHECK(a->unix_path == "/run/ws.sock");
    const auto relative = parse_listen_address("unix:ws:8080");
    REQUIRE(relative.has_value());
    CHECK(relative->unix_path == "ws:8080");
}

TEST_CASE("parse_listen_address: malformed addresses are refused") {
    for (const char* bad :
         {"",      "unix:",    "65536",  "99999",         "123456",    "-1",
          "+80",   " 80",      "80 ",    "0x50",          "http",      ":8080",
          "host:", "::1:8080", "::1",    "[::1]",         "[::1]:",    "[::1]8080",
          "[::1",  "[]:80",    "a:b:80", "1.2.3.4:65536", "1.2.3.4:8o"}) {
        INFO("\"" << bad << "\"");
        CHECK_FALSE(parse_listen_address(bad).has_value());
    }
}

TEST_CASE("url_host: IPv6 addresses in brackets") {
    CHECK(url_host("::1") == "[::1]");
    CHECK(url_host("127.0.0.1") == "127.0.0.1");
    CHECK(url_host("localhost") == "localhost");
}

namespace {

net::Url url(std::string_view text) {
    auto u = net::parse_url(text);
    REQUIRE(u.ok());
    return *u;
}

}  // namespace

TEST_CASE("redirect_target: absolute, scheme-relative, absolute path, relative path") {
    struct Row {
        const char* from;
        const char* location;
        const char* to;
    };
    for (const Row& r : {
             Row{"ws://example.com/a/b", "wss://other.org/x", "wss://other.org/x"},
             Row{"ws://example.com/a/b", "http://other.org/x", "http://other.org/x"},
             Row{"ws://example.com/a/b", "HTTPS://other.org/", "HTTPS://other.org/"},
             Row{"ws://example.com/a/b", "//other.org:81/p", "ws://other.org:81/p"},
             Row{"wss://example.com/a/b", "//other.org/p", "wss://other.org/p"},
             Row{"ws://example.com/a/b", "/root?q=1", "ws://example.com/root?q=1"},
             Row{"ws://example.com:8080/a/b", "/root", "ws://example.com:8080/root"},
             Row{"wss://example.com:443/a/b", "/root", "wss://example.com/root"},
             Row{"ws://[::1]:9000/a/b", "/x", "ws://[::1]:9000/x"},
             Row{"ws://example.com/a/b", "c", "ws://example.com/a/c"},
             Row{"ws://example.com/a/b/", "c", "ws://example.com/a/b/c"},
             Row{"ws://example.com/", "c?d=e", "ws://example.com/c?d=e"},
             // The query of the current URL is not part of the directory, slashes and all.
             Row{"ws://example.com/a/b?next=/x/y", "c", "ws://example.com/a/c"},
             // "://" inside a path or query does not make a reference absolute: only a scheme
             // (RFC 3986 §3.1: a letter, then letters, digits, "+", "-" or ".") does.
             Row{"ws://example.com/a/b", "/login?back=http://example.com/",
                 "ws://example.com/login?back=http://example.com/"},
             Row{"ws://example.com/a/b", "go?to=ws://x/", "ws://example.com/a/go?to=ws://x/"},
             Row{"ws://example.com/a/b", "./x://y", "ws://example.com/a/./x://y"},
         }) {
        INFO(r.from << " + Location: " << r.location);
        const auto to = redirect_target(url(r.from), r.location);
        REQUIRE(to.has_value());
        CHECK(*to == r.to);
    }
}

TEST_CASE("is_redirect: the statuses -L follows") {
    for (int s : {301, 302, 303, 307, 308}) CHECK(is_redirect(s));
    for (int s : {101, 200, 300, 304, 305, 306, 309, 400, 404, 500}) CHECK_FALSE(is_redirect(s));
}

}  // namespace wscope::app
