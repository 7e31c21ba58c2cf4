#!/usr/bin/python3
"""The REPL's promises to a person at a terminal (SPEC §2.2): /frame puts on the wire what it
confirms, a slow connect says "connecting", the first Ctrl-C on an empty line says how to
quit, a bracketed paste of several lines sends one message per line and comes back from
history as one entry, and a resize mid-line leaves the screen clean.

wscope runs in tmux (test_repl.Pane); the peers are raw-socket servers on threads of this
process (test_repl.WsServer and the variants below), which see the exact wire bytes.
"""
import time
import unittest

from test_repl import ReplTestCase, WsServer
from wsframe import apply_mask, server_handshake


class WireRecorder(WsServer):
    """Completes the handshake, then keeps every byte the client sends, unparsed (a frame
    with a lying length would throw a frame reader off)."""

    def _session(self, conn):
        server_handshake(conn)
        self.raw = bytearray(conn.buf)
        with self.cond:
            self.conn = conn
            self.cond.notify_all()
        while True:
            try:
                data = conn.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            with self.cond:
                self.raw += data
                self.cond.notify_all()


class SlowServer(WsServer):
    """Answers the upgrade only after DELAY seconds."""

    DELAY = 1.5

    def _session(self, conn):
        time.sleep(self.DELAY)
        super()._session(conn)


class ComfortCase(ReplTestCase):
    server_class = WsServer

    def setUp(self):
        super().setUp()
        if self.server_class is not WsServer:
            self.server.stop()
            self.server = self.server_class()
            self.addCleanup(self.server.stop)


class FrameOnTheWire(ComfortCase):
    server_class = WireRecorder

    def test_len_puts_the_claimed_length_on_the_wire(self):
        pane = self.start()
        self.enter(pane, "/frame len=3 mask=01020304 text:hello")
        key = bytes([1, 2, 3, 4])
        expected = bytes([0x81, 0x80 | 3]) + key + apply_mask(b"hello", key)
        self.server.wait(lambda: len(self.server.raw) >= len(expected), "the crafted frame")
        self.assertEqual(bytes(self.server.raw[:len(expected)]), expected,
                         f"wire: {bytes(self.server.raw).hex(' ')}")
        pane.wait_for(r'^\* sent >> TEXT +fin=1 rsv=000 mask=01020304 len=3 ')

    def test_continuation_frames_are_numbered(self):
        pane = self.start()
        self.enter(pane, "/frame fin=0 text:a")
        self.enter(pane, "/frame fin=0 op=cont text:b")
        self.enter(pane, "/frame op=cont text:c")
        pane.wait_for(r"^\* sent >> CONT#1 +fin=0 ")
        pane.wait_for(r"^\* sent >> CONT#2 +fin=1 ")


class Connecting(ComfortCase):
    server_class = SlowServer

    def test_a_slow_connect_says_connecting_then_shows_the_banner(self):
        pane = self.start()
        screen = pane.screen()
        self.assertRegex(screen, r"connecting to ws://127\.0\.0\.1:\d+/\.\.\.")
        self.assertLess(screen.index("connecting to"), screen.index("* connected to"), screen)


class FastConnect(ComfortCase):
    def test_a_fast_connect_says_nothing_of_connecting(self):
        pane = self.start()
        pane.wait_for(r"^\* connected to ws://127\.0\.0\.1:\d+/ \(/help for commands, Ctrl-D to quit\)$")
        self.assertNotIn("connecting", pane.screen())


class CtrlC(ComfortCase):
    def test_first_ctrl_c_on_an_empty_line_says_how_to_quit(self):
        pane = self.start()
        pane.keys("C-c")
        pane.wait_for(r"to quit, press Ctrl-D or type /quit$")
        pane.keys("C-c")
        pane.wait_for(r"\^C\n(?:.*\n)*.*\^C$")
        self.assertEqual(pane.screen().count("to quit, press Ctrl-D"), 1, pane.screen())
        self.enter(pane, "still-here")  # Ctrl-C did not end the session
        self.server.wait(lambda: self.server.texts() == ["still-here"], "message still-here")


class Paste(ComfortCase):
    def paste(self, pane, text):
        pane.tmux("set-buffer", "-b", "wscope-test", text)
        pane.tmux("paste-buffer", "-p", "-r", "-d", "-b", "wscope-test")

    def test_a_paste_of_three_lines_sends_three_messages_and_is_one_history_entry(self):
        pane = self.start()
        self.paste(pane, "one\ntwo\nthree")
        pane.keys("Enter")
        self.server.wait(lambda: len(self.server.texts()) == 3, "three messages")
        self.assertEqual(self.server.texts(), ["one", "two", "three"])
        pane.wait_for(r"^< three$")
        pane.keys("Up")  # the paste comes back as one entry, and sends three messages again
        pane.keys("Enter")
        self.server.wait(lambda: len(self.server.texts()) == 6, "three more messages")
        self.assertEqual(self.server.texts()[3:], ["one", "two", "three"])
        self.enter(pane, "/quit")
        self.assertEqual(pane.exit_status(), 0, pane.screen())
        pane.kill()

        again = self.start()  # and as one entry after a restart
        again.keys("Up")
        again.wait_for(r"^> /quit$")
        again.keys("Up")
        again.keys("Enter")
        self.server.wait(lambda: len(self.server.texts()) == 9, "the entry from the history file")
        self.assertEqual(self.server.texts()[6:], ["one", "two", "three"])


class Resize(ComfortCase):
    def test_resize_mid_line_keeps_received_lines_and_one_prompt(self):
        pane = self.start()
        for text in ("first-line", "second-line"):
            self.server.push(text)
            pane.wait_for(rf"^< {text}$")
        pane.type("half-typed")
        pane.wait_for(r"^> half-typed$")
        for width, height in ((70, 30), (120, 40), (50, 20), (120, 40)):
            pane.tmux("resize-window", "-x", str(width), "-y", str(height))
            time.sleep(0.2)  # the SIGWINCH and the redraw
        self.server.push("after-resize")
        pane.wait_for(r"^< after-resize$")
        pane.wait_for(r"^> half-typed$")
        lines = pane.lines()
        self.assertEqual(lines[-1], "> half-typed", pane.screen())
        self.assertEqual([l for l in lines if l.startswith(">")], ["> half-typed"], pane.screen())
        for text in ("first-line", "second-line", "after-resize"):
            self.assertIn(f"< {text}", lines, pane.screen())
        pane.type("!")
        pane.keys("Enter")
        self.server.wait(lambda: "half-typed!" in self.server.texts(), "the line typed across resizes")


if __name__ == "__main__":
    unittest.main(verbosity=2)
