#!/usr/bin/python3
"""Inspection (SPEC §2.3; man page FRAME LINES and JSON LINES): -F frame lines, -X hex dumps,
the named RFC rule on a violation, --jsonl events, -v, -P, -T, -q, --stats — and that none of
them ever changes the data on stdout.

Peers: tests/peers/inspect_server.py (a known sequence of frames: 7-, 16- and 64-bit lengths,
a fragmented message with a ping between fragments, Close 1000 "bye"), tests/peers/rawserver.py
(its violation-*, fragmented and ping modes) and wscope's own `listen --echo`.
"""
import base64
import datetime
import hashlib
import json
import os
import re
import subprocess
import time
import unittest

from e2e_support import (PEERS, PYTHON, WSCOPE, Listener, Peer, error_lines, free_port_refusing,
                         parse_frames, raw_peer, run_wscope)


def inspect_peer(mode):
    return Peer([PYTHON, os.path.join(PEERS, "inspect_server.py"), "--mode", mode])


# What inspect_server.py --mode sequence sends (keep in step with SEQUENCE there).
BIN126 = bytes(i % 256 for i in range(126))
BIN64K = bytes((i * 7) % 256 for i in range(65536))
SEQUENCE_STDOUT = b"Hello\n" + BIN126 + BIN64K + b"frag-one frag-two frag-three\n"

ELLIPSIS = r"(?:…|\.\.\.)"  # the man page writes "...", the binary may print "…"
HEX16 = lambda data: " ".join(f"{b:02x}" for b in data[:16])  # noqa: E731

# Every << line of the sequence session, in order.
SEQUENCE_IN = [
    r'<< TEXT   fin=1 rsv=000 len=5 "Hello"',
    r"<< BINARY fin=1 rsv=000 len=126 \(16-bit\) " + HEX16(BIN126) + " " + ELLIPSIS,
    r"<< BINARY fin=1 rsv=000 len=65536 \(64-bit\) " + HEX16(BIN64K) + " " + ELLIPSIS,
    r'<< TEXT   fin=0 rsv=000 len=9 "frag-one "',
    r'<< PING   fin=1 rsv=000 len=3 "mid"',
    r'<< CONT#1 fin=0 rsv=000 len=9 "frag-two "',
    r'<< CONT#2 fin=1 rsv=000 len=10 "frag-three"',
    r'<< CLOSE  fin=1 rsv=000 len=5 1000 \(normal\) "bye"',
]
# Every >> line: the automatic pong, then the reply to the server's Close.
SEQUENCE_OUT = [
    r'>> PONG   fin=1 rsv=000 mask=([0-9a-f]{8}) len=3 "mid"',
    r">> CLOSE  fin=1 rsv=000 mask=([0-9a-f]{8}) len=2 1000 \(normal\)",
]

FRAME_LINE = re.compile(r"^(<<|>>) ")
DUMP_LINE = re.compile(r"^   ([0-9a-f]{4,}): (.{49})\|(.*)\|$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
STAMP_WALL = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{6}) ")
STAMP_REL = re.compile(r"^\+(\d+)\.(\d{6}) ")
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def frame_lines(err):
    return [l for l in err.splitlines() if FRAME_LINE.match(l)]


def dump_after(lines, i):
    """The hex dump printed under lines[i]: (wire bytes, unmasked payload or None). Checks the
    layout: offsets counting up by 16, 16 bytes a row, the ASCII column matching the bytes."""
    def rows(j):
        data = bytearray()
        width = None
        while j < len(lines):
            m = DUMP_LINE.match(lines[j])
            if not m:
                break
            offset, hexpart, ascii_col = int(m.group(1), 16), m.group(2), m.group(3)
            row = bytes.fromhex(hexpart.replace(" ", ""))
            assert offset == len(data), f"dump offset {offset:04x}, want {len(data):04x}: {lines[j]!r}"
            assert width in (None, len(m.group(1))), f"offset width changed: {lines[j]!r}"
            width = len(m.group(1))
            assert 1 <= len(row) <= 16, lines[j]
            assert len(row) == 16 or j + 1 >= len(lines) or not DUMP_LINE.match(lines[j + 1]), \
                f"short dump row before the last: {lines[j]!r}"
            want_ascii = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in row)
            assert ascii_col == want_ascii, f"ASCII column {ascii_col!r}, want {want_ascii!r}"
            data += row
            j += 1
        return bytes(data), j

    wire, j = rows(i + 1)
    unmasked = None
    if j < len(lines) and lines[j] == "   unmasked payload:":
        unmasked, _ = rows(j + 1)
    return wire, unmasked


def sent_blocks(err):
    """Each >> line with the dump lines under it (the order of << and >> lines may vary)."""
    blocks = []
    for line in err.splitlines():
        if FRAME_LINE.match(line):
            blocks.append([line])
        elif line.startswith("   ") and blocks:
            blocks[-1].append(line)
    return [b for b in blocks if b[0].startswith(">>")]


def parse_jsonl(out):
    """stdout → list of objects; every line must be one JSON object starting with ts and type."""
    text = out.decode("utf-8")
    assert text == "" or text.endswith("\n"), f"stdout does not end with a newline: {text[-200:]!r}"
    objects = []
    for line in text.splitlines():
        pairs = json.loads(line, object_pairs_hook=lambda p: p)
        keys = [k for k, _ in pairs]
        assert keys[:2] == ["ts", "type"], f"object does not start with ts, type: {line}"
        objects.append(json.loads(line))
    return objects


def check_timestamps(test, objects, start, end):
    """ts fields: RFC 3339 UTC with microseconds, non-decreasing, within the run."""
    last = None
    for o in objects:
        test.assertRegex(o["ts"], TS, o)
        t = datetime.datetime.strptime(o["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
        test.assertGreaterEqual(t, start - datetime.timedelta(seconds=1), o)
        test.assertLessEqual(t, end + datetime.timedelta(seconds=1), o)
        if last is not None:
            test.assertGreaterEqual(t, last, f"ts went backwards at {o}")
        last = t


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------------- -F frame lines

class FrameLines(unittest.TestCase):
    def run_sequence(self, *args):
        with inspect_peer("sequence") as peer:
            r = run_wscope([*args, peer.url], keep_stdin_open=True, timeout=20)
            lines = peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, SEQUENCE_STDOUT, r)
        return r, parse_frames(lines)

    def check_sequence(self, r, client_frames):
        lines = frame_lines(r.err)
        self.assertEqual(lines, [l for l in r.err.splitlines() if l], f"-F alone prints only "
                         f"frame lines: {r}")
        received = [l for l in lines if l.startswith("<<")]
        sent = [l for l in lines if l.startswith(">>")]
        self.assertEqual(len(received), len(SEQUENCE_IN), r)
        for line, pattern in zip(received, SEQUENCE_IN):
            self.assertRegex(line, "^" + pattern + "$", r)
        self.assertEqual(len(sent), len(SEQUENCE_OUT), r)
        keys = []
        for line, pattern in zip(sent, SEQUENCE_OUT):
            m = re.match("^" + pattern + "$", line)
            self.assertIsNotNone(m, f"{line!r} !~ {pattern!r}\n{r}")
            keys.append(m.group(1))
        # The pong answers the ping: it comes after the PING line; the Close reply after CLOSE.
        self.assertGreater(lines.index(sent[0]), lines.index(received[4]), r)
        self.assertGreater(lines.index(sent[1]), lines.index(received[7]), r)
        # The keys shown are the keys on the wire (the peer saw the same frames, same keys).
        self.assertEqual([(f["op"], f["key"]) for f in client_frames],
                         [(10, keys[0]), (8, keys[1])], r)
        self.assertNotEqual(keys[0], keys[1], "a fresh key per frame")
        return keys

    def test_sequence_frame_lines(self):
        r, client_frames = self.run_sequence("-F")
        self.check_sequence(r, client_frames)

    def test_mask_seed_makes_keys_reproducible(self):
        runs = [self.check_sequence(*self.run_sequence("-F", "--mask-seed", "1"))
                for _ in range(2)]
        self.assertEqual(runs[0], runs[1], "--mask-seed 1 twice: same mask keys")
        other = self.check_sequence(*self.run_sequence("-F", "--mask-seed", "2"))
        self.assertNotEqual(runs[0], other, "another seed, other keys")


class Echo:
    """`wscope listen 127.0.0.1:0 --echo ARGS…` for the length of a with block."""

    def __init__(self, *args):
        self.args = args

    def __enter__(self):
        self.listener = Listener("--echo", *self.args)
        return self.listener

    def __exit__(self, *exc):
        self.listener.stop()


# ---------------------------------------------------------------------------- -X hex dumps

class HexDump(unittest.TestCase):
    def test_received_and_sent_frames(self):
        with inspect_peer("hello") as peer:
            r = run_wscope(["-F", "-X", "--mask-seed", 7, peer.url], b"hello\n", timeout=15)
            client_frames = parse_frames(peer.finish())
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"Hello\n", r)
        lines = r.err.splitlines()

        i = lines.index('<< TEXT   fin=1 rsv=000 len=5 "Hello"')
        self.assertRegex(lines[i + 1], r"^   0000: 81 05 48 65 6c 6c 6f +\|\.\.Hello\|$", r)
        wire, unmasked = dump_after(lines, i)
        self.assertEqual(wire, bytes.fromhex("810548656c6c6f"), r)
        self.assertIsNone(unmasked, f"an unmasked frame has no 'unmasked payload:' section\n{r}")

        sent = [k for k, l in enumerate(lines)
                if re.match(r'^>> TEXT   fin=1 rsv=000 mask=[0-9a-f]{8} len=5 "hello"$', l)]
        self.assertEqual(len(sent), 1, r)
        i = sent[0]
        key = bytes.fromhex(re.search(r"mask=([0-9a-f]{8})", lines[i]).group(1))
        wire, unmasked = dump_after(lines, i)
        self.assertEqual(wire[:2], b"\x81\x85", r)
        self.assertEqual(wire[2:6], key, f"the dump shows the frame line's mask key\n{r}")
        self.assertEqual(wire[6:], bytes(b ^ key[n % 4] for n, b in enumerate(b"hello")),
                         f"the dump shows the masked payload as on the wire\n{r}")
        self.assertEqual(lines[i + 2], "   unmasked payload:", r)
        self.assertRegex(lines[i + 3], r"^   0000: 68 65 6c 6c 6f +\|hello\|$", r)
        self.assertEqual(unmasked, b"hello", r)
        self.assertEqual(client_frames[0]["key"], key.hex(), "the key on the wire")

        # The Close we send: masked too, its body 03 e8 unmasked.
        close = [k for k, l in enumerate(lines) if l.startswith(">> CLOSE ")]
        self.assertEqual(len(close), 1, r)
        wire, unmasked = dump_after(lines, close[0])
        self.assertEqual(wire[:2], b"\x88\x82", r)
        self.assertEqual(unmasked, b"\x03\xe8", r)

        # Same seed, same keys: the whole stderr is reproducible.
        with inspect_peer("hello") as peer:
            again = run_wscope(["-F", "-X", "--mask-seed", 7, peer.url], b"hello\n", timeout=15)
            peer.finish()
        self.assertEqual(again.rc, 0, again)
        self.assertEqual(sent_blocks(again.err), sent_blocks(r.err),
                         "--mask-seed 7 twice: the same >> lines and dumps")

    def test_multi_row_dumps_are_the_wire_bytes(self):
        """The 16-bit-length binary frame: 130 bytes on the wire, 9 rows; the 64-bit one starts
        with its 10 header bytes."""
        with inspect_peer("sequence") as peer:
            r = run_wscope(["-F", "-X", peer.url], keep_stdin_open=True, timeout=20)
            peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, SEQUENCE_STDOUT, r)
        lines = r.err.splitlines()
        i = next(k for k, l in enumerate(lines) if l.startswith("<< BINARY fin=1 rsv=000 len=126 "))
        wire, unmasked = dump_after(lines, i)
        self.assertEqual(wire, b"\x82\x7e\x00\x7e" + BIN126, r)
        self.assertIsNone(unmasked)
        i = next(k for k, l in enumerate(lines) if l.startswith("<< BINARY fin=1 rsv=000 len=65536 "))
        try:
            wire, _ = dump_after(lines, i)
        except AssertionError as e:
            self.fail(f"the dump of the 64-bit-length frame is not one dump: {e}")
        self.assertEqual(wire[:10], b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00")
        self.assertEqual(len(wire), 10 + 65536, "the whole frame is dumped")
        self.assertEqual(wire[10:], BIN64K)
        i = lines.index('<< CLOSE  fin=1 rsv=000 len=5 1000 (normal) "bye"')
        self.assertEqual(dump_after(lines, i)[0], b"\x88\x05\x03\xe8bye", r)


    def test_frame_read_in_two_pieces_is_one_dump(self):
        """A frame that arrives in two reads is still dumped as one: 16 bytes a row, offsets
        counting up by 16 in one width, every byte once."""
        payload = bytes(range(256)) + bytes(range(44))
        with inspect_peer("split") as peer:
            r = run_wscope(["-F", "-X", peer.url], keep_stdin_open=True, timeout=15)
            peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, payload, r)
        lines = r.err.splitlines()
        pattern = r"<< BINARY fin=1 rsv=000 len=300 \(16-bit\) " + HEX16(payload) + " " + ELLIPSIS
        found = [k for k, l in enumerate(lines) if re.fullmatch(pattern, l)]
        self.assertEqual(len(found), 1, r)
        i = found[0]
        try:
            wire, unmasked = dump_after(lines, i)
        except AssertionError as e:
            self.fail(f"the frame's dump is broken where the second read starts: {e}\n{r}")
        self.assertEqual(wire, b"\x82\x7e\x01\x2c" + payload, r)
        self.assertEqual(len([l for l in lines if l.startswith("<< ")]), 2, r)


# ---------------------------------------------------------------------------- violations

# rawserver.py violation mode → (the offending frame's line, the first bytes of its dump,
# what the error line must contain)
VIOLATIONS = {
    "ping-126": (r"<< PING   fin=1 rsv=000 len=126 \(16-bit\)( .*)?", "897e007e",
                 ["126-byte PING", "125", "(RFC 6455 §5.5)"], "1002"),
    "masked": (r"<< TEXT   fin=1 rsv=000 mask=01020304 len=7( .*)?", "818701020304",
               ["masked", "(RFC 6455 §5.1)"], "1002"),
    "opcode-3": (r"<< RSV3 \(0x3\) fin=1 rsv=000 len=1( .*)?", "8301",
                 ["reserved opcode", "(RFC 6455 §5.2)"], "1002"),
    "rsv1": (r"<< TEXT   fin=1 rsv=100 len=1( .*)?", "c101",
             ["RSV", "(RFC 6455 §5.2)"], "1002"),
    "rsv3": (r"<< TEXT   fin=1 rsv=001 len=1( .*)?", "9101",
             ["RSV", "(RFC 6455 §5.2)"], "1002"),
    "bad-utf8": (r'<< TEXT   fin=1 rsv=000 len=8 "abc\\xff\\xfedef"', "8108616263fffe646566",
                 ["UTF-8", "(RFC 6455 §8.1)"], "1007"),
}


class Violations(unittest.TestCase):
    def test_offending_frame_shown_before_the_error(self):
        for mode, (pattern, dump_hex, words, code) in VIOLATIONS.items():
            with self.subTest(violation=mode):
                with raw_peer(f"violation-{mode}") as peer:
                    r = run_wscope(["-F", "-X", peer.url], keep_stdin_open=True, timeout=15)
                    peer.finish()
                self.assertEqual(r.rc, 5, r)
                self.assertEqual(r.out, b"before\n", r)
                lines = r.err.splitlines()
                errors = error_lines(r.err)
                self.assertEqual(len(errors), 1, r)
                self.assertTrue(errors[0].startswith("wscope: error: "), r)
                for w in words:
                    self.assertIn(w, errors[0], r)
                e = lines.index(errors[0])
                received = [k for k in range(e) if lines[k].startswith("<< ")]
                self.assertGreaterEqual(len(received), 2, f"'before' and the offending frame, "
                                        f"each on one << line before the error\n{r}")
                for k in received[2:]:  # only the peer's reply to our Close may follow
                    self.assertTrue(lines[k].startswith("<< CLOSE "), r)
                self.assertEqual(lines[received[0]], '<< TEXT   fin=1 rsv=000 len=6 "before"', r)
                self.assertRegex(lines[received[1]], "^" + pattern + "$", r)
                wire, _ = dump_after(lines, received[1])
                want = bytes.fromhex(dump_hex.replace(" ", ""))
                self.assertEqual(wire[:len(want)], want, f"the offending frame's dump\n{r}")
                # Our Close with the right code, shown before the error too.
                closes = [l for l in lines[:e] if l.startswith(">> CLOSE ")]
                self.assertEqual(len(closes), 1, r)
                self.assertRegex(closes[0], rf"^>> CLOSE  fin=1 rsv=000 mask=[0-9a-f]{{8}} "
                                            rf"len=\d+ {code} \(", r)


# ---------------------------------------------------------------------------- --jsonl

class JsonLines(unittest.TestCase):
    def run_json(self, args, input=b"", **kw):
        start = utcnow()
        r = run_wscope(args, input, **kw)
        end = utcnow()
        objects = parse_jsonl(r.out)
        check_timestamps(self, objects, start, end)
        return r, objects

    def test_echo_session_text(self):
        sent = ["alpha", "beta", 'héllo "q" \\ \ttab €']
        with Echo("-q") as server:
            r, objs = self.run_json(["--jsonl", "-F", server.url],
                                    "".join(s + "\n" for s in sent).encode())
        self.assertEqual(r.rc, 0, r)
        types = [o["type"] for o in objs]
        self.assertEqual(types[0], "open", types)
        self.assertEqual(types[-1], "close", types)
        self.assertLessEqual(set(types), {"open", "frame", "message", "close"}, types)
        self.assertRegex(" ".join(types), r"^open (frame )+.*message .*close$")

        o = objs[0]
        self.assertEqual(o["url"], server.url)
        self.assertEqual(o["status"], 101)
        self.assertEqual(o["headers"]["upgrade"].lower(), "websocket", o)
        self.assertIn("sec-websocket-accept", o["headers"], o)
        self.assertTrue(all(k == k.lower() for k in o["headers"]), o)
        self.assertIsNone(o["subprotocol"])
        self.assertIsNone(o["extensions"])

        messages = [o for o in objs if o["type"] == "message" and o["dir"] == "in"]
        self.assertEqual([m["data"] for m in messages], [{"text": s} for s in sent], r)
        for m, s in zip(messages, sent):
            self.assertEqual((m["dir"], m["msg_type"], m["size"]),
                             ("in", "text", len(s.encode())), m)
        # Both directions (SPEC §2.8): every message sent is a "dir":"out" message event.
        sent_events = [o for o in objs if o["type"] == "message" and o["dir"] == "out"]
        self.assertEqual([(m["data"], m["msg_type"]) for m in sent_events],
                         [({"text": s}, "text") for s in sent], r)

        frames = [o for o in objs if o["type"] == "frame"]
        out_text = [f for f in frames if f["dir"] == "out" and f["opcode"] == "text"]
        in_text = [f for f in frames if f["dir"] == "in" and f["opcode"] == "text"]
        self.assertEqual([f["len"] for f in out_text], [len(s.encode()) for s in sent], frames)
        self.assertEqual([f["len"] for f in in_text], [len(s.encode()) for s in sent], frames)
        for f in out_text:
            self.assertEqual((f["op"], f["fin"], f["rsv1"], f["rsv2"], f["rsv3"], f["masked"],
                              f["len_encoding"]), (1, True, False, False, False, True, 7), f)
            self.assertRegex(f["mask"], r"^[0-9a-f]{8}$")
        for f in in_text:
            self.assertEqual((f["masked"], f["mask"]), (False, None), f)
        self.assertEqual(len({f["mask"] for f in out_text}), len(out_text), "fresh keys")
        # Each received message comes after the frame that carried it.
        idx = [k for k, o in enumerate(objs) if o["type"] == "message" and o["dir"] == "in"]
        fidx = [k for k, o in enumerate(objs)
                if o["type"] == "frame" and o["dir"] == "in" and o["opcode"] == "text"]
        self.assertTrue(all(f < m for f, m in zip(fidx, idx)), types)

        closes = [(o["dir"], o["code"], o["name"], o["reason"]) for o in objs
                  if o["type"] == "close"]
        self.assertEqual(sorted(closes), [("in", 1000, "normal", ""),
                                          ("out", 1000, "normal", "")], closes)

    def test_echo_session_binary(self):
        sent = [b"\xff\xfe\x00\x01", bytes(range(0x80, 0x100)), b"\x00" * 200]
        with Echo("-q") as server:
            r, objs = self.run_json(["--jsonl", "-b", server.url], b"".join(s + b"\n" for s in sent))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(objs[0]["type"], "open")
        messages = [o for o in objs if o["type"] == "message" and o["dir"] == "in"]
        self.assertEqual(len(messages), 3, objs)
        for m, s in zip(messages, sent):
            self.assertEqual((m["dir"], m["msg_type"], m["size"]), ("in", "binary", len(s)), m)
            if s == b"\x00" * 200:
                # valid UTF-8: the man page says data is {"text": …} then
                self.assertEqual(m["data"], {"text": s.decode()}, m)
            else:
                self.assertEqual(list(m["data"]), ["bytes"], m)
                self.assertEqual(base64.b64decode(m["data"]["bytes"], validate=True), s, m)
        self.assertEqual(objs[-1]["type"], "close")

    def test_sequence_frames_pings_and_close(self):
        with inspect_peer("sequence") as peer:
            r, objs = self.run_json(["--jsonl", "-F", peer.url], keep_stdin_open=True,
                                    timeout=20)
            peer.finish()
        self.assertEqual(r.rc, 0, r)
        frames = [(o["dir"], o["opcode"], o["op"], o["fin"], o["len"], o["len_encoding"])
                  for o in objs if o["type"] == "frame"]
        self.assertEqual([f for f in frames if f[0] == "in"], [
            ("in", "text", 1, True, 5, 7),
            ("in", "binary", 2, True, 126, 16),
            ("in", "binary", 2, True, 65536, 64),
            ("in", "text", 1, False, 9, 7),
            ("in", "ping", 9, True, 3, 7),
            ("in", "continuation", 0, False, 9, 7),
            ("in", "continuation", 0, True, 10, 7),
            ("in", "close", 8, True, 5, 7)], frames)
        self.assertEqual([f for f in frames if f[0] == "out"],
                         [("out", "pong", 10, True, 3, 7), ("out", "close", 8, True, 2, 7)])
        messages = [o for o in objs if o["type"] == "message"]
        self.assertEqual([m["size"] for m in messages], [5, 126, 65536, 28])
        self.assertEqual(messages[0]["data"], {"text": "Hello"})
        self.assertEqual(messages[2]["data"], {"bytes": base64.b64encode(BIN64K).decode()})
        self.assertEqual(messages[3]["data"], {"text": "frag-one frag-two frag-three"})
        pings = [(o["type"], o["dir"], o["data"]) for o in objs if o["type"] in ("ping", "pong")]
        self.assertEqual(pings, [("ping", "in", {"text": "mid"}), ("pong", "out", {"text": "mid"})])
        closes = [(o["dir"], o["code"], o["name"], o["reason"]) for o in objs
                  if o["type"] == "close"]
        self.assertEqual(closes, [("in", 1000, "normal", "bye"), ("out", 1000, "normal", "")])

    def test_pong_rtt(self):
        with Echo("-q") as server:
            r, objs = self.run_json(["--jsonl", "--ping-interval", 0.05, "-w", 0.3, "-d", "hi",
                                     server.url])
        self.assertEqual(r.rc, 0, r)
        pongs = [o for o in objs if o["type"] == "pong"]
        pings = [o for o in objs if o["type"] == "ping"]
        self.assertGreaterEqual(len(pongs), 2, objs)
        for o in pings:
            self.assertEqual(o["dir"], "out", o)
        for o in pongs:
            self.assertEqual(o["dir"], "in", o)
            self.assertIsInstance(o["rtt_ms"], (int, float), o)
            self.assertGreaterEqual(o["rtt_ms"], 0, o)
            self.assertLess(o["rtt_ms"], 5000, o)
            self.assertIn(o["data"], [p["data"] for p in pings], o)

    def test_connection_refused_error_object(self):
        port = free_port_refusing()
        r, objs = self.run_json(["--jsonl", f"ws://127.0.0.1:{port}/"], timeout=15)
        self.assertEqual(r.rc, 2, r)
        self.assertTrue(objs, r)
        last = objs[-1]
        self.assertEqual((last["type"], last["exit_code"]), ("error", 2), last)
        self.assertIsInstance(last["kind"], str)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, r)
        self.assertEqual(errors[0], "wscope: error: " + last["message"], r)

    def test_violation_error_object(self):
        with raw_peer("violation-masked") as peer:
            r, objs = self.run_json(["--jsonl", peer.url], keep_stdin_open=True, timeout=15)
            peer.finish()
        self.assertEqual(r.rc, 5, r)
        types = [o["type"] for o in objs]
        self.assertEqual(types[0], "open", types)
        self.assertEqual(objs[1]["type"], "message")
        self.assertEqual(objs[1]["data"], {"text": "before"})
        last = objs[-1]
        self.assertEqual((last["type"], last["exit_code"]), ("error", 5), last)
        self.assertIn("RFC 6455 §5.1", last["message"], last)
        closes = [(o["dir"], o["code"]) for o in objs if o["type"] == "close"]
        self.assertIn(("out", 1002), closes, objs)
        self.assertEqual(error_lines(r.err), ["wscope: error: " + last["message"]], r)

    def test_listen_mode_jsonl(self):
        help_text = subprocess.run([WSCOPE, "listen", "--help"], capture_output=True,
                                   timeout=10).stdout.decode()
        if "--jsonl" not in help_text:
            self.skipTest("`wscope listen --help` has no --jsonl yet")
        start = utcnow()
        with Echo("--jsonl") as server:
            for n in (1, 2):
                r = run_wscope(["-q", server.url], f"one{n}\ntwo{n}\n".encode(), timeout=15)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.out, f"one{n}\ntwo{n}\n".encode(), r)
            # both clients' Close events are printed (in and out)
            deadline = time.monotonic() + 10
            while len([x for x in server.out.snapshot() if '"type":"close"' in x]) < 4:
                self.assertLess(time.monotonic(), deadline,
                                f"4 close events (2 clients, in and out)\n{server.describe()}")
                time.sleep(0.02)
        objs = parse_jsonl(("\n".join(server.out.snapshot()) + "\n").encode())
        check_timestamps(self, objs, start, utcnow())
        for o in objs:
            self.assertIsInstance(o.get("client"), int, o)
        clients = sorted({o["client"] for o in objs})
        self.assertEqual(len(clients), 2, objs)
        for c, n in zip(clients, (1, 2)):
            mine = [o for o in objs if o["client"] == c]
            self.assertEqual(mine[0]["type"], "open", mine)
            self.assertIn("sec-websocket-key", mine[0]["headers"], mine[0])
            self.assertEqual([o["data"] for o in mine if o["type"] == "message" and o["dir"] == "in"],
                             [{"text": f"one{n}"}, {"text": f"two{n}"}], mine)
            # The echo is recorded too, as what the server sent.
            self.assertEqual([o["data"] for o in mine if o["type"] == "message" and o["dir"] == "out"],
                             [{"text": f"one{n}"}, {"text": f"two{n}"}], mine)
            self.assertEqual(sorted((o["dir"], o["code"]) for o in mine if o["type"] == "close"),
                             [("in", 1000), ("out", 1000)], mine)


# ---------------------------------------------------------------------------- data purity

class DataPurity(unittest.TestCase):
    LOUD = ["-F", "-X", "-v", "-P", "-T", "--color=always"]

    def sha(self, data):
        return hashlib.sha256(data).hexdigest()

    def test_sequence_stdout_unchanged_by_inspection(self):
        outs = []
        for flags in ([], self.LOUD, ["-q"]):
            with inspect_peer("sequence") as peer:
                r = run_wscope([*flags, peer.url], keep_stdin_open=True, timeout=20)
                peer.finish()
            self.assertEqual(r.rc, 0, r)
            outs.append((flags, r))
        want = self.sha(SEQUENCE_STDOUT)
        for flags, r in outs:
            self.assertEqual(self.sha(r.out), want, f"stdout with {flags}: {r}")
        loud = ANSI.sub("", outs[1][1].err)
        for needle in ("* ", "> GET / HTTP/1.1", "< HTTP/1.1 101", "<< BINARY", "   0000: ",
                       "<< PING ", ">> PONG "):
            self.assertIn(needle, loud, f"{needle!r} missing from stderr with {self.LOUD}")
        self.assertEqual(outs[2][1].err, "", f"-q: nothing on stderr on success {outs[2][1]}")

    def test_fragmented_stdout_unchanged_by_inspection(self):
        want = "Hello, world! €\n".encode() + bytes(range(256))
        for flags in ([], self.LOUD, ["-q"]):
            with raw_peer("fragmented") as peer:
                r = run_wscope([*flags, peer.url], keep_stdin_open=True, timeout=20)
                peer.finish()
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(self.sha(r.out), self.sha(want), f"stdout with {flags}: {r}")
            if flags == ["-q"]:
                self.assertEqual(r.err, "", r)

    def test_echo_text_and_binary_unchanged_by_inspection(self):
        text = b"".join(f"line {i} \xe2\x82\xac\n".encode("latin-1") for i in range(50))
        binary = bytes(range(256)) * 64
        with Echo("-q") as server:
            for opts, data in ((["-t"], text), (["-b", "--chunk", 1000], binary)):
                results = {}
                for flags in ([], self.LOUD, ["-q"]):
                    r = run_wscope([*opts, *flags, server.url], data, timeout=20)
                    self.assertEqual(r.rc, 0, r)
                    results[tuple(flags)] = r
                shas = {k: self.sha(r.out) for k, r in results.items()}
                self.assertEqual(len(set(shas.values())), 1, f"{opts}: {shas}")
                self.assertEqual(results[()].out, data)
                self.assertEqual(results[("-q",)].err, "", results[("-q",)])


# ---------------------------------------------------------------------------- --stats

STATS_MS = r"(\d+\.\d{3}) ms"


class Stats(unittest.TestCase):
    def stats(self, err):
        return {m.group(1): m.group(2) for m in re.finditer(r"^stats: ([a-z ]+): (.*)$", err, re.M)}

    def test_counts_for_three_echoed_lines(self):
        lines = [b"one", b"two", b"three"]
        with Echo("-q") as server:
            r = run_wscope(["--stats", server.url], b"".join(l + b"\n" for l in lines),
                           timeout=15)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"one\ntwo\nthree\n", r)
        s = self.stats(r.err)
        self.assertRegex(s.get("connect", ""), "^" + STATS_MS + "$", r)
        self.assertRegex(s.get("handshake", ""), "^" + STATS_MS + "$", r)
        self.assertEqual(s.get("messages"), "3 sent, 3 received", r)
        self.assertEqual(s.get("frames"), "4 sent, 4 received", r)
        # frame bytes on the wire: 2-byte header + 4-byte key (masked, ours) + payload;
        # the Close carries 2 bytes.
        sent = sum(6 + len(l) for l in lines) + 6 + 2
        received = sum(2 + len(l) for l in lines) + 2 + 2
        self.assertEqual(s.get("bytes"), f"{sent} sent, {received} received", r)
        self.assertEqual(s.get("close"),
                         "sent 1000 (normal), received 1000 (normal); we closed first", r)
        self.assertNotIn("ping rtt", s, "no pings, no rtt line")
        order = [m.group(1) for m in re.finditer(r"^stats: ([a-z ]+):", r.err, re.M)]
        for a, b in zip(["connect", "handshake", "messages", "frames", "bytes", "close"],
                        ["handshake", "messages", "frames", "bytes", "close"]):
            self.assertLess(order.index(a), order.index(b), order)

    def test_ping_rtt_line(self):
        with Echo("-q") as server:
            r = run_wscope(["--stats", "--ping-interval", 0.05, "-w", 0.3, "-d", "hi",
                            server.url], timeout=15)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"hi\n", r)
        s = self.stats(r.err)
        m = re.match(rf"^min {STATS_MS}, avg {STATS_MS}, max {STATS_MS} \((\d+) pongs\)$",
                     s.get("ping rtt", ""))
        self.assertIsNotNone(m, r)
        lo, avg, hi, n = float(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4))
        self.assertGreaterEqual(n, 2, r)
        self.assertTrue(0 <= lo <= avg <= hi, r)
        self.assertEqual(s.get("messages"), "1 sent, 1 received", r)
        fs = re.match(r"^(\d+) sent, (\d+) received$", s.get("frames", ""))
        self.assertIsNotNone(fs, r)
        self.assertGreaterEqual(int(fs.group(1)), n + 2, "text + pings + close")
        self.assertGreaterEqual(int(fs.group(2)), n + 2, "text + pongs + close")

    def test_peer_closed_first(self):
        with inspect_peer("sequence") as peer:
            r = run_wscope(["--stats", peer.url], keep_stdin_open=True, timeout=20)
            peer.finish()
        self.assertEqual(r.rc, 0, r)
        s = self.stats(r.err)
        self.assertEqual(s.get("messages"), "0 sent, 4 received", r)
        self.assertEqual(s.get("frames"), "2 sent, 8 received", r)
        self.assertEqual(s.get("close"),
                         "sent 1000 (normal), received 1000 (normal); the peer closed first", r)


# ---------------------------------------------------------------------------- -T

def seconds_of_day(h, m, s, us):
    return int(h) * 3600 + int(m) * 60 + int(s) + int(us) / 1e6


class Timestamps(unittest.TestCase):
    def stamped(self, r, pattern):
        lines = [l for l in r.err.splitlines() if l]
        diag = [l for l in lines if pattern.match(l)]
        self.assertTrue(diag, r)
        for l in lines:
            if re.search(r"(<<|>>) [A-Z]|[<>] (ping|pong) ", l):
                self.assertRegex(l, pattern, f"frame/ping line without the time\n{r}")
        return diag

    def wall_check(self, args):
        before = time.time()
        with Echo("-q") as server:
            r = run_wscope([*args(server.url)], b"a\nb\n", timeout=15)
        after = time.time()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"a\nb\n", r)
        diag = self.stamped(r, STAMP_WALL)
        self.assertGreaterEqual(len([l for l in diag if " >> TEXT " in l]), 2, r)
        lo = time.localtime(before)
        lo = seconds_of_day(lo.tm_hour, lo.tm_min, lo.tm_sec, 0) - 1
        hi = lo + (after - before) + 2
        last = None
        for l in diag:
            t = seconds_of_day(*STAMP_WALL.match(l).groups())
            if t < lo - 43200:
                t += 86400  # past midnight
            self.assertTrue(lo <= t <= hi, f"{l!r} not within the run ({lo:.0f}…{hi:.0f} s)")
            if last is not None:
                self.assertGreaterEqual(t, last, f"time went backwards at {l!r}")
            last = t

    def test_wall_clock(self):
        self.wall_check(lambda url: ["-F", "-P", "--ping-interval", 0.05, "-w", 0.15,
                                     "--timestamps=wall", url])

    def test_T_flag_right_before_the_url(self):
        """-T is a flag (SPEC §2.3): `wscope -F -T URL` must not take the URL as its value."""
        self.wall_check(lambda url: ["-F", "-T", url])

    def test_T_flag_before_another_option(self):
        self.wall_check(lambda url: ["-T", "-F", "-P", url])

    def test_relative(self):
        with Echo("-q") as server:
            r = run_wscope(["-F", "-P", "--ping-interval", 0.05, "-w", 0.15,
                            "--timestamps=relative", server.url], b"a\nb\n", timeout=15)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"a\nb\n", r)
        diag = self.stamped(r, STAMP_REL)
        self.assertTrue(any(">> PING " in l for l in diag), f"-F shows our pings\n{r}")
        self.assertTrue(any("<< PONG " in l for l in diag), f"-F shows the pongs\n{r}")
        times = [int(m.group(1)) + int(m.group(2)) / 1e6
                 for m in (STAMP_REL.match(l) for l in diag)]
        self.assertEqual(times, sorted(times), f"relative times go up\n{r}")
        self.assertLess(times[0], 5, r)
        self.assertLess(times[-1] - times[0], r.elapsed + 0.01, r)
        self.assertGreaterEqual(times[-1] - times[0], 0.1, "the -w 0.15 wait shows in the times")

    def test_server_ping_lines_stamped(self):
        with raw_peer("ping") as peer:
            r = run_wscope(["-P", "-n", 1, "--timestamps=relative", peer.url],
                           keep_stdin_open=True, timeout=15)
            peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"after ping\n", r)
        diag = self.stamped(r, STAMP_REL)
        self.assertTrue(any(re.search(r' < ping "are you there"', l) for l in diag), r)
        self.assertTrue(any(re.search(r' > pong "are you there"', l) for l in diag), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
