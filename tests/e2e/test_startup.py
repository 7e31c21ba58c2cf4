#!/usr/bin/python3
"""Pay only for what is used: a ws:// run loads no shared TLS library, and no readline,
terminfo or zlib library either (the dynamic loader's own report, LD_DEBUG=files). The TLS tests (client_reach, listen) cover wss:// itself."""
import os
import unittest

from e2e_support import Listener, run_wscope

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

if __name__ == "__main__":
    unittest.main()
