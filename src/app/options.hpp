// What the command line asked for, resolved once before any I/O (immutable afterwards).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/reconnect.hpp"
#include "net/tcp.hpp"
#include "proto/frame_rules.hpp"
#include "proto/http1.hpp"

namespace wscope::app {

enum class Framing : std::uint8_t { lines, nul, whole, chunk };
enum class ColorMode : std::uint8_t { auto_, always, never };
// listen mode's "[ID] " before each printed message: when two clients were ever connected
// at once (auto), always, or never.
enum class PrefixMode : std::uint8_t { auto_, always, never };

// Shared by the client and listen mode.
struct OutputOptions {
    int verbose = 0;       // -v (repeatable)
    bool quiet = false;    // -q
    bool frames = false;   // -F
    bool hexdump = false;  // -X
    bool jsonl = false;    // --jsonl
    bool show_ping_pong = false;  // -P
    bool stats = false;           // --stats
    enum class Timestamps : std::uint8_t { none, wall, relative } timestamps = Timestamps::none;  // -T
    ColorMode color = ColorMode::auto_;
    // Resolved once (config.cpp), before any I/O.
    bool stdout_tty = false, stderr_tty = false;
    bool colour_stdout = false, colour_stderr = false;
};

struct ClientOptions {
    std::string url;
    std::vector<proto::HeaderField> headers;  // -H
    std::vector<std::string> subprotocols;    // -s
    std::string origin;                       // -o
    std::string user;                         // -u USER:PASS
    std::vector<std::string> data;            // -d / --execute
    double wait = 0.5;                        // -w: linger for replies after the input (SPEC §2.1)
    bool wait_given = false;                  // -w was on the command line
    std::uint64_t count = 0;                  // -n: exit after this many messages; 0: no limit
    bool binary = false;                      // -b
    Framing framing = Framing::lines;
    std::size_t chunk = 0;                    // --chunk N
    bool echo = false;
    double ping_interval = 0;
    double ping_timeout = 0;
    double close_timeout = 2;
    std::uint16_t close_code = 1000;
    std::string close_reason;
    std::uint64_t max_message = proto::default_max_message;
    double connect_timeout = 0;
    // TLS (wss://), curl's names.
    bool insecure = false;                    // -k
    std::string cacert, capath, cert, key;
    // Reaching the server.
    std::optional<std::string> proxy;         // -x; "" = no proxy
    std::optional<std::string> noproxy;       // --noproxy
    std::optional<std::string> unix_socket;   // --unix-socket
    bool follow_redirects = false;            // -L
    int max_redirects = 10;                   // --max-redirs
    bool deflate = false;                     // offer permessage-deflate
    net::Family family = net::Family::any;
    ReconnectPolicy reconnect;                // --reconnect[=MAX], --reconnect-delay, --reconnect-always
    double max_time = 0;                      // --max-time: the whole run; 0: no limit
    std::optional<std::uint64_t> mask_seed;   // hidden: reproducible masks for tests/captures
    std::string record;                       // --record FILE: the transcript (SPEC §2.8)
    OutputOptions out;
};

}  // namespace wscope::app

namespace wscope::app {

struct ListenOptions {
    std::string address;                    // "[HOST:]PORT"
    bool echo = false;
    bool binary = false;                    // broadcast stdin lines as binary
    std::vector<std::string> subprotocols;  // accepted subprotocols
    std::size_t max_clients = 0;            // 0: no limit
    double handshake_timeout = 10;
    std::uint64_t count = 0;                // exit after this many received messages
    bool oneshot = false;                   // serve one client, exit with its outcome
    bool deflate = false;                   // accept permessage-deflate offers
    std::string tls_cert, tls_key;          // serve wss:// with this certificate and key
    std::string tls_client_ca;              // require client certificates signed by this CA
    double close_timeout = 2;
    std::uint64_t max_message = proto::default_max_message;
    PrefixMode prefix = PrefixMode::auto_;
    std::string exec;                       // --exec: run this (sh -c) for every client
    // A test server that misbehaves on purpose (faults.hpp, scenario.hpp).
    std::vector<std::string> faults;        // --fault SPEC
    std::string script;                     // --script FILE
    std::vector<std::string> headers;       // --header NAME:VALUE, added to every 101
    std::optional<std::string> greeting;    // --greeting TEXT: sent to each client on open
    double ping_interval = 0;               // --ping-interval S
    double ping_timeout = 0;                // --ping-timeout S
    std::string record;                     // --record FILE: FILE.ID per client
    std::string replay;                     // --replay FILE: serve a transcript
    std::string replay_entry;               // --entry: which HAR entry
    OutputOptions out;
};

}  // namespace wscope::app
