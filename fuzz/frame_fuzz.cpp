// libFuzzer target: arbitrary bytes as the stream a Connection receives, in both roles.
//
// Input: byte 0 = options (bit 0: permessage-deflate agreed; bit 1: small max_message; bit 2:
// EOF after the bytes; bit 3: at most 4 tiny frames per message), byte 1 = seed for the read sizes, the rest = the stream. Every stream is
// fed whole and again in reads of pseudo-random sizes; the two runs must report the same
// events (support/event_log.hpp normalises read boundaries and checks payload offsets, message
// flags, "nothing after a Violation" and that headers + re-masked payloads are the input).
// Completed text messages must be UTF-8 by the reference checker. HeaderParser is checked on
// the same bytes: whole and byte-by-byte must agree, and a parsed header must re-encode to
// exactly the bytes it was parsed from (only minimal encodings are accepted).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/mask_source.hpp"
#include "proto/connection.hpp"
#include "proto/frame.hpp"
#include "support/event_log.hpp"
#include "support/utf8_reference.hpp"

using namespace wscope::proto;
using wscope::test::EventLog;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "frame_fuzz: %s\n%s\n", what, detail.c_str());
    std::abort();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// Read sizes 1..64 from a small LCG; seed 0 means one read of everything.
std::vector<std::size_t> read_sizes(std::size_t total, std::uint8_t seed) {
    std::vector<std::size_t> sizes;
    if (seed == 0) {
        sizes.push_back(total);
        return sizes;
    }
    std::uint32_t state = seed;
    for (std::size_t done = 0; done < total;) {
        state = state * 1103515245u + 12345u;
        const std::size_t n = std::min<std::size_t>(1 + (state >> 16) % 64, total - done);
        sizes.push_back(n);
        done += n;
    }
    return sizes;
}

// Collects completed text messages to check them against the reference UTF-8 checker.
struct TextCheck {
    bool open = false;
    bool text = false;
    Bytes data;

    void add(const Event& e) {
        const auto* m = std::get_if<MessageData>(&e);
        if (!m) return;
        if (m->first) {
            open = true;
            text = m->type == MessageType::text;
            data.clear();
        }
        if (text) data.insert(data.end(), m->data.begin(), m->data.end());
        if (m->last) {
            if (text && wscope::test::reference_utf8(data).kind != wscope::test::Utf8Verdict::valid)
                fail("a text message that is not UTF-8 was delivered");
            open = false;
        }
    }
};

std::vector<std::string> run(const ConnectionOptions& options, const std::uint8_t* data,
                             std::size_t size, const std::vector<std::size_t>& sizes, bool eof) {
    wscope::crypto::FixedMaskSource masks({0x37, 0xfa, 0x21, 0x3d});
    Connection conn(options, masks);
    Bytes buffer(data, data + size);  // receive() unmasks in place
    EventLog log;
    TextCheck text;
    std::size_t from = 0;
    for (std::size_t n : sizes) {
        conn.receive(MutableByteView(buffer.data() + from, n));
        from += n;
        while (auto e = conn.next_event()) {
            if (const auto* p = std::get_if<PingReceived>(&*e); p && p->payload.size() > max_control_payload)
                fail("ping payload over 125 bytes");
            text.add(*e);
            log.add(*e);
        }
    }
    if (eof) {
        conn.receive_eof();
        while (auto e = conn.next_event()) log.add(*e);
    }
    log.finish();
    std::vector<std::string> lines = log.lines();
    for (const auto& l : lines)
        if (l.rfind("BAD:", 0) == 0) fail("event invariant broken", joined(lines));
    const Bytes& wire = log.wire();
    if (wire.size() > size || !std::equal(wire.begin(), wire.end(), data))
        fail("headers + payloads are not a prefix of the input", joined(lines));
    if (conn.failed() != log.violated()) fail("failed() disagrees with the events", joined(lines));
    return lines;
}

void check_header_parser(const std::uint8_t* data, std::size_t size) {
    HeaderParser whole;
    ByteView in(data, size);
    const auto status = whole.parse(in);
    const std::size_t used = size - in.size();

    HeaderParser bytewise;
    auto status2 = HeaderParser::Status::need_more;
    std::size_t used2 = 0;
    for (std::size_t i = 0; i < size && status2 == HeaderParser::Status::need_more; ++i) {
        ByteView one(data + i, 1);
        status2 = bytewise.parse(one);
        used2 += 1 - one.size();
    }
    if (status != status2 || used != used2) fail("HeaderParser depends on how bytes arrive");
    if (used > max_header_size) fail("HeaderParser consumed more than a header");
    if (status == HeaderParser::Status::done) {
        if (!(whole.header() == bytewise.header())) fail("HeaderParser headers differ");
        std::uint8_t again[max_header_size];
        const std::size_t n = encode_header(whole.header(), again);
        if (n != used || !std::equal(again, again + n, data)) fail("parsed header does not re-encode to its bytes");
    }
    if (status == HeaderParser::Status::error && whole.error() != bytewise.error())
        fail("HeaderParser errors differ");
}

// With permessage-deflate, what a compressed message breaks first is only known as it inflates:
// a message that inflates to bad UTF-8 and also hits corrupt deflate data, or grows past the
// size limit, fails as invalid_utf8, bad_compressed_data or message_too_big depending on how
// much had been inflated when each check ran. Each is a true violation of that message; accept
// any of them, provided everything before agrees.
bool same_failure(const std::vector<std::string>& a, const std::vector<std::string>& b, bool deflate) {
    if (!deflate || a.size() != b.size() || a.empty()) return false;
    if (!std::equal(a.begin(), a.end() - 1, b.begin())) return false;
    const auto compressed_message_failure = [](const std::string& event) {
        return event == "violation invalid_utf8 1007" || event == "violation bad_compressed_data 1007" ||
               event == "violation message_too_big 1009";
    };
    return compressed_message_failure(a.back()) && compressed_message_failure(b.back());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t flags = data[0];
    const std::uint8_t seed = data[1];
    data += 2;
    size -= 2;
    check_header_parser(data, size);

    for (Role role : {Role::client, Role::server}) {
        ConnectionOptions options;
        options.role = role;
        if (flags & 1) options.deflate = DeflateParams{};
        // Small limits keep decompression bombs cheap; the limit logic is exercised either way.
        options.max_message = (flags & 2) ? 300 : 1 << 20;
        const bool eof = (flags & 4) != 0;
        if (flags & 8) options.max_tiny_frames = 4;
        const auto whole = run(options, data, size, read_sizes(size, 0), eof);
        const auto pieces = run(options, data, size, read_sizes(size, seed == 0 ? 1 : seed), eof);
        if (whole != pieces && !same_failure(whole, pieces, options.deflate.has_value()))
            fail("events depend on how the bytes were split", joined(whole) + "----\n" + joined(pieces));
    }
    return 0;
}
