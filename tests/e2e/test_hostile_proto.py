#!/usr/bin/python3
"""Hostile peers against `wscope listen --echo --deflate`, with raw sockets (standard library
only): memory kept after a deflate bomb, and a message made of endless empty frames.

- Twenty clients each send one compressed message that inflates to 60 MiB, read the whole echo
  and stay connected. The server's resident memory (VmRSS in /proc/PID/status) while they sit
  idle must stay within 100 MiB of what it was before they came: what a message needed must
  not outlive it.
- Three hundred clients each send two small compressed messages and stay connected: the server
  answers server_no_context_takeover, its echoes refer to no earlier message, and an idle
  connection keeps no compressor (at most 100 KiB each, where a kept one costs 256 KiB more).
- A client that opens a message and then sends nothing but empty continuation frames gets a
  Close with 1008 (policy violation) at once, instead of a server that spins on it forever.
- Honest fragmentation still passes: a message in 1-byte frames, and one in 4 KiB frames.
"""
import os
import socket
import threading
import time
import unittest
import zlib

from e2e_support import Listener, memory_measured_env, raise_fd_limit, vm_kib
import wsframe

MiB = 1 << 20
KEY = b"\x11\x22\x33\x44"


def frame(b0, payload=b""):
    """A client frame masked with KEY: first byte b0 (FIN, RSV, opcode), minimal length."""
    return wsframe.encode_frame(b0 & 0x0F, payload, fin=bool(b0 & 0x80), rsv=(b0 >> 4) & 7,
                                mask=KEY)


def upgrade(port, deflate):
    """A wsframe.Conn past the opening handshake, and the response's extensions; with deflate,
    permessage-deflate must be agreed."""
    extra = ["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"] if deflate else []
    conn, _, headers = wsframe.client_handshake(port, extra=extra)
    extensions = wsframe.header(headers, "Sec-WebSocket-Extensions") or ""
    if deflate:
        assert "permessage-deflate" in extensions.lower(), headers
    return conn, extensions


def close_code(conn):
    """Skips data frames up to the server's Close; returns its code."""
    while True:
        f = conn.read_frame()
        if f.op == wsframe.OP_CLOSE:
            return wsframe.parse_close(f.payload)[0]


def bomb(size):
    """A permessage-deflate message body (RFC 7692 §7.2.1: tail removed) of size zero bytes."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    chunk = bytes(MiB)
    out = [c.compress(chunk) for _ in range(size // MiB)]
    out.append(c.flush(zlib.Z_SYNC_FLUSH))
    body = b"".join(out)
    assert body.endswith(b"\x00\x00\xff\xff")
    return body[:-4]


def echoed_size(conn):
    """Reads one compressed echoed message; returns its inflated size."""
    d = zlib.decompressobj(-15)
    total, first = 0, True
    while True:
        f = conn.read_frame()
        fin, rsv1, op, payload = f.fin, f.rsv == 4, f.op, f.payload
        if op >= 0x8:
            raise AssertionError(f"control frame 0x{op:x} instead of the echo")
        assert op == (0x2 if first else 0x0), op
        assert rsv1 == first, "RSV1 on the first frame of the echo only"
        first = False
        total += len(d.decompress(payload + (b"\x00\x00\xff\xff" if fin else b"")))
        if fin:
            return total


class DeflateMemory(unittest.TestCase):
    CLIENTS = 20
    SIZE = 60 * MiB
    LIMIT_MIB = 100  # the bound issue 13 sets for 20 idle connections

    def test_idle_connections_after_a_large_compressed_message_each(self):
        body = bomb(self.SIZE)
        self.assertLess(len(body), 128 * 1024)
        server = Listener("--echo", "--deflate", env=memory_measured_env())
        socks = []
        try:
            time.sleep(0.2)
            before = vm_kib(server.proc.pid, "VmRSS")
            start = time.monotonic()
            for i in range(self.CLIENTS):
                conn, _ = upgrade(server.port, deflate=True)
                socks.append(conn.sock)
                conn.send(frame(0xC2, body))  # FIN, RSV1, binary
                self.assertEqual(echoed_size(conn), self.SIZE, f"client {i}")
            elapsed = time.monotonic() - start
            time.sleep(0.3)
            idle = vm_kib(server.proc.pid, "VmRSS")
            peak = vm_kib(server.proc.pid, "VmHWM")
            grown = (idle - before) / 1024
            print(f"\n{self.CLIENTS} idle --deflate connections after one {self.SIZE // MiB} MiB "
                  f"message each: VmRSS {before // 1024} → {idle // 1024} MiB "
                  f"(+{grown:.1f} MiB), VmHWM {peak // 1024} MiB, {elapsed:.1f}s")
            self.assertTrue(server.alive(), server.describe())
            self.assertLessEqual(grown, self.LIMIT_MIB,
                                 f"the server keeps {grown:.0f} MiB for {self.CLIENTS} idle "
                                 f"connections")
        finally:
            for s in socks:
                s.close()
            server.stop()


class DeflateIdleConnections(unittest.TestCase):
    """Many idle --deflate connections after a small message each: the server answers
    server_no_context_takeover (RFC 7692 §7.1.1.1), so none keeps a compressor (about 256 KiB of
    zlib state) while it sits idle; only the decompressor's window stays, as the client's
    context takeover needs it."""
    CLIENTS = 300
    LIMIT_KIB_EACH = 100  # a compressor kept per connection would cost 256 KiB more

    def test_idle_deflate_connections_keep_no_compressor(self):
        if raise_fd_limit(self.CLIENTS + 100) < self.CLIENTS + 50:
            self.skipTest("the descriptor limit is too low")
        text = b" ".join(b"event %d: status ok" % i for i in range(300))
        server = Listener("--echo", "--deflate", "-q", env=memory_measured_env())
        socks = []
        try:
            time.sleep(0.2)
            before = vm_kib(server.proc.pid, "VmRSS")
            for i in range(self.CLIENTS):
                conn, extensions = upgrade(server.port, deflate=True)
                if i == 0:
                    self.assertIn("server_no_context_takeover", extensions.lower(), extensions)
                c = zlib.compressobj(6, zlib.DEFLATED, -15)  # the client keeps its context
                for n in range(2):
                    body = c.compress(text) + c.flush(zlib.Z_SYNC_FLUSH)
                    conn.send(frame(0xC1, body[:-4]))  # FIN, RSV1, text
                    f = conn.read_frame()
                    payload = f.payload
                    self.assertTrue(f.fin and f.rsv == 4 and f.op == 0x1, f)
                    # A fresh decompressor for each echo: the server's messages refer to no
                    # earlier one, as it said.
                    d = zlib.decompressobj(-15)
                    self.assertEqual(d.decompress(payload + b"\x00\x00\xff\xff"), text,
                                     f"client {i}, message {n}")
                socks.append(conn.sock)
            time.sleep(0.3)
            idle = vm_kib(server.proc.pid, "VmRSS")
            each = (idle - before) / self.CLIENTS
            print(f"\n{self.CLIENTS} idle --deflate connections: VmRSS {before // 1024} → "
                  f"{idle // 1024} MiB ({each:.1f} KiB each)")
            self.assertTrue(server.alive(), server.describe())
            self.assertLessEqual(each, self.LIMIT_KIB_EACH)
        finally:
            for s in socks:
                s.close()
            server.stop()


class EmptyContinuationFlood(unittest.TestCase):
    FRAMES = 1_000_000  # far beyond any bound, 6 MB on the wire

    def test_refused_with_1008_in_bounded_time(self):
        server = Listener("--echo", "--deflate")
        s = None
        try:
            conn, _ = upgrade(server.port, deflate=False)
            s = conn.sock
            empty = frame(0x00)
            flood = frame(0x01, b"a") + empty * self.FRAMES
            errors = []

            def send():
                try:
                    s.sendall(flood)
                except OSError as e:  # the server failed the connection and closed it
                    errors.append(e)

            start = time.monotonic()
            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            s.settimeout(10)
            try:
                code = close_code(conn)
            except socket.timeout:
                self.fail(f"no Close within 10 s of flooding {self.FRAMES} empty continuations")
            elapsed = time.monotonic() - start
            print(f"\nempty-continuation flood: Close {code} after {elapsed:.2f}s")
            self.assertEqual(code, 1008)
            self.assertLess(elapsed, 5)
            s.close()
            sender.join(10)
            self.assertTrue(server.alive(), server.describe())
        finally:
            if s is not None:
                s.close()
            server.stop()

    def test_honest_fragmentation_is_echoed(self):
        server = Listener("--echo", "--deflate")
        try:
            for size, frames in ((1, 1000), (4096, 4096)):
                with self.subTest(frame_size=size):
                    conn, _ = upgrade(server.port, deflate=False)
                    s = conn.sock
                    data = os.urandom(size * frames)
                    wire = [frame(0x02 if i == 0 else 0x00, data[i * size:(i + 1) * size])
                            for i in range(frames - 1)]
                    wire.append(frame(0x80, data[(frames - 1) * size:]))
                    sender = threading.Thread(target=s.sendall, args=(b"".join(wire),),
                                              daemon=True)
                    sender.start()
                    got = bytearray()
                    while True:
                        f = conn.read_frame()
                        self.assertIn(f.op, (0x0, 0x2), "a data frame, not a Close")
                        got += f.payload
                        if f.fin:
                            break
                    self.assertEqual(bytes(got), data)
                    sender.join(10)
                    s.close()
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
