// Base64 (RFC 4648 §4, standard alphabet, with padding) for the JSON "bytes" envelope. A local
// encoder: the presentation layer does not link the crypto layer.
#pragma once

#include <string>

#include "proto/bytes.hpp"

namespace wscope::present {

void append_base64(std::string& out, proto::ByteView data);
[[nodiscard]] std::string base64(proto::ByteView data);

}  // namespace wscope::present
