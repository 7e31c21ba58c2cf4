// Hashing and randomness must not wake OpenSSL up: on a ws:// connection its configuration
// and provider loading cost more CPU than everything else. A child process points
// OPENSSL_CONF at a configuration that OpenSSL refuses (config_diagnostics = 1 makes a bad
// provider section fatal), so any OpenSSL initialization would fail and the child would abort.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "crypto/crypto.hpp"
#include "crypto/mask_source.hpp"

namespace {

// What a client does with the crypto layer: the key, the accept check, masks.
bool use_everything() {
    std::array<std::uint8_t, 16> nonce{};
    wscope::crypto::random_bytes(nonce);
    constexpr std::string_view text =
        "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const auto digest =
        wscope::crypto::sha1({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    wscope::crypto::SecureMaskSource masks;
    bool nonzero = true;
    for (int i = 0; i < 1000; ++i)
        nonzero = nonzero && masks.next() != std::array<std::uint8_t, 4>{};
    return wscope::crypto::base64_encode(digest) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" && nonzero;
}

}  // namespace

TEST_CASE("sha1, random_bytes and SecureMaskSource never load the OpenSSL configuration") {
    const auto conf = std::filesystem::temp_directory_path() /
                      ("wscope-bad-openssl-" + std::to_string(::getpid()) + ".cnf");
    {
        std::ofstream out(conf);
        out << "config_diagnostics = 1\n"
               "openssl_conf = init\n"
               "[init]\nproviders = providers\n"
               "[providers]\nno_such_provider = no_such_section\n"
               "[no_such_section]\nactivate = 1\n";
    }
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::setenv("OPENSSL_CONF", conf.c_str(), 1);
        ::_exit(use_everything() ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    std::filesystem::remove(conf);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
