#!/usr/bin/python3
"""`wscope check URL` (SPEC §2.9) against real servers: Node `ws`, Python `websockets`, our own
`wscope listen --echo`, a raw-socket RFC 6455 server (tests/peers/conform_server.py) that is
correct by default and broken in one way with --break, and Debian's libwebsockets test server
when it is installed. Each broken server must FAIL exactly the cases about its defect."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

from e2e_support import PEERS, PYTHON, Listener, Peer, node_peer, py_peer, run_wscope

LINE = re.compile(r"^(\d+(?:\.\d+)+)\s+(PASS|FAIL|NON-STRICT|SKIP)\s+(.*) \((RFC 6455 §[\d.]+)\)$")


def conform_peer(mode="none"):
    return Peer([PYTHON, os.path.join(PEERS, "conform_server.py"), "--break", mode])


def check(url, *args, timeout=60):
    r = run_wscope(["check", "--jsonl", *args, url], timeout=timeout)
    rows = [json.loads(l) for l in bytes(r.out).decode().splitlines() if l.strip()]
    cases = {row["id"]: row for row in rows if row["type"] == "case"}
    summaries = [row for row in rows if row["type"] == "summary"]
    return r, cases, summaries


def failed(cases):
    return {i for i, c in cases.items() if c["verdict"] == "FAIL"}


def all_ids(cases):
    return set(cases)


class CheckAgainstRealServers(unittest.TestCase):
    def assert_no_fail(self, cases, r, allowed=()):
        bad = {i: cases[i]["reason"] for i in failed(cases) if i not in allowed}
        self.assertEqual(bad, {}, r)

    def test_node_ws(self):
        with node_peer() as peer:
            r, cases, summary = check(peer.url)
        self.assertGreater(len(cases), 140)
        self.assert_no_fail(cases, r)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(summary[0]["total"]["fail"], 0)

    def test_python_websockets(self):
        with py_peer("echo") as peer:
            r, cases, _ = check(peer.url)
        # python3-websockets 10.4 refuses another version with 400 but without the
        # Sec-WebSocket-Version header that RFC 6455 §4.4 requires: a real defect, reported.
        known = {"1.2.1", "1.2.2"}
        self.assert_no_fail(cases, r, allowed=known)
        for i in known & failed(cases):
            self.assertIn("without Sec-WebSocket-Version", cases[i]["reason"])

    def test_our_listen_echo_passes_every_case(self):
        server = Listener("--echo", "-q")
        try:
            r, cases, _ = check(server.url)
        finally:
            server.stop()
        not_pass = {i: (c["verdict"], c["reason"]) for i, c in cases.items() if c["verdict"] != "PASS"}
        self.assertEqual(not_pass, {}, r)
        self.assertEqual(r.rc, 0, r)

    def test_correct_raw_server_passes_every_case(self):
        # The reference for the broken ones below: without --break, nothing fails.
        with conform_peer() as peer:
            r, cases, _ = check(peer.url)
        self.assertEqual({i for i, c in cases.items() if c["verdict"] != "PASS"}, set(), r)


class CheckAgainstBrokenServers(unittest.TestCase):
    def expect_fails(self, mode, predicate, reason):
        with conform_peer(mode) as peer:
            r, cases, _ = check(peer.url)
        expected = {i for i in cases if predicate(i)}
        self.assertTrue(expected)
        self.assertEqual(failed(cases), expected, r)
        for i in expected:
            self.assertIn(reason, cases[i]["reason"], i)
        self.assertEqual(r.rc, 8, r)

    def test_echoes_invalid_utf8(self):
        self.expect_fails("utf8-echo", lambda i: i.startswith(("6.3.", "6.4.")),
                          "was echoed; expected Close 1007")

    def test_accepts_rsv_bits(self):
        self.expect_fails("rsv", lambda i: i.startswith("4.1."), "was accepted")

    def test_masks_its_frames(self):
        # Every case in which the server sends a frame; the handshake cases send none.
        self.expect_fails("masks", lambda i: not i.startswith("1."), "server frame is masked")

    def test_answers_a_bad_close_code_with_1000(self):
        self.expect_fails("close-1000", lambda i: i.startswith("7.3."),
                          "was answered with Close 1000 (normal); expected Close 1002")

    def test_sends_a_wrong_accept(self):
        self.expect_fails("wrong-accept", lambda i: i.startswith("1.1."), "Sec-WebSocket-Accept mismatch")


class CheckOutput(unittest.TestCase):
    def test_human_lines_summary_and_exit_code(self):
        with conform_peer("utf8-echo") as peer:
            r = run_wscope(["check", "--only", "6.*,7.3.2", peer.url], timeout=30)
        lines = bytes(r.out).decode().splitlines()
        self.assertEqual(r.rc, 8, r)
        cases = [LINE.match(l) for l in lines if l and l[0].isdigit()]
        self.assertTrue(all(cases), lines)
        ids = [m.group(1) for m in cases]
        self.assertTrue(all(i.startswith("6.") for i in ids[:-1]) and ids[-1] == "7.3.2", ids)
        self.assertIn("6.3.3   FAIL       invalid UTF-8 (an overlong NUL, C0 80) was echoed; "
                      "expected Close 1007 (RFC 6455 §8.1)", lines)
        self.assertTrue(any(l.startswith("utf8:") and "FAIL" in l for l in lines), lines)
        self.assertTrue(any(re.match(r"total: +45 cases: 9 PASS, 0 NON-STRICT, 36 FAIL, in ", l)
                            for l in lines), lines)

    def test_no_echo_skips_only_the_echo_cases(self):
        with conform_peer() as peer:
            r, cases, summary = check(peer.url, "--no-echo")
            _, everything, _ = check(peer.url, "--only", "1.*,2.1.1,3.*")
        skipped = {i for i, c in cases.items() if c["verdict"] == "SKIP"}
        self.assertTrue(all(cases[i]["echo"] for i in skipped))
        self.assertTrue(all(not c["echo"] for c in cases.values() if c["verdict"] != "SKIP"))
        self.assertIn("2.1.1", skipped)
        self.assertIn("6.3.3", cases)
        self.assertEqual(cases["6.3.3"]["verdict"], "PASS")
        self.assertEqual(summary[0]["total"]["skipped"], len(skipped))
        self.assertEqual(everything["2.1.1"]["verdict"], "PASS")
        self.assertEqual(r.rc, 0, r)

    def test_frames_and_hexdump_show_the_wire_both_ways(self):
        with conform_peer() as peer:
            r = run_wscope(["check", "-F", "-X", "--only", "3.1.2", peer.url], timeout=30)
        err = r.err if isinstance(r.err, str) else bytes(r.err).decode()
        self.assertIn("== 3.1.2 ", err)
        self.assertIn("> GET / HTTP/1.1", err)
        self.assertIn("< HTTP/1.1 101 Switching Protocols", err)
        self.assertRegex(err, r">> PING +fin=1 rsv=000 mask=[0-9a-f]{8} len=125")
        self.assertRegex(err, r"<< PONG +fin=1 rsv=000 len=125")
        self.assertRegex(err, r"\n   0000: 89 fd ")   # our masked ping as on the wire
        self.assertRegex(err, r"\n   0000: 8a 7d 61 62 63 ")  # the server's pong
        self.assertEqual(r.rc, 0, r)

    def test_unreachable_server_is_one_error(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        r = run_wscope(["check", f"ws://127.0.0.1:{port}/"], timeout=20)
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(bytes(r.out), b"")

    def test_bad_only_pattern_is_a_usage_error(self):
        r = run_wscope(["check", "--only", "42.*", "ws://127.0.0.1:9/"], timeout=20)
        self.assertEqual(r.rc, 1, r)


@unittest.skipUnless(shutil.which("libwebsockets-test-server"), "libwebsockets-test-server not installed")
class CheckAgainstLibwebsockets(unittest.TestCase):
    def test_no_echo_runs_to_the_end(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(["libwebsockets-test-server", f"--port={port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd="/tmp")
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            start = time.monotonic()
            r, cases, summary = check(f"ws://127.0.0.1:{port}/", "--no-echo", timeout=60)
            self.assertLess(time.monotonic() - start, 60)
            self.assertEqual(len(summary), 1, r)  # ran to the end
            self.assertIn(r.rc, (0, 8), r)
            total = summary[0]["total"]
            print(f"\nlibwebsockets-test-server --no-echo: {total}; FAIL: "
                  + ", ".join(sorted(failed(cases))))
        finally:
            proc.terminate()
            proc.wait(5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
