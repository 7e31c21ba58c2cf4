// Payload masking (RFC 6455 §5.3): octet i of the payload is XORed with octet (i mod 4) of the
// masking key. Masking and unmasking are the same operation.
#pragma once

#include <cstddef>

#include "proto/bytes.hpp"
#include "proto/frame.hpp"

namespace wscope::proto {

// XORs data in place with key, starting at key position phase (0-3), so that a payload that
// arrives in several pieces is unmasked piece by piece: pass the number of payload bytes
// already processed as phase. Works a machine word at a time. Returns the phase for the next
// piece.
std::size_t apply_mask(MutableByteView data, const MaskKey& key, std::size_t phase = 0) noexcept;

}  // namespace wscope::proto
