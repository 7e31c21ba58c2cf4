#!/usr/bin/python3
"""--reconnect (SPEC §2.10): the real binary against raw-socket servers on a thread of this
process that count the connections and record, for each, the request headers, the text
messages and the Close they received. Each server does one thing on every connection (or a
list of things, one per connection): drop at accept, drop after the handshake, drop after N
messages, close with a code, or stay silent.

Checked: the handshake is re-run with the same headers and the -d messages are re-sent on
every connection; a server that accepts and drops at once is retried at the backoff pace
(never faster than MIN); the server's Close 1000 ends the run unless --reconnect-always; after
MAX tries the exit status is the last failure's; -v and --jsonl show each attempt; the REPL
says "reconnected (try N)". Everything is on loopback; every wait has a deadline.
"""
import json
import socket
import subprocess
import threading
import time
import unittest

from e2e_support import WSCOPE, run_wscope
from wsframe import (OP_CLOSE, OP_TEXT, Conn, close_payload, encode_frame, header,
                     parse_close, server_handshake)

WAIT = 10


class Server:
    """Accepts connections and treats connection i with plan[min(i, len(plan) - 1)]:
      ("drop",)            close TCP at once, before reading anything
      ("drop-after", N)    handshake, read N text messages, close TCP without a Close
      ("close", CODE, N)   handshake, read N text messages, send Close CODE, read the reply
      ("silent",)          handshake, then read and record frames, sending nothing
    Records per connection: accept time, request headers, texts, the Close received."""

    def __init__(self, *plan):
        self.plan = plan
        self.conns = []  # dicts: t, headers, texts, close
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            record = {"t": time.monotonic(), "headers": [], "texts": [], "close": None}
            with self.lock:
                index = len(self.conns)
                self.conns.append(record)
            step = self.plan[min(index, len(self.plan) - 1)]
            threading.Thread(target=self._serve, args=(s, step, record), daemon=True).start()

    def _serve(self, s, step, record):
        with s:
            if step[0] == "drop":
                return
            conn = Conn(s, timeout=WAIT)
            try:
                _, record["headers"] = server_handshake(conn)
                want = step[-1] if step[0] in ("drop-after", "close") else None
                while want is None or len(record["texts"]) < want:
                    frame = conn.read_frame()
                    if frame.op == OP_TEXT:
                        record["texts"].append(frame.payload.decode())
                    elif frame.op == OP_CLOSE:
                        record["close"] = parse_close(frame.payload)
                        return
                if step[0] == "close":
                    conn.send(encode_frame(OP_CLOSE, close_payload(step[1])))
                    while True:
                        frame = conn.read_frame()
                        if frame.op == OP_CLOSE:
                            record["close"] = parse_close(frame.payload)
                            return
            except (OSError, EOFError, ValueError):
                return

    def count(self):
        with self.lock:
            return len(self.conns)

    def snapshot(self):
        with self.lock:
            return [dict(c) for c in self.conns]

    def stop(self):
        self.stopping = True
        self.sock.close()


def gaps(conns):
    return [b["t"] - a["t"] for a, b in zip(conns, conns[1:])]


class Reconnect(unittest.TestCase):
    def server(self, *plan):
        s = Server(*plan)
        self.addCleanup(s.stop)
        return s

    def test_accept_and_drop_is_retried_at_the_backoff_pace(self):
        s = self.server(("drop",))
        r = run_wscope(["--reconnect=3", "--reconnect-delay", "0.3:0.6", "-d", "hi", s.url])
        once = run_wscope(["-d", "hi", s.url])
        self.assertNotEqual(once.rc, 0, once)
        self.assertEqual(r.rc, once.rc, f"the last failure's code\n{r}\n{once}")
        conns = s.snapshot()
        self.assertEqual(len(conns), 1 + 3 + 1, f"{r}\n{conns}")  # 4 for r, 1 for once
        for gap in gaps(conns[:4]):
            self.assertGreaterEqual(gap, 0.29, f"faster than MIN: {gaps(conns[:4])}")
            self.assertLess(gap, 1.5, gaps(conns[:4]))
        self.assertEqual(len([l for l in r.err.splitlines() if l.startswith("wscope:")]), 1, r)

    def test_handshake_and_data_are_sent_again_on_each_connection(self):
        s = self.server(("drop-after", 2), ("drop-after", 2), ("close", 1000, 2))
        r = run_wscope(["--reconnect=5", "--reconnect-delay", "0.1:0.2", "-H", "X-Probe: again",
                        "-d", "one", "-d", "two", s.url])
        self.assertEqual(r.rc, 0, r)
        time.sleep(0.5)  # a fourth connection would come within the backoff
        conns = s.snapshot()
        self.assertEqual(len(conns), 3, f"{r}\n{conns}")
        for c in conns:
            self.assertEqual(c["texts"], ["one", "two"], conns)
            self.assertEqual(header(c["headers"], "X-Probe"), "again", conns)

    def test_stdin_goes_on_in_the_new_connection(self):
        s = self.server(("drop-after", 1), ("close", 1000, 2))
        proc = subprocess.Popen([WSCOPE, "--reconnect", "--reconnect-delay", "0.1:0.2", s.url],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, bufsize=0)
        try:
            proc.stdin.write(b"a\n")
            deadline = time.monotonic() + WAIT
            while s.count() < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            proc.stdin.write(b"b\nc\n")
            proc.stdin.close()
            rc = proc.wait(WAIT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        self.assertEqual(rc, 0, err)
        self.assertEqual([c["texts"] for c in s.snapshot()], [["a"], ["b", "c"]], err)

    def test_the_servers_close_1000_ends_the_run(self):
        s = self.server(("close", 1000, 1))
        r = run_wscope(["--reconnect", "--reconnect-delay", "0.1", "-d", "x", s.url])
        self.assertEqual(r.rc, 0, r)
        time.sleep(0.4)
        self.assertEqual(s.count(), 1, r)

    def test_reconnect_always_retries_after_1000_too(self):
        s = self.server(("close", 1000, 1))
        r = run_wscope(["--reconnect=2", "--reconnect-always", "--reconnect-delay", "0.1:0.2",
                        "-d", "x", s.url])
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(s.count(), 3, r)

    def test_error_close_gives_up_after_max_with_its_code(self):
        s = self.server(("close", 1011, 1))
        r = run_wscope(["--reconnect=2", "--reconnect-delay", "0.1:0.2", "-v", "-d", "x", s.url])
        self.assertEqual(r.rc, 6, r)
        self.assertEqual(s.count(), 3, r)
        attempts = [l for l in r.err.splitlines() if "reconnecting in" in l]
        self.assertEqual(len(attempts), 2, r)
        self.assertIn("(try 1 of 2)", attempts[0], r)
        self.assertIn("(try 2 of 2)", attempts[1], r)
        self.assertIn("1011", attempts[0], r)
        self.assertEqual(len([l for l in r.err.splitlines() if "reconnected (try" in l]), 2, r)

    def test_jsonl_shows_each_attempt(self):
        s = self.server(("drop-after", 1))
        r = run_wscope(["--jsonl", "--reconnect=2", "--reconnect-delay", "0.1:0.2", "-d", "x",
                        s.url])
        self.assertEqual(r.rc, 6, r)
        events = [json.loads(l) for l in r.out.decode().splitlines()]
        kinds = [e["type"] for e in events]
        self.assertEqual(kinds.count("open"), 3, kinds)
        again = [e for e in events if e["type"] == "reconnect"]
        self.assertEqual([e["try"] for e in again], [1, 2], again)
        for e in again:
            self.assertEqual(e["max_tries"], 2)
            self.assertEqual(e["kind"], "connection_lost")
            self.assertTrue(100 <= e["delay_ms"] <= 200, e)
        self.assertEqual(kinds[-1], "error", kinds)
        self.assertEqual(events[-1]["exit_code"], 6)

    def test_a_close_of_ours_is_not_retried(self):
        s = self.server(("silent",))
        r = run_wscope(["--reconnect", "--reconnect-delay", "0.1", "-w", "0.2",
                        "--close-timeout", "0.3", "-d", "x", s.url])
        # The server hangs up on our Close without answering: a lost connection (6), which
        # would be retried had the server started it.
        self.assertEqual(r.rc, 6, r)
        time.sleep(0.4)
        self.assertEqual(s.count(), 1, r)

    def test_usage_errors(self):
        for args, needle in ((["--reconnect=0"], "--reconnect=MAX must be a positive integer"),
                             (["--reconnect-delay", "1"], "need --reconnect"),
                             (["--reconnect", "--reconnect-delay", "0"], "--reconnect-delay"),
                             (["--reconnect", "--reconnect-delay", "2:1"], "--reconnect-delay")):
            r = run_wscope([*args, "ws://127.0.0.1:9/"])
            self.assertEqual(r.rc, 1, r)
            self.assertIn(needle, r.err, r)


class ReplReconnect(unittest.TestCase):
    def test_the_repl_says_reconnected(self):
        import shutil
        from test_repl import Pane, wscope_command
        if shutil.which("tmux") is None:
            raise AssertionError("tmux is not installed (scripts/deps installs it)")
        import tempfile
        s = Server(("drop-after", 0), ("drop-after", 0), ("close", 1000, 1))
        self.addCleanup(s.stop)
        state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        self.addCleanup(state.cleanup)
        pane = Pane(wscope_command("--reconnect", "--reconnect-delay", "0.1:0.2", s.url),
                    {"XDG_STATE_HOME": state.name, "INPUTRC": "/dev/null", "TERM": "screen"})
        self.addCleanup(pane.kill)
        pane.wait_for(r"^\* reconnected \(try 2\)")
        self.assertRegex(pane.screen(), r"reconnecting in [0-9.]+s \(try 1\)")
        pane.wait_for(r"^>")
        pane.type("hello")
        pane.keys("Enter")
        self.assertEqual(pane.exit_status(), 0, pane.screen())
        self.assertEqual(s.count(), 3)
        self.assertEqual(s.snapshot()[2]["texts"], ["hello"])


if __name__ == "__main__":
    unittest.main()
