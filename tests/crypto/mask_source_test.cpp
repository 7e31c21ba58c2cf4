// SecureMaskSource with a scripted pool: keys come out of the pool in order, 256 per refill,
// nothing is drawn before the first key, and a zero key is skipped, even a whole zero pool.
#include "crypto/mask_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

namespace {

using Key = std::array<std::uint8_t, 4>;

// A pool filler that counts its calls and writes byte i of refill r as (r * 7 + i) mod 251,
// never zero, except where zero_words or zero_first_pool put zeros in the first refill.
struct Script {
    int calls = 0;
    std::vector<std::size_t> zero_words;  // in the first refill, these 4-byte words are zero
    bool zero_first_pool = false;

    void fill(std::span<std::uint8_t> pool) {
        for (std::size_t i = 0; i < pool.size(); ++i) {
            pool[i] =
                static_cast<std::uint8_t>((static_cast<std::size_t>(calls) * 7 + i) % 251 + 1);
        }
        if (calls == 0) {
            for (const std::size_t w : zero_words) std::fill_n(pool.begin() + 4 * w, 4, 0);
            if (zero_first_pool) std::fill(pool.begin(), pool.end(), 0);
        }
        ++calls;
    }

    static Key expected(int refill, std::size_t word) {
        Key key{};
        for (std::size_t b = 0; b < 4; ++b) {
            key[b] = static_cast<std::uint8_t>(
                (static_cast<std::size_t>(refill) * 7 + 4 * word + b) % 251 + 1);
        }
        return key;
    }
};

wscope::crypto::SecureMaskSource scripted(Script& script) {
    return wscope::crypto::SecureMaskSource(
        [&script](std::span<std::uint8_t> pool) { script.fill(pool); });
}

}  // namespace

TEST_CASE("SecureMaskSource: keys in pool order, 256 per 1 KiB refill, none drawn up front") {
    Script script;
    auto source = scripted(script);
    CHECK(script.calls == 0);
    for (int refill = 0; refill < 3; ++refill) {
        CAPTURE(refill);
        for (std::size_t word = 0; word < 256; ++word)
            REQUIRE(source.next() == Script::expected(refill, word));
        CHECK(script.calls == refill + 1);
    }
}

TEST_CASE("SecureMaskSource skips a zero key instead of sending the payload in clear") {
    Script script;
    script.zero_words = {0, 5, 6, 255};
    auto source = scripted(script);
    std::vector<Key> keys;
    for (int i = 0; i < 256; ++i) keys.push_back(source.next());
    CHECK(std::find(keys.begin(), keys.end(), Key{}) == keys.end());
    CHECK(keys[0] == Script::expected(0, 1));  // word 0 was zero
    CHECK(keys[4] == Script::expected(0, 7));  // words 5 and 6 were zero
    CHECK(keys[251] == Script::expected(0, 254));
    CHECK(keys[252] == Script::expected(1, 0));  // word 255 was zero: on to the next pool
}

TEST_CASE("SecureMaskSource refills again when a whole pool is zero") {
    Script script;
    script.zero_first_pool = true;
    auto source = scripted(script);
    CHECK(source.next() == Script::expected(1, 0));
    CHECK(script.calls == 2);
}

TEST_CASE("SecureMaskSource: sources drawing from the kernel differ") {
    wscope::crypto::SecureMaskSource a;
    wscope::crypto::SecureMaskSource b;
    std::vector<Key> from_a;
    std::vector<Key> from_b;
    for (int i = 0; i < 8; ++i) {
        from_a.push_back(a.next());
        from_b.push_back(b.next());
    }
    CHECK(from_a != from_b);  // equal with probability 2^-256
}
