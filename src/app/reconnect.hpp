// --reconnect: when to try again after a session or a connection attempt ended, and how long
// to wait first (SPEC §2.10). Pure: the client (client.cpp) asks, then does the waiting.
//
// The waits grow exponentially with full jitter above a floor: before the k-th try in a row
// the wait is drawn uniformly from [MIN, min(MAX, MIN·2^k)]. The floor is what keeps a server
// that accepts and drops at once from being hammered: however unlucky the draws, tries are
// at least MIN apart. A session that stayed open for MAX or longer was a good connection: the
// count of tries and the growth start again after it.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "session/clock.hpp"
#include "session/outcome.hpp"

namespace wscope::app {

struct ReconnectPolicy {
    bool enabled = false;           // --reconnect
    unsigned max_tries = 0;         // --reconnect=MAX; 0: no limit
    session::Duration min_delay = std::chrono::milliseconds(500);  // --reconnect-delay MIN
    session::Duration max_delay = std::chrono::seconds(30);        // --reconnect-delay MIN:MAX
    bool always = false;            // --reconnect-always: also after a normal close by the peer
};

// How one connection attempt or session ended, as far as the policy cares.
struct AttemptEnd {
    session::Outcome outcome = session::Outcome::normal;
    bool opened = false;             // the handshake succeeded
    session::Duration open_for{};    // how long the session lasted
    bool we_closed = false;          // we started the close (input over, -n, a signal, --max-time)
    bool peer_closed = false;        // the peer's Close came first
    std::uint16_t peer_code = 0;     // its code (0: none)
    bool signalled = false;          // SIGINT/SIGTERM/SIGHUP ended it
};

// Whether an end of this kind is worth another try under the policy (ignoring the count):
// a lost connection, a failed connect, a rejected handshake, a timeout and an error close
// are; a usage error, a TLS failure (a certificate does not fix itself), a protocol violation,
// a close we started and a signal are not; the peer's normal close (1000) only with
// --reconnect-always. The peer's 1001 (going away: a server restarting) is worth a try.
[[nodiscard]] bool worth_retrying(const AttemptEnd& end, bool always);

// The wait before try k (1-based: the first reconnect is k = 1) drawn from `random`: uniform in
// [min, min(max, min·2^k)]. Pure given the generator; max < min counts as max = min.
[[nodiscard]] session::Duration backoff_delay(unsigned k, session::Duration min,
                                              session::Duration max, std::mt19937_64& random);

// The policy with its state: the tries so far and the random source (seeded for tests).
class Reconnector {
public:
    Reconnector(const ReconnectPolicy& policy, std::uint64_t seed) : policy_(policy), random_(seed) {}

    // After an attempt: the wait before the next try, or nullopt to stop (not enabled, not
    // worth it, or MAX tries made). Counts the try it grants.
    [[nodiscard]] std::optional<session::Duration> next(const AttemptEnd& end);

    // The number of the try granted last (1-based), for "reconnected (try 3)".
    [[nodiscard]] unsigned tries() const { return tries_; }
    [[nodiscard]] const ReconnectPolicy& policy() const { return policy_; }

private:
    ReconnectPolicy policy_;
    std::mt19937_64 random_;
    unsigned tries_ = 0;
};

}  // namespace wscope::app
