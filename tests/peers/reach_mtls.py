#!/usr/bin/python3
"""Mutual-TLS WebSocket echo server on blocking stdlib sockets (Python stdlib only).

Why not `websockets`: asyncio's TLS transport drops the connection when the handshake fails
without flushing OpenSSL's alert, so a client refused for lacking a certificate only sees a
reset. Here OpenSSL writes straight to the socket, so the refusal reaches the client as the
real alert (TLS 1.3: certificate_required, sent after the client has finished its handshake;
TLS 1.2: handshake_failure, inside the handshake).

Binds 127.0.0.1 on a free port, prints `PORT <n>` first, then serves connections one at a
time until SIGTERM or --lifetime seconds. Per connection it reports
  TLS_OK <version> <client certificate CN>     or     TLS_FAILED <OpenSSL reason>
and after TLS_OK the lines of reach_redirect.py's upgrade (ANSWER <n> 101, CLIENT_CLOSE <n> …).
"""
import argparse
import signal
import socket
import ssl
import sys
import time

from reach_redirect import report, upgrade_and_echo
from wsframe import Conn


def linger_close(sock):
    """Closes after the client has read our alert: a close() with the client's request still
    unread would send a TCP reset, which can destroy the alert in the client's receive queue."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(2)
        while sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca", required=True)
    parser.add_argument("--max-tls", choices=["1.2", "1.3"], default="1.3")
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(args.client_ca)
    ctx.maximum_version = (ssl.TLSVersion.TLSv1_2 if args.max_tls == "1.2"
                           else ssl.TLSVersion.TLSv1_3)

    deadline = time.monotonic() + args.lifetime
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    report(f"PORT {listener.getsockname()[1]}")
    n = 0
    while True:
        listener.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            raw, _ = listener.accept()
        except socket.timeout:
            return
        n += 1
        raw.settimeout(10)
        # (wrap_socket takes over the descriptor: a failed handshake inside it would close it
        # at once, so the handshake is run here)
        tls = ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as e:
            report(f"TLS_FAILED {getattr(e, 'reason', None) or e}")
            linger_close(tls)
            continue
        try:
            cn = next((v for rdn in tls.getpeercert().get("subject", ()) for k, v in rdn
                       if k == "commonName"), "none")
            report(f"TLS_OK {tls.version()} {cn}")
            conn = Conn(tls)
            _, header_list = conn.read_head()
            upgrade_and_echo(n, conn, {k.lower(): v for k, v in header_list})
        except (EOFError, OSError, ValueError) as e:
            report(f"CONNECTION_ERROR {n} {e}")
        finally:
            tls.close()


if __name__ == "__main__":
    main()
