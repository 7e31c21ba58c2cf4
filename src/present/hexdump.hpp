// A hex + ASCII dump of bytes, 16 to a row, as curl --trace shows them:
//
//   0000: 81 85 37 fa 21 3d 7f 9f  4d 51 58                |..7.!=..MQX|
//
// The offset has 4 hex digits, more when the dump reaches 0x10000; a second space follows the
// 8th byte; the ASCII column shows 0x20-0x7e as themselves and every other byte as '.', and it
// lines up on a short last row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::present {

inline constexpr std::size_t hexdump_row_bytes = 16;

struct HexdumpOptions {
    std::uint64_t start_offset = 0;  // the offset shown for data[0]
    std::string_view indent;         // written before every line
    // Bytes shown at most; when data is longer a last line says "… N more bytes".
    std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
};

// Lines, each ending in '\n'; nothing for empty data.
[[nodiscard]] std::string hexdump(proto::ByteView data, std::uint64_t start_offset = 0,
                                  std::string_view indent = "");
[[nodiscard]] std::string hexdump(proto::ByteView data, const HexdumpOptions& options);
void append_hexdump(std::string& out, proto::ByteView data, const HexdumpOptions& options);

}  // namespace wscope::present
