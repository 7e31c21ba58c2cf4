// Feeding incremental decoders the way a socket would: the whole input in one read, split in
// two at every offset, and one byte at a time. Each check_*() runs one input through every
// such plan and compares the outcome with one expectation, so one table row is tested three
// ways (wsproto's _split_frame_test, Beast's "segmented sequence" tests).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "crypto/mask_source.hpp"
#include "proto/connection.hpp"
#include "proto/frame.hpp"
#include "proto/utf8.hpp"
#include "support/event_log.hpp"
#include "support/hex.hpp"

namespace wscope::test {

// The masking key of RFC 6455 §5.7's masked examples.
inline constexpr proto::MaskKey rfc_key{0x37, 0xfa, 0x21, 0x3d};

// How to cut an input into reads: cut offsets, strictly increasing, each in (0, size).
struct Plan {
    std::string name;
    std::vector<std::size_t> cuts;
};

// Whole, split in two at every offset, byte by byte. Inputs longer than full_split_limit are
// split at the first and last 48 offsets and every 997th in between (all offsets of a 64 KiB
// frame would be 2^16 runs of 2^16 bytes).
inline std::vector<Plan> plans(std::size_t size, std::size_t full_split_limit = 4096) {
    std::vector<Plan> out;
    out.push_back({"whole", {}});
    for (std::size_t k = 1; k < size; ++k) {
        const bool sampled = size > full_split_limit;
        if (sampled && k > 48 && k + 48 < size && k % 997 != 0) continue;
        out.push_back({"split at " + std::to_string(k), {k}});
    }
    if (size > 2) {
        Plan bytewise{"byte by byte", {}};
        for (std::size_t k = 1; k < size; ++k) bytewise.cuts.push_back(k);
        out.push_back(std::move(bytewise));
    }
    return out;
}

// The pieces a plan cuts input into.
inline std::vector<ByteView> pieces(ByteView input, const std::vector<std::size_t>& cuts) {
    std::vector<ByteView> out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        out.push_back(input.subspan(from, cut - from));
        from = cut;
    }
    out.push_back(input.subspan(from));
    return out;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// ---- Connection ----

inline proto::ConnectionOptions role_options(proto::Role role, std::uint64_t max_message) {
    proto::ConnectionOptions options;
    options.role = role;
    options.max_message = max_message;
    return options;
}

inline proto::ConnectionOptions client_options(std::uint64_t max_message = proto::default_max_message) {
    return role_options(proto::Role::client, max_message);
}

inline proto::ConnectionOptions server_options(std::uint64_t max_message = proto::default_max_message) {
    return role_options(proto::Role::server, max_message);
}

// Drains every event the connection has.
inline void drain(proto::Connection& c, EventLog& log) {
    // A Connection that never stops producing events is a bug; bound the loop.
    for (std::size_t guard = 0; guard < 10'000'000; ++guard) {
        auto e = c.next_event();
        if (!e) return;
        log.add(*e);
    }
}

// Feeds input to a fresh Connection in the plan's pieces (draining after each), then EOF if
// eof is set, and returns the log's lines plus "BAD:" lines for anything inconsistent: the
// rebuilt wire bytes must be a prefix of the input (all of it unless the connection failed,
// saw a Close, or was left inside a header), and failed()/error() must match the Violation.
inline std::vector<std::string> run_connection(const proto::ConnectionOptions& options,
                                               ByteView input, const std::vector<std::size_t>& cuts,
                                               bool eof = false) {
    crypto::FixedMaskSource masks(rfc_key);
    proto::Connection conn(options, masks);
    Bytes buffer(input.begin(), input.end());  // receive() unmasks in place
    EventLog log;
    std::size_t from = 0;
    for (ByteView piece : pieces(buffer, cuts)) {
        conn.receive(proto::MutableByteView(buffer.data() + from, piece.size()));
        from += piece.size();
        drain(conn, log);
    }
    if (eof) {
        conn.receive_eof();
        drain(conn, log);
    }
    log.finish();
    std::vector<std::string> lines = log.lines();

    const Bytes& wire = log.wire();
    const bool prefix = wire.size() <= input.size() &&
                        std::equal(wire.begin(), wire.end(), input.begin());
    if (!prefix) lines.push_back("BAD: headers + re-masked payloads are not the input's prefix");
    if (!log.violated() && !log.close_seen() && input.size() - wire.size() >= proto::max_header_size)
        lines.push_back("BAD: " + std::to_string(input.size() - wire.size()) +
                        " input bytes never reported");
    if (conn.failed() != log.violated()) lines.push_back("BAD: failed() disagrees with the events");
    if (conn.close_received() != log.close_seen())
        lines.push_back("BAD: close_received() disagrees with the events");
    if (conn.failed() && log.violated() &&
        lines.end() == std::find(lines.begin(), lines.end(), violation_line(conn.error().code)))
        lines.push_back("BAD: error() is not the reported Violation");
    return lines;
}

// Reads of k bytes each (the last one shorter).
inline Plan chunked(std::size_t size, std::size_t k) {
    Plan plan{"in reads of " + std::to_string(k), {}};
    for (std::size_t at = k; at < size; at += k) plan.cuts.push_back(at);
    return plan;
}

// Runs input through each of the given plans; each must give expected. Reports at most three
// failing plans in full, then how many failed in all.
inline void check_connection_plans(const proto::ConnectionOptions& options, ByteView input,
                                   const std::vector<std::string>& expected,
                                   const std::vector<Plan>& feeding, bool eof = false) {
    const std::string want = join_lines(expected);
    int failures = 0;
    for (const Plan& plan : feeding) {
        const std::string got = join_lines(run_connection(options, input, plan.cuts, eof));
        if (got == want) continue;
        if (++failures > 3) continue;
        INFO("input: " << (input.size() <= 64 ? to_hex(input) : repr(input)));
        INFO("fed: " << plan.name << std::string(eof ? ", then EOF" : ""));
        CHECK(got == want);
    }
    CHECK_MESSAGE(failures == 0, failures << " feeding plans gave other events");
}

// The same input whole, split in two at every offset, and byte by byte (see plans()).
inline void check_connection(const proto::ConnectionOptions& options, ByteView input,
                             const std::vector<std::string>& expected, bool eof = false,
                             std::size_t full_split_limit = 4096) {
    check_connection_plans(options, input, expected, plans(input.size(), full_split_limit), eof);
}

// ---- HeaderParser ----

// "TEXT fin=1 len=5 enc=7 used=2" (plus rsv=… and mask=… as in start_line), "error
// non_minimal_length used=4", or "need_more used=3". used counts the bytes parse() consumed;
// a need_more must consume its whole piece, and raw() must be exactly the bytes consumed.
inline std::string run_header_parser(ByteView input, const std::vector<std::size_t>& cuts) {
    proto::HeaderParser parser;
    std::size_t used = 0;
    std::string verdict = "need_more";
    for (ByteView piece : pieces(input, cuts)) {
        ByteView in = piece;
        const auto status = parser.parse(in);
        const std::size_t taken = piece.size() - in.size();
        used += taken;
        if (status == proto::HeaderParser::Status::need_more) {
            if (!in.empty()) return "BAD: need_more left " + std::to_string(in.size()) + " bytes unread";
            continue;
        }
        if (status == proto::HeaderParser::Status::done) {
            const auto& h = parser.header();
            verdict = start_line(h).substr(6) +
                      " enc=" + std::to_string(static_cast<int>(h.length_encoding));
        } else {
            verdict = "error " + std::string(proto::info(parser.error()).name);
        }
        break;
    }
    verdict += " used=" + std::to_string(used);
    if (verdict.rfind("need_more", 0) != 0) {
        const ByteView raw = parser.raw();
        if (raw.size() != used || !std::equal(raw.begin(), raw.end(), input.begin()))
            verdict += " BAD raw=" + to_hex(raw);
    }
    return verdict;
}

inline void check_header_parser(ByteView input, const std::string& expected) {
    int failures = 0;
    for (const Plan& plan : plans(input.size())) {
        const std::string got = run_header_parser(input, plan.cuts);
        if (got == expected) continue;
        if (++failures > 3) continue;
        INFO("input: " << to_hex(input));
        INFO("fed: " << plan.name);
        CHECK(got == expected);
    }
    CHECK_MESSAGE(failures == 0, failures << " feeding plans gave another result");
}

// ---- Utf8Validator ----

// "valid", "invalid" (some feed() returned false) or "truncated" (every feed() passed, finish()
// failed). Once a feed() fails, later ones must fail too and failed() must hold.
inline std::string run_utf8(ByteView input, const std::vector<std::size_t>& cuts) {
    proto::Utf8Validator v;
    bool rejected = false;
    for (ByteView piece : pieces(input, cuts)) {
        const bool ok = v.feed(piece);
        if (rejected && ok) return "BAD: feed() passed after a failure";
        if (!ok) rejected = true;
        if (v.failed() != rejected) return "BAD: failed() disagrees with feed()";
    }
    if (rejected) return "invalid";
    return v.finish() ? "valid" : "truncated";
}

inline void check_utf8(ByteView input, const std::string& expected) {
    int failures = 0;
    for (const Plan& plan : plans(input.size())) {
        const std::string got = run_utf8(input, plan.cuts);
        if (got == expected) continue;
        if (++failures > 3) continue;
        INFO("input: " << to_hex(input));
        INFO("fed: " << plan.name);
        CHECK(got == expected);
    }
    CHECK_MESSAGE(failures == 0, failures << " feeding plans gave another verdict");
}

// Fed one byte at a time: the index of the byte whose feed() first returned false, or -1.
inline long utf8_reject_index(ByteView input) {
    proto::Utf8Validator v;
    for (std::size_t i = 0; i < input.size(); ++i)
        if (!v.feed(input.subspan(i, 1))) return static_cast<long>(i);
    return -1;
}

}  // namespace wscope::test
