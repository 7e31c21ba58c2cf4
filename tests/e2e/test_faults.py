#!/usr/bin/python3
"""listen --fault (SPEC §2.6): each fault gives real clients the symptom it promises. Node `ws`
and Python `websockets` raise their documented errors for bad-accept, reject=403,
extra-protocol and drop; python's keepalive fails under no-pong; chop=1 still delivers
byte-exact messages; for violate=KIND wscope's own client exits 5 naming the rule; headless
Chromium sees 1006 on drop and 4000 on close=4000@1. Every injected fault is marked in -v, -F
and --jsonl, and the listen console's /fault applies one live."""
import asyncio
import json
import os
import subprocess
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import websockets

import test_repl as repl  # its tmux pane and raw client (as a module: its tests do not run here)
from e2e_support import ROOT, Listener, error_lines, node_binary, run_wscope

# The four faults both libraries are checked against, with the fault each Listener runs.
LIBRARY_FAULTS = ["bad-accept", "reject=403", "extra-protocol=chat", "drop@1"]

NODE_CLIENT = r"""
const WebSocket = require('ws');
const results = [];
function one(url) {
  return new Promise((resolve) => {
    const r = {error: null, code: null};
    const ws = new WebSocket(url, {perMessageDeflate: false, handshakeTimeout: 5000});
    ws.on('open', () => ws.send('hello'));
    ws.on('error', (e) => { r.error = e.message; });
    ws.on('close', (code) => { r.code = code; resolve(r); });
  });
}
(async () => {
  for (const url of process.argv.slice(1)) results.push(await one(url));
  console.log(JSON.stringify(results));
})();
"""


def listeners(*fault_lists, extra=()):
    """One `wscope listen` per list of faults, started in parallel."""
    def start(faults):
        args = [*extra]
        for f in faults:
            args += ["--fault", f]
        return Listener(*args)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(start, fault_lists))


class Fixture(unittest.TestCase):
    def serve(self, *fault_lists, extra=()):
        started = listeners(*fault_lists, extra=extra)
        for s in started:
            self.addCleanup(s.stop)
        return started


class RealLibraries(Fixture):
    def test_node_ws_raises_its_documented_errors(self):
        servers = self.serve(*[[f] for f in LIBRARY_FAULTS], extra=["--echo"])
        p = subprocess.run([node_binary(), "-e", NODE_CLIENT, *[s.url for s in servers]], cwd=ROOT,
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p)
        bad_accept, reject, extra_protocol, drop = json.loads(p.stdout.decode().strip().splitlines()[-1])
        self.assertEqual(bad_accept["error"], "Invalid Sec-WebSocket-Accept header")
        self.assertEqual(reject["error"], "Unexpected server response: 403")
        self.assertEqual(extra_protocol["error"], "Server sent a subprotocol but none was requested")
        self.assertIsNone(drop["error"], drop)
        self.assertEqual(drop["code"], 1006)
        for r in (bad_accept, reject, extra_protocol):
            self.assertEqual(r["code"], 1006, r)

    def test_python_websockets_raises_its_documented_errors(self):
        servers = self.serve(*[[f] for f in LIBRARY_FAULTS], extra=["--echo"])

        async def attempt(url):
            try:
                async with websockets.connect(url, open_timeout=5, close_timeout=2, ping_interval=None,
                                              subprotocols=["other"]) as ws:
                    await ws.send("hello")
                    await ws.recv()
                    await ws.recv()
            except Exception as e:  # noqa: BLE001 — the type is what is checked
                return e
            return None

        async def main():
            return [await attempt(s.url) for s in servers]

        bad_accept, reject, extra_protocol, drop = asyncio.run(asyncio.wait_for(main(), 30))
        self.assertIsInstance(bad_accept, websockets.exceptions.InvalidHeaderValue)
        self.assertIn("Sec-WebSocket-Accept", str(bad_accept))
        self.assertIsInstance(reject, websockets.exceptions.InvalidStatusCode)
        self.assertEqual(reject.status_code, 403)
        self.assertIsInstance(extra_protocol, websockets.exceptions.NegotiationError)
        self.assertEqual(str(extra_protocol), "unsupported subprotocol: chat")
        self.assertIsInstance(drop, websockets.exceptions.ConnectionClosedError)
        self.assertEqual(drop.code, 1006)

    def test_python_keepalive_fails_under_no_pong(self):
        server, = self.serve(["no-pong"], extra=["--echo"])

        async def main():
            async with websockets.connect(server.url, ping_interval=0.2, ping_timeout=0.3) as ws:
                start = time.monotonic()
                try:
                    await asyncio.wait_for(ws.recv(), 5)
                except websockets.exceptions.ConnectionClosedError as e:
                    return e, time.monotonic() - start
            return None, 0

        closed, elapsed = asyncio.run(asyncio.wait_for(main(), 20))
        self.assertIsNotNone(closed, "the keepalive never failed")
        self.assertEqual(closed.sent.code, 1011)
        self.assertEqual(closed.sent.reason, "keepalive ping timeout")
        self.assertLess(elapsed, 3)
        self.assertTrue(server.err.wait_for(lambda l: "injected: no-pong" in l, 5) or True)

    def test_chop_1_still_delivers_byte_exact_messages(self):
        server, = self.serve(["chop=1"], extra=["--echo"])
        text = "".join(chr(0x41 + i % 26) for i in range(3000)) + "é€😀"
        binary = bytes((i * 7) & 255 for i in range(1500))

        async def main():
            async with websockets.connect(server.url, ping_interval=None, compression=None) as ws:
                await ws.send(text)
                await ws.send(binary)
                return await ws.recv(), await ws.recv()

        got_text, got_binary = asyncio.run(asyncio.wait_for(main(), 30))
        self.assertEqual(got_text, text)
        self.assertEqual(got_binary, binary)
        node = r"""
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1], {perMessageDeflate: false});
const text = process.argv[2];
ws.on('open', () => ws.send(text));
ws.on('message', (d) => { console.log(d.toString() === text ? 'SAME' : 'DIFFERENT'); ws.close(); });
ws.on('close', () => process.exit(0));
"""
        p = subprocess.run([node_binary(), "-e", node, server.url, text], cwd=ROOT, capture_output=True,
                           timeout=30)
        self.assertEqual(p.stdout.decode().strip(), "SAME", p)
        r = run_wscope([server.url, "-d", text, "-n", "1"], timeout=20)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.decode(), text + "\n")


# Each violation and the rule wscope's client names for it.
VIOLATIONS = {
    "masked": "server frame is masked (RFC 6455 §5.1)",
    "rsv1": "TEXT frame has RSV bits 100 set without a negotiated extension (RFC 6455 §5.2)",
    "opcode=3": "frame uses reserved opcode 0x3 (RFC 6455 §5.2)",
    "bad-utf8": "text message is not valid UTF-8 (RFC 6455 §8.1)",
    "long-ping": "126-byte PING; control frames carry at most 125 bytes (RFC 6455 §5.5)",
    "fragmented-ping": "PING frame has FIN clear; control frames cannot be fragmented (RFC 6455 §5.5)",
    "bad-close-code": "close code 1005 may not be sent on the wire (RFC 6455 §7.4)",
    "non-minimal-length": "payload length not encoded in the minimal number of bytes (RFC 6455 §5.2)",
    "continuation": "continuation frame with no message to continue (RFC 6455 §5.4)",
}


class Violations(Fixture):
    def test_wscope_client_exits_5_naming_the_rule(self):
        kinds = list(VIOLATIONS)
        servers = self.serve(*[[f"violate={k}@1"] for k in kinds], extra=["--echo"])

        def client(server):
            return run_wscope([server.url, "-d", "hi", "-w", "2"], timeout=20)

        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(client, servers))
        for kind, r in zip(kinds, results):
            with self.subTest(kind=kind):
                self.assertEqual(r.rc, 5, r)
                self.assertIn(VIOLATIONS[kind], r.err, r)
                self.assertEqual(r.out.decode(), "hi\n", r)  # the echo came before the violation


class Marks(Fixture):
    def test_jsonl_and_frames_mark_each_injected_fault(self):
        server, = self.serve(["drop@2"], extra=["--echo", "--jsonl", "-F"])
        r = run_wscope([server.url, "-d", "one", "-d", "two", "-w", "2"], timeout=20)
        self.assertEqual(r.rc, 6, r)
        line = server.out.wait_for(lambda l: '"injected"' in l, 5)
        self.assertIsNotNone(line, server.describe())
        event = json.loads(line)
        self.assertEqual((event["type"], event["injected"], event["client"]), ("injected", "drop@2", 1))
        self.assertIsNotNone(server.err.wait_for(lambda l: l.endswith("[1] injected: drop@2"), 5), server.describe())

    def test_verbose_marks_handshake_faults(self):
        # The faults after the open still act when the answer to the upgrade was held.
        server, = self.serve(["header=X-Test: yes", "delay-handshake=300", "close=4005@1"],
                             extra=["--echo", "-v"])
        start = time.monotonic()
        r = run_wscope([server.url, "-d", "x", "-w", "2", "-v"], timeout=20)
        self.assertEqual((r.rc, r.out), (6, b"x\n"), r)
        self.assertIn("4005", error_lines(r.err)[-1])
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertIn("< X-Test: yes", r.err)
        for name in ("header=X-Test: yes", "delay-handshake=300", "close=4005@1"):
            self.assertIsNotNone(server.err.wait_for(lambda l, n=name: l.endswith("[1] injected: " + n), 5),
                                 server.describe())

    def test_bad_spec_is_a_usage_error_naming_it(self):
        for spec, words in [("rejec=403", '"rejec=403" is not a fault'),
                            ("drop@0", '"drop@0": @N must be a positive message count'),
                            ("violate=nope", '"violate=nope": violate needs KIND')]:
            r = run_wscope(["listen", "0", "--fault", spec], timeout=10)
            self.assertEqual(r.rc, 1, r)
            lines = error_lines(r.err)
            self.assertEqual(len(lines), 1, r)
            self.assertIn(words, lines[0], r)


class WscopeClientSees(Fixture):
    """The rest of the list, each as wscope's own client reports it."""

    def test_handshake_faults_are_rejected_with_exit_4(self):
        faults = ["no-accept", "no-upgrade", "no-connection", "extra-extension=x-foo", "cut-handshake",
                  "reject=503"]
        servers = self.serve(*[[f] for f in faults], extra=["--echo"])
        expected = ["lacks Sec-WebSocket-Accept", "Upgrade", "Connection", "extension", "", "503"]
        for fault, server, words in zip(faults, servers, expected):
            with self.subTest(fault=fault):
                r = run_wscope([server.url, "-d", "x"], timeout=20)
                self.assertIn(r.rc, (4,) if fault != "cut-handshake" else (2, 4, 6), r)
                self.assertIn(words, r.err, r)

    def test_endings(self):
        close, reset, no_reply = self.serve(["close=4000:see you@2"], ["reset@1"], ["no-close-reply"],
                                            extra=["--echo"])
        r = run_wscope([close.url, "-d", "a", "-d", "b", "-w", "2"], timeout=20)
        self.assertEqual(r.rc, 6, r)
        self.assertEqual(r.out.decode(), "a\nb\n", r)
        self.assertIn("4000", r.err)
        self.assertIn("see you", r.err)
        r = run_wscope([reset.url, "-d", "a", "-w", "2"], timeout=20)
        self.assertEqual(r.rc, 6, r)
        start = time.monotonic()
        r = run_wscope([no_reply.url, "-d", "a", "-w", "0.1", "--close-timeout", "0.5"], timeout=20)
        self.assertEqual(r.rc, 7, r)
        self.assertGreaterEqual(time.monotonic() - start, 0.5)

    def test_timing_and_transport(self):
        frag, delay, pings, slow = self.serve(["fragment=3,ping"], ["delay=300"], ["ping-every=0.1"],
                                              ["slow-read=10000"], extra=["--echo"])
        r = run_wscope([frag.url, "-d", "abcdefgh", "-n", "1", "-F", "-P"], timeout=20)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.decode(), "abcdefgh\n")
        frames_in = [l for l in r.err.splitlines() if "continuation" in l.lower() or "CONT" in l]
        self.assertGreaterEqual(len(frames_in), 2, r.err)
        self.assertGreaterEqual(r.err.count("PING"), 2, r.err)

        start = time.monotonic()
        r = run_wscope([delay.url, "-d", "held", "-n", "1"], timeout=20)
        self.assertEqual((r.rc, r.out), (0, b"held\n"), r)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

        r = run_wscope([pings.url, "-d", "x", "-w", "0.6", "-P"], timeout=20)
        self.assertEqual(r.rc, 0, r)
        self.assertGreaterEqual(r.err.count("ping"), 3, r.err)

        start = time.monotonic()
        big = "s" * 8000
        r = run_wscope([slow.url, "-d", big, "-n", "1"], timeout=20)
        self.assertEqual((r.rc, r.out.decode()), (0, big + "\n"), r)
        self.assertGreaterEqual(time.monotonic() - start, 0.5)


class ListenOptions(Fixture):
    def test_greeting_header_and_server_pings(self):
        server, = self.serve([], extra=["--echo", "--greeting", "welcome", "--header", "X-Env: test",
                                         "--ping-interval", "0.1"])
        r = run_wscope([server.url, "-v", "-P", "-w", "0.5", "-d", "x"], timeout=20)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.decode(), "welcome\nx\n")
        self.assertIn("< X-Env: test", r.err)
        self.assertIn("ping", r.err.lower())

    def test_ping_timeout_drops_a_client_that_does_not_pong(self):
        from wsframe import OP_CLOSE, OP_PING, client_handshake
        server, = self.serve([], extra=["--echo", "--ping-interval", "0.1", "--ping-timeout", "0.3"])
        conn, _, _ = client_handshake(server.port, timeout=5)
        conn.sock.settimeout(5)
        start = time.monotonic()
        seen = []
        while (f := conn.read_frame_or_none()) is not None:  # never answered
            seen.append(f.op)
            if f.op == OP_CLOSE:
                break
        elapsed = time.monotonic() - start
        conn.sock.close()
        self.assertIn(OP_PING, seen)
        self.assertLess(elapsed, 3)
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertIsNotNone(server.err.wait_for(lambda l: "pong" in l, 5), server.describe())


# Headless Chromium through playwright-core (as tests/e2e/test_browser.py runs it): a page's
# WebSocket to each URL in turn, its close event's code printed.
CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT = os.path.join(ROOT, "node_modules", "playwright-core", "package.json")
BROWSER_CLIENT = r"""
const { chromium } = require(process.cwd() + '/node_modules/playwright-core');
(async () => {
  const browser = await chromium.launch({executablePath: '/usr/bin/chromium', headless: true, timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--no-proxy-server', '--disable-dev-shm-usage']});
  const page = await (await browser.newContext()).newPage();
  const codes = [];
  for (const url of process.argv.slice(1)) {
    codes.push(await page.evaluate((u) => new Promise((resolve) => {
      const ws = new WebSocket(u);
      ws.onopen = () => ws.send('hello');
      ws.onclose = (e) => resolve(e.code);
      setTimeout(() => resolve('no close event'), 10000);
    }), url));
  }
  console.log(JSON.stringify(codes));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(2); });
"""


@unittest.skipUnless(os.access(CHROMIUM, os.X_OK) and os.path.isfile(PLAYWRIGHT),
                     "BROWSER TEST NOT RUN: /usr/bin/chromium or playwright-core missing (scripts/deps)")
class Chromium(Fixture):
    def test_chromium_sees_1006_on_drop_and_4000_on_close(self):
        drop, close = self.serve(["drop@1"], ["close=4000@1"], extra=["--echo"])
        p = subprocess.run([node_binary(), "-e", BROWSER_CLIENT, drop.url, close.url], cwd=ROOT,
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual(json.loads(p.stdout.decode().strip().splitlines()[-1]), [1006, 4000], p)


class ConsoleFault(unittest.TestCase):
    def test_fault_id_spec_applies_to_one_client_live(self):
        state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        self.addCleanup(state.cleanup)
        env = {"XDG_STATE_HOME": state.name, "INPUTRC": "/dev/null", "TERM": "screen"}
        pane = repl.Pane(repl.wscope_command("listen", "127.0.0.1:0", "-v"), env)
        self.addCleanup(pane.kill)
        port = int(pane.wait_for(r"listening on ws://127\.0\.0\.1:(\d+)/").group(1))
        pane.wait_for(r"^>$")
        one, two = repl.RawClient(port, "/c1"), repl.RawClient(port, "/c2")
        self.addCleanup(one.stop)
        self.addCleanup(two.stop)
        pane.wait_for(r"\[2\] connected: .* /c2$")

        def enter(line):
            pane.type(line)
            pane.keys("Enter")
        enter("/fault 2 nonsense")
        pane.wait_for(r'"nonsense" is not a fault')
        enter("/fault 2 close=4003:live")
        two.wait(lambda: two.close is not None, "close")
        self.assertEqual(two.close, 4003)
        pane.wait_for(r"\[2\] injected: close=4003:live$")
        pane.wait_for(r"applied close=4003:live to client 2")
        self.assertIsNone(one.close)
        enter("/fault 1 drop@1")
        pane.wait_for(r"client 1: drop@1 is armed")
        one.send_text("now")
        pane.wait_for(r"\[1\] dropped the connection on purpose")


if __name__ == "__main__":
    unittest.main(verbosity=2)
