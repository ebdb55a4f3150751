"""HTTP API errors, auth and public endpoints (SPEC §3 actions, §4)."""

import json
import re
import time
import unittest

from taktharness import (Daemon, DEFAULT_ATTENDEES, error_body_ok, make_config, now_ms, pitch)

ACTIONS = ("start", "pause", "resume", "extend", "next", "previous", "goto", "skip",
           "stop", "message", "blackout")

# a body that is valid for each action (so only auth decides)
VALID_BODY = {
    "extend": {"seconds": 30},
    "goto": {"pitch": "b"},
    "message": {"text": "Hello", "visible": True, "blink": False},
    "blackout": {"on": False},
}


class ApiErrorsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        pitches = [pitch("a", contact="team-a@startup.example"), pitch("b"), pitch("c")]
        cls.d = Daemon(make_config(stages=[("main", "Main Hall", pitches)],
                                   timing=dict(pitch="60s", warning="20s", danger="10s",
                                               grace="10s", on_time_up="none")))
        try:
            cls.d.start()
        except BaseException:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def assertError(self, status, data, want, what=""):
        self.assertEqual(status, want, "%s: got %s %r" % (what, status, data))
        self.assertTrue(error_body_ok(data), "%s: error body %r" % (what, data))

    def reset(self):
        """Stops whatever is live so the shared daemon is not running."""
        st = self.d.state()
        if st["mode"] in ("running", "paused"):
            self.d.ok("stop")

    # ------------------------------------------------------------------

    def test_01_auth(self):
        d = self.d
        for action in ACTIONS:
            body = VALID_BODY.get(action)
            with self.subTest(action=action, token="none"):
                st, data = d.action(action, body, token=None)
                self.assertError(st, data, 401, "%s without token" % action)
            with self.subTest(action=action, token="bad"):
                st, data = d.action(action, body, token="not-a-real-token-0123456789abcdef")
                self.assertError(st, data, 401, "%s with a bad token" % action)
            with self.subTest(action=action, token="attendee"):
                st, data = d.action(action, body, token="ott")
                self.assertError(st, data, 403, "%s as attendee" % action)
        self.assertEqual(d.state()["mode"], "idle", "refused actions changed the state")
        # malformed Authorization headers are 401 too
        for hdr in ("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer%s" % d.token("moderator"),
                    "Bearer %sx" % d.token("moderator")):
            with self.subTest(authorization=hdr):
                st, _, data = d.request("POST", "/api/v1/stages/main/pause",
                                        headers={"Authorization": hdr})
                self.assertError(st, data, 401, "Authorization: %r" % hdr)
        # organiser-only
        st, _, data = d.request("POST", "/api/v1/reload", token="moderator")
        self.assertError(st, data, 403, "reload as moderator")
        st, _, data = d.request("POST", "/api/v1/reload", token="ott")
        self.assertError(st, data, 403, "reload as attendee")
        st, _, data = d.request("POST", "/api/v1/reload")
        self.assertError(st, data, 401, "reload without token")

    def test_02_roles_allowed(self):
        d = self.d
        self.reset()
        # every action as moderator and as organiser: never 401/403
        for who in ("moderator", "organiser"):
            for action in ACTIONS:
                with self.subTest(action=action, token=who):
                    st, data = d.action(action, VALID_BODY.get(action), token=who)
                    self.assertNotIn(st, (401, 403), "%s as %s: %s %r" % (action, who, st, data))
                    self.assertIn(st, (200, 409), "%s as %s: %s %r" % (action, who, st, data))
                    if st == 200:
                        self.assertEqual(data["stage"], "main")
                        self.assertIn("seq", data)
                    else:
                        self.assertTrue(error_body_ok(data), data)
        self.reset()

    def test_03_wrong_mode(self):
        d = self.d
        # a fresh daemon for a clean idle with nothing loaded before
        fresh = Daemon(make_config(timing=dict(pitch="60s", warning="20s", danger="10s",
                                               grace="10s", on_time_up="none")))
        self.addCleanup(fresh.cleanup)
        fresh.start()
        d = fresh
        self.assertEqual(d.state()["mode"], "idle")
        for action, body in (("pause", None), ("resume", None), ("extend", {"seconds": 30}),
                             ("stop", None), ("previous", None)):
            with self.subTest(mode="idle", action=action):
                st, data = d.action(action, body)
                self.assertError(st, data, 409, "%s when idle" % action)
        # skip naming a slot that is not loaded only marks it skipped
        snap = d.ok("skip", {"pitch": "b"})
        self.assertEqual(snap["mode"], "idle")
        self.assertIsNone(snap["pitch"])
        self.assertEqual(snap["next"]["id"], "a")
        self.assertEqual(d.slots()["b"]["status"], "skipped")
        seq = d.state()["seq"]
        snap = d.ok("start")
        self.assertEqual((snap["mode"], snap["pitch"]["id"]), ("running", "a"))
        self.assertEqual(snap["seq"], seq + 1)
        self.assertEqual(snap["next"]["id"], "c", "b is skipped")
        for action, body in (("start", None), ("resume", None), ("previous", None),
                             ("goto", {"pitch": "a"}), ("start", {"pitch": "c"})):
            with self.subTest(mode="running", action=action, body=body):
                st, data = d.action(action, body)
                self.assertError(st, data, 409, "%s %r when running (first slot)" % (action, body))
        snap = d.ok("pause")
        for action, body in (("pause", None),):
            with self.subTest(mode="paused", action=action):
                st, data = d.action(action, body)
                self.assertError(st, data, 409, "%s when paused" % action)
        # extend works while paused
        snap = d.ok("extend", {"seconds": -5})
        self.assertEqual(snap["added_ms"], -5000)
        self.assertEqual(snap["mode"], "paused")
        self.assertEqual(snap["remaining_ms"], 55000 - snap["elapsed_ms"])
        # stop: the live slot ends (done), nothing loaded; stop again is 409
        snap = d.ok("stop")
        self.assertEqual(snap["mode"], "idle")
        self.assertIsNone(snap["pitch"])
        self.assertEqual(snap["phase"], "none")
        slots = d.slots()
        self.assertEqual(slots["a"]["status"], "done")
        self.assertIsNotNone(slots["a"]["actual_end_ms"])
        st, data = d.action("stop")
        self.assertError(st, data, 409, "stop when idle after a stop")
        # a later start takes the next planned slot (b is skipped)
        snap = d.ok("start")
        self.assertEqual((snap["mode"], snap["pitch"]["id"]), ("running", "c"))
        # skipping a done slot is 409
        st, data = d.action("skip", {"pitch": "a"})
        self.assertError(st, data, 409, "skip a done slot")
        # goto another slot ends the live one and loads the target (ready)
        snap = d.ok("goto", {"pitch": "a"})
        self.assertEqual((snap["mode"], snap["pitch"]["id"]), ("ready", "a"))
        slots = d.slots()
        self.assertEqual(slots["c"]["status"], "done")
        self.assertIsNotNone(slots["c"]["actual_end_ms"])
        # next from a: b skipped, c done: nothing planned is left
        snap = d.ok("next")
        self.assertEqual(snap["mode"], "finished")
        self.assertIsNone(snap["pitch"])
        self.assertIsNone(snap["next"])
        # from finished, previous loads the last slot; next finishes again
        snap = d.ok("previous")
        self.assertEqual((snap["mode"], snap["pitch"]["id"]), ("ready", "c"))
        snap = d.ok("next")
        self.assertEqual(snap["mode"], "finished")
        seq = snap["seq"]
        for action, body in (("next", None), ("pause", None), ("resume", None),
                             ("extend", {"seconds": 10}), ("stop", None)):
            with self.subTest(mode="finished", action=action):
                st, data = d.action(action, body)
                self.assertError(st, data, 409, "%s when finished" % action)
        self.assertEqual(d.state()["seq"], seq, "refused actions changed seq")
        # message and blackout work in any mode; missing fields keep their value
        snap = d.ok("message", {"text": "Pause bis 15 Uhr"})
        self.assertEqual(snap["message"], {"text": "Pause bis 15 Uhr", "visible": True, "blink": False})
        self.assertEqual(snap["seq"], seq + 1)
        snap = d.ok("message", {"blink": True})
        self.assertEqual(snap["message"], {"text": "Pause bis 15 Uhr", "visible": True, "blink": True})
        snap = d.ok("message", {"visible": False})
        self.assertEqual(snap["message"], {"text": "Pause bis 15 Uhr", "visible": False, "blink": True})
        snap = d.ok("blackout", {"on": True})
        self.assertTrue(snap["blackout"])
        self.assertTrue(d.state()["blackout"])
        # goto / start an unknown pitch
        st, data = d.action("goto", {"pitch": "nope"})
        self.assertError(st, data, 404, "goto unknown pitch")
        st, data = d.action("start", {"pitch": "nope"})
        self.assertError(st, data, 404, "start unknown pitch")
        # start naming a slot while nothing runs loads and starts it
        snap = d.ok("start", {"pitch": "b"})
        self.assertEqual((snap["mode"], snap["pitch"]["id"]), ("running", "b"))
        self.assertEqual(d.slots()["b"]["status"], "live")

    def test_04_bad_bodies(self):
        d = self.d
        self.reset()
        self.assertIn(d.state()["mode"], ("idle", "ready", "finished"))
        seq = d.state()["seq"]
        bad_extend = [0, 3601, -3601, "30", 1.5, None, True, [30], {"s": 1}, 1e10]
        for v in bad_extend:
            with self.subTest(extend=v):
                st, data = d.action("extend", {"seconds": v})
                self.assertError(st, data, 400, "extend %r when idle" % (v,))
        st, data = d.action("extend", {})
        self.assertError(st, data, 400, "extend without seconds")
        st, data = d.action("extend", None)
        self.assertError(st, data, 400, "extend without a body")
        # the boundary values are valid bodies: so 409 (idle), not 400
        for v in (3600, -3600, 1, -1):
            with self.subTest(extend_ok=v):
                st, data = d.action("extend", {"seconds": v})
                self.assertError(st, data, 409, "extend %r when idle" % v)

        malformed = ["{", "{\"seconds\":", "[1]", "\"x\"", "42", "null", "{\"seconds\":30}x",
                     "\xff\xfe"]
        for action in ("extend", "start", "pause", "message", "goto", "next"):
            for body in malformed:
                with self.subTest(action=action, body=body):
                    st, _, data = d.request("POST", "/api/v1/stages/main/%s" % action,
                                            raw_body=body.encode("latin-1"), token="moderator")
                    self.assertError(st, data, 400, "%s with body %r" % (action, body))
        unknown = [("extend", {"seconds": 30, "foo": 1}), ("start", {"pitch": "a", "x": 1}),
                   ("pause", {"x": 1}), ("message", {"text": "hi", "colour": "red"}),
                   ("next", {"start": True, "now": 1}), ("blackout", {"on": True, "off": False}),
                   ("goto", {"id": "a"}), ("skip", {"pitch": "a", "reason": "x"})]
        for action, body in unknown:
            with self.subTest(unknown_field=action):
                st, data = d.action(action, body)
                self.assertError(st, data, 400, "%s with unknown field %r" % (action, body))
        wrong_type = [("start", {"pitch": 1}), ("next", {"start": "yes"}), ("blackout", {"on": 1}),
                      ("message", {"text": 5}), ("message", {"visible": "true"}),
                      ("goto", {}), ("goto", {"pitch": None})]
        for action, body in wrong_type:
            with self.subTest(wrong_type=action, body=body):
                st, data = d.action(action, body)
                self.assertError(st, data, 400, "%s with %r" % (action, body))
        # message length: 280 code points is fine, 281 is not
        st, data = d.action("message", {"text": "ä" * 280})
        self.assertEqual(st, 200, data)
        self.assertEqual(data["message"]["text"], "ä" * 280)
        st, data = d.action("message", {"text": "x" * 281})
        self.assertError(st, data, 400, "message of 281 chars")
        self.assertEqual(d.state()["message"]["text"], "ä" * 280, "a refused message changed the text")
        d.ok("message", {"text": "", "visible": False})

    def test_05_limits_and_routes(self):
        d = self.d
        # body over 64 KiB
        big = json.dumps({"text": "x" * (70 * 1024)}).encode()
        req = (b"POST /api/v1/stages/main/message HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Authorization: Bearer " + d.token("moderator").encode() +
               b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(big)).encode() +
               b"\r\nConnection: close\r\n\r\n") + big
        st, _, data = d.raw_exchange(req)
        self.assertError(st, data, 413, "70 KiB body")
        # just under the limit is parsed (and refused as too long a message, 400)
        body = json.dumps({"text": "x" * (60 * 1024)})
        st, _, data = d.request("POST", "/api/v1/stages/main/message", body=body, token="moderator")
        self.assertError(st, data, 400, "60 KiB message")
        # headers over 8 KiB
        st, _, data = d.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                                     + b"y" * 9000 + b"\r\nConnection: close\r\n\r\n")
        self.assertIsNotNone(st, "no reply to 9 KiB of headers")
        self.assertTrue(400 <= st < 500, "9 KiB header: %s" % st)

        for method, path, token in (
                ("POST", "/api/v1/stages/nope/start", "moderator"),
                ("POST", "/api/v1/stages/nope/pause", "organiser"),
                ("GET", "/api/v1/stages/nope/state", None),
                ("GET", "/api/v1/stages/nope/stream", None),
                ("GET", "/api/v1/nothing", None),
                ("GET", "/api/v2/event", None),
                ("POST", "/api/v1/stages/main/dance", "moderator"),
                ("GET", "/api/v1/stages/main/start/extra", None)):
            with self.subTest(method=method, path=path):
                st, _, data = d.request(method, path, token=token)
                self.assertError(st, data, 404, "%s %s" % (method, path))
        st, data = d.action("goto", {"pitch": "zzz"})
        self.assertError(st, data, 404, "goto unknown pitch")
        st, data = d.action("skip", {"pitch": "zzz"})
        self.assertError(st, data, 404, "skip unknown pitch")
        # wrong method on a known path
        st, _, data = d.request("GET", "/api/v1/stages/main/start", token="moderator")
        self.assertIn(st, (404, 405), "GET on an action: %s %r" % (st, data))
        self.assertTrue(error_body_ok(data), data)

    def test_06_public_endpoints(self):
        d = self.d
        before = now_ms()
        st, hdrs, data = d.request("GET", "/api/v1/time")
        after = now_ms()
        self.assertEqual(st, 200, data)
        self.assertIn("application/json", hdrs.get("content-type", ""))
        self.assertTrue(before - 50 <= data["server_time_ms"] <= after + 50, (before, data, after))

        st, _, data = d.request("GET", "/healthz")
        self.assertEqual(st, 200, data)

        st, hdrs, text = d.request("GET", "/metrics")
        self.assertEqual(st, 200, text)
        self.assertTrue(hdrs.get("content-type", "").startswith("text/plain"), hdrs)
        self.assertIsInstance(text, str)
        sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                            r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*,?\})? '
                            r'(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN))(?: -?[0-9]+)?$')
        samples = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            if line.startswith("#"):
                self.assertRegex(line, r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* |^# ", line)
                continue
            self.assertRegex(line, sample)
            samples += 1
        self.assertGreater(samples, 0, "no samples in /metrics")

        emails = [a["email"] for a in DEFAULT_ATTENDEES]
        names = [a["name"] for a in DEFAULT_ATTENDEES]
        for path in ("/api/v1/event", "/api/v1/stages/main/state"):
            with self.subTest(path=path):
                st, hdrs, data = d.request("GET", path)
                self.assertEqual(st, 200, data)
                self.assertIn("application/json", hdrs.get("content-type", ""))
                text = json.dumps(data, ensure_ascii=False)
                for s in emails + names:
                    self.assertNotIn(s, text, "%s leaks attendee data %r" % (path, s))
                self.assertNotIn("@", text, "%s carries an e-mail address" % path)
        ev = d.event()
        self.assertEqual(ev["event"]["date"], time.strftime("%Y-%m-%d"))
        # planned starts: the stage's "00:00" on event.date in Europe/Berlin, then every 60 s
        try:
            import datetime
            import zoneinfo
            tz = zoneinfo.ZoneInfo("Europe/Berlin")
        except Exception:  # no tzdata: the rest still holds
            tz = None
        sl = ev["stages"][0]["slots"]
        if tz is not None:
            y, m, dd = map(int, ev["event"]["date"].split("-"))
            midnight = int(datetime.datetime(y, m, dd, 0, 0, tzinfo=tz).timestamp() * 1000)
            self.assertEqual(sl[0]["planned_start_ms"], midnight, "00:00 Europe/Berlin on %s" % ev["event"]["date"])
        self.assertEqual([s["planned_start_ms"] - sl[0]["planned_start_ms"] for s in sl], [0, 60000, 120000])
        self.assertEqual(ev["event"]["language"], "en")
        self.assertEqual(ev["event"]["venue"], "Test Venue")
        self.assertNotIn("attendees", ev)
        for s in ev["stages"][0]["slots"]:
            for key in ("id", "position", "startup", "presenter", "title", "status", "length_ms",
                        "planned_start_ms", "projected_start_ms", "actual_start_ms", "actual_end_ms"):
                self.assertIn(key, s)


if __name__ == "__main__":
    unittest.main()
