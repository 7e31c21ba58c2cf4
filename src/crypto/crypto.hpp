// The project's only door to OpenSSL's libcrypto: hashing, base64 and the CSPRNG.
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

[[nodiscard]] Sha1Digest sha1(std::span<const std::uint8_t> data);
[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
// Strict RFC 4648 decoding with padding; nothing on malformed input.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// Fills out from OpenSSL's CSPRNG (RAND_bytes). Aborts if the generator is unusable: without
// unpredictable keys neither masking (RFC 6455 §10.3) nor handshake nonces are safe.
void random_bytes(std::span<std::uint8_t> out);

}  // namespace wscope::crypto
