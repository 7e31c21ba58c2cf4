#!/usr/bin/python3
"""Record and replay (SPEC §2.8): --record in the client and in listen mode, `wscope replay`
with --expect/--ignore/--speed/--no-wait against a Python `websockets` server, `listen
--replay` as a mock for a Node `ws` client, HAR input made here from the documented format,
and --export tsung checked against Tsung's DTD and run by a local single-node tsung."""
import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from e2e_support import ROOT, Listener, node_binary, py_peer, run_wscope


@contextlib.contextmanager
def listening(*args):
    server = Listener(*args)
    try:
        yield server
    finally:
        server.stop()

TSUNG_DTD = "/usr/share/tsung/tsung-1.0.dtd"

# A Node `ws` client: sends argv[3..] as text messages, one after each reply (or at once with
# no reply expected), prints every message it gets as a JSON line, closes after N replies.
NODE_CLIENT = r"""
const WebSocket = require('ws');
const [url, n, ...msgs] = process.argv.slice(1);
const ws = new WebSocket(url);
const want = Number(n);
let got = 0;
const timer = setTimeout(() => { console.log(JSON.stringify({timeout: got})); process.exit(3); }, 10000);
ws.on('open', () => { for (const m of msgs) ws.send(m); });
ws.on('message', (data, isBinary) => {
  console.log(JSON.stringify(isBinary ? {bytes: data.toString('base64')} : {text: data.toString()}));
  if (++got === want) ws.close(1000);
});
ws.on('close', () => { clearTimeout(timer); process.exit(0); });
"""


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Replay(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wscope-replay-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def record_echo(self, peer, lines=b'one\ntwo {"id":17}\n\xc3\xa9\xe2\x82\xac\n'):
        rec = self.path("echo.jsonl")
        r = run_wscope(["--record", rec, peer.url + "chat?x=1"], input=lines)
        self.assertEqual(r.rc, 0, r.err)
        return rec

    def test_record_writes_the_schema_and_replays_byte_exact(self):
        with py_peer("echo") as peer:
            rec = self.record_echo(peer)
            rs = records(rec)
            opened = rs[0]
            self.assertEqual(opened["type"], "open")
            self.assertEqual(opened["version"], 1)
            self.assertEqual(opened["role"], "client")
            self.assertEqual(opened["url"], peer.url + "chat?x=1")
            self.assertIn("sec-websocket-key", opened["request_headers"])
            self.assertIn("subprotocol", opened)
            msgs = [(m["dir"], m["data"]["text"]) for m in rs if m["type"] == "message"]
            self.assertEqual(sorted(msgs), sorted([("out", "one"), ("out", 'two {"id":17}'), ("out", "é€"),
                                                   ("in", "one"), ("in", 'two {"id":17}'), ("in", "é€")]))
            self.assertTrue(all("ts" in m for m in rs))
            r = run_wscope(["replay", "--expect", rec, peer.url + "chat?x=1"])
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(r.out, 'one\ntwo {"id":17}\né€\n'.encode())
            # The URL defaults to the recorded one.
            r = run_wscope(["replay", "--expect", "--no-wait", rec])
            self.assertEqual(r.rc, 0, r.err)

            # Binary, byte for byte.
            binrec = self.path("bin.jsonl")
            payload = bytes([0, 1, 2, 0xFF, 0x80]) * 20
            r = run_wscope(["--record", binrec, "-b", "--whole", peer.url], input=payload)
            self.assertEqual(r.rc, 0, r.err)
            r = run_wscope(["replay", "--expect", binrec, peer.url])
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(r.out, payload)

    def test_a_changed_server_is_named_at_its_first_difference(self):
        with py_peer("echo") as peer:
            rec = self.record_echo(peer)
            # The recorded server said something else as its second reply.
            rs = records(rec)
            for m in rs:
                if m["type"] == "message" and m["dir"] == "in" and m["data"]["text"].startswith("two"):
                    m["data"]["text"] = 'two {"id":99}'
            changed = self.path("changed.jsonl")
            with open(changed, "w") as f:
                f.write("".join(json.dumps(m) + "\n" for m in rs))
            index = 1 + [i for i, m in enumerate(x for x in rs if x["type"] in ("message", "close"))
                         if m.get("data", {}).get("text") == 'two {"id":99}'][0]
            r = run_wscope(["replay", "--expect", changed, peer.url])
            self.assertEqual(r.rc, 8, r.err)
            self.assertIn(f"message {index} (from the server) differs", r.err)
            self.assertIn('expected text (13 bytes): "two {\\"id\\":99}"', r.err)
            self.assertIn('received text (13 bytes): "two {\\"id\\":17}"', r.err)
            self.assertIn("first difference at byte 10", r.err)
            # --ignore masks the volatile field; without --expect nothing is compared.
            r = run_wscope(["replay", "--expect", "--ignore", r'"id":\d+', changed, peer.url])
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(run_wscope(["replay", changed, peer.url]).rc, 0)
            r = run_wscope(["replay", "--expect", "--ignore", "(", changed, peer.url])
            self.assertEqual(r.rc, 1)
            self.assertIn("not a regular expression", r.err)

        # A server that pushes three messages, then one that stops after two.
        with py_peer("close", "--count", 3) as peer:
            rec = self.path("push.jsonl")
            r = run_wscope(["--record", rec, peer.url])
            self.assertEqual(r.rc, 0, r.err)
        with py_peer("close", "--count", 3) as peer:
            r = run_wscope(["replay", "--expect", rec, peer.url])
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(r.out, b"message 0\nmessage 1\nmessage 2\n")
        with py_peer("close", "--count", 2) as peer:
            r = run_wscope(["replay", "--expect", rec, peer.url])
            self.assertEqual(r.rc, 8, r.err)
            self.assertIn("message 3 (from the server) did not arrive", r.err)
            self.assertIn('expected text (9 bytes): "message 2"', r.err)
            self.assertIn("received nothing", r.err)

    def test_gaps_speed_and_no_wait(self):
        with py_peer("echo") as peer:
            rec = self.record_echo(peer, b"a\nb\n")
            rs = records(rec)
            # Move the second message (and everything after it) one second later.
            seen_b = False
            for m in rs:
                if m.get("data", {}).get("text") == "b" and m["dir"] == "out":
                    seen_b = True
                if seen_b or m["type"] == "close":
                    ts = m["ts"]
                    sec = int(ts[17:19]) + 1
                    m["ts"] = ts[:17] + f"{sec:02d}" + ts[19:] if sec < 60 else ts
            slow = self.path("slow.jsonl")
            with open(slow, "w") as f:
                f.write("".join(json.dumps(m) + "\n" for m in rs))
            if not all(int(m["ts"][17:19]) < 60 for m in rs):
                self.skipTest("recorded at the end of a minute")
            r = run_wscope(["replay", "--expect", slow, peer.url])
            self.assertEqual(r.rc, 0, r.err)
            self.assertGreater(r.elapsed, 0.95)
            fast = run_wscope(["replay", "--expect", "--speed", "10", slow, peer.url])
            self.assertEqual(fast.rc, 0, fast.err)
            nowait = run_wscope(["replay", "--expect", "--no-wait", slow, peer.url])
            self.assertEqual(nowait.rc, 0, nowait.err)
            self.assertLess(fast.elapsed, r.elapsed - 0.5)
            self.assertLess(nowait.elapsed, r.elapsed - 0.5)

    def test_listen_record_and_replay_serve_a_node_client(self):
        with listening("--echo", "--record", self.path("srv")) as server:
            r = run_wscope([server.url + "room"], input=b"one\ntwo\n")
            self.assertEqual(r.rc, 0, r.err)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not os.path.exists(self.path("srv.1")):
                time.sleep(0.05)
        rs = records(self.path("srv.1"))
        self.assertEqual(rs[0]["role"], "server")
        self.assertTrue(rs[0]["url"].endswith("/room"))
        self.assertEqual([(m["dir"], m["data"]["text"]) for m in rs if m["type"] == "message"],
                         [("in", "one"), ("out", "one"), ("in", "two"), ("out", "two")])

        # A server-side recording replays as a client too.
        with py_peer("echo") as peer:
            r = run_wscope(["replay", "--expect", self.path("srv.1"), peer.url])
            self.assertEqual(r.rc, 0, r.err)

        node = node_binary()
        env = dict(os.environ, NODE_PATH=os.path.join(ROOT, "node_modules"))
        with listening("--replay", self.path("srv.1")) as mock:
            out = subprocess.run([node, "-e", NODE_CLIENT, mock.url, "2", "one", "two"],
                                 capture_output=True, timeout=20, env=env, text=True)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual([json.loads(l) for l in out.stdout.split()],
                             [{"text": "one"}, {"text": "two"}])

        # Unsolicited messages are played at their recorded times, without being asked.
        with py_peer("close", "--count", 3) as peer:
            rec = self.path("push.jsonl")
            self.assertEqual(run_wscope(["--record", rec, peer.url]).rc, 0)
        with listening("--replay", rec) as mock:
            out = subprocess.run([node, "-e", NODE_CLIENT, mock.url, "3"],
                                 capture_output=True, timeout=20, env=env, text=True)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual([json.loads(l) for l in out.stdout.split("\n") if l],
                             [{"text": f"message {i}"} for i in (0, 1, 2)])

        r = run_wscope(["listen", "0", "--replay", self.path("nope")])
        self.assertEqual(r.rc, 1)
        bad = self.path("bad.jsonl")
        with open(bad, "w") as f:
            f.write("not json\n")
        r = run_wscope(["listen", "0", "--replay", bad])
        self.assertEqual(r.rc, 1)
        self.assertIn("not JSON", r.err)

    def har(self):
        def entry(url, messages, started="2026-11-24T12:00:00.000Z"):
            return {"_resourceType": "websocket", "startedDateTime": started, "time": 1000,
                    "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1",
                                "headers": [{"name": "Host", "value": "example"},
                                            {"name": "X-Trace", "value": "42"}]},
                    "response": {"status": 101, "statusText": "Switching Protocols", "headers": []},
                    "_webSocketMessages": messages}
        t0 = 1795521600.0
        binary = base64.b64encode(bytes([0, 1, 0xFE, 0xFF])).decode()
        msgs = [{"type": "send", "time": t0 + 0.1, "opcode": 1, "data": "hello"},
                {"type": "receive", "time": t0 + 0.12, "opcode": 1, "data": "hello"},
                {"type": "send", "time": t0 + 0.2, "opcode": 2, "data": binary},
                {"type": "receive", "time": t0 + 0.21, "opcode": 2, "data": binary}]
        doc = {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                       "pages": [], "entries": [
                           {"_resourceType": "document", "request": {"url": "http://example/"},
                            "response": {"status": 200, "headers": []}},
                           entry("ws://example/other", [{"type": "send", "time": t0, "opcode": 1, "data": "x"}]),
                           entry("ws://example/socket", msgs)]}}
        path = self.path("session.har")
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_a_har_file_replays(self):
        har = self.har()
        with py_peer("echo") as peer:
            r = run_wscope(["replay", "--expect", har, peer.url])
            self.assertEqual(r.rc, 1)
            self.assertIn("holds 2 WebSocket entries", r.err)
            for entry in ("2", "socket"):
                r = run_wscope(["replay", "--expect", "--entry", entry, har, peer.url])
                self.assertEqual(r.rc, 0, r.err)
                self.assertEqual(r.out, b"hello\n" + bytes([0, 1, 0xFE, 0xFF]))
        with listening("--replay", har, "--entry", "socket") as mock:
            r = run_wscope(["-d", "hi", "-n", "1", mock.url])
            self.assertEqual(r.rc, 0, r.err)
            self.assertEqual(r.out, b"hello\n")

    def test_export_tsung(self):
        with py_peer("echo") as peer:
            rec = self.record_echo(peer, b'one\ntwo {"id":17}\n<three & more>\n')
        with listening("--echo", "--jsonl") as server:
            r = run_wscope(["replay", rec, server.url + "t", "--export", "tsung"])
            self.assertEqual(r.rc, 0, r.err)
            xml = self.path("tsung.xml")
            with open(xml, "wb") as f:
                f.write(r.out)
            text = r.out.decode()
            self.assertIn('type="ts_websocket"', text)
            self.assertIn(f'port="{server.port}"', text)
            self.assertIn('<websocket type="connect" path="/t">', text)
            self.assertIn("two {&quot;id&quot;:17}</websocket>", text)
            v = subprocess.run(["xmllint", "--noout", "--dtdvalid", TSUNG_DTD, xml],
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(v.returncode, 0, v.stderr)
            # A local single-node Tsung runs it; the server sees the messages.
            home = self.path("home")
            os.mkdir(home)
            # Erlang starts its port mapper daemon (epmd) on loopback only, and it is stopped
            # afterwards unless it was running before.
            epmd_before = subprocess.run(["pgrep", "-x", "epmd"], capture_output=True).returncode == 0
            env = dict(os.environ, HOME=home, ERL_EPMD_ADDRESS="127.0.0.1")
            try:
                t = subprocess.run(["tsung", "-f", xml, "-l", self.path("log"), "start"],
                                   capture_output=True, text=True, timeout=40, env=env)
            finally:
                if not epmd_before:
                    subprocess.run(["epmd", "-kill"], capture_output=True, timeout=10, env=env)
            self.assertEqual(t.returncode, 0, t.stdout + t.stderr)
            deadline = time.monotonic() + 5
            want = [("in", "one"), ("in", 'two {"id":17}'), ("in", "<three & more>")]
            got = []
            while time.monotonic() < deadline:
                got = [(m["dir"], m["data"]["text"]) for m in map(json.loads, server.out.snapshot())
                       if m["type"] == "message" and m["dir"] == "in"]
                if got == want:
                    break
                time.sleep(0.1)
            self.assertEqual(got, want, server.describe())


if __name__ == "__main__":
    unittest.main()
