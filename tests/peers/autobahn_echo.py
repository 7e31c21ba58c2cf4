#!/usr/bin/python3
"""Echo server on Autobahn|Python (Debian's python3-autobahn, asyncio flavour), with
permessage-deflate (RFC 7692) accepted for every offer.

Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, echoes every
message (text stays text, binary stays binary) until SIGTERM/SIGINT or --lifetime seconds.
Reports on stdout:

  ACCEPT <the permessage-deflate element of the response>    (before OPEN, when it was offered)
  OPEN                          a handshake succeeded
  CLOSED <code> <reason>        the client's Close (1005 without a code, 1006 without a Close)

Autobahn answers the parameters the client offered (server_no_context_takeover,
server_max_window_bits=N) and may add its own requests when the offer allows them. The options
below make it add more, each the way RFC 7692 §7.1 lets a server do it unasked:
  --server-no-context-takeover    announce and use server_no_context_takeover
  --server-max-window-bits N      announce and use server_max_window_bits=N (9-15)
  --client-no-context-takeover    ask for client_no_context_takeover
  --client-max-window-bits N      ask for client_max_window_bits=N (9-15; only when offered)
--subprotocol NAME selects NAME when the client offers it (and none otherwise).
"""
import argparse
import asyncio
import signal
import sys

import txaio

from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def make_accept(args):
    def accept(offers):
        for offer in offers:
            if not isinstance(offer, PerMessageDeflateOffer):
                continue
            # The server's own direction: what the offer asked for, or what we choose.
            if args.server_no_context_takeover:
                offer.request_no_context_takeover = True
            if args.server_max_window_bits and not offer.request_max_window_bits:
                offer.request_max_window_bits = args.server_max_window_bits
            client_bits = args.client_max_window_bits if offer.accept_max_window_bits else 0
            agreed = PerMessageDeflateOfferAccept(
                offer,
                request_no_context_takeover=args.client_no_context_takeover,
                request_max_window_bits=client_bits,
                no_context_takeover=offer.request_no_context_takeover or None,
                window_bits=offer.request_max_window_bits or None)
            report(f"ACCEPT {agreed.get_extension_string()}")
            return agreed
        return None
    return accept


class Echo(WebSocketServerProtocol):
    subprotocol = None  # set from --subprotocol

    def onConnect(self, request):
        if self.subprotocol in request.protocols:
            return self.subprotocol
        return None

    def onOpen(self):
        report("OPEN")

    def onMessage(self, payload, isBinary):
        self.sendMessage(payload, isBinary)

    def onClose(self, wasClean, code, reason):
        code = self.remoteCloseCode
        if code is None:
            code = 1005 if wasClean else 1006
        report(f"CLOSED {code} {self.remoteCloseReason or ''}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=120)
    parser.add_argument("--server-no-context-takeover", action="store_true")
    parser.add_argument("--server-max-window-bits", type=int, default=0)
    parser.add_argument("--client-no-context-takeover", action="store_true")
    parser.add_argument("--client-max-window-bits", type=int, default=0)
    parser.add_argument("--subprotocol", help="select this subprotocol when it is offered")
    args = parser.parse_args()
    txaio.use_asyncio()
    txaio.start_logging(out=sys.stderr, level="warn")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    txaio.config.loop = loop  # autobahn schedules its work on txaio's loop and the factory's
    factory = WebSocketServerFactory(loop=loop)
    Echo.subprotocol = args.subprotocol
    factory.protocol = Echo
    factory.setProtocolOptions(perMessageCompressionAccept=make_accept(args),
                               maxMessagePayloadSize=0, maxFramePayloadSize=0,
                               autoPingInterval=0, openHandshakeTimeout=10, closeHandshakeTimeout=5)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    # Autobahn refuses a Host header whose port is not the factory's: tell it the real one.
    factory.setSessionParameters(url=f"ws://127.0.0.1:{port}")
    report(f"PORT {port}")
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.call_later(args.lifetime, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
