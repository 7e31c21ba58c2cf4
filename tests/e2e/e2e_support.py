"""Shared helpers for wscope's integration tests: run the real binary against real peers.

The binary comes from $WSCOPE_BIN (ctest passes $<TARGET_FILE:wscope>); when run by hand, the
newest build*/src/wscope under the repo top is used. Peers live in tests/peers/ and print
`PORT <n>` as their first stdout line. Every wait here is bounded: a hang fails the test with
what the processes printed.
"""
import glob
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PEERS = os.path.join(ROOT, "tests", "peers")
PYTHON = sys.executable  # the interpreter running the tests has `websockets`
if PEERS not in sys.path:
    sys.path.insert(0, PEERS)  # so that tests can `import wsframe`, the peers' wire format


def wscope_binary():
    path = os.environ.get("WSCOPE_BIN")
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"WSCOPE_BIN={path} is not an executable")
        return path
    found = [p for p in glob.glob(os.path.join(ROOT, "build*", "src", "wscope"))
             if os.access(p, os.X_OK)]
    if not found:
        raise RuntimeError("no wscope binary: set WSCOPE_BIN or build into build/")
    return max(found, key=os.path.getmtime)


WSCOPE = wscope_binary()


def node_binary():
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d, "node")
        if os.access(p, os.X_OK):
            return p
    raise RuntimeError("node is not on PATH (scripts/deps installs it)")


# ---------------------------------------------------------------------------- line collector

class _Lines:
    """Collects a stream's lines on a thread; lets a test wait for one."""

    def __init__(self, stream, keep_bytes=False):
        self.lines = []
        self.raw = bytearray() if keep_bytes else None
        self.closed = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        for line in iter(stream.readline, b""):
            with self.cond:
                if self.raw is not None:
                    self.raw += line
                self.lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, predicate, timeout):
        """First line (from the start) matching predicate, or None at timeout / EOF."""
        deadline = time.monotonic() + timeout
        with self.cond:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    return None
                self.cond.wait(left)

    def snapshot(self):
        with self.cond:
            return list(self.lines)

    def join(self, timeout):
        self.thread.join(timeout)


# ---------------------------------------------------------------------------- peers

def _close_pipes(proc):
    for f in (proc.stdin, proc.stdout, proc.stderr):
        if f is not None:
            try:
                f.close()
            except OSError:
                pass


class Peer:
    """A peer server process. Use as a context manager; it is killed on exit."""

    def __init__(self, cmd, startup_timeout=15):
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = _Lines(self.proc.stdout)
        self.err = _Lines(self.proc.stderr)
        line = self.out.wait_for(lambda l: l.startswith("PORT "), startup_timeout)
        if line is None:
            self.stop()
            raise AssertionError(f"peer {cmd} did not report its port:\n{self.describe()}")
        self.port = int(line.split()[1])
        self.url = f"ws://127.0.0.1:{self.port}/"

    def describe(self):
        return ("stdout:\n  " + "\n  ".join(self.out.snapshot()) +
                "\nstderr:\n  " + "\n  ".join(self.err.snapshot()))

    def wait_for(self, predicate_or_prefix, timeout=10):
        pred = predicate_or_prefix
        if isinstance(pred, str):
            prefix = pred
            pred = lambda l: l.startswith(prefix)  # noqa: E731
        line = self.out.wait_for(pred, timeout)
        if line is None:
            raise AssertionError(f"peer {self.cmd[1:]} never printed the expected line "
                                 f"within {timeout}s:\n{self.describe()}")
        return line

    def wait_count(self, prefix, n, timeout=10):
        """Waits until n stdout lines start with prefix; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.lines(prefix)
            if len(found) >= n:
                return found
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"peer {self.cmd[1:]}: {len(found)} of {n} '{prefix}' "
                                     f"lines within {timeout}s:\n{self.describe()}")
            time.sleep(0.02)

    def lines(self, prefix=""):
        return [l for l in self.out.snapshot() if l.startswith(prefix)]

    def finish(self, timeout=15):
        """Waits for a one-connection peer to exit by itself; returns its stdout lines."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"peer {self.cmd[1:]} did not finish in {timeout}s:\n"
                                 f"{self.describe()}")
        self.out.join(5)
        return self.out.snapshot()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.join(5)
        self.err.join(5)
        _close_pipes(self.proc)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def py_peer(mode="echo", *args):
    return Peer([PYTHON, os.path.join(PEERS, "pyserver.py"), "--mode", mode, *map(str, args)])


def raw_peer(mode, *args):
    return Peer([PYTHON, os.path.join(PEERS, "rawserver.py"), "--mode", mode, *map(str, args)])


def node_peer(*args):
    return Peer([node_binary(), os.path.join(PEERS, "ws_echo.js"), *map(str, args)])


def parse_frames(lines):
    """FRAME report lines of rawserver.py → list of dicts (data as bytes, first 64 bytes)."""
    frames = []
    for line in lines:
        if not line.startswith("FRAME "):
            continue
        fields = dict(kv.split("=", 1) for kv in line.split()[1:])
        frames.append(dict(fin=int(fields["fin"]), rsv=fields["rsv"], op=int(fields["op"]),
                           masked=int(fields["masked"]), key=fields["key"],
                           len=int(fields["len"]), data=bytes.fromhex(fields["data"])))
    return frames


def client_close(lines):
    """The CLIENT_CLOSE report of rawserver.py: ("1002", "reason") or ("eof", "")…"""
    for line in lines:
        if line.startswith("CLIENT_CLOSE "):
            parts = line.split(" ", 2)
            return parts[1], (parts[2] if len(parts) > 2 else "")
    return None, None


def free_port_refusing():
    """A loopback port nothing listens on (bound then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------- the client

class Result:
    def __init__(self, args, rc, out, err, elapsed):
        self.args, self.rc, self.out, self.err, self.elapsed = args, rc, out, err, elapsed

    def __repr__(self):
        return (f"wscope {' '.join(self.args)} → exit {self.rc} in {self.elapsed:.2f}s\n"
                f"stdout ({len(self.out)} bytes): {bytes(self.out[:600])!r}\n"
                f"stderr: {self.err[:3000]}")


def run_wscope(args, input=b"", *, keep_stdin_open=False, timeout=30, stdout_sink=None,
               env=None):
    """Runs wscope with `input` on stdin (bytes, or an iterable of bytes chunks written from a
    thread). With keep_stdin_open the pipe stays open until wscope exits by itself, so it never
    sees EOF. stdout_sink(chunk) receives stdout instead of it being kept (for big streams)."""
    args = [str(a) for a in args]
    start = time.monotonic()
    proc = subprocess.Popen([WSCOPE, *args], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env if env is not None else dict(os.environ))
    out = bytearray()
    err = bytearray()

    def pump(stream, sink):
        while True:
            chunk = stream.read1(1 << 20) if hasattr(stream, "read1") else stream.read(1 << 20)
            if not chunk:
                return
            sink(chunk)

    def feed():
        try:
            chunks = [input] if isinstance(input, (bytes, bytearray)) else input
            for chunk in chunks:
                proc.stdin.write(chunk)
            proc.stdin.flush()
            if not keep_stdin_open:
                proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # wscope exited (or closed stdin) before reading everything

    threads = [threading.Thread(target=pump, args=(proc.stdout, stdout_sink or out.extend)),
               threading.Thread(target=pump, args=(proc.stderr, err.extend)),
               threading.Thread(target=feed)]
    for t in threads:
        t.daemon = True
        t.start()
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        for t in threads[:2]:
            t.join(5)
        raise AssertionError(f"wscope {' '.join(args)} did not exit within {timeout}s\n"
                             f"stdout: {bytes(out[:600])!r}\nstderr: "
                             f"{err.decode('utf-8', 'replace')[:3000]}")
    finally:
        try:
            proc.stdin.close()
        except OSError:
            pass
    for t in threads[:2]:
        t.join(10)
    _close_pipes(proc)
    return Result(args, rc, bytes(out), err.decode("utf-8", "replace"), time.monotonic() - start)


SANITIZED = os.environ.get("WSCOPE_SANITIZE", "OFF").upper() in ("ON", "1", "TRUE", "YES")


def memory_measured_env():
    """The environment for a wscope whose resident memory a test measures. Under
    AddressSanitizer, freed blocks stay resident in its quarantine (256 MiB by default, so that
    a use after free is caught) and would be counted as memory wscope keeps: the quarantine is
    turned off for that process. The other tests run with it."""
    env = dict(os.environ)
    if SANITIZED:
        opts = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "quarantine_size_mb=0"
    return env


class Listener:
    """`wscope listen 127.0.0.1:0 ARGS…`, its port read from the stderr line
    `listening on ws://127.0.0.1:PORT/`. stdin stays open (listen mode broadcasts stdin)."""

    PORT_LINE = re.compile(r"listening on ws://127\.0\.0\.1:(\d+)/")

    def __init__(self, *args, startup_timeout=10, env=None):
        self.args = ["listen", "127.0.0.1:0", *map(str, args)]
        self.proc = subprocess.Popen([WSCOPE, *self.args], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.out = _Lines(self.proc.stdout)
        self.err = _Lines(self.proc.stderr)
        line = self.err.wait_for(lambda l: self.PORT_LINE.search(l) is not None, startup_timeout)
        if line is None:
            self.stop()
            raise AssertionError(f"wscope {' '.join(self.args)} printed no "
                                 f"'listening on ws://127.0.0.1:PORT/' line within "
                                 f"{startup_timeout}s:\n{self.describe()}")
        self.port = int(self.PORT_LINE.search(line).group(1))
        self.url = f"ws://127.0.0.1:{self.port}/"

    def describe(self):
        return (f"exit status: {self.proc.poll()}\nstdout (last 20 lines):\n  " +
                "\n  ".join(self.out.snapshot()[-20:]) + "\nstderr (last 40 lines):\n  " +
                "\n  ".join(self.err.snapshot()[-40:]))

    def alive(self):
        return self.proc.poll() is None

    def write_stdin(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.out.join(5)
        self.err.join(5)
        _close_pipes(self.proc)
        return self.proc.returncode


def error_lines(err):
    return [l for l in err.splitlines() if l.startswith("wscope:")]


class RawServer:
    """Accepts connections on 127.0.0.1 one after the other, on a thread, and hands each to
    `serve(conn)` as a wsframe.Conn (reads time out after `timeout` s); what serving one raises
    (OSError, EOFError, ValueError) is kept in .errors. Leaving the `with` block stops it."""

    def __init__(self, serve, timeout=10):
        import wsframe  # tests/peers is on sys.path (above)
        self._conn = lambda sock: wsframe.Conn(sock, timeout=timeout)
        self.serve = serve
        self.timeout = timeout
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.errors = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with sock:
                try:
                    self.serve(self._conn(sock))
                except (OSError, EOFError, ValueError) as e:
                    self.errors.append(repr(e))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(self.timeout)


def wait_listening(proc, port, timeout):
    """True once something accepts TCP connections on 127.0.0.1:port; False when `proc` exits
    first or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def vm_kib(pid, field="VmRSS"):
    """A memory figure of process pid from /proc/PID/status (VmRSS, VmHWM, RssAnon…), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def raise_fd_limit(n):
    """Raises this process's descriptor limit towards n (as far as the hard limit allows);
    returns the limit now."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
