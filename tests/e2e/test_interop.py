#!/usr/bin/python3
"""The client against WebSocket implementations that are not ours: Autobahn|Python (with
permessage-deflate, RFC 7692), websocketd, libwebsockets' test server and Node's `ws`, each
from its Debian or npm package (scripts/deps), started here on 127.0.0.1 on a free port.

Most cases keep stdin open and end with `-n N` (close on the N-th reply). RepliesAtEof does
not: python `websockets` and websocketd answer our Close without sending the replies they were
about to send, which RFC 6455 §5.5.1 allows, and the linger of SPEC §2.1 (-w, 0.5 s of peer
silence by default) is what keeps those replies.
"""
import os
import random
import unittest

from e2e_support import PEERS, PYTHON, Peer, node_binary, run_wscope

RNG_SEED = 12


def autobahn(*options):
    return Peer([PYTHON, os.path.join(PEERS, "autobahn_echo.py"), *options])


def debian(kind):
    return Peer([PYTHON, os.path.join(PEERS, "debian_peer.py"), kind])


def python_websockets():
    return Peer([PYTHON, os.path.join(PEERS, "pyserver.py"), "--mode", "plain-echo"])


def node(*options):
    return Peer([node_binary(), os.path.join(PEERS, "ws_echo.js"), *options])


def throttle(target, rate):
    return Peer([PYTHON, os.path.join(PEERS, "throttle.py"), "--target", str(target),
                 "--rate", str(rate)])


def repetitive(rng, n, block=4096):
    """n letters: a random block repeated, so that a compressor finds matches `block` bytes
    back, farther than a 9-bit window reaches (a decompressor held to a smaller window than
    the compressor used fails on them)."""
    unit = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz €😀") for _ in range(block))
    return (unit * (n // block + 1))[:n]


def round_trip(test, url, messages, *args, binary=False, timeout=20):
    """Sends messages (one per line, or binary chunks of equal size), expects each back in
    order, exit 0. Returns the run."""
    if binary:
        size = len(messages[0])
        assert all(len(m) == size for m in messages)
        data = b"".join(messages)
        args = ("-b", "--chunk", str(size), *args)
        expected = data
    else:
        data = "".join(m + "\n" for m in messages).encode()
        expected = data
    r = run_wscope([*args, "-n", str(len(messages)), url], data, keep_stdin_open=True,
                   timeout=timeout)
    test.assertEqual(r.rc, 0, r)
    test.assertEqual(len(r.out), len(expected), r)
    test.assertTrue(r.out == expected, f"the replies differ from what was sent\n{r!r}")
    return r


def response_extensions(err):
    return [line[2:].split(":", 1)[1].strip() for line in err.splitlines()
            if line.lower().startswith("< sec-websocket-extensions:")]


TEXTS = ["hello", "caf\u00e9 \u20ac \U0001F600", "x" * 70000, "last"]


class Autobahn(unittest.TestCase):
    def test_text_and_binary_round_trips(self):
        rng = random.Random(RNG_SEED)
        with autobahn() as peer:
            round_trip(self, peer.url, TEXTS)
            round_trip(self, peer.url, [rng.randbytes(65536) for _ in range(3)], binary=True)
            round_trip(self, peer.url, [rng.randbytes(1)], binary=True)

    def check_deflate(self, peer, expected_param, *args):
        rng = random.Random(RNG_SEED)
        text = repetitive(rng, 65536)
        r = round_trip(self, peer.url, [text, text, text[:1000]], "--deflate", "-v", *args)
        agreed = response_extensions(r.err)
        self.assertEqual(len(agreed), 1, r)
        self.assertTrue(agreed[0].startswith("permessage-deflate"), r)
        if expected_param:
            self.assertIn(expected_param, agreed[0], r)
        block = repetitive(rng, 32768).encode()
        round_trip(self, peer.url, [block, block], "--deflate", *args, binary=True)

    def test_deflate_as_offered(self):
        with autobahn() as peer:
            self.check_deflate(peer, None)
            self.assertIn("ACCEPT permessage-deflate", peer.lines("ACCEPT"))

    def test_deflate_with_each_parameter_the_server_chooses(self):
        # RFC 7692 §7.1: a server may add server_no_context_takeover and server_max_window_bits
        # unasked, and ask for client_no_context_takeover and, as we offer it,
        # client_max_window_bits.
        cases = [
            (("--server-no-context-takeover",), "server_no_context_takeover"),
            (("--server-max-window-bits", "9"), "server_max_window_bits=9"),
            (("--server-max-window-bits", "12"), "server_max_window_bits=12"),
            (("--client-no-context-takeover",), "client_no_context_takeover"),
            (("--client-max-window-bits", "9"), "client_max_window_bits=9"),
            (("--client-max-window-bits", "12"), "client_max_window_bits=12"),
        ]
        for options, param in cases:
            with self.subTest(server=options), autobahn(*options) as peer:
                self.check_deflate(peer, param)

    def test_deflate_offers_with_each_parameter(self):
        # An offer written with -H replaces the default one (client_max_window_bits).
        offers = [
            ("permessage-deflate; server_no_context_takeover", "server_no_context_takeover"),
            ("permessage-deflate; server_max_window_bits=10", "server_max_window_bits=10"),
            ("permessage-deflate; client_no_context_takeover", None),
            ("permessage-deflate; client_max_window_bits=12", None),
            ("permessage-deflate; client_max_window_bits", None),
            ("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=11; client_max_window_bits", "server_max_window_bits=11"),
        ]
        with autobahn() as peer:
            for offer, param in offers:
                with self.subTest(offer=offer):
                    self.check_deflate(peer, param, "-H", f"Sec-WebSocket-Extensions: {offer}")

    def test_subprotocol_chosen_by_the_server(self):
        with autobahn("--subprotocol", "chat") as peer:
            r = round_trip(self, peer.url, ["hi"], "-s", "chat", "-v")
            self.assertIn("< Sec-WebSocket-Protocol: chat", r.err, r)


class Websocketd(unittest.TestCase):
    def test_lines_through_cat(self):
        with debian("websocketd-cat") as peer:
            round_trip(self, peer.url, ["one", "caf\u00e9 \u20ac \U0001F600", "", "x" * 10000])

    def test_binary_through_cat(self):
        rng = random.Random(RNG_SEED)
        with debian("websocketd-cat-binary") as peer:
            round_trip(self, peer.url, [rng.randbytes(100)], binary=True)


class LibwebsocketsTestServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peer = debian("lws-test-server")

    @classmethod
    def tearDownClass(cls):
        cls.peer.stop()

    def test_dumb_increment_counts(self):
        r = run_wscope(["-s", "dumb-increment-protocol", "-n", "5", self.peer.url],
                       keep_stdin_open=True, timeout=20)
        self.assertEqual(r.rc, 0, r)
        counts = [int(x) for x in r.out.decode().split()]
        self.assertEqual(len(counts), 5, r)
        self.assertEqual(counts, list(range(counts[0], counts[0] + 5)), r)

    def test_dumb_increment_closeme_is_a_normal_close(self):
        # The server wants the newline in the message: -0 splits input at NUL bytes instead.
        r = run_wscope(["-s", "dumb-increment-protocol", "-0", "-v", self.peer.url],
                       b"closeme\n\0", keep_stdin_open=True, timeout=20)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("seeya", r.err, r)

    def test_mirror_round_trip(self):
        round_trip(self, self.peer.url, ["hello mirror", "caf\u00e9", "y" * 3000],
                   "-s", "lws-mirror-protocol")


class NodeWs(unittest.TestCase):
    def test_text_and_binary_round_trips(self):
        rng = random.Random(RNG_SEED)
        with node() as peer:
            round_trip(self, peer.url, TEXTS)
            round_trip(self, peer.url, [rng.randbytes(1 << 20) for _ in range(2)], binary=True)

    def test_deflate(self):
        rng = random.Random(RNG_SEED)
        with node("--deflate") as peer:
            text = repetitive(rng, 65536)
            r = round_trip(self, peer.url, [text, "short", text], "--deflate", "-v")
            self.assertTrue(response_extensions(r.err)[0].startswith("permessage-deflate"), r)

    def test_through_a_slow_link(self):
        # 256 KiB each way at 1 MB/s: at least a quarter of a second, both ways overlapping.
        rng = random.Random(RNG_SEED)
        with node() as peer, throttle(peer.port, 1_000_000) as link:
            r = round_trip(self, link.url, [rng.randbytes(65536) for _ in range(4)], binary=True)
            self.assertGreater(r.elapsed, 0.2, r)
            self.assertEqual(peer.wait_for("CLOSED "), "CLOSED 1000 ")
            counts = dict(kv.split("=") for kv in link.wait_for("CLOSED ").split()[2:])
            self.assertGreater(int(counts["up"]), 4 * 65536)
            self.assertGreater(int(counts["down"]), 4 * 65536)


class RepliesAtEof(unittest.TestCase):
    """stdin ends right after the input: the replies must still be printed, and exit 0."""

    def runs(self, url, args, data, expected, n):
        lost = []
        for i in range(n):
            r = run_wscope([*args, url], data, timeout=20)
            if r.rc != 0 or r.out != expected:
                lost.append(f"run {i + 1}: exit {r.rc}, {len(r.out)} of {len(expected)} bytes "
                            f"back; stderr {r.err.strip()[:200]!r}")
        self.assertEqual(lost, [], f"{len(lost)} of {n} runs lost replies")

    def test_echo_hi_to_python_websockets(self):
        with python_websockets() as peer:
            self.runs(peer.url, [], b"hi\n", b"hi\n", 20)

    def test_64k_message_to_python_websockets(self):
        data = b"x" * 65536
        with python_websockets() as peer:
            self.runs(peer.url, ["--whole"], data, data + b"\n", 10)

    def test_two_lines_to_websocketd_cat(self):
        with debian("websocketd-cat") as peer:
            self.runs(peer.url, [], b"a\nb\n", b"a\nb\n", 10)


class CloseTimerWhileSending(unittest.TestCase):
    def test_16_mib_to_node_ws_through_a_2_mb_per_s_link(self):
        # The close timeout (2 s) counts from when our Close is written, not from stdin's end.
        data = random.Random(5).randbytes(16 << 20)
        with node() as peer, throttle(peer.port, 2_000_000) as link:
            r = run_wscope(["-b", "--whole", link.url], data, timeout=60)
            closed = peer.wait_for("CLOSED ", timeout=30)
        self.assertEqual(closed, "CLOSED 1000 ", r)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.out), len(data), r)
        self.assertTrue(r.out == data, "the echo differs from what was sent")


class DeflateWindowBits8(unittest.TestCase):
    def test_server_asking_client_max_window_bits_8(self):
        # zlib cannot make a raw deflate stream with an 8-bit window: wscope compresses
        # without back-references then, which any window decodes (RFC 7692 §7.1.2.2).
        rng = random.Random(RNG_SEED)
        text = repetitive(rng, 20000, block=1000)
        with node("--deflate", "--client-max-window-bits", "8") as peer:
            r = round_trip(self, peer.url, ["hi", text, text], "--deflate", "-v")
        self.assertIn("client_max_window_bits=8", response_extensions(r.err)[0], r)


class OffersMadeWithHeaders(unittest.TestCase):
    """RFC 6455 §4.1 counts what was in the client's handshake, -H lines included."""

    def test_subprotocol_offered_with_h(self):
        with autobahn("--subprotocol", "chat") as peer:
            round_trip(self, peer.url, ["hi"], "-H", "Sec-WebSocket-Protocol: chat")

    def test_extension_offered_with_h(self):
        with autobahn() as peer:
            r = round_trip(self, peer.url, ["hi", "x" * 5000], "-v",
                           "-H", "Sec-WebSocket-Extensions: permessage-deflate")
        self.assertTrue(response_extensions(r.err)[0].startswith("permessage-deflate"), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
