#!/usr/bin/python3
"""Nothing lost, nothing reordered, nothing altered (SPEC §2.1): big streams, many small
messages, and a server that sends a burst and closes at once."""
import base64
import hashlib
import random
import unittest

from e2e_support import node_peer, py_peer, raw_peer, run_wscope

MiB = 1 << 20


class HashingSink:
    def __init__(self):
        self.sha = hashlib.sha256()
        self.size = 0

    def __call__(self, chunk):
        self.sha.update(chunk)
        self.size += len(chunk)


class Integrity(unittest.TestCase):
    def test_256_mib_of_text_lines_through_python_websockets(self):
        # 4096 lines of 65536 base64 characters (+ "\n"): 256 MiB out and back.
        rng = random.Random(6455)
        sent = HashingSink()

        def lines():
            for _ in range(4096):
                line = base64.b64encode(rng.randbytes(49152)) + b"\n"
                sent(line)
                yield line

        received = HashingSink()
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], lines(), stdout_sink=received, timeout=240)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sent.size, 4096 * 65537)
        self.assertEqual(received.size, sent.size, r)
        self.assertEqual(received.sha.hexdigest(), sent.sha.hexdigest(), r)

    def test_64_mib_binary_chunks_through_node_ws(self):
        rng = random.Random(7692)
        sent = HashingSink()

        def blocks():
            for _ in range(64):
                block = rng.randbytes(MiB)
                sent(block)
                yield block

        received = HashingSink()
        with node_peer() as peer:
            r = run_wscope(["-b", "--chunk", MiB, peer.url], blocks(), stdout_sink=received,
                           timeout=120)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(received.size, 64 * MiB, r)
        self.assertEqual(received.sha.hexdigest(), sent.sha.hexdigest(), r)

    def test_100000_small_lines_in_order(self):
        stdin = b"".join(b"line %06d\n" % i for i in range(100_000))
        with py_peer("echo") as peer:
            r = run_wscope([peer.url], stdin, timeout=120)
        self.assertEqual(r.rc, 0, r)
        if r.out != stdin:
            got = r.out.split(b"\n")
            first_bad = next((i for i, (a, b) in enumerate(zip(got, stdin.split(b"\n")))
                              if a != b), min(len(got), 100_000))
            self.fail(f"{len(got) - 1} lines came back; first difference at line {first_bad}")

    def test_burst_then_immediate_close_loses_nothing(self):
        # Raw server: 1000 messages and Close 1000 in one write, then a half-close.
        # stdin stays open, so only the server's Close can end the session.
        with raw_peer("burst", "--count", 1000) as peer:
            r = run_wscope([peer.url], keep_stdin_open=True, timeout=20)
            peer.finish()
        expected = b"".join(b"message %05d\n" % i for i in range(1000))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, expected, r)

    def test_burst_from_python_websockets_then_close(self):
        with py_peer("close", "--count", 1000, "--code", 1000, "--reason", "done") as peer:
            r = run_wscope([peer.url], keep_stdin_open=True, timeout=20)
            closed = peer.wait_for("CLOSED")
        expected = b"".join(b"message %d\n" % i for i in range(1000))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, expected, r)
        self.assertEqual(closed, "CLOSED 1000 ", "the client did not answer Close 1000 with 1000")

    def test_fragmented_messages_with_interleaved_pings(self):
        # Text "Hello, world! €" in 4 fragments (pings between them, '€' split across two),
        # then a 3-fragment binary message, then Close 1000; the bytes trickle 7 at a time.
        with raw_peer("fragmented") as peer:
            r = run_wscope([peer.url], keep_stdin_open=True, timeout=20)
            lines = peer.finish()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, "Hello, world! €\n".encode() + bytes(range(256)), r)
        frames = [l for l in lines if l.startswith("FRAME ")]
        pongs = [l for l in frames if " op=10 " in l]
        self.assertEqual(len(pongs), 2, "\n".join(lines))
        self.assertTrue(pongs[0].endswith("data=7031") and pongs[1].endswith("data=7032"),
                        "pongs must carry the pings' payloads, in order:\n" + "\n".join(lines))
        self.assertIn("CLIENT_CLOSE 1000 ", lines)


if __name__ == "__main__":
    unittest.main(verbosity=2)
