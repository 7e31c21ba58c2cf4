// libFuzzer target: Utf8Validator against the reference checker in tests/support.
//
// Input: byte 0 = read-size seed, the rest = a text message. Fed in pieces of pseudo-random
// size, the validator must reach the reference's verdict (valid / invalid / truncated), and fed
// byte by byte it must fail exactly at the first byte after which no valid continuation exists.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "proto/utf8.hpp"
#include "support/utf8_reference.hpp"

using namespace wscope::proto;
using wscope::test::Utf8Verdict;

namespace {

[[noreturn]] void fail(const char* what, std::size_t at) {
    std::fprintf(stderr, "utf8_fuzz: %s (byte %zu)\n", what, at);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::uint32_t state = data[0];
    const ByteView text(data + 1, size - 1);
    const Utf8Verdict ref = wscope::test::reference_utf8(text);

    // In pieces.
    Utf8Validator v;
    bool rejected = false;
    for (std::size_t at = 0; at < text.size();) {
        state = state * 1103515245u + 12345u;
        const std::size_t n = std::min<std::size_t>(1 + (state >> 16) % 41, text.size() - at);
        const bool ok = v.feed(text.subspan(at, n));
        if (rejected && ok) fail("feed() passed after a failure", at);
        if (ok == v.failed()) fail("failed() disagrees with feed()", at);
        if (!ok && !rejected && ref.kind == Utf8Verdict::invalid && (ref.reject_at < at || ref.reject_at >= at + n))
            fail("rejected in a piece that does not hold the first bad byte", at);
        rejected = rejected || !ok;
        at += n;
    }
    const bool finished = !rejected && v.finish();
    switch (ref.kind) {
        case Utf8Verdict::valid:
            if (rejected || !finished) fail("valid UTF-8 refused", 0);
            break;
        case Utf8Verdict::truncated:
            if (rejected) fail("a truncated message was rejected before its end", 0);
            if (finished) fail("finish() accepted a message ending inside a sequence", 0);
            break;
        case Utf8Verdict::invalid:
            if (!rejected) fail("invalid UTF-8 passed feed()", ref.reject_at);
            break;
    }

    // Byte by byte: the first failing byte is the reference's.
    Utf8Validator b;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!b.feed(text.subspan(i, 1))) {
            if (ref.kind != Utf8Verdict::invalid || ref.reject_at != i) fail("byte-by-byte rejection at the wrong byte", i);
            break;
        }
        if (ref.kind == Utf8Verdict::invalid && ref.reject_at == i) fail("byte-by-byte: bad byte accepted", i);
    }
    if (is_valid_utf8(text) != (ref.kind == Utf8Verdict::valid)) fail("is_valid_utf8 disagrees", 0);
    return 0;
}
