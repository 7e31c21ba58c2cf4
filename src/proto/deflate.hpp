// permessage-deflate (RFC 7692): negotiating its parameters, and compressing/decompressing
// message payloads with raw DEFLATE (zlib), including the 00 00 FF FF tail that each
// compressed message drops on the wire (§7.2.1) and the decompressor puts back (§7.2.2).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/bytes.hpp"
#include "proto/result.hpp"

namespace wscope::proto {

inline constexpr std::string_view deflate_extension = "permessage-deflate";

// What was agreed, seen from one endpoint.
struct DeflateParams {
    bool our_no_context_takeover = false;   // we reset our compressor after each message
    bool peer_no_context_takeover = false;  // the peer resets its own (ours may reset to match)
    int our_max_window_bits = 15;           // LZ77 window we may use for compressing
    int peer_max_window_bits = 15;          // the window the peer compresses with

    friend bool operator==(const DeflateParams&, const DeflateParams&) = default;
};

// The client's offer (§7.1): we can decompress any window, and accept any server limit on ours.
[[nodiscard]] std::string deflate_client_offer();

// Client: checks the server's Sec-WebSocket-Extensions answer to our offer (§7.1.1-§7.1.2):
// one permessage-deflate element, known parameters, each once, window bits 8-15. Nothing if
// the answer holds no permessage-deflate.
[[nodiscard]] Result<std::optional<DeflateParams>> deflate_accept_response(std::string_view extensions);

// Server: picks the first acceptable permessage-deflate offer among the client's extension
// elements. Returns the parameters and the response element to send, or nothing to decline.
// The response always holds server_no_context_takeover (§7.1.1.1): an idle connection keeps
// no compressor state.
struct DeflateAgreement {
    DeflateParams params;
    std::string response;  // e.g. "permessage-deflate; server_no_context_takeover"
};
[[nodiscard]] std::optional<DeflateAgreement> deflate_negotiate(const std::vector<std::string>& offers);

// Compresses messages. Each message (or fragment) is compressed and flushed to a byte
// boundary; the 00 00 FF FF tail of the last piece is removed. zlib's state is set up on first
// use, and with no context takeover it is released after each message: an endpoint that is
// not compressing holds none.
class Deflater {
public:
    Deflater(int window_bits, bool no_context_takeover);
    ~Deflater();
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    // Appends the compressed form of data to out. last: the message ends here. out grows in
    // steps as the output needs, never by the worst case for the whole input at once.
    void compress(ByteView data, bool last, Bytes& out);

    // Heap bytes zlib holds for this stream now (0 when it holds no state).
    [[nodiscard]] std::size_t state_bytes() const noexcept;

private:
    struct State;
    std::unique_ptr<State> s_;
    int window_bits_;
    bool no_context_takeover_;
};

// Decompresses messages in bounded pieces, refusing to produce more than a limit. Feed one
// piece of a message's payload, then call inflate_some() until it says the piece is done:
// whatever the piece inflates to, no single output is larger than the size asked for. zlib's
// state is set up on first use, and with no context takeover it is released after each
// message.
class Inflater {
public:
    explicit Inflater(bool no_context_takeover);
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // The next piece of a compressed message's payload; last: the message ends with it (the
    // 00 00 FF FF tail is fed after it). data must stay alive until the piece is done.
    void feed(ByteView data, bool last);

    // Replaces out's contents with the next at most max_piece bytes the piece inflates to
    // (possibly none). Returns true while more may follow (call again), false once the piece
    // is done. Fails with bad_compressed_data, or message_too_big once the message's inflated
    // size would exceed max_output (0: no limit).
    [[nodiscard]] Result<bool> inflate_some(std::size_t max_piece, std::uint64_t max_output,
                                            Bytes& out);

    // Heap bytes zlib holds for this stream now (0 when it holds no state).
    [[nodiscard]] std::size_t state_bytes() const noexcept;

private:
    struct State;
    std::unique_ptr<State> s_;
    bool no_context_takeover_;
    bool last_ = false;       // the piece being inflated ends the message
    bool tail_due_ = false;   // the 00 00 FF FF tail is still to be fed
    bool more_out_ = false;   // the last zlib call filled its output: it may hold more
    std::uint64_t message_out_ = 0;
};

}  // namespace wscope::proto
