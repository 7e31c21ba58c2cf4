// Streams that shape traffic on purpose (src/net/shaped_stream.hpp), over a scripted
// FakeStream.
#include "net/shaped_stream.hpp"

#include <doctest/doctest.h>

#include <array>
#include <memory>

#include "support/fake_stream.hpp"

using namespace wscope;
using net::IoResult;

TEST_CASE("ChopStream: each write takes at most N bytes") {
    auto fake = std::make_unique<test::FakeStream>();
    test::FakeStream& inner = *fake;
    net::ChopStream chop(std::move(fake), 3);
    const std::array<std::uint8_t, 7> data{1, 2, 3, 4, 5, 6, 7};
    proto::ByteView rest(data);
    std::size_t calls = 0;
    while (!rest.empty()) {
        const IoResult r = chop.write_some(rest);
        REQUIRE(r.status == IoResult::Status::ok);
        CHECK(r.n <= 3);
        rest = rest.subspan(r.n);
        ++calls;
    }
    CHECK(calls == 3);
    CHECK(inner.written() == proto::Bytes(data.begin(), data.end()));
}

TEST_CASE("SlowReadStream: unlimited until armed; then a budget, spent told once, refilled") {
    auto fake = std::make_unique<test::FakeStream>();
    test::FakeStream& inner = *fake;
    int spent = 0;
    net::SlowReadStream slow(std::move(fake), [&] { ++spent; });
    inner.push_read(std::string_view("GET / HTTP/1.1\r\n"));
    std::array<std::uint8_t, 64> buf{};
    IoResult r = slow.read_some(buf);
    CHECK(r.n == 16);  // the handshake is read at full speed

    slow.arm(4);
    inner.push_read(std::string_view("0123456789"));
    r = slow.read_some(buf);
    REQUIRE(r.status == IoResult::Status::ok);
    CHECK(r.n == 4);
    CHECK(spent == 0);
    r = slow.read_some(buf);
    CHECK(r.status == IoResult::Status::want_read);
    r = slow.read_some(buf);
    CHECK(r.status == IoResult::Status::want_read);
    CHECK(spent == 1);
    CHECK_FALSE(slow.has_buffered());

    slow.refill(100);
    r = slow.read_some(buf);
    REQUIRE(r.status == IoResult::Status::ok);
    CHECK(r.n == 6);
    CHECK(std::string_view(reinterpret_cast<const char*>(buf.data()), r.n) == "456789");
}

namespace {

// A stream that always says it holds decrypted bytes (as TLS may).
class Buffered final : public net::Stream {
public:
    IoResult read_some(proto::MutableByteView) override { return {IoResult::Status::want_read, 0, {}, false}; }
    IoResult write_some(proto::ByteView b) override { return {IoResult::Status::ok, b.size(), {}, false}; }
    [[nodiscard]] bool has_buffered() const override { return true; }
    void shutdown_write() override {}
    [[nodiscard]] int fd() const override { return -1; }
    [[nodiscard]] std::string peer_name() const override { return "buffered"; }
};

}  // namespace

TEST_CASE("SlowReadStream: buffered bytes show before arm() and while the budget lasts") {
    net::SlowReadStream slow(std::make_unique<Buffered>(), [] {});
    CHECK(slow.has_buffered());  // the TLS handshake must still see them
    slow.arm(0);
    CHECK_FALSE(slow.has_buffered());
    slow.refill(10);
    CHECK(slow.has_buffered());
}
