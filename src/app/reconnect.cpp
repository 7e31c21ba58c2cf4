// The retry policy of reconnect.hpp.
#include "app/reconnect.hpp"

#include <algorithm>

namespace wscope::app {

bool worth_retrying(const AttemptEnd& end, bool always) {
    using session::Outcome;
    if (end.signalled || end.we_closed) return false;
    switch (end.outcome) {
        case Outcome::normal:
            // A stream that ended after a normal close: the peer's 1000 ends the run; its 1001
            // (or a close without a code) says it is going away, which a new try may outlive.
            if (always) return true;
            return end.peer_closed && end.peer_code != 1000;
        case Outcome::connect_failed:
        case Outcome::handshake_rejected:
        case Outcome::connection_lost:
        case Outcome::peer_error_close:
        case Outcome::timeout:
            return true;
        case Outcome::usage:
        case Outcome::tls_failed:
        case Outcome::protocol_violation:
            return false;
    }
    return false;
}

session::Duration backoff_delay(unsigned k, session::Duration min, session::Duration max,
                                std::mt19937_64& random) {
    if (min < session::Duration::zero()) min = session::Duration::zero();
    if (max < min) max = min;
    // min·2^k without overflow: once past max, it is max.
    session::Duration ceiling = min;
    for (unsigned i = 0; i < k && ceiling < max; ++i) ceiling = ceiling * 2 > max ? max : ceiling * 2;
    if (ceiling <= min) return min;
    std::uniform_int_distribution<session::Duration::rep> pick(min.count(), ceiling.count());
    return session::Duration(pick(random));
}

std::optional<session::Duration> Reconnector::next(const AttemptEnd& end) {
    if (!policy_.enabled || !worth_retrying(end, policy_.always)) return std::nullopt;
    // A session that lasted was a good connection: count and growth start again.
    if (end.opened && end.open_for >= policy_.max_delay) tries_ = 0;
    if (policy_.max_tries != 0 && tries_ >= policy_.max_tries) return std::nullopt;
    ++tries_;
    return backoff_delay(tries_, policy_.min_delay, policy_.max_delay, random_);
}

}  // namespace wscope::app
