// A session with its observers and driver (live_session.hpp).
#include "app/live_session.hpp"

namespace wscope::app {

LiveSession::LiveSession(net::Loop& loop, Console& console, net::Stream& stream,
                         const session::SessionOptions& options, crypto::MaskSource& masks,
                         const LiveSessionSetup& setup)
    : loop_(loop), session_(stream, options, masks, observers_, time_, setup.reads) {
    if (setup.out->jsonl) {
        jsonl_ = std::make_unique<JsonlPrinter>(console, setup.out->frames, setup.client_id);
        observers_.subscribe(*jsonl_);
    } else {
        inspector_ = std::make_unique<Inspector>(*setup.out, console, setup.prefix);
        observers_.subscribe(*inspector_);
    }
}

void LiveSession::start(proto::ByteView leftover, std::function<void()> on_finished) {
    session_.start(leftover);
    driver_ = std::make_unique<SessionDriver>(loop_, session_, std::move(on_finished));
}

std::unique_ptr<crypto::MaskSource> make_masks(std::optional<std::uint64_t> seed) {
    if (seed) return std::make_unique<crypto::SeededMaskSource>(*seed);
    return std::make_unique<crypto::SecureMaskSource>();
}

}  // namespace wscope::app
