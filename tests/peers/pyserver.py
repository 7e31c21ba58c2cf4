#!/usr/bin/python3
"""WebSocket test server on the Python `websockets` library (Debian's python3-websockets 10.4).

Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, serves until it gets
SIGTERM/SIGINT or --lifetime seconds pass. Each finished connection is reported
on stdout as `CLOSED <code> <reason>`: the Close frame the *client* sent (`CLOSED 1006 ` when the
client sent none).

Modes:
  echo    reflect every message (text stays text, binary stays binary), any size
  plain-echo  the same with the library's documented pattern (see below): what a user of
          `websockets` writes, and what a client meets in the wild
  close   send --count text messages `message <i>`, then close with --code / --reason
  expect-echo  send a few text and binary messages, expect each back unchanged (for a client's
          --echo), report `ECHO_OK` or `ECHO_BAD <what>`, then close 1000

The echo is sent from inside the frame-reading task, right after each message is read, so it
leaves before the reply to a later Close frame. The library's documented pattern
(`async for m in ws: await ws.send(m)`) answers a Close that arrives in the same read as the
last messages before the handler has echoed them, and those echoes are never sent: a client
that pipes `a\\nb\\n` and then closes would see no reply at all, which is the server's doing.
"""
import argparse
import asyncio
import signal
import sys

import websockets
import websockets.server


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class InOrderEchoProtocol(websockets.server.WebSocketServerProtocol):
    """Echoes each message before the next frame (possibly a Close) is read."""

    async def read_message(self):
        message = await super().read_message()
        if message is not None:
            await self.send(message)
        return message


async def handle_echo(ws, path=None):
    async for _ in ws:  # the protocol class does the echo; this only drains the queue
        pass


async def handle_plain_echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


def make_close_handler(count, code, reason):
    async def handle(ws, path=None):
        for i in range(count):
            await ws.send(f"message {i}")
        await ws.close(code, reason)
    return handle


EXPECT_ECHO = ["t1", b"\x00\xff\x80", "€ and 😀", "", b"", "x" * 70000, bytes(range(256)) * 4096]


async def handle_expect_echo(ws, path=None):
    for i, message in enumerate(EXPECT_ECHO):
        await ws.send(message)
        back = await asyncio.wait_for(ws.recv(), 10)
        if type(back) is not type(message) or back != message:
            report(f"ECHO_BAD message {i}: sent {type(message).__name__} of {len(message)}, "
                   f"got {type(back).__name__} of {len(back)}")
            await ws.close(1000)
            return
    report("ECHO_OK")
    await ws.close(1000)


async def serve(args):
    if args.mode == "echo":
        handler, protocol = handle_echo, InOrderEchoProtocol
    elif args.mode == "plain-echo":
        handler, protocol = handle_plain_echo, websockets.server.WebSocketServerProtocol
    elif args.mode == "expect-echo":
        handler, protocol = handle_expect_echo, websockets.server.WebSocketServerProtocol
    else:
        handler = make_close_handler(args.count, args.code, args.reason)
        protocol = websockets.server.WebSocketServerProtocol

    async def tracked(ws, path=None):
        try:
            await handler(ws, path)
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.wait_closed()
            rcvd = ws.close_rcvd
            if rcvd is None:
                report("CLOSED 1006 ")
            else:
                report(f"CLOSED {rcvd.code} {rcvd.reason}")

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    async with websockets.serve(tracked, "127.0.0.1", 0, create_protocol=protocol,
                                ping_interval=None, max_size=None, max_queue=64,
                                compression=None, write_limit=1 << 20) as server:
        report(f"PORT {server.sockets[0].getsockname()[1]}")
        try:
            await asyncio.wait_for(stop, args.lifetime)
        except asyncio.TimeoutError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["echo", "plain-echo", "close", "expect-echo"], default="echo")
    parser.add_argument("--count", type=int, default=0, help="close mode: messages first")
    parser.add_argument("--code", type=int, default=1000, help="close mode: close code")
    parser.add_argument("--reason", default="", help="close mode: close reason")
    parser.add_argument("--lifetime", type=float, default=120, help="seconds before exiting")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
