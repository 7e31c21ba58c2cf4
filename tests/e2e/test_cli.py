#!/usr/bin/python3
"""The command line as a newcomer meets it, against the real binary:

- a bad value is refused with one short line that names the option and what it expects
  (never CLI11's "Value 0 not in range 0.000000 to 1797…"), exit status 1, nothing on stdout;
- wscat habits get the wscope spelling (-n URL is --count here: use -k);
- `wscope --help` and `wscope listen --help` read like curl's: no CLI11 type residue, groups
  separated by one blank line, defaults stated, examples, and where to read more;
- `-l PORT` takes every listen option, exactly as `wscope listen PORT` does.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from e2e_support import WSCOPE, Listener, _Lines, run_wscope

URL = "ws://127.0.0.1:1/"  # never reached: every command here fails before connecting


def usage_error(args):
    """The one stderr line of a usage error (exit 1, nothing on stdout)."""
    r = run_wscope(args, timeout=10)
    lines = r.err.splitlines()
    assert r.rc == 1, r
    assert r.out == b"", r
    assert len(lines) == 1, r
    return lines[0]


def help_text(*args):
    r = subprocess.run([WSCOPE, *args, "--help"], capture_output=True, timeout=10)
    assert r.returncode == 0 and r.stderr == b"", r
    return r.stdout.decode()


class BadValues(unittest.TestCase):
    # The line, verbatim, after "wscope: error: ".
    CASES = [
        (["-n", "0", URL], "--count must be a positive integer (got 0)"),
        (["--ping-interval", "0", URL], "--ping-interval must be a positive number of seconds (got 0)"),
        (["-w", "-1", URL], "--wait must be a non-negative number of seconds (got -1)"),
        (["--chunk", "0", URL], "--chunk must be a positive integer (got 0)"),
        (["--connect-timeout", "-3", URL],
         "--connect-timeout must be a non-negative number of seconds (got -3)"),
        (["--wait", "abc", URL], "--wait must be a non-negative number of seconds (got abc)"),
        (["listen", "--max-clients", "0", "0"], "--max-clients must be a positive integer (got 0)"),
        (["--close-code", "abc", URL],
         "--close-code abc is not a number (use 1000-1003, 1007-1014 or 3000-4999)"),
        (["--close-code", "1005", URL],
         "--close-code 1005 may not be sent (use 1000-1003, 1007-1014 or 3000-4999; RFC 6455 §7.4)"),
        (["--close-code", "70000", URL],
         "--close-code 70000 may not be sent (use 1000-1003, 1007-1014 or 3000-4999; RFC 6455 §7.4)"),
        (["--ping-timeout", "nan", URL], "--ping-timeout must be a positive number of seconds (got nan)"),
        (["--close-timeout", "1e99", URL], "--close-timeout must be at most 1000000000 seconds (got 1e99)"),
        (["--max-redirs", "-1", URL], "--max-redirs must be a non-negative integer (got -1)"),
        (["--max-message-size", "0", URL],
         "--max-message-size must be a positive size in bytes, such as 65536, 64K or 16M (got 0)"),
        (["-n", "99999999999999999999", URL], "--count must be a positive integer (got 99999999999999999999)"),
        (["listen", "0", "--handshake-timeout", "0"],
         "--handshake-timeout must be a positive number of seconds (got 0)"),
        (["listen", "0", "-n", "1.5"], "--count must be a positive integer (got 1.5)"),
        (["--color", "sometimes", URL], "--color must be auto, always or never (got sometimes)"),
        (["--timestamps", "utc", URL], "--timestamps must be wall or relative (got utc)"),
        (["--cacert", "/nonexistent/ca.pem", URL],
         "--cacert must be an existing file (got /nonexistent/ca.pem)"),
    ]

    def test_each_message_verbatim(self):
        for args, expected in self.CASES:
            with self.subTest(args=args):
                self.assertEqual(usage_error(args), "wscope: error: " + expected)

    def test_every_numeric_option_fails_in_one_short_line(self):
        # Whatever options --help lists with a numeric value, now or later.
        numeric = {"N", "S", "BYTES", "CODE"}
        seen = 0
        for command in ([], ["listen"]):
            for line in help_text(*command).splitlines():
                m = re.match(r"^  (?:-\w, |    )(--[\w-]+) (\S+)", line)
                if not m or m.group(2) not in numeric:
                    continue
                option = m.group(1)
                seen += 1
                for bad in ("0x10", "-5", "", "1 2"):
                    args = [*command, option, bad, "0" if command else URL]
                    with self.subTest(args=args):
                        err = usage_error(args)
                        self.assertTrue(err.startswith(f"wscope: error: {option} "), err)
                        self.assertLess(len(err), 120, err)
                        self.assertNotIn("Value", err)
                        self.assertNotIn("0000000", err)
                        self.assertIn(bad or '""', err)
        self.assertGreaterEqual(seen, 15)

    def test_a_size_with_a_suffix_is_accepted(self):
        # 2K is 2048 bytes: a 2000-byte message passes, a 2100-byte one is refused with 1009.
        server = Listener("--echo", "--max-message-size", "2K")
        try:
            r = run_wscope(["--whole", "-w", "1", server.url], b"x" * 2000, timeout=20)
            self.assertEqual((r.rc, r.out), (0, b"x" * 2000 + b"\n"), r)
            r = run_wscope(["--whole", "-w", "1", server.url], b"x" * 2100, timeout=20)
            self.assertEqual(r.rc, 6, r)
            self.assertIn("1009", r.err)
        finally:
            server.stop()


class Hints(unittest.TestCase):
    K_HINT = "; to skip the certificate check as wscat's -n does, use -k"

    def test_wscat_no_check_suggests_k(self):
        self.assertEqual(usage_error(["-n", "wss://127.0.0.1:1/"]),
                         "wscope: error: --count must be a positive integer (got wss://127.0.0.1:1/)"
                         + self.K_HINT)
        self.assertEqual(usage_error(["-n", "-c", "wss://127.0.0.1:1/"]),
                         "wscope: error: --count must be a positive integer (got -c)" + self.K_HINT)
        self.assertEqual(usage_error([URL, "-n"]),
                         "wscope: error: --count needs a value (a positive integer)" + self.K_HINT)
        self.assertEqual(usage_error(["--no-check", URL]),
                         "wscope: error: --no-check is wscat's; wscope's is -k (--insecure) "
                         "(see wscope --help)")

    def test_listen_without_an_address_points_to_listen_help(self):
        expected = ("wscope: error: wscope listen needs the PORT or HOST:PORT to listen on "
                    "(see wscope listen --help)")
        self.assertEqual(usage_error(["listen"]), expected)
        self.assertEqual(usage_error(["listen", "--echo"]), expected)
        self.assertEqual(usage_error(["-l"]), expected)

    def test_option_of_the_other_command(self):
        self.assertEqual(usage_error(["--oneshot", URL]),
                         "wscope: error: --oneshot is a listen option (wscope listen PORT "
                         "--oneshot …; see wscope listen --help)")
        self.assertEqual(usage_error(["listen", "0", "-H", "X: y"]),
                         "wscope: error: -H is a client option, not a listen option "
                         "(see wscope listen --help)")
        self.assertEqual(usage_error(["--bogus", URL]),
                         "wscope: error: unknown option --bogus (see wscope --help)")


class Help(unittest.TestCase):
    RESIDUE = ["NONNEGATIVE", "POSITIVE", "FILE:FILE", "DIR:DIR", "INT in [", "=1000", "=2\n",
               "=67108864", "{wall,relative}", "{auto,always,never}", "REQUIRED",
               "Positionals:", "-H,--header", "...", "\n\n\n"]

    def check_layout(self, text, groups):
        for residue in self.RESIDUE:
            self.assertNotIn(residue, text, residue)
        for group in groups:
            # each group is one title line after exactly one blank line
            self.assertRegex(text, rf"[^\n]\n\n{group}:\n  ")
        self.assertIn("\nExamples:\n  wscope ", text)
        self.assertIn("man wscope", text)
        for line in text.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_main_help(self):
        text = help_text()
        self.check_layout(text, ["Arguments", "General", "Connection", "TLS", "Input", "Session",
                                 "Output", "Commands", "Examples"])
        self.assertIn("\n  -n, --count N ", text)
        self.assertIn("\n      --chunk N ", text)
        self.assertRegex(text, r"Exit status: 0 closed normally, 1 usage error, 2 could not "
                               r"connect, 3 TLS\s+failure, 4 handshake rejected, 5 protocol "
                               r"violation, 6 connection lost")
        flat = re.sub(r"\s+", " ", text)
        self.assertIn("30 for the handshake", flat)  # --connect-timeout
        self.assertIn("(default 30)", flat)           # --ping-timeout
        self.assertIn("-vv: -v plus frame lines (-F)", flat)
        self.assertNotIn("(repeatable)", re.search(r"-v, --verbose.*", text).group(0))

    def test_listen_help(self):
        text = help_text("listen")
        self.check_layout(text, ["Arguments", "General", "Server", "TLS", "Output", "Examples"])
        self.assertIn("Usage: wscope listen [OPTIONS] [HOST:]PORT\n", text)
        self.assertIn("-l PORT [OPTIONS] (wscat style) is the same as", text)
        self.assertIn("(default 10)", text)


class DashL(unittest.TestCase):
    """-l PORT … is wscope listen PORT …"""

    def serve(self, *args):
        proc = subprocess.Popen([WSCOPE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.addCleanup(self.stop, proc)
        err = _Lines(proc.stderr)
        line = err.wait_for(lambda l: re.search(r"listening on wss?://127\.0\.0\.1:\d+/", l), 10)
        self.assertIsNotNone(line, f"wscope {' '.join(args)}: no 'listening on' line: "
                                   f"{err.snapshot()}")
        url = re.search(r"wss?://127\.0\.0\.1:\d+/", line).group(0)
        return proc, err, url

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            f.close()

    def test_oneshot_echo_serves_one_client(self):
        for spelling in (["-l", "0"], ["-l0"], ["--listen", "0"], ["--listen=0"]):
            with self.subTest(spelling=spelling):
                proc, err, url = self.serve(*spelling, "--oneshot", "--echo")
                r = run_wscope(["-w", "1", url], b"hello\n", timeout=20)
                self.assertEqual((r.rc, r.out), (0, b"hello\n"), r)
                self.assertEqual(proc.wait(10), 0, err.snapshot())  # --oneshot: it exits

    def test_listen_options_after_l(self):
        proc, err, url = self.serve("-v", "-l", "0", "--echo", "--max-clients", "1",
                                    "--handshake-timeout", "5", "-n", "1")
        r = run_wscope(["-d", "one", url], keep_stdin_open=True, timeout=20)
        self.assertEqual(r.out, b"one\n", r)
        self.assertEqual(proc.wait(10), 0, err.snapshot())  # -n 1: exits after one message
        self.assertTrue(any("GET / HTTP/1.1" in l for l in err.snapshot()), err.snapshot())  # -v

    def test_tls_after_l(self):
        if not shutil.which("openssl"):
            self.skipTest("openssl is not installed")
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=127.0.0.1"],
                           check=True, capture_output=True, timeout=30)
            proc, err, url = self.serve("-l", "0", "--tls-cert", cert, "--tls-key", key,
                                        "--echo", "--oneshot")
            self.assertTrue(url.startswith("wss://"), url)
            r = run_wscope(["-k", "-q", "-w", "1", url], b"secure\n", timeout=20)
            self.assertEqual((r.rc, r.out), (0, b"secure\n"), r)
            self.assertEqual(proc.wait(10), 0, err.snapshot())

    def test_l_refuses_what_listen_refuses(self):
        self.assertEqual(usage_error(["-l", "0", "-H", "X: y"]),
                         "wscope: error: -H is a client option, not a listen option "
                         "(see wscope listen --help)")
        self.assertEqual(usage_error(["-l", "0", "--max-clients", "0"]),
                         "wscope: error: --max-clients must be a positive integer (got 0)")
        self.assertEqual(usage_error(["listen", "0", "-l", "1"]),
                         "wscope: error: use either -l PORT or the listen command, not both "
                         "(see wscope listen --help)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
