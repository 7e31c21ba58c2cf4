#!/usr/bin/python3
"""Client pipe mode (SPEC §2.1) against real peers: lines ↔ messages, -b, -0, --whole, -d, -n,
CRLF, empty lines, invalid UTF-8 input, masking."""
import unittest

from e2e_support import (client_close, error_lines, node_peer, parse_frames, py_peer, raw_peer,
                         run_wscope)

OP_TEXT, OP_BINARY, OP_CLOSE = 1, 2, 8


class PipeModeEcho(unittest.TestCase):
    def check_two_lines(self, peer, runs):
        for i in range(runs):
            with self.subTest(run=i):
                r = run_wscope([peer.url], b"a\nb\n")
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.out, b"a\nb\n", r)
        # Every run ended with our Close 1000 (the peer reports the client's close code).
        self.assertEqual(peer.wait_count("CLOSED", runs), ["CLOSED 1000 "] * runs,
                         peer.describe())

    def test_lines_python_websockets_20_runs(self):
        with py_peer("echo") as peer:
            self.check_two_lines(peer, 20)

    def test_lines_node_ws_10_runs(self):
        with node_peer() as peer:
            self.check_two_lines(peer, 10)

    def test_utf8_text_round_trip(self):
        text = "héllo wörld — €100 ✓ 😀\n日本語\n".encode()
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], text)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, text, r)

    def test_last_line_without_newline(self):
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], b"a\nb")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"a\nb\n", r)

    def test_empty_lines_are_empty_messages(self):
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], b"a\n\n\nb\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"a\n\n\nb\n", r)

    def test_binary_echo_is_raw_bytes(self):
        with node_peer() as peer:
            r = run_wscope(["-b", peer.url], b"\xff\xfe\x00\n\x01\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"\xff\xfe\x00\x01", r)

    def test_no_stdin_input_closes_cleanly(self):
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], b"")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.out, b"", r)
            self.assertEqual(peer.wait_for("CLOSED"), "CLOSED 1000 ")

    def test_data_option_sent_first(self):
        with py_peer("echo") as peer:
            r = run_wscope(["-d", "first", "-d", "second", peer.url], b"")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"first\nsecond\n", r)

    def test_execute_alias(self):
        with py_peer("echo") as peer:
            r = run_wscope(["--execute", "x", peer.url], b"")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"x\n", r)

    def test_count_exits_after_n_messages(self):
        # The server sends 5 messages and closes; stdin stays open: -n 2 must end the session.
        with py_peer("close", "--count", 5, "--code", 1000) as peer:
            r = run_wscope(["-n", 2, peer.url], keep_stdin_open=True, timeout=15)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"message 0\nmessage 1\n", r)

    def test_count_with_data_and_open_stdin(self):
        with node_peer() as peer:
            r = run_wscope(["-n", 1, "-d", "ping", peer.url], keep_stdin_open=True, timeout=15)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"ping\n", r)

    def test_echo_option_reflects_messages(self):
        # The server sends text and binary messages (empty, 70 kB, 1 MiB…) and checks each
        # comes back with the same opcode and payload; stdin is not read with --echo.
        with py_peer("expect-echo") as peer:
            r = run_wscope(["--echo", peer.url], keep_stdin_open=True, timeout=20)
            verdict = peer.wait_for("ECHO_")
        self.assertEqual(verdict, "ECHO_OK", peer.describe())
        self.assertEqual(r.rc, 0, r)

    def test_wait_option_accepted(self):
        with py_peer("echo") as peer:
            r = run_wscope(["-w", "0.2", peer.url], b"a\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"a\n", r)


class PipeModeOnTheWire(unittest.TestCase):
    """What the client actually sends, recorded by the raw-socket server."""

    def record(self, args, stdin, **kw):
        with raw_peer("record") as peer:
            r = run_wscope([*args, peer.url], stdin, **kw)
            lines = peer.finish()
        frames = parse_frames(lines)
        return r, frames, lines

    def data_frames(self, frames):
        return [(f["op"], f["data"]) for f in frames if f["op"] != OP_CLOSE]

    def assert_closed_1000(self, frames, lines):
        self.assertEqual(client_close(lines), ("1000", ""), "\n".join(lines))
        self.assertEqual(frames[-1]["op"], OP_CLOSE)

    def test_lines_become_text_frames(self):
        r, frames, lines = self.record([], b"a\nbc\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames), [(OP_TEXT, b"a"), (OP_TEXT, b"bc")])
        self.assertTrue(all(f["fin"] == 1 and f["rsv"] == "000" for f in frames), lines)
        self.assert_closed_1000(frames, lines)

    def test_crlf_stripped_lone_cr_kept(self):
        r, frames, lines = self.record([], b"a\r\nb\r\nx\ry\r\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames),
                         [(OP_TEXT, b"a"), (OP_TEXT, b"b"), (OP_TEXT, b"x\ry")])

    def test_empty_line_is_empty_message(self):
        r, frames, lines = self.record([], b"a\n\nb\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames),
                         [(OP_TEXT, b"a"), (OP_TEXT, b""), (OP_TEXT, b"b")])

    def test_binary_option_uses_binary_opcode(self):
        r, frames, lines = self.record(["-b"], b"\xff\x00\nxy\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames), [(OP_BINARY, b"\xff\x00"), (OP_BINARY, b"xy")])

    def test_null_delimited(self):
        r, frames, lines = self.record(["-0"], b"a\0b\nc\0\0d")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames),
                         [(OP_TEXT, b"a"), (OP_TEXT, b"b\nc"), (OP_TEXT, b""), (OP_TEXT, b"d")])

    def test_whole_stdin_is_one_message(self):
        r, frames, lines = self.record(["--whole"], b"line1\nline2\r\n\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data_frames(frames), [(OP_TEXT, b"line1\nline2\r\n\n")])

    def test_ping_answered_with_pong(self):
        with raw_peer("ping") as peer:
            r = run_wscope(["-n", 1, peer.url], keep_stdin_open=True, timeout=15)
            lines = peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"after ping\n", r)
        frames = parse_frames(lines)
        self.assertEqual([(f["op"], f["data"]) for f in frames][:1], [(10, b"are you there")],
                         "\n".join(lines))

    def test_every_frame_masked_with_a_fresh_key(self):
        stdin = b"".join(b"m%d\n" % i for i in range(64))
        r, frames, lines = self.record([], stdin)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(frames), 65, lines)
        self.assertTrue(all(f["masked"] == 1 for f in frames), lines)
        keys = [f["key"] for f in frames]
        self.assertEqual(len(set(keys)), len(keys), f"mask keys repeat: {keys}")

    def test_invalid_utf8_line_is_never_sent(self):
        r, frames, lines = self.record([], b"ok\n\xff\xfe bad\nafter\n")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("line 2", r.err, r)
        self.assertTrue(error_lines(r.err), f"no 'wscope: …' error line: {r}")
        for op, data in self.data_frames(frames):
            self.assertNotIn(b"\xff\xfe", data, f"the bad line reached the server: {lines}")
            if op == OP_TEXT:
                data.decode("utf-8")  # raises if a malformed text frame got through
        self.assertNotIn((OP_TEXT, b"after"), self.data_frames(frames),
                         "kept sending after the bad line")


if __name__ == "__main__":
    unittest.main(verbosity=2)
