#pragma once

#include <cstdint>

namespace wscope::proto {

// Which end of the connection we are. It decides the masking direction (RFC 6455 §5.1, §5.3):
// a client masks every frame it sends and rejects masked frames; a server the opposite.
enum class Role : std::uint8_t { client, server };

}  // namespace wscope::proto
