#!/usr/bin/python3
"""The interactive REPL (SPEC §2.2) on a real terminal: wscope runs inside tmux, the test types
with `tmux send-keys` and reads the screen with `tmux capture-pane`.

The peer is a raw-socket WebSocket server on a thread of this process (stdlib only), so the
test sees every frame exactly as wscope put it on the wire, can push a message at the moment it
chooses (while a line is half typed), and records the Close it receives. It echoes data
messages, answers pings, and fails the connection with 1002 on a frame a strict server must
refuse (RSV bits, reserved opcode, unmasked). The listen-side test uses raw-socket clients.

Every wait polls the screen or the server's records with a deadline; none sleeps blindly.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from e2e_support import ROOT, WSCOPE
from wsframe import (KNOWN_OPS, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT,
                     Conn, client_frame, client_handshake, close_payload, encode_frame,
                     parse_close, server_handshake)

WAIT = 10  # seconds any single expected event may take


# ---------------------------------------------------------------------------- the peer

class WsServer:
    """One connection at a time, served on a thread; see the module docstring."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.cond = threading.Condition()
        self.send_lock = threading.Lock()
        self.frames = []    # every frame received, in order
        self.messages = []  # (opcode, bytes) of whole data messages
        self.closes = []    # (code, reason) of each Close received; (None, "") for an empty one
        self.conn = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        # Wake the thread (shutdown() ends a blocked accept() or recv()) and wait for it before
        # closing: a socket closed under a thread that is about to use it would let the thread
        # use whatever socket gets the same fd number next, such as the next test's listener.
        with self.cond:
            sockets = [self.listener] + ([self.conn.sock] if self.conn else [])
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(WAIT)
        self.listener.close()

    def push(self, text):
        with self.cond:
            conn = self.conn
        assert conn is not None, "no client is connected"
        self._send(conn, OP_TEXT, text.encode())

    def wait(self, predicate, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"server: no {what} within {timeout}s; frames: {self.frames}")
                self.cond.wait(left)

    def wait_connected(self):
        self.wait(lambda: self.conn is not None, "connection")

    def texts(self):
        with self.cond:
            return [m.decode("utf-8", "replace") for op, m in self.messages if op == OP_TEXT]

    def _send(self, conn, op, payload):
        with self.send_lock:
            conn.send(encode_frame(op, payload))

    def _record(self, **kw):
        with self.cond:
            for name, value in kw.items():
                getattr(self, name).append(value)
            self.cond.notify_all()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                try:
                    self._session(Conn(conn, timeout=60))
                except (OSError, ValueError):
                    pass
            with self.cond:
                self.conn = None
                self.cond.notify_all()

    def _session(self, conn):
        try:
            server_handshake(conn)
        except EOFError:
            return
        with self.cond:
            self.conn = conn
            self.cond.notify_all()
        partial = None  # [opcode, bytes] of a fragmented message
        while True:
            f = conn.read_frame_or_none()
            if f is None:
                return
            self._record(frames=f)
            if f.rsv or f.op not in KNOWN_OPS or f.key is None:
                self._fail(conn)  # RFC 6455 §5.2, §5.1: a strict server fails the connection
                return
            if f.op == OP_PING:
                self._send(conn, OP_PONG, f.payload)
            elif f.op == OP_CLOSE:
                self._record(closes=parse_close(f.payload))
                self._send(conn, OP_CLOSE, f.payload[:2])
                return
            elif f.op in (OP_TEXT, OP_BINARY):
                partial = [f.op, f.payload]
            elif f.op == OP_CONT and partial:
                partial[1] += f.payload
            if f.fin and partial and f.op in (OP_TEXT, OP_BINARY, OP_CONT):
                self._record(messages=(partial[0], partial[1]))
                self._send(conn, partial[0], partial[1])  # echo
                partial = None

    def _fail(self, conn):
        self._send(conn, OP_CLOSE, close_payload(1002))
        conn.sock.settimeout(2)
        try:
            while (f := conn.read_frame_or_none()) is not None and f.op != OP_CLOSE:
                pass
        except OSError:
            pass


class RawClient:
    """A WebSocket client on a raw socket, for the listen-side REPL: collects the text
    messages and the Close it receives."""

    def __init__(self, port, path="/"):
        self.conn, _, _ = client_handshake(port, path=path, timeout=WAIT)
        self.sock = self.conn.sock
        self.sock.settimeout(60)
        self.cond = threading.Condition()
        self.texts = []
        self.close = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            while (f := self.conn.read_frame_or_none()) is not None:
                with self.cond:
                    if f.op == OP_TEXT:
                        self.texts.append(f.payload.decode())
                    elif f.op == OP_CLOSE:
                        self.close = parse_close(f.payload)[0]
                        self.sock.sendall(client_frame(OP_CLOSE, f.payload[:2]))
                    self.cond.notify_all()
                if f.op == OP_CLOSE:
                    return
        except OSError:
            pass

    def wait(self, predicate, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"client: no {what} within {timeout}s; got {self.texts}")
                self.cond.wait(left)

    def send_text(self, text):
        self.sock.sendall(client_frame(OP_TEXT, text.encode()))

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # ends the reader's recv() (see WsServer.stop)
        except OSError:
            pass
        self.reader.join(WAIT)
        self.sock.close()


# ---------------------------------------------------------------------------- the terminal

class Pane:
    """A shell command in a detached tmux session, 120x40, on its own tmux server whose socket
    (-S) lives in a temporary directory, removed with it."""

    def __init__(self, command, env):
        self.dir = tempfile.mkdtemp(prefix="wscope-tmux-")
        self.socket = os.path.join(self.dir, "tmux.sock")
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # After wscope ends, the shell prints its exit status and keeps the pane open.
        shell = f"cd {shlex.quote(ROOT)} && env {assigns} {command}; echo EXIT=$?; sleep 600"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", shell)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def type(self, text):
        self.tmux("send-keys", "-l", text)

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def screen(self, colours=False):
        """The visible screen; tmux trims the blanks at the end of each line."""
        return self.tmux("capture-pane", "-p", *(["-e"] if colours else []))

    def lines(self):
        return [l.rstrip() for l in self.screen().splitlines() if l.strip()]

    def wait_for(self, pattern, timeout=WAIT):
        """Waits until the screen matches the regex (MULTILINE); returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.screen(), re.MULTILINE)
            if m:
                return m
            if time.monotonic() > deadline:
                raise AssertionError(f"the screen never matched {pattern!r} within {timeout}s:\n"
                                     + self.screen())
            time.sleep(0.05)

    def exit_status(self, timeout=WAIT):
        return int(self.wait_for(r"^EXIT=(\d+)", timeout).group(1))

    def kill(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def wscope_command(*args):
    return " ".join(shlex.quote(a) for a in [WSCOPE, *args])


class ReplTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("tmux") is None:
            raise AssertionError("tmux is not installed (scripts/deps installs it)")

    def setUp(self):
        self.state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        self.addCleanup(self.state.cleanup)
        self.panes = []
        self.server = WsServer()
        self.addCleanup(self.server.stop)

    def tearDown(self):
        for pane in self.panes:
            pane.kill()

    def env(self, **extra):
        env = {"XDG_STATE_HOME": self.state.name, "INPUTRC": "/dev/null", "TERM": "screen"}
        env.update(extra)
        return env

    def start(self, *args, **env):
        """wscope ARGS… URL in a fresh pane, connected and showing its prompt."""
        pane = Pane(wscope_command(*args, self.server.url), self.env(**env))
        self.panes.append(pane)
        try:
            self.server.wait_connected()
        except AssertionError as e:
            raise AssertionError(f"{e}\nwscope's screen:\n{pane.screen()}") from None
        pane.wait_for(r"^>$")
        return pane

    def enter(self, pane, line):
        pane.type(line)
        pane.keys("Enter")


# ---------------------------------------------------------------------------- client tests

class ClientRepl(ReplTestCase):
    def test_message_arriving_mid_typing_leaves_the_line_intact(self):
        pane = self.start()
        pane.type("abc")
        pane.wait_for(r"^> abc$")
        self.server.push("PUSH")
        pane.wait_for(r"^< PUSH$")
        lines = pane.lines()
        self.assertEqual(lines[-1], "> abc", pane.screen())
        self.assertEqual(lines[-2], "< PUSH", pane.screen())
        pane.type("def")
        pane.keys("Enter")
        self.server.wait(lambda: "abcdef" in self.server.texts(), "message abcdef")
        pane.wait_for(r"^< abcdef$")  # the echo
        self.assertEqual(self.server.texts(), ["abcdef"])

    def test_cursor_position_survives_a_redraw(self):
        pane = self.start()
        pane.type("ac")
        pane.keys("Left")
        self.server.push("PUSH")
        pane.wait_for(r"^< PUSH$")
        pane.type("b")  # inserted where the cursor was, before the redraw
        pane.keys("Enter")
        self.server.wait(lambda: self.server.texts() == ["abc"], "message abc")

    def test_history_survives_a_restart(self):
        pane = self.start()
        self.enter(pane, "hello-history")
        self.server.wait(lambda: "hello-history" in self.server.texts(), "message hello-history")
        self.enter(pane, "/quit")
        self.assertEqual(pane.exit_status(), 0, pane.screen())
        with open(os.path.join(self.state.name, "wscope", "history")) as f:
            self.assertIn("hello-history", f.read())
        pane.kill()

        again = self.start()
        again.keys("Up")
        again.wait_for(r"^> /quit$")
        again.keys("Up")
        again.wait_for(r"^> hello-history$")

    def test_ping_shows_the_round_trip_time(self):
        pane = self.start()
        self.enter(pane, "/ping rtt-check")
        pane.wait_for(r'^\* pong "rtt-check": rtt \d+\.\d{3} ms$')
        ping = [f for f in self.server.frames if f.op == OP_PING]
        self.assertEqual([f.payload for f in ping], [b"rtt-check"])

    def test_close_with_code_and_reason(self):
        pane = self.start()
        self.enter(pane, "/close 4000 bye")
        self.server.wait(lambda: self.server.closes, "close frame")
        self.assertEqual(self.server.closes, [(4000, "bye")])
        pane.wait_for(r'^\* peer closed: 4000 \(private use\)')
        self.assertEqual(pane.exit_status(), 0, pane.screen())

    def test_frame_sends_exactly_the_bytes_asked_for(self):
        pane = self.start()
        self.enter(pane, "/frame op=RSV3 rsv=101 mask=01020304 text:hi")
        self.server.wait(lambda: self.server.frames, "frame")
        # FIN + RSV1 + RSV3 + opcode 3; MASK + length 2; the key; "hi" masked with it.
        expected = bytes([0x80 | 0x50 | 0x3, 0x80 | 2, 1, 2, 3, 4, ord("h") ^ 1, ord("i") ^ 2])
        self.assertEqual(self.server.frames[0].raw, expected)
        pane.wait_for(r"^\* sent >> RSV3 \(0x3\) fin=1 rsv=101 mask=01020304 len=2")
        pane.wait_for(r"^\* peer closed: 1002 \(protocol error\)")
        self.assertEqual(pane.exit_status(), 6, pane.screen())  # the peer closed with an error

    def test_frame_by_frame_fragmentation(self):
        pane = self.start()
        self.enter(pane, "/frame fin=0 text:hel")
        self.enter(pane, "/frame op=cont text:lo")
        self.server.wait(lambda: self.server.messages, "message")
        self.assertEqual(self.server.messages, [(OP_TEXT, b"hello")])
        first, second = self.server.frames[:2]
        self.assertEqual((first.fin, first.op, second.fin, second.op), (0, OP_TEXT, 1, OP_CONT))
        self.assertIsNotNone(first.key)  # masked by default in the client
        pane.wait_for(r"^< hello$")

    def test_unmasked_frame_on_request(self):
        pane = self.start()
        self.enter(pane, "/frame op=binary mask=off hex:01 02")
        self.server.wait(lambda: self.server.frames, "frame")
        self.assertEqual(self.server.frames[0].raw, bytes([0x82, 0x02, 0x01, 0x02]))
        self.assertEqual(pane.exit_status(), 6, pane.screen())

    def test_fragment_command(self):
        pane = self.start()
        self.enter(pane, "/fragment 3 hello world")
        self.server.wait(lambda: self.server.messages, "message")
        self.assertEqual(self.server.messages, [(OP_TEXT, b"hello world")])
        ops = [(f.op, f.fin) for f in self.server.frames]
        self.assertEqual(ops, [(OP_TEXT, 0), (OP_CONT, 0), (OP_CONT, 1)])
        pane.wait_for(r"^\* sent 11 bytes of text in 3 frames$")

    def test_binary_sent_and_shown(self):
        pane = self.start()
        self.enter(pane, "/binary 48 65 6c 6c 6f")
        self.server.wait(lambda: self.server.messages, "message")
        self.assertEqual(self.server.messages, [(OP_BINARY, b"Hello")])
        pane.wait_for(r"^< \[binary 5 bytes\] 48 65 6c 6c 6f  \|Hello\|$")

    def test_file_text_and_binary(self):
        path = os.path.join(self.state.name, "note.txt")
        with open(path, "wb") as f:
            f.write("caf\u00e9".encode())
        bad = os.path.join(self.state.name, "bad.bin")
        with open(bad, "wb") as f:
            f.write(b"\xff\xfe")
        pane = self.start()
        self.enter(pane, f"/file {bad}")
        pane.wait_for(re.escape(f"! {bad} is not valid UTF-8"))
        self.enter(pane, f"/file {path}")
        self.server.wait(lambda: self.server.messages, "text message")
        self.enter(pane, f"/file -b {bad}")
        self.server.wait(lambda: len(self.server.messages) == 2, "binary message")
        self.assertEqual(self.server.messages, [(OP_TEXT, "caf\u00e9".encode()), (OP_BINARY, b"\xff\xfe")])

    def test_slash_escape_and_bad_commands_send_nothing(self):
        pane = self.start()
        self.enter(pane, "/xyz")
        pane.wait_for(r"^! unknown command /xyz \(try /help\)$")
        self.enter(pane, "/close abc")
        pane.wait_for(r"^  usage: /close \[CODE \[REASON\]\]$")
        self.enter(pane, "//literal")
        self.server.wait(lambda: self.server.messages, "message")
        self.assertEqual(self.server.texts(), ["/literal"])
        self.assertEqual(len(self.server.frames), 1)

    def test_tab_completes_commands(self):
        pane = self.start()
        pane.type("/sta")
        pane.keys("Tab")
        pane.wait_for(r"^> /stats$")
        pane.keys("Enter")
        pane.wait_for(r"^stats: messages: 0 sent, 0 received$")

    def test_ctrl_c_clears_a_half_typed_line(self):
        pane = self.start()
        pane.type("junk")
        pane.wait_for(r"^> junk$")
        pane.keys("C-c")
        pane.wait_for(r"^> junk\^C$")
        pane.wait_for(r"^>$")
        self.enter(pane, "clean")
        self.server.wait(lambda: self.server.messages, "message")
        self.assertEqual(self.server.texts(), ["clean"])

    def test_ctrl_d_closes_normally_and_exits_0(self):
        pane = self.start()
        pane.keys("C-d")
        self.server.wait(lambda: self.server.closes, "close frame")
        self.assertEqual(self.server.closes, [(1000, "")])
        self.assertEqual(pane.exit_status(), 0, pane.screen())

    def test_peer_close_is_shown(self):
        pane = self.start()
        self.enter(pane, "/frame op=close hex:03e8 62 79 65")  # the server echoes 1000
        pane.wait_for(r'^\* peer closed: 1000 \(normal\)$')
        self.assertEqual(pane.exit_status(), 0, pane.screen())

    def test_colours_per_direction_and_no_color(self):
        pane = self.start()
        self.enter(pane, "hi")
        pane.wait_for(r"^< hi$")
        self.enter(pane, "/xyz")
        pane.wait_for(r"^! unknown")
        screen = pane.screen(colours=True)
        self.assertIn("\x1b[36m< hi", screen)
        self.assertIn("\x1b[31m! unknown command", screen)

        pane.kill()  # SIGHUP: wscope closes (1001) and the server is free again
        self.server.wait(lambda: self.server.conn is None, "disconnection")
        plain = self.start(NO_COLOR="1")
        self.enter(plain, "hi")
        plain.wait_for(r"^< hi$")
        self.assertNotIn("\x1b[3", plain.screen(colours=True))


# ---------------------------------------------------------------------------- listen side

class ListenRepl(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.TemporaryDirectory(prefix="wscope-repl-")
        self.addCleanup(self.state.cleanup)
        env = {"XDG_STATE_HOME": self.state.name, "INPUTRC": "/dev/null", "TERM": "screen"}
        self.pane = Pane(wscope_command("listen", "127.0.0.1:0"), env)
        self.addCleanup(self.pane.kill)
        self.port = int(self.pane.wait_for(r"listening on ws://127\.0\.0\.1:(\d+)/").group(1))
        self.pane.wait_for(r"^>$")
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.stop()

    def connect(self, n):
        client = RawClient(self.port, f"/c{n}")
        self.clients.append(client)
        self.pane.wait_for(rf"\[{n}\] connected: .* /c{n}$")
        return client

    def enter(self, line):
        self.pane.type(line)
        self.pane.keys("Enter")

    def test_lines_go_to_all_or_to_the_chosen_client(self):
        one, two = self.connect(1), self.connect(2)
        self.enter("everyone")
        one.wait(lambda: "everyone" in one.texts, "broadcast")
        two.wait(lambda: "everyone" in two.texts, "broadcast")
        self.enter("/to 2")
        self.pane.wait_for(r"^\[2\]>$")
        self.enter("only-two")
        two.wait(lambda: "only-two" in two.texts, "message for client 2")
        self.enter("/to all")
        self.pane.wait_for(r"^>$")
        self.enter("last")
        one.wait(lambda: "last" in one.texts, "broadcast")
        self.assertEqual(one.texts, ["everyone", "last"])
        self.enter("/clients")
        self.pane.wait_for(r"^\[1\] 127\.0\.0\.1:\d+ /c1$")

    def test_received_message_keeps_the_typed_line(self):
        one = self.connect(1)
        self.pane.type("draft")
        self.pane.wait_for(r"^> draft$")
        one.send_text("from-client")
        self.pane.wait_for(r"^< from-client$")  # the client REPL's marker (issue: listen console)
        self.assertEqual(self.pane.lines()[-1], "> draft", self.pane.screen())

    def test_commands_apply_to_the_chosen_client_and_quit_closes_all(self):
        one, two = self.connect(1), self.connect(2)
        self.enter("/to 1")
        self.enter("/close 4002 only-you")
        one.wait(lambda: one.close is not None, "close")
        self.assertEqual(one.close, 4002)
        self.assertIsNone(two.close)
        self.pane.wait_for(r"\[1\] client answered close: 4002")  # wscope has seen client 1's reply
        self.enter("/to 1")  # client 1 is gone
        self.pane.wait_for(r"^! no client 1 \(see /clients\)$")
        self.enter("/quit")
        two.wait(lambda: two.close is not None, "close")
        self.assertEqual(two.close, 1001)
        self.assertEqual(self.pane.exit_status(), 0, self.pane.screen())


if __name__ == "__main__":
    unittest.main(verbosity=2)
