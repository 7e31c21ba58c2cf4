// Unix domain stream sockets: connect (curl's --unix-socket) and listen. A path starting with
// '@' names a socket in Linux's abstract namespace ("@wscope" → "\0wscope"), which has no file.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "net/error.hpp"
#include "net/stream.hpp"
#include "net/tcp.hpp"

namespace wscope::net {

// Connects to the socket at path, waiting at most `timeout` (0: no limit) for a server whose
// backlog is full. Errors name the path: "no such file or directory (/run/app.sock)"
// (NetErrc::refused, as is "connection refused"), "permission denied (…)" (unreachable),
// "Unix socket path too long (…)" (bad_url). The stream's peer_name() is the path.
[[nodiscard]] NetResult<std::unique_ptr<Stream>> connect_unix(const std::string& path,
                                                              std::chrono::milliseconds timeout);

// Binds path and listens. A socket file left behind by a server that is gone is removed
// first; a live one (something accepts connections on it) or a file that is not a socket is
// a NetErrc::bind error. The Listener's local_name() is the path and port() is 0. The file is
// not removed when the listener closes (remove_unix_socket does that).
[[nodiscard]] NetResult<std::unique_ptr<Listener>> listen_unix(const std::string& path);

// Removes the socket file at path if it is a socket (nothing for abstract names).
void remove_unix_socket(const std::string& path);

}  // namespace wscope::net
