#!/usr/bin/python3
"""Listen mode beyond the echo basics (SPEC §2.4): a Node `ws` client, hundreds of clients at
once, clients that stall or lie (slowloris handshake, a 2^62-byte claimed length), and the
server's options: --max-clients, --oneshot, -n, --subprotocol, -v."""
import asyncio
import json
import os
import socket
import struct
import subprocess
import time
import unittest

import websockets

from e2e_support import ROOT, WSCOPE, Listener, node_binary
from wsframe import OP_CLOSE, OP_TEXT, client_handshake, encode_frame, parse_close


def connect(url, **kw):
    return websockets.connect(url, ping_interval=None, max_size=None, compression=None,
                              open_timeout=10, close_timeout=10, **kw)


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def raw_upgrade(port):
    """A raw client connection past a valid handshake (the 101 read and checked)."""
    conn, _, _ = client_handshake(port, timeout=5)
    return conn


def read_close_code(conn, timeout=5):
    """Reads server frames until a Close; returns its code."""
    conn.sock.settimeout(timeout)
    while True:
        f = conn.read_frame_or_none()
        if f is None:
            raise AssertionError("connection closed without a close frame")
        if f.op == OP_CLOSE:
            return parse_close(f.payload)[0]


NODE_CLIENT = r"""
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1], {perMessageDeflate: false});
const big = Buffer.alloc(200000); for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
const got = [];
ws.on('open', () => {
  ws.send('node-text');
  ws.send(big);
  ws.send('frag-', {fin: false}); ws.send('ment', {fin: true});
});
ws.on('message', (data, isBinary) => {
  got.push(isBinary ? {bin: Buffer.compare(data, big) === 0} : {text: data.toString()});
  if (got.length === 3) ws.close(4001, 'node done');
});
ws.on('close', (code) => { console.log(JSON.stringify({got, code})); process.exit(0); });
ws.on('error', (e) => { console.log(JSON.stringify({error: String(e)})); process.exit(1); });
"""


class NodeClient(unittest.TestCase):
    def test_node_ws_client_round_trips(self):
        server = Listener("--echo")
        try:
            p = subprocess.run([node_binary(), "-e", NODE_CLIENT, server.url], cwd=ROOT,
                               capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 0, p)
            result = json.loads(p.stdout.decode().strip().splitlines()[-1])
            self.assertEqual(result["got"], [{"text": "node-text"}, {"bin": True},
                                             {"text": "frag-ment"}], result)
            self.assertEqual(result["code"], 4001, result)
        finally:
            server.stop()


class ManyAndHostile(unittest.TestCase):
    def test_300_concurrent_clients(self):
        server = Listener("--echo", "-q")
        try:
            async def one(i, ready):
                async with connect(server.url) as ws:
                    ready.append(i)
                    while len(ready) < 300:  # every client is connected at the same time
                        await asyncio.sleep(0.01)
                    await ws.send(f"client {i}")
                    return await ws.recv()

            async def all_of_them():
                ready = []
                return await asyncio.gather(*(one(i, ready) for i in range(300)))

            echoes = run(all_of_them(), timeout=90)
            self.assertEqual(echoes, [f"client {i}" for i in range(300)])
        finally:
            server.stop()

    def test_slow_handshake_is_dropped_without_stalling_others(self):
        server = Listener("--echo", "--handshake-timeout", "1")
        try:
            slow = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            started = time.monotonic()

            async def quick():
                async with connect(server.url) as ws:
                    await ws.send("not stalled")
                    return await ws.recv()

            self.assertEqual(run(quick(), timeout=10), "not stalled")
            self.assertLess(time.monotonic() - started, 0.9, "a slow client stalled the others")
            slow.settimeout(5)
            self.assertEqual(slow.recv(4096), b"", "the slow client was not dropped")
            self.assertGreaterEqual(time.monotonic() - started, 0.9)
            slow.close()
            self.assertTrue(server.alive())
        finally:
            server.stop()

    def test_huge_claimed_length_is_refused_before_allocation(self):
        server = Listener("--echo")
        try:
            s = raw_upgrade(server.port)
            # A masked binary frame claiming 2^62 bytes, followed by nothing.
            s.send(bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 62) + b"\x01\x02\x03\x04")
            self.assertEqual(read_close_code(s), 1009)
            s.sock.close()

            async def still_fine():
                async with connect(server.url) as ws:
                    await ws.send("still here")
                    return await ws.recv()

            self.assertEqual(run(still_fine()), "still here")
        finally:
            server.stop()


class ServerOptions(unittest.TestCase):
    def test_max_clients_refuses_the_next_with_503(self):
        server = Listener("--echo", "--max-clients", "2")
        try:
            a = raw_upgrade(server.port)
            b = raw_upgrade(server.port)
            c = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(c.recv(4096).startswith(b"HTTP/1.1 503"))
            for s in (a.sock, b.sock, c):
                s.close()
        finally:
            server.stop()

    def test_oneshot_exits_with_the_client_outcome(self):
        server = Listener("--echo", "--oneshot")

        async def go():
            async with connect(server.url) as ws:
                await ws.send("once")
                return await ws.recv()

        self.assertEqual(run(go()), "once")
        server.proc.wait(10)
        self.assertEqual(server.stop(), 0, server.describe())

        server = Listener("--echo", "--oneshot")
        s = raw_upgrade(server.port)
        s.send(encode_frame(OP_TEXT, b"hi"))  # unmasked: a client must mask (RFC 6455 §5.1)
        self.assertEqual(read_close_code(s), 1002)
        s.sock.close()
        server.proc.wait(10)
        self.assertEqual(server.stop(), 5, server.describe())

    def test_count_exits_after_n_messages(self):
        server = Listener("-n", "3")

        async def go():
            async with connect(server.url) as ws:
                for word in ("one", "two", "three"):
                    await ws.send(word)
                await asyncio.wait_for(ws.wait_closed(), 10)
                return ws.close_code

        self.assertEqual(run(go()), 1000)
        server.proc.wait(10)
        self.assertEqual(server.stop(), 0, server.describe())
        self.assertEqual(server.out.snapshot()[:3], ["one", "two", "three"])

    def test_subprotocol_is_the_clients_first_accepted_choice(self):
        server = Listener("--echo", "-s", "chat.v2", "-s", "chat.v1")
        try:
            async def go(offer):
                async with connect(server.url, subprotocols=offer) as ws:
                    return ws.subprotocol

            self.assertEqual(run(go(["chat.v3", "chat.v1", "chat.v2"])), "chat.v1")
            self.assertIsNone(run(go(["other"])))
        finally:
            server.stop()

    def test_stats_per_client_when_it_leaves(self):
        server = Listener("--echo", "--stats")
        try:
            async def go():
                async with connect(server.url) as ws:
                    for word in ("a", "b"):
                        await ws.send(word)
                        await ws.recv()

            run(go())
            line = server.err.wait_for(lambda l: "stats: messages:" in l, 5)
            self.assertEqual(line, "[1] stats: messages: 2 sent, 2 received", server.describe())
            close = server.err.wait_for(lambda l: "stats: close:" in l, 5)
            self.assertEqual(close, "[1] stats: close: sent 1000 (normal), received 1000 (normal); "
                                    "the peer closed first")
        finally:
            server.stop()

    def test_verbose_shows_the_request_and_the_response(self):
        server = Listener("--echo", "-v")
        try:
            async def go():
                async with connect(server.url + "room?x=1",
                                   extra_headers={"X-Probe": "yes"}) as ws:
                    await ws.send("v")
                    return await ws.recv()

            self.assertEqual(run(go()), "v")
            self.assertIsNotNone(server.err.wait_for(lambda l: "< GET /room?x=1 HTTP/1.1" in l, 5),
                                 server.describe())
            self.assertIsNotNone(server.err.wait_for(lambda l: "< X-Probe: yes" in l, 5))
            self.assertIsNotNone(server.err.wait_for(
                lambda l: "> HTTP/1.1 101 Switching Protocols" in l, 5))
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
