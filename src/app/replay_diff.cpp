// Comparing replayed messages with the recording (replay_diff.hpp).
#include "app/replay_diff.hpp"

#include "present/describe.hpp"
#include "present/hexdump.hpp"
#include "present/quoted_text.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

bool is_text(StepKind k) { return k == StepKind::text; }

std::string one_side(std::string_view label, bool text, proto::ByteView data) {
    std::string out = "  " + std::string(label) + (text ? " text (" : " binary (") + present::bytes_text(data.size()) + ")";
    if (text) return out + ": " + present::quoted(std::string_view(reinterpret_cast<const char*>(data.data()), data.size())) + "\n";
    return out + ":\n" + present::hexdump(data, 0, "    ");
}

}  // namespace

IgnoreRules compile_ignores(const std::vector<std::string>& patterns) {
    IgnoreRules r;
    for (const auto& p : patterns) {
        try {
            r.patterns.emplace_back(p, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            r.error = "--ignore " + present::quoted(p) + ": not a regular expression (" + e.what() + ")";
            return r;
        }
    }
    return r;
}

std::string masked(proto::ByteView data, const std::vector<std::regex>& patterns) {
    std::string s(reinterpret_cast<const char*>(data.data()), data.size());
    for (const auto& re : patterns) s = std::regex_replace(s, re, "\xe2\x80\xa6");
    return s;
}

bool same_message(const TranscriptStep& expected, const ReceivedMessage& received, const std::vector<std::regex>& patterns) {
    if (is_text(expected.kind) != (received.type == proto::MessageType::text)) return false;
    if (patterns.empty()) return expected.data == received.data;
    return masked(expected.data, patterns) == masked(received.data, patterns);
}

std::string describe_unexpected(const ReceivedMessage& received) {
    return one_side("received", received.type == proto::MessageType::text, received.data);
}

std::string describe_difference(const TranscriptStep& expected, const std::optional<ReceivedMessage>& received) {
    std::string out = one_side("expected", is_text(expected.kind), expected.data);
    if (!received) return out + "  received nothing\n";
    out += one_side("received", received->type == proto::MessageType::text, received->data);
    if (received->type == (is_text(expected.kind) ? proto::MessageType::text : proto::MessageType::binary)) {
        std::size_t i = 0;
        while (i < expected.data.size() && i < received->data.size() && expected.data[i] == received->data[i]) ++i;
        out += "  first difference at byte " + std::to_string(i) + "\n";
    }
    return out;
}

}  // namespace wscope::app
