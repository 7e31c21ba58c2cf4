#!/usr/bin/python3
"""The closing handshake and exit status (SPEC §2.1, §2.5): who closed, with what code."""
import unittest

from e2e_support import client_close, error_lines, py_peer, raw_peer, run_wscope


class ServerCloses(unittest.TestCase):
    def server_closes(self, code, reason=""):
        with py_peer("close", "--count", 2, "--code", code, "--reason", reason) as peer:
            r = run_wscope([peer.url], keep_stdin_open=True, timeout=15)
            closed = peer.wait_for("CLOSED")
        self.assertEqual(r.out, b"message 0\nmessage 1\n", r)
        self.assertNotEqual(closed, "CLOSED 1006 ", "the client did not answer the Close")
        return r, closed

    def test_1000_exits_0(self):
        r, closed = self.server_closes(1000)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(closed, "CLOSED 1000 ")

    def test_1001_going_away_exits_0(self):
        r, closed = self.server_closes(1001, "restart")
        self.assertEqual(r.rc, 0, r)

    def test_4000_exits_6_and_says_so(self):
        r, closed = self.server_closes(4000, "bye")
        self.assertEqual(r.rc, 6, r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, r)
        self.assertIn("4000", errors[0], r)

    def test_1011_internal_error_exits_6(self):
        r, closed = self.server_closes(1011, "oops")
        self.assertEqual(r.rc, 6, r)
        self.assertIn("1011", r.err, r)

    def test_connection_dropped_without_close_exits_6(self):
        with raw_peer("drop") as peer:
            r = run_wscope([peer.url], keep_stdin_open=True, timeout=15)
            peer.finish()
        self.assertEqual(r.rc, 6, r)
        self.assertEqual(r.out, b"last words\n", r)
        self.assertTrue(error_lines(r.err), f"no 'wscope: …' error line: {r}")


class ClientCloses(unittest.TestCase):
    def test_close_code_and_reason_options(self):
        with py_peer("echo") as peer:
            r = run_wscope(["--close-code", 4001, "--close-reason", "x", peer.url], b"hi\n")
            closed = peer.wait_for("CLOSED")
        self.assertEqual(r.out, b"hi\n", r)
        self.assertEqual(closed, "CLOSED 4001 x")
        # We chose the code and the server agreed: a completed closing handshake.
        self.assertEqual(r.rc, 0, r)

    def test_close_code_on_the_wire(self):
        with raw_peer("record") as peer:
            r = run_wscope(["--close-code", 3000, "--close-reason", "done here", peer.url], b"")
            lines = peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(client_close(lines), ("3000", "done here"), "\n".join(lines))

    def test_reserved_close_code_is_a_usage_error(self):
        # 1004/1005/1006/1015 must never be sent (RFC 6455 §7.4.1); 999 and 5000 are no codes.
        for code in (999, 1004, 1005, 1006, 1015, 5000):
            with self.subTest(code=code):
                r = run_wscope(["--close-code", code, "ws://127.0.0.1:9/"], b"", timeout=10)
                self.assertEqual(r.rc, 1, r)

    def test_close_timeout_when_the_peer_never_answers(self):
        # The server never answers our Close and keeps TCP open: give up after 1 s of silence.
        with raw_peer("silent") as peer:
            r = run_wscope(["--close-timeout", 1, peer.url], b"", timeout=15)
            lines = peer.finish()
        self.assertEqual(r.out, b"hello\n", r)
        self.assertEqual(client_close(lines), ("1000", ""), "\n".join(lines))
        self.assertEqual(r.rc, 7, r)
        self.assertLess(r.elapsed, 6, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
