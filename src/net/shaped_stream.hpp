// Streams that shape another stream's traffic on purpose, for a test server that exercises its
// clients (listen --fault chop=N, slow-read=BPS):
//  - ChopStream writes at most N bytes per call, so with TCP_NODELAY each piece leaves as its
//    own segment and the client's reads see partial frames;
//  - SlowReadStream reads at most a budget of bytes; when it is spent it asks its owner (once)
//    to stop reading until the budget is refilled.
// Both pass everything else through to the stream they own.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/stream.hpp"

namespace wscope::net {

class ShapedStream : public Stream {
public:
    explicit ShapedStream(std::unique_ptr<Stream> inner) : inner_(std::move(inner)) {}
    IoResult read_some(proto::MutableByteView buf) override { return inner_->read_some(buf); }
    IoResult write_some(proto::ByteView buf) override { return inner_->write_some(buf); }
    [[nodiscard]] bool has_buffered() const override { return inner_->has_buffered(); }
    void shutdown_write() override { inner_->shutdown_write(); }
    [[nodiscard]] int fd() const override { return inner_->fd(); }
    [[nodiscard]] std::string peer_name() const override { return inner_->peer_name(); }

protected:
    Stream& inner() { return *inner_; }

private:
    std::unique_ptr<Stream> inner_;
};

class ChopStream final : public ShapedStream {
public:
    // Sets TCP_NODELAY on the socket (when it is TCP).
    ChopStream(std::unique_ptr<Stream> inner, std::size_t piece);
    IoResult write_some(proto::ByteView buf) override;

private:
    std::size_t piece_;
};

class SlowReadStream final : public ShapedStream {
public:
    // spent: called once each time the budget runs out (the owner pauses reading, then calls
    // refill()). Until arm() the stream reads without a limit (the opening handshake).
    SlowReadStream(std::unique_ptr<Stream> inner, std::function<void()> spent)
        : ShapedStream(std::move(inner)), spent_(std::move(spent)) {}
    IoResult read_some(proto::MutableByteView buf) override;
    // Decrypted bytes waiting count only while they may be read.
    [[nodiscard]] bool has_buffered() const override {
        return (!armed_ || budget_ > 0) && ShapedStream::has_buffered();
    }
    void arm(std::size_t budget) {
        armed_ = true;
        budget_ = budget;
    }
    void refill(std::size_t budget) {
        budget_ = budget;
        told_ = false;
    }

private:
    std::function<void()> spent_;
    bool armed_ = false;
    bool told_ = false;
    std::size_t budget_ = 0;
};

}  // namespace wscope::net
