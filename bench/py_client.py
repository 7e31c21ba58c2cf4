#!/usr/bin/python3
"""The client a Python user would write with the `websockets` library, for bench/run.

    py_client.py URL               stdin lines -> text messages
    py_client.py --chunk N URL     stdin N-byte pieces -> binary messages

Received text messages are printed followed by "\n", binary ones raw. One task
sends all of stdin, another prints the echoes; once everything has been sent and
as many echoes as messages sent have arrived, the client closes (1000) and exits.
Written for Debian's python3-websockets (10.x, asyncio API).
"""

import asyncio
import sys

import websockets


async def main(url: str, chunk: int) -> None:
    out = sys.stdout.buffer
    inp = sys.stdin.buffer
    sent_all = asyncio.Event()
    state = {"sent": 0, "received": 0}

    async with websockets.connect(url, max_size=None, compression=None) as ws:

        async def receiver() -> None:
            while not (sent_all.is_set() and state["received"] >= state["sent"]):
                msg = await ws.recv()
                if isinstance(msg, str):
                    out.write(msg.encode())
                    out.write(b"\n")
                else:
                    out.write(msg)
                state["received"] += 1

        receiving = asyncio.create_task(receiver())
        if chunk:
            while True:
                data = inp.read(chunk)
                if not data:
                    break
                await ws.send(data)
                state["sent"] += 1
        else:
            for line in inp:
                await ws.send(line.rstrip(b"\r\n").decode())
                state["sent"] += 1
        sent_all.set()
        if state["received"] >= state["sent"]:
            receiving.cancel()  # it is waiting for a message that will not come
        try:
            await receiving
        except asyncio.CancelledError:
            pass
        out.flush()
    # leaving the context manager sends Close (1000) and waits for the reply


if __name__ == "__main__":
    args = sys.argv[1:]
    chunk = 0
    if len(args) == 3 and args[0] == "--chunk":
        chunk = int(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.exit("usage: py_client.py [--chunk N] ws://HOST:PORT/PATH")
    asyncio.run(main(args[0], chunk))
