"""The terminal client `takt` (SPEC §7) against a real taktd: every command,
its output and exit code, --json, usage errors, an unreachable server, and
`takt watch` into a file across a daemon restart."""

import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest

import taktharness
from taktharness import Daemon, make_config, pitch

TAKT = os.environ.get("TAKT") or os.path.join(os.path.dirname(taktharness.TAKTD), "takt")

CLOCK = re.compile(r"^\d\d:\d\d:\d\d$")


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAKT_")}
    env.update(extra)
    return env


def sanitizer_text(err):
    return "ERROR: AddressSanitizer" in err or "ERROR: LeakSanitizer" in err \
        or "runtime error:" in err


class ClientTest(unittest.TestCase):

    def setUp(self):
        self.d = Daemon(make_config(
            stages=[("main", "Main Hall", [pitch("a"), pitch("b"), pitch("c")]),
                    ("side", "Side Room", [pitch("x", "Xylo AG")])],
            timing=dict(pitch="60s", warning="10s", danger="5s", grace="5s",
                        on_time_up="none")))
        self.addCleanup(self.d.cleanup)
        self.d.start()

    def takt(self, *args, token=None, server=None, env=None, timeout=20):
        """Runs takt; token is a role/attendee name or a raw token."""
        e = clean_env(TAKT_SERVER=server or "http://127.0.0.1:%d" % self.d.port)
        if token is not None:
            e["TAKT_TOKEN"] = self.d._resolve(token)
        if env:
            e.update(env)
        p = subprocess.run([TAKT] + list(args), env=e, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        self.assertFalse(sanitizer_text(err), err)
        return p.returncode, out, err

    def ok(self, *args, **kw):
        rc, out, err = self.takt(*args, **kw)
        self.assertEqual(rc, 0, "takt %s -> %d\n%s%s" % (" ".join(args), rc, out, err))
        return out

    def refused(self, args, message=None, **kw):
        rc, out, err = self.takt(*args, **kw)
        self.assertEqual(rc, 1, "takt %s -> %d\n%s%s" % (" ".join(args), rc, out, err))
        self.assertTrue(err.startswith("takt: "), err)
        if message is not None:
            self.assertIn(message, err)
        return err

    def usage(self, *args, **kw):
        rc, out, err = self.takt(*args, **kw)
        self.assertEqual(rc, 2, "takt %s -> %d\n%s%s" % (" ".join(args), rc, out, err))
        self.assertNotEqual(err.strip(), "")
        return err

    def server_message(self, method, path, body=None, token=None):
        st, _, data = self.d.request(method, path, body=body, token=token)
        self.assertGreaterEqual(st, 400)
        return data["error"]["message"]

    # -- help and usage

    def test_help(self):
        out = self.ok("--help")
        for c in ("status", "agenda", "watch", "console", "start", "pause", "resume",
                  "next", "previous", "stop", "skip", "goto", "extend", "message",
                  "blackout", "checkin", "checkout", "interest", "report", "reload"):
            self.assertRegex(out, r"(?m)^  %s\b" % c)
        out = self.ok("extend", "--help")
        self.assertIn("extend [+|-]SECONDS", out)
        self.assertIn("token", out)
        self.assertIn("usage: takt", self.ok("report", "--help"))

    def test_usage_errors(self):
        self.usage()
        self.assertIn("unknown command", self.usage("frobnicate"))
        self.usage("--bogus", "status")
        self.usage("--server")
        self.assertIn("needs a token", self.usage("start"))
        for args in (("extend",), ("extend", "abc"), ("extend", "1", "2"),
                     ("goto",), ("blackout", "maybe"), ("message",),
                     ("message", "a", "b"), ("message", "--clear", "x"),
                     ("next", "--bogus"), ("pause", "extra"),
                     ("report",), ("report", "timing", "--format", "pdf"),
                     ("report", "../x"), ("interest", "a", "--level", "hot"),
                     ("checkin",), ("interest",)):
            err = self.usage(*args, token="organiser")
            self.assertIn("usage: takt %s" % args[0], err)
        self.usage("status", "extra")
        self.usage("watch", "--seconds", "x")
        self.usage("--server", "ftp://example.org", "status")
        self.usage("--token-file", "/nonexistent/token", "start")
        # the state did not change through any of these
        self.assertEqual(self.d.state()["mode"], "idle")

    def test_unreachable(self):
        url = "http://127.0.0.1:%d" % free_port()
        for args in (("status",), ("agenda",), ("--stage", "main", "start"),
                     ("--stage", "main", "watch", "--seconds", "2"), ("reload",)):
            rc, out, err = self.takt(*args, server=url, token="organiser")
            self.assertEqual(rc, 3, "%s -> %d %s" % (args, rc, err))
            self.assertIn("cannot reach the server", err)

    # -- reads

    def test_status_and_agenda(self):
        out = self.ok("status")
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertRegex(lines[0], r"^main  idle  none  -  0:00  delay [+-]\d+:\d\d")
        self.assertTrue(lines[1].startswith("side  idle  none"), out)
        side = lines[1].split("delay")[0]
        for out in (self.ok("--stage", "side", "status"),
                    self.ok("status", env={"TAKT_STAGE": "side"})):
            self.assertEqual(len(out.splitlines()), 1, out)
            self.assertEqual(out.split("delay")[0], side)
        docs = [json.loads(l) for l in self.ok("--json", "status").splitlines()]
        self.assertEqual([d["stage"] for d in docs], ["main", "side"])
        self.assertEqual(docs[0]["mode"], "idle")
        self.refused(("--stage", "nowhere", "status"),
                     self.server_message("GET", "/api/v1/stages/nowhere/state"))

        out = self.ok("agenda")
        lines = out.splitlines()
        self.assertIn("Integration Test Event", lines[0])
        self.assertIn("Europe/Berlin", lines[0])
        self.assertRegex(lines[1], r"#\s+ID\s+START-UP\s+STATUS\s+PLANNED\s+PROJECTED\s+ACTUAL\s+LENGTH")
        rows = [l.split() for l in lines[2:]]
        self.assertEqual([r[1] for r in rows], ["a", "b", "c"])
        self.assertEqual(rows[0][2:4], ["Startup", "A"])
        self.assertEqual(rows[0][4], "planned")
        self.assertRegex(rows[0][5], CLOCK)
        self.assertRegex(rows[0][6], CLOCK)
        self.assertEqual(rows[0][7], "-")
        self.assertEqual(rows[0][8], "1:00")
        # planned times are the event's local time (Europe/Berlin), start 00:00
        self.assertEqual([r[5] for r in rows], ["00:00:00", "00:01:00", "00:02:00"])
        side = self.ok("--stage", "side", "agenda")
        self.assertIn("Xylo AG", side)
        ev = json.loads(self.ok("--json", "agenda"))
        self.assertEqual([s["id"] for s in ev["stages"]], ["main", "side"])

        self.ok("start", token="moderator")
        rows = [l.split() for l in self.ok("agenda").splitlines()[2:]]
        self.assertEqual(rows[0][4], "live")
        self.assertRegex(rows[0][7], CLOCK)

    # -- actions

    def test_actions(self):
        out = self.ok("start", token="moderator")
        self.assertRegex(out, r"^main  running  normal  #1 a \(Startup A\)  (1:00|0:59)  delay")
        self.assertEqual(self.d.state()["mode"], "running")
        err = self.refused(("start",), token="moderator")
        self.assertIn(self.server_message("POST", "/api/v1/stages/main/start",
                                          token="moderator"), err)
        self.assertIn("paused", self.ok("pause", token="moderator"))
        self.assertEqual(self.d.state()["mode"], "paused")
        self.assertIn("running", self.ok("resume", token="organiser"))
        snap = json.loads(self.ok("--json", "extend", "+30", token="moderator"))
        self.assertEqual(snap["added_ms"], 30000)
        self.ok("extend", "-10", token="moderator")
        self.ok("extend", "--", "-5", token="moderator")
        self.assertEqual(self.d.state()["added_ms"], 15000)
        self.refused(("extend", "5000"), "3600", token="moderator")
        self.assertIn("#2 b", self.ok("next", token="moderator"))
        self.assertEqual(self.d.state()["mode"], "ready")
        self.assertIn("running  normal  #3 c", self.ok("next", "--start", token="moderator"))
        self.assertIn("#2 b", self.ok("previous", token="moderator"))
        self.assertIn("ready", self.ok("goto", "a", token="moderator"))
        self.assertEqual(self.d.state()["pitch"]["id"], "a")
        self.refused(("goto", "nosuch"),
                     self.server_message("POST", "/api/v1/stages/main/goto",
                                         {"pitch": "nosuch"}, "moderator"),
                     token="moderator")
        self.assertIn("#2 b", self.ok("skip", token="moderator"))
        self.assertEqual(self.d.slots()["a"]["status"], "skipped")
        self.ok("start", "b", token="moderator")
        self.assertIn("idle", self.ok("stop", token="moderator"))
        self.assertEqual(self.d.state()["mode"], "idle")
        self.refused(("stop",), token="moderator")

        out = self.ok("message", "Bitte zum Schluss kommen", "--blink", token="moderator")
        self.assertIn('message "Bitte zum Schluss kommen" (blink)', out)
        m = self.d.state()["message"]
        self.assertEqual((m["text"], m["visible"], m["blink"]),
                         ("Bitte zum Schluss kommen", True, True))
        self.refused(("message", "x" * 300), token="moderator")
        self.ok("message", "--clear", token="moderator")
        self.assertFalse(self.d.state()["message"]["visible"])
        self.assertIn("blackout", self.ok("blackout", "on", token="moderator"))
        self.assertTrue(self.d.state()["blackout"])
        self.ok("blackout", "off", token="moderator")
        self.assertFalse(self.d.state()["blackout"])

        self.ok("--stage", "side", "skip", "x", token="moderator")
        self.assertEqual(self.d.slots("side")["x"]["status"], "skipped")
        self.assertEqual(self.d.slots("main")["c"]["status"], "done")

    def test_wrong_token_and_role(self):
        msg = self.server_message("POST", "/api/v1/stages/main/start", token="not-a-token")
        err = self.refused(("start",), token="not-a-token")
        self.assertEqual(err.strip(), "takt: " + msg)
        self.assertNotRegex(err, r"\b401\b")
        msg = self.server_message("POST", "/api/v1/stages/main/start", token="ott")
        err = self.refused(("start",), token="ott")
        self.assertEqual(err.strip(), "takt: " + msg)
        self.refused(("report", "timing"), token="moderator")
        self.assertEqual(self.d.state()["mode"], "idle")

    def test_token_sources(self):
        path = os.path.join(self.d.dir, "tok")
        with open(path, "w") as f:
            f.write(self.d.token("moderator") + "\n")
        self.ok("--token-file", path, "start")
        self.assertEqual(self.d.state()["mode"], "running")
        self.ok("--token", self.d.token("moderator"), "pause")
        self.assertEqual(self.d.state()["mode"], "paused")
        # --token wins over TAKT_TOKEN
        self.ok("--token", self.d.token("moderator"), "resume", token="bogus")

    # -- people

    def test_checkin_interest(self):
        self.assertEqual(self.ok("checkin", "ott", token="moderator").split()[:3],
                         ["ott", "checked", "in"])
        self.assertIn("already", self.ok("checkin", "ott", token="moderator"))
        self.assertTrue(json.loads(self.ok("--json", "checkin", "lund", token="lund"))["checked_in"])
        self.refused(("checkin", "ott"), token="lund")
        self.refused(("checkin", "nobody"), token="moderator")
        self.assertIn("checked out", self.ok("checkout", "ott", token="moderator"))

        out = self.ok("interest", "a", "--level", "info", "--note", "call me", token="ott")
        self.assertIn("ott: info for a", out)
        st, _, me = self.d.request("GET", "/api/v1/me", token="ott")
        self.assertEqual(st, 200)
        self.assertIn("call me", json.dumps(me))
        self.assertIn("unchanged", self.ok("interest", "a", "--level", "info",
                                           "--note", "call me", token="ott"))
        self.assertIn("withdrawn", self.ok("interest", "a", "--delete", token="ott"))
        self.ok("interest", "b", "--attendee", "lund", token="organiser")
        self.assertIn("withdrawn", self.ok("interest", "b", "--delete", "--attendee",
                                           "lund", token="organiser"))
        self.refused(("interest", "a"), token="moderator")
        self.refused(("interest", "nosuch"), token="ott")

    # -- reports and reload

    def test_report_and_reload(self):
        self.ok("interest", "a", "--note", "=SUM(A1)", token="ott")
        out = self.ok("report", "followups", "--format", "csv", token="organiser")
        self.assertTrue(out.startswith("Pitch,") or "," in out.splitlines()[0], out)
        self.assertIn("'=SUM(A1)", out)
        js = json.loads(self.ok("report", "timing", token="organiser"))
        self.assertIsInstance(js, dict)
        path = os.path.join(self.d.dir, "interest.html")
        self.assertEqual(self.ok("report", "interest", "--format", "html", "-o", path,
                                 token="organiser"), "")
        with open(path, encoding="utf-8") as f:
            self.assertIn("<html", f.read().lower())
        missing = os.path.join(self.d.dir, "nope.json")
        self.refused(("report", "nosuch", "-o", missing), token="organiser")
        self.assertFalse(os.path.exists(missing))

        self.assertEqual(self.ok("reload", token="organiser").splitlines()[0], "reloaded")
        text = make_config(stages=[("main", "Main Hall", [pitch("a"), pitch("b"), pitch("d")]),
                                   ("side", "Side Room", [pitch("x", "Xylo AG")])],
                           timing=dict(pitch="60s", warning="10s", danger="5s",
                                       grace="5s", on_time_up="none"))
        self.d.write_config(text)
        out = self.ok("reload", token="organiser")
        self.assertIn("added: d", out)
        self.assertTrue(json.loads(self.ok("--json", "reload", token="organiser"))["reloaded"])
        self.d.write_config(text.replace("pitch: 60s", "pitch: 5 min"))
        err = self.refused(("reload",), token="organiser")
        self.assertIn("5 min", err)
        self.assertIn(".yaml:", err)


class WatchTest(unittest.TestCase):
    """takt watch into a file: one line per tick, across a daemon restart."""

    def test_watch_file_survives_restart(self):
        port = free_port()
        d = Daemon(make_config(timing=dict(pitch="60s", warning="10s", danger="5s",
                                           grace="5s", on_time_up="none"),
                               listen="127.0.0.1:%d" % port))
        self.addCleanup(d.cleanup)
        d.start(listen="127.0.0.1:%d" % port)
        d.ok("start")
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        self.addCleanup(out.close)
        self.addCleanup(err.close)
        env = clean_env(TAKT_SERVER="http://127.0.0.1:%d" % port)
        p = subprocess.Popen([TAKT, "watch", "--seconds", "9"], env=env,
                             stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        time.sleep(3.2)
        d.kill()
        time.sleep(0.3)
        d.start(listen="127.0.0.1:%d" % port)
        self.assertEqual(d.state()["mode"], "running")
        rc = p.wait(timeout=20)
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        etext = err.read().decode()
        self.assertFalse(sanitizer_text(etext), etext)
        self.assertEqual(rc, 0, text + etext)
        self.assertIn("stream lost", etext)
        lines = [l for l in text.splitlines() if l]
        rem = []
        for l in lines:
            m = re.match(r"^main  running  (\w+)  #1 a \(Startup A\)  (\d+):(\d\d)  delay ", l)
            self.assertIsNotNone(m, "unexpected line %r in\n%s" % (l, text))
            rem.append(int(m.group(2)) * 60 + int(m.group(3)))
        # one line per second, counting down, continuing after the restart
        self.assertGreaterEqual(len(rem), 7, text)
        self.assertEqual(rem, sorted(rem, reverse=True), text)
        self.assertGreaterEqual(rem[0] - rem[-1], 7, text)
        distinct = sorted(set(rem), reverse=True)
        self.assertGreaterEqual(len(distinct), 7, text)
        self.assertLessEqual(len(rem) - len(distinct), 2, text)

    def test_watch_unknown_stage(self):
        d = Daemon(make_config())
        self.addCleanup(d.cleanup)
        d.start()
        p = subprocess.run([TAKT, "--stage", "nowhere", "watch", "--seconds", "3"],
                           env=clean_env(TAKT_SERVER="http://127.0.0.1:%d" % d.port),
                           capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("nowhere", p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
