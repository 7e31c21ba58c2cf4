#!/usr/bin/python3
"""A small RFC 6455 echo server on raw sockets (Python stdlib only), for `wscope check`.

Correct by default: it validates the opening handshake (405, 400, 426 with
Sec-WebSocket-Version: 13), checks every frame rule, validates UTF-8 incrementally, echoes each
message, answers pings, and fails the connection with the right close code. --break MODE makes
it wrong in exactly one way, so that the test can see `wscope check` fail on the right cases
and only those:

  utf8-echo       text messages are not checked for UTF-8: invalid text is echoed
  rsv             RSV bits are ignored instead of failing the connection
  masks           the server masks its own frames
  close-1000      an invalid close code is answered with Close 1000
  wrong-accept    the 101 carries a wrong Sec-WebSocket-Accept

Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, serves clients on
threads until SIGTERM or --lifetime seconds.
"""
import argparse
import base64
import codecs
import hashlib
import os
import signal
import socket
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
VALID_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


class Failed(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def xor(data, key):
    if not data:
        return b""
    n = len(data)
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


class Client:
    def __init__(self, sock, mode):
        self.sock = sock
        self.mode = mode
        self.reader = sock.makefile("rb")

    def read(self, n):
        data = self.reader.read(n)
        if data is None or len(data) < n:
            raise EOFError
        return data

    def send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        mask_bit = 0x80 if self.mode == "masks" else 0
        if n < 126:
            head += bytes([mask_bit | n])
        elif n < 65536:
            head += bytes([mask_bit | 126]) + struct.pack("!H", n)
        else:
            head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
        if mask_bit:
            key = os.urandom(4)
            head += key
            payload = xor(payload, key)
        self.sock.sendall(head + payload)

    # ---- handshake ----

    def respond(self, status, extra=""):
        self.sock.sendall(f"HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\n\r\n".encode())

    def handshake(self):
        head = b""
        while b"\r\n\r\n" not in head:
            line = self.reader.readline(16384)
            if not line:
                raise EOFError
            head += line
            if len(head) > 16384:
                raise EOFError
        lines = head.decode("latin-1").split("\r\n")
        method = lines[0].split(" ")[0]
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                fields[name] = (fields[name] + ", " if name in fields else "") + value.strip()

        def tokens(name):
            return [t.strip().lower() for t in fields.get(name, "").split(",")]

        if method != "GET":
            return self.respond("405 Method Not Allowed", "Allow: GET\r\n")
        if "websocket" not in tokens("upgrade") or "upgrade" not in tokens("connection"):
            return self.respond("400 Bad Request")
        version = fields.get("sec-websocket-version")
        if version is None:
            return self.respond("400 Bad Request")
        if version != "13":
            return self.respond("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")
        key = fields.get("sec-websocket-key", "")
        try:
            if len(base64.b64decode(key, validate=True)) != 16:
                raise ValueError
        except ValueError:
            return self.respond("400 Bad Request")
        digest = hashlib.sha1((key if self.mode != "wrong-accept" else "x").encode() + GUID).digest()
        accept = base64.b64encode(digest).decode()
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        return True

    # ---- frames ----

    def serve(self):
        if self.handshake() is not True:
            return
        try:
            self.frames()
        except Failed as f:
            self.send_frame(0x8, struct.pack("!H", f.code))
        self.linger()

    def frames(self):
        message, kind, decoder = None, None, None
        while True:
            b0, b1 = self.read(2)
            fin, rsv, op = b0 & 0x80, (b0 >> 4) & 7, b0 & 0x0F
            masked, n = b1 & 0x80, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.read(8))[0]
            if rsv and self.mode != "rsv":
                raise Failed(1002)  # §5.2: no extension was negotiated
            if op not in (0x0, 0x1, 0x2, 0x8, 0x9, 0xA):
                raise Failed(1002)  # §5.2: reserved opcode
            if not masked:
                raise Failed(1002)  # §5.1: client frames are masked
            if op >= 0x8 and (not fin or n > 125):
                raise Failed(1002)  # §5.5: control frames are short and whole
            key = self.read(4)
            payload = xor(self.read(n), key)
            if op == 0x9:
                self.send_frame(0xA, payload)
            elif op == 0xA:
                pass
            elif op == 0x8:
                return self.close(payload)
            else:
                if op == 0x0 and message is None:
                    raise Failed(1002)  # §5.4: nothing to continue
                if op != 0x0 and message is not None:
                    raise Failed(1002)  # §5.4: the open message is not finished
                if op != 0x0:
                    message, kind = [], op
                    decoder = codecs.getincrementaldecoder("utf-8")("strict")
                message.append(payload)
                if kind == 0x1 and self.mode != "utf8-echo":
                    try:
                        decoder.decode(payload, final=bool(fin))
                    except UnicodeDecodeError:
                        raise Failed(1007)  # §8.1
                if fin:
                    self.send_frame(kind, b"".join(message))
                    message = None

    def close(self, body):
        if len(body) == 1:
            raise Failed(1002)  # §5.5.1: a code takes 2 bytes
        if not body:
            return self.send_frame(0x8, b"")
        code = struct.unpack("!H", body[:2])[0]
        if code not in VALID_CODES:
            if self.mode == "close-1000":
                return self.send_frame(0x8, struct.pack("!H", 1000))
            raise Failed(1002)  # §7.4
        try:
            body[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise Failed(1007)  # §5.5.1: the reason is UTF-8
        self.send_frame(0x8, body[:2])

    def linger(self):
        """The server closes TCP first (§7.1.1), after reading what the client still sends."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(2)
            while self.sock.recv(65536):
                pass
        except OSError:
            pass


def serve_one(sock, mode):
    try:
        Client(sock, mode).serve()
    except (EOFError, OSError):
        pass
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--break", dest="mode", default="none",
                        choices=["none", "utf8-echo", "rsv", "masks", "close-1000", "wrong-accept"])
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_one, args=(sock, args.mode), daemon=True).start()


if __name__ == "__main__":
    main()
