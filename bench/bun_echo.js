// Echo server for bench/run: Bun.serve's WebSocket support is uWebSockets, the
// fast reference server. Every data message is sent back with its own opcode.
// Usage: bun bench/bun_echo.js [PORT]   (PORT 0 or absent: any free port)
// Prints "listening PORT" on stdout once it accepts connections.
//
// Note: when a client sends Close while echoes are still queued (backpressure),
// Bun closes without flushing them, so this server measures speed, not
// integrity (bench/run checks integrity against `wscope listen --echo`).

const port = Number(process.argv[2] || 0);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(req, srv) {
    if (srv.upgrade(req)) return undefined;
    return new Response("websocket echo server\n", { status: 426 });
  },
  websocket: {
    maxPayloadLength: 64 * 1024 * 1024,
    backpressureLimit: 1024 * 1024 * 1024, // queue, never drop, under load
    closeOnBackpressureLimit: false,
    idleTimeout: 0,
    sendPings: false,
    perMessageDeflate: false,
    message(ws, msg) {
      ws.send(msg);
    },
  },
});

console.log(`listening ${server.port}`);
