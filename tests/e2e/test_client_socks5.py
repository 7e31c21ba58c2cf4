#!/usr/bin/python3
"""SOCKS5 proxies from the command line and the environment (SPEC §2.10): the real binary
through microsocks (with and without -u/-P) for ws:// and wss://, socks5:// and socks5h://,
-x, all_proxy, http_proxy, https_proxy and no_proxy as curl reads them, and exit 2 with one
error line for a refusal, a failed password, a reply code and a proxy that is not there.

Peers: tests/peers/reach_ws.py (echo server), /usr/bin/microsocks (its stderr says which
targets it connected to), and a raw SOCKS5 server on a thread here that records the CONNECT
request and answers with a chosen reply code. Certificates come from tests/net/make_certs.sh.
Everything is on loopback; every process is bounded by a timeout.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from e2e_support import PEERS, PYTHON, ROOT, Peer, error_lines, free_port_refusing, run_wscope, wait_listening

MICROSOCKS = "/usr/bin/microsocks"
MESSAGES = b"hello\nsecond message\n"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(extra)
    return env


def wscope(args, **env):
    return run_wscope(args, MESSAGES, env=clean_env(**env), timeout=30)


class Microsocks:
    """microsocks on a free loopback port, its stderr in a file."""

    def __init__(self, tmp, auth=None):
        self.logpath = os.path.join(tmp, f"microsocks-{len(os.listdir(tmp))}.log")
        for _ in range(3):  # the probed port may be taken before microsocks binds it
            self.port = free_port_refusing()
            cmd = [MICROSOCKS, "-i", "127.0.0.1", "-p", str(self.port)]
            if auth:
                cmd += ["-u", auth[0], "-P", auth[1]]
            with open(self.logpath, "ab") as log:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT)
            if wait_listening(self.proc, self.port, 10):
                return
            self.stop()
        raise AssertionError(f"microsocks did not start:\n{self.log()}")

    def url(self, scheme, userinfo=""):
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}"

    def log(self):
        with open(self.logpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def connected_to(self, target, timeout=5):
        """How many times microsocks logged a connection to target (host:port)."""
        deadline = time.monotonic() + timeout
        while f"connected to {target}" not in self.log() and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.log().count(f"connected to {target}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class FakeSocks5:
    """One connection: answers the greeting with "no authentication", records the CONNECT
    request's bytes, then answers with reply code `code` (RFC 1928 §6) and closes."""

    def __init__(self, code):
        self.code = code
        self.request = b""
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            f = conn.makefile("rb")
            greeting = f.read(2)
            f.read(greeting[1])
            conn.sendall(b"\x05\x00")
            head = f.read(4)
            atyp = head[3]
            if atyp == 3:
                n = f.read(1)
                rest = n + f.read(n[0] + 2)
            else:
                rest = f.read({1: 4, 4: 16}[atyp] + 2)
            self.request = head + rest
            conn.sendall(bytes([5, self.code, 0, 1, 0, 0, 0, 0, 0, 0]))

    def url(self, scheme):
        return f"{scheme}://127.0.0.1:{self.port}"

    def done(self):
        self.thread.join(10)
        self.sock.close()
        return self.request


class Socks5(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(MICROSOCKS, os.X_OK):
            msg = (f"SKIPPED: microsocks is not installed ({MICROSOCKS}): the SOCKS5 tests did "
                   "not run; scripts/deps installs it")
            sys.stderr.write("\n" + "!" * 78 + "\n" + msg + "\n" + "!" * 78 + "\n")
            raise unittest.SkipTest(msg)
        cls.tmp = tempfile.mkdtemp(prefix="wscope-socks5-")
        cls.certs = os.path.join(cls.tmp, "certs")
        os.mkdir(cls.certs)
        subprocess.run(["sh", os.path.join(ROOT, "tests", "net", "make_certs.sh"), cls.certs],
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True,
                       timeout=120)
        reach = os.path.join(PEERS, "reach_ws.py")
        cls.echo = Peer([PYTHON, reach])
        cls.tls = Peer([PYTHON, reach, "--cert", cls.cert("server.pem"),
                        "--key", cls.cert("server.key")])
        cls.proxy = Microsocks(cls.tmp)
        cls.auth_proxy = Microsocks(cls.tmp, ("alice", "p@ss word"))
        cls.target = f"127.0.0.1:{cls.echo.port}"

    @classmethod
    def tearDownClass(cls):
        for thing in (cls.auth_proxy, cls.proxy, cls.tls, cls.echo):
            thing.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def cert(cls, name):
        return os.path.join(cls.certs, name)

    def through(self, proxy, target, args, **env):
        before = proxy.log().count(f"connected to {target}")
        r = wscope(args, **env)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, MESSAGES, r)
        self.assertGreater(proxy.connected_to(target), before,
                           f"not through the proxy:\n{r}\n{proxy.log()[-2000:]}")

    def fails(self, args, *needles, **env):
        r = wscope(args, **env)
        self.assertEqual(r.rc, 2, r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, f"want exactly one 'wscope: …' error line: {r}")
        for needle in needles:
            self.assertIn(needle, errors[0], r)
        return errors[0]

    def wss_args(self):
        return ["--cacert", self.cert("ca.pem"), f"wss://127.0.0.1:{self.tls.port}/"]

    def test_x_socks5_and_socks5h(self):
        for scheme in ("socks5", "socks5h"):
            with self.subTest(scheme):
                self.through(self.proxy, self.target, ["-x", self.proxy.url(scheme),
                                                       self.echo.url])

    def test_wss_over_socks5_with_password(self):
        self.through(self.auth_proxy, f"127.0.0.1:{self.tls.port}",
                     ["-x", self.auth_proxy.url("socks5h", "alice:p%40ss%20word@"),
                      *self.wss_args()])

    def test_environment_variables(self):
        self.through(self.proxy, self.target, [self.echo.url],
                     all_proxy=self.proxy.url("socks5h"))
        self.through(self.proxy, self.target, [self.echo.url],
                     http_proxy=self.proxy.url("socks5"))
        self.through(self.proxy, f"127.0.0.1:{self.tls.port}", self.wss_args(),
                     https_proxy=self.proxy.url("socks5h"))

    def test_no_proxy_goes_direct(self):
        closed = f"socks5://127.0.0.1:{free_port_refusing()}"
        r = wscope([self.echo.url], all_proxy=closed, no_proxy="127.0.0.1")
        self.assertEqual((r.rc, r.out), (0, MESSAGES), r)

    def test_wrong_password_exits_2(self):
        self.fails(["-x", self.auth_proxy.url("socks5", "alice:nope@"), self.echo.url],
                   f"SOCKS5 proxy 127.0.0.1:{self.auth_proxy.port}",
                   'rejected the user name and password (user "alice")')
        self.fails(["-x", self.auth_proxy.url("socks5"), self.echo.url],
                   "requires authentication")

    def test_unreachable_proxy_exits_2(self):
        port = free_port_refusing()
        self.fails(["-x", f"socks5h://127.0.0.1:{port}", self.echo.url],
                   f"cannot connect to proxy socks5h://127.0.0.1:{port}", "connection refused")

    def test_reply_code_exits_2_and_socks5h_sends_the_name(self):
        name = "only-the-proxy-knows.invalid"
        fake = FakeSocks5(0x04)
        self.fails(["-x", fake.url("socks5h"), f"ws://{name}:8080/"],
                   f"SOCKS5 proxy 127.0.0.1:{fake.port} could not connect to {name}:8080: "
                   "host unreachable (reply 0x04)")
        self.assertEqual(fake.done(),
                         b"\x05\x01\x00\x03" + bytes([len(name)]) + name.encode() + b"\x1f\x90")
        fake = FakeSocks5(0x02)
        self.fails(["-x", fake.url("socks5"), "ws://127.0.0.1:8080/"],
                   "connection not allowed by the proxy's rules (reply 0x02)")
        self.assertEqual(fake.done(), b"\x05\x01\x00\x01\x7f\x00\x00\x01\x1f\x90")

    def test_socks5_resolves_here(self):
        self.fails(["-x", self.proxy.url("socks5"), "ws://only-the-proxy-knows.invalid/"],
                   'could not resolve host "only-the-proxy-knows.invalid"')


if __name__ == "__main__":
    unittest.main(verbosity=2)
