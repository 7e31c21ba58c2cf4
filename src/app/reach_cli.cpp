// The reach options of reach_cli.hpp.
#include "app/reach_cli.hpp"

#include <chrono>

#include "app/value_checks.hpp"
#include "net/proxy.hpp"

namespace wscope::app {
namespace {

// What --reconnect without a value leaves in the raw string.
constexpr const char* no_limit = "unlimited";

CLI::Validator delay_range() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            if (!parse_delay_range(value))
                return "must be MIN or MIN:MAX seconds, with 0 < MIN <= MAX (got " + value + ")";
            return {};
        },
        "", "delay range");
}

// --socks5 HOST:PORT as curl takes it: the proxy URL without its scheme.
std::optional<std::string> socks_url(const std::string& value, const char* scheme, const char* flag,
                                     std::string& error) {
    if (value.find("://") != std::string::npos) {
        error = std::string(flag) + " takes HOST:PORT, not a URL (got " + value + "; or use -x " + value + ")";
        return std::nullopt;
    }
    std::string url = std::string(scheme) + "://" + value;
    if (auto parsed = net::parse_proxy_url(url); !parsed) {
        error = std::string(flag) + ": " + parsed.error().message;
        return std::nullopt;
    }
    return url;
}

}  // namespace

std::optional<DelayRange> parse_delay_range(std::string_view text) {
    const auto colon = text.find(':');
    const auto min = checks::parse_seconds(text.substr(0, colon));
    if (!min || *min <= 0 || *min > checks::max_seconds) return std::nullopt;
    DelayRange r{session::seconds(*min), std::max<session::Duration>(session::seconds(*min), std::chrono::seconds(30))};
    if (colon == std::string_view::npos) return r;
    const auto max = checks::parse_seconds(text.substr(colon + 1));
    if (!max || *max < *min || *max > checks::max_seconds) return std::nullopt;
    r.max = session::seconds(*max);
    return r;
}

void add_reach_options(CLI::App& app, CommandLine& cl) {
    auto& c = cl.client;
    const char* g = "Connection";
    app.add_option("--socks5", cl.socks5, "Connect through the SOCKS5 proxy at HOST:PORT, resolving names here (as -x socks5://)")
        ->type_name("HOST:PORT")->group(g);
    app.add_option("--socks5-hostname", cl.socks5_hostname,
                   "Connect through the SOCKS5 proxy at HOST:PORT, which resolves names (as -x socks5h://)")
        ->type_name("HOST:PORT")->group(g);
    app.add_flag(std::string("--reconnect{") + no_limit + "}", cl.reconnect_raw,
                 "After a lost connection, connect again (with backoff) and re-send the -d messages; "
                 "give up after MAX tries (default: no limit)")
        ->type_name("MAX")->group(g);
    app.add_option("--reconnect-delay", cl.reconnect_delay,
                   "Wait between MIN and MAX seconds before a try, doubling the range each time "
                   "(default 0.5:30)")
        ->check(delay_range())->type_name("MIN[:MAX]")->group(g);
    app.add_flag("--reconnect-always", c.reconnect.always,
                 "With --reconnect, also connect again after the server's normal close (1000)")->group(g);
    app.add_option("--max-time", c.max_time,
                   "End the whole run, connecting included, after S seconds: close 1000, exit 7")
        ->check(checks::positive_seconds())->type_name("S")->group("Session");
}

std::string resolve_reach(CommandLine& cl) {
    ClientOptions& c = cl.client;
    const bool reconnect = cl.app->count("--reconnect") > 0;
    if (!reconnect && (cl.app->count("--reconnect-delay") > 0 || c.reconnect.always))
        return "--reconnect-delay and --reconnect-always need --reconnect";
    if (reconnect) {
        c.reconnect.enabled = true;
        if (cl.reconnect_raw != no_limit) {
            const auto n = checks::parse_unsigned(cl.reconnect_raw);
            if (!n || *n == 0 || *n > 1000000)
                return "--reconnect=MAX must be a positive integer (got " + cl.reconnect_raw + ")";
            c.reconnect.max_tries = static_cast<unsigned>(*n);
        }
        if (const auto range = parse_delay_range(cl.reconnect_delay)) {
            c.reconnect.min_delay = range->min;
            c.reconnect.max_delay = range->max;
        }
    }
    const int proxies = (c.proxy ? 1 : 0) + (cl.socks5.empty() ? 0 : 1) + (cl.socks5_hostname.empty() ? 0 : 1);
    if (proxies > 1) return "choose one of -x/--proxy, --socks5 and --socks5-hostname";
    std::string error;
    if (!cl.socks5.empty()) c.proxy = socks_url(cl.socks5, "socks5", "--socks5", error);
    if (!cl.socks5_hostname.empty())
        c.proxy = socks_url(cl.socks5_hostname, "socks5h", "--socks5-hostname", error);
    return error;
}

}  // namespace wscope::app
