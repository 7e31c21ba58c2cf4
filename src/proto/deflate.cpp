// permessage-deflate over zlib's raw DEFLATE streams.
#include "proto/deflate.hpp"

#include <zlib.h>

#include <array>
#include <charconv>
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
                // zlib cannot compress with an 8-bit window (it silently uses 9): we cannot honour it.
                if (idx == 3 && *bits == 8) return bad("client_max_window_bits=8 is not supported");
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
                // An 8-bit window cannot be honoured with zlib: decline this offer.
                if (!bits || *bits == 8) {
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
        a.response = std::move(response);
        return a;
    }
    return std::nullopt;
}

struct Deflater::State {
    z_stream z{};
};

Deflater::Deflater(int window_bits, bool no_context_takeover)
    : s_(std::make_unique<State>()), no_context_takeover_(no_context_takeover) {
    // Negative window bits: raw DEFLATE, no zlib header or checksum (§7.2.1).
    deflateInit2(&s_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY);
}

Deflater::~Deflater() { deflateEnd(&s_->z); }

void Deflater::compress(ByteView data, bool last, Bytes& out) {
    z_stream& z = s_->z;
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    const std::size_t start = out.size();
    do {
        const std::size_t room = deflateBound(&z, z.avail_in) + 16;
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
        if (no_context_takeover_) deflateReset(&z);
    }
}

struct Inflater::State {
    z_stream z{};
};

Inflater::Inflater(bool no_context_takeover)
    : s_(std::make_unique<State>()), no_context_takeover_(no_context_takeover) {
    // 15 bits: enough for any window the peer may use.
    inflateInit2(&s_->z, -15);
}

Inflater::~Inflater() { inflateEnd(&s_->z); }

Result<void> Inflater::inflate(ByteView data, bool last, std::uint64_t max_output, Bytes& out) {
    z_stream& z = s_->z;
    auto run = [&](ByteView in) -> Result<void> {
        z.next_in = const_cast<Bytef*>(in.data());
        z.avail_in = static_cast<uInt>(in.size());
        bool more = true;
        while (more) {
            const std::size_t at = out.size();
            const std::size_t room = std::max<std::size_t>(in.size() * 4, 16 * 1024);
            out.resize(at + room);
            z.next_out = out.data() + at;
            z.avail_out = static_cast<uInt>(room);
            const int rc = ::inflate(&z, Z_SYNC_FLUSH);
            const std::size_t produced = room - z.avail_out;
            out.resize(at + produced);
            message_out_ += produced;
            // §7.2.2 leaves the size to us: refuse to inflate past the message limit (a
            // compression bomb is refused while it is still small).
            if (max_output != 0 && message_out_ > max_output)
                return Error{Errc::message_too_big, "message inflates to more than " +
                                                        std::to_string(max_output) + " bytes"};
            if (rc == Z_STREAM_END) {
                // §7.2.3.3: a block with BFINAL set ends one DEFLATE stream; what follows (the
                // rest of the message, the next fragment) starts a new one.
                inflateReset(&z);
                more = z.avail_in > 0;
                continue;
            }
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                return Error{Errc::bad_compressed_data, "compressed data is corrupt"};
            more = z.avail_in > 0 || z.avail_out == 0;
            if (rc == Z_BUF_ERROR && produced == 0) {
                if (z.avail_in > 0) return Error{Errc::bad_compressed_data, "compressed data is corrupt"};
                break;
            }
        }
        return {};
    };
    if (auto r = run(data); !r) return r;
    if (last) {
        // §7.2.2: append 00 00 FF FF before inflating the end of the message.
        if (auto r = run(tail); !r) return r;
        message_out_ = 0;
        if (no_context_takeover_) inflateReset(&z);
    }
    return {};
}

}  // namespace wscope::proto
