#!/usr/bin/env node
// Loads tests/browser/page.html (served over http://127.0.0.1) in headless Chromium and prints
// what the page found, for tests/e2e/test_browser.py.
//
//   node tests/browser/run.js [--timeout S] [--screenshot PREFIX] [--chromium PATH] URL...
//
// Each URL is opened in its own page, all in one browser. Once every page is ready (its
// WebSockets open), all are started together, so that several pages talk to the server at
// the same time. stdout gets one JSON line: {"ok", "browser", "pages": [window.wscopeResult…]};
// stderr gets the pages' console messages and errors. Exit status: 0 when every check of every
// page passed, 1 when some check failed, 2 when the harness itself failed (no browser, timeout).
//
// Uses the system Chromium (Debian's /usr/bin/chromium) through playwright-core; it never
// downloads a browser.
'use strict';

const path = require('path');

function usage(message) {
  process.stderr.write(`run.js: ${message}\n` +
    'usage: node run.js [--timeout S] [--screenshot PREFIX] [--chromium PATH] URL...\n');
  process.exit(2);
}

const opts = { timeout: 90, screenshot: null, chromium: '/usr/bin/chromium', urls: [] };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--timeout') opts.timeout = Number(value());
    else if (a === '--screenshot') opts.screenshot = value();
    else if (a === '--chromium') opts.chromium = value();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else opts.urls.push(a);
  }
  if (!opts.urls.length) usage('no URL');
  if (!(opts.timeout > 0)) usage('bad --timeout');
}

let chromium;
try {
  ({ chromium } = require(path.join(__dirname, '..', '..', 'node_modules', 'playwright-core')));
} catch (e) {
  usage(`cannot load playwright-core (run scripts/deps): ${e.message}`);
}

const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  // Last resort if the browser stops answering: Playwright kills it when this process exits.
  setTimeout(() => {
    log(`run.js: still running ${opts.timeout + 20} s after the start; giving up`);
    process.exit(2);
  }, (opts.timeout + 20) * 1000).unref();
  const deadline = Date.now() + opts.timeout * 1000;
  const left = () => Math.max(1, deadline - Date.now());
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-proxy-server', '--disable-dev-shm-usage'],
  });
  const output = { ok: false, browser: browser.version(), pages: [] };
  const pages = [];
  try {
    const context = await browser.newContext();
    for (const [n, url] of opts.urls.entries()) {
      const page = await context.newPage();
      page.on('console', (m) => log(`[page ${n}] console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log(`[page ${n}] pageerror: ${e.message}`));
      page.on('websocket', (ws) => {
        log(`[page ${n}] websocket ${ws.url()} opening`);
        ws.on('socketerror', (e) => log(`[page ${n}] websocket ${ws.url()} socketerror: ${e}`));
        ws.on('close', () => log(`[page ${n}] websocket ${ws.url()} closed`));
      });
      pages.push(page);
      const response = await page.goto(url, { timeout: left(), waitUntil: 'load' });
      if (!response || !response.ok()) {
        throw new Error(`page ${n}: ${url} answered ${response ? response.status() : 'nothing'}`);
      }
    }
    // Barrier: every page has its sockets open (or has given up), then all start at once.
    await Promise.all(pages.map((p) => p.waitForFunction(() => window.wscopeReady === true,
                                                         null, { timeout: left() })));
    await Promise.all(pages.map((p) => p.evaluate(() => window.wscopeGo())));
    output.pages = await Promise.all(pages.map(async (p) => {
      await p.waitForFunction(() => window.wscopeResult !== undefined, null,
                              { timeout: left(), polling: 50 });
      return p.evaluate(() => window.wscopeResult);
    }));
    output.ok = output.pages.every((r) => r.ok === true);
  } catch (e) {
    // Show how far each page got (its checks so far), then fail as a harness error.
    output.error = String(e && e.message || e);
    output.pages = await Promise.all(pages.map((p) => p.evaluate(() => ({
      ok: false, unfinished: true, checks: window.wscopeChecks, errors: window.wscopeErrors,
    })).catch((err) => ({ ok: false, unfinished: true, error: String(err) }))));
  }
  try {
    if (opts.screenshot) {
      for (const [n, p] of pages.entries()) {
        const file = `${opts.screenshot}-${n}.png`;
        await p.screenshot({ path: file, fullPage: true, timeout: 10000 });
        log(`screenshot: ${file}`);
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(output) + '\n');
  if (output.error) {
    log(`run.js: ${output.error}`);
    return 2;
  }
  return output.ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  log(`run.js: ${e && e.stack || e}`);
  process.exitCode = 2;
});
