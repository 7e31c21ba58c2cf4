// The error table (src/proto/errc.hpp): one name, message, rule and close code per error.
#include "proto/errc.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace wscope::proto;

namespace {

constexpr Errc first = Errc::reserved_opcode;
constexpr Errc last = Errc::handshake_bad_target;

}  // namespace

TEST_CASE("errc: every error has its own name, a message and a rule") {
    std::set<std::string> names;
    for (auto v = static_cast<unsigned>(first); v <= static_cast<unsigned>(last); ++v) {
        const auto e = static_cast<Errc>(v);
        const ErrcInfo& i = info(e);
        INFO("i.name := " << std::string(i.name));
        CHECK_FALSE(i.name.empty());
        CHECK(i.name != "unknown");
        CHECK_FALSE(i.message.empty());
        CHECK_FALSE(i.rule.empty());
        CHECK(names.insert(std::string(i.name)).second);
        CHECK(make_error_code(e).message() == i.message);
        CHECK(make_error_code(e).category() == wscope_category());
    }
    CHECK(names.size() == static_cast<unsigned>(last) - static_cast<unsigned>(first) + 1);
}

TEST_CASE("errc: names match the enumerators") {
    CHECK(info(Errc::control_too_long).name == "control_too_long");
    CHECK(info(Errc::server_frame_masked).name == "server_frame_masked");
    CHECK(info(Errc::message_too_big).name == "message_too_big");
    CHECK(info(Errc::handshake_bad_accept).name == "handshake_bad_accept");
    std::error_code ec = Errc::invalid_utf8;  // is_error_code_enum
    CHECK(ec.value() == static_cast<int>(Errc::invalid_utf8));
}

TEST_CASE("errc: the close code each frame error calls for (RFC 6455 §7.4.1)") {
    const Errc protocol_errors[] = {
        Errc::reserved_opcode,         Errc::reserved_bits,        Errc::control_too_long,
        Errc::control_fragmented,      Errc::length_msb_set,       Errc::non_minimal_length,
        Errc::unexpected_continuation, Errc::expected_continuation, Errc::server_frame_masked,
        Errc::client_frame_unmasked,   Errc::close_payload_too_short, Errc::invalid_close_code,
        Errc::compressed_control,      Errc::compressed_continuation,
    };
    for (Errc e : protocol_errors) {
        INFO("info(e).name := " << std::string(info(e).name));
        CHECK(close_code_for(e) == CloseCode::protocol_error);
        CHECK_FALSE(is_handshake_error(e));
    }
    CHECK(close_code_for(Errc::invalid_utf8) == CloseCode::invalid_payload);
    CHECK(close_code_for(Errc::bad_compressed_data) == CloseCode::invalid_payload);
    CHECK(close_code_for(Errc::message_too_big) == CloseCode::message_too_big);
    // A message framed as endless tiny frames is not too big: it breaks our policy (§7.4.1).
    CHECK(close_code_for(Errc::too_many_tiny_frames) == CloseCode::policy_violation);
    CHECK(close_code_for(Errc::connection_lost) == CloseCode::abnormal);
}

TEST_CASE("errc: handshake errors are told apart") {
    for (auto v = static_cast<unsigned>(Errc::http_head_too_large); v <= static_cast<unsigned>(last); ++v) {
        CAPTURE(v);
        CHECK(is_handshake_error(static_cast<Errc>(v)));
    }
    CHECK_FALSE(is_handshake_error(Errc::connection_lost));
}

TEST_CASE("errc: describe() names the rule, with the detail when there is one") {
    const Error plain{Errc::server_frame_masked, {}};
    CHECK(plain.describe() == "server frame is masked (RFC 6455 §5.1)");
    const Error detailed{Errc::control_too_long, "peer sent a 126-byte PING"};
    CHECK(detailed.describe() == "peer sent a 126-byte PING (RFC 6455 §5.5)");
}
