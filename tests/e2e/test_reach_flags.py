#!/usr/bin/python3
"""--max-time, --socks5 and --socks5-hostname (SPEC §2.10), with the real binary.

--max-time: against a raw server on a thread here that completes the handshake and never
sends (it records the Close it receives), one that accepts TCP and never answers the upgrade,
and one that drops every connection (with --reconnect waiting longer than the time left).
Each run must end within its bound with exit 7; when a connection was open, the server sees
Close 1000.

--socks5 / --socks5-hostname: through Debian's microsocks (started as test_client_socks5.py
does), whose log says which target it connected to. Everything is on loopback.
"""
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest

from e2e_support import PEERS, PYTHON, Peer, error_lines, run_wscope
from test_client_socks5 import MICROSOCKS, Microsocks, clean_env
from wsframe import OP_CLOSE, Conn, parse_close, server_handshake

WAIT = 10


class SilentServer:
    """Each connection: the handshake (unless `upgrade` is False), then frames are read and
    the Close recorded; nothing is ever sent."""

    def __init__(self, upgrade=True):
        self.upgrade = upgrade
        self.closes = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(s,), daemon=True).start()

    def _serve(self, s):
        with s:
            conn = Conn(s, timeout=WAIT)
            try:
                if not self.upgrade:
                    while True:
                        conn.fill()
                server_handshake(conn)
                while True:
                    frame = conn.read_frame()
                    if frame.op == OP_CLOSE:
                        self.closes.append(parse_close(frame.payload))
            except (OSError, EOFError, ValueError):
                return

    def stop(self):
        self.sock.close()


class MaxTime(unittest.TestCase):
    def server(self, **kw):
        s = SilentServer(**kw)
        self.addCleanup(s.stop)
        return s

    def test_n_waiting_for_messages_that_never_come(self):
        s = self.server()
        # The server never answers the Close: the wait for it (--close-timeout 5) is cut to 1 s.
        r = run_wscope(["--max-time", "1", "--close-timeout", "5", "-n", "1", s.url],
                       keep_stdin_open=True, timeout=15)
        self.assertEqual(r.rc, 7, r)
        self.assertGreaterEqual(r.elapsed, 1.9, r)
        self.assertLess(r.elapsed, 1 + 1 + 1.5, r)
        deadline = time.monotonic() + 2
        while not s.closes and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(s.closes, [(1000, "")], r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, r)
        self.assertIn("--max-time", errors[0], r)

    def test_stdin_that_never_ends(self):
        s = self.server()
        r = run_wscope(["--max-time", "0.8", "--close-timeout", "0.3", s.url], b"a\n",
                       keep_stdin_open=True, timeout=15)
        self.assertEqual(r.rc, 7, r)
        self.assertLess(r.elapsed, 0.8 + 0.3 + 1.5, r)

    def test_the_connect_phase_counts(self):
        s = self.server(upgrade=False)
        r = run_wscope(["--max-time", "0.7", "-n", "1", s.url], keep_stdin_open=True, timeout=15)
        self.assertEqual(r.rc, 7, r)
        self.assertGreaterEqual(r.elapsed, 0.6, r)
        self.assertLess(r.elapsed, 0.7 + 1.5, r)
        self.assertIn("while connecting", r.err, r)

    def test_a_reconnect_wait_is_cut_short(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()  # nothing listens: every try is refused
        r = run_wscope(["--max-time", "0.8", "--reconnect", "--reconnect-delay", "5",
                        "-d", "x", f"ws://127.0.0.1:{port}/"], timeout=15)
        self.assertEqual(r.rc, 7, r)
        self.assertLess(r.elapsed, 0.8 + 1.5, r)

    def test_bad_value(self):
        r = run_wscope(["--max-time", "0", "ws://127.0.0.1:9/"])
        self.assertEqual(r.rc, 1, r)
        self.assertIn("--max-time must be a positive number of seconds", r.err, r)


class ReplMaxTime(unittest.TestCase):
    def test_the_repl_closes_when_the_time_is_up(self):
        from test_repl import Pane, wscope_command
        if shutil.which("tmux") is None:
            raise AssertionError("tmux is not installed (scripts/deps installs it)")
        s = SilentServer()
        self.addCleanup(s.stop)
        state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        self.addCleanup(state.cleanup)
        pane = Pane(wscope_command("--max-time", "1", "--close-timeout", "0.3", s.url),
                    {"XDG_STATE_HOME": state.name, "INPUTRC": "/dev/null", "TERM": "screen"})
        self.addCleanup(pane.kill)
        pane.wait_for(r"^\* connected to ")
        self.assertEqual(pane.exit_status(timeout=WAIT), 7, pane.screen())
        self.assertIn("* --max-time reached", pane.screen())
        self.assertEqual(s.closes, [(1000, "")], pane.screen())


class Socks5Flags(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(MICROSOCKS, os.X_OK):
            raise AssertionError(f"microsocks is not installed ({MICROSOCKS}); scripts/deps installs it")
        cls.tmp = tempfile.mkdtemp(prefix="wscope-socks5-flags-")
        cls.echo = Peer([PYTHON, os.path.join(PEERS, "reach_ws.py")])
        cls.proxy = Microsocks(cls.tmp)
        cls.target = f"127.0.0.1:{cls.echo.port}"

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.echo.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_socks5_and_socks5_hostname(self):
        # localhost: --socks5 sends the address resolved here, --socks5-hostname the name.
        url = f"ws://localhost:{self.echo.port}/"
        for flag, target in (("--socks5", self.target), ("--socks5-hostname", f"localhost:{self.echo.port}")):
            with self.subTest(flag):
                before = self.proxy.log().count("connected to ")
                r = run_wscope(["-4", flag, f"127.0.0.1:{self.proxy.port}", "-v", url], b"hi\n",
                               env=clean_env(), timeout=30)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.out, b"hi\n", r)
                self.assertGreater(self.proxy.log().count("connected to "), before, r)
                if flag == "--socks5":
                    self.assertIn("resolved localhost locally", r.err, r)
                else:
                    self.assertNotIn("resolved localhost locally", r.err, r)

    def test_usage_errors(self):
        for args, needle in ((["-x", "http://127.0.0.1:1", "--socks5", "127.0.0.1:2"], "choose one of"),
                             (["--socks5", "socks5://127.0.0.1:2"], "takes HOST:PORT")):
            r = run_wscope([*args, "ws://127.0.0.1:9/"], env=clean_env())
            self.assertEqual(r.rc, 1, r)
            self.assertIn(needle, r.err, r)


if __name__ == "__main__":
    unittest.main()
