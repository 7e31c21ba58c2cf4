// SHA-1 as FIPS 180-4 §6.1 defines it. RFC 6455 §4.2.2 prescribes it for Sec-WebSocket-Accept,
// where it hashes 60 public bytes once per connection and nothing relies on its collision
// resistance. Done here rather than through libcrypto: OpenSSL 3's EVP interface loads the
// configuration and providers before its first digest (over 1 ms of CPU per process), and the
// low-level SHA1_* functions that would not are deprecated.
#include "crypto/crypto.hpp"

#include <cstring>

namespace wscope::crypto {

namespace {

constexpr std::size_t block_size = 64;  // 512-bit message blocks (§5.2.1)

std::uint32_t rotl(std::uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

std::uint32_t load_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// §6.1.2: one block into the hash value H0..H4.
void compress(std::array<std::uint32_t, 5>& h, const std::uint8_t* block) {
    // The message schedule W0..W79 (step 1).
    std::array<std::uint32_t, 80> w{};
    for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
    for (std::size_t t = 16; t < 80; ++t)
        w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (std::size_t t = 0; t < 80; ++t) {
        // §4.1.1 functions and §4.2.1 constants, one pair per 20 rounds.
        std::uint32_t f = 0;
        std::uint32_t k = 0;
        if (t < 20) {
            f = (b & c) ^ (~b & d);  // Ch
            k = 0x5a827999;
        } else if (t < 40) {
            f = b ^ c ^ d;  // Parity
            k = 0x6ed9eba1;
        } else if (t < 60) {
            f = (b & c) ^ (b & d) ^ (c & d);  // Maj
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;  // Parity
            k = 0xca62c1d6;
        }
        const std::uint32_t temp = rotl(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}  // namespace

Sha1Digest sha1(std::span<const std::uint8_t> data) {
    // §5.3.1: the initial hash value.
    std::array<std::uint32_t, 5> h{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

    const std::size_t whole = data.size() - data.size() % block_size;
    for (std::size_t i = 0; i < whole; i += block_size) compress(h, data.data() + i);

    // §5.1.1 padding: a 1 bit, zeros up to 448 mod 512 bits, then the length in bits as a
    // 64-bit big-endian number. That is one more block, or two when fewer than 9 bytes remain.
    std::array<std::uint8_t, 2 * block_size> tail{};
    const std::size_t rest = data.size() - whole;
    if (rest != 0) std::memcpy(tail.data(), data.data() + whole, rest);
    tail[rest] = 0x80;
    const std::size_t tail_len = rest + 1 + 8 <= block_size ? block_size : 2 * block_size;
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    for (std::size_t i = 0; i < 8; ++i) {
        tail[tail_len - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
    }
    for (std::size_t i = 0; i < tail_len; i += block_size) compress(h, tail.data() + i);

    Sha1Digest digest{};
    for (std::size_t i = 0; i < h.size(); ++i) {
        digest[4 * i] = static_cast<std::uint8_t>(h[i] >> 24);
        digest[4 * i + 1] = static_cast<std::uint8_t>(h[i] >> 16);
        digest[4 * i + 2] = static_cast<std::uint8_t>(h[i] >> 8);
        digest[4 * i + 3] = static_cast<std::uint8_t>(h[i]);
    }
    return digest;
}

}  // namespace wscope::crypto
