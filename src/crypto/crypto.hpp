// Hashing, base64 and randomness, without libcrypto: OpenSSL 3 loads its configuration and
// providers on first use, which a ws:// connection should not pay for (TLS still uses it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wscope::crypto {

using Sha1Digest = std::array<std::uint8_t, 20>;

// FIPS 180-4 SHA-1 (sha1.cpp).
[[nodiscard]] Sha1Digest sha1(std::span<const std::uint8_t> data);
[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
// Strict RFC 4648 decoding with padding; nothing on malformed input.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// Fills out from the kernel's CSPRNG (getrandom(2)). Aborts if the generator is unusable:
// without unpredictable keys neither masking (RFC 6455 §10.3) nor handshake nonces are safe.
void random_bytes(std::span<std::uint8_t> out);

}  // namespace wscope::crypto
