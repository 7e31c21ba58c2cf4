// After failing a connection (RFC 6455 §7.1.7) a session reads only a bounded amount of what
// the peer goes on sending (to see its Close or its end), then leaves the socket alone until
// the failure's deadline: a peer that streams a never-ending message cannot keep it busy.
#include <doctest/doctest.h>
#include <poll.h>

#include "crypto/mask_source.hpp"
#include "session/session.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_stream.hpp"
#include "support/hex.hpp"

using namespace wscope;

namespace {

class Quiet final : public session::Observer {
  public:
    void on_event(const session::SessionEvent&) override {}
};

struct Rig {
    explicit Rig(proto::Role role) {
        options.role = role;
        options.max_message = 1024;
        session.emplace(stream, options, masks, quiet, time);
        session->start({});
    }
    test::FakeStream stream;
    test::FakeTime time;
    crypto::FixedMaskSource masks{proto::MaskKey{0x37, 0xfa, 0x21, 0x3d}};
    Quiet quiet;
    session::SessionOptions options;
    std::optional<session::Session> session;
};

// A binary frame header that claims 1 MiB (within no limit of 1024: refused with 1009 at
// once), as a server sends it (unmasked); then the megabyte itself, in 64 KiB pieces.
void stream_a_huge_message(Rig& r) {
    r.stream.push_read(test::hex("82 7f 00 00 00 00 00 10 00 00"));
    const proto::Bytes piece(64 * 1024, 0x61);
    for (int i = 0; i < 16; ++i) r.stream.push_read(piece);
}

}  // namespace

TEST_CASE("after a failure, a client reads no more than the drain limit of what follows") {
    Rig r(proto::Role::client);
    stream_a_huge_message(r);
    const std::size_t total = r.stream.unread();
    for (int i = 0; i < 100 && !r.session->finished(); ++i) r.session->on_ready(POLLIN);
    REQUIRE(r.session->failure().outcome == session::Outcome::protocol_violation);
    REQUIRE_FALSE(r.session->finished());
    const std::size_t read = total - r.stream.unread();
    CHECK(read <= session::failure_drain_limit + 64 * 1024);
    CHECK((r.session->events() & POLLIN) == 0);  // the socket is left alone
    // The failure's deadline still ends the connection (the client's: the close timeout).
    r.time.advance(r.options.close_timeout);
    r.session->tick();
    CHECK(r.session->finished());
}

TEST_CASE("after a failure, the peer's Close and end are still seen within the drain limit") {
    Rig r(proto::Role::client);
    r.stream.push_read(test::hex("82 7f 00 00 00 00 00 10 00 00"));  // refused: 1009
    r.stream.push_read(test::hex("88 02 03 e8"));                    // the server's Close
    r.stream.push_eof();
    for (int i = 0; i < 10 && !r.session->finished(); ++i) r.session->on_ready(POLLIN);
    CHECK(r.session->finished());
    CHECK(r.session->failure().outcome == session::Outcome::protocol_violation);
}
