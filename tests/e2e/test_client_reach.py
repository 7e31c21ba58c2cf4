#!/usr/bin/python3
"""Reaching the server (SPEC §2.1 "Connectivity", exit codes §2.5): wss:// with certificate
verification against OpenSSL-made certificates, mutual TLS, a real HTTP CONNECT proxy
(tinyproxy) from -x and from the environment, Unix domain sockets, 3xx redirects with -L,
Basic authentication, IPv6 and -4/-6.

Peers: tests/peers/reach_ws.py (Python `websockets` echo server that records what it saw),
tests/peers/reach_redirect.py (raw-socket redirecting server), tests/peers/reach_mtls.py
(blocking stdlib TLS server that really sends its refusal alert), /usr/bin/tinyproxy, and
`wscope listen` for TLS when it has --tls-cert. Certificates come from tests/net/make_certs.sh.
Everything is on loopback; every process is bounded by a timeout.
"""
import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from e2e_support import (PEERS, PYTHON, ROOT, WSCOPE, Listener, Peer, error_lines,
                         free_port_refusing, run_wscope, wait_listening)

CERTS = None  # the temp directory make_certs.sh filled
TMP = None    # scratch for sockets, proxy configs, hashed CA dirs
MESSAGES = b"hello\nsecond message\n"

PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def setUpModule():
    global CERTS, TMP
    TMP = tempfile.mkdtemp(prefix="wscope-reach-")
    CERTS = os.path.join(TMP, "certs")
    os.mkdir(CERTS)
    done = subprocess.run(["sh", os.path.join(ROOT, "tests", "net", "make_certs.sh"), CERTS],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"make_certs.sh failed ({done.returncode}):\n"
                           f"{done.stdout.decode(errors='replace')}")
    # A client cert and key in one PEM file (--cert without --key).
    with open(cert("client-both.pem"), "wb") as out:
        for name in ("client.pem", "client.key"):
            with open(cert(name), "rb") as f:
                out.write(f.read())
    # A --capath directory: the CA under its subject-hash name, as c_rehash makes it.
    capath = os.path.join(TMP, "capath")
    os.mkdir(capath)
    h = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", cert("ca.pem")],
                       stdout=subprocess.PIPE, check=True, timeout=30).stdout.decode().strip()
    shutil.copy(cert("ca.pem"), os.path.join(capath, f"{h}.0"))


def tearDownModule():
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def cert(name):
    return os.path.join(CERTS, name)


def clean_env(**extra):
    """The test's environment without proxy or CA variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in PROXY_VARS and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    env.update(extra)
    return env


def wscope(args, input=MESSAGES, env=None, timeout=30, **extra_env):
    return run_wscope(args, input, env=env or clean_env(**extra_env), timeout=timeout)


def ws_peer(*args):
    """reach_ws.py with args (plain TCP on 127.0.0.1 unless told otherwise)."""
    return Peer([PYTHON, os.path.join(PEERS, "reach_ws.py"), *map(str, args)])


def tls_peer(name="server", *args):
    return ws_peer("--cert", cert(f"{name}.pem"), "--key", cert(f"{name}.key"), *args)


def mtls_peer(max_tls):
    return Peer([PYTHON, os.path.join(PEERS, "reach_mtls.py"), "--cert", cert("server.pem"),
                 "--key", cert("server.key"), "--client-ca", cert("ca.pem"),
                 "--max-tls", max_tls])


def redirect_peer(mode, *args):
    return Peer([PYTHON, os.path.join(PEERS, "reach_redirect.py"), "--mode", mode,
                 *map(str, args)])


def headers_seen(peer, timeout=10):
    """The request headers reach_ws.py reported for its (single) connection, by lower-case
    name; waits for the connection's CLOSED line first."""
    peer.wait_for("CLOSED ", timeout)
    out = {}
    for line in peer.lines("HEADER "):
        name, _, value = line[7:].partition(": ")
        out.setdefault(name.lower(), []).append(value)
    return out


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def resolves_to_ipv6_loopback(name):
    try:
        return any(ai[4][0] == "::1"
                   for ai in socket.getaddrinfo(name, 80, socket.AF_INET6, socket.SOCK_STREAM))
    except OSError:
        return False


class EchoCase(unittest.TestCase):
    def assertEcho(self, r):
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, MESSAGES, r)

    def assertFails(self, r, rc, *needles):
        self.assertEqual(r.rc, rc, r)
        self.assertEqual(r.out, b"", r)
        errors = error_lines(r.err)
        self.assertEqual(len(errors), 1, f"want exactly one 'wscope: …' error line: {r}")
        for needle in needles:
            self.assertIn(needle, errors[0], r)
        return errors[0]


# ---------------------------------------------------------------------------- TLS

class TlsListener(Listener):
    """`wscope listen … --tls-cert …`: its port line may say wss://."""
    PORT_LINE = re.compile(r"listening on wss?://127\.0\.0\.1:(\d+)/")


class Tls(EchoCase):
    def test_cacert_echo_with_sni_and_host(self):
        with tls_peer() as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/tls?x=1"])
            h = headers_seen(peer)
            self.assertEcho(r)
            self.assertIn("SNI localhost", peer.lines("SNI "), peer.describe())
            self.assertEqual(peer.lines("REQUEST "), ["REQUEST /tls?x=1"], peer.describe())
            self.assertEqual(h.get("host"), [f"localhost:{peer.port}"], peer.describe())
            self.assertEqual(peer.lines("CLOSED "), ["CLOSED 1000 "], peer.describe())

    def test_capath_hashed_directory(self):
        with tls_peer() as peer:
            r = wscope(["--capath", os.path.join(TMP, "capath"),
                        f"wss://localhost:{peer.port}/"])
        self.assertEcho(r)

    def test_ssl_cert_file_environment(self):
        with tls_peer() as peer:
            r = wscope([f"wss://localhost:{peer.port}/"], SSL_CERT_FILE=cert("ca.pem"))
        self.assertEcho(r)

    def test_unknown_ca_exits_3_and_sends_no_request(self):
        with tls_peer() as peer:
            r = wscope([f"wss://localhost:{peer.port}/"])
            peer.stop()
            self.assertFails(r, 3, "unable to get local issuer certificate")
            self.assertEqual(peer.lines("REQUEST "), [],
                             "an HTTP request went over an unverified connection:\n" +
                             peer.describe())

    def test_expired_certificate_exits_3(self):
        with tls_peer("expired") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/"])
        self.assertFails(r, 3, "expired")

    def test_wrong_host_certificate_exits_3(self):
        with tls_peer("other") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/"])
        self.assertFails(r, 3, "hostname mismatch")

    def test_self_signed_certificate_exits_3(self):
        with tls_peer("self") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/"])
        error = self.assertFails(r, 3)
        self.assertIn("self", error.lower(), r)

    def test_insecure_accepts_any_certificate_with_a_warning(self):
        for name in ("expired", "other", "self"):
            with self.subTest(cert=name), tls_peer(name) as peer:
                r = wscope(["-k", f"wss://localhost:{peer.port}/"])
                self.assertEcho(r)
                self.assertNotIn("error", r.err.lower(), r)  # no error …
                self.assertIn("warning", r.err.lower(), r)   # … but a warning

    def test_long_insecure_flag(self):
        with tls_peer("expired") as peer:
            r = wscope(["--insecure", f"wss://localhost:{peer.port}/"])
        self.assertEcho(r)

    def test_ip_literal_matches_ip_san_and_sends_no_sni(self):
        with tls_peer() as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://127.0.0.1:{peer.port}/"])
            h = headers_seen(peer)
            self.assertEcho(r)
            # RFC 6066 §3: a literal IP address is not a server name.
            self.assertEqual(peer.lines("SNI "), ["SNI none"], peer.describe())
            self.assertEqual(h.get("host"), [f"127.0.0.1:{peer.port}"], peer.describe())

    def test_ip_literal_not_in_san_exits_3(self):
        # other.pem names only DNS:other.example: 127.0.0.1 must not match anything.
        with tls_peer("other") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://127.0.0.1:{peer.port}/"])
        self.assertFails(r, 3)

    def test_mutual_tls_with_client_certificate(self):
        for args in (["--cert", cert("client.pem"), "--key", cert("client.key")],
                     ["--cert", cert("client-both.pem")]):
            with self.subTest(args=args), \
                    tls_peer("server", "--client-ca", cert("ca.pem")) as peer:
                r = wscope(["--cacert", cert("ca.pem"), *args, f"wss://localhost:{peer.port}/"])
                peer.wait_for("CLOSED ")
                self.assertEcho(r)
                self.assertEqual(peer.lines("PEERCERT "), ["PEERCERT wscope test client"],
                                 peer.describe())

    # The refusals come from reach_mtls.py (blocking stdlib TLS): the asyncio server behind
    # `websockets` drops the connection without sending OpenSSL's alert, so no client could
    # tell that a certificate was missing.
    def test_mutual_tls_without_client_certificate_tls13(self):
        with mtls_peer("1.3") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/"])
            peer.wait_for("TLS_")
            self.assertEqual(peer.lines("TLS_"), ["TLS_FAILED PEER_DID_NOT_RETURN_A_CERTIFICATE"],
                             peer.describe())
        # TLS 1.3: the server's certificate_required alert comes after the client finished
        # its handshake (and sent its request): a TLS failure (3), or at worst a lost
        # connection (6); never a "rejected WebSocket handshake" (4).
        self.assertIn(r.rc, (3, 6), r)
        self.assertEqual(r.out, b"", r)
        self.assertIn("certificate", r.err, r)

    def test_mutual_tls_without_client_certificate_tls12(self):
        with mtls_peer("1.2") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{peer.port}/"])
        self.assertFails(r, 3)  # TLS 1.2: the alert ends the TLS handshake itself

    def test_mutual_tls_blocking_peer_accepts_client_certificate(self):
        for version in ("1.2", "1.3"):
            with self.subTest(tls=version), mtls_peer(version) as peer:
                r = wscope(["--cacert", cert("ca.pem"), "--cert", cert("client.pem"),
                            "--key", cert("client.key"), f"wss://localhost:{peer.port}/"])
                self.assertEcho(r)
                self.assertEqual(peer.lines("TLS_"),
                                 [f"TLS_OK TLSv{version} wscope test client"], peer.describe())

    def test_missing_ca_file_is_a_usage_error(self):
        r = wscope(["--cacert", os.path.join(TMP, "no-such.pem"), "wss://localhost:1/"], b"")
        self.assertEqual(r.rc, 1, r)

    def test_wscope_listen_tls_echo(self):
        helptext = subprocess.run([WSCOPE, "listen", "--help"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=10).stdout.decode()
        if "--tls-cert" not in helptext:
            self.skipTest("SKIPPED: `wscope listen --help` has no --tls-cert yet; the wss:// "
                          "round trip against wscope's own TLS listener is not tested")

        server = TlsListener("--echo", "--tls-cert", cert("server.pem"),
                             "--tls-key", cert("server.key"))
        try:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{server.port}/"])
            self.assertEcho(r)
            r = wscope([f"wss://localhost:{server.port}/"])
            self.assertFails(r, 3, "unable to get local issuer certificate")
        finally:
            server.stop()

    def test_wscope_listen_mutual_tls(self):
        helptext = subprocess.run([WSCOPE, "listen", "--help"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=10).stdout.decode()
        if "--tls-client-ca" not in helptext:
            self.skipTest("SKIPPED: `wscope listen --help` has no --tls-client-ca yet")
        server = TlsListener("--echo", "--tls-cert", cert("server.pem"),
                             "--tls-key", cert("server.key"), "--tls-client-ca", cert("ca.pem"))
        try:
            url = f"wss://localhost:{server.port}/"
            r = wscope(["--cacert", cert("ca.pem"), "--cert", cert("client.pem"),
                        "--key", cert("client.key"), url])
            self.assertEcho(r)
            r = wscope(["--cacert", cert("ca.pem"), url])
            self.assertIn(r.rc, (3, 6), r)  # as test_mutual_tls_without_client_certificate_tls13
            self.assertEqual(r.out, b"", r)
            self.assertIn("certificate", r.err, r)
            self.assertTrue(server.alive(), server.describe())
        finally:
            server.stop()


# ---------------------------------------------------------------------------- HTTP proxy

TINYPROXY = next((p for p in ("/usr/bin/tinyproxy", "/usr/sbin/tinyproxy")
                  if os.access(p, os.X_OK)), None)


class Tinyproxy:
    """tinyproxy in the foreground on a free loopback port, its log in a file. Without any
    ConnectPort line tinyproxy allows CONNECT to every port (tinyproxy.conf(5))."""

    def __init__(self, basic_auth=None):
        self.dir = tempfile.mkdtemp(prefix="tinyproxy-", dir=TMP)
        self.logpath = os.path.join(self.dir, "tinyproxy.log")
        self.proc = None
        for _ in range(3):  # the probed port may be taken before tinyproxy binds it
            self.port = free_port_refusing()
            conf = os.path.join(self.dir, "tinyproxy.conf")
            with open(conf, "w") as f:
                f.write(f"Port {self.port}\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n"
                        f"MaxClients 20\nLogLevel Info\n")
                if basic_auth:
                    f.write(f"BasicAuth {basic_auth[0]} {basic_auth[1]}\n")
            with open(self.logpath, "ab") as log:
                self.proc = subprocess.Popen([TINYPROXY, "-d", "-c", conf],
                                             stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT)
            if wait_listening(self.proc, self.port, 10):
                self.url = f"http://127.0.0.1:{self.port}"
                return
            self.stop()
        raise AssertionError(f"tinyproxy did not start:\n{self.log()}")

    def log(self):
        try:
            with open(self.logpath, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def connects(self, target):
        """How many CONNECT requests for target (host:port) the proxy logged."""
        return self.log().count(f": CONNECT {target} ")

    def wait_connects(self, target, n, timeout=5):
        deadline = time.monotonic() + timeout
        while self.connects(target) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.connects(target)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Proxy(EchoCase):
    @classmethod
    def setUpClass(cls):
        if TINYPROXY is None:
            msg = ("SKIPPED: tinyproxy is not installed (/usr/bin/tinyproxy): the HTTP proxy "
                   "tests did not run; CI must `apt-get install tinyproxy`")
            sys.stderr.write("\n" + "!" * 78 + "\n" + msg + "\n" + "!" * 78 + "\n")
            raise unittest.SkipTest(msg)
        cls.stack = []
        cls.echo = ws_peer()
        cls.stack.append(cls.echo)
        cls.tls = tls_peer()
        cls.stack.append(cls.tls)
        cls.other = tls_peer("other")
        cls.stack.append(cls.other)
        cls.proxy = Tinyproxy()
        cls.stack.append(cls.proxy)
        cls.auth_proxy = Tinyproxy(("user", "pass"))
        cls.stack.append(cls.auth_proxy)
        cls.target = f"127.0.0.1:{cls.echo.port}"
        cls.closed = f"http://127.0.0.1:{free_port_refusing()}"  # a proxy that is not there

    @classmethod
    def tearDownClass(cls):
        for thing in reversed(cls.stack):
            thing.stop()

    def through(self, proxy, target, args, **env):
        """Runs wscope; asserts proxy logged exactly one more CONNECT to target."""
        before = proxy.connects(target)
        r = wscope(args, **env)
        self.assertEcho(r)
        self.assertEqual(proxy.wait_connects(target, before + 1), before + 1,
                         f"the connection did not go through the proxy (CONNECT {target}):\n"
                         f"{r}\nproxy log tail:\n{proxy.log()[-2000:]}")
        return r

    def direct(self, args, **env):
        """Runs wscope; asserts the (working) proxy saw nothing and the echo came back."""
        before = self.proxy.connects(self.target)
        r = wscope(args, **env)
        self.assertEcho(r)
        time.sleep(0.1)  # a late log line would show up now; this wait cannot fail a pass
        self.assertEqual(self.proxy.connects(self.target), before, self.proxy.log()[-2000:])
        return r

    def test_x_flag(self):
        self.through(self.proxy, self.target, ["-x", self.proxy.url, self.echo.url])

    def test_long_proxy_flag_url_with_slash(self):
        self.through(self.proxy, self.target, ["--proxy", self.proxy.url + "/", self.echo.url])

    def test_http_proxy_environment(self):
        self.through(self.proxy, self.target, [self.echo.url], http_proxy=self.proxy.url)

    def test_all_proxy_environment(self):
        self.through(self.proxy, self.target, [self.echo.url], all_proxy=self.proxy.url)

    def test_x_flag_beats_environment(self):
        self.through(self.proxy, self.target, ["-x", self.proxy.url, self.echo.url],
                     http_proxy=self.closed)

    def test_no_proxy_environment_connects_directly(self):
        self.direct([self.echo.url], http_proxy=self.closed, no_proxy="127.0.0.1")

    def test_noproxy_flag_connects_directly(self):
        self.direct(["-x", self.closed, "--noproxy", "127.0.0.1", self.echo.url])

    def test_empty_x_means_no_proxy(self):
        self.direct(["-x", "", self.echo.url], http_proxy=self.closed)

    def test_http_proxy_is_not_used_for_wss(self):
        # As curl: http_proxy is for plain http (ws://); wss:// reads https_proxy.
        r = wscope(["--cacert", cert("ca.pem"), f"wss://localhost:{self.tls.port}/"],
                   http_proxy=self.closed)
        self.assertEcho(r)

    def test_https_proxy_is_not_used_for_ws(self):
        self.direct([self.echo.url], https_proxy=self.closed)

    def test_https_proxy_environment_for_wss(self):
        target = f"localhost:{self.tls.port}"
        self.through(self.proxy, target, ["--cacert", cert("ca.pem"), f"wss://{target}/"],
                     https_proxy=self.proxy.url)

    def test_wss_through_x_verifies_the_target(self):
        target = f"localhost:{self.tls.port}"
        self.through(self.proxy, target, ["-x", self.proxy.url, "--cacert", cert("ca.pem"),
                                          f"wss://{target}/"])
        # The tunnel does not weaken verification: the wrong-host certificate still fails.
        r = wscope(["-x", self.proxy.url, "--cacert", cert("ca.pem"),
                    f"wss://localhost:{self.other.port}/"])
        self.assertFails(r, 3, "hostname mismatch")

    def test_unreachable_proxy_exits_2(self):
        port = self.closed.rsplit(":", 1)[1]
        r = wscope(["-x", self.closed, self.echo.url])
        self.assertFails(r, 2, port)

    def test_proxy_cannot_reach_target_exits_2(self):
        target = f"127.0.0.1:{free_port_refusing()}"
        r = wscope(["-x", self.proxy.url, f"ws://{target}/"])
        self.assertFails(r, 2)
        self.assertIn("proxy", error_lines(r.err)[0].lower(), r)

    def test_proxy_auth_required_exits_2_with_407(self):
        r = wscope(["-x", self.auth_proxy.url, self.echo.url])
        self.assertFails(r, 2, "407")

    def test_proxy_auth_wrong_credentials_exit_2(self):
        r = wscope(["-x", self.auth_proxy.url.replace("://", "://user:wrong@"), self.echo.url])
        self.assertFails(r, 2)

    def test_proxy_auth_from_proxy_url(self):
        url = self.auth_proxy.url.replace("://", "://user:pass@")
        self.through(self.auth_proxy, self.target, ["-x", url, self.echo.url])

    def test_proxy_auth_from_environment(self):
        url = self.auth_proxy.url.replace("://", "://user:pass@")
        self.through(self.auth_proxy, self.target, [self.echo.url], http_proxy=url)

    def test_wss_through_authenticating_proxy(self):
        target = f"localhost:{self.tls.port}"
        url = self.auth_proxy.url.replace("://", "://user:pass@")
        self.through(self.auth_proxy, target, ["-x", url, "--cacert", cert("ca.pem"),
                                               f"wss://{target}/"])


# ---------------------------------------------------------------------------- Unix socket

class UnixSocket(EchoCase):
    def test_echo_with_host_and_path_from_url(self):
        path = os.path.join(TMP, "ws.sock")
        with ws_peer("--unix", path) as peer:
            r = wscope(["--unix-socket", path, "ws://localhost/chat"])
            h = headers_seen(peer)
            self.assertEcho(r)
            self.assertEqual(peer.lines("REQUEST "), ["REQUEST /chat"], peer.describe())
            self.assertEqual(h.get("host"), ["localhost"], peer.describe())

    def test_missing_socket_exits_2(self):
        path = os.path.join(TMP, "nobody-listens.sock")
        r = wscope(["--unix-socket", path, "ws://localhost/chat"])
        self.assertFails(r, 2, path)


# ---------------------------------------------------------------------------- redirects

class Redirects(EchoCase):
    def requests(self, peer, n):
        """reach_redirect.py's request lines; exactly n of them (wscope has exited)."""
        peer.wait_count("REQUEST ", n)
        lines = peer.lines("REQUEST ")
        self.assertEqual(len(lines), n, peer.describe())
        return [l.split(" ", 2)[2] for l in lines]

    def test_absolute_302(self):
        with ws_peer() as final:
            location = f"ws://127.0.0.1:{final.port}/final"
            with redirect_peer("absolute", "--target", location) as peer:
                r = wscope([peer.url])
                self.assertFails(r, 4, "302", location)
                self.assertEqual(self.requests(peer, 1), ["GET / HTTP/1.1"])
                self.assertEqual(final.lines("REQUEST "), [], final.describe())

                r = wscope(["-L", f"{peer.url}start"])
                self.assertEcho(r)
                self.assertEqual(self.requests(peer, 2)[1], "GET /start HTTP/1.1")
            h = headers_seen(final)
            self.assertEqual(final.lines("REQUEST "), ["REQUEST /final"], final.describe())
            self.assertEqual(h.get("host"), [f"127.0.0.1:{final.port}"], final.describe())

    def test_relative_302_on_the_same_server(self):
        with redirect_peer("relative") as peer:
            r = wscope([f"{peer.url}here"])
            self.assertFails(r, 4, "302", "/final")
            self.assertEqual(self.requests(peer, 1), ["GET /here HTTP/1.1"])

            r = wscope(["--location", f"{peer.url}here"])
            self.assertEcho(r)
            self.assertEqual(self.requests(peer, 3)[1:],
                             ["GET /here HTTP/1.1", "GET /final HTTP/1.1"])
            peer.wait_for("CLIENT_CLOSE 3 ")
            self.assertIn("CLIENT_CLOSE 3 1000", peer.lines("CLIENT_CLOSE "), peer.describe())
            self.assertIn(f"HEADER 3 Host: 127.0.0.1:{peer.port}", peer.lines("HEADER 3 "),
                          peer.describe())

    def test_301_to_http_url_is_followed_as_ws(self):
        with redirect_peer("http") as peer:
            location = f"http://127.0.0.1:{peer.port}/final"
            r = wscope([peer.url])
            self.assertFails(r, 4, "301", location)
            self.assertEqual(self.requests(peer, 1), ["GET / HTTP/1.1"])

            r = wscope(["-L", peer.url])
            self.assertEcho(r)
            self.assertEqual(self.requests(peer, 3)[1:],
                             ["GET / HTTP/1.1", "GET /final HTTP/1.1"])
            self.assertIn("ANSWER 3 101", peer.lines("ANSWER "), peer.describe())

    def test_loop_stops_at_default_limit_of_10(self):
        with redirect_peer("loop") as peer:
            r = wscope(["-L", peer.url])
            self.assertFails(r, 4)
            self.assertIn("redirect", error_lines(r.err)[0].lower(), r)
            # the first request and 10 redirects followed; the 11th redirect is refused
            self.assertEqual(len(self.requests(peer, 11)), 11)

    def test_max_redirs_2(self):
        with redirect_peer("loop") as peer:
            r = wscope(["-L", "--max-redirs", "2", peer.url])
            self.assertFails(r, 4)
            self.assertEqual(self.requests(peer, 3),
                             ["GET / HTTP/1.1", "GET /loop HTTP/1.1", "GET /loop HTTP/1.1"])

    def test_max_redirs_0_follows_none(self):
        with redirect_peer("loop") as peer:
            r = wscope(["-L", "--max-redirs", "0", peer.url])
            self.assertFails(r, 4)
            self.assertEqual(self.requests(peer, 1), ["GET / HTTP/1.1"])


# ---------------------------------------------------------------------------- Basic auth

class BasicAuth(EchoCase):
    def authorization(self, args, userinfo=""):
        with ws_peer() as peer:
            r = wscope([*args, f"ws://{userinfo}127.0.0.1:{peer.port}/"])
            h = headers_seen(peer)
        self.assertEcho(r)
        self.assertEqual(h.get("host"), [f"127.0.0.1:{peer.port}"])
        return h.get("authorization")

    def test_user_flag(self):
        self.assertEqual(self.authorization(["-u", "user:pw"]), ["Basic dXNlcjpwdw=="])

    def test_long_user_flag(self):
        self.assertEqual(self.authorization(["--user", "user:pw"]), ["Basic dXNlcjpwdw=="])

    def test_url_userinfo(self):
        self.assertEqual(self.authorization([], "user:pw@"), ["Basic dXNlcjpwdw=="])

    def test_url_userinfo_percent_decoded(self):
        self.assertEqual(self.authorization([], "us%40er:p%3Aw@"),
                         ["Basic " + base64.b64encode(b"us@er:p:w").decode()])

    def test_explicit_header_wins_over_user_flag(self):
        self.assertEqual(self.authorization(["-u", "user:pw", "-H", "Authorization: Bearer x"]),
                         ["Bearer x"])

    def test_explicit_header_wins_over_url_userinfo(self):
        self.assertEqual(self.authorization(["-H", "Authorization: Bearer x"], "user:pw@"),
                         ["Bearer x"])

    def test_no_credentials_no_header(self):
        self.assertIsNone(self.authorization([]))


# ---------------------------------------------------------------------------- IPv6

@unittest.skipUnless(ipv6_loopback_available(), "SKIPPED: ::1 is not available on this host")
class Ipv6(EchoCase):
    def test_ipv6_literal(self):
        with ws_peer("--host", "::1") as peer:
            r = wscope([f"ws://[::1]:{peer.port}/six"])
            h = headers_seen(peer)
        self.assertEcho(r)
        self.assertEqual(h.get("host"), [f"[::1]:{peer.port}"])

    def test_wss_ipv6_literal_matches_ip_san(self):
        with tls_peer("server", "--host", "::1") as peer:
            r = wscope(["--cacert", cert("ca.pem"), f"wss://[::1]:{peer.port}/"])
            peer.wait_for("CLOSED ")
            self.assertEcho(r)
            self.assertEqual(peer.lines("SNI "), ["SNI none"], peer.describe())

    def test_ipv4_only_cannot_reach_ipv6_only_server(self):
        with ws_peer("--host", "::1") as peer:
            r = wscope(["-4", f"ws://localhost:{peer.port}/"])
            self.assertFails(r, 2)
            r = wscope(["--ipv4", f"ws://[::1]:{peer.port}/"])
            self.assertFails(r, 2)

    def test_ipv6_only_cannot_reach_ipv4_only_server(self):
        with ws_peer() as peer:
            self.assertEcho(wscope(["-4", f"ws://127.0.0.1:{peer.port}/"]))
            r = wscope(["-6", f"ws://127.0.0.1:{peer.port}/"])
            self.assertFails(r, 2)
            r = wscope(["--ipv6", f"ws://localhost:{peer.port}/"])
            self.assertFails(r, 2)

    @unittest.skipUnless(resolves_to_ipv6_loopback("localhost"),
                         "SKIPPED: `localhost` does not resolve to ::1 here (/etc/hosts)")
    def test_localhost_over_ipv6(self):
        with ws_peer("--host", "::1") as peer:
            self.assertEcho(wscope(["-6", f"ws://localhost:{peer.port}/"]))
            # without -4/-6 every resolved address is tried: 127.0.0.1 refuses, ::1 answers
            self.assertEcho(wscope([f"ws://localhost:{peer.port}/"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
