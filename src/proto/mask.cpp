// Masking a machine word at a time. The key is spread over 8 bytes (8 is a multiple of the
// 4-byte key, so the pattern repeats word after word); loads and stores go through memcpy so
// that any alignment is fine and the compiler emits plain (vector) moves.
#include "proto/mask.hpp"

#include <cstdint>
#include <cstring>

namespace wscope::proto {

std::size_t apply_mask(MutableByteView data, const MaskKey& key, std::size_t phase) noexcept {
    phase &= 3;
    std::uint8_t* p = data.data();
    std::size_t n = data.size();

    std::uint8_t pattern[8];
    for (std::size_t j = 0; j < 8; ++j) pattern[j] = key[(phase + j) & 3];
    std::uint64_t word;
    std::memcpy(&word, pattern, 8);

    while (n >= 32) {
        std::uint64_t w[4];
        std::memcpy(w, p, 32);
        w[0] ^= word;
        w[1] ^= word;
        w[2] ^= word;
        w[3] ^= word;
        std::memcpy(p, w, 32);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        w ^= word;
        std::memcpy(p, &w, 8);
        p += 8;
        n -= 8;
    }
    // Fewer than 8 bytes remain; whole words kept the phase, so the tail starts on pattern[0].
    for (std::size_t i = 0; i < n; ++i) p[i] ^= pattern[i];
    return (phase + data.size()) & 3;
}

}  // namespace wscope::proto
