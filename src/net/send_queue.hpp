// How much of what was written to a socket its peer has not yet acknowledged.
#pragma once

#include <cstddef>

namespace wscope::net {

// Bytes written to the socket fd that the peer's TCP has not acknowledged yet (sent or not):
// what a write "completed" into the kernel still has to cross. 0 for anything else (a pipe,
// -1, an fd the kernel cannot tell about), so callers treat "unknown" as "delivered".
[[nodiscard]] std::size_t unacknowledged_bytes(int fd) noexcept;

}  // namespace wscope::net
