#!/usr/bin/python3
"""Throttling TCP relay for slow-link tests (Python stdlib only).

Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, and relays each
connection it accepts to 127.0.0.1:--target, at most --rate bytes per second in each direction
(each direction of each connection has its own budget). It serves connections until SIGTERM or
--lifetime seconds. Per connection it reports

  OPEN <n>                                   accepted and connected to the target
  REFUSED <n> <error>                        the target could not be reached
  CLOSED <n> up=<bytes> down=<bytes>         both directions ended; up = client → target

An end of stream is passed on as a half-close (shutdown SHUT_WR), so a Close handshake or a
drain after it crosses the relay as it would cross a real link. --buffer caps the kernel
buffers on both sides of the relay, so the link holds about that much in flight instead of the
megabytes loopback allows by default: a sender sees the slow link, not a fast buffer.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Pump:
    """Copies src → dst paced at `rate` bytes/s; on src's EOF half-closes dst."""

    def __init__(self, src, dst, rate):
        self.src, self.dst, self.rate = src, dst, rate
        # Pacing step: about 1/50 s of traffic, so bursts stay short at any rate.
        self.step = max(1, min(1 << 16, rate // 50))
        self.count = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        start = time.monotonic()
        try:
            while True:
                data = self.src.recv(self.step)
                if not data:
                    self.dst.shutdown(socket.SHUT_WR)
                    return
                self.dst.sendall(data)
                self.count += len(data)
                wait = start + self.count / self.rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
        except OSError:
            # A reset on one side: pass it on as an abrupt end of both.
            for s in (self.src, self.dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def relay(n, client, args):
    try:
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if args.buffer:
            upstream.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.buffer)
            upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.buffer)
        upstream.connect(("127.0.0.1", args.target))
    except OSError as e:
        report(f"REFUSED {n} {e.__class__.__name__}")
        client.close()
        return
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    report(f"OPEN {n}")
    up = Pump(client, upstream, args.rate)
    down = Pump(upstream, client, args.rate)
    up.thread.join()
    down.thread.join()
    client.close()
    upstream.close()
    report(f"CLOSED {n} up={up.count} down={down.count}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--rate", type=int, required=True, help="bytes per second, each way")
    parser.add_argument("--buffer", type=int, default=1 << 16,
                        help="kernel socket buffer bytes on the relay's sockets (0: default)")
    parser.add_argument("--lifetime", type=int, default=120, help="seconds before exiting")
    args = parser.parse_args()
    if args.rate <= 0:
        parser.error("--rate must be positive")

    signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
    signal.alarm(args.lifetime)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.buffer:  # set before listen() so that accepted sockets inherit it
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.buffer)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.buffer)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    report(f"PORT {listener.getsockname()[1]}")
    n = 0
    while True:
        client, _ = listener.accept()
        n += 1
        threading.Thread(target=relay, args=(n, client, args), daemon=True).start()


if __name__ == "__main__":
    main()
