"""Server rows of bench/run: `wscope listen --echo` against the C reference
server (bench/ref_server.c) and Bun, all driven by one lean client
(bench/load_client.c); the cost per echo as the number of clients grows; the
server's memory with 1,000 idle connections; and the targets table.

Imported by bench/run; nothing here runs on import.
"""

import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20

SERVERS = ["wscope", "ref", "bun"]
TITLES = {"wscope": "`wscope listen --echo`", "ref": "C reference server", "bun": "Bun (`Bun.serve`)"}

# (key, title, load_client arguments, unit): every server gets the same client run.
SPEED = [
    ("s-bulk", "1 MiB binary messages, 1 client, 4 in flight, 256 MiB, MiB/s ↑",
     ["-c", "1", "-n", "256", "-w", "4", "-s", str(MIB), "-b"], "MiB"),
    ("s-small", "32 B messages, 1 client, 1,000 in flight, 1,000,000 echoes, messages/s ↑",
     ["-c", "1", "-n", "1000000", "-w", "1000", "-s", "32"], "msg"),
    ("s-conc", "32 B messages, 1,000 clients, 1 in flight each, 200,000 echoes, messages/s ↑",
     ["-c", "1000", "-n", "200", "-w", "1", "-s", "32"], "msg"),
]
# issue 11: cost per echo at 10, 1,000 and 5,000 clients, 200,000 echoes each time
SCALE = [(10, 20000), (1000, 200), (5000, 40)]
IDLE_CONNS = 1000


def raise_nofile(need, notes):
    """Raise RLIMIT_NOFILE (inherited by the servers and the client) to at least need."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, need)
    try:
        if hard != resource.RLIM_INFINITY and hard < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # root only
        else:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        notes.append(f"ulimit -n could not be raised to {need} (hard limit {hard}): "
                     "the 5,000-client rows may fail.")
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def compile_c(name, libs, workdir, notes):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    out = os.path.join(workdir, name)
    try:
        subprocess.run([cc, "-O2", "-o", out, os.path.join(BENCH, name + ".c")] + libs,
                       check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        notes.append(f"{name} skipped: compile failed ({e}).")
        return None
    return out


class Proc:
    """A server on a free loopback port, its port parsed from its output."""

    def __init__(self, cmd, logfile, parse):
        self.cmd, self.logfile, self.parse = cmd, logfile, parse
        self.proc, self.port = None, None

    def start(self):
        self.stop()
        log = open(self.logfile, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.logfile, "rb") as f:
                port = self.parse(f.read().decode(errors="replace"))
            if port:
                self.port = port
                return True
            time.sleep(0.05)
        self.stop()
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def parse_listening(text):
    """`listening PORT` (ref_server, bun_echo.js) or wscope's `listening on ws://H:P/`."""
    for line in text.splitlines():
        if "listening on ws://" in line:
            return int(line.rsplit(":", 1)[1].strip("/ \r"))
        if line.startswith("listening "):
            return int(line.split()[1])
    return None


class ServerBench:
    def __init__(self, wscope, bun, work, runs, log):
        self.wscope, self.bun, self.work, self.runs, self.log = wscope, bun, work, runs, log
        self.notes = []
        self.samples = {}  # (key, server) -> [numbers]
        self.failures = {}  # (key, server) -> [texts]
        self.procs = []

    def add(self, key, server, value):
        self.samples.setdefault((key, server), []).append(value)

    def fail(self, key, server, text):
        lst = self.failures.setdefault((key, server), [])
        if text not in lst:
            lst.append(text)

    def med(self, key, server):
        v = self.samples.get((key, server))
        return statistics.median(v) if v else None

    def command(self, server, extra=()):
        if server == "wscope":
            return [self.wscope, "listen", "127.0.0.1:0", "--echo", "-q"] + list(extra)
        if server == "ref":
            return [self.ref_server]
        return [self.bun, os.path.join(BENCH, "bun_echo.js")]

    def load(self, proc, args, timeout=120, idle=False):
        cmd = [self.client, "-p", str(proc.proc.pid), "-t", str(timeout)] + args
        cmd.append(f"ws://127.0.0.1:{proc.port}/")
        if idle:
            return subprocess.Popen(cmd + [], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            return None, "timed out"
        if r.returncode != 0:
            return None, (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        return json.loads(r.stdout.strip().splitlines()[-1]), None

    def run(self, notes):
        raise_nofile(2 * 5000 + 1000, notes)
        self.client = compile_c("load_client", ["-lz"], self.work, notes)
        self.ref_server = compile_c("ref_server", ["-lcrypto"], self.work, notes)
        if not self.client:
            notes.append("server rows skipped: load_client did not compile.")
            return False
        servers = ["wscope"] + (["ref"] if self.ref_server else []) + (["bun"] if self.bun else [])
        if not self.bun:
            notes.append("Bun unavailable: its server column is empty.")
        self.active = servers
        try:
            live = {}
            for s in servers:
                p = Proc(self.command(s), os.path.join(self.work, f"srv-{s}.log"), parse_listening)
                self.procs.append(p)
                if p.start():
                    live[s] = p
                else:
                    self.fail("s-bulk", s, "server did not start")
            for rep in range(1, self.runs + 1):
                self.log(f"[{rep}/{self.runs}] servers: 1 MiB, 32 B, 1,000 clients; "
                         f"10 / 1,000 / 5,000 clients")
                for key, _, args, unit in SPEED:
                    for s, p in live.items():
                        self.measure(key, s, p, args, unit)
                for conns, n in SCALE:
                    for s, p in live.items():
                        self.measure(f"scale-{conns}", s, p,
                                     ["-c", str(conns), "-n", str(n), "-w", "1", "-s", "32"], "msg")
            for p in live.values():
                p.stop()
            for rep in range(1, self.runs + 1):
                self.log(f"[{rep}/{self.runs}] server memory: {IDLE_CONNS:,} idle clients, "
                         "plain and --deflate")
                self.memory("mem-plain", [], ["-b", "-s", str(MIB)])
                self.memory("mem-deflate", ["--deflate"], ["-z", "-s", str(MIB)])
        finally:
            self.stop()
        return True

    def measure(self, key, server, proc, args, unit):
        if not proc.alive():
            if not proc.start():
                self.fail(key, server, "server died and did not restart")
                return
        res, err = self.load(proc, args)
        if err:
            self.fail(key, server, err)
            return
        echoes, secs, cpu = res["echoes"], res["seconds"], res["server_cpu"]
        if secs <= 0:
            return
        self.add(key, server, echoes / secs)  # the MiB row's echoes are 1 MiB each
        if cpu >= 0:
            self.add(key + ":cpu", server, cpu * 1e6 / echoes)

    def memory(self, key, server_flags, client_args):
        """Server RSS above the empty server, IDLE_CONNS clients idle after one message each."""
        p = Proc(self.command("wscope", server_flags), os.path.join(self.work, f"{key}.log"),
                 parse_listening)
        self.procs.append(p)
        if not p.start():
            self.fail(key, "wscope", "server did not start")
            return
        try:
            time.sleep(0.3)
            empty = p.rss_kib()
            c = self.load(p, ["-c", str(IDLE_CONNS), "-n", "1", "-w", "1", "-i"] + client_args,
                          timeout=240, idle=True)
            try:
                line = c.stdout.readline()  # "ready": every client has its echo and idles
                if line.strip() != b"ready":
                    self.fail(key, "wscope", (c.stderr.read().decode(errors="replace").strip()
                                              .splitlines() or ["no ready line"])[-1])
                    return
                time.sleep(0.5)
                idle = p.rss_kib()
                self.add(key, "wscope", (idle - empty) / 1024)
                self.add(key + ":empty", "wscope", empty / 1024)
            finally:
                try:
                    c.stdin.close()
                    c.wait(60)
                except subprocess.TimeoutExpired:
                    c.kill()
                    c.wait()
        finally:
            p.stop()

    def stop(self):
        for p in self.procs:
            p.stop()

    # ------------------------------------------------------------------- report

    def cell(self, key, s, fmt):
        v = self.med(key, s)
        if v is None:
            return "failed †" if self.failures.get((key.split(":")[0], s)) else "–"
        text = fmt(v)
        if s != "wscope":
            w = self.med(key, "wscope")
            if w is not None and v > 0:
                text += f" ({w / v:.2f}×)"
        if self.failures.get((key.split(":")[0], s)):
            text += " †"
        return text

    def report(self, p):
        cols = self.active
        f_int = lambda v: f"{v:,.0f}"
        f_us = lambda v: f"{v:.2f}" if v < 10 else f"{v:.1f}"
        p(f"### Servers, driven by `bench/load_client.c` (medians of {self.runs})")
        p()
        p("| workload | " + " | ".join(TITLES[s] for s in cols) + " |")
        p("| --- | " + " | ".join("---:" for _ in cols) + " |")
        for key, title, _, _ in SPEED:
            p(f"| {title} | " + " | ".join(self.cell(key, s, f_int) for s in cols) + " |")
            p(f"| same: server CPU per echo, µs ↓ | " +
              " | ".join(self.cell(key + ":cpu", s, f_us) for s in cols) + " |")
        for conns, n in SCALE:
            p(f"| server CPU per echo, {conns:,} clients × {n:,} ping-pong echoes of 32 B, µs ↓ | " +
              " | ".join(self.cell(f"scale-{conns}:cpu", s, f_us) for s in cols) + " |")
        for key, flag in (("mem-plain", ""), ("mem-deflate", " --deflate")):
            p(f"| server RSS above the empty server, {IDLE_CONNS:,} idle clients after one 1 MiB "
              f"message each{flag}, MiB ↓ | " +
              " | ".join(self.cell(key, s, lambda v: f"{v:.1f}") if s == "wscope" else "n/a"
                         for s in cols) + " |")
        p()
        p("Throughput is echoes over the timed phase (every handshake done → last echo back); "
          "server CPU is the server process's CPU time (all threads, /proc/PID/task/*/schedstat) "
          "over that phase, divided by the echoes. \"(r×)\" is wscope's median over that server's. "
          "The memory rows are wscope's alone (VmRSS, with a fresh server for each run).")
        p()
        for (key, s), evs in sorted(self.failures.items()):
            for e in evs:
                p(f"- † {TITLES[s]}, {key}: {e}")
        if self.failures:
            p()


def verdict(ok, miss):
    return "met" if ok else f"**missed** by {miss}"


def targets(client_med, srv, p):
    """The targets table (issues 11, 13 and 18). client_med(key, client) -> median or None."""
    rows = []

    def ratio(a, b):
        return a / b if a is not None and b else None

    r = ratio(client_med("latency", "wscope"), client_med("latency", "ref"))
    if r is not None:
        rows.append(("one-shot ≤ 2× the C reference client (wall)", f"{r:.2f}×",
                     verdict(r <= 2, f"{r / 2:.2f}×")))
    r = ratio(client_med("latency:cpu", "wscope"), client_med("latency:cpu", "ref"))
    if r is not None:
        rows.append(("one-shot CPU ≤ 2× the C reference client", f"{r:.2f}×",
                     verdict(r <= 2, f"{r / 2:.2f}×")))
    for key, what in (("bulk:rss", "256 MiB bulk"), ("lines:rss", "1 M-line run")):
        v = client_med(key, "wscope")
        if v is not None:
            rows.append((f"peak RSS ≤ 8 MiB, {what}", f"{v:.1f} MiB",
                         verdict(v <= 8, f"{v - 8:.1f} MiB")))
    b, g = client_med("bulk:rss", "wscope"), client_med("big:rss", "wscope")
    if b and g:
        rows.append(("peak RSS flat at 1 GiB (≤ 256 MiB run + 1 MiB)", f"{g:.1f} vs {b:.1f} MiB",
                     verdict(g <= b + 1, f"{g - b - 1:.1f} MiB")))
    r = ratio(client_med("bulk", "wscope"), client_med("bulk", "ref"))
    if r is not None:
        rows.append(("pipe bulk ≥ 0.9× the C reference client", f"{r:.2f}×",
                     verdict(r >= 0.9, f"{0.9 - r:.2f}")))
    r = ratio(client_med("lines", "wscope"), client_med("lines", "ref"))
    if r is not None:
        rows.append(("small messages not below the last sample (0.89× the C reference client)",
                     f"{r:.2f}×", verdict(r >= 0.89, f"{0.89 - r:.2f}")))
    if srv is not None:
        for key, what in (("s-bulk", "1 MiB"), ("s-small", "32 B")):
            r = ratio(srv.med(key, "wscope"), srv.med(key, "bun"))
            if r is not None:
                rows.append((f"listen --echo ≥ Bun, {what} messages", f"{r:.2f}×",
                             verdict(r >= 1, f"{(1 - r) * 100:.0f} %")))
        lo, hi = srv.med("scale-10:cpu", "wscope"), srv.med("scale-5000:cpu", "wscope")
        if lo and hi:
            r = hi / lo
            others = []
            for s, name in (("ref", "C reference server"), ("bun", "Bun")):
                a, b = srv.med("scale-10:cpu", s), srv.med("scale-5000:cpu", s)
                if a and b:
                    others.append(f"{name} {b / a:.2f}×")
            ref = f"; {', '.join(others)}" if others else ""
            rows.append(("listen cost per echo flat within 2×, 10 → 5,000 clients",
                         f"{lo:.2f} → {hi:.2f} µs ({r:.2f}×{ref})", verdict(r <= 2, f"{r / 2:.2f}×")))
        v = srv.med("mem-plain", "wscope")
        if v is not None:
            rows.append((f"{IDLE_CONNS:,} idle connections ≤ 32 MiB above the empty server",
                         f"{v:.1f} MiB", verdict(v <= 32, f"{v - 32:.1f} MiB")))
    if not rows:
        return
    p("### Targets")
    p()
    p("| target | measured (medians) | |")
    p("| --- | ---: | --- |")
    for t, m, v in rows:
        p(f"| {t} | {m} | {v} |")
    p()
