// Following a 3xx during the handshake (-L): where the Location header points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/url.hpp"

namespace wscope::app {

// The next URL after a 3xx: absolute (ws, wss, http, https), scheme-relative, or a path
// (relative to the current one's directory).
[[nodiscard]] std::optional<std::string> redirect_target(const net::Url& from, std::string_view location);

[[nodiscard]] bool is_redirect(int status);

}  // namespace wscope::app
