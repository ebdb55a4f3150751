"""A whole event on the real taktd, then every report in every format
(SPEC §4 check-ins, interests, /me, reports, exports; §6 reports).

Three pitches of 3 s (warning 2 s, danger 1 s, grace 1 s, on_time_up none),
four attendees in three departments. The scenario runs once per class
(setUpClass) and records what the daemon answered; the test methods check
those answers, the reports, /me, the exports and the SQLite rows against
what was done:

  before alpha   the moderator checks berg in and out again (gone before
                 anything starts); ott checks in himself (and again, and the
                 moderator does it once more: all idempotent), the moderator
                 checks lund in, stef (staff) checks in eight times at once;
                 refused check-ins (another attendee, unknown attendee)
  alpha          runs 4.6 s: time's up (recorded only) at 4 s, overtime ~1.6 s;
                 ott gives interest live with a hostile note (=HYPERLINK, a
                 script tag, comma, quotes, newline) and repeats it, lund too;
                 refused writes (for another attendee, moderator, bad bodies)
  between        berg comes back after alpha, while beta is loaded
  beta           berg and lund give interest live, berg gives alpha interest
                 (not live: beta is the live one), lund leaves; a pause of
                 1.3 s during which ott changes his level (paused = live) and
                 lund withdraws hers; extend +2 s; next at 4 s net (1 s early)
  gamma          skipped (no-show)
  after          ott and (through the organiser, six identical requests at
                 once) stef give gamma interest later

The German class runs a shorter event and checks the labels.
"""

import datetime
import json
import re
import threading
import time
import unittest

from taktharness import Daemon, now_ms
from takt_event import (EVENT_ATTENDEES, csv_line_problems, csv_quote, csv_rows,
                        event_config, sleep_until)

EVIL = '=HYPERLINK("http://evil"), <script>alert(1)</script>, "quoted"\nsecond line'
EVIL_HTML = ('=HYPERLINK(&quot;http://evil&quot;), &lt;script&gt;alert(1)&lt;/script&gt;, '
             '&quot;quoted&quot;')
LUND_NOTE = "Kontakt, bitte"
STEF_NOTE = "+49 461 85-0 call back"

REPORTS = ("timing", "attendance", "interest", "followups")
FORMATS = ("json", "csv", "html")
NAMES = {a["id"]: a["name"] for a in EVENT_ATTENDEES}
EMAILS = {a["id"]: a["email"] for a in EVENT_ATTENDEES}
DEPTS = {a["id"]: a["department"] for a in EVENT_ATTENDEES}

TOL = 1000          # timing figures: within 1 s of what the client did
A_RUN = 4.6         # alpha runs this long (s): time's up at 4.0 s
B_PAUSE_AT = 1.2    # beta is paused after this much net time (s)
B_PAUSE = 1.3       # for this long (s)
B_NET = 4.0         # beta ends after this much net time (s), 1 s before its deadline


def rq(d, method, path, body=None, token=None):
    st, _, data = d.request(method, path, body=body, token=token)
    return st, data


def parallel(n, fn, timeout=15.0):
    """Runs fn(i) for i < n in n threads at once; the results in order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        try:
            gate.wait(timeout)
            out[i] = fn(i)
        except Exception as e:          # reported by the caller's assertions
            out[i] = ("exception", repr(e))

    ths = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(timeout)
    return out


def berlin_clock(ms):
    """HH:MM:SS of a unix ms time in Europe/Berlin, or None without tzdata."""
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo("Europe/Berlin")
    except Exception:
        return None
    return datetime.datetime.fromtimestamp(ms // 1000, tz).strftime("%H:%M:%S")


class EventReportsEnglish(unittest.TestCase):
    """The full event in English."""

    d = None

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(event_config("en"))
        cls.addClassCleanup(cls.d.cleanup)
        cls.d.start()
        cls.r = {}
        cls.t = {}
        cls._scenario()
        cls._fetch_everything()

    # ------------------------------------------------------------------
    # the event

    @classmethod
    def _scenario(cls):
        d, r, t = cls.d, cls.r, cls.t

        # -- before alpha: arrivals at the door
        r["me_berg_before"] = rq(d, "GET", "/api/v1/me", None, "berg")
        # berg drops in and leaves again before anything starts: not present at alpha
        r["berg_early_in"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "berg"}, "moderator")
        r["berg_early_out"] = rq(d, "POST", "/api/v1/checkouts", {"attendee": "berg"},
                                 "moderator")
        r["ott_in"] = rq(d, "POST", "/api/v1/checkins", {}, "ott")
        r["ott_in_again"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "ott"}, "ott")
        r["lund_in_by_mod"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "lund"}, "moderator")
        # stef taps "check in" on her phone eight times at once: one interval
        r["stef_in_parallel"] = parallel(8, lambda i: rq(d, "POST", "/api/v1/checkins",
                                                         {"attendee": "stef"}, "stef"))
        r["ott_in_by_mod"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "ott"}, "moderator")
        r["ott_checks_in_berg"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "berg"}, "ott")
        r["ott_checks_out_lund"] = rq(d, "POST", "/api/v1/checkouts", {"attendee": "lund"}, "ott")
        r["mod_checks_in_nobody"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "nobody"},
                                       "moderator")
        r["me_ott_before"] = rq(d, "GET", "/api/v1/me", None, "ott")

        # -- alpha
        snap = d.ok("start")
        t["a_start"] = snap["server_time_ms"]
        a_mono = time.monotonic()
        r["a_start"] = snap
        time.sleep(0.3)
        r["ott_a"] = rq(d, "PUT", "/api/v1/interests/alpha",
                        {"level": "follow_up", "note": EVIL}, "ott")
        r["ott_a_repeat"] = rq(d, "PUT", "/api/v1/interests/alpha",
                               {"level": "follow_up", "note": EVIL}, "ott")
        r["lund_a"] = rq(d, "PUT", "/api/v1/interests/alpha",
                         {"level": "info", "note": LUND_NOTE}, "lund")
        # refused writes, none of which may change anything
        r["ott_puts_for_lund"] = rq(d, "PUT", "/api/v1/interests/alpha",
                                    {"level": "info", "note": "hijack", "attendee": "lund"}, "ott")
        r["ott_deletes_for_lund_q"] = rq(d, "DELETE", "/api/v1/interests/alpha?attendee=lund",
                                         None, "ott")
        r["ott_deletes_for_lund_b"] = rq(d, "DELETE", "/api/v1/interests/alpha",
                                         {"attendee": "lund"}, "ott")
        r["mod_puts"] = rq(d, "PUT", "/api/v1/interests/alpha",
                           {"level": "info", "attendee": "lund"}, "moderator")
        r["org_puts_without_attendee"] = rq(d, "PUT", "/api/v1/interests/alpha",
                                            {"level": "info"}, "organiser")
        r["bad_level"] = rq(d, "PUT", "/api/v1/interests/alpha", {"level": "maybe"}, "berg")
        r["note_1001"] = rq(d, "PUT", "/api/v1/interests/alpha",
                            {"level": "info", "note": "x" * 1001}, "berg")
        r["unknown_pitch"] = rq(d, "PUT", "/api/v1/interests/nosuchpitch",
                                {"level": "info"}, "berg")
        r["no_token_put"] = rq(d, "PUT", "/api/v1/interests/alpha", {"level": "info"}, None)
        r["unknown_field"] = rq(d, "PUT", "/api/v1/interests/alpha",
                                {"level": "info", "rating": 5}, "berg")
        r["note_not_string"] = rq(d, "PUT", "/api/v1/interests/alpha",
                                  {"level": "info", "note": 5}, "berg")
        r["checkin_unknown_field"] = rq(d, "POST", "/api/v1/checkins",
                                        {"attendee": "berg", "door": 2}, "moderator")
        r["me_ott_during_a"] = rq(d, "GET", "/api/v1/me", None, "ott")
        sleep_until(a_mono + A_RUN)
        snap = d.ok("next")
        t["a_end"] = snap["server_time_ms"]
        r["a_next"] = snap

        # -- between: berg comes back after alpha, beta is loaded
        r["berg_in"] = rq(d, "POST", "/api/v1/checkins", None, "berg")
        time.sleep(0.2)

        # -- beta
        snap = d.ok("start")
        t["b_start"] = snap["server_time_ms"]
        b_mono = time.monotonic()
        r["b_start"] = snap
        time.sleep(0.3)
        r["berg_b"] = rq(d, "PUT", "/api/v1/interests/beta",
                         {"level": "follow_up", "note": "Bitte Termin"}, "berg")
        r["lund_b"] = rq(d, "PUT", "/api/v1/interests/beta",
                         {"level": "info", "note": "nur Info"}, "lund")
        r["berg_a_during_b"] = rq(d, "PUT", "/api/v1/interests/alpha",
                                  {"level": "follow_up"}, "berg")
        r["lund_out"] = rq(d, "POST", "/api/v1/checkouts", {}, "lund")
        r["lund_out_again"] = rq(d, "POST", "/api/v1/checkouts", {"attendee": "lund"}, "moderator")
        r["ott_b"] = rq(d, "PUT", "/api/v1/interests/beta",
                        {"level": "info", "note": "erst Info"}, "ott")
        sleep_until(b_mono + B_PAUSE_AT)
        snap = d.ok("pause")
        t["b_pause"] = snap["server_time_ms"]
        p_mono = time.monotonic()
        r["b_pause"] = snap
        r["ott_b_paused"] = rq(d, "PUT", "/api/v1/interests/beta",
                               {"level": "follow_up", "note": "doch Follow-up"}, "ott")
        r["lund_b_delete"] = rq(d, "DELETE", "/api/v1/interests/beta", None, "lund")
        r["lund_b_delete_again"] = rq(d, "DELETE", "/api/v1/interests/beta", None, "lund")
        sleep_until(p_mono + B_PAUSE)
        snap = d.ok("resume")
        t["b_resume"] = snap["server_time_ms"]
        r_mono = time.monotonic()
        r["b_resume"] = snap
        r["b_extend"] = d.ok("extend", {"seconds": 2})
        sleep_until(r_mono + (B_NET - (p_mono - b_mono)))
        snap = d.ok("next")
        t["b_end"] = snap["server_time_ms"]
        r["b_next"] = snap

        # -- gamma: a no-show
        r["c_skip"] = d.ok("skip")

        # -- after the pitches
        r["ott_c"] = rq(d, "PUT", "/api/v1/interests/gamma",
                        {"level": "info", "note": "später"}, "ott")
        # the organiser enters stef's paper slip, six identical requests at once
        r["org_c_for_stef_parallel"] = parallel(6, lambda i: rq(
            d, "PUT", "/api/v1/interests/gamma",
            {"level": "info", "note": STEF_NOTE, "attendee": "stef"}, "organiser"))
        r["org_c_for_stef"] = rq(d, "PUT", "/api/v1/interests/gamma",
                                 {"level": "info", "note": STEF_NOTE, "attendee": "stef"},
                                 "organiser")
        r["berg_in_again"] = rq(d, "POST", "/api/v1/checkins", {"attendee": "berg"}, "moderator")
        time.sleep(0.05)

    @classmethod
    def _fetch_everything(cls):
        d = cls.d
        cls.rep = {}
        cls.rep_ctype = {}
        for name in REPORTS:
            for fmt in FORMATS:
                st, h, data = d.request("GET", "/api/v1/reports/%s.%s" % (name, fmt),
                                        token="organiser")
                cls.rep[name, fmt] = (st, data)
                cls.rep_ctype[name, fmt] = h.get("content-type", "")
        cls.me = {a["id"]: rq(d, "GET", "/api/v1/me", None, a["id"]) for a in EVENT_ATTENDEES}
        cls.event = d.event()

    # ------------------------------------------------------------------
    # helpers

    def report(self, name, fmt):
        st, data = self.rep[name, fmt]
        self.assertEqual(st, 200, "%s.%s -> %s %r" % (name, fmt, st, data))
        if fmt == "json":
            self.assertIsInstance(data, dict, "%s.json is not a JSON object" % name)
            self.assertEqual(data.get("report"), name)
        else:
            self.assertIsInstance(data, str)
        return data

    def near(self, got, want, what, tol=TOL):
        self.assertIsNotNone(got, what + " is null")
        self.assertLessEqual(abs(got - want), tol, "%s: got %s, expected %s ± %s"
                             % (what, got, want, tol))

    def slot_times(self):
        return {s["id"]: s for s in self.event["stages"][0]["slots"]}

    # ------------------------------------------------------------------
    # check-ins

    def test_checkin_replies(self):
        r = self.r
        st, ott = r["ott_in"]
        self.assertEqual(st, 200, ott)
        self.assertEqual(ott["attendee"], "ott")
        self.assertIs(ott["checked_in"], True)
        self.assertIs(ott["changed"], True)
        self.assertIsInstance(ott["since_ms"], int)
        for key in ("ott_in_again", "ott_in_by_mod"):
            st, again = r[key]
            self.assertEqual(st, 200, (key, again))
            self.assertIs(again["changed"], False, key)
            self.assertIs(again["checked_in"], True, key)
            self.assertEqual(again["since_ms"], ott["since_ms"],
                             "%s: a repeated check-in must report the first one" % key)
        st, lund = r["lund_in_by_mod"]
        self.assertEqual((st, lund["attendee"], lund["changed"]), (200, "lund", True), lund)
        st, out = r["lund_out"]
        self.assertEqual(st, 200, out)
        self.assertIs(out["checked_in"], False)
        self.assertIs(out["changed"], True)
        self.assertEqual(out["was_in_since_ms"], lund["since_ms"])
        st, again = r["lund_out_again"]
        self.assertEqual(st, 200, again)
        self.assertIs(again["changed"], False)
        self.assertIs(again["checked_in"], False)
        st, early = r["berg_early_in"]
        self.assertEqual((st, early["changed"]), (200, True), early)
        st, out = r["berg_early_out"]
        self.assertEqual((st, out["changed"], out["was_in_since_ms"]),
                         (200, True, early["since_ms"]), out)
        st, berg = r["berg_in"]
        self.assertEqual((st, berg["attendee"], berg["changed"]), (200, "berg", True), berg)
        self.assertGreaterEqual(berg["since_ms"], self.t["a_end"], "berg is back after alpha")
        st, again = r["berg_in_again"]
        self.assertEqual((st, again["changed"], again["since_ms"]),
                         (200, False, berg["since_ms"]), again)

    def test_parallel_repeats(self):
        res = self.r["stef_in_parallel"]
        self.assertTrue(all(isinstance(x, tuple) and x[0] == 200 for x in res), res)
        self.assertEqual(sum(1 for x in res if x[1]["changed"]), 1,
                         "exactly one of eight simultaneous check-ins opens the interval: %r"
                         % (res,))
        self.assertEqual(len({x[1]["since_ms"] for x in res}), 1, res)
        res = self.r["org_c_for_stef_parallel"]
        self.assertTrue(all(isinstance(x, tuple) and x[0] in (200, 201) for x in res), res)
        self.assertEqual(sorted(x[0] for x in res), [200] * 5 + [201], res)
        self.assertEqual(sum(1 for x in res if x[1]["changed"]), 1, res)

    def test_checkin_refusals(self):
        self.assertEqual(self.r["ott_checks_in_berg"][0], 403, self.r["ott_checks_in_berg"])
        self.assertEqual(self.r["ott_checks_out_lund"][0], 403, self.r["ott_checks_out_lund"])
        self.assertEqual(self.r["mod_checks_in_nobody"][0], 404, self.r["mod_checks_in_nobody"])
        st, data = rq(self.d, "POST", "/api/v1/checkins", {"attendee": "ott"}, None)
        self.assertEqual(st, 401, data)

    def test_presence_rows_in_sqlite(self):
        d = self.d
        rows = {a["id"]: d.db_query("SELECT * FROM presence WHERE attendee = ? ORDER BY id",
                                    (a["id"],)) for a in EVENT_ATTENDEES}
        # three check-ins of ott (self, self, moderator): one open row
        self.assertEqual(len(rows["ott"]), 1, rows["ott"])
        self.assertIsNone(rows["ott"][0]["out_ms"])
        self.assertEqual(rows["ott"][0]["in_by"], "attendee:ott")
        # lund: checked in by the moderator, out by herself; the repeat did nothing
        self.assertEqual(len(rows["lund"]), 1, rows["lund"])
        self.assertEqual(rows["lund"][0]["in_by"], "moderator")
        self.assertEqual(rows["lund"][0]["out_by"], "attendee:lund")
        self.assertIsNotNone(rows["lund"][0]["out_ms"])
        self.assertEqual(len(rows["berg"]), 2, rows["berg"])
        self.assertEqual((rows["berg"][0]["in_by"], rows["berg"][0]["out_by"]),
                         ("moderator", "moderator"))
        self.assertLess(rows["berg"][0]["out_ms"], self.t["a_start"])
        self.assertIsNone(rows["berg"][1]["out_ms"])
        self.assertEqual(len(rows["stef"]), 1, rows["stef"])
        open_rows = d.db_query("SELECT attendee, count(*) AS n FROM presence "
                               "WHERE out_ms IS NULL GROUP BY attendee")
        self.assertEqual({x["attendee"]: x["n"] for x in open_rows},
                         {"ott": 1, "berg": 1, "stef": 1})

    # ------------------------------------------------------------------
    # interests

    def test_interest_replies(self):
        r = self.r
        cases = [
            ("ott_a", 201, "follow_up", True, True),
            ("ott_a_repeat", 200, "follow_up", True, False),
            ("lund_a", 201, "info", True, True),
            ("berg_b", 201, "follow_up", True, True),
            ("lund_b", 201, "info", True, True),
            ("berg_a_during_b", 201, "follow_up", False, True),
            ("ott_b", 201, "info", True, True),
            ("ott_b_paused", 200, "follow_up", True, True),
            ("ott_c", 201, "info", False, True),
            ("org_c_for_stef", 200, "info", False, False),
        ]
        for key, status, level, live, changed in cases:
            st, data = r[key]
            self.assertEqual(st, status, "%s: %r" % (key, data))
            self.assertEqual(data.get("level"), level, key)
            self.assertIs(data.get("live"), live, "%s: live flag (%r)" % (key, data))
            self.assertIs(data.get("changed"), changed, "%s: changed (%r)" % (key, data))
        self.assertEqual(r["org_c_for_stef"][1]["attendee"], "stef")
        self.assertEqual(r["ott_a"][1]["note"], EVIL)
        st, data = r["lund_b_delete"]
        self.assertEqual((st, data.get("deleted")), (200, True), data)
        st, data = r["lund_b_delete_again"]
        self.assertEqual((st, data.get("deleted")), (200, False), data)

    def test_interest_refusals(self):
        r = self.r
        self.assertEqual(r["ott_puts_for_lund"][0], 403, r["ott_puts_for_lund"])
        self.assertEqual(r["ott_deletes_for_lund_q"][0], 403, r["ott_deletes_for_lund_q"])
        self.assertEqual(r["ott_deletes_for_lund_b"][0], 403, r["ott_deletes_for_lund_b"])
        self.assertEqual(r["mod_puts"][0], 403, r["mod_puts"])
        self.assertEqual(r["org_puts_without_attendee"][0], 400, r["org_puts_without_attendee"])
        self.assertEqual(r["bad_level"][0], 400, r["bad_level"])
        self.assertEqual(r["note_1001"][0], 400, r["note_1001"])
        self.assertEqual(r["unknown_pitch"][0], 404, r["unknown_pitch"])
        self.assertEqual(r["no_token_put"][0], 401, r["no_token_put"])
        self.assertEqual(r["unknown_field"][0], 400, r["unknown_field"])
        self.assertEqual(r["note_not_string"][0], 400, r["note_not_string"])
        self.assertEqual(r["checkin_unknown_field"][0], 400, r["checkin_unknown_field"])
        # the refused writes left lund's alpha interest as she gave it
        row = self.d.db_query("SELECT level, note FROM interests WHERE attendee='lund' "
                              "AND pitch='alpha'")
        self.assertEqual(row, [{"level": "info", "note": LUND_NOTE}])
        self.assertEqual(self.d.db_query("SELECT count(*) AS n FROM interests WHERE "
                                         "attendee='berg' AND pitch='nosuchpitch'")[0]["n"], 0)

    def test_interest_rows_in_sqlite(self):
        d = self.d
        cur = {(x["attendee"], x["pitch"]): x for x in d.db_query("SELECT * FROM interests")}
        self.assertEqual(set(cur), {("ott", "alpha"), ("lund", "alpha"), ("berg", "alpha"),
                                    ("ott", "beta"), ("berg", "beta"),
                                    ("ott", "gamma"), ("stef", "gamma")})
        self.assertEqual(cur["ott", "alpha"]["note"], EVIL)
        self.assertEqual(cur["ott", "beta"]["level"], "follow_up")
        hist = d.db_query("SELECT attendee, pitch, action, level, note, live FROM "
                          "interest_history ORDER BY id")
        per = {}
        for h in hist:
            per.setdefault((h["attendee"], h["pitch"]), []).append(h["action"])
        # one row per real change: the identical repeat and the second delete add none
        self.assertEqual(per, {
            ("ott", "alpha"): ["put"], ("lund", "alpha"): ["put"], ("berg", "alpha"): ["put"],
            ("berg", "beta"): ["put"], ("lund", "beta"): ["put", "delete"],
            ("ott", "beta"): ["put", "put"], ("ott", "gamma"): ["put"],
            ("stef", "gamma"): ["put"]}, hist)
        ob = [h for h in hist if (h["attendee"], h["pitch"]) == ("ott", "beta")]
        self.assertEqual([(h["level"], h["note"], h["live"]) for h in ob],
                         [("info", "erst Info", 1), ("follow_up", "doch Follow-up", 1)])

    # ------------------------------------------------------------------
    # /me

    def test_me(self):
        st, me = self.me["ott"]
        self.assertEqual(st, 200, me)
        self.assertEqual(me["attendee"], {"id": "ott", "name": NAMES["ott"],
                                          "department": DEPTS["ott"],
                                          "role": "department_head", "email": EMAILS["ott"]})
        self.assertIs(me["checked_in"], True)
        self.assertEqual(len(me["presence"]), 1, me["presence"])
        self.assertIsNone(me["presence"][0]["out_ms"])
        self.assertEqual(me["presence"][0]["in_ms"], self.r["ott_in"][1]["since_ms"])
        got = [(i["pitch"], i["startup"], i["level"], i["note"], i["live"])
               for i in me["interests"]]
        self.assertEqual(got, [("alpha", "Alpha GmbH", "follow_up", EVIL, True),
                               ("beta", "Beta UG", "follow_up", "doch Follow-up", True),
                               ("gamma", "+Gamma AG", "info", "später", False)])
        for i in me["interests"]:
            self.assertLessEqual(i["created_ms"], i["updated_ms"])
        ob = me["interests"][1]
        self.assertLess(ob["created_ms"], ob["updated_ms"], "the level change updates updated_ms")
        text = json.dumps(me, ensure_ascii=False)
        for other in ("lund", "berg", "stef"):
            self.assertNotIn(EMAILS[other], text)
        self.assertNotIn(LUND_NOTE, text)

        st, me = self.me["lund"]
        self.assertEqual(st, 200, me)
        self.assertIs(me["checked_in"], False)
        self.assertEqual(len(me["presence"]), 1)
        self.assertIsNotNone(me["presence"][0]["out_ms"])
        self.assertEqual([(i["pitch"], i["level"], i["note"], i["live"]) for i in me["interests"]],
                         [("alpha", "info", LUND_NOTE, True)])

        st, me = self.me["berg"]
        self.assertIs(me["checked_in"], True)
        self.assertEqual(len(me["presence"]), 2, me["presence"])
        self.assertIsNotNone(me["presence"][0]["out_ms"])
        self.assertIsNone(me["presence"][1]["out_ms"])
        self.assertEqual([(i["pitch"], i["level"], i["live"]) for i in me["interests"]],
                         [("alpha", "follow_up", False), ("beta", "follow_up", True)])
        st, me = self.me["stef"]
        self.assertEqual(me["attendee"]["role"], "staff")
        self.assertEqual([(i["pitch"], i["note"], i["live"]) for i in me["interests"]],
                         [("gamma", STEF_NOTE, False)])

    def test_me_progress(self):
        st, me = self.r["me_ott_before"]
        self.assertEqual(st, 200, me)
        self.assertIs(me["checked_in"], True)
        self.assertEqual(me["interests"], [])
        st, me = self.r["me_berg_before"]
        self.assertEqual(st, 200, me)
        self.assertIs(me["checked_in"], False)
        self.assertEqual(me["presence"], [])
        st, me = self.r["me_ott_during_a"]
        self.assertEqual([(i["pitch"], i["level"], i["live"]) for i in me["interests"]],
                         [("alpha", "follow_up", True)])

    def test_me_access(self):
        d = self.d
        self.assertEqual(rq(d, "GET", "/api/v1/me", None, None)[0], 401)
        self.assertEqual(rq(d, "GET", "/api/v1/me", None, "not-a-token")[0], 401)
        self.assertEqual(rq(d, "GET", "/api/v1/me", None, "moderator")[0], 403)
        self.assertEqual(rq(d, "GET", "/api/v1/me", None, "organiser")[0], 403)
        # a query naming somebody else changes nothing: it is always one's own
        st, me = rq(d, "GET", "/api/v1/me?attendee=lund", None, "ott")
        self.assertIn(st, (200, 400, 403), me)
        if st == 200:
            self.assertEqual(me["attendee"]["id"], "ott")
            self.assertNotIn(LUND_NOTE, json.dumps(me, ensure_ascii=False))

    # ------------------------------------------------------------------
    # reports: access

    def test_reports_need_the_organiser(self):
        d = self.d
        for name in REPORTS:
            for fmt in FORMATS:
                path = "/api/v1/reports/%s.%s" % (name, fmt)
                for token, want in ((None, 401), ("bogus-token", 401), ("moderator", 403),
                                    ("ott", 403), ("stef", 403)):
                    st, data = rq(d, "GET", path, None, token)
                    self.assertEqual(st, want, "%s with %s: %s %r" % (path, token, st, data))
                    self.assertNotIn(EMAILS["ott"], json.dumps(data))
                self.assertEqual(self.rep[name, fmt][0], 200, path)
        for name, fmt in self.rep_ctype:
            ct = self.rep_ctype[name, fmt]
            want = {"json": "application/json", "csv": "text/csv",
                    "html": "text/html"}[fmt]
            self.assertTrue(ct.startswith(want), "%s.%s content-type %r" % (name, fmt, ct))
            if fmt != "json":
                self.assertIn("utf-8", ct.lower())

    # ------------------------------------------------------------------
    # timing

    def test_timing_json(self):
        t = self.t
        rep = self.report("timing", "json")
        self.assertEqual(rep["event"]["language"], "en")
        slots = {s["id"]: s for s in rep["slots"]}
        self.assertEqual([s["id"] for s in rep["slots"]], ["alpha", "beta", "gamma"])
        ev = self.slot_times()
        a, b, c = slots["alpha"], slots["beta"], slots["gamma"]
        self.assertEqual((a["status"], b["status"], c["status"]), ("done", "done", "skipped"))
        for s in (a, b):
            self.assertEqual(s["actual_start_ms"], ev[s["id"]]["actual_start_ms"])
            self.assertEqual(s["actual_end_ms"], ev[s["id"]]["actual_end_ms"])
            self.assertEqual(s["planned_start_ms"], ev[s["id"]]["planned_start_ms"])
            self.assertIs(s["running"], False)
            self.assertEqual(s["length_ms"], 3000)
            # net speaking time is the run minus its pauses, exactly
            self.assertEqual(s["net_ms"], s["actual_end_ms"] - s["actual_start_ms"] - s["paused_ms"])
            self.assertEqual(s["overrun_ms"], s["net_ms"] - 3000 - s["added_ms"])
            self.assertEqual(s["overtime_ms"], max(0, s["overrun_ms"]))
        # alpha: 4.6 s without pause, time's up (recorded only) at -1 s
        self.near(a["actual_start_ms"], t["a_start"], "alpha actual start", 100)
        self.near(a["actual_end_ms"], t["a_end"], "alpha actual end", 100)
        self.near(a["net_ms"], t["a_end"] - t["a_start"], "alpha net")
        self.near(a["net_ms"], A_RUN * 1000, "alpha net vs plan")
        self.assertEqual((a["added_ms"], a["pauses"], a["paused_ms"]), (0, 0, 0))
        self.near(a["overtime_ms"], A_RUN * 1000 - 3000, "alpha overtime")
        self.assertGreater(a["overtime_ms"], 0)
        self.assertEqual(len(a["time_up"]), 1, a["time_up"])
        self.assertEqual(a["time_up"][0]["action"], "none")
        self.near(a["time_up"][0]["at_ms"], a["actual_start_ms"] + 4000, "alpha time's up", 100)
        # beta: one pause of ~1.3 s excluded, +2 s added, ended 0.5 s before its deadline
        want_net = (t["b_end"] - t["b_start"]) - (t["b_resume"] - t["b_pause"])
        self.near(b["net_ms"], want_net, "beta net")
        self.near(b["net_ms"], B_NET * 1000, "beta net vs plan")
        self.assertEqual(b["added_ms"], 2000)
        self.assertEqual(b["pauses"], 1)
        self.near(b["paused_ms"], t["b_resume"] - t["b_pause"], "beta paused", 100)
        self.assertGreater(b["actual_end_ms"] - b["actual_start_ms"] - b["net_ms"], 1000,
                           "the pause must not count as speaking time")
        self.assertEqual(b["overtime_ms"], 0)
        self.near(b["overrun_ms"], B_NET * 1000 - 5000, "beta overrun")
        self.assertLess(b["overrun_ms"], 0)
        self.assertEqual(b["time_up"], [])
        # gamma never started
        for k in ("actual_start_ms", "actual_end_ms", "net_ms", "overtime_ms"):
            self.assertIsNone(c[k], k)
        self.assertEqual(c["time_up"], [])
        # interventions: action rows naming the pitch, as in the ledger
        led = self.d.db_query("SELECT pitch, what FROM ledger WHERE kind='action'")
        for s in (a, b, c):
            n = sum(1 for x in led if x["pitch"] == s["id"])
            self.assertEqual(s["interventions"], n, s["id"])
        whats_b = [x["what"] for x in led if x["pitch"] == "beta"]
        for w in ("start", "pause", "resume", "extend"):
            self.assertIn(w, whats_b)
        self.assertGreaterEqual(b["interventions"], 4)
        # totals
        tot = rep["totals"]
        self.assertEqual(rep["stages"][0]["id"], "main")
        self.assertEqual(rep["stages"][0]["name"], "Main Hall")
        self.assertIs(tot["over"], True)
        self.assertEqual((tot["slots_done"], tot["slots_skipped"]), (2, 1))
        self.assertEqual(tot["first_planned_start_ms"], ev["alpha"]["planned_start_ms"])
        self.assertEqual(tot["first_actual_start_ms"], a["actual_start_ms"])
        self.assertEqual(tot["start_delay_ms"], a["actual_start_ms"] - ev["alpha"]["planned_start_ms"])
        self.assertEqual(tot["last_actual_end_ms"], b["actual_end_ms"])
        planned_end = ev["beta"]["planned_start_ms"] + 3000
        self.assertEqual(tot["planned_end_ms"], planned_end)
        self.assertEqual(tot["end_delay_ms"], b["actual_end_ms"] - planned_end)
        self.near(tot["mean_overrun_ms"], (a["overrun_ms"] + b["overrun_ms"]) / 2.0,
                  "mean overrun", 1)
        for k in tot:
            self.assertEqual(rep["stages"][0][k], tot[k], "stage total %s" % k)

    def test_timing_csv(self):
        text = self.report("timing", "csv")
        self.assertEqual(csv_line_problems(text), [])
        rows = csv_rows(text)
        head = rows[0]
        self.assertEqual(len(rows), 4, rows)
        col = {h: i for i, h in enumerate(head)}
        for h in ("Pitch", "Status", "Net speaking time (s)", "Added time (s)", "Overtime (s)",
                  "Pauses", "Paused (s)", "Interventions", "Time's up"):
            self.assertIn(h, col, head)
        by = {r[col["Pitch"]]: r for r in rows[1:]}
        js = {s["id"]: s for s in self.report("timing", "json")["slots"]}
        for pid in ("alpha", "beta"):
            row, s = by[pid], js[pid]
            self.assertEqual(len(row), len(head))
            self.assertEqual(row[col["Status"]], "done")
            for h, k in (("Net speaking time (s)", "net_ms"), ("Added time (s)", "added_ms"),
                         ("Overtime (s)", "overtime_ms"), ("Paused (s)", "paused_ms")):
                self.assertLessEqual(abs(int(row[col[h]]) * 1000 - s[k]), 500,
                                     "%s %s: csv %s json %s" % (pid, h, row[col[h]], s[k]))
            self.assertEqual(int(row[col["Pauses"]]), s["pauses"])
            self.assertEqual(int(row[col["Interventions"]]), s["interventions"])
        self.assertEqual(by["beta"][col["Added time (s)"]], "2")
        self.assertEqual(by["beta"][col["Pauses"]], "1")
        self.assertEqual(by["beta"][col["Overtime (s)"]], "0")
        self.assertEqual(by["alpha"][col["Time's up"]], "recorded only")
        self.assertEqual(by["gamma"][col["Status"]], "skipped")
        self.assertEqual(by["gamma"][col["Net speaking time (s)"]], "")
        self.assertEqual(by["gamma"][col["Start-up"]], "'+Gamma AG", "formula escape")
        self.assertEqual(by["alpha"][col["Planned start"]], "00:00:00")
        for pid, k, h in (("alpha", "actual_start_ms", "Actual start"),
                          ("beta", "actual_end_ms", "Actual end")):
            want = berlin_clock(js[pid][k])
            if want is not None:
                self.assertEqual(by[pid][col[h]], want, "%s %s in Europe/Berlin" % (pid, h))

    def test_timing_html(self):
        html = self.report("timing", "html")
        self.check_html(html, "en")
        for label in ("Timing report", "Net speaking time", "Added time", "Overtime",
                      "Event totals", "Alpha GmbH", "Beta UG", "Gamma AG", "recorded only"):
            self.assertIn(label, html)

    # ------------------------------------------------------------------
    # attendance

    def test_attendance_json(self):
        rep = self.report("attendance", "json")
        people = {p["id"]: p for p in rep["attendees"]}
        self.assertEqual([p["id"] for p in rep["attendees"]], ["lund", "berg", "ott", "stef"],
                         "attendees in name order")
        for aid, p in people.items():
            self.assertEqual((p["name"], p["department"], p["email"]),
                             (NAMES[aid], DEPTS[aid], EMAILS[aid]))
            self.assertEqual(len(p["intervals"]), 2 if aid == "berg" else 1, p)
        self.assertIs(people["berg"]["present_now"], True)
        self.assertEqual([iv["out_ms"] is None for iv in people["berg"]["intervals"]],
                         [False, True])
        self.assertEqual(people["stef"]["role"], "staff")
        self.assertIs(people["ott"]["present_now"], True)
        self.assertIs(people["lund"]["present_now"], False)
        self.assertIsNone(people["ott"]["intervals"][0]["out_ms"])
        self.assertEqual(people["lund"]["intervals"][0]["in_ms"],
                         self.r["lund_in_by_mod"][1]["since_ms"])
        self.assertIsNotNone(people["lund"]["intervals"][0]["out_ms"])
        lund_iv = people["lund"]["intervals"][0]
        self.assertEqual(people["lund"]["present_ms"], lund_iv["out_ms"] - lund_iv["in_ms"])
        # who was in the room for which pitch (gamma never took place)
        pitches = {p["id"]: p for p in rep["pitches"]}
        self.assertEqual(sorted(pitches), ["alpha", "beta"])
        heads = {pid: sorted(h["id"] for h in p["department_heads"]) for pid, p in pitches.items()}
        self.assertEqual(heads, {"alpha": ["lund", "ott"], "beta": ["berg", "lund", "ott"]},
                         "berg left before alpha and came back after it, lund left "
                         "during beta")
        self.assertEqual(pitches["alpha"]["present_count"], 3)     # with stef (staff)
        self.assertEqual(pitches["beta"]["present_count"], 4)
        for h in pitches["beta"]["department_heads"]:
            self.assertEqual((h["name"], h["department"]), (NAMES[h["id"]], DEPTS[h["id"]]))
        ev = self.slot_times()
        for pid in ("alpha", "beta"):
            self.assertEqual(pitches[pid]["start_ms"], ev[pid]["actual_start_ms"])
            self.assertEqual(pitches[pid]["end_ms"], ev[pid]["actual_end_ms"])
        # per department
        depts = {x["name"]: x for x in rep["departments"]}
        self.assertEqual(set(depts), {"IuK / E-Government", "Wirtschaftsfoerderung", "Bauamt"})
        want = {"IuK / E-Government": (2, 1, 2, {"alpha": 2, "beta": 2}),
                "Wirtschaftsfoerderung": (1, 1, 1, {"alpha": 1, "beta": 1}),
                "Bauamt": (1, 1, 1, {"alpha": 0, "beta": 1})}
        for name, (na, nh, nin, pres) in want.items():
            x = depts[name]
            self.assertEqual((x["attendees"], x["department_heads"], x["checked_in"]),
                             (na, nh, nin), name)
            self.assertEqual({p["pitch"]: p["count"] for p in x["present"]}, pres, name)

    def test_attendance_csv(self):
        text = self.report("attendance", "csv")
        self.assertEqual(csv_line_problems(text), [])
        rows = csv_rows(text)
        head = rows[0]
        col = {h: i for i, h in enumerate(head)}
        for h in ("Pitch", "Attendee", "Name", "Department", "Checked in", "Checked out"):
            self.assertIn(h, col, head)
        pairs = sorted((r[col["Pitch"]], r[col["Attendee"]]) for r in rows[1:])
        self.assertEqual(pairs, [("alpha", "lund"), ("alpha", "ott"),
                                 ("beta", "berg"), ("beta", "lund"), ("beta", "ott")])
        for r in rows[1:]:
            self.assertEqual(len(r), len(head))
            self.assertEqual(r[col["Name"]], NAMES[r[col["Attendee"]]])
            self.assertEqual(r[col["Department"]], DEPTS[r[col["Attendee"]]])
            self.assertRegex(r[col["Checked in"]], r"^\d\d:\d\d:\d\d$")
            if r[col["Attendee"]] == "lund":
                self.assertRegex(r[col["Checked out"]], r"^\d\d:\d\d:\d\d$")
            elif r[col["Attendee"]] == "berg":
                # the interval that overlaps beta, not the early one
                want = berlin_clock(self.r["berg_in"][1]["since_ms"])
                if want is not None:
                    self.assertEqual(r[col["Checked in"]], want)
                self.assertEqual(r[col["Checked out"]], "", r)
            else:
                self.assertEqual(r[col["Checked out"]], "", r)

    def test_attendance_html(self):
        html = self.report("attendance", "html")
        self.check_html(html, "en")
        for s in ("Attendance", "Department heads present", NAMES["ott"], NAMES["berg"],
                  "Bauamt", "Wirtschaftsfoerderung"):
            self.assertIn(s, html)

    # ------------------------------------------------------------------
    # interest

    def test_interest_json(self):
        rep = self.report("interest", "json")
        cols = [c["id"] for c in rep["columns"]]
        self.assertEqual(cols, ["alpha", "beta", "gamma"])
        counts = {c["id"]: (c["follow_up"], c["info"]) for c in rep["columns"]}
        self.assertEqual(counts, {"alpha": (2, 1), "beta": (2, 0), "gamma": (0, 2)})
        rows = {r["id"]: r for r in rep["rows"]}
        self.assertEqual(set(rows), {"ott", "lund", "berg", "stef"},
                         "department heads plus stef, who gave interest")
        cell = {}
        for aid, r in rows.items():
            self.assertEqual(len(r["cells"]), 3)
            self.assertEqual((r["name"], r["department"]), (NAMES[aid], DEPTS[aid]))
            for pid, x in zip(cols, r["cells"]):
                cell[aid, pid] = None if x is None else (x["level"], x["live"])
        self.assertEqual(cell, {
            ("ott", "alpha"): ("follow_up", True), ("ott", "beta"): ("follow_up", True),
            ("ott", "gamma"): ("info", False),
            ("lund", "alpha"): ("info", True), ("lund", "beta"): None, ("lund", "gamma"): None,
            ("berg", "alpha"): ("follow_up", False), ("berg", "beta"): ("follow_up", True),
            ("berg", "gamma"): None,
            ("stef", "alpha"): None, ("stef", "beta"): None, ("stef", "gamma"): ("info", False),
        })
        self.assertEqual(rows["ott"]["cells"][0]["note"], EVIL)
        self.assertEqual(rows["ott"]["cells"][1]["changes"], 1, "one level change")
        self.assertEqual(rows["ott"]["cells"][0]["changes"], 0, "the repeat is no change")
        changes = {(c["attendee"], c["pitch"]): (c["puts"], c["deletes"], c["level_changes"])
                   for c in rep["changes"]}
        self.assertEqual(changes, {("ott", "beta"): (2, 0, 1), ("lund", "beta"): (1, 1, 0)})
        self.assertEqual(rep["totals"], {"follow_up": 4, "info": 3, "live": 4, "later": 3})

    def test_interest_csv(self):
        text = self.report("interest", "csv")
        self.assertEqual(csv_line_problems(text), [])
        rows = csv_rows(text)
        head = rows[0]
        col = {h: i for i, h in enumerate(head)}
        for h in ("Attendee", "Pitch", "Level", "Note", "Live or later", "Role"):
            self.assertIn(h, col, head)
        got = {(r[col["Attendee"]], r[col["Pitch"]]): r for r in rows[1:]}
        self.assertEqual(len(got), 7, rows)
        self.assertEqual(len(rows), 8, "one row per attendee and pitch with interest")
        want = {("ott", "alpha"): ("Follow up", "live"), ("lund", "alpha"): ("Info", "live"),
                ("berg", "alpha"): ("Follow up", "later"), ("ott", "beta"): ("Follow up", "live"),
                ("berg", "beta"): ("Follow up", "live"), ("ott", "gamma"): ("Info", "later"),
                ("stef", "gamma"): ("Info", "later")}
        for k, (level, when) in want.items():
            self.assertEqual((got[k][col["Level"]], got[k][col["Live or later"]]), (level, when), k)
        # formula injection: the cell starts with an apostrophe, the rest verbatim
        self.assertEqual(got["ott", "alpha"][col["Note"]], "'" + EVIL)
        self.assertEqual(got["stef", "gamma"][col["Note"]], "'" + STEF_NOTE)
        self.assertEqual(got["lund", "alpha"][col["Note"]], LUND_NOTE)
        self.assertEqual(got["stef", "gamma"][col["Role"]], "staff")
        self.assertIn(csv_quote("'" + EVIL), text)
        self.assertIn('"\'=HYPERLINK(""http://evil""), <script>', text)
        self.assertIn(csv_quote(LUND_NOTE), text)
        self.assertNotIn(",=HYPERLINK", text)
        self.assertNotIn(',"=HYPERLINK', text)

    def test_interest_html(self):
        html = self.report("interest", "html")
        self.check_html(html, "en")
        self.assertIn(EVIL_HTML, html)
        for s in ("Interest", NAMES["lund"], "Alpha GmbH", "Follow up"):
            self.assertIn(s, html)

    # ------------------------------------------------------------------
    # follow-ups

    def test_followups_json(self):
        rep = self.report("followups", "json")
        ups = {s["id"]: s for s in rep["startups"]}
        self.assertEqual([s["id"] for s in rep["startups"]], ["alpha", "beta", "gamma"])
        self.assertEqual(ups["alpha"]["contact"], "hello@alpha.example")
        self.assertEqual(ups["alpha"]["startup"], "Alpha GmbH")
        self.assertEqual(ups["gamma"]["status"], "skipped")
        order = {pid: [(e["attendee"], e["level"], e["live"]) for e in s["interested"]]
                 for pid, s in ups.items()}
        # follow_up before info, then by name: "Bernd Berg" < "Dr. Marcus Ott", and
        # "Anna Lund" (info) last although her name sorts first
        self.assertEqual(order, {
            "alpha": [("berg", "follow_up", False), ("ott", "follow_up", True),
                      ("lund", "info", True)],
            "beta": [("berg", "follow_up", True), ("ott", "follow_up", True)],
            "gamma": [("ott", "info", False), ("stef", "info", False)],
        })
        for s in rep["startups"]:
            for e in s["interested"]:
                aid = e["attendee"]
                self.assertEqual((e["name"], e["department"], e["email"]),
                                 (NAMES[aid], DEPTS[aid], EMAILS[aid]))
        notes = {(s["id"], e["attendee"]): e["note"] for s in rep["startups"]
                 for e in s["interested"]}
        self.assertEqual(notes["alpha", "ott"], EVIL)
        self.assertEqual(notes["alpha", "lund"], LUND_NOTE)
        self.assertEqual(notes["alpha", "berg"], "")
        self.assertEqual(notes["gamma", "stef"], STEF_NOTE)
        self.assertEqual(notes["beta", "ott"], "doch Follow-up")

    def test_followups_csv(self):
        text = self.report("followups", "csv")
        self.assertEqual(csv_line_problems(text), [])
        rows = csv_rows(text)
        head = rows[0]
        col = {h: i for i, h in enumerate(head)}
        for h in ("Pitch", "Contact", "Name", "Department", "Email", "Level", "Note"):
            self.assertIn(h, col, head)
        got = [(r[col["Pitch"]], r[col["Email"]], r[col["Level"]]) for r in rows[1:]]
        self.assertEqual(got, [
            ("alpha", EMAILS["berg"], "Follow up"), ("alpha", EMAILS["ott"], "Follow up"),
            ("alpha", EMAILS["lund"], "Info"),
            ("beta", EMAILS["berg"], "Follow up"), ("beta", EMAILS["ott"], "Follow up"),
            ("gamma", EMAILS["ott"], "Info"), ("gamma", EMAILS["stef"], "Info")])
        for r in rows[1:]:
            self.assertEqual(len(r), len(head))
        by = {(r[col["Pitch"]], r[col["Email"]]): r for r in rows[1:]}
        self.assertEqual(by["alpha", EMAILS["ott"]][col["Note"]], "'" + EVIL)
        self.assertEqual(by["alpha", EMAILS["ott"]][col["Department"]], DEPTS["ott"])
        self.assertEqual(by["alpha", EMAILS["ott"]][col["Contact"]], "hello@alpha.example")
        self.assertEqual(by["gamma", EMAILS["stef"]][col["Note"]], "'" + STEF_NOTE)
        self.assertIn(csv_quote("'" + EVIL), text)

    def test_followups_html(self):
        html = self.report("followups", "html")
        self.check_html(html, "en")
        self.assertIn(EVIL_HTML, html)
        for s in (EMAILS["ott"], EMAILS["berg"], "hello@alpha.example", "Follow-ups"):
            self.assertIn(s, html)
        # the order of the alpha list shows in the page too
        i_berg, i_ott, i_lund = (html.find(EMAILS[x]) for x in ("berg", "ott", "lund"))
        self.assertTrue(0 < i_berg < i_ott < i_lund, (i_berg, i_ott, i_lund))

    # ------------------------------------------------------------------
    # every HTML page

    def check_html(self, html, lang):
        self.assertTrue(html.lstrip().lower().startswith("<!doctype html>"), html[:80])
        self.assertIn('<html lang="%s">' % lang, html)
        self.assertIn("</html>", html)
        self.assertNotIn("<script>alert(1)</script>", html)
        self.assertNotIn("<script", html.lower(), "a report page has no scripts")
        self.assertNotIn('="http://evil"', html)
        self.assertIsNone(re.search(r"<(link|img|iframe|object)\b", html, re.I),
                          "no external resources")
        self.assertIsNone(re.search(r"\b(src|href)\s*=", html, re.I), "no external resources")
        self.assertNotIn("@import", html)
        self.assertNotIn("url(", html)

    def test_all_html_pages(self):
        for name in REPORTS:
            html = self.report(name, "html")
            self.check_html(html, "en")
            if name != "followups":
                self.assertIn("<svg", html, "%s has an inline SVG chart" % name)

    def test_all_csv_bodies(self):
        for name in REPORTS:
            text = self.report(name, "csv")
            self.assertEqual(csv_line_problems(text), [], name)
            rows = csv_rows(text)
            widths = {len(r) for r in rows}
            self.assertEqual(len(widths), 1, "%s: ragged rows %r" % (name, widths))

    # ------------------------------------------------------------------
    # public exports

    def test_exports_are_public_and_impersonal(self):
        d = self.d
        st, h, sched = d.request("GET", "/api/v1/export/schedule.json")
        self.assertEqual(st, 200, sched)
        self.assertTrue(h.get("content-type", "").startswith("application/json"))
        self.assertIsInstance(sched, dict)
        text = json.dumps(sched, ensure_ascii=False)
        st, h, ics = d.request("GET", "/api/v1/export/agenda.ics")
        self.assertEqual(st, 200, ics)
        self.assertTrue(h.get("content-type", "").startswith("text/calendar"))
        for body, what in ((text, "schedule.json"), (ics, "agenda.ics")):
            for a in EVENT_ATTENDEES:
                self.assertNotIn(a["name"], body, what)
                self.assertNotIn(a["email"], body, what)
            for s in ("HYPERLINK", LUND_NOTE, "Bitte Termin", "Wirtschaftsfoerderung",
                      "Bauamt", "hello@alpha.example", "team@beta.example"):
                self.assertNotIn(s, body, what)
        self.assertNotIn("@", text, "schedule.json carries no e-mail address")
        # agenda.ics: an "@" only in UID values (RFC 5545 style ids), no address
        for line in ics.split("\r\n"):
            if "@" in line:
                self.assertTrue(line.startswith("UID:"), "agenda.ics line with @: %r" % line)
        # the frab/pretalx shape with takt's times
        conf = sched["schedule"]["conference"]
        self.assertEqual(conf["title"], "Smart City Pitches")
        events = [e for day in conf["days"] for room in day["rooms"].values() for e in room]
        self.assertEqual([e["code"] for e in events], ["alpha", "beta", "gamma"])
        ev = {e["code"]: e for e in events}
        self.assertEqual(ev["alpha"]["takt"]["status"], "done")
        self.assertEqual(ev["gamma"]["takt"]["status"], "skipped")
        self.assertEqual(ev["alpha"]["takt"]["actual_start_ms"],
                         self.slot_times()["alpha"]["actual_start_ms"])
        self.assertIsNotNone(ev["beta"]["actual_end"])
        self.assertIsNone(ev["gamma"]["actual_start"])
        # the calendar
        self.assertTrue(ics.startswith("BEGIN:VCALENDAR\r\n"), ics[:40])
        self.assertTrue(ics.rstrip("\r\n").endswith("END:VCALENDAR"))
        # README: skipped and withdrawn slots are left out of the calendar
        self.assertEqual(ics.count("BEGIN:VEVENT"), 2, ics)
        self.assertIn("UID:alpha@", ics)
        self.assertIn("UID:beta@", ics)
        self.assertNotIn("UID:gamma@", ics)
        self.assertNotIn("+Gamma AG", ics)
        self.assertNotIn("\n", ics.replace("\r\n", ""), "iCalendar lines end with CRLF")


class EventReportsGerman(unittest.TestCase):
    """A short event with event.language de: the labels of every format."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(event_config("de", pitches=None))
        cls.addClassCleanup(cls.d.cleanup)
        d = cls.d
        d.start()
        cls.r = r = {}
        r["ott_in"] = rq(d, "POST", "/api/v1/checkins", {}, "ott")
        d.ok("start")
        r["ott_a"] = rq(d, "PUT", "/api/v1/interests/alpha",
                        {"level": "follow_up", "note": "ü" * 1000}, "ott")
        r["ott_a_1001"] = rq(d, "PUT", "/api/v1/interests/alpha",
                             {"level": "info", "note": "ü" * 1001}, "ott")
        r["lund_a"] = rq(d, "PUT", "/api/v1/interests/alpha",
                         {"level": "info", "note": EVIL}, "lund")
        time.sleep(1.0)
        t_run = now_ms()
        st, _, data = d.request("GET", "/api/v1/reports/timing.json", token="organiser")
        r["timing_running"] = (st, data, t_run)
        d.ok("pause")
        d.ok("resume")
        d.ok("next")       # beta loaded, not started
        r["lund_b_ready"] = rq(d, "PUT", "/api/v1/interests/beta", {"level": "info"}, "lund")
        r["org_deletes_lund_b"] = rq(d, "DELETE", "/api/v1/interests/beta?attendee=lund",
                                     None, "organiser")
        r["org_deletes_unknown"] = rq(d, "DELETE", "/api/v1/interests/nosuch?attendee=lund",
                                      None, "organiser")
        r["org_deletes_no_attendee"] = rq(d, "DELETE", "/api/v1/interests/beta", None,
                                          "organiser")
        d.ok("skip")       # beta skipped, gamma loaded
        d.ok("skip")       # gamma skipped, finished
        r["berg_b"] = rq(d, "PUT", "/api/v1/interests/beta",
                         {"level": "info", "note": "@Team, bitte melden"}, "berg")
        cls.rep = {}
        for name in REPORTS:
            for fmt in FORMATS:
                st, _, data = d.request("GET", "/api/v1/reports/%s.%s" % (name, fmt),
                                        token="organiser")
                cls.rep[name, fmt] = (st, data)

    def get(self, name, fmt):
        st, data = self.rep[name, fmt]
        self.assertEqual(st, 200, "%s.%s -> %s %r" % (name, fmt, st, data))
        return data

    def test_notes_counted_in_characters(self):
        st, data = self.r["ott_a"]
        self.assertEqual(st, 201, "1000 characters (2000 bytes) are allowed: %r" % (data,))
        self.assertIs(data["live"], True)
        self.assertEqual(self.r["ott_a_1001"][0], 400, self.r["ott_a_1001"])
        self.assertEqual(self.r["berg_b"][0], 201, self.r["berg_b"])
        self.assertIs(self.r["berg_b"][1]["live"], False)

    def test_interest_on_a_loaded_pitch_is_not_live(self):
        st, data = self.r["lund_b_ready"]
        self.assertEqual(st, 201, data)
        self.assertIs(data["live"], False, "a loaded slot that has not started is not live")
        st, data = self.r["org_deletes_lund_b"]
        self.assertEqual((st, data.get("deleted"), data.get("attendee")), (200, True, "lund"),
                         data)
        self.assertEqual(self.r["org_deletes_unknown"][0], 404, self.r["org_deletes_unknown"])
        self.assertEqual(self.r["org_deletes_no_attendee"][0], 400,
                         self.r["org_deletes_no_attendee"])

    def test_timing_while_running(self):
        st, rep, t_run = self.r["timing_running"]
        self.assertEqual(st, 200, rep)
        a = {s["id"]: s for s in rep["slots"]}["alpha"]
        self.assertEqual(a["status"], "live")
        self.assertIs(a["running"], True)
        self.assertIsNone(a["actual_end_ms"], "no actual end while running")
        self.assertIsNotNone(a["actual_start_ms"])
        self.assertLessEqual(abs(a["net_ms"] - (t_run - a["actual_start_ms"])), TOL, a)
        self.assertIs(rep["totals"]["over"], False)
        self.assertIsNone(rep["totals"]["end_delay_ms"])

    def test_german_json(self):
        for name in REPORTS:
            rep = self.get(name, "json")
            self.assertEqual(rep["event"]["language"], "de", name)
        slots = {s["id"]: s for s in self.get("timing", "json")["slots"]}
        self.assertEqual((slots["alpha"]["status"], slots["beta"]["status"],
                          slots["gamma"]["status"]), ("done", "skipped", "skipped"))
        self.assertEqual(slots["alpha"]["pauses"], 1)

    def test_german_csv(self):
        want = {
            "timing": ["Bühne", "Nr.", "Status", "Geplanter Beginn", "Netto-Redezeit (s)",
                       "Zusatzzeit (s)", "Überziehung (s)", "Pausen", "Eingriffe",
                       "Zeit abgelaufen"],
            "attendance": ["Teilnehmer/in", "Name", "Abteilung", "Eingecheckt", "Ausgecheckt"],
            "interest": ["Teilnehmer/in", "Abteilung", "Rolle", "Stufe", "Notiz",
                         "Live oder später", "Meinungsänderungen"],
            "followups": ["Start-up", "Kontakt", "Abteilung", "E-Mail", "Stufe", "Notiz"],
        }
        for name, labels in want.items():
            text = self.get(name, "csv")
            self.assertEqual(csv_line_problems(text), [], name)
            head = csv_rows(text)[0]
            for label in labels:
                self.assertIn(label, head, "%s: %r" % (name, head))
            self.assertNotIn("Net speaking time (s)", head)
        rows = csv_rows(self.get("timing", "csv"))
        col = {h: i for i, h in enumerate(rows[0])}
        status = {r[col["Pitch"]]: r[col["Status"]] for r in rows[1:]}
        self.assertEqual(status, {"alpha": "beendet", "beta": "übersprungen",
                                  "gamma": "übersprungen"})
        rows = csv_rows(self.get("interest", "csv"))
        col = {h: i for i, h in enumerate(rows[0])}
        got = {(r[col["Teilnehmer/in"]], r[col["Pitch"]]):
               (r[col["Stufe"]], r[col["Live oder später"]], r[col["Rolle"]], r[col["Notiz"]])
               for r in rows[1:]}
        self.assertEqual(got["ott", "alpha"], ("Nachverfolgen", "live", "Abteilungsleitung",
                                               "ü" * 1000))
        self.assertEqual(got["berg", "beta"][:2], ("Info", "später"))
        self.assertEqual(got["berg", "beta"][3], "'@Team, bitte melden")
        self.assertEqual(got["lund", "alpha"][3], "'" + EVIL)

    def test_german_html(self):
        titles = {"timing": "Zeitplan-Bericht", "attendance": "Anwesenheit",
                  "interest": "Interesse", "followups": "Nachverfolgung"}
        for name in REPORTS:
            html = self.get(name, "html")
            self.assertIn('<html lang="de">', html, name)
            self.assertIn(titles[name], html, name)
            self.assertNotIn("<script>alert(1)</script>", html, name)
        html = self.get("timing", "html")
        for s in ("Netto-Redezeit", "Gesamtwerte", "übersprungen"):
            self.assertIn(s, html)
        for s in ("Net speaking time", "Event totals", "Timing report"):
            self.assertNotIn(s, html)
        html = self.get("interest", "html")
        self.assertIn("später", html)
        self.assertIn(EVIL_HTML, html)
        self.assertIn("Nachverfolgen", html)


if __name__ == "__main__":
    unittest.main()
