"""RFC 6455 wire format for the raw-socket test peers (Python stdlib only).

One copy of what every raw peer needs: encoding a frame exactly as asked (any opcode, RSV bits,
mask, non-minimal length), reading frames and an HTTP head from a blocking socket, the
Sec-WebSocket-Accept value, and the two sides of the opening handshake. The peers build on it;
so do the tests that speak to wscope over a raw socket.
"""
import base64
import hashlib
import os
import socket
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
KNOWN_OPS = frozenset({OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG})
MAX_HEAD = 65536  # bytes of an HTTP head before a peer gives up on it


# ---------------------------------------------------------------------------- encoding

def apply_mask(data, key):
    """data XOR the 4-byte key repeated (RFC 6455 §5.3); masking and unmasking alike."""
    if not data:
        return b""
    repeated = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(data), "big")


def encode_frame(op, payload=b"", fin=True, rsv=0, mask=None, length_form=None):
    """One frame as bytes. `rsv` is the 3-bit RSV1..3 field (4 = RSV1). `mask` is 4 bytes or
    None. `length_form` forces the 7, 16 or 64-bit length encoding (for non-minimal lengths)."""
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    mask_bit = 0x80 if mask is not None else 0
    form = length_form or (7 if n < 126 else 16 if n < 65536 else 64)
    if form == 7:
        head += bytes([mask_bit | n])
    elif form == 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if mask is not None:
        head += mask
        payload = apply_mask(payload, mask)
    return head + payload


def client_frame(op, payload=b"", fin=True):
    """A frame as a client must send it: masked with a fresh random key."""
    return encode_frame(op, payload, fin=fin, mask=os.urandom(4))


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def parse_close(payload):
    """A Close frame's payload → (code or None when it had none, reason as text)."""
    if len(payload) < 2:
        return None, ""
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8", "replace")


# ---------------------------------------------------------------------------- reading

class Frame:
    """One received frame: `raw` exactly as it came, `payload` unmasked, `key` None when the
    frame was not masked."""

    def __init__(self, raw, fin, rsv, op, key, payload):
        self.raw, self.fin, self.rsv, self.op, self.key, self.payload = raw, fin, rsv, op, key, payload

    @property
    def masked(self):
        return int(self.key is not None)

    def __repr__(self):
        return (f"Frame(fin={self.fin} rsv={self.rsv:03b} op={self.op} "
                f"key={self.key.hex() if self.key else '-'} raw={self.raw[:80].hex()})")


class Conn:
    """A blocking socket with a read buffer: an HTTP head, then frames. Bytes that arrive with
    the head stay buffered for the first frame. EOF in the middle of anything raises EOFError;
    a socket timeout raises socket.timeout."""

    def __init__(self, sock, timeout=None):
        self.sock = sock
        self.buf = bytearray()  # appending and taking from the front cost what they move
        if timeout is not None:
            sock.settimeout(timeout)

    def fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError
        self.buf += data

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_head(self):
        """An HTTP request or response head → (first line, [(name, value), …] as sent)."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("HTTP head too long")
            self.fill()
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        self.buf = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return lines[0], headers

    def read_frame(self):
        head = self.read_exact(2)
        raw = head
        n = head[1] & 0x7F
        if n == 126:
            ext = self.read_exact(2)
            raw += ext
            n = struct.unpack("!H", ext)[0]
        elif n == 127:
            ext = self.read_exact(8)
            raw += ext
            n = struct.unpack("!Q", ext)[0]
        key = None
        if head[1] & 0x80:
            key = self.read_exact(4)
            raw += key
        body = self.read_exact(n)
        raw += body
        payload = apply_mask(body, key) if key is not None else body
        return Frame(raw, head[0] >> 7, (head[0] >> 4) & 7, head[0] & 0xF, key, payload)

    def read_frame_or_none(self):
        """read_frame, but None when the peer closed TCP (cleanly or not) instead of raising."""
        try:
            return self.read_frame()
        except (EOFError, ConnectionError):
            return None

    def send(self, data):
        self.sock.sendall(data)


def header(headers, name):
    """The first value of header `name` (any case) in a read_head() list, or None."""
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


# ---------------------------------------------------------------------------- handshakes

def accept_value(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2)."""
    if isinstance(key, str):
        key = key.encode("latin-1")
    return base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()


def response_101(accept, extra=(), upgrade=True, connection=True):
    """A 101 answer; `extra` header lines go after Sec-WebSocket-Accept."""
    lines = ["HTTP/1.1 101 Switching Protocols"]
    if upgrade:
        lines.append("Upgrade: websocket")
    if connection:
        lines.append("Connection: Upgrade")
    lines.append(f"Sec-WebSocket-Accept: {accept}")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def server_handshake(conn, extra=()):
    """Reads the client's request and answers 101 with the right Accept.
    Returns (request line, headers); raises ValueError when the request had no key."""
    request_line, headers = conn.read_head()
    key = header(headers, "Sec-WebSocket-Key")
    if not key:
        raise ValueError(f"no Sec-WebSocket-Key in {request_line!r}")
    conn.send(response_101(accept_value(key), extra))
    return request_line, headers


def upgrade_request(host, port, path="/", key=None, extra=()):
    """The bytes of a client's opening handshake; `extra` header lines go last."""
    key = key or base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
             *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def client_handshake(port, host="127.0.0.1", path="/", extra=(), timeout=10):
    """Connects and upgrades. Returns (Conn, status line, headers); raises AssertionError when
    the answer is not a 101 with the right Accept."""
    sock = socket.create_connection((host, port), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    conn = Conn(sock)
    try:
        conn.send(upgrade_request(host, port, path, key, extra))
        status, headers = conn.read_head()
    except (OSError, EOFError, ValueError) as e:
        sock.close()
        raise AssertionError(f"handshake with {host}:{port} failed: {e!r}") from e
    if not status.startswith("HTTP/1.1 101") or header(headers, "Sec-WebSocket-Accept") != accept_value(key):
        sock.close()
        raise AssertionError(f"handshake refused: {status!r} {headers!r}")
    return conn, status, headers
