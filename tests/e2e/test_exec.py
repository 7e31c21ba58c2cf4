#!/usr/bin/python3
"""listen --exec CMD (SPEC §2.10): a program per connection, websocketd style, against Python
`websockets` clients: messages as stdin lines and stdout lines as messages, the exit status as
the close code, stderr in the log with the client's id, the CGI environment, EOF then SIGTERM
then SIGKILL after the client leaves, backpressure both ways, --max-clients over processes,
and 100 clients at once, each with its own process."""
import asyncio
import json
import os
import re
import signal
import tempfile
import time
import unittest

import websockets

from e2e_support import Listener, run_wscope


def connect(url, **kw):
    kw.setdefault("max_size", None)
    return websockets.connect(url, ping_interval=None, compression=None, open_timeout=10,
                              close_timeout=10, **kw)


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def gone(pid):
    """The process no longer runs (it may linger as a zombie of some other parent)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before the open, or before the read
        return True


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Scripts:
    """Programs for the tests, in a directory of their own."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="wscope-exec-")

    def add(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)
        return path


ENV_NAMES = ["REMOTE_ADDR", "REMOTE_PORT", "PATH_INFO", "QUERY_STRING", "REQUEST_URI",
             "HTTP_X_TEST", "HTTP_HOST", "SEC_WEBSOCKET_PROTOCOL", "SERVER_PORT", "SERVER_NAME",
             "SERVER_PROTOCOL", "REQUEST_METHOD", "HTTP_PROXY", "WSCOPE_CLIENT_ID", "HOME"]

ENV_SCRIPT = f"""#!/usr/bin/python3
import json, os
print(json.dumps({{k: os.environ.get(k) for k in {ENV_NAMES!r}}}), flush=True)
"""

IGNORES_TERM = """#!/usr/bin/python3
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(os.getpid(), flush=True)
sys.stdin.read()          # EOF when the client has gone: still it does not exit
time.sleep(60)
"""

# One program per path, so that one server can give clients different programs.
BY_PATH = """#!/bin/sh
case "$PATH_INFO" in
  /stuck) exec sleep 20 ;;          # never reads its stdin
  /spew) exec yes spew ;;           # writes as fast as it can
  *) exec cat ;;
esac
"""


class Basics(unittest.TestCase):
    def test_cat_lines_both_ways_and_eof_when_the_client_closes(self):
        server = Listener("--exec", "cat")
        try:
            async def go():
                async with connect(server.url) as ws:
                    for m in ["hello", "second line", "two\nlines", ""]:
                        await ws.send(m)
                    got = [await asyncio.wait_for(ws.recv(), 5) for _ in range(5)]
                    await ws.close()
                    return got, ws.close_code
            got, code = run(go())
            self.assertEqual(got, ["hello", "second line", "two", "lines", ""])
            self.assertEqual(code, 1000)
            # stdin's EOF ends cat: no signal was needed.
            self.assertIsNotNone(server.err.wait_for(
                lambda l: "[1] program ended: exit status 0" in l, 5), server.describe())
            self.assertFalse(any("SIGTERM" in l for l in server.err.snapshot()))
            self.assertEqual(server.out.snapshot(), [], "messages went to stdout")
        finally:
            server.stop()

    def test_counter_script_and_its_exit_closes_with_1000(self):
        server = Listener("--exec", 'n=0; while read line; do n=$((n+1)); echo "$n: $line"; '
                                    '[ "$line" = stop ] && break; done; echo "counted $n"')
        try:
            async def go():
                async with connect(server.url) as ws:
                    got = []
                    for m in ["a", "b", "stop"]:
                        await ws.send(m)
                        got.append(await asyncio.wait_for(ws.recv(), 5))
                    got.append(await asyncio.wait_for(ws.recv(), 5))
                    await asyncio.wait_for(ws.wait_closed(), 5)
                    return got, ws.close_code, ws.close_reason
            got, code, reason = run(go())
            self.assertEqual(got, ["1: a", "2: b", "3: stop", "counted 3"])
            self.assertEqual((code, reason), (1000, ""))
        finally:
            server.stop()

    def test_exit_status_and_signal_close_with_1011(self):
        for cmd, reason in [("echo bye; exit 3", "exit status 3"),
                            ("echo bye; kill -KILL $$", "killed by signal 9 (SIGKILL)")]:
            server = Listener("--exec", cmd)
            try:
                async def go():
                    async with connect(server.url) as ws:
                        first = await asyncio.wait_for(ws.recv(), 5)
                        await asyncio.wait_for(ws.wait_closed(), 5)
                        return first, ws.close_code, ws.close_reason
                self.assertEqual(run(go()), ("bye", 1011, reason), server.describe())
                self.assertIsNotNone(server.err.wait_for(
                    lambda l: "[1] program ended: " + reason in l, 5), server.describe())
            finally:
                server.stop()

    def test_binary_passes_bytes_as_they_are(self):
        server = Listener("--exec", "cat", "--binary")
        try:
            blob = bytes(range(256)) + b"\n\x00\xff"

            async def go():
                async with connect(server.url) as ws:
                    await ws.send(blob)
                    got = b""
                    while len(got) < len(blob):
                        m = await asyncio.wait_for(ws.recv(), 5)
                        self.assertIsInstance(m, bytes)
                        got += m
                    return got
            self.assertEqual(run(go()), blob)
        finally:
            server.stop()

    def test_output_that_is_not_utf8_is_not_sent_as_text(self):
        server = Listener("--exec", r"printf 'bad \377\n'; echo good; cat")
        try:
            async def go():
                async with connect(server.url) as ws:
                    return await asyncio.wait_for(ws.recv(), 5)
            self.assertEqual(run(go()), "good")
            self.assertIsNotNone(server.err.wait_for(lambda l: "[1] the program wrote a line "
                                                     "that is not UTF-8" in l, 5))
        finally:
            server.stop()


class Usage(unittest.TestCase):
    def test_exec_excludes_echo_and_needs_a_command(self):
        for args, message in [(["--echo", "--exec", "cat"], "choose one of --echo and --exec"),
                              (["--exec", ""], "--exec needs a command")]:
            r = run_wscope(["listen", "127.0.0.1:0", *args], timeout=10)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("wscope: error: " + message, r.err, r)


class Environment(unittest.TestCase):
    def test_cgi_variables(self):
        scripts = Scripts()
        env_py = scripts.add("env.py", ENV_SCRIPT)
        os.environ["HTTP_PROXY"] = "http://inherited.invalid:3128"
        try:
            server = Listener("--exec", env_py, "-s", "chat")
        finally:
            del os.environ["HTTP_PROXY"]
        try:
            async def go():
                async with connect(server.url + "room/a%20b?x=1&y=%41", subprotocols=["chat"],
                                   extra_headers={"X-Test": "probe value"}) as ws:
                    return json.loads(await asyncio.wait_for(ws.recv(), 5)), ws.local_address
            env, local = run(go())
            self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")
            self.assertEqual(env["REMOTE_PORT"], str(local[1]))
            self.assertEqual(env["PATH_INFO"], "/room/a b")
            self.assertEqual(env["QUERY_STRING"], "x=1&y=%41")
            self.assertEqual(env["REQUEST_URI"], "/room/a%20b?x=1&y=%41")
            self.assertEqual(env["HTTP_X_TEST"], "probe value")
            self.assertEqual(env["HTTP_HOST"], f"127.0.0.1:{server.port}")
            self.assertEqual(env["SEC_WEBSOCKET_PROTOCOL"], "chat")
            self.assertEqual(env["SERVER_PORT"], str(server.port))
            self.assertEqual(env["SERVER_NAME"], "127.0.0.1")
            self.assertEqual(env["SERVER_PROTOCOL"], "HTTP/1.1")
            self.assertEqual(env["REQUEST_METHOD"], "GET")
            self.assertEqual(env["WSCOPE_CLIENT_ID"], "1")
            self.assertIsNone(env["HTTP_PROXY"], "an inherited HTTP_* passed for a header")
            self.assertEqual(env["HOME"], os.environ.get("HOME"))  # the rest is inherited
        finally:
            server.stop()
            scripts.dir.cleanup()

    def test_stderr_goes_to_the_log_with_the_client_id_escaped(self):
        server = Listener("--exec", r'echo "from $WSCOPE_CLIENT_ID" >&2; '
                                    r"printf 'esc \033[31mred\n' >&2; echo ready; cat", "-q")
        try:
            async def go():
                for _ in range(2):
                    async with connect(server.url) as ws:
                        self.assertEqual(await asyncio.wait_for(ws.recv(), 5), "ready")
            run(go())
            for i in (1, 2):
                self.assertIsNotNone(server.err.wait_for(
                    lambda l: l == f"wscope: [{i}] stderr: from {i}", 5), server.describe())
            esc = server.err.wait_for(lambda l: "[1] stderr: esc" in l, 5)
            self.assertIsNotNone(esc, server.describe())
            self.assertNotIn("\x1b", esc)
            self.assertIn("red", esc)
        finally:
            server.stop()


class Ending(unittest.TestCase):
    def test_a_program_ignoring_eof_and_sigterm_is_killed_in_time(self):
        scripts = Scripts()
        stubborn = scripts.add("stubborn.py", IGNORES_TERM)
        server = Listener("--exec", "exec " + stubborn, "--close-timeout", "0.3")
        try:
            async def go():
                async with connect(server.url) as ws:
                    pid = int(await asyncio.wait_for(ws.recv(), 5))
                return pid, time.monotonic()
            pid, closed_at = run(go())
            self.assertFalse(gone(pid))
            killed = server.err.wait_for(
                lambda l: "[1] program ended: killed by signal 9 (SIGKILL)" in l, 5)
            elapsed = time.monotonic() - closed_at
            self.assertIsNotNone(killed, server.describe())
            # SIGTERM after --close-timeout (0.3 s), SIGKILL at least 0.5 s later.
            self.assertGreater(elapsed, 0.6)
            self.assertLess(elapsed, 3.0)
            self.assertTrue(wait_until(lambda: gone(pid), 2), f"pid {pid} still runs")
            log = server.err.snapshot()
            self.assertTrue(any("[1] program still running 0.3s after the client left: "
                                "sending SIGTERM" in l for l in log), server.describe())
            self.assertTrue(any("[1] program still running after SIGTERM: sending SIGKILL" in l
                                for l in log), server.describe())
            self.assertTrue(server.alive())
        finally:
            server.stop()
            scripts.dir.cleanup()

    def test_max_clients_counts_programs_still_winding_down(self):
        # `sleep` ignores its stdin's EOF: it ends by the SIGTERM one second after its client.
        server = Listener("--exec", "echo up; exec sleep 30", "--max-clients", "1",
                          "--close-timeout", "1")
        try:
            async def one():
                async with connect(server.url) as ws:
                    return await asyncio.wait_for(ws.recv(), 5)

            async def refused():
                try:
                    async with connect(server.url):
                        return None
                except websockets.InvalidStatusCode as e:
                    return e.status_code
            self.assertEqual(run(one()), "up")
            time.sleep(0.3)  # the client is gone from the server's count; its program is not
            self.assertEqual(run(refused()), 503, server.describe())
            self.assertIsNotNone(server.err.wait_for(
                lambda l: "refused: --max-clients programs are still running" in l, 5))
            self.assertIsNotNone(server.err.wait_for(
                lambda l: "[1] program ended: killed by signal 15 (SIGTERM)" in l, 5),
                server.describe())
            self.assertEqual(run(one()), "up")
        finally:
            server.stop()

    def test_server_exit_ends_every_program(self):
        server = Listener("--exec", "trap '' TERM; echo $$; exec sleep 30")
        try:
            async def go():
                async with connect(server.url) as ws:
                    pid = int(await asyncio.wait_for(ws.recv(), 5))
                    server.proc.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(ws.wait_closed(), 5)
                    return pid, ws.close_code
            pid, code = run(go())
            self.assertEqual(code, 1001)
            started = time.monotonic()
            server.proc.wait(5)
            self.assertLess(time.monotonic() - started, 3)
            self.assertTrue(wait_until(lambda: gone(pid), 2), f"pid {pid} outlived the server")
        finally:
            server.stop()


class Concurrency(unittest.TestCase):
    def test_100_clients_each_with_its_own_process(self):
        server = Listener("--exec", "echo $$; exec cat", "-q")
        try:
            n = 100

            async def one(i, ready):
                async with connect(server.url) as ws:
                    pid = int(await asyncio.wait_for(ws.recv(), 20))
                    ready.append(pid)
                    while len(ready) < n:  # every client and program alive at the same time
                        await asyncio.sleep(0.01)
                    alive = not gone(pid)
                    await ws.send(f"client {i}")
                    return pid, alive, await asyncio.wait_for(ws.recv(), 20)

            async def all_of_them():
                ready = []
                return await asyncio.gather(*(one(i, ready) for i in range(n)))
            started = time.monotonic()
            results = run(all_of_them(), timeout=45)
            print(f"\n100 clients with a process each: {time.monotonic() - started:.2f}s",
                  flush=True)
            pids = [r[0] for r in results]
            self.assertEqual(len(set(pids)), n)
            self.assertTrue(all(r[1] for r in results))
            self.assertEqual([r[2] for r in results], [f"client {i}" for i in range(n)])
            self.assertTrue(wait_until(lambda: all(gone(p) for p in pids), 10))
            self.assertTrue(server.alive())
        finally:
            server.stop()

    def test_stuck_and_flooding_programs_stall_nobody_and_memory_stays_bounded(self):
        scripts = Scripts()
        by_path = scripts.add("by_path.sh", BY_PATH)
        server = Listener("--exec", by_path, "-q")
        try:
            base_rss = rss_kib(server.proc.pid)

            async def push_into_stuck(ws, sent):
                block = "x" * (1 << 20)
                for _ in range(64):
                    await ws.send(block)
                    sent[0] += len(block)

            async def go():
                sent = [0]
                # Its program never reads: what it is sent must stop at the socket.
                stuck = await connect(server.url + "stuck")
                pusher = asyncio.ensure_future(push_into_stuck(stuck, sent))
                # Its program writes without end, and it reads no more than one message.
                flooded = await connect(server.url + "spew", max_queue=1)
                worst = 0.0
                async with connect(server.url + "cat") as ws:
                    end = time.monotonic() + 2.5
                    i = 0
                    while time.monotonic() < end:
                        t = time.monotonic()
                        await ws.send(f"ping {i}")
                        self.assertEqual(await asyncio.wait_for(ws.recv(), 5), f"ping {i}")
                        worst = max(worst, time.monotonic() - t)
                        i += 1
                        await asyncio.sleep(0.05)
                rss = rss_kib(server.proc.pid)
                pusher.cancel()
                await asyncio.gather(pusher, return_exceptions=True)
                for w in (stuck, flooded):  # neither could finish a closing handshake
                    w.transport.abort()
                return sent[0], worst, rss
            sent, worst, rss = run(go(), timeout=30)
            print(f"\nstuck program: {sent >> 20} MiB taken of 64; worst round trip beside it "
                  f"{worst * 1000:.0f} ms; server RSS {base_rss >> 10} → {rss >> 10} MiB",
                  flush=True)
            self.assertLess(worst, 0.5, "a stuck or flooding program stalled another client")
            self.assertLess(sent, 48 << 20, "the stuck program's stdin was not a backpressure")
            self.assertLess(rss - base_rss, 48 << 10, "server memory grew without bound")
            self.assertTrue(server.alive())
        finally:
            server.stop()
            scripts.dir.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
