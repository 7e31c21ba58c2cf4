#!/usr/bin/python3
"""Small truths a newcomer relies on: a wss:// client to a plain listener fails at once with a
hint, the listener answers a TLS ClientHello at once, -v shows a refusal's body and a
subprotocol that was offered but not selected, http:// URLs are read as ws:// with a note, a
plain HTTP request gets 426, and a handshake that gets no answer is exit 2 (as the man page
says).
"""
import socket
import time
import unittest

from e2e_support import Listener, RawServer, error_lines, run_wscope

WAIT = 10


def http_exchange(port, request):
    """Sends raw bytes to 127.0.0.1:port; returns (the answer until the server closes, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer, time.monotonic() - start


# A TLS 1.2 ClientHello's first bytes: a handshake record (0x16), version 3.1, a length.
CLIENT_HELLO_START = bytes([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03])


class PlainListener(unittest.TestCase):
    def setUp(self):
        self.listener = Listener("--echo")
        self.addCleanup(self.listener.stop)

    def test_wss_client_to_a_plain_listener_fails_at_once_with_a_hint(self):
        url = f"wss://127.0.0.1:{self.listener.port}/"
        r = run_wscope(["-k", url], b"hi\n", timeout=15)
        self.assertEqual(r.rc, 3, r)
        self.assertLess(r.elapsed, 3, r)
        errors = [l for l in error_lines(r.err) if "error:" in l]  # -k adds a warning line
        self.assertEqual(len(errors), 1, r)
        self.assertIn("the server answered in plain HTTP: is it ws://?", errors[0], r)

    def test_the_listener_answers_a_client_hello_at_once(self):
        answer, elapsed = http_exchange(self.listener.port, CLIENT_HELLO_START)
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer)
        self.assertIn(b"TLS handshake", answer)
        self.assertLess(elapsed, 2)

    def test_plain_http_gets_426(self):
        answer, _ = http_exchange(self.listener.port,
                                  b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 426 Upgrade Required\r\n"), answer)
        self.assertIn(b"\r\nUpgrade: websocket\r\n", answer)

    def test_v_notes_a_subprotocol_offered_but_not_selected(self):
        r = run_wscope(["-v", "-s", "chat", "-s", "v2", "-n", "1", self.listener.url], b"hi\n",
                       keep_stdin_open=True, timeout=15)
        self.assertEqual((r.rc, r.out), (0, b"hi\n"), r)
        self.assertIn("* the server selected none of the offered subprotocols (chat, v2)", r.err, r)
        quiet = run_wscope(["-s", "chat", "-n", "1", self.listener.url], b"hi\n",
                           keep_stdin_open=True, timeout=15)
        self.assertNotIn("selected none", quiet.err, quiet)

    def test_http_url_is_read_as_ws_with_a_note(self):
        url = f"http://127.0.0.1:{self.listener.port}/"
        r = run_wscope([url], b"hi\n", timeout=15)
        self.assertEqual((r.rc, r.out), (0, b"hi\n"), r)
        self.assertIn("wscope: http:// read as ws://", r.err, r)


def refuse_403(conn):
    conn.read_head()
    body = b"bad token: ask for a new one\r\nsee /docs\r\n"
    conn.send(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    time.sleep(3)  # keeps the connection open: the body's end is its length


def never_answer(conn):
    conn.read_head()
    time.sleep(5)


class Refusals(unittest.TestCase):
    def test_v_shows_the_body_of_a_refusal(self):
        with RawServer(refuse_403, timeout=WAIT) as server:
            r = run_wscope(["-v", server.url], b"", timeout=15)
        self.assertEqual(r.rc, 4, r)
        self.assertLess(r.elapsed, 2.5, r)  # the body ends at Content-Length, not at EOF
        lines = r.err.splitlines()
        self.assertIn("< HTTP/1.1 403 Forbidden", lines, r)
        at = lines.index("< HTTP/1.1 403 Forbidden")
        self.assertEqual(lines[at + 3:at + 6],
                         ["<", "< bad token: ask for a new one", "< see /docs"], r)
        self.assertEqual(len(error_lines(r.err)), 1, r)

    def test_no_body_without_v(self):
        with RawServer(refuse_403, timeout=WAIT) as server:
            r = run_wscope([server.url], b"", timeout=15)
        self.assertEqual(r.rc, 4, r)
        self.assertNotIn("bad token", r.err, r)

    def test_a_handshake_without_an_answer_is_exit_2(self):
        with RawServer(never_answer, timeout=WAIT) as server:
            r = run_wscope(["--connect-timeout", "0.5", server.url], b"", timeout=15)
        self.assertEqual(r.rc, 2, r)
        self.assertLess(r.elapsed, 4, r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, r)
        self.assertIn("no response from the server within 0.5s", errors[0], r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
