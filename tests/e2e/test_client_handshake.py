#!/usr/bin/python3
"""The opening handshake as a client (SPEC §2.1, RFC 6455 §4.1): what we send, and every way a
server's answer can be wrong (exit 4), plus connect failures (exit 2) and usage errors (exit 1)."""
import base64
import unittest

from e2e_support import error_lines, free_port_refusing, raw_peer, run_wscope
from wsframe import accept_value


def headers_of(lines):
    out = {}
    for line in lines:
        if line.startswith("HEADER "):
            name, _, value = line[7:].partition(": ")
            out.setdefault(name.lower(), []).append(value)
    return out


class Request(unittest.TestCase):
    def record(self, args, url_suffix="", userinfo=""):
        with raw_peer("record") as peer:
            url = peer.url.replace("ws://", f"ws://{userinfo}") + url_suffix
            r = run_wscope([*args, url], b"hi\n")
            lines = peer.finish()
        self.assertEqual(r.rc, 0, r)
        return peer, lines, headers_of(lines)

    def test_request_is_rfc_6455_4_1(self):
        peer, lines, h = self.record([], "chat?room=1&x=%20")
        self.assertIn("REQUEST GET /chat?room=1&x=%20 HTTP/1.1", lines)
        self.assertEqual(h.get("host"), [f"127.0.0.1:{peer.port}"])
        self.assertEqual([v.lower() for v in h.get("upgrade", [])], ["websocket"])
        self.assertIn("upgrade", [t.strip().lower() for v in h.get("connection", [])
                                  for t in v.split(",")])
        self.assertEqual(h.get("sec-websocket-version"), ["13"])
        keys = h.get("sec-websocket-key", [])
        self.assertEqual(len(keys), 1, lines)
        self.assertEqual(len(base64.b64decode(keys[0], validate=True)), 16)

    def test_key_is_fresh_each_time(self):
        keys = {self.record([])[2]["sec-websocket-key"][0] for _ in range(3)}
        self.assertEqual(len(keys), 3)

    def test_custom_headers_origin_subprotocol(self):
        _, lines, h = self.record(["-H", "X-Test: yes", "-o", "http://origin.test",
                                   "-s", "chat", "-s", "superchat"])
        self.assertEqual(h.get("x-test"), ["yes"], lines)
        self.assertEqual(h.get("origin"), ["http://origin.test"], lines)
        offered = [t.strip() for v in h.get("sec-websocket-protocol", []) for t in v.split(",")]
        self.assertEqual(offered, ["chat", "superchat"], lines)

    def test_userinfo_becomes_basic_auth(self):
        _, lines, h = self.record([], userinfo="user:pa%3Ass@")
        self.assertEqual(h.get("authorization"),
                         ["Basic " + base64.b64encode(b"user:pa:ss").decode()], lines)


class Rejected(unittest.TestCase):
    def rejected(self, mode):
        with raw_peer(f"handshake-{mode}") as peer:
            r = run_wscope([peer.url], b"never sent\n", timeout=15)
            lines = peer.finish()
        self.assertEqual(r.rc, 4, r)
        self.assertEqual(r.out, b"", r)
        self.assertEqual(len(error_lines(r.err)), 1, f"want one 'wscope: …' error line: {r}")
        after = [l for l in lines if l.startswith("AFTER")]
        self.assertIn(after, (["AFTER 0"], ["AFTER error"]),
                      "the client sent bytes after a failed handshake:\n" + "\n".join(lines))
        return r, lines

    def test_404(self):
        r, _ = self.rejected("404")
        self.assertIn("404", error_lines(r.err)[0], r)

    def test_200_is_not_an_upgrade(self):
        r, _ = self.rejected("200")
        self.assertIn("200", error_lines(r.err)[0], r)

    def test_wrong_accept_names_expected_and_received(self):
        r, lines = self.rejected("bad-accept")
        key = headers_of(lines)["sec-websocket-key"][0]
        expected = accept_value(key)
        received = accept_value(key + "x")
        self.assertIn("Sec-WebSocket-Accept", r.err, r)
        self.assertIn(expected, r.err, r)
        self.assertIn(received, r.err, r)

    def test_missing_upgrade_header(self):
        r, _ = self.rejected("no-upgrade")
        self.assertIn("upgrade", r.err.lower(), r)

    def test_wrong_upgrade_header(self):
        self.rejected("upgrade-h2c")

    def test_missing_connection_header(self):
        r, _ = self.rejected("no-connection")
        self.assertIn("connection", r.err.lower(), r)

    def test_subprotocol_not_offered(self):
        r, _ = self.rejected("subprotocol")
        self.assertIn("chat", r.err, r)

    def test_extension_not_offered(self):
        r, _ = self.rejected("extension")
        self.assertIn("permessage-deflate", r.err, r)

    def test_not_http(self):
        self.rejected("garbage")


class ConnectAndUsage(unittest.TestCase):
    def test_connection_refused_exits_2(self):
        port = free_port_refusing()
        r = run_wscope([f"ws://127.0.0.1:{port}/"], b"x\n", timeout=15)
        self.assertEqual(r.rc, 2, r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, r)
        self.assertIn("refused", errors[0], r)
        self.assertIn(str(port), errors[0], r)

    def test_bad_urls_exit_1(self):
        for url in ("ftp://127.0.0.1/", "ws://", "ws://127.0.0.1:99999/", "ws://[::1/",
                    "127.0.0.1:80 no scheme"):
            with self.subTest(url=url):
                r = run_wscope([url], b"", timeout=10)
                self.assertEqual(r.rc, 1, r)
                self.assertTrue(error_lines(r.err) or r.err.strip(), r)

    def test_unknown_option_exits_1(self):
        r = run_wscope(["--no-such-option", "ws://127.0.0.1:9/"], b"", timeout=10)
        self.assertEqual(r.rc, 1, r)

    def test_missing_url_exits_1(self):
        r = run_wscope([], b"", timeout=10)
        self.assertEqual(r.rc, 1, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
