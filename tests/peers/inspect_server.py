#!/usr/bin/python3
"""Raw-socket peers for tests/e2e/test_inspect.py (frame lines, hex dumps, --jsonl).

Python stdlib only; frames from wsframe.py, the main loop of rawserver.py (same protocol: binds
127.0.0.1 on a free port, prints `PORT <n>` first, serves ONE connection, reports the client's
frames as `FRAME …` / `CLIENT_CLOSE …` lines, then `DONE`).

Modes:
  sequence   text "Hello" (7-bit length), a 126-byte binary (16-bit length), a 65536-byte
             binary (64-bit length), a text message in 3 fragments with a PING "mid" between
             the first two, then Close 1000 "bye"; records the client's frames (its pong and
             its Close reply).
  hello      the frame 81 05 "Hello", then records the client's frames until its Close, which
             it answers.
  split      a 300-byte binary frame (bytes 0..255, 0..43) written in two parts 0.1 s apart
             (header + 103 payload bytes, then the rest), so that the client reads it in two
             pieces; then Close 1000.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawserver  # noqa: E402
from rawserver import handshake, record_until_close  # noqa: E402
from wsframe import OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT, close_payload  # noqa: E402
from wsframe import encode_frame as frame  # noqa: E402

SEQUENCE = [
    frame(OP_TEXT, b"Hello"),
    frame(OP_BINARY, bytes(i % 256 for i in range(126))),
    frame(OP_BINARY, bytes((i * 7) % 256 for i in range(65536))),
    frame(OP_TEXT, b"frag-one ", fin=False),
    frame(OP_PING, b"mid"),
    frame(OP_CONT, b"frag-two ", fin=False),
    frame(OP_CONT, b"frag-three", fin=True),
    frame(OP_CLOSE, close_payload(1000, b"bye")),
]


def mode_sequence(conn, args):
    handshake(conn)
    conn.send(b"".join(SEQUENCE))
    record_until_close(conn, reply=False)
    rawserver.finish(conn)


def mode_hello(conn, args):
    handshake(conn)
    conn.send(frame(OP_TEXT, b"Hello"))
    record_until_close(conn, reply=True)
    rawserver.finish(conn)


SPLIT_PAYLOAD = bytes(range(256)) + bytes(range(44))
SPLIT_AT = 4 + 103


def mode_split(conn, args):
    handshake(conn)
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = frame(OP_BINARY, SPLIT_PAYLOAD)
    conn.send(data[:SPLIT_AT])
    time.sleep(0.1)
    conn.send(data[SPLIT_AT:] + frame(OP_CLOSE, close_payload(1000)))
    record_until_close(conn, reply=False)
    rawserver.finish(conn)


MODES = {"sequence": mode_sequence, "hello": mode_hello, "split": mode_split}


if __name__ == "__main__":
    rawserver.main(MODES, __doc__)
