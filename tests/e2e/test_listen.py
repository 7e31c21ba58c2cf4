#!/usr/bin/python3
"""Listen mode as an echo server (SPEC §2.4) driven by the Python `websockets` client (which
checks the Accept value and that server frames are unmasked) and by raw sockets for malformed
handshakes and frames."""
import asyncio
import base64
import os
import random
import signal
import socket
import struct
import subprocess
import unittest

import websockets

from e2e_support import WSCOPE, Listener, _Lines, run_wscope

MiB = 1 << 20


def connect(url, **kw):
    return websockets.connect(url, ping_interval=None, max_size=None, compression=None,
                              open_timeout=10, close_timeout=10, **kw)


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def raw_request(port, request, read_timeout=5):
    """Sends request bytes, returns (status line, headers dict lower-cased, body so far)."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(request)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return lines[0], headers, body


def upgrade_request(port, method="GET", version="13", key=True, extra=""):
    lines = [f"{method} / HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Version: {version}"]
    if key:
        lines.append("Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode())
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


class ListenEcho(unittest.TestCase):
    """One server for the class. After each test a probe connection checks that the server
    still works; if it died, the test is failed and the next test gets a fresh server, so one
    crash is reported once and not as a cascade."""

    server = None

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()

    def setUp(self):
        if self.server is None or not self.server.alive():
            type(self).server = Listener("--echo")

    def tearDown(self):
        async def probe():
            async with connect(self.server.url) as ws:
                await ws.send("probe")
                return await asyncio.wait_for(ws.recv(), 5)
        try:
            echoed = run(probe(), timeout=10)
        except Exception as e:  # noqa: BLE001 - any failure means the server is broken
            echoed = repr(e)
        if self.server.alive():
            self.server.proc.poll()
        if echoed != "probe" or not self.server.alive():
            self.server.stop()
            self.fail(f"the listen server is broken after this test (probe: {echoed}):\n"
                      + self.server.describe())

    def test_text_and_binary_round_trips(self):
        sizes = [0, 1, 125, 126, 127, 65535, 65536, 65537, MiB, 16 * MiB]
        rng = random.Random(1)

        async def go():
            async with connect(self.server.url) as ws:
                for n in sizes:
                    data = rng.randbytes(n)
                    await ws.send(data)
                    got = await ws.recv()
                    self.assertIsInstance(got, bytes, f"binary {n} came back as text")
                    self.assertEqual(got, data, f"binary message of {n} bytes")
                    unit = "".join(rng.choice("aé€😀\n") for _ in range(min(n // 4, 4096)))
                    text = unit * (n // 4 // max(len(unit), 1))
                    await ws.send(text)
                    got = await ws.recv()
                    self.assertIsInstance(got, str, f"text {n} came back as binary")
                    self.assertEqual(got, text, f"text message of {len(text)} characters")
                await ws.close()
                self.assertEqual(ws.close_code, 1000)

        run(go(), timeout=120)

    def test_fragmented_message_is_echoed_whole(self):
        async def go():
            async with connect(self.server.url) as ws:
                await ws.send(["frag", "ment", "ed €"])  # websockets sends an iterable in fragments
                self.assertEqual(await ws.recv(), "fragmented €")
        run(go())

    def test_50_concurrent_clients(self):
        async def client(i):
            async with connect(self.server.url) as ws:
                for j in range(20):
                    msg = f"client {i} message {j}"
                    await ws.send(msg)
                    self.assertEqual(await ws.recv(), msg)
                return i

        async def go():
            done = await asyncio.gather(*(client(i) for i in range(50)))
            self.assertEqual(sorted(done), list(range(50)))

        run(go(), timeout=60)

    def test_ping_gets_pong(self):
        async def go():
            async with connect(self.server.url) as ws:
                waiter = await ws.ping(b"are you there")
                await asyncio.wait_for(waiter, 5)
                await ws.send("still here")
                self.assertEqual(await ws.recv(), "still here")
        run(go())

    def test_client_close_code_echoed(self):
        async def go():
            async with connect(self.server.url) as ws:
                await ws.close(4000, "bye")
                self.assertEqual(ws.close_code, 4000)
        run(go())

    def test_wscope_client_against_itself(self):
        r = run_wscope([self.server.url], b"hello\n{\"op\":\"ping\"}\n\n")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b'hello\n{"op":"ping"}\n\n', r)

    def test_post_is_405(self):
        status, headers, _ = raw_request(self.server.port, upgrade_request(self.server.port,
                                                                           method="POST"))
        self.assertRegex(status, r"^HTTP/1\.1 405 ")

    def test_version_8_is_426_with_version_13(self):
        status, headers, _ = raw_request(self.server.port, upgrade_request(self.server.port,
                                                                           version="8"))
        self.assertRegex(status, r"^HTTP/1\.1 426 ")
        self.assertEqual(headers.get("sec-websocket-version"), ["13"], headers)

    def test_missing_key_is_400(self):
        status, _, _ = raw_request(self.server.port, upgrade_request(self.server.port, key=False))
        self.assertRegex(status, r"^HTTP/1\.1 400 ")

    def test_garbage_is_400(self):
        status, _, _ = raw_request(self.server.port, b"HELLO\r\n\r\n")
        self.assertRegex(status, r"^HTTP/1\.1 400 ")

    def test_burst_of_bad_handshakes(self):
        # Requests that arrive with the connection are handled as the connection is accepted;
        # each must get its status and the server must go on serving.
        port = self.server.port
        kinds = [(upgrade_request(port, method="POST"), "405"),
                 (upgrade_request(port, version="8"), "426"),
                 (upgrade_request(port, key=False), "400")] * 7
        socks = []
        try:
            for request, _ in kinds:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(request)
                socks.append(s)
            for s, (_, status) in zip(socks, kinds):
                data = b""
                try:
                    while b"\r\n" not in data:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                self.assertRegex(data.split(b"\r\n")[0].decode("latin-1"),
                                 rf"^HTTP/1\.1 {status} ", data)
        finally:
            for s in socks:
                s.close()

    def test_unmasked_client_frame_closes_1002(self):
        port = self.server.port
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(upgrade_request(port))
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed during the handshake")
                data += chunk
            self.assertRegex(data.split(b"\r\n")[0].decode(), r"^HTTP/1\.1 101 ")
            data = data.partition(b"\r\n\r\n")[2]
            s.sendall(b"\x81\x05hello")  # FIN TEXT, no MASK bit
            try:
                while len(data) < 4:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                pass
        self.assertGreaterEqual(len(data), 4, f"no Close frame from the server: {data!r}")
        self.assertEqual(data[0], 0x88, f"expected a Close frame first: {data!r}")
        self.assertEqual(data[1] & 0x80, 0, "server frames must not be masked")
        self.assertEqual(struct.unpack("!H", data[2:4])[0], 1002, data)


class ListenPrintAndBroadcast(unittest.TestCase):
    """Default behaviour: received messages are printed, stdin lines go to every client."""

    def test_print_and_broadcast(self):
        server = Listener()
        try:
            async def go():
                async with connect(server.url) as a, connect(server.url) as b:
                    await a.send("from client a")
                    await b.send("from client b")
                    for text in ("from client a", "from client b"):
                        line = await asyncio.to_thread(
                            server.out.wait_for, lambda l, t=text: l.endswith(t), 10)
                        self.assertIsNotNone(line, f"{text!r} not printed:\n{server.describe()}")
                    server.write_stdin(b"to everyone\n")
                    self.assertEqual(await asyncio.wait_for(a.recv(), 10), "to everyone")
                    self.assertEqual(await asyncio.wait_for(b.recv(), 10), "to everyone")
            run(go())
        finally:
            server.stop()

    def test_sigint_closes_clients_with_1001(self):
        server = Listener("--echo")
        try:
            async def go():
                async with connect(server.url) as ws:
                    await ws.send("x")
                    self.assertEqual(await ws.recv(), "x")
                    server.proc.send_signal(signal.SIGINT)
                    with self.assertRaises(websockets.ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), 10)
                    self.assertEqual(ws.close_code, 1001)
            run(go())
            server.proc.wait(5)
        finally:
            server.stop()


class ListenAliases(unittest.TestCase):
    def test_dash_l_and_default_host(self):
        # `wscope -l PORT` (wscat) binds 127.0.0.1 like `wscope listen PORT`.
        proc = subprocess.Popen([WSCOPE, "-l", "0", "--echo"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            err = _Lines(proc.stderr)
            line = err.wait_for(lambda l: Listener.PORT_LINE.search(l) is not None, 10)
            self.assertIsNotNone(line, f"no 'listening on ws://127.0.0.1:PORT/' line: "
                                       f"{err.snapshot()}")
            url = f"ws://127.0.0.1:{Listener.PORT_LINE.search(line).group(1)}/"

            async def go():
                async with connect(url) as ws:
                    await ws.send("via -l")
                    self.assertEqual(await asyncio.wait_for(ws.recv(), 10), "via -l",
                                     "wscope -l PORT --echo did not echo")
            run(go())
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdin.close()
            err.join(5)
            proc.stderr.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
