#!/usr/bin/python3
"""Pay only for what is used: a ws:// run loads no shared TLS library, and no readline,
terminfo or zlib library either (the dynamic loader's own report, LD_DEBUG=files). The TLS tests (client_reach, listen) cover wss:// itself.

A stream of large binary messages holds each one about three times (the record read from
stdin, its masked frame waiting to be written, the echo gathered for stdout) and no more: no
buffer grows to hold two messages, none is left half empty by doubling."""
import os
import subprocess
import tempfile
import unittest

from e2e_support import WSCOPE, Listener, run_wscope

def flag(name):
    return os.environ.get(name, "ON").upper() in ("ON", "1", "TRUE", "YES")


STATIC_OPENSSL = flag("WSCOPE_STATIC_OPENSSL")
STATIC_LIBS = flag("WSCOPE_STATIC_LIBS")


def loaded_objects(ld_debug_text):
    """The shared objects the loader opened, from LD_DEBUG=files lines `file=NAME [0]; ...`."""
    names = set()
    for line in ld_debug_text.splitlines():
        if "file=" in line and "generating link map" in line:
            names.add(line.split("file=", 1)[1].split()[0])
    return names


class Startup(unittest.TestCase):
    def one_shot_objects(self, args):
        """The shared objects a ws:// run against an echo server loaded (it must succeed)."""
        server = Listener("--echo")
        try:
            r = run_wscope(args + [server.url], b"one\n", env=dict(os.environ, LD_DEBUG="files"))
        finally:
            server.stop()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, b"one\n", r)
        objects = loaded_objects(r.err)
        self.assertTrue(any("libc.so" in o for o in objects), r)  # the report was read
        return objects

    def test_ws_one_shot_loads_no_tls_library(self):
        if not STATIC_OPENSSL:
            self.skipTest("built with WSCOPE_STATIC_OPENSSL=OFF: the shared OpenSSL is linked")
        objects = self.one_shot_objects([])
        self.assertEqual([o for o in objects if "libssl" in o or "libcrypto" in o], [], objects)

    def test_ws_one_shot_loads_no_readline_terminfo_or_zlib(self):
        if not STATIC_LIBS:
            self.skipTest("built with WSCOPE_STATIC_LIBS=OFF: the shared libraries are linked")
        objects = self.one_shot_objects(["-n", "1"])
        self.assertEqual([o for o in objects
                          if any(lib in o for lib in ("libreadline", "libtinfo", "libz."))], [], objects)


class StreamMemory(unittest.TestCase):
    MESSAGE = 16 << 20
    COUNT = 6

    def test_large_messages_are_held_about_three_times(self):
        server = Listener("--echo", "-q")
        try:
            with tempfile.TemporaryFile() as stdin:
                block = os.urandom(1 << 20)
                for _ in range(self.MESSAGE * self.COUNT // len(block)):
                    stdin.write(block)
                stdin.seek(0)
                proc = subprocess.Popen([WSCOPE, "-b", "--chunk", str(self.MESSAGE),
                                         "-n", str(self.COUNT), server.url],
                                        stdin=stdin, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
                got = 0
                while chunk := proc.stdout.read(1 << 20):
                    got += len(chunk)
                err = proc.stderr.read()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            server.stop()
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(got, self.MESSAGE * self.COUNT, err)
        peak_mib = usage.ru_maxrss / 1024
        print(f"\n{self.COUNT} messages of {self.MESSAGE >> 20} MiB: client peak RSS {peak_mib:.1f} MiB")
        # Three copies, a 4 MiB stdin read and what the program itself needs (about 58 MiB in
        # all); a buffer grown by doubling or a second message queued behind the first costs
        # 8-16 MiB more (71 MiB with the printer's buffer still grown by halves).
        self.assertLessEqual(peak_mib, 3 * (self.MESSAGE >> 20) + 16)


if __name__ == "__main__":
    unittest.main()
