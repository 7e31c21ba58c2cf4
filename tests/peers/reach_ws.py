#!/usr/bin/python3
"""Recording echo server on the Python `websockets` library (Debian's python3-websockets 10.4)
for the client's reachability tests: plain TCP, TLS (optionally requiring a client
certificate), IPv6, or a Unix domain socket.

Listens, prints `PORT <n>` as its first stdout line (`PORT 0` on a Unix socket), and serves
until SIGTERM/SIGINT or --lifetime seconds. It reports, on stdout, per connection:

  SNI <name>|none          the TLS server name the client sent (TLS only)
  REQUEST <path>           the handshake's request target
  HEADER <name>: <value>   each request header, as received
  PEERCERT <CN>|none       the subject CN of the client's certificate (TLS only)
  CLOSED <code> <reason>   the client's Close frame (1006 when it sent none)

Every text or binary message is echoed back before the next frame is read, so a Close that
follows the last messages in the same read cannot overtake their echoes.
"""
import argparse
import asyncio
import signal
import ssl
import sys

import websockets
import websockets.server


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class EchoBeforeNextFrame(websockets.server.WebSocketServerProtocol):
    async def read_message(self):
        message = await super().read_message()
        if message is not None:
            await self.send(message)
        return message


async def process_request(path, headers):
    report(f"REQUEST {path}")
    for name, value in headers.raw_items():
        report(f"HEADER {name}: {value}")
    return None  # go on with the handshake


def subject_cn(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


async def handler(ws, path=None):
    try:
        if ws.transport.get_extra_info("sslcontext") is not None:
            report(f"PEERCERT {subject_cn(ws.transport.get_extra_info('peercert')) or 'none'}")
        async for _ in ws:  # the protocol class echoes
            pass
    except websockets.ConnectionClosed:
        pass
    finally:
        await ws.wait_closed()
        rcvd = ws.close_rcvd
        report("CLOSED 1006 " if rcvd is None else f"CLOSED {rcvd.code} {rcvd.reason}")


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)

    def sni(sslobj, name, context):
        report(f"SNI {name or 'none'}")
        return None
    ctx.sni_callback = sni
    return ctx


async def serve(args):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    common = dict(create_protocol=EchoBeforeNextFrame, process_request=process_request,
                  ping_interval=None, compression=None, max_size=None,
                  ssl=tls_context(args) if args.cert else None)
    if args.unix:
        server = await websockets.unix_serve(handler, args.unix, **common)
        port = 0
    else:
        server = await websockets.serve(handler, args.host, 0, **common)
        port = server.sockets[0].getsockname()[1]
    report(f"PORT {port}")
    try:
        await asyncio.wait_for(stop, args.lifetime)
    except asyncio.TimeoutError:
        pass
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (e.g. ::1)")
    parser.add_argument("--unix", help="listen on this Unix socket path instead")
    parser.add_argument("--cert", help="TLS: server certificate (PEM)")
    parser.add_argument("--key", help="TLS: its private key")
    parser.add_argument("--client-ca", help="TLS: require a client certificate from this CA")
    parser.add_argument("--lifetime", type=float, default=170)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
