#!/usr/bin/python3
"""Raw-socket WebSocket test server: exact bytes on the wire, for what no library will send.

Python stdlib only. Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line,
serves ONE connection with the chosen --mode, reports what the client did on stdout, and exits
(or exits after --lifetime seconds, whatever happens).

Report lines (stdout), in order:
  REQUEST <request line>               the client's handshake request line
  HEADER <name>: <value>               each request header, as sent
  FRAME fin=<0|1> rsv=<bits> op=<n> masked=<0|1> key=<hex> len=<n> data=<hex>
                                       each frame the client sent (data unmasked, first 64 bytes)
  CLIENT_CLOSE <code> <reason>         the client's Close frame (`none` when it had no payload)
  CLIENT_CLOSE eof                     the client dropped TCP without sending a Close
  CLIENT_CLOSE timeout                 no Close from the client within --read-timeout seconds
  DONE                                 last line

Modes (see MODES below): record, fragmented, burst, violation-*, handshake-*.
"""
import argparse
import os
import signal
import socket
import sys

from wsframe import (OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT, Conn,
                     accept_value, close_payload, header, parse_close, response_101)
from wsframe import encode_frame as frame


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------- wire helpers

def handshake(conn, **kw):
    """Reads the request, reports it, answers 101 (or whatever kw asks for)."""
    request_line, headers = conn.read_head()
    report(f"REQUEST {request_line}")
    for k, v in headers:
        report(f"HEADER {k}: {v}")
    key = header(headers, "Sec-WebSocket-Key") or ""
    conn.send(response_101(kw.pop("accept", None) or accept_value(key), **kw))
    return headers


def record_until_close(conn, reply=True):
    """Reports every client frame until its Close; answers that Close (echoing its code)."""
    try:
        while True:
            f = conn.read_frame()
            p = f.payload
            report(f"FRAME fin={f.fin} rsv={f.rsv:03b} op={f.op} masked={f.masked} "
                   f"key={f.key.hex() if f.key else '-'} len={len(p)} data={p[:64].hex()}")
            if f.op == OP_CLOSE:
                code, reason = parse_close(p)
                report(f"CLIENT_CLOSE {'none' if code is None else code} {reason}")
                if reply:
                    try:
                        conn.send(frame(OP_CLOSE, p[:2]))
                    except OSError:
                        pass
                return
    except EOFError:
        report("CLIENT_CLOSE eof")
    except socket.timeout:
        report("CLIENT_CLOSE timeout")
    except OSError as e:
        report(f"CLIENT_CLOSE error {e.__class__.__name__}")


def finish(conn):
    """Half-closes, then drains until the client closes, so nothing sent is lost to an RST."""
    try:
        conn.sock.shutdown(socket.SHUT_WR)
        while conn.sock.recv(65536):
            pass
    except OSError:
        pass


# ---------------------------------------------------------------------------- modes

def mode_record(conn, args):
    """Plain server: reports the client's frames, echoes its Close code back."""
    handshake(conn)
    record_until_close(conn)


def mode_fragmented(conn, args):
    """A fragmented text message with pings between the fragments and a code point split
    across two fragments, then a fragmented binary message, then Close 1000."""
    handshake(conn)
    euro = "€".encode()  # 3 bytes, split 1 + 2 across fragments
    out = b"".join([
        frame(OP_TEXT, b"Hello, ", fin=False),
        frame(OP_PING, b"p1"),
        frame(OP_CONT, b"wor", fin=False),
        frame(OP_PING, b"p2"),
        frame(OP_CONT, b"ld! " + euro[:1], fin=False),
        frame(OP_CONT, euro[1:], fin=True),
        frame(OP_BINARY, bytes(range(0, 100)), fin=False),
        frame(OP_CONT, b"", fin=False),
        frame(OP_CONT, bytes(range(100, 256)), fin=True),
        frame(OP_CLOSE, close_payload(1000)),
    ])
    for i in range(0, len(out), 7):  # trickle: split frames across TCP segments
        conn.send(out[i:i + 7])
    record_until_close(conn, reply=False)
    finish(conn)


def mode_burst(conn, args):
    """--count messages and Close 1000 in a single write, then an immediate half-close."""
    handshake(conn)
    out = b"".join(frame(OP_TEXT, f"message {i:05d}".encode()) for i in range(args.count))
    conn.send(out + frame(OP_CLOSE, close_payload(1000, b"done")))
    conn.sock.shutdown(socket.SHUT_WR)
    record_until_close(conn, reply=False)
    finish(conn)


def mode_ping(conn, args):
    """Sends a ping and one text message; reports the client's frames (its pong)."""
    handshake(conn)
    conn.send(frame(OP_PING, b"are you there") + frame(OP_TEXT, b"after ping"))
    record_until_close(conn)


def mode_big(conn, args):
    """One text message of --count bytes (for --max-message-size)."""
    handshake(conn)
    conn.send(frame(OP_TEXT, b"x" * args.count))
    record_until_close(conn)
    finish(conn)


def mode_drop(conn, args):
    """One text message, then TCP is closed without a Close frame."""
    handshake(conn)
    conn.send(frame(OP_TEXT, b"last words"))
    finish(conn)


def mode_silent(conn, args):
    """Reports the client's frames up to its Close, never answers it, and keeps TCP open
    until the client gives up (or --read-timeout passes)."""
    handshake(conn)
    conn.send(frame(OP_TEXT, b"hello"))
    record_until_close(conn, reply=False)
    try:
        while conn.sock.recv(65536):
            pass
        report("CLIENT_EOF")
    except OSError:
        report("CLIENT_EOF timeout")


# Each violation: (frames the server sends after a good message, code the client must send).
VIOLATIONS = {
    "masked":           frame(OP_TEXT, b"masked!", mask=b"\x01\x02\x03\x04"),
    "bad-utf8":         frame(OP_TEXT, b"abc\xff\xfedef"),
    "bad-utf8-split":   frame(OP_TEXT, b"ok \xe2\x82", fin=False) + frame(OP_CONT, b"(", fin=True),
    "bad-utf8-surrogate": frame(OP_TEXT, b"\xed\xa0\x80"),
    "close-999":        frame(OP_CLOSE, close_payload(999)),
    "close-1005":       frame(OP_CLOSE, close_payload(1005)),
    "close-1006":       frame(OP_CLOSE, close_payload(1006)),
    "close-2000":       frame(OP_CLOSE, close_payload(2000)),
    "close-1byte":      frame(OP_CLOSE, b"\x03"),
    "close-bad-utf8":   frame(OP_CLOSE, close_payload(1000, b"\xff")),
    "ping-126":         frame(OP_PING, b"p" * 126),
    "ping-fragmented":  frame(OP_PING, b"p", fin=False),
    "opcode-3":         frame(0x3, b"x"),
    "opcode-11":        frame(0xB, b""),
    "rsv1":             frame(OP_TEXT, b"x", rsv=4),
    "rsv3":             frame(OP_TEXT, b"x", rsv=1),
    "cont-no-start":    frame(OP_CONT, b"x", fin=True),
    "text-in-fragment": frame(OP_TEXT, b"a", fin=False) + frame(OP_TEXT, b"b", fin=True),
    "non-minimal-len":  frame(OP_TEXT, b"short", length_form=16),
}


def make_violation_mode(name):
    def mode(conn, args):
        handshake(conn)
        conn.send(frame(OP_TEXT, b"before") + VIOLATIONS[name])
        # A bad Close frame is still our Close: do not send a second one.
        record_until_close(conn, reply=not name.startswith("close-"))
        finish(conn)
    mode.__doc__ = f"a good text message 'before', then: {name}"
    return mode


def make_handshake_mode(build):
    def mode(conn, args):
        request_line, headers = conn.read_head()
        report(f"REQUEST {request_line}")
        for k, v in headers:
            report(f"HEADER {k}: {v}")
        key = header(headers, "Sec-WebSocket-Key") or ""
        conn.send(build(key))
        # If the client wrongly accepted the handshake it may send frames: report them.
        try:
            conn.sock.settimeout(2)
            data = conn.sock.recv(65536)
            report(f"AFTER {len(data)}")
        except OSError:
            report("AFTER error")
        finish(conn)
    return mode


HANDSHAKES = {
    "404": lambda key: b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                       b"Content-Length: 10\r\n\r\nnot found\n",
    "200": lambda key: b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhi\n",
    "bad-accept": lambda key: response_101(accept_value(key + "x")),
    "no-upgrade": lambda key: response_101(accept_value(key), upgrade=False),
    "no-connection": lambda key: response_101(accept_value(key), connection=False),
    "upgrade-h2c": lambda key: response_101(accept_value(key), upgrade=False,
                                            extra=["Upgrade: h2c"]),
    "subprotocol": lambda key: response_101(accept_value(key),
                                            extra=["Sec-WebSocket-Protocol: chat"]),
    "extension": lambda key: response_101(accept_value(key),
                                          extra=["Sec-WebSocket-Extensions: permessage-deflate"]),
    "garbage": lambda key: b"this is not HTTP\r\n\r\n",
}

MODES = {
    "record": mode_record,
    "fragmented": mode_fragmented,
    "burst": mode_burst,
    "ping": mode_ping,
    "big": mode_big,
    "drop": mode_drop,
    "silent": mode_silent,
}
MODES.update({f"violation-{k}": make_violation_mode(k) for k in VIOLATIONS})
MODES.update({f"handshake-{k}": make_handshake_mode(v) for k, v in HANDSHAKES.items()})


def main(modes=MODES, description=__doc__):
    """Serves one connection with one of modes; other peer scripts reuse it with their own."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(modes), required=True)
    parser.add_argument("--count", type=int, default=1000, help="burst: messages; big: bytes")
    parser.add_argument("--lifetime", type=int, default=60, help="seconds before giving up")
    parser.add_argument("--read-timeout", type=float, default=10,
                        help="seconds to wait for the client's next bytes")
    args = parser.parse_args()

    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(args.lifetime)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    report(f"PORT {listener.getsockname()[1]}")
    sock, _ = listener.accept()
    listener.close()
    conn = Conn(sock, timeout=args.read_timeout)
    try:
        modes[args.mode](conn, args)
    except (EOFError, ConnectionError) as e:
        report(f"ERROR {e.__class__.__name__}")
    finally:
        sock.close()
    report("DONE")


if __name__ == "__main__":
    main()
