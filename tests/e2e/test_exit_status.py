#!/usr/bin/python3
"""The exit status tells the truth whatever stdin does (SPEC §2.5): a peer that refuses a
message, answers our Close with an error code, drops TCP or closes with 1011 at once makes
wscope exit 6 with one error line that carries the peer's close reason, whether stdin was at
EOF (a pipe, or /dev/null) or still open.

The peer is a raw-socket server on a thread of this process (tests/peers/wsframe.py), so each
case does exactly one thing on the wire at the moment it chooses.
"""
import socket
import subprocess
import unittest

from e2e_support import ROOT, WSCOPE, RawServer, error_lines, run_wscope
from wsframe import OP_BINARY, OP_CLOSE, OP_TEXT, close_payload, encode_frame, server_handshake

WAIT = 10


def handshaken(behaviour):
    """A RawServer's serve: the opening handshake, then `behaviour(conn)`."""
    def serve(conn):
        server_handshake(conn)
        behaviour(conn)
    return serve


def data_frames_until_close(conn):
    """Reads frames until a data frame (returned) or a Close (None)."""
    while True:
        f = conn.read_frame()
        if f.op in (OP_TEXT, OP_BINARY):
            return f
        if f.op == OP_CLOSE:
            return None


def answer_close_and_wait(conn, code, reason):
    """Sends Close(code, reason) and reads until the client's Close comes back (or TCP ends)."""
    conn.send(encode_frame(OP_CLOSE, close_payload(code, reason.encode())))
    while (f := conn.read_frame_or_none()) is not None and f.op != OP_CLOSE:
        pass


def refuse_with_1009(conn):
    if data_frames_until_close(conn) is not None:
        answer_close_and_wait(conn, 1009, "message too big for me")


def answer_our_close_with_1011(conn):
    while (f := conn.read_frame_or_none()) is not None:
        if f.op in (OP_TEXT, OP_BINARY):
            conn.send(encode_frame(f.op, f.payload))
        elif f.op == OP_CLOSE:
            conn.send(encode_frame(OP_CLOSE, close_payload(1011, b"server broke")))
            return


def hi_then_drop(conn):
    conn.send(encode_frame(OP_TEXT, b"hi"))
    conn.sock.shutdown(socket.SHUT_RDWR)


def close_1011_at_once(conn):
    answer_close_and_wait(conn, 1011, "startup failed")


def run_devnull(args, timeout=20):
    """wscope ARGS with stdin from /dev/null → (exit status, stdout, stderr)."""
    p = subprocess.run([WSCOPE, *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


class ExitStatus(unittest.TestCase):
    def assert_exit_6(self, rc, err, reason, what):
        self.assertEqual(rc, 6, f"{what}: exit {rc}\n{err}")
        errors = error_lines(err)
        self.assertEqual(len(errors), 1, f"{what}: want one error line\n{err}")
        self.assertIn(reason, errors[0], f"{what}: the reason is missing\n{err}")

    def test_whole_message_refused_with_1009(self):
        data = b"x" * 100
        with RawServer(handshaken(refuse_with_1009), timeout=WAIT) as server:
            r = run_wscope(["--whole", server.url], data, timeout=20)
            self.assert_exit_6(r.rc, r.err, "message too big for me", "--whole, stdin at EOF")
            self.assertIn("1009", error_lines(r.err)[0], r)
            # stdin held open: a line is one message, refused the same way
            r = run_wscope([server.url], data + b"\n", keep_stdin_open=True, timeout=20)
            self.assert_exit_6(r.rc, r.err, "message too big for me", "stdin held open")

    def test_our_close_answered_with_1011(self):
        with RawServer(handshaken(answer_our_close_with_1011), timeout=WAIT) as server:
            r = run_wscope([server.url], b"hi\n", timeout=20)
            self.assertEqual(r.out, b"hi\n", r)
            self.assert_exit_6(r.rc, r.err, "server broke", "stdin at EOF")
            rc, _, err = run_devnull([server.url])
            self.assert_exit_6(rc, err, "server broke", "stdin /dev/null")
            r = run_wscope(["-n", "1", server.url], b"hi\n", keep_stdin_open=True, timeout=20)
            self.assert_exit_6(r.rc, r.err, "server broke", "stdin held open, -n 1")

    def test_hi_then_tcp_drop(self):
        with RawServer(handshaken(hi_then_drop), timeout=WAIT) as server:
            rc, out, err = run_devnull([server.url])
            self.assertEqual(out, b"hi\n", err)
            self.assertEqual(rc, 6, err)
            self.assertEqual(len(error_lines(err)), 1, err)
            r = run_wscope([server.url], keep_stdin_open=True, timeout=20)
            self.assertEqual((r.rc, r.out), (6, b"hi\n"), r)
            self.assertEqual(len(error_lines(r.err)), 1, r)

    def test_1011_right_after_connecting_is_always_6(self):
        with RawServer(handshaken(close_1011_at_once), timeout=WAIT) as server:
            outcomes = []
            for _ in range(20):
                rc, _, err = run_devnull([server.url])
                errors = error_lines(err)
                ok = rc == 6 and len(errors) == 1 and "startup failed" in errors[0]
                outcomes.append("6" if ok else f"exit {rc}: {err.strip()!r}")
            self.assertEqual(outcomes, ["6"] * 20)
            r = run_wscope([server.url], keep_stdin_open=True, timeout=20)
            self.assert_exit_6(r.rc, r.err, "startup failed", "stdin held open")
            self.assertIn("1011", error_lines(r.err)[0], r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
