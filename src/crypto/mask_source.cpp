// Masking-key generators: a pooled getrandom source for real traffic and a seeded one for tests.
// Neither ever hands out the all-zero key, which would send the payload in clear (RFC 6455
// §5.3 expects the key to make the payload unpredictable on the wire).
#include "crypto/mask_source.hpp"

#include <algorithm>

#include "crypto/crypto.hpp"

namespace wscope::crypto {

namespace {

using Key = std::array<std::uint8_t, 4>;

bool is_zero(const Key& key) {
    return std::all_of(key.begin(), key.end(), [](std::uint8_t b) { return b == 0; });
}

// splitmix64 (Steele, Lea, Flood 2014): one step of the generator.
std::uint64_t splitmix64(std::uint64_t& state) {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

std::array<std::uint8_t, 4> SecureMaskSource::next() {
    for (;;) {
        if (used_ + 4 > pool_.size()) {
            fill_(pool_);
            used_ = 0;
        }
        Key key{};
        std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), key.size(), key.begin());
        used_ += key.size();
        if (!is_zero(key)) return key;  // a zero key (p = 2^-32) is redrawn
    }
}

std::array<std::uint8_t, 4> SeededMaskSource::next() {
    for (;;) {
        const std::uint64_t r = splitmix64(state_);
        const Key key{static_cast<std::uint8_t>(r >> 56), static_cast<std::uint8_t>(r >> 48),
                      static_cast<std::uint8_t>(r >> 40), static_cast<std::uint8_t>(r >> 32)};
        if (!is_zero(key)) return key;
    }
}

}  // namespace wscope::crypto
