#!/usr/bin/python3
"""Faults of our own side, handled by the one event loop (raw sockets, standard library only):

- the REPL's -F --deflate frame lines show the uncompressed size (tmux);
- listen mode escapes a peer's close reason on stderr (our own client sends an OSC title);
- listen mode with its output blocked (a pipe nobody reads) still accepts and serves others;
- broadcasting stdin to a client that does not read keeps memory bounded (VmRSS, generous);
- out of descriptors (EMFILE) on accept: no spinning (CPU time from /proc/PID/stat), one
  warning, and accepting resumes when descriptors are free again;
- a stdout write error other than EPIPE (/dev/full) is exit 1 with a message;
- SIGINT, SIGTERM and SIGHUP in pipe mode and listen mode send Close 1001, wait for the reply
  and exit 130, 143 and 129; a second signal ends the wait at once.
"""
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

from e2e_support import ROOT, WSCOPE, Listener, run_wscope, vm_kib
import wsframe

MiB = 1 << 20
WAIT = 10
SIGNALS = ((signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129))


def cpu_seconds(pid):
    """utime + stime of a process (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sanitized():
    """The binary was built with -DWSCOPE_SANITIZE=ON (AddressSanitizer's runtime is in it)."""
    with open(WSCOPE, "rb") as f:
        return b"__asan_init" in f.read()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect_when_listening(port, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return wsframe.client_handshake(port, timeout=5)[0]
        except (AssertionError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# ---------------------------------------------------------------------------- the REPL

class ReplDeflateFrames(unittest.TestCase):
    def test_frame_lines_show_the_uncompressed_size(self):
        if shutil.which("tmux") is None:
            raise AssertionError("tmux is not installed (scripts/deps installs it)")
        from test_repl import Pane, wscope_command
        import tempfile
        server = Listener("--echo", "--deflate")
        state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        pane = Pane(wscope_command("-F", "--deflate", server.url),
                    {"XDG_STATE_HOME": state.name, "INPUTRC": "/dev/null", "TERM": "screen"})
        try:
            pane.wait_for(r"^>$")
            text = "abc" * 100  # 300 bytes that compress well
            pane.type(text)
            pane.keys("Enter")
            sent = pane.wait_for(r">> TEXT .*rsv=100 .*\(uncompressed (\d+)\)")
            got = pane.wait_for(r"<< TEXT .*rsv=100 .*\(uncompressed (\d+)\)")
            self.assertEqual(sent.group(1), "300", pane.screen())
            self.assertEqual(got.group(1), "300", pane.screen())
        finally:
            pane.kill()
            state.cleanup()
            server.stop()


# ---------------------------------------------------------------------------- listen mode

class ListenEscapesCloseReason(unittest.TestCase):
    def test_osc_in_a_close_reason_is_escaped(self):
        server = Listener()
        try:
            reason = "\x1b]0;owned\x07\x1b[2J\u009b" + "1m"
            r = run_wscope(["--close-reason", reason, server.url], input=b"")
            self.assertEqual(r.rc, 0, r)
            line = server.err.wait_for(lambda l: "owned" in l, WAIT)
            self.assertIsNotNone(line, server.describe())
            self.assertNotIn("\x1b", line)
            self.assertNotIn("\x07", line)
            self.assertNotIn("\u009b", line)
            self.assertIn("\\x1b]0;owned\\x07", line)
            self.assertIn("\\u009b", line)
        finally:
            server.stop()


class ListenOutputBlocked(unittest.TestCase):
    """stdout and stderr go to pipes that nobody reads."""

    def start(self, *args):
        port = free_port()
        r_out, w_out = os.pipe()
        r_err, w_err = os.pipe()
        proc = subprocess.Popen([WSCOPE, "listen", f"127.0.0.1:{port}", *args], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=w_out, stderr=w_err)
        os.close(w_out)
        os.close(w_err)
        self.addCleanup(os.close, r_out)
        self.addCleanup(os.close, r_err)

        def stop():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdin.close()
        self.addCleanup(stop)
        return proc, port

    def test_printing_stops_the_printing_client_not_the_server(self):
        proc, port = self.start()
        flood = connect_when_listening(port)
        stop = threading.Event()

        def send():  # 16 MiB of messages to print, far beyond the pipe
            try:
                for _ in range(256):
                    if stop.is_set():
                        return
                    flood.send(wsframe.client_frame(wsframe.OP_BINARY, bytes(64 * 1024)))
            except OSError:
                pass
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(1.0)
        try:
            start = time.monotonic()
            other = wsframe.client_handshake(port, timeout=5)[0]
            other.send(wsframe.client_frame(wsframe.OP_CLOSE, wsframe.close_payload(1000)))
            other.sock.settimeout(5)
            frame = other.read_frame()
            self.assertEqual(frame.op, wsframe.OP_CLOSE)
            print(f"\nstdout blocked: a new client accepted and closed in "
                  f"{time.monotonic() - start:.2f}s")
            self.assertIsNone(proc.poll())
        finally:
            stop.set()
            flood.sock.close()

    def test_diagnostics_blocked_do_not_stop_the_echo(self):
        proc, port = self.start("--echo", "-vv")
        chatty = connect_when_listening(port)
        # Each echo writes frame lines on stderr: 4,000 of them fill any pipe.
        burst = wsframe.client_frame(wsframe.OP_TEXT, b"x" * 100) * 4000
        threading.Thread(target=chatty.send, args=(burst,), daemon=True).start()
        reader = threading.Thread(target=lambda: [chatty.read_frame_or_none() for _ in range(4000)],
                                  daemon=True)
        reader.start()
        time.sleep(1.0)
        try:
            start = time.monotonic()
            other = wsframe.client_handshake(port, timeout=5)[0]
            other.sock.settimeout(5)
            for i in range(10):
                other.send(wsframe.client_frame(wsframe.OP_TEXT, f"ping {i}".encode()))
                self.assertEqual(other.read_frame().payload, f"ping {i}".encode())
            print(f"\nstderr blocked: a new client accepted and 10 echoes in "
                  f"{time.monotonic() - start:.2f}s")
            self.assertIsNone(proc.poll())
            other.sock.close()
        finally:
            chatty.sock.close()


class BroadcastToASlowClient(unittest.TestCase):
    LIMIT_MIB = 64  # generous: the budget is far smaller; unbounded grows by hundreds of MiB

    def test_stdin_waits_for_a_client_that_does_not_read(self):
        server = Listener("-q")
        lazy = None
        try:
            lazy = wsframe.client_handshake(server.port)[0]
            lazy.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            time.sleep(0.2)
            before = vm_kib(server.proc.pid)
            line = b"y" * (MiB - 1) + b"\n"
            written = [0]

            def feed():
                try:
                    for _ in range(512):  # 512 MiB if nothing held it back
                        server.proc.stdin.write(line)
                        server.proc.stdin.flush()
                        written[0] += len(line)
                except (OSError, ValueError):
                    pass
            threading.Thread(target=feed, daemon=True).start()
            time.sleep(3)
            rss = vm_kib(server.proc.pid)
            peak = vm_kib(server.proc.pid, "VmHWM")
            grown = (rss - before) / 1024
            print(f"\nbroadcast to a client that does not read: {written[0] / MiB:.0f} MiB taken "
                  f"from stdin in 3 s, VmRSS +{grown:.1f} MiB, VmHWM {peak // 1024} MiB")
            self.assertTrue(server.alive(), server.describe())
            self.assertLess(written[0], 256 * MiB, "stdin was read without bound")
            self.assertLessEqual(grown, self.LIMIT_MIB)
        finally:
            if lazy is not None:
                lazy.sock.close()
            server.stop()


class AcceptOutOfDescriptors(unittest.TestCase):
    FDS = 24

    def test_emfile_does_not_spin(self):
        port = free_port()

        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.FDS, self.FDS))

        proc = subprocess.Popen([WSCOPE, "listen", f"127.0.0.1:{port}", "--echo"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, preexec_fn=limit)
        err = []
        threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
        socks = []
        try:
            first = connect_when_listening(port)
            socks.append(first.sock)
            for _ in range(2 * self.FDS):  # more than it may hold open
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                socks.append(s)
            time.sleep(0.5)
            cpu_before = cpu_seconds(proc.pid)
            time.sleep(2.5)
            cpu = cpu_seconds(proc.pid) - cpu_before
            print(f"\nEMFILE: {cpu:.2f}s of CPU in 2.5 s with {len(socks)} connections "
                  f"and {self.FDS} descriptors")
            self.assertIsNone(proc.poll())
            self.assertLess(cpu, 0.5, "the server spins on accept")
            # The open connection is still served, and with descriptors free again new clients
            # are accepted. (Not under the sanitizers: their runtime opens descriptors of its
            # own to check memory, and aborts the process while none is left.)
            if not sanitized():
                first.sock.settimeout(5)
                first.send(wsframe.client_frame(wsframe.OP_TEXT, b"served"))
                self.assertEqual(first.read_frame().payload, b"served")
                for s in socks[1:]:
                    s.close()
                del socks[1:]
                later = connect_when_listening(port)
                later.sock.settimeout(5)
                later.send(wsframe.client_frame(wsframe.OP_TEXT, b"later"))
                self.assertEqual(later.read_frame().payload, b"later")
                later.sock.close()
        finally:
            for s in socks:
                s.close()
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdin.close()
        text = b"".join(err).decode("utf-8", "replace")
        warnings = [l for l in text.splitlines() if "cannot accept" in l]
        self.assertEqual(len(warnings), 1, text)
        self.assertIn("Too many open files", warnings[0])


# ---------------------------------------------------------------------------- the client

class StdoutWriteError(unittest.TestCase):
    def test_dev_full_is_exit_1_with_a_message(self):
        server = Listener("--echo")
        try:
            with open("/dev/full", "wb") as full:
                proc = subprocess.run([WSCOPE, "-d", "hello", "-w", "1", server.url], cwd=ROOT,
                                      stdin=subprocess.DEVNULL, stdout=full,
                                      stderr=subprocess.PIPE, timeout=WAIT)
            err = proc.stderr.decode("utf-8", "replace")
            self.assertEqual(proc.returncode, 1, err)
            self.assertRegex(err, r"wscope: error: .*stdout.*No space left on device")
        finally:
            server.stop()


class RawServer:
    """One connection on a thread: handshake, then records frames; on a Close it answers
    after `reply_after` seconds, or never when that is None."""

    def __init__(self, reply_after=0.3):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.reply_after = reply_after
        self.connected = threading.Event()
        self.close_seen = threading.Event()
        self.close = None
        self.replied_at = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            self.listener.settimeout(WAIT)
            sock, _ = self.listener.accept()
            conn = wsframe.Conn(sock, timeout=30)
            wsframe.server_handshake(conn)
            self.connected.set()
            while True:
                f = conn.read_frame_or_none()
                if f is None:
                    return
                if f.op == wsframe.OP_CLOSE:
                    self.close = wsframe.parse_close(f.payload)
                    self.close_seen.set()
                    if self.reply_after is None:
                        conn.read_frame_or_none()  # until the client hangs up
                        return
                    time.sleep(self.reply_after)
                    self.replied_at = time.monotonic()
                    conn.send(wsframe.encode_frame(wsframe.OP_CLOSE, f.payload[:2]))
                    sock.close()  # the server closes TCP first (RFC 6455 §7.1.1)
                    return
        except OSError:
            pass
        finally:
            self.listener.close()


class PipeModeSignals(unittest.TestCase):
    def test_signal_sends_1001_waits_for_the_reply_and_exits_128_plus_n(self):
        for sig, code in SIGNALS:
            with self.subTest(signal=sig.name):
                server = RawServer(reply_after=0.3)
                proc = subprocess.Popen([WSCOPE, server.url], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                try:
                    self.assertTrue(server.connected.wait(WAIT))
                    time.sleep(0.1)
                    proc.send_signal(sig)
                    self.assertTrue(server.close_seen.wait(WAIT), "no Close after the signal")
                    rc = proc.wait(WAIT)
                    exited = time.monotonic()
                    self.assertEqual(server.close[0], 1001)
                    self.assertEqual(rc, code, proc.stderr.read())
                    self.assertIsNotNone(server.replied_at)
                    self.assertGreaterEqual(exited, server.replied_at, "exited before the reply")
                finally:
                    if proc.poll() is None:
                        proc.kill()
                    proc.wait()
                    proc.communicate()
                    server.thread.join(WAIT)

    def test_second_signal_aborts_the_wait(self):
        server = RawServer(reply_after=None)
        proc = subprocess.Popen([WSCOPE, "--close-timeout", "30", server.url], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertTrue(server.connected.wait(WAIT))
            time.sleep(0.1)
            proc.send_signal(signal.SIGINT)
            self.assertTrue(server.close_seen.wait(WAIT))
            time.sleep(0.3)
            self.assertIsNone(proc.poll(), "exited without waiting for the reply")
            start = time.monotonic()
            proc.send_signal(signal.SIGINT)
            rc = proc.wait(WAIT)
            self.assertLess(time.monotonic() - start, 1.5)
            self.assertEqual(rc, 130)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.communicate()
            server.thread.join(WAIT)


class ListenModeSignals(unittest.TestCase):
    def test_signal_sends_1001_to_every_client_and_exits_128_plus_n(self):
        for sig, code in SIGNALS:
            with self.subTest(signal=sig.name):
                server = Listener("--echo")
                try:
                    conns = [wsframe.client_handshake(server.port)[0] for _ in range(2)]
                    time.sleep(0.1)
                    server.proc.send_signal(sig)
                    for conn in conns:
                        conn.sock.settimeout(WAIT)
                        f = conn.read_frame()
                        self.assertEqual(f.op, wsframe.OP_CLOSE)
                        self.assertEqual(wsframe.parse_close(f.payload)[0], 1001)
                    time.sleep(0.3)
                    self.assertIsNone(server.proc.poll(), "exited before the clients' Close")
                    for conn in conns:
                        conn.send(wsframe.client_frame(wsframe.OP_CLOSE, wsframe.close_payload(1001)))
                    self.assertEqual(server.proc.wait(WAIT), code, server.describe())
                    for conn in conns:
                        conn.sock.close()
                finally:
                    server.stop()

    def test_second_signal_aborts_the_wait(self):
        server = Listener("--echo", "--close-timeout", "30")
        try:
            conn = wsframe.client_handshake(server.port)[0]
            time.sleep(0.1)
            server.proc.send_signal(signal.SIGTERM)
            conn.sock.settimeout(WAIT)
            self.assertEqual(conn.read_frame().op, wsframe.OP_CLOSE)
            time.sleep(0.3)
            self.assertIsNone(server.proc.poll())
            start = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            rc = server.proc.wait(WAIT)
            self.assertLess(time.monotonic() - start, 1.5)
            self.assertEqual(rc, 143)
            conn.sock.close()
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
