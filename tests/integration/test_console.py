"""`takt console` in a real terminal: tmux runs it in a detached 120x40
session, send-keys presses the keys, capture-pane reads the screen, and the
daemon's state is checked over HTTP too."""

import os
import re
import shutil
import socket
import subprocess
import time
import unittest

import taktharness
from taktharness import Daemon, make_config, pitch

TAKT = os.environ.get("TAKT") or os.path.join(os.path.dirname(taktharness.TAKTD), "takt")
TMUX = shutil.which("tmux")

# SGR sequences as tmux writes them with capture-pane -e.
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@unittest.skipIf(TMUX is None, "tmux is not installed")
class ConsoleTest(unittest.TestCase):

    def setUp(self):
        self.port = free_port()
        self.d = Daemon(make_config(
            stages=[("main", "Main Hall", [pitch("a", "Fleno GmbH"), pitch("b"), pitch("c")])],
            timing=dict(pitch="75s", warning="60s", danger="15s", grace="60s",
                        on_time_up="none"),
            listen="127.0.0.1:%d" % self.port))
        self.addCleanup(self.d.cleanup)
        self.d.start(listen="127.0.0.1:%d" % self.port)
        # A private tmux server, so nothing else the user runs is touched.
        self.sock = "takt-test-%d-%d" % (os.getpid(), self.port)
        self.session = "console"
        self.addCleanup(self.tmux_cleanup)
        env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
               "TAKT_SERVER": "http://127.0.0.1:%d" % self.port,
               "TAKT_TOKEN": self.d.token("moderator")}
        cmd = "env %s '%s' console 2>/tmp/%s.err; echo TAKT-EXIT=$?; sleep 120" % (
            " ".join("%s='%s'" % kv for kv in env.items()), TAKT, self.sock)
        self.tmux("new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", cmd)

    def tmux(self, *args):
        return subprocess.run([TMUX, "-L", self.sock] + list(args), capture_output=True,
                              timeout=10, check=True).stdout.decode("utf-8", "replace")

    def tmux_cleanup(self):
        subprocess.run([TMUX, "-L", self.sock, "kill-server"], capture_output=True, timeout=10)
        try:
            with open("/tmp/%s.err" % self.sock) as f:
                err = f.read()
            os.unlink("/tmp/%s.err" % self.sock)
        except OSError:
            err = ""
        self.assertNotIn("Sanitizer", err, err)
        self.assertNotIn("runtime error:", err, err)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.session]
        if escapes:
            args.append("-e")
        return self.tmux(*args)

    def keys(self, *keys, literal=False):
        self.tmux("send-keys", "-t", self.session, *((["-l"] if literal else []) + list(keys)))

    def wait_screen(self, pred, what, timeout=5.0):
        """Polls the pane until pred(text) holds."""
        if isinstance(pred, str):
            needle = pred
            pred = lambda t: needle in t
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if pred(text):
                return text
            if time.monotonic() > deadline:
                self.fail("screen never showed %s:\n%s" % (what, text))
            time.sleep(0.1)

    def wait_state(self, pred, what, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            st = self.d.state()
            if pred(st):
                return st
            if time.monotonic() > deadline:
                self.fail("daemon state never became %s: %r" % (what, st))
            time.sleep(0.05)

    def remaining(self, text):
        m = re.search(r"remaining (-?)(\d+):(\d\d)", text)
        self.assertIsNotNone(m, text)
        s = int(m.group(2)) * 60 + int(m.group(3))
        return -s if m.group(1) else s

    def big_colours(self):
        """SGR parameters in force on the big-digit rows."""
        codes = set()
        for line in self.screen(escapes=True).splitlines():
            if "\u2588" in line:
                for m in SGR.finditer(line):
                    codes.update(p for p in m.group(1).split(";") if p)
        return codes

    def test_console_keys(self):
        text = self.wait_screen(lambda t: "[live]" in t and "IDLE" in t, "the idle stage")
        self.assertIn("Integration Test Event", text)
        self.assertIn("NEXT  a  Fleno GmbH", text)
        self.assertIn("q quit", text)
        self.assertIn("Fleno GmbH", text)

        # space starts the loaded slot: running, green, counting down
        self.keys("Space")
        text = self.wait_screen(lambda t: "RUNNING" in t and "phase normal" in t,
                                "running")
        self.assertIn("NOW   #1 a  Fleno GmbH", text)
        self.assertIn("\u2588", text)          # the big countdown
        self.assertEqual(self.d.state()["mode"], "running")
        r1 = self.remaining(text)
        self.assertTrue(70 <= r1 <= 75, text)
        self.assertIn("32", self.big_colours())  # green
        time.sleep(1.2)
        self.assertLess(self.remaining(self.screen()), r1)

        # + adds 30 s
        self.keys("+")
        st = self.wait_state(lambda s: s["added_ms"] == 30000, "extended")
        text = self.wait_screen("added +0:30", "the added time")
        self.assertGreaterEqual(self.remaining(text), 95)

        # - takes 30 s each: back to normal, warning (yellow), danger (red)
        self.keys("-")
        self.wait_state(lambda s: s["added_ms"] == 0, "back to 0 added")
        self.keys("-")
        self.wait_state(lambda s: s["added_ms"] == -30000, "30 s removed")
        self.wait_screen("phase warning", "warning")
        self.assertIn("33", self.big_colours())
        self.keys("-")
        self.wait_state(lambda s: s["added_ms"] == -60000, "60 s removed")
        text = self.wait_screen("phase danger", "danger")
        self.assertIn("31", self.big_colours())
        # overtime: counting up with a minus sign, red and blinking
        self.keys("-")
        self.wait_state(lambda s: s["added_ms"] == -90000, "90 s removed")
        text = self.wait_screen("phase overtime", "overtime")
        self.assertLess(self.remaining(text), 0)
        codes = self.big_colours()
        self.assertIn("31", codes)
        self.assertIn("5", codes)

        # space pauses and resumes
        self.keys("Space")
        self.wait_state(lambda s: s["mode"] == "paused", "paused")
        self.wait_screen("PAUSED", "paused")
        self.keys("Space")
        self.wait_state(lambda s: s["mode"] == "running", "running again")

        # s asks; n keeps the slot, y skips it
        self.keys("s")
        self.wait_screen("Skip the loaded slot? (y/n)", "the skip question")
        self.keys("n")
        self.wait_screen("cancelled", "cancelled")
        self.assertEqual(self.d.state()["pitch"]["id"], "a")
        self.keys("s")
        self.wait_screen("(y/n)", "the skip question")
        self.keys("y")
        self.wait_state(lambda s: s["pitch"]["id"] == "b" and s["mode"] == "ready", "b ready")
        self.assertEqual(self.d.slots()["a"]["status"], "skipped")
        text = self.wait_screen("NOW   #2 b", "slot b")
        self.assertIn("READY", text)
        self.wait_screen(lambda t: re.search(r"1  a\s+Fleno GmbH\s+skipped", t), "a skipped")

        # m, text, Enter shows the message; c clears it
        self.keys("m")
        self.wait_screen("Message: ", "the message prompt")
        self.keys("Bitte zum Ende kommen", literal=True)
        self.keys("Enter")
        self.wait_screen('MSG   "Bitte zum Ende kommen"', "the message")
        m = self.d.state()["message"]
        self.assertEqual((m["text"], m["visible"]), ("Bitte zum Ende kommen", True))
        self.keys("c")
        self.wait_screen("MSG   -", "no message")
        self.assertFalse(self.d.state()["message"]["visible"])

        # b toggles the blackout
        self.keys("b")
        self.wait_screen("BLACKOUT", "the blackout")
        self.assertTrue(self.d.state()["blackout"])
        self.keys("b")
        self.wait_screen(lambda t: "BLACKOUT" not in t, "no blackout")
        self.assertFalse(self.d.state()["blackout"])

        # g goes to a slot; n and p move; x stops after y
        self.keys("g")
        self.wait_screen("Go to pitch id:", "the goto prompt")
        self.keys("c", literal=True)
        self.keys("Enter")
        self.wait_state(lambda s: s["pitch"]["id"] == "c", "c loaded")
        self.wait_screen("NOW   #3 c", "slot c")
        self.keys("p")
        self.wait_state(lambda s: s["pitch"]["id"] == "b", "b loaded")
        self.keys("n")
        self.wait_state(lambda s: s["pitch"]["id"] == "c", "c loaded again")
        self.keys("Space")
        self.wait_state(lambda s: s["mode"] == "running", "c running")
        self.keys("x")
        self.wait_screen("Stop the live slot? (y/n)", "the stop question")
        self.keys("y")
        self.wait_state(lambda s: s["mode"] == "idle", "stopped")
        self.wait_screen("IDLE", "idle")
        # a refused action shows the server's reason
        self.keys("x")
        self.wait_screen("(y/n)", "the stop question")
        self.keys("y")
        self.wait_screen(lambda t: "nothing" in t.lower() or "conflict" in t.lower()
                         or "mode idle" in t, "the server's refusal")

        # q quits with status 0
        self.keys("q")
        self.wait_screen("TAKT-EXIT=0", "the exit status")

    def test_console_reconnects(self):
        self.wait_screen("[live]", "the live indicator")
        self.d.ok("start")
        self.wait_screen("RUNNING", "running")
        self.d.kill()
        self.wait_screen("reconnecting", "the reconnecting indicator")
        # still responsive while the daemon is away: the prompt opens and closes
        self.keys("s")
        self.wait_screen("(y/n)", "the skip question")
        self.keys("n")
        self.wait_screen("cancelled", "cancelled")
        before = self.remaining(self.screen())
        time.sleep(1.2)
        self.assertLess(self.remaining(self.screen()), before)  # rendered locally
        self.d.start(listen="127.0.0.1:%d" % self.port)
        self.wait_screen("[live]", "live again", timeout=10)
        self.keys("Space")
        self.wait_state(lambda s: s["mode"] == "paused", "paused after reconnect")
        self.wait_screen("PAUSED", "paused")

    def test_console_resize(self):
        self.wait_screen("[live]", "the live indicator")
        self.tmux("resize-window", "-t", self.session, "-x", "80", "-y", "24")
        text = self.wait_screen(lambda t: len(t.splitlines()[0]) <= 80 and "q quit" in t
                                and "[live]" in t, "the smaller layout")
        self.assertIn("IDLE", text)
        self.keys("q")
        self.wait_screen("TAKT-EXIT=0", "the exit status")


if __name__ == "__main__":
    unittest.main()
