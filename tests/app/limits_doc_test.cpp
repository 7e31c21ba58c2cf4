// The man page's LIMITS section names every bound with the default the code uses, the option
// that changes it and what the peer gets: a default changed in the code without the page
// fails here.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "proto/frame_rules.hpp"
#include "proto/http1.hpp"
#include "session/defaults.hpp"

namespace wscope::app {
namespace {

const std::filesystem::path source_root =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();

std::string limits_section() {
    std::ifstream in(source_root / "man/wscope.1", std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    const std::string page = s.str();
    const auto at = page.find("\n.SH LIMITS\n");
    REQUIRE(at != std::string::npos);
    return page.substr(at, page.find("\n.SH ", at + 1) - at);
}

// The text of one .TP entry, from its tag line to the next .TP.
std::string entry(const std::string& section, const std::string& tag) {
    const auto at = section.find(".TP\n.B " + tag + "\n");
    REQUIRE_MESSAGE(at != std::string::npos, "LIMITS has no entry " << tag);
    return section.substr(at, section.find("\n.TP\n", at + 1) - at);
}

void check_has(const std::string& text, const std::string& what) {
    CHECK_MESSAGE(text.find(what) != std::string::npos, "missing \"" << what << "\" in:\n" << text);
}

std::string seconds(std::chrono::milliseconds d) {
    const auto ms = d.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) : "0." + std::to_string(ms / 100);
}

}  // namespace

TEST_CASE("LIMITS: every bound, its default, its option and what the peer gets") {
    const std::string limits = limits_section();
    const std::string head = entry(limits, "HTTP head");
    check_has(head, std::to_string(proto::max_head_size / 1024) + " KiB");
    check_has(head, "431 Request Header Fields Too Large");

    const std::string message = entry(limits, "Message size");
    check_has(message, std::to_string(proto::default_max_message >> 20) + " MiB");
    check_has(message, "max\\-message\\-size");
    check_has(message, "1009");
    check_has(message, "twice the limit");

    const std::string tiny = entry(limits, "Tiny frames per message");
    check_has(tiny, std::to_string(proto::default_max_tiny_frames) + " data frames of at most " +
                        std::to_string(proto::tiny_frame_payload) + " bytes");
    check_has(tiny, "1008");

    check_has(entry(limits, "Queued output"), "flow control");
    check_has(entry(limits, "Idle memory"), "32 MiB");

    const std::string clients = entry(limits, "Clients");
    check_has(clients, "max\\-clients");
    check_has(clients, "503 Service Unavailable");

    const std::string handshake = entry(limits, "Opening handshake");
    check_has(handshake, "handshake\\-timeout");
    check_has(handshake, "default " + seconds(session::default_handshake_timeout) + " seconds");

    const std::string pongs = entry(limits, "Pongs");
    check_has(pongs, "default " + seconds(session::default_ping_timeout) + " seconds");

    const std::string closing = entry(limits, "Closing");
    check_has(closing, "close\\-timeout");
    check_has(closing, "default " + seconds(session::default_close_timeout) + " seconds");

    const std::string failed = entry(limits, "Failed connections");
    check_has(failed, "after " + seconds(session::default_failure_linger) + " seconds");
    check_has(failed, "default " + seconds(session::default_close_timeout) + " seconds");

    const std::string signals = entry(limits, "Signals");
    check_has(signals, "1001");
    check_has(signals, "130, 143 or 129");
}

}  // namespace wscope::app
