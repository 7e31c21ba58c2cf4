// Where masking keys come from (RFC 6455 §5.3: "The masking key is a 32-bit value chosen at
// random … MUST be unpredictable"). Injected so tests and captures can be reproducible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace wscope::crypto {

class MaskSource {
public:
    virtual ~MaskSource() = default;
    // A fresh key for the next frame.
    virtual std::array<std::uint8_t, 4> next() = 0;
};

// Keys from the CSPRNG, drawn 1 KiB at a time so a stream of small frames does not pay a
// RAND_bytes call per frame.
class SecureMaskSource final : public MaskSource {
public:
    std::array<std::uint8_t, 4> next() override;

private:
    std::array<std::uint8_t, 1024> pool_{};
    std::size_t used_ = pool_.size();
};

// Deterministic keys from a seed (splitmix64), for tests and the hidden --mask-seed option.
// Never for production traffic.
class SeededMaskSource final : public MaskSource {
public:
    explicit SeededMaskSource(std::uint64_t seed) : state_(seed) {}
    std::array<std::uint8_t, 4> next() override;

private:
    std::uint64_t state_;
};

// Always the same key: for byte-exact tests (e.g. the RFC 6455 §5.7 examples).
class FixedMaskSource final : public MaskSource {
public:
    explicit FixedMaskSource(std::array<std::uint8_t, 4> key) : key_(key) {}
    std::array<std::uint8_t, 4> next() override { return key_; }

private:
    std::array<std::uint8_t, 4> key_;
};

}  // namespace wscope::crypto
