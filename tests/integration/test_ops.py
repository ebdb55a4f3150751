"""Operations (SPEC §1, §8): --check-config, refusing a broken config,
tokens file and --issue-tokens, SIGTERM/SIGINT, SIGHUP and POST /reload."""

import json
import os
import re
import signal
import socket
import stat
import time
import unittest

from taktharness import (Daemon, DEFAULT_ATTENDEES, SseClient, TODAY, error_body_ok,
                         make_config, pitch)

STREAM = "/api/v1/stages/main/stream"


def line_of(text, needle):
    """1-based line number of the first line containing needle."""
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError("%r not in config" % needle)


BROKEN = """event:
  title: "Broken"
  date: %s
  timezone: Europe/Berlin
  colour: blue
timing:
  pitch: 5 min
  warning: 60s
stages:
  - id: main
    name: Main
    start: "14:00"
    pitches:
      - id: Bad_ID!
        startup: X GmbH
server:
  database: takt.db
""" % TODAY
# (line, key must end with, message must mention)
BROKEN_ERRORS = [(5, "colour", None), (7, "pitch", "5 min"), (14, "id", "Bad_ID!")]


class OpsTest(unittest.TestCase):

    def daemon(self, text=None):
        d = Daemon(text if text is not None else make_config())
        self.addCleanup(d.cleanup)
        return d

    def error_lines(self, path, stderr):
        """Parses `file:line:column: key: message` lines for path."""
        out = []
        pat = re.compile(r"^%s:(\d+):(\d+): ([^:]+): (.+)$" % re.escape(path))
        for line in stderr.splitlines():
            m = pat.match(line.strip())
            if m:
                out.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)))
        return out

    def assertErrorsName(self, path, stderr, expected):
        errs = self.error_lines(path, stderr)
        self.assertTrue(errs, "no file:line:column: key: message lines in:\n%s" % stderr)
        for line, key, mention in expected:
            hits = [e for e in errs if e[0] == line and e[2].strip().endswith(key)]
            self.assertTrue(hits, "no error at line %d for key *%s in:\n%s" % (line, key, stderr))
            self.assertGreaterEqual(hits[0][1], 1, "column must be 1-based: %r" % (hits[0],))
            if mention:
                self.assertIn(mention, hits[0][3], hits[0])

    # ------------------------------------------------------------------

    def test_check_config(self):
        d = self.daemon()
        rc, out, err = d.run_tool(["--check-config", d.config_path])
        self.assertEqual(rc, 0, "good config: rc %s, stderr:\n%s" % (rc, err))
        self.assertNotRegex(err, r":\d+:\d+: ", "good config printed errors")
        self.assertFalse(os.path.exists(d.db_path), "--check-config created the database")

        example = os.path.join(os.environ.get("TAKT_SOURCE", "../.."), "config", "example.yaml")
        if os.path.exists(example):
            with self.subTest(config="config/example.yaml"):
                rc, out, err = d.run_tool(["--check-config", os.path.abspath(example)])
                self.assertEqual(rc, 0, err)

        bad = os.path.join(d.dir, "broken.yaml")
        d.write_config(BROKEN, path=bad)
        rc, out, err = d.run_tool(["--check-config", bad])
        self.assertEqual(rc, 1, "broken config: rc %s" % rc)
        self.assertErrorsName(bad, err, BROKEN_ERRORS)

        # one error at a time: each is found and named
        base = make_config(stages=[("main", "Main", [pitch("a"), pitch("b")])])
        cases = [
            ("unknown top-level key", base + "extra: 1\n", "extra: 1", "extra"),
            ("unknown pitch key", base.replace('- id: "b"', '- id: "b"\n        colour: red'),
             "colour: red", "colour"),
            ("bad duration", base.replace("pitch: 3s", "pitch: 5 min"), "pitch: 5 min", "pitch"),
            ("bad duration fraction", base.replace("warning: 2s", "warning: 1.5s"), "warning: 1.5s", "warning"),
            ("bad pitch id", base.replace('- id: "b"', '- id: "B b"'), 'id: "B b"', "id"),
            ("long pitch id", base.replace('- id: "b"', '- id: "%s"' % ("x" * 41)), "x" * 41, "id"),
            ("duplicate pitch id", base.replace('- id: "b"', '- id: "a"'), None, "id"),
            ("bad on_time_up", base.replace("on_time_up: next_start", "on_time_up: sometimes"),
             "on_time_up: sometimes", "on_time_up"),
            ("bad role", base.replace("role: guest", "role: boss"), "role: boss", "role"),
            ("bad language", base.replace("language: en", "language: fr"), "language: fr", "language"),
            ("bad start", base.replace('start: "00:00"', 'start: "25:00"'), 'start: "25:00"', "start"),
            ("bad date", base.replace("date: %s" % TODAY, "date: 2026-13-45"), "date: 2026-13-45", "date"),
        ]
        for name, text, needle, key in cases:
            with self.subTest(case=name):
                self.assertNotEqual(text, base, "case did not change the config")
                p = os.path.join(d.dir, "case.yaml")
                d.write_config(text, path=p)
                rc, out, err = d.run_tool(["--check-config", p])
                self.assertEqual(rc, 1, "%s: rc %s stderr %s" % (name, rc, err))
                if needle is None:
                    errs = self.error_lines(p, err)
                    self.assertTrue(any(e[2].strip().endswith(key) for e in errs), err)
                else:
                    self.assertErrorsName(p, err, [(line_of(text, needle), key, None)])

    def test_refuses_broken_config(self):
        d = self.daemon(BROKEN)
        d.start(wait=False)
        rc = d.wait(5)
        self.assertIsNotNone(rc, "taktd kept running on a broken config")
        self.assertNotEqual(rc, 0)
        time.sleep(0.1)
        log = d.log_text(200)
        self.assertNotIn("listening on", log)
        self.assertErrorsName(d.config_path, "\n".join(l[2:] for l in d.log if l[:2] == "E "),
                              BROKEN_ERRORS)

    def test_tokens(self):
        d = self.daemon()
        d.start()
        # -- the tokens file
        self.assertTrue(os.path.exists(d.tokens_path), "no %s" % d.tokens_path)
        mode = stat.S_IMODE(os.stat(d.tokens_path).st_mode)
        self.assertEqual(mode, 0o600, "tokens file mode %o" % mode)
        with open(d.tokens_path) as f:
            lines = [l.split() for l in f.read().splitlines() if l.strip()]
        for l in lines:
            self.assertEqual(len(l), 3, l)
        kinds = {(l[0], l[1]) for l in lines}
        want = {("organiser", "-"), ("moderator", "-")} | {("attendee", a["id"]) for a in DEFAULT_ATTENDEES}
        self.assertEqual(kinds, want)
        toks = [l[2] for l in lines]
        self.assertEqual(len(set(toks)), len(toks), "tokens not unique")
        for t in toks:
            self.assertGreaterEqual(len(t), 22, "token %r too short for 128 bits" % t)
        # shown once: the log names the file, never the tokens
        log = d.log_text(500)
        self.assertIn(d.tokens_path.split("/")[-1], log, "log does not name the tokens file")
        for t in toks:
            self.assertNotIn(t, log, "a token was logged")
        # stored only as hashes
        for table in d.db_tables():
            for row in d.db_query("SELECT * FROM \"%s\"" % table):
                for v in row.values():
                    if isinstance(v, (str, bytes)):
                        s = v if isinstance(v, str) else v.decode("latin-1")
                        for t in toks:
                            self.assertNotIn(t, s, "plain token stored in table %s" % table)

        old = d.read_tokens()
        st, _, data = d.request("POST", "/api/v1/reload", token=old["organiser"])
        self.assertEqual(st, 200, data)
        # an attendee token is valid (403 on a moderator action, not 401)
        st, _, data = d.request("POST", "/api/v1/stages/main/blackout", body={"on": False},
                                token=old["attendee"]["ott"])
        self.assertEqual(st, 403, data)

        # -- rotate the organiser token (daemon stopped)
        rc, took = d.stop()
        self.assertEqual(rc, 0)
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens", "organiser"])
        self.assertEqual(rc, 0, err)
        out_lines = [l.split() for l in out.splitlines() if l.strip()]
        self.assertEqual(len(out_lines), 1, out)
        self.assertEqual(out_lines[0][:2], ["organiser", "-"])
        new_org = out_lines[0][2]
        self.assertNotEqual(new_org, old["organiser"])

        # -- rotate moderator and one attendee in one go
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens", "moderator", "ott"])
        self.assertEqual(rc, 0, err)
        got = {(l.split()[0], l.split()[1]): l.split()[2] for l in out.splitlines() if l.strip()}
        self.assertEqual(set(got), {("moderator", "-"), ("attendee", "ott")}, out)
        new_mod = got[("moderator", "-")]
        new_ott = got[("attendee", "ott")]

        # -- an unknown subject is an error
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens", "nobody"])
        self.assertNotEqual(rc, 0, "issue-tokens for an unknown id: %s %s" % (out, err))

        d.start()
        cases = [
            ("old organiser", "POST", "/api/v1/reload", old["organiser"], 401),
            ("new organiser", "POST", "/api/v1/reload", new_org, 200),
            ("old moderator", "POST", "/api/v1/stages/main/blackout", old["moderator"], 401),
            ("new moderator", "POST", "/api/v1/stages/main/blackout", new_mod, 200),
            # attendee tokens: valid ones are 403 on a moderator action, stale ones 401
            ("old ott", "POST", "/api/v1/stages/main/blackout", old["attendee"]["ott"], 401),
            ("new ott", "POST", "/api/v1/stages/main/blackout", new_ott, 403),
            ("unrotated lund", "POST", "/api/v1/stages/main/blackout", old["attendee"]["lund"], 403),
        ]
        for name, method, path, tok, want_st in cases:
            with self.subTest(token=name):
                body = {"on": False} if path.endswith("blackout") else None
                st, _, data = d.request(method, path, body=body, token=tok)
                self.assertEqual(st, want_st, "%s: %s %r" % (name, st, data))
                if want_st >= 400:
                    self.assertTrue(error_body_ok(data), data)

    def test_issue_tokens_while_running(self):
        """Rotation is immediate: the running daemon stops taking the old token."""
        d = self.daemon()
        d.start()
        old = d.read_tokens()
        self.assertEqual(d.action("blackout", {"on": False}, token=old["moderator"])[0], 200)
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens", "moderator"])
        self.assertEqual(rc, 0, err)
        new = out.split()[2]
        st, data = d.action("blackout", {"on": False}, token=old["moderator"])
        self.assertEqual(st, 401, "old moderator token still works on the running daemon: %r" % (data,))
        st, data = d.action("blackout", {"on": False}, token=new)
        self.assertEqual(st, 200, data)
        # all of them (none named): 2 role tokens and every attendee
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens"])
        self.assertEqual(rc, 0, err)
        kinds = sorted((l.split()[0], l.split()[1]) for l in out.splitlines() if l.strip())
        self.assertEqual(kinds, sorted([("organiser", "-"), ("moderator", "-")]
                                       + [("attendee", a["id"]) for a in DEFAULT_ATTENDEES]))
        st, data = d.action("blackout", {"on": False}, token=new)
        self.assertEqual(st, 401, "moderator token of the previous rotation still works")

    def test_upgrades_schema_1_database(self):
        """A database from before schema 2 (no tokens counter) is migrated on
        start, keeps its tokens and data, and rotation still reaches the
        running daemon."""
        d = self.daemon()
        d.start()
        tok = d.read_tokens()
        self.assertEqual(d.action("blackout", {"on": True}, token=tok["moderator"])[0], 200)
        rc, _ = d.stop()
        self.assertEqual(rc, 0)
        import sqlite3
        con = sqlite3.connect(d.db_path)
        for trig in ("insert", "update", "delete"):
            con.execute("DROP TRIGGER tokens_version_%s" % trig)
        con.execute("DROP TABLE tokens_version")
        con.execute("PRAGMA user_version = 1")
        con.commit()
        con.close()
        d.start()
        self.assertGreaterEqual(d.db_query("PRAGMA user_version")[0]["user_version"], 2)
        st, _, state = d.request("GET", "/api/v1/stages/main/state")
        self.assertEqual(st, 200)
        self.assertTrue(state["blackout"], "the blackout set before the upgrade is lost")
        st, data = d.action("blackout", {"on": False}, token=tok["moderator"])
        self.assertEqual(st, 200, "the moderator token did not survive the upgrade: %r" % (data,))
        rc, out, err = d.run_tool(["--config", d.config_path, "--issue-tokens", "moderator"])
        self.assertEqual(rc, 0, err)
        st, data = d.action("blackout", {"on": False}, token=tok["moderator"])
        self.assertEqual(st, 401, "rotation after the upgrade not seen: %r" % (data,))
        st, data = d.action("blackout", {"on": False}, token=out.split()[2])
        self.assertEqual(st, 200, data)

    def test_refuses_newer_database(self):
        d = self.daemon()
        d.start()
        rc, _ = d.stop()
        self.assertEqual(rc, 0)
        version = d.db_query("PRAGMA user_version")[0]["user_version"]
        self.assertGreaterEqual(version, 1)
        import sqlite3
        con = sqlite3.connect(d.db_path)
        con.execute("PRAGMA user_version = %d" % (version + 100))
        con.commit()
        con.close()
        d.start(wait=False)
        rc = d.wait(5)
        self.assertIsNotNone(rc, "taktd runs on a database newer than itself")
        self.assertNotEqual(rc, 0)
        time.sleep(0.1)
        log = d.last_run_log()
        self.assertNotIn("listening on", log)
        self.assertIn("newer", log, "the refusal should say why")

    def test_sigterm_and_sigint(self):
        d = self.daemon()
        d.start()
        sse = SseClient(d.port, STREAM)
        self.addCleanup(sse.close)
        first = sse.wait_for("state", timeout=3)
        self.assertEqual(first.data["mode"], "idle")
        time.sleep(0.2)
        mark = sse.mark()
        port = d.port
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(3)
        took = time.monotonic() - t0
        self.assertIsNotNone(rc, "still running 3 s after SIGTERM")
        self.assertEqual(rc, 0, "exit code after SIGTERM")
        self.assertLess(took, 2.0, "SIGTERM took %.2f s" % took)
        self.assertTrue(sse.wait_closed(2), "stream still open after exit")
        final = [e for e in sse.snapshot(since=mark) if e.event != ":comment"]
        self.assertTrue(final, "no final event on the stream before it closed")
        self.assertLessEqual(sse.closed_at - t0, 2.0)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()

        # restart: state survived a clean stop; SIGINT stops it the same way
        d.start()
        self.assertEqual(d.state()["mode"], "idle")
        rc, took = d.stop(signal.SIGINT, timeout=3)
        self.assertEqual(rc, 0, "exit code after SIGINT")
        self.assertLess(took, 2.0)

    def test_reload(self):
        t = dict(pitch="30s", warning="5s", danger="2s", grace="5s", on_time_up="none")
        v1 = make_config(stages=[("main", "Main Hall", [pitch("a"), pitch("b"), pitch("c"), pitch("x")])],
                         timing=t)
        v2 = make_config(stages=[("main", "Main Hall", [pitch("b"), pitch("c", startup="C Renamed"),
                                                        pitch("d")])], timing=t)
        v3 = v2.replace("pitch: 30s", "pitch: 5 min").replace('startup: "Startup D"',
                                                                'startup: "Startup D"\n        bogus: 1')
        v4 = make_config(stages=[("main", "Main Hall", [pitch("b"), pitch("c", startup="C Renamed"),
                                                        pitch("d"), pitch("e")])], timing=t)
        d = self.daemon(v1)
        d.start()
        sse = SseClient(d.port, STREAM)
        self.addCleanup(sse.close)
        d.ok("start")
        time.sleep(0.3)
        snap = d.ok("next", {"start": True})     # a done (ledger data), b live
        self.assertEqual(snap["pitch"]["id"], "b")
        deadline = snap["deadline_ms"]

        # -- SIGHUP with a pitch added, one changed, one removed with data, one without
        d.write_config(v2)
        d.signal(signal.SIGHUP)
        end = time.monotonic() + 3
        slots = d.slots()
        while "d" not in slots and time.monotonic() < end:
            time.sleep(0.1)
            slots = d.slots()
        self.assertIn("d", slots, "added pitch not in the agenda after SIGHUP")
        self.assertEqual(slots["d"]["status"], "planned")
        self.assertEqual(slots["c"]["startup"], "C Renamed")
        self.assertIn("a", slots, "a removed pitch with ledger data must stay (withdrawn)")
        self.assertEqual(slots["a"]["status"], "withdrawn")
        self.assertNotIn("x", slots, "a removed pitch without data should disappear")
        self.assertEqual(slots["b"]["status"], "live")
        self.assertIsNotNone(slots["b"]["actual_start_ms"])
        st = d.state()
        self.assertEqual(st["mode"], "running", "the live slot must keep running")
        self.assertEqual(st["pitch"]["id"], "b")
        self.assertLessEqual(abs(st["deadline_ms"] - deadline), 5)
        self.assertEqual(st["next"]["id"], "c")
        self.assertTrue(d.running())

        # -- POST /reload with a broken config: 4xx with the errors, old config kept
        d.write_config(v3)
        st_code, _, data = d.request("POST", "/api/v1/reload", token="organiser")
        self.assertTrue(400 <= st_code < 500, "broken reload: %s %r" % (st_code, data))
        self.assertTrue(error_body_ok(data), data)
        text = json.dumps(data)
        self.assertIn("timing.pitch", text, "reload error does not name timing.pitch: %s" % text)
        self.assertIn("bogus", text, "reload error does not name the unknown key: %s" % text)
        self.assertRegex(text, r":%d:\d+: " % line_of(v3, "pitch: 5 min"))
        self.assertTrue(d.running(), "daemon died on a broken reload")
        st = d.state()
        self.assertEqual(st["mode"], "running")
        self.assertEqual(st["pitch"]["id"], "b")
        self.assertLessEqual(abs(st["deadline_ms"] - deadline), 5)
        self.assertEqual(st["duration_ms"], 30000)
        slots = d.slots()
        self.assertEqual(sorted(slots), ["a", "b", "c", "d"])
        self.assertEqual(slots["d"]["length_ms"], 30000, "broken config partly applied")

        # -- SIGHUP with the broken config: logged, kept running
        d.signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertTrue(d.running(), "daemon died on SIGHUP with a broken config")
        self.assertEqual(d.state()["mode"], "running")
        self.assertEqual(sorted(d.slots()), ["a", "b", "c", "d"])

        # -- POST /reload with a good config: answers with what changed
        d.write_config(v4)
        st_code, _, data = d.request("POST", "/api/v1/reload", token="organiser")
        self.assertEqual(st_code, 200, data)
        self.assertIsInstance(data, dict)
        self.assertIn('"e"', json.dumps(data), "reload answer does not mention the added pitch: %r" % data)
        slots = d.slots()
        self.assertEqual(slots["e"]["status"], "planned")
        st = d.state()
        self.assertEqual(st["mode"], "running")
        self.assertEqual(st["pitch"]["id"], "b")
        self.assertLessEqual(abs(st["deadline_ms"] - deadline), 5)

        # reloading an unchanged config changes nothing, so seq stays
        seq = d.state()["seq"]
        st_code, _, data = d.request("POST", "/api/v1/reload", token="organiser")
        self.assertEqual(st_code, 200, data)
        self.assertNotIn('"e"', json.dumps(data), "an unchanged reload reports changes: %r" % data)
        self.assertEqual(d.state()["seq"], seq, "a reload that changed nothing bumped seq (and pushed a state event)")

        # the stream never saw b stop
        for e in sse.snapshot("state"):
            if (e.data.get("pitch") or {}).get("id") == "b" and e.data["seq"] >= snap["seq"]:
                self.assertEqual(e.data["mode"], "running", e)


if __name__ == "__main__":
    unittest.main()
