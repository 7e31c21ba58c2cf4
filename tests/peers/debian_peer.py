#!/usr/bin/python3
"""Launches a WebSocket server that Debian packages, on 127.0.0.1 and a free port (stdlib only).

These servers take their port on the command line and cannot be told to pick one, so this
picks a free port, starts the server on it, waits until the port accepts connections, and only
then prints `PORT <n>` as its first stdout line (it tries another port if the server dies
first, e.g. because something took the port in between). The server's own output goes to
stderr. It stops the server on SIGTERM/SIGINT or after --lifetime seconds, and exits when the
server does.

Kinds:
  websocketd-cat   websocketd (package websocketd) running `cat` for each connection, in its
                   default line mode: every text line received is sent back as one text message.
                   It serves any path and no subprotocol.
  websocketd-cat-binary  the same in websocketd's --binary mode: each message's bytes go to
                   cat as they are, and each read of cat's output comes back as one binary
                   message (a small message comes back whole).
  lws-test-server  libwebsockets-test-server (package libwebsockets-test-server), bound to the
                   loopback interface. It selects a protocol by Sec-WebSocket-Protocol:
                     dumb-increment-protocol  sends a counter as text ("0", "1", …) every 50 ms;
                                              the text "reset\\n" restarts it, "closeme\\n"
                                              makes it close with 1000 "seeya"
                     lws-mirror-protocol      every text message any client sends is sent to
                                              every client of the same mirror, the sender too
"""
import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

COMMANDS = {
    "websocketd-cat": lambda port: ["websocketd", "--address", "127.0.0.1", f"--port={port}",
                                    "--loglevel", "error", "cat"],
    "websocketd-cat-binary": lambda port: ["websocketd", "--address", "127.0.0.1",
                                           f"--port={port}", "--loglevel", "error", "--binary",
                                           "cat"],
    "lws-test-server": lambda port: ["libwebsockets-test-server", f"--port={port}", "-i", "lo"],
}


def die_with_parent():
    """In the child: the kernel sends it SIGTERM if this launcher dies, even by SIGKILL."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def start(kind, attempts=5, startup=10.0):
    """The server process and its port, once the port accepts connections."""
    for _ in range(attempts):
        port = free_port()
        proc = subprocess.Popen(COMMANDS[kind](port), stdin=subprocess.DEVNULL,
                                stdout=sys.stderr, stderr=sys.stderr, start_new_session=True,
                                preexec_fn=die_with_parent)
        deadline = time.monotonic() + startup
        while time.monotonic() < deadline and proc.poll() is None:
            if listening(port):
                return proc, port
            time.sleep(0.05)
        stop(proc)
    raise SystemExit(f"{kind}: did not start listening in {attempts} attempts")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(COMMANDS))
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()

    proc, port = start(args.kind)
    signal.signal(signal.SIGTERM, lambda *_: (stop(proc), sys.exit(0)))
    signal.signal(signal.SIGINT, lambda *_: (stop(proc), sys.exit(0)))
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    try:
        proc.wait(args.lifetime)
    except subprocess.TimeoutExpired:
        pass
    stop(proc)


if __name__ == "__main__":
    main()
