// Payload masking (src/proto/mask.hpp, RFC 6455 §5.3), checked against a byte-at-a-time
// reference: "octet i of the transformed data is the XOR of octet i of the original data with
// octet at index i modulo 4 of the masking key".
#include "proto/mask.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "support/hex.hpp"

using namespace wscope::proto;
using wscope::test::hex;
using wscope::test::pattern;
using wscope::test::to_hex;

namespace {

Bytes reference_mask(ByteView data, const MaskKey& key, std::size_t phase) {
    Bytes out(data.begin(), data.end());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= key[(phase + i) % 4];
    return out;
}

const MaskKey keys[] = {
    {0x37, 0xfa, 0x21, 0x3d},  // RFC 6455 §5.7
    {0x01, 0x02, 0x03, 0x04},
    {0xff, 0x00, 0xff, 0x00},
    {0x80, 0x40, 0x20, 0x10},
};

}  // namespace

TEST_CASE("mask: RFC 6455 §5.7 \"Hello\" with key 37 fa 21 3d") {
    Bytes data = wscope::test::bytes_of("Hello");
    CHECK(apply_mask(data, keys[0]) == 1);
    CHECK(to_hex(data) == "7f 9f 4d 51 58");
    CHECK(apply_mask(data, keys[0]) == 1);  // masking twice restores the data
    CHECK(to_hex(data) == "48 65 6c 6c 6f");
}

TEST_CASE("mask: the all-zero key changes nothing") {
    Bytes data = pattern(77);
    const Bytes before = data;
    apply_mask(data, MaskKey{0, 0, 0, 0}, 3);
    CHECK(data == before);
}

TEST_CASE("mask: sizes 0..100, every phase, every split point, against the reference") {
    int runs = 0;
    int failures = 0;
    std::string first_failure;
    for (const MaskKey& key : keys)
        for (std::size_t size = 0; size <= 100; ++size)
            for (std::size_t phase = 0; phase < 4; ++phase) {
                const Bytes original = pattern(size, static_cast<std::uint8_t>(size));
                const Bytes expected = reference_mask(original, key, phase);
                for (std::size_t split = 0; split <= size; ++split) {
                    ++runs;
                    Bytes data = original;
                    const MutableByteView all(data);
                    const std::size_t p1 = apply_mask(all.first(split), key, phase);
                    const std::size_t p2 = apply_mask(all.subspan(split), key, p1);
                    const bool ok = p1 == (phase + split) % 4 && p2 == (phase + size) % 4 &&
                                    data == expected;
                    if (!ok && failures++ == 0)
                        first_failure = "key " + to_hex(key) + " size " + std::to_string(size) +
                                        " phase " + std::to_string(phase) + " split " +
                                        std::to_string(split) + ": returned " +
                                        std::to_string(p1) + "," + std::to_string(p2);
                }
            }
    CHECK(runs == 4 * 4 * (101 * 102 / 2));
    INFO("first failure: " << first_failure);
    CHECK(failures == 0);
}

TEST_CASE("mask: unaligned buffers, and nothing outside the span is touched") {
    int failures = 0;
    std::string first_failure;
    for (std::size_t offset = 0; offset < 16; ++offset)
        for (std::size_t size : {0u, 1u, 3u, 4u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 63u, 64u,
                                 65u, 100u, 255u, 1000u, 4099u})
            for (std::size_t phase = 0; phase < 4; ++phase) {
                // Guard bytes of 0xA5 on both sides of the span.
                Bytes buffer(offset + size + 16, 0xA5);
                const Bytes original = pattern(size, 7);
                std::copy(original.begin(), original.end(), buffer.begin() + offset);
                const std::size_t next =
                    apply_mask(MutableByteView(buffer.data() + offset, size), keys[1], phase);
                const Bytes expected = reference_mask(original, keys[1], phase);
                bool ok = next == (phase + size) % 4 &&
                          std::equal(expected.begin(), expected.end(), buffer.begin() + offset);
                for (std::size_t i = 0; i < offset; ++i) ok = ok && buffer[i] == 0xA5;
                for (std::size_t i = offset + size; i < buffer.size(); ++i) ok = ok && buffer[i] == 0xA5;
                if (!ok && failures++ == 0)
                    first_failure = "offset " + std::to_string(offset) + " size " +
                                    std::to_string(size) + " phase " + std::to_string(phase);
            }
    INFO("first failure: " << first_failure);
    CHECK(failures == 0);
}

TEST_CASE("mask: a long payload unmasked in pieces of every size 1..40") {
    const Bytes original = pattern(5000, 3);
    const Bytes expected = reference_mask(original, keys[0], 0);
    for (std::size_t step = 1; step <= 40; ++step) {
        CAPTURE(step);
        Bytes data = original;
        std::size_t phase = 0;
        for (std::size_t at = 0; at < data.size(); at += step) {
            const std::size_t n = std::min(step, data.size() - at);
            phase = apply_mask(MutableByteView(data).subspan(at, n), keys[0], phase);
        }
        CHECK(phase == 5000 % 4);
        CHECK(data == expected);
    }
}

TEST_CASE("mask: phase given as the count of bytes already processed") {
    // mask.hpp: "pass the number of payload bytes already processed as phase".
    for (std::size_t done : {4u, 5u, 6u, 7u, 1001u, 65537u}) {
        CAPTURE(done);
        Bytes data = pattern(37);
        const Bytes expected = reference_mask(data, keys[3], done % 4);
        const std::size_t next = apply_mask(data, keys[3], done);
        CHECK(next % 4 == (done + 37) % 4);
        CHECK(data == expected);
    }
}
