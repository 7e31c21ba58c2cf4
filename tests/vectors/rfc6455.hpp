// Test vectors quoted from the RFCs, as hex text for support/hex.hpp's hex(). Every value here
// is copied from the RFC named next to it; tests that use them check the implementation against
// the standard rather than against itself.
#pragma once

#include <string_view>

namespace wscope::vectors {

// RFC 6455 §1.3 (and §4.2.2 item 5): the client's key and the server's accept value.
inline constexpr std::string_view handshake_key = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view handshake_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// RFC 6455 §5.7: examples of framing. The masked frames use the key 37 fa 21 3d.
inline constexpr std::string_view mask_key = "37 fa 21 3d";
// "A single-frame unmasked text message (contains "Hello")"
inline constexpr std::string_view unmasked_text = "81 05 48 65 6c 6c 6f";
// "A single-frame masked text message (contains "Hello")"
inline constexpr std::string_view masked_text = "81 85 37 fa 21 3d 7f 9f 4d 51 58";
// "A fragmented unmasked text message": "Hel", then "lo"
inline constexpr std::string_view fragment_1 = "01 03 48 65 6c";
inline constexpr std::string_view fragment_2 = "80 02 6c 6f";
// "Unmasked Ping request and masked Ping response" (the body of both is "Hello")
inline constexpr std::string_view unmasked_ping = "89 05 48 65 6c 6c 6f";
inline constexpr std::string_view masked_pong = "8a 85 37 fa 21 3d 7f 9f 4d 51 58";
// "256 bytes binary message in a single unmasked frame": the header
inline constexpr std::string_view binary_256_header = "82 7e 01 00";
// "64KiB binary message in a single unmasked frame": the header
inline constexpr std::string_view binary_64k_header = "82 7f 00 00 00 00 00 01 00 00";

// RFC 7692 §7.2.3: permessage-deflate payloads of "Hello".
// §7.2.3.1 a message compressed with one DEFLATE block (RSV1 set)
inline constexpr std::string_view deflate_hello = "c1 07 f2 48 cd c9 c9 07 00";
// §7.2.3.1 the same, fragmented
inline constexpr std::string_view deflate_fragment_1 = "41 03 f2 48 cd";
inline constexpr std::string_view deflate_fragment_2 = "80 04 c9 c9 07 00";
// §7.2.3.2 a DEFLATE block with no compression
inline constexpr std::string_view deflate_stored = "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00";
// §7.2.3.3 a DEFLATE block with BFINAL set
inline constexpr std::string_view deflate_bfinal = "c1 08 f3 48 cd c9 c9 07 00 00";
// §7.2.3.4 two messages "Hello" sharing the LZ77 sliding window
inline constexpr std::string_view deflate_shared_1 = "c1 07 f2 48 cd c9 c9 07 00";
inline constexpr std::string_view deflate_shared_2 = "c1 05 f2 00 11 00 00";

}  // namespace wscope::vectors
