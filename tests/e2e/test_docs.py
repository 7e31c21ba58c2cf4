#!/usr/bin/python3
"""The documentation against the real binary (STYLE habit 9):

- man/wscope.1 and completions/* are byte for byte what `wscope --generate KIND` prints;
- every option that `wscope --help` and `wscope listen --help` list is in the man page and in
  each completion; every flag used in the README's commands and the man page's EXAMPLES exists;
- the man page renders without a warning (groff; mandoc too when installed);
- the bash completion really completes (a bash subprocess calls _wscope), and so do the fish
  and zsh ones where those shells are installed;
- the README's ```console examples run against a local `wscope listen --echo` and print what
  the README shows (masking keys, timestamps, handshake keys and ports aside);
- `cmake --install` puts the man page and completions where the packages expect them.

A generated file that differs means the option definitions changed: run scripts/regen-docs.
"""
import collections
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from e2e_support import ROOT, WSCOPE, Listener

GENERATED = {
    "man": "man/wscope.1",
    "bash": "completions/wscope.bash",
    "zsh": "completions/_wscope",
    "fish": "completions/wscope.fish",
}


def read(relative, mode="r"):
    with open(os.path.join(ROOT, relative), mode) as f:
        return f.read()


def run(args, timeout=60, **kw):
    return subprocess.run(args, capture_output=True, timeout=timeout, **kw)


def clean_env(**extra):
    """The environment without proxies (a local test must not go through one) or colours."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(NO_COLOR="1", **extra)
    return env


# ---------------------------------------------------------------------------- --help

def help_options(*args):
    """{name: takes_value} for the options `wscope ARGS --help` lists, each on a line such as
    "  -H, --header HEADER   Description" or "      --chunk N   Description" (a long name
    without a short one lines up with the long names of the others)."""
    out = run([WSCOPE, *args, "--help"]).stdout.decode()
    options = {}
    for line in out.splitlines():
        if not re.match(r"^  (-|    --)", line):
            continue
        head = re.split(r" {2,}", line.strip())[0]
        names = head.split(", ")
        last = names[-1].split(" ", 1)
        names[-1] = last[0]
        takes_value = len(last) > 1 or "[=" in last[0]
        for name in names:
            options[name.split("[=")[0]] = takes_value
    return options


MAIN_OPTIONS = help_options()
LISTEN_OPTIONS = help_options("listen")
# Hidden on purpose (wscat-style spellings), documented in the man page's SYNOPSIS.
HIDDEN_OPTIONS = {"-c": True, "--connect": True, "-l": True, "--listen": True}


def wscope_flags(command):
    """The options given to wscope in a shell command line: [(flag, is_listen)]."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    flags = []
    inside = listen = False
    for word in words:
        if word in ("|", ";", "&&", "||", "&") or word.endswith(("|", ";")):
            inside = False
            continue
        if os.path.basename(word) == "wscope":
            inside, listen = True, False
            continue
        if not inside:
            continue
        if word == "listen":
            listen = True
        elif word.startswith("--"):
            flags.append((word.split("=", 1)[0], listen))
            listen = listen or flags[-1][0] == "--listen"  # -l PORT takes the listen options
        elif word.startswith("-") and len(word) > 1:
            known = LISTEN_OPTIONS if listen else {**MAIN_OPTIONS, **HIDDEN_OPTIONS}
            for letter in word[1:]:  # -FX is -F -X; -n3 is -n 3
                flags.append(("-" + letter, listen))
                if not listen and letter == "l":
                    listen = True
                    break
                if known.get("-" + letter):
                    break
    return flags


class GeneratedFiles(unittest.TestCase):
    def test_committed_files_are_what_generate_prints(self):
        for kind, path in GENERATED.items():
            with self.subTest(kind=kind):
                r = run([WSCOPE, "--generate", kind])
                self.assertEqual(r.returncode, 0, r.stderr.decode())
                self.assertTrue(r.stdout == read(path, "rb"),
                                f"{path} is not what `wscope --generate {kind}` prints: "
                                f"run scripts/regen-docs")

    def test_generate_rejects_an_unknown_kind(self):
        r = run([WSCOPE, "--generate", "html"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, b"")

    def test_every_option_in_help_is_in_the_man_page_and_completions(self):
        man, bash, zsh, fish = (read(p) for p in GENERATED.values())
        self.assertGreater(len(MAIN_OPTIONS), 20)
        self.assertGreater(len(LISTEN_OPTIONS), 10)
        for name in [*MAIN_OPTIONS, *LISTEN_OPTIONS]:
            with self.subTest(option=name):
                self.assertIn("\\fB" + name.replace("-", "\\-") + "\\fR", man)
                self.assertRegex(bash, r"['| ]" + re.escape(name) + r"['| )]")
                self.assertRegex(zsh, r"[{,(' ]" + re.escape(name) + r"[-+=,}'\[ )]")
                fish_option = f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}"
                self.assertRegex(fish, re.escape(fish_option) + r"[ \n]")

    def test_flags_in_the_man_page_examples_exist(self):
        man = read(GENERATED["man"])
        examples = man[man.index(".SH EXAMPLES"):man.index(".SH SEE ALSO")]
        commands = []
        for block in re.findall(r"^\.EX\n(.*?)^\.EE$", examples, re.S | re.M):
            text = block.replace("\\-", "-").replace("\\(aq", "'").replace("\\en", "\\n")
            commands += text.splitlines()
        self.assertGreater(len(commands), 10)
        for command in commands:
            for flag, listen in wscope_flags(command):
                known = LISTEN_OPTIONS if listen else {**MAIN_OPTIONS, **HIDDEN_OPTIONS}
                with self.subTest(command=command, flag=flag):
                    self.assertIn(flag, known, f"man page EXAMPLES use {flag}, which "
                                  f"`wscope{' listen' if listen else ''} --help` does not list")

    def test_flags_in_the_help_examples_exist(self):
        for command in ([], ["listen"]):
            text = run([WSCOPE, *command, "--help"]).stdout.decode()
            examples = text[text.index("\nExamples:\n"):].split("\n\n")[0].splitlines()[2:]
            lines = [re.split(r" {2,}", l.strip())[0] for l in examples if l.startswith("  ")
                     and not l.startswith("   ")]
            self.assertGreaterEqual(len(lines), 4, text)
            for line in lines:
                flags = wscope_flags(line)
                self.assertTrue(flags or "wscope" in line, line)
                for flag, listen in flags:
                    known = LISTEN_OPTIONS if listen else {**MAIN_OPTIONS, **HIDDEN_OPTIONS}
                    with self.subTest(command=line, flag=flag):
                        self.assertIn(flag, known)

    def test_man_page_renders_without_warnings(self):
        page = os.path.join(ROOT, GENERATED["man"])
        if not shutil.which("groff"):
            self.skipTest("groff is not installed (apt-get install groff-base)")
        r = run(["groff", "-t", "-man", "-ww", "-z", page])
        self.assertEqual((r.returncode, r.stderr.decode()), (0, ""))
        r = run(["groff", "-t", "-man", "-Tutf8", "-ww", page])
        text = re.sub(r".\x08", "", r.stdout.decode())
        for heading in ("SYNOPSIS", "OPTIONS", "LISTEN MODE", "JSON LINES", "EXIT STATUS"):
            self.assertIn("\n" + heading + "\n", text)
        self.assertIn("--close-code CODE", text)  # ASCII hyphens: copied options work
        if shutil.which("mandoc"):
            r = run(["mandoc", "-Tlint", "-W", "warning", page])
            self.assertEqual((r.returncode, r.stdout.decode() + r.stderr.decode()), (0, ""))


# ---------------------------------------------------------------------------- completions

class BashCompletion(unittest.TestCase):
    SCRIPT = os.path.join(ROOT, GENERATED["bash"])

    def complete(self, *words, wordbreaks=None):
        """COMPREPLY for the command line WORDS (the last one is being completed)."""
        script = (f"source {shlex.quote(self.SCRIPT)}\n"
                  + (f"COMP_WORDBREAKS={shlex.quote(wordbreaks)}\n" if wordbreaks is not None else "")
                  + f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
                  + f"COMP_CWORD={len(words) - 1}\n"
                  + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                  + "_wscope\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
        r = run(["bash", "--norc", "--noprofile", "-c", script], timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(r.stderr, b"")
        return sorted(line for line in r.stdout.decode().split("\n") if line)

    def test_registers_the_function(self):
        r = run(["bash", "--norc", "-c", f"source {shlex.quote(self.SCRIPT)}; complete -p wscope"])
        self.assertEqual(r.stdout.decode().strip(), "complete -F _wscope wscope")

    def test_long_options(self):
        self.assertEqual(self.complete("wscope", "--cl"),
                         ["--close-code", "--close-reason", "--close-timeout"])
        self.assertEqual(self.complete("wscope", "-H", "X: y", "--jso"), ["--jsonl"])

    def test_listen_subcommand(self):
        self.assertEqual(self.complete("wscope", "li"), ["listen"])
        self.assertEqual(self.complete("wscope", "listen", "--ec"), ["--echo"])
        self.assertEqual(self.complete("wscope", "listen", "--cl"), ["--close-timeout"])
        self.assertEqual(self.complete("wscope", "-v", "listen", "--one"), ["--oneshot"])
        # after a URL, "listen" is not a subcommand, and a value is not one either
        self.assertEqual(self.complete("wscope", "ws://h/", "li"), [])
        self.assertEqual(self.complete("wscope", "-d", "listen", "--ec"), ["--echo"])

    def test_option_values(self):
        self.assertEqual(self.complete("wscope", "--color", ""), ["always", "auto", "never"])
        self.assertEqual(self.complete("wscope", "--color", "=", "a"), ["always", "auto"])
        self.assertEqual(self.complete("wscope", "--color=n", wordbreaks=" \t\n"), ["--color=never"])
        self.assertEqual(self.complete("wscope", "listen", "--color", "ne"), ["never"])
        self.assertEqual(self.complete("wscope", "--timestamps", ""), ["relative", "wall"])
        self.assertEqual(self.complete("wscope", "-H", ""), [])  # nothing to guess

    def test_file_values(self):
        file_options = [o for o in ("--cacert", "--cert", "--key", "--unix-socket")
                        if o in MAIN_OPTIONS]
        if not file_options:
            self.skipTest("no option that takes a file yet")
        with tempfile.TemporaryDirectory() as d:
            for name in ("ca.pem", "cb.pem"):
                open(os.path.join(d, name), "w").close()
            for option in file_options:
                with self.subTest(option=option):
                    self.assertEqual(self.complete("wscope", option, os.path.join(d, "c")),
                                     [os.path.join(d, "ca.pem"), os.path.join(d, "cb.pem")])


class FishCompletion(unittest.TestCase):
    def complete(self, line):
        script = f"source {shlex.quote(os.path.join(ROOT, GENERATED['fish']))}; complete -C{shlex.quote(line)}"
        r = run(["fish", "--no-config", "-c", script], timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return sorted(l.split("\t")[0] for l in r.stdout.decode().splitlines())

    def setUp(self):
        if not shutil.which("fish"):
            self.skipTest("fish is not installed")

    def test_completes(self):
        self.assertEqual(self.complete("wscope --cl"),
                         ["--close-code", "--close-reason", "--close-timeout"])
        self.assertEqual(self.complete("wscope listen --ec"), ["--echo"])
        self.assertEqual(self.complete("wscope --color "), ["always", "auto", "never"])
        self.assertEqual(self.complete("wscope li"), ["listen"])


class ZshCompletion(unittest.TestCase):
    def test_parses(self):
        if not shutil.which("zsh"):
            self.skipTest("zsh is not installed")
        r = run(["zsh", "-n", os.path.join(ROOT, GENERATED["zsh"])])
        self.assertEqual((r.returncode, r.stderr.decode()), (0, ""))

    def complete(self, line, until):
        """What zsh shows after LINE and two Tabs (complete, then list), up to the text UNTIL,
        with its completion system (compinit) loading completions/_wscope."""
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(os.path.join(ROOT, GENERATED["zsh"]), d)
            script = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=(%s \$fpath); autoload -Uz compinit; compinit -u -D; PROMPT='> '"
zpty -w -n z %s$'\t\t'
zpty -r z out %s && print -r -- "$out"
zpty -d z
""" % (d, shlex.quote(line), shlex.quote("*" + until + "*"))
            try:
                r = run(["zsh", "-f", "-c", script], timeout=20, env=clean_env(HOME=d, TERM="dumb"))
            except subprocess.TimeoutExpired as e:
                self.fail(f"zsh never showed {until!r} after {line!r}<Tab><Tab>:\n{e.stdout!r}")
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", r.stdout.decode(errors="replace"))

    def test_completes(self):
        if not shutil.which("zsh"):
            self.skipTest("zsh is not installed")
        out = self.complete("wscope --cl", "close-timeout")
        for option in ("--close-code", "--close-reason", "--close-timeout"):
            self.assertIn(option, out)
        self.assertIn("--echo", self.complete("wscope listen --ec", "echo"))  # typed: --ec
        out = self.complete("wscope --color ", "never")
        for value in ("auto", "always", "never"):
            self.assertIn(value, out)


# ---------------------------------------------------------------------------- README

# Output that differs from run to run: replaced by the same text on both sides.
VARIABLE = [
    (re.compile(r"mask=[0-9a-f]{8}"), "mask=MASK"),
    (re.compile(r'"mask":"[0-9a-f]{8}"'), '"mask":"MASK"'),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"), "TIME"),
    (re.compile(r"^\+\d+\.\d+ "), "+TIME "),
    (re.compile(r"(127\.0\.0\.1|\[::1\]|localhost):\d+"), r"\1:PORT"),
    (re.compile(r"(Sec-WebSocket-(?:Key|Accept): )\S+"), r"\1KEY"),
    (re.compile(r'("sec-websocket-accept":")[^"]*"'), r'\1KEY"'),
    (re.compile(r"wscope/\d+\.\d+\.\d+"), "wscope/VERSION"),
    (re.compile(r"rtt [\d.]+ ms"), "rtt N ms"),
    # hex dump rows: the bytes of masked frames change with the key
    (re.compile(r"^(\s*(?:\[\d+\] )?\s*[0-9a-f]{4}: ).*$"), r"\1ROW"),
]


def normalise(line):
    line = line.rstrip()
    for pattern, replacement in VARIABLE:
        line = pattern.sub(replacement, line)
    return line


def console_blocks(markdown):
    """[(first line number, [(command, [expected output lines])])] for each ```console block."""
    blocks = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start, i = i + 1, i + 1
        steps = []
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") and i + 1 < len(lines):  # bash joins the lines
                    i += 1
                    command += "\n" + lines[i]
                steps.append((command, []))
            elif steps:
                steps[-1][1].append(line)
            i += 1
        blocks.append((start, steps))
        i += 1
    return blocks


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Readme(unittest.TestCase):
    """Runs each ```console block of README.md: `$ ` lines are commands (a trailing `&` starts
    a server in the background and waits for its `listening on` line), the other lines are
    output that must appear (in any order) in what the block's commands print. Port 8080 is a
    running `wscope listen --echo`, port 9000 a free port."""

    @classmethod
    def setUpClass(cls):
        cls.echo = Listener("--echo")
        cls.bin = tempfile.mkdtemp()
        os.symlink(WSCOPE, os.path.join(cls.bin, "wscope"))

    @classmethod
    def tearDownClass(cls):
        cls.echo.stop()
        shutil.rmtree(cls.bin, ignore_errors=True)

    def test_flags_used_in_readme_commands_exist(self):
        readme = read("README.md")
        commands = [c for _, steps in console_blocks(readme) for c, _ in steps]
        for block in re.findall(r"^```sh\n(.*?)^```$", readme, re.S | re.M):
            commands += block.splitlines()
        self.assertGreater(len(commands), 8)
        for command in commands:
            for flag, listen in wscope_flags(command):
                known = LISTEN_OPTIONS if listen else {**MAIN_OPTIONS, **HIDDEN_OPTIONS}
                with self.subTest(command=command):
                    self.assertIn(flag, known)

    def test_console_examples(self):
        blocks = console_blocks(read("README.md"))
        self.assertGreaterEqual(len(blocks), 8)
        for start, steps in blocks:
            with self.subTest(readme_line=start, command=steps[0][0] if steps else ""):
                self.run_block(steps)

    def run_block(self, steps):
        missing = [tool for tool in ("jq", "od", "openssl") if any(re.search(rf"\b{tool}\b", c) for c, _ in steps)
                   and not shutil.which(tool)]
        if missing:
            self.skipTest(f"{', '.join(missing)} not installed")
        ports = {"8080": str(self.echo.port), "9000": str(free_port())}
        env = clean_env(PATH=self.bin + os.pathsep + os.environ.get("PATH", ""),
                        XDG_STATE_HOME=self.bin)
        background, outputs = [], []
        expected = []
        try:
            with tempfile.TemporaryDirectory() as cwd:
                for command, shown in steps:
                    expected += shown
                    real = re.sub(r"\b(8080|9000)\b", lambda m: ports[m.group(1)], command)
                    if real.rstrip().endswith("&"):
                        background.append(self.start_background(real.rstrip()[:-1], cwd, env))
                        continue
                    try:
                        r = subprocess.run(["bash", "-o", "pipefail", "-c", real], cwd=cwd, env=env,
                                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
                    except subprocess.TimeoutExpired:
                        self.fail(f"`{command}` did not finish within 30 s")
                    self.assertEqual(r.returncode, 0, f"`{command}` exited {r.returncode}:\n"
                                     f"{r.stdout.decode(errors='replace')}{r.stderr.decode(errors='replace')}")
                    outputs += (r.stdout + r.stderr).decode(errors="replace").splitlines()
                for proc, log in background:  # a --oneshot server ends with its client
                    try:
                        proc.wait(3)
                    except subprocess.TimeoutExpired:
                        pass
        finally:
            for proc, log in background:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                with open(log.name, errors="replace") as f:
                    outputs += f.read().splitlines()
                log.close()
        have = collections.Counter(normalise(l) for l in outputs)
        want = collections.Counter(normalise(l) for l in expected if l.strip() not in ("", "…"))
        lacking = want - have
        if lacking:
            self.fail("the README shows output that the commands did not print:\n  " +
                      "\n  ".join(lacking.elements()) + "\nthey printed:\n  " + "\n  ".join(outputs))

    def start_background(self, command, cwd, env):
        log = tempfile.NamedTemporaryFile(prefix="readme-bg-")
        proc = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(log.name, errors="replace") as f:
                if "listening on" in f.read():
                    return proc, log
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        with open(log.name, errors="replace") as f:
            self.fail(f"`{command} &` printed no 'listening on' line:\n{f.read()}")


# ---------------------------------------------------------------------------- install

class Install(unittest.TestCase):
    def test_install_puts_the_docs_where_packages_expect_them(self):
        build = os.path.dirname(os.path.dirname(os.path.abspath(WSCOPE)))
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")) or not shutil.which("cmake"):
            self.skipTest(f"{WSCOPE} is not in a CMake build tree")
        with tempfile.TemporaryDirectory() as prefix:
            r = run(["cmake", "--install", build, "--prefix", prefix], timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())
            for path in ("bin/wscope", "share/man/man1/wscope.1",
                         "share/bash-completion/completions/wscope",
                         "share/zsh/site-functions/_wscope",
                         "share/fish/vendor_completions.d/wscope.fish"):
                self.assertTrue(os.path.isfile(os.path.join(prefix, path)), path)
            with open(os.path.join(prefix, "share/man/man1/wscope.1"), "rb") as f:
                self.assertEqual(f.read(), read(GENERATED["man"], "rb"))
            r = run([os.path.join(prefix, "bin/wscope"), "--version"])
            self.assertTrue(r.stdout.startswith(b"wscope "), r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
