// Groups 7-9: the closing handshake and close codes (RFC 6455 §5.5.1, §7.4), masking (§5.1,
// §5.3), and a few timed cases (§5.6, §10.4).
#include "check/catalogue_parts.hpp"

namespace wscope::check::detail {

namespace {

using proto::Bytes;
using proto::Errc;
using proto::Opcode;

Case close_case(std::string id, std::string title, std::string rule, std::vector<Bytes> frames,
                std::optional<std::uint16_t> code) {
    Case c = make_case(std::move(id), "close", title, std::move(rule));
    for (auto& b : frames) c.steps.push_back(send(std::move(b)));
    c.close_at_end = false;
    c.evaluate = expect_close_reply(code, std::move(title));
    return c;
}

}  // namespace

void add_close_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string reply = "RFC 6455 §5.5.1";
    out.push_back(close_case("7.1.1", "Close 1000 without a reason", reply, {f.close(1000)}, 1000));
    out.push_back(close_case("7.1.2", "Close with an empty body", reply, {f.close_raw({})}, std::nullopt));
    out.push_back(close_case("7.1.3", "Close 1000 with a 123-byte reason", reply,
                             {f.close(1000, to_bytes(std::string(123, 'r')))}, 1000));
    out.push_back(close_case("7.1.4", "Close 1000 with a UTF-8 reason (κόσμε)", reply,
                             {f.close(1000, to_bytes("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"))}, 1000));
    out.push_back(close_case("7.1.5", "a TEXT frame after our Close (must not be echoed)", reply,
                             {f.close(1000), f.text("after close")}, 1000));
    out.push_back(violation_case("7.1.6", "close", "a Close body of 1 byte",
                                 Errc::close_payload_too_short, {f.close_raw(Bytes{0x03})}, f));
    out.push_back(violation_case("7.1.7", "close", "a Close reason that is not UTF-8 (C0 80)",
                                 Errc::invalid_utf8, {f.close(1000, Bytes{'a', 0xC0, 0x80})}, f));
    int n = 0;
    for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
        out.push_back(close_case("7.2." + std::to_string(++n), "Close " + std::to_string(code),
                                 "RFC 6455 §7.4", {f.close(code)}, code));
    n = 0;
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        out.push_back(violation_case("7.3." + std::to_string(++n), "close",
                                     "close code " + std::to_string(code), Errc::invalid_close_code,
                                     {f.close(code)}, f));
}

void add_masking_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string g = "masking";
    out.push_back(violation_case("8.1.1", g, "an unmasked TEXT frame", Errc::client_frame_unmasked,
                                 {f.unmasked(Opcode::text, to_bytes("unmasked"))}, f));
    out.push_back(violation_case("8.1.2", g, "an unmasked PING", Errc::client_frame_unmasked,
                                 {f.unmasked(Opcode::ping, to_bytes("unmasked"))}, f));
    out.push_back(violation_case("8.1.3", g, "an unmasked BINARY frame after a masked one",
                                 Errc::client_frame_unmasked,
                                 {f.binary(Bytes{1}), f.unmasked(Opcode::binary, Bytes{2})}, f, 1));
    out.push_back(echo_case("8.2.1", g, "a TEXT frame masked with the key 00 00 00 00",
                            "RFC 6455 §5.3", {f.zero_masked(Opcode::text, to_bytes("zero key"))},
                            {text_message("zero key")}));
}

void add_performance_cases(std::vector<Case>& out, FrameMaker& f) {
    const std::string g = "performance";
    const auto timed = [](Case c) {
        c.timed = true;
        c.timeout = std::chrono::seconds(30);
        return c;
    };
    {
        std::vector<Bytes> frames;
        std::vector<Message> expected;
        for (int i = 0; i < 10000; ++i) {
            std::string s = "small message " + std::to_string(i);
            frames.push_back(f.text(s));
            expected.push_back(text_message(s));
        }
        out.push_back(timed(echo_case("9.1.1", g, "10000 small TEXT messages", "RFC 6455 §5.6",
                                      std::move(frames), std::move(expected))));
    }
    {
        Bytes mib(1 << 20);
        for (std::size_t i = 0; i < mib.size(); ++i) mib[i] = static_cast<std::uint8_t>(i * 7);
        std::vector<Bytes> frames;
        std::vector<Message> expected;
        for (int i = 0; i < 8; ++i) {
            frames.push_back(f.binary(mib));
            expected.push_back(binary_message(mib));
        }
        out.push_back(timed(echo_case("9.1.2", g, "8 BINARY messages of 1 MiB", "RFC 6455 §5.6",
                                      std::move(frames), std::move(expected))));
    }
    {
        Bytes big(16u << 20);
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
        std::vector<Bytes> frames;
        const std::size_t piece = 64 * 1024;
        for (std::size_t at = 0; at < big.size(); at += piece) {
            const Bytes part(big.begin() + static_cast<std::ptrdiff_t>(at),
                             big.begin() + static_cast<std::ptrdiff_t>(at + piece));
            frames.push_back(f.frame(at == 0 ? Opcode::binary : Opcode::continuation, part,
                                     at + piece == big.size()));
        }
        out.push_back(timed(echo_case("9.1.3", g, "a 16 MiB BINARY message in 64 KiB fragments",
                                      "RFC 6455 §5.4", std::move(frames), {binary_message(std::move(big))})));
    }
}

}  // namespace wscope::check::detail
