#!/usr/bin/python3
"""listen --script (SPEC §2.7): the specification's example and the man page's three
examples (read from man/wscope.1.in, verbatim), run against Python `websockets` clients;
expect and --oneshot's exit 8; a bad script is a usage error naming the line and column."""
import asyncio
import json
import os
import re
import tempfile
import time
import unittest

import websockets

from e2e_support import ROOT, Listener, error_lines, run_wscope

SPEC_EXAMPLE = """\
open              send {"type":"hello"}
text /"op":"sub"/ send {"type":"ack"} ; every 50ms x3 send {"tick":$n}
text "bye"        close 4000 see you
text *            send {"echo":$msg}
"""


def man_examples():
    """The .EX blocks of the SCENARIOS section, with roff's escapes undone."""
    with open(os.path.join(ROOT, "man", "wscope.1.in"), encoding="utf-8") as f:
        page = f.read()
    section = page[page.index(".SH SCENARIOS\n"):]
    section = section[:section.index("\n.SH ", 1)]
    blocks = re.findall(r"^\.EX\n(.*?)^\.EE$", section, re.S | re.M)
    return [b.replace("\\e", "\\") for b in blocks]


def connect(url):
    return websockets.connect(url, ping_interval=None, open_timeout=5, close_timeout=5)


def run(coro, timeout=20):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def exchange(url, sends, expect_count):
    """Sends each message, then reads until the server closes; returns (messages, code, reason)."""
    got = []
    async with connect(url) as ws:
        for s in sends:
            await ws.send(s)
        try:
            while True:
                got.append(await ws.recv())
        except websockets.exceptions.ConnectionClosed:
            pass
        return got, ws.close_code, ws.close_reason


class Scripts(unittest.TestCase):
    def serve(self, text, *extra):
        d = tempfile.TemporaryDirectory(prefix="wscope-script-")
        self.addCleanup(d.cleanup)
        path = os.path.join(d.name, "rules.ws")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        server = Listener("--script", path, *extra)
        self.addCleanup(server.stop)
        return server

    def test_the_man_page_carries_the_spec_example_verbatim(self):
        self.assertEqual(man_examples()[0], SPEC_EXAMPLE)

    def test_spec_example(self):
        server = self.serve(SPEC_EXAMPLE)
        start = time.monotonic()
        got, code, reason = run(exchange(server.url, ['{"op":"sub"}', "bye"], 5))
        self.assertEqual(got, ['{"type":"hello"}', '{"type":"ack"}', '{"tick":1}', '{"tick":2}', '{"tick":3}'])
        self.assertEqual((code, reason), (4000, "see you"))
        self.assertGreaterEqual(time.monotonic() - start, 0.15)

        async def echo():
            async with connect(server.url) as ws:
                return [await ws.recv(), await ws.send("plain") or await ws.recv()]
        self.assertEqual(run(echo()), ['{"type":"hello"}', '{"echo":plain}'])

    def test_man_ticker_feed(self):
        server = self.serve(man_examples()[1])
        got, code, reason = run(exchange(server.url, ['{"op":"subscribe","feed":"BTC"}'], 7))
        self.assertEqual(got, ['{"type":"welcome","feeds":["BTC"]}', '{"type":"subscribed"}',
                               *[f'{{"price":{n}}}' for n in range(1, 6)]])
        self.assertEqual((code, reason), (1000, "feed over"))

    def test_man_chat_bot(self):
        server = self.serve(man_examples()[2])
        got, code, reason = run(exchange(server.url, ["hi bot", "time", "what now", b"\x01", "quit"], 6))
        self.assertEqual(got, ["bot: hello, say hi", "bot: hi there", "bot: it is always now",
                               "bot: you said what now", "bot: I only read text", "bot: bye"])
        self.assertEqual((code, reason), (1000, "bye"))

    def test_man_auth_handshake(self):
        script = man_examples()[3]
        server = self.serve(script)
        got, code, reason = run(exchange(server.url, ['{"token":"bad"}'], 1))
        self.assertEqual(got, ['{"auth":"denied"}'])
        self.assertEqual((code, reason), (4001, "bad token"))

        async def good():
            async with connect(server.url) as ws:
                await ws.send('{"token":"good"}')
                first = await ws.recv()
                await ws.send("ping?")
                return [first, await ws.recv()]
        self.assertEqual(run(good()), ['{"auth":"ok"}', '{"echo":ping?}'])

    def test_expect_makes_oneshot_exit_8_naming_it(self):
        script = man_examples()[3]
        ok_server = self.serve(script, "--oneshot")
        run(exchange(ok_server.url, ['{"token":"bad"}'], 1))
        ok_server.proc.wait(10)
        self.assertEqual(ok_server.proc.returncode, 0, ok_server.describe())

        server = self.serve(script, "--oneshot")

        async def no_token():
            async with connect(server.url) as ws:
                await ws.send("hello")
                await ws.recv()
        run(no_token())
        server.proc.wait(10)
        self.assertEqual(server.proc.returncode, 8, server.describe())
        line = server.err.wait_for(lambda l: "expectation not met" in l, 5)
        self.assertIsNotNone(line, server.describe())
        self.assertIn('line 2: expected text /^\\{"token":/, got text "hello"', line)

    def test_expect_unmet_when_the_client_leaves_first(self):
        server = self.serve('open expect text "login"\n', "--oneshot", "--jsonl")

        async def leave():
            async with connect(server.url):
                pass
        run(leave())
        server.proc.wait(10)
        self.assertEqual(server.proc.returncode, 8, server.describe())
        self.assertIsNotNone(server.err.wait_for(
            lambda l: 'line 1: expected text "login", but the client left first' in l, 5), server.describe())
        event = json.loads(server.out.wait_for(lambda l: '"kind":"expect"' in l, 5))
        self.assertEqual((event["type"], event["exit_code"], event["client"]), ("error", 8, 1))
        self.assertEqual(event["message"], 'line 1: expected text "login", but the client left first')

    def test_fault_and_drop_actions(self):
        server = self.serve('text "drop" drop\ntext "late" fault close=4002:late@1\n* send $msg\n', "--jsonl")
        got, code, _ = run(exchange(server.url, ["drop"], 0))
        self.assertEqual((got, code), ([], 1006))
        got, code, reason = run(exchange(server.url, ["late", "x", "y"], 2))
        self.assertEqual((code, reason), (4002, "late"))
        self.assertIsNotNone(server.out.wait_for(lambda l: '"injected":"drop"' in l, 5), server.describe())

    def test_faults_act_on_what_the_script_sends(self):
        server = self.serve('open send first\ntext "slow" fault delay=300 ; send held\n* send $msg\n',
                            "--fault", "close=4009@2")

        async def main():
            async with connect(server.url) as ws:
                first = await ws.recv()
                await ws.send("slow")
                start = time.monotonic()
                held = await ws.recv()
                elapsed = time.monotonic() - start
                await ws.send("two")
                try:
                    await ws.recv()
                    await ws.recv()
                except websockets.exceptions.ConnectionClosed:
                    pass
                return first, held, elapsed, ws.close_code
        first, held, elapsed, code = run(main())
        self.assertEqual((first, held, code), ("first", "held", 4009))
        self.assertGreaterEqual(elapsed, 0.3)

    def test_bad_script_is_a_usage_error_naming_line_and_column(self):
        d = tempfile.TemporaryDirectory(prefix="wscope-script-")
        self.addCleanup(d.cleanup)
        path = os.path.join(d.name, "bad.ws")
        with open(path, "w", encoding="utf-8") as f:
            f.write("open send hi\ntext /(/ send x\n")
        r = run_wscope(["listen", "0", "--script", path], timeout=10)
        self.assertEqual(r.rc, 1, r)
        lines = error_lines(r.err)
        self.assertEqual(len(lines), 1, r)
        self.assertIn(f"--script {path}:2:6: bad regex /(/", lines[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
