// Random bytes straight from the kernel (getrandom(2)). OpenSSL's RAND_bytes would do as well,
// but its first call loads the OpenSSL configuration and providers, which costs more CPU than
// the rest of a one-shot ws:// connection; the kernel's generator costs one system call.
#include "crypto/crypto.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace wscope::crypto {

void random_bytes(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        // Flags 0: block until the kernel's pool is initialized (only ever at early boot), then
        // never fail. Requests above 256 bytes may return short or be interrupted by a signal.
        const ssize_t n = ::getrandom(out.data(), out.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "wscope: fatal: getrandom failed: %s\n", std::strerror(errno));
            std::abort();
        }
        out = out.subspan(static_cast<std::size_t>(n));
    }
}

}  // namespace wscope::crypto
