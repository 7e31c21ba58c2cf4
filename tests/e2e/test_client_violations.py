#!/usr/bin/python3
"""A server that breaks RFC 6455 (SPEC §2.3, §2.5): the client names the rule on stderr, closes
with the right code (1002 protocol error, 1007 bad UTF-8, 1009 too big) and exits 5. Each peer
sends a good text message "before" first, which must still be printed."""
import unittest

from e2e_support import client_close, error_lines, raw_peer, run_wscope

# violation mode of tests/peers/rawserver.py → the close codes the client may answer with
EXPECTED = {
    "masked": {"1002"},
    "bad-utf8": {"1007"},
    "bad-utf8-split": {"1007"},
    "bad-utf8-surrogate": {"1007"},
    "close-999": {"1002"},
    "close-1005": {"1002"},
    "close-1006": {"1002"},
    "close-2000": {"1002"},
    "close-1byte": {"1002"},
    "close-bad-utf8": {"1007", "1002"},
    "ping-126": {"1002"},
    "ping-fragmented": {"1002"},
    "opcode-3": {"1002"},
    "opcode-11": {"1002"},
    "rsv1": {"1002"},
    "rsv3": {"1002"},
    "cont-no-start": {"1002"},
    "text-in-fragment": {"1002"},
    "non-minimal-len": {"1002"},
}


class Violations(unittest.TestCase):
    def run_violation(self, mode, *args):
        with raw_peer(mode) as peer:
            r = run_wscope([*args, peer.url], keep_stdin_open=True, timeout=15)
            lines = peer.finish()
        return r, lines

    def check(self, r, lines, codes):
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(r.out, b"before\n", r)
        code, _ = client_close(lines)
        self.assertIn(code, codes, "the client's Close:\n" + "\n".join(lines))
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, f"want one 'wscope: …' error line: {r}")
        self.assertIn("RFC 6455 §", errors[0], r)
        return errors[0]

    def test_each_violation(self):
        for mode, codes in EXPECTED.items():
            with self.subTest(violation=mode):
                r, lines = self.run_violation(f"violation-{mode}")
                self.check(r, lines, codes)

    def test_masked_frame_names_section_5_1(self):
        r, lines = self.run_violation("violation-masked")
        error = self.check(r, lines, {"1002"})
        self.assertIn("masked", error, r)
        self.assertIn("RFC 6455 §5.1", error, r)

    def test_message_too_big_closes_1009(self):
        with raw_peer("big", "--count", 2000) as peer:
            r = run_wscope(["--max-message-size", 1000, peer.url], keep_stdin_open=True,
                           timeout=15)
            lines = peer.finish()
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(r.out, b"", r)
        self.assertEqual(client_close(lines)[0], "1009", "\n".join(lines))
        self.assertEqual(len(error_lines(r.err)), 1, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
