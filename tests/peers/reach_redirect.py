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
import signal
import socket
import sys
import time

from wsframe import (OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, Conn,
                     accept_value, encode_frame, parse_close, response_101)


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def redirect(status, location):
    reason = {301: "Moved Permanently", 302: "Found"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nLocation: {location}\r\nContent-Length: 0\r\n"
            f"Connection: close\r\n\r\n").encode()


def upgrade_and_echo(n, conn, headers):
    conn.send(response_101(accept_value(headers.get("sec-websocket-key", ""))))
    report(f"ANSWER {n} 101")
    try:
        while True:
            f = conn.read_frame()
            if f.op == OP_CLOSE:
                code, _ = parse_close(f.payload)
                report(f"CLIENT_CLOSE {n} {'none' if code is None else code}")
                conn.send(encode_frame(OP_CLOSE, f.payload[:2]))
                return
            if f.op == OP_PING:
                conn.send(encode_frame(OP_PONG, f.payload))
            elif f.op in (OP_CONT, OP_TEXT, OP_BINARY):
                conn.send(encode_frame(f.op, f.payload, fin=f.fin))
    except (EOFError, OSError, ValueError):
        report(f"CLIENT_CLOSE {n} eof")


def serve_one(n, sock, args, own_port):
    conn = Conn(sock, timeout=10)
    try:
        request_line, header_list = conn.read_head()
    except (EOFError, OSError, ValueError):
        report(f"REQUEST {n} <none>")
        return
    report(f"REQUEST {n} {request_line}")
    headers = {}
    for name, value in header_list:
        report(f"HEADER {n} {name}: {value}")
        headers[name.lower()] = value
    parts = request_line.split(" ")
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
