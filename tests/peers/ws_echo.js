#!/usr/bin/env node
// Echo server on Node's `ws` library (version pinned in the repo's package.json).
//
// Binds 127.0.0.1 on a free port, prints `PORT <n>` as its first stdout line, echoes every
// message (text stays text, binary stays binary) and reports each finished connection as
// `CLOSED <code> <reason>` (the client's close code; 1005 when its Close had none, 1006 when it
// sent no Close). Exits on SIGTERM/SIGINT or after --lifetime seconds (default 120).
// --deflate accepts permessage-deflate (every message compressed); --client-max-window-bits N
// then asks a client that offered client_max_window_bits for a window of N bits (8-15).
'use strict';

const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const lifetime = Number(option('--lifetime', '120'));
const clientBits = option('--client-max-window-bits', null);
const deflate = process.argv.includes('--deflate')
  ? { threshold: 0, ...(clientBits ? { clientMaxWindowBits: Number(clientBits) } : {}) }
  : false;
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 512 * 1024 * 1024,
  perMessageDeflate: deflate,
});

wss.on('listening', () => {
  process.stdout.write(`PORT ${wss.address().port}\n`);
});

wss.on('connection', (ws) => {
  process.stdout.write(`OPEN ${ws.extensions || '-'}\n`);
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', (code, reason) => {
    process.stdout.write(`CLOSED ${code} ${reason.toString()}\n`);
  });
  ws.on('error', (err) => {
    process.stdout.write(`ERROR ${err.message}\n`);
  });
});

function stop() {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, lifetime * 1000).unref();
