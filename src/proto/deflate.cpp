// permessage-deflate over zlib's raw DEFLATE streams.
#include "proto/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "proto/http1.hpp"

namespace wscope::proto {
namespace {

// §7.2.1: the bytes every sync-flushed DEFLATE block ends with.
constexpr std::array<std::uint8_t, 4> tail{0x00, 0x00, 0xFF, 0xFF};

struct Param {
    std::string_view name;
    std::optional<std::string_view> value;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "permessage-deflate; a; b=1" → name and parameters (quoted values unquoted, §7.1: RFC 6455
// §9.1 allows quoted-string values).
std::string_view split_element(std::string_view element, std::vector<Param>& params) {
    std::string_view name;
    bool first = true;
    while (true) {
        const auto semi = element.find(';');
        const std::string_view part = trim(element.substr(0, semi));
        if (first) {
            name = part;
            first = false;
        } else if (!part.empty()) {
            const auto eq = part.find('=');
            Param p{trim(part.substr(0, eq)), std::nullopt};
            if (eq != std::string_view::npos) {
                std::string_view v = trim(part.substr(eq + 1));
                if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
                p.value = v;
            }
            params.push_back(p);
        }
        if (semi == std::string_view::npos) break;
        element.remove_prefix(semi + 1);
    }
    return name;
}

// §7.1.2.1: window bits are a decimal integer 8-15 with no leading zero.
std::optional<int> window_bits(std::string_view v) {
    if (v.empty() || v.size() > 2 || v.front() == '0') return std::nullopt;
    int n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n < 8 || n > 15) return std::nullopt;
    return n;
}

// The four parameters of §7.1 by position (0-3), -1 for any other name.
int param_index(std::string_view name) {
    constexpr std::string_view names[] = {"server_no_context_takeover", "client_no_context_takeover",
                                           "server_max_window_bits", "client_max_window_bits"};
    for (int i = 0; i < 4; ++i)
        if (name == names[i]) return i;
    return -1;
}

Error bad(std::string what) { return Error{Errc::handshake_bad_extension, "permessage-deflate: " + std::move(what)}; }

}  // namespace

std::string deflate_client_offer() { return "permessage-deflate; client_max_window_bits"; }

Result<std::optional<DeflateParams>> deflate_accept_response(std::string_view extensions) {
    std::optional<DeflateParams> agreed;
    for (std::string_view element : split_list(extensions)) {
        std::vector<Param> params;
        if (split_element(element, params) != deflate_extension) continue;
        // §7.1: at most one permessage-deflate element in the response.
        if (agreed) return bad("the server accepted it twice");
        DeflateParams p;
        bool seen[4] = {false, false, false, false};
        for (const Param& param : params) {
            const int idx = param_index(param.name);
            // §7.1: unknown parameters, and any parameter twice, fail the handshake.
            if (idx < 0) return bad("unknown parameter \"" + std::string(param.name) + "\"");
            if (seen[idx]) return bad("parameter \"" + std::string(param.name) + "\" appears twice");
            seen[idx] = true;
            if (idx <= 1 && param.value) return bad(std::string(param.name) + " takes no value");
            if (idx == 0) p.peer_no_context_takeover = true;
            if (idx == 1) p.our_no_context_takeover = true;
            if (idx >= 2) {
                const auto bits = param.value ? window_bits(*param.value) : std::nullopt;
                if (!bits) return bad(std::string(param.name) + " needs a value from 8 to 15");
                if (idx == 2) p.peer_max_window_bits = *bits;
                // 8 is honoured by a compressor without back-references (see Deflater).
                if (idx == 3) p.our_max_window_bits = *bits;
            }
        }
        agreed = p;
    }
    return agreed;
}

std::optional<DeflateAgreement> deflate_negotiate(const std::vector<std::string>& offers) {
    for (const std::string& offer : offers) {
        std::vector<Param> params;
        if (split_element(offer, params) != deflate_extension) continue;
        DeflateAgreement a;
        std::string response(deflate_extension);
        bool ok = true;
        bool seen[4] = {false, false, false, false};
        for (const Param& param : params) {
            const int idx = param_index(param.name);
            if (idx < 0 || seen[idx]) {
                ok = false;  // §7.1: decline an offer with unknown or repeated parameters
                break;
            }
            seen[idx] = true;
            if (idx <= 1 && param.value) ok = false;
            if (idx == 0) {
                a.params.our_no_context_takeover = true;
                response += "; server_no_context_takeover";
            }
            if (idx == 1) {
                a.params.peer_no_context_takeover = true;
                response += "; client_no_context_takeover";
            }
            if (idx == 2) {
                const auto bits = param.value ? window_bits(*param.value) : std::nullopt;
                // 8 is honoured by a compressor without back-references (see Deflater).
                if (!bits) {
                    ok = false;
                } else {
                    a.params.our_max_window_bits = *bits;
                    response += "; server_max_window_bits=" + std::to_string(*bits);
                }
            }
            if (idx == 3 && param.value) {
                const auto bits = window_bits(*param.value);
                if (!bits) ok = false;
                else a.params.peer_max_window_bits = *bits;
            }
            if (!ok) break;
        }
        if (!ok) continue;
        // §7.1.1.1 lets a server reset its compressor after each message even when not asked.
        // We always do: a compressor with context takeover keeps about 256 KiB of zlib state for
        // as long as the connection lives, a cost each idle connection would pay; without it
        // the state exists only while a message is being compressed.
        if (!seen[0]) {
            a.params.our_no_context_takeover = true;
            response += "; server_no_context_takeover";
        }
        a.response = std::move(response);
        return a;
    }
    return std::nullopt;
}

namespace {

// Output is produced in steps of at most this much: a compressor never reserves the worst
// case for a whole large message up front (deflateBound() of 60 MiB is 60 MiB, kept as the
// buffer's capacity long after the message has gone).
constexpr std::size_t deflate_step = 64 * 1024;

// The smallest output room an inflate call is given: enough for a typical small message in one
// call.
constexpr std::size_t inflate_min_room = 16 * 1024;

// zlib allocates through these, so that what a stream holds can be reported. Each block
// starts with its size (one max_align_t, which keeps the block aligned for zlib).
struct Counter {
    std::size_t held = 0;
};

voidpf counted_alloc(voidpf opaque, uInt items, uInt size) {
    const std::size_t n = static_cast<std::size_t>(items) * size;
    auto* block = static_cast<unsigned char*>(std::malloc(n + sizeof(std::max_align_t)));
    if (block == nullptr) return Z_NULL;
    std::memcpy(block, &n, sizeof n);
    static_cast<Counter*>(opaque)->held += n;
    return block + sizeof(std::max_align_t);
}

void counted_free(voidpf opaque, voidpf address) {
    auto* block = static_cast<unsigned char*>(address) - sizeof(std::max_align_t);
    std::size_t n = 0;
    std::memcpy(&n, block, sizeof n);
    static_cast<Counter*>(opaque)->held -= n;
    std::free(block);
}

void use_counter(z_stream& z, Counter& c) {
    z.zalloc = counted_alloc;
    z.zfree = counted_free;
    z.opaque = &c;
}

}  // namespace

struct Deflater::State {
    z_stream z{};
    Counter counter;
    bool ready = false;
};

Deflater::Deflater(int window_bits, bool no_context_takeover)
    : s_(std::make_unique<State>()), window_bits_(window_bits), no_context_takeover_(no_context_takeover) {}

Deflater::~Deflater() {
    if (s_->ready) deflateEnd(&s_->z);
}

std::size_t Deflater::state_bytes() const noexcept { return s_->counter.held; }

void Deflater::compress(ByteView data, bool last, Bytes& out) {
    z_stream& z = s_->z;
    if (!s_->ready) {
        z = z_stream{};
        use_counter(z, s_->counter);
        // Negative window bits: raw DEFLATE, no zlib header or checksum (§7.2.1). zlib refuses a
        // raw stream with an 8-bit window (RFC 7692 §7.1.2.2 allows asking for one): for 8 we
        // code literals only (Z_HUFFMAN_ONLY), which refer to no window at all, so any decoder
        // window decodes them.
        const bool no_window = window_bits_ <= 8;
        deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, no_window ? -9 : -window_bits_, 8,
                     no_window ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY);
        s_->ready = true;
    }
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    const std::size_t start = out.size();
    do {
        const std::size_t room = std::min<std::size_t>(deflateBound(&z, z.avail_in) + 16, deflate_step);
        const std::size_t at = out.size();
        out.resize(at + room);
        z.next_out = out.data() + at;
        z.avail_out = static_cast<uInt>(room);
        deflate(&z, Z_SYNC_FLUSH);
        out.resize(out.size() - z.avail_out);
    } while (z.avail_in > 0 || z.avail_out == 0);
    if (last) {
        // §7.2.1: remove the 00 00 FF FF the sync flush ended with.
        if (out.size() - start >= 4 && std::memcmp(out.data() + out.size() - 4, tail.data(), 4) == 0)
            out.resize(out.size() - 4);
        // §7.2.1: an empty compressed message is a single 00 byte.
        if (out.size() == start) out.push_back(0x00);
        // §7.1.1.1: no context takeover: the next message starts from an empty window, so
        // nothing of this one needs to be kept.
        if (no_context_takeover_) {
            deflateEnd(&z);
            s_->ready = false;
        }
    }
}

struct Inflater::State {
    z_stream z{};
    Counter counter;
    bool ready = false;
};

Inflater::Inflater(bool no_context_takeover)
    : s_(std::make_unique<State>()), no_context_takeover_(no_context_takeover) {}

Inflater::~Inflater() {
    if (s_->ready) inflateEnd(&s_->z);
}

std::size_t Inflater::state_bytes() const noexcept { return s_->counter.held; }

void Inflater::feed(ByteView data, bool last) {
    z_stream& z = s_->z;
    if (!s_->ready) {
        z = z_stream{};
        use_counter(z, s_->counter);
        // 15 bits: enough for any window the peer may use.
        inflateInit2(&z, -15);
        s_->ready = true;
    }
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    last_ = last;
    tail_due_ = last;
    more_out_ = false;
}

Result<bool> Inflater::inflate_some(std::size_t max_piece, std::uint64_t max_output, Bytes& out) {
    z_stream& z = s_->z;
    const std::size_t room = std::min(max_piece, std::max<std::size_t>(inflate_min_room, std::size_t{z.avail_in} * 4));
    out.resize(room);
    std::size_t produced = 0;
    while (produced < room) {
        if (z.avail_in == 0 && !more_out_) {
            if (!tail_due_) break;
            // §7.2.2: append 00 00 FF FF before inflating the end of the message.
            z.next_in = const_cast<Bytef*>(tail.data());
            z.avail_in = static_cast<uInt>(tail.size());
            tail_due_ = false;
        }
        z.next_out = out.data() + produced;
        z.avail_out = static_cast<uInt>(room - produced);
        const int rc = ::inflate(&z, Z_SYNC_FLUSH);
        const std::size_t got = room - produced - z.avail_out;
        produced += got;
        message_out_ += got;
        // §7.2.2 leaves the size to us: refuse to inflate past the message limit (a
        // compression bomb is refused while it is still small).
        if (max_output != 0 && message_out_ > max_output) {
            out.clear();
            return Error{Errc::message_too_big,
                         "message inflates to more than " + std::to_string(max_output) + " bytes"};
        }
        if (rc == Z_STREAM_END) {
            // §7.2.3.3: a block with BFINAL set ends one DEFLATE stream; what follows (the
            // rest of the message, the next fragment) starts a new one.
            inflateReset(&z);
            more_out_ = false;
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.clear();
            return Error{Errc::bad_compressed_data, "compressed data is corrupt"};
        }
        if (rc == Z_BUF_ERROR && got == 0 && z.avail_in > 0) {
            out.clear();
            return Error{Errc::bad_compressed_data, "compressed data is corrupt"};
        }
        // A full output may have left more inside zlib; anything short of full means it is
        // drained and what decides is the input left.
        more_out_ = z.avail_out == 0;
    }
    out.resize(produced);
    const bool more = z.avail_in > 0 || more_out_ || tail_due_;
    if (!more && last_) {
        message_out_ = 0;
        last_ = false;
        // §7.1.1.1: with no context takeover the next message starts from an empty window.
        if (no_context_takeover_) {
            inflateEnd(&z);
            s_->ready = false;
        }
    }
    return more;
}

}  // namespace wscope::proto
