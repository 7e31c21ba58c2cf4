#!/usr/bin/python3
"""Raw-socket redirecting WebSocket server (Python stdlib only) for the client's -L tests.

Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, then serves
connections one after the other until SIGTERM or --lifetime seconds. Each connection carries
one handshake request; the server reports it as

  REQUEST <n> <request line>        n counts connections from 1
  HEADER <n> <name>: <value>        each request header
  ANSWER <n> <status>               what it answered (101, 301, 302)
  CLIENT_CLOSE <n> <code>           the client's Close on an upgraded connection (or eof)

Modes:
  absolute  302 Found, Location: --target (an absolute ws:// URL elsewhere)
  relative  302 Found, Location: /final; a request for /final is upgraded and echoed
  http      301 Moved Permanently, Location: http://127.0.0.1:<own port>/final, upgraded likewise
  loop      302 Found, Location: /loop, for every request (a redirect loop)

An upgrade is the real RFC 6455 handshake (Sec-WebSocket-Accept from the key); after it every
text/binary frame is sent back unmasked, pings are answered, and a Close is answered in kind.
"""
import argparse
import base64
import hashlib
import signal
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode("latin-1").split("\r\n")

    def read_frame(self):
        b0, b1 = self.read_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.read_exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.read_exact(8))[0]
        key = self.read_exact(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytes(c ^ key[i % 4] for i, c in enumerate(self.read_exact(n)))
        return b0, data


def frame(b0, payload):
    n = len(payload)
    if n < 126:
        head = bytes([b0, n])
    elif n < 65536:
        head = bytes([b0, 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, 127]) + struct.pack("!Q", n)
    return head + payload


def redirect(status, location):
    reason = {301: "Moved Permanently", 302: "Found"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nLocation: {location}\r\nContent-Length: 0\r\n"
            f"Connection: close\r\n\r\n").encode()


def upgrade_and_echo(n, conn, headers):
    key = headers.get("sec-websocket-key", "")
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    conn.sock.sendall((f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
    report(f"ANSWER {n} 101")
    try:
        while True:
            b0, data = conn.read_frame()
            op = b0 & 0x0F
            if op == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else "none"
                report(f"CLIENT_CLOSE {n} {code}")
                conn.sock.sendall(frame(0x88, data[:2]))
                return
            if op == 0x9:
                conn.sock.sendall(frame(0x8A, data))
            elif op in (0x0, 0x1, 0x2):
                conn.sock.sendall(frame(b0 & 0x8F, data))
    except (EOFError, OSError, ValueError):
        report(f"CLIENT_CLOSE {n} eof")


def serve_one(n, sock, args, own_port):
    conn = Conn(sock)
    sock.settimeout(10)
    try:
        lines = conn.read_head()
    except (EOFError, OSError):
        report(f"REQUEST {n} <none>")
        return
    report(f"REQUEST {n} {lines[0]}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        report(f"HEADER {n} {name}: {value.strip()}")
        headers[name.strip().lower()] = value.strip()
    parts = lines[0].split(" ")
    target = parts[1] if len(parts) > 1 else ""
    if args.mode in ("relative", "http") and target == "/final":
        upgrade_and_echo(n, conn, headers)
        return
    if args.mode == "absolute":
        status, location = 302, args.target
    elif args.mode == "relative":
        status, location = 302, "/final"
    elif args.mode == "http":
        status, location = 301, f"http://127.0.0.1:{own_port}/final"
    else:
        status, location = 302, "/loop"
    sock.sendall(redirect(status, location))
    report(f"ANSWER {n} {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["absolute", "relative", "http", "loop"],
                        required=True)
    parser.add_argument("--target", help="absolute mode: the Location URL")
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()

    deadline = time.monotonic() + args.lifetime
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    own_port = listener.getsockname()[1]
    report(f"PORT {own_port}")
    n = 0
    while True:
        listener.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            sock, _ = listener.accept()
        except socket.timeout:
            return
        n += 1
        try:
            serve_one(n, sock, args, own_port)
        finally:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


if __name__ == "__main__":
    main()
