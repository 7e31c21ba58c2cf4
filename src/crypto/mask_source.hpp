// Where masking keys come from (RFC 6455 §5.3: "The masking key is a 32-bit value chosen at
// random … MUST be unpredictable"). Injected so tests and captures can be reproducible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>

#include "crypto/crypto.hpp"

namespace wscope::crypto {

class MaskSource {
public:
    virtual ~MaskSource() = default;
    // A fresh key for the next frame.
    virtual std::array<std::uint8_t, 4> next() = 0;
};

// Keys from the kernel's CSPRNG (getrandom), drawn 1 KiB at a time so that a stream of small
// frames pays one system call per 256 frames (about 9 ns of CPU a key), not one per frame.
// Nothing is drawn before the first next().
class SecureMaskSource final : public MaskSource {
public:
    // Fills the pool: random_bytes, or a scripted generator in tests.
    using Fill = std::function<void(std::span<std::uint8_t>)>;

    SecureMaskSource() : fill_(random_bytes) {}
    explicit SecureMaskSource(Fill fill) : fill_(std::move(fill)) {}
    std::array<std::uint8_t, 4> next() override;

private:
    Fill fill_;
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
