#!/usr/bin/python3
"""Listen mode against a real browser (SPEC §2.4: "Works with real browsers (Chromium always
offers permessage-deflate)").

`wscope listen 127.0.0.1:0 --echo` serves headless Chromium, driven by tests/browser/run.js
(npm playwright-core, the system /usr/bin/chromium, no browser download). tests/browser/page.html
is served from http://127.0.0.1 by a thread here; its JavaScript opens WebSockets to wscope, sends
text and binary messages, checks every echo byte by byte, closes with 4000 and reports a JSON
summary, which run.js prints. Without --deflate the server must decline Chromium's
permessage-deflate offer; with --deflate it must accept it, and Chromium's RFC 7692 peer must
agree with ours on every message, in both directions. Several pages with several sockets each
must each get exactly their own echoes.

Skipped (loudly) only when /usr/bin/chromium or node_modules/playwright-core is missing:
scripts/deps installs both. Set WSCOPE_BROWSER_SCREENSHOTS=DIR to keep a screenshot of each page.
"""
import functools
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import unittest
import urllib.parse

from e2e_support import ROOT, Listener, node_binary

CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT = os.path.join(ROOT, "node_modules", "playwright-core", "package.json")
BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
RUN_JS = os.path.join(BROWSER_DIR, "run.js")
RUN_TIMEOUT = 60  # seconds run.js allows itself; it is killed 30 s later

MISSING = [what for what, ok in [
    (f"{CHROMIUM} (apt-get install chromium)", os.access(CHROMIUM, os.X_OK)),
    (f"{PLAYWRIGHT} (npm ci at the repo top)", os.path.isfile(PLAYWRIGHT)),
] if not ok]
SKIP_REASON = ("BROWSER TESTS NOT RUN: missing " + " and ".join(MISSING) + "; run scripts/deps"
               if MISSING else "")
if MISSING:
    print(f"\n*** {SKIP_REASON} ***\n", file=sys.stderr, flush=True)

# `[3] < GET /browser HTTP/1.1` (request, from the client) and `[3] > HTTP/1.1 101 …` (response)
HANDSHAKE_LINE = re.compile(r"^\[(\d+)\] ([<>]) (.*)$")
# -F: `[1] << TEXT   fin=1 rsv=100 mask=… len=7 …` (received) and `[1] >> BINARY fin=1 rsv=100 …`
FRAME_LINE = re.compile(r"^\[(\d+)\] (<<|>>) (TEXT|BINARY)\s+fin=[01] rsv=([01]{3})\b")
ECHO_LINE = re.compile(r"^\[(\d+)\] echoed ")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def handshakes(lines):
    """wscope -v stderr → {client id: {"request": [lines], "response": [lines]}}."""
    found = {}
    for line in lines:
        m = HANDSHAKE_LINE.match(line)
        if m:
            side = "request" if m.group(2) == "<" else "response"
            found.setdefault(int(m.group(1)), {"request": [], "response": []})[side].append(
                m.group(3))
    return found


def header_values(lines, name):
    prefix = name.lower() + ":"
    return [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith(prefix)]


@unittest.skipIf(MISSING, SKIP_REASON)
class Browser(unittest.TestCase):
    """Each test starts its own wscope listener and one browser (run.js) with one or more pages."""

    @classmethod
    def setUpClass(cls):
        handler = functools.partial(_QuietHandler, directory=BROWSER_DIR)
        cls.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        cls.http.daemon_threads = True
        cls.http_thread = threading.Thread(target=cls.http.serve_forever,
                                           kwargs={"poll_interval": 0.1}, daemon=True)
        cls.http_thread.start()
        cls.origin = f"http://127.0.0.1:{cls.http.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.http.shutdown()
        cls.http.server_close()
        cls.http_thread.join(5)

    def listen(self, *args):
        server = Listener(*args)
        self.addCleanup(server.stop)
        return server

    def page_url(self, server, **query):
        query = {"ws": f"ws://127.0.0.1:{server.port}/browser", **query}
        return f"{self.origin}/page.html?{urllib.parse.urlencode(query)}"

    def browse(self, server, *urls):
        """Runs run.js on the URLs; returns its summary (dict) once every page finished and
        every check passed, else fails with everything the browser and wscope printed."""
        cmd = [node_binary(), RUN_JS, "--timeout", str(RUN_TIMEOUT), "--chromium", CHROMIUM]
        shots = os.environ.get("WSCOPE_BROWSER_SCREENSHOTS")
        if shots:
            os.makedirs(shots, exist_ok=True)
            cmd += ["--screenshot", os.path.join(shots, self._testMethodName)]
        proc = subprocess.Popen([*cmd, *urls], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=RUN_TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # lets Playwright close Chromium
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            self.fail(f"run.js did not finish within {RUN_TIMEOUT + 30}s\n"
                      f"run.js stderr:\n{err.decode('utf-8', 'replace')[-6000:]}\n"
                      f"wscope:\n{server.describe()}")
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        context = (f"run.js exit status {proc.returncode}\nrun.js stderr (browser console):\n"
                   f"{err[-6000:]}\nwscope {' '.join(server.args)}:\n{server.describe()}")
        try:
            summary = json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            self.fail(f"run.js printed no JSON summary; stdout: {out[-2000:]!r}\n{context}")
        failed = [f"page {n} ({page.get('mode')} {page.get('tag')}): {c['name']}: {c['detail']}"
                  for n, page in enumerate(summary.get("pages", []))
                  for c in (page.get("checks") or []) if not c.get("ok")]
        problems = [f"page {n}: {e}" for n, page in enumerate(summary.get("pages", []))
                    for e in (page.get("errors") or [])]
        if summary.get("error"):
            problems.insert(0, f"run.js: {summary['error']}")
        if proc.returncode != 0 or not summary.get("ok") or failed or problems:
            self.fail("the browser's checks failed:\n  " + "\n  ".join(problems + failed) +
                      "\n" + json.dumps(summary, indent=1)[:4000] + "\n" + context)
        self.assertEqual(len(summary["pages"]), len(urls), context)
        return summary

    def check_page(self, page, expected_checks):
        names = [c["name"] for c in page["checks"]]
        for name in expected_checks:
            self.assertIn(name, names, f"the page never ran the check {name!r}: {names}")
        self.assertTrue(all(c["ok"] for c in page["checks"]), page["checks"])

    ECHO_CHECKS = ['open', 'text "hello"', 'text empty', 'text 100 KB ASCII random',
                   'text 100 KB repetitive', 'text non-ASCII', 'binary bytes 0..255',
                   'binary 1 MiB random', 'messages in flight', 'close 4000 echoed']

    def wait_closed(self, server, client_ids, code_of=lambda cid: None):
        """Waits until wscope has logged the close of each client (the browser may see the close
        frame a moment before wscope prints it)."""
        for cid in client_ids:
            code = code_of(cid)
            code_re = str(code) if code else r"\d{4}"
            pattern = re.compile(rf"\[{cid}\].*clos.*\b{code_re}\b")
            line = server.err.wait_for(lambda l: pattern.search(l) is not None, 10)
            self.assertIsNotNone(line, f"wscope never logged the close of client {cid}"
                                       f"{f' with {code}' if code else ''}:\n{server.describe()}")

    # ------------------------------------------------------------------------ the tests

    def test_echo_without_deflate(self):
        """Chromium's handshake is accepted, its permessage-deflate offer declined; every echo
        matches; close 4000 is answered with 4000."""
        server = self.listen("--echo", "-v")
        summary = self.browse(server, self.page_url(server, mode="echo"))
        page = summary["pages"][0]
        self.check_page(page, self.ECHO_CHECKS)
        self.assertEqual(page["extensions"], "", "no extension may be in use without --deflate")
        self.assertEqual(page["protocol"], "")
        self.assertEqual(page["close"]["code"], 4000)
        self.assertTrue(page["close"]["wasClean"])

        self.wait_closed(server, [1], lambda cid: 4000)
        self.assertTrue(server.alive(), server.describe())
        lines = server.err.snapshot()
        shakes = handshakes(lines)
        self.assertEqual(list(shakes), [1], f"one browser connection expected:\n{server.describe()}")
        request, response = shakes[1]["request"], shakes[1]["response"]
        self.assertEqual(request[0], "GET /browser HTTP/1.1", server.describe())
        self.assertEqual(header_values(request, "Origin"), [self.origin], server.describe())
        offers = header_values(request, "Sec-WebSocket-Extensions")
        self.assertTrue(offers and offers[0].startswith("permessage-deflate"),
                        f"Chromium's permessage-deflate offer not shown by -v:\n"
                        f"{server.describe()}")
        self.assertTrue(response and response[0].startswith("HTTP/1.1 101"), server.describe())
        self.assertEqual(header_values(response, "Sec-WebSocket-Extensions"), [],
                         f"the offer must be declined without --deflate:\n{server.describe()}")
        self.assertTrue(any(re.search(r"\[1\].*\b4000\b.*done", l) for l in lines),
                        f"wscope did not show the browser's close 4000 'done':\n"
                        f"{server.describe()}")

    def test_echo_with_deflate(self):
        """--deflate: the 101 accepts permessage-deflate, both sides compress (RSV1 frames in
        both directions, shown by -F) and every echo still matches."""
        server = self.listen("--echo", "--deflate", "-v", "-F")
        summary = self.browse(server, self.page_url(server, mode="echo"))
        page = summary["pages"][0]
        self.check_page(page, self.ECHO_CHECKS)
        self.assertIn("permessage-deflate", page["extensions"],
                      f"Chromium does not report the extension in use:\n{server.describe()}")
        self.assertEqual(page["close"]["code"], 4000)

        self.wait_closed(server, [1], lambda cid: 4000)
        self.assertTrue(server.alive(), server.describe())
        lines = server.err.snapshot()
        shakes = handshakes(lines)
        self.assertIn(1, shakes, server.describe())
        request, response = shakes[1]["request"], shakes[1]["response"]
        self.assertEqual(request[0], "GET /browser HTTP/1.1", server.describe())
        self.assertTrue(response and response[0].startswith("HTTP/1.1 101"), server.describe())
        accepted = header_values(response, "Sec-WebSocket-Extensions")
        self.assertEqual(len(accepted), 1, server.describe())
        self.assertTrue(accepted[0].startswith("permessage-deflate"), server.describe())

        frames = [FRAME_LINE.match(l) for l in lines]
        frames = [m for m in frames if m]
        received = [m.group(4) for m in frames if m.group(2) == "<<"]
        sent = [m.group(4) for m in frames if m.group(2) == ">>"]
        self.assertTrue(received and sent, f"-F showed no data frames:\n{server.describe()}")
        self.assertIn("1", [r[0] for r in received],
                      f"Chromium compressed none of its messages:\n{server.describe()}")
        self.assertIn("1", [r[0] for r in sent],
                      f"wscope compressed none of its echoes:\n{server.describe()}")

    def concurrent_pages(self, *server_args):
        server = self.listen("--echo", "-v", *server_args)
        urls = [self.page_url(server, mode="interleave", tag=tag, sockets=2, count=60, burst=3)
                for tag in ("A", "B")]
        summary = self.browse(server, *urls)
        for page, tag in zip(summary["pages"], ("A", "B")):
            self.assertEqual(page["tag"], tag)
            self.check_page(page, ["open", f"{tag}/ws0 gets only its own echoes",
                                   f"{tag}/ws1 gets only its own echoes",
                                   f"{tag}/ws0 close 4000 echoed", f"{tag}/ws1 close 4001 echoed"])
        self.wait_closed(server, [1, 2, 3, 4])
        self.assertTrue(server.alive(), server.describe())
        lines = server.err.snapshot()
        shakes = handshakes(lines)
        self.assertEqual(sorted(shakes), [1, 2, 3, 4],
                         f"4 browser connections expected:\n{server.describe()}")
        # The server really had the clients' messages interleaved, not one client after another:
        # each page awaits both its sockets' echoes every 3 messages, so a page alone forces
        # at least 2 × 60/3 - 1 = 39 changes of client in the order wscope echoes in.
        order = [int(m.group(1)) for m in map(ECHO_LINE.match, lines) if m]
        self.assertEqual(len(order), 4 * 60, f"echo lines:\n{server.describe()}")
        switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
        self.assertGreater(switches, 20, f"the clients' messages were not interleaved: {order}")
        return shakes

    def test_two_pages_two_sockets_each(self):
        shakes = self.concurrent_pages()
        for cid, shake in shakes.items():
            self.assertEqual(header_values(shake["response"], "Sec-WebSocket-Extensions"), [])

    def test_two_pages_two_sockets_each_with_deflate(self):
        """Each connection has its own compression contexts: no mixing between clients."""
        shakes = self.concurrent_pages("--deflate")
        for cid, shake in shakes.items():
            accepted = header_values(shake["response"], "Sec-WebSocket-Extensions")
            self.assertTrue(accepted and accepted[0].startswith("permessage-deflate"),
                            f"client {cid}: {shake}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
