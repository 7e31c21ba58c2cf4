// listen --fault SPEC (SPEC §2.6): a test server that breaks its clients on purpose. The SPEC
// grammar and the handshake rewrites are pure (parse_fault, apply_handshake_fault) and
// unit-tested; the FaultFeature (faults.cpp) applies the faults to each client through the
// listen feature seam (listen_feature.hpp) and marks every one it injects in -v, -F and
// --jsonl ("injected": NAME).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/listen_feature.hpp"
#include "proto/frame.hpp"

namespace wscope::app {

enum class FaultKind : std::uint8_t {
    // the opening handshake
    delay_handshake, reject, bad_accept, no_accept, no_upgrade, no_connection, extra_protocol,
    extra_extension, cut_handshake, header,
    // timing and transport
    delay, fragment, chop, slow_read, ping_every,
    // endings
    no_pong, no_close_reply, close, drop, reset,
    // one protocol violation
    violate,
};

enum class ViolationKind : std::uint8_t {
    masked, rsv1, opcode3, bad_utf8, long_ping, fragmented_ping, bad_close_code,
    non_minimal_length, continuation,
};

struct Fault {
    FaultKind kind = FaultKind::drop;
    std::uint64_t number = 0;  // MS, STATUS, N, BPS, S (in ms), or the close code
    std::string name;          // header / subprotocol / extension name, or the close reason
    std::string value;         // header=NAME:VALUE
    bool ping = false;         // fragment=N,ping
    ViolationKind violation = ViolationKind::masked;
    std::uint64_t at = 0;      // @N: after the N-th received message (0: at once)
    std::string spec;          // as written, for the "injected" marks
};

// The error names the SPEC and what is wrong with it.
using FaultParse = std::variant<Fault, std::string>;
[[nodiscard]] FaultParse parse_fault(std::string_view spec);

// True for the faults that change the answer to the upgrade.
[[nodiscard]] bool is_handshake_fault(FaultKind kind);

// Rewrites the server's answer to an upgrade (the whole head, ending in a blank line) as a
// handshake fault asks. accepted turns false when it is no longer a 101.
void apply_handshake_fault(const Fault& fault, HandshakeReply& reply);

// One violation as a server sends it: a crafted frame for Session::send_raw, or (wire not
// empty) bytes no frame header can say, for Session::send_wire.
struct CraftedFrame {
    proto::FrameHeader header;
    proto::Bytes payload;
    proto::Bytes wire;
};
[[nodiscard]] CraftedFrame violation_frame(ViolationKind kind);

// Everything --fault asks for. Also answers the listen console's /fault ID SPEC on one client.
[[nodiscard]] std::unique_ptr<ListenFeature> make_fault_feature(const ListenOptions& options, Console& console);

// One client's fault feature, also for faults applied later: a script's "fault SPEC" action,
// the console's /fault (command("fault", SPEC)).
class FaultInjector : public ClientFeature {
public:
    // Applies f now; its @N counts from the counted_from-th received message (nullopt: from
    // now). Returns what to tell the user.
    virtual std::string inject(Fault f, std::optional<std::uint64_t> counted_from) = 0;
    // Sends a message as the faults have it (delay=MS holds it); from on_open on.
    virtual void send(proto::MessageType type, proto::ByteView data) = 0;
};
// with_options: the --fault list and --header, --greeting, --ping-interval/--ping-timeout;
// otherwise none of them (faults applied later only).
[[nodiscard]] std::unique_ptr<FaultInjector> make_fault_client(const ListenOptions& options, Console& console,
                                                              unsigned id, bool with_options);

// How listen features mark what they did on purpose: a -F line or a -v line on stderr, and an
// "injected" event with --jsonl.
void mark_injected(Console& console, const ListenOptions& options, unsigned client, std::string_view what);

}  // namespace wscope::app
