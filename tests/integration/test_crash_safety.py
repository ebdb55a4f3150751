"""Crash safety (issue 7): kill -9 at random moments under mixed load.

One moderator thread drives the timer with seeded random actions (start,
pause, resume, extend, next, previous, skip); eight attendee threads write
interests (put and delete) and check in and out. After a seeded random
0.05-0.6 s the daemon gets SIGKILL, stays down a moment (the timer keeps
running on wall time), and is restarted on the same directory; at least 20
times. After every restart:

  - PRAGMA integrity_check is ok;
  - every (attendee, pitch) interest is the last acknowledged value or one
    whose answer was lost with the daemon, never older, never missing; every
    acknowledged put has its interest_history row;
  - every attendee's presence (an open interval or none) is what the last
    acknowledged check-in/out left, or what an unanswered one would;
  - the ledger's seq never decreases (in id order) and every acknowledged
    action's seq has its 'action' row;
  - the timer resumes where wall time says: from the last acknowledged
    snapshot, the state is the same slot with the same deadline (remaining
    within 1 s of deadline - now), or, when time's up fired meanwhile
    (on_time_up next_start), a later slot whose deadline is k * (grace +
    length) later.

The counts go to stderr for the CI log.
"""

import http.client
import json
import os
import random
import sys
import threading
import time
import unittest

from taktharness import Daemon, make_config, pitch

SEED = int(os.environ.get("TAKT_CRASH_SEED", "7007"))
MIN_RESTARTS = 20
MAX_RESTARTS = 30
TIME_BUDGET = 55.0          # no new cycle after this many seconds (beyond 20)
PITCH_MS = 4000
GRACE_MS = 1000
N_PITCHES = 6
N_ATTENDEES = 8
REQ_TIMEOUT = 5.0
MODES = ("idle", "ready", "running", "paused", "finished")
PHASES = ("none", "normal", "warning", "danger", "overtime")


def log(msg):
    sys.stderr.write("crash-safety: %s\n" % msg)
    sys.stderr.flush()


class Conn:
    """A keep-alive connection that reports any failure as None."""

    def __init__(self, port, token):
        self.port = port
        self.token = token
        self.conn = None

    def request(self, method, path, body=None):
        """(status, parsed JSON) or None when no answer arrived."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=REQ_TIMEOUT)
        hdrs = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
            payload = resp.read()
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return None
        try:
            parsed = json.loads(payload.decode("utf-8"))
        except ValueError:
            parsed = None
        return resp.status, parsed

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = None


class Write:
    """One attempted write and what came of it."""
    __slots__ = ("kind", "key", "value", "status", "answer")

    def __init__(self, kind, key, value):
        self.kind = kind        # "put", "delete", "checkin", "checkout"
        self.key = key          # (attendee, pitch) or attendee
        self.value = value      # put: (level, note); delete: None; presence: True/False
        self.status = None      # None: no answer (lost with the daemon)
        self.answer = None

    @property
    def acked(self):
        return self.status is not None and 200 <= self.status < 300


def attendee_worker(port, token, aid, rng, cycle, stop, out):
    """An attendee's phone: puts, deletes, check-ins and -outs until stop."""
    c = Conn(port, token)
    n = 0
    try:
        while not stop.is_set() and n < 5000:
            n += 1
            r = rng.random()
            p = "p%d" % rng.randrange(N_PITCHES)
            if r < 0.6:
                level = rng.choice(("follow_up", "info"))
                note = "c%d-%s-%d" % (cycle, aid, n)
                w = Write("put", (aid, p), (level, note))
                res = c.request("PUT", "/api/v1/interests/" + p,
                                {"level": level, "note": note})
            elif r < 0.75:
                w = Write("delete", (aid, p), None)
                res = c.request("DELETE", "/api/v1/interests/" + p)
            else:
                kind = rng.choice(("checkin", "checkout"))
                w = Write(kind, aid, kind == "checkin")
                res = c.request("POST", "/api/v1/%ss" % kind, {})
            out.append(w)
            if res is None:
                if stop.is_set():
                    return
                time.sleep(0.01)
                continue
            w.status, w.answer = res
    finally:
        c.close()


class Action:
    __slots__ = ("name", "body", "status", "snap")

    def __init__(self, name, body):
        self.name = name
        self.body = body
        self.status = None
        self.snap = None

    @property
    def acked(self):
        return self.status == 200


# Weights: mostly keep a slot running, so kills land on a running timer.
# goto brings a finished agenda back.
ACTION_WEIGHTS = {"start": 4, "resume": 3, "extend": 2, "pause": 1, "next": 1,
                  "previous": 1, "skip": 1, "goto": 2}


def moderator_worker(port, token, rng, stop, out, quiet):
    """The moderator: random timer actions with short random pauses; a quiet
    one only makes sure a slot runs, takes 3 s off and lets the time run
    out (and time's up fire, often while the daemon is down)."""
    c = Conn(port, token)
    names = sorted(ACTION_WEIGHTS)
    weights = [ACTION_WEIGHTS[n] for n in names]
    try:
        for i in range(2000):
            if stop.is_set() or (quiet and i >= 2):
                return
            last = next((a.snap["mode"] for a in reversed(out) if a.acked), None)
            if quiet:
                # Make a slot run out soon, then leave it alone.
                name = ("start" if last != "paused" else "resume", "extend")[i]
            elif last in ("finished", "idle") and rng.random() < 0.8:
                name = "goto"       # as a moderator would, to go on
            elif last in ("ready", "paused") and rng.random() < 0.6:
                name = "start" if last == "ready" else "resume"
            else:
                name = rng.choices(names, weights)[0]
            body = None
            if name == "extend":
                body = {"seconds": rng.choice((-2, -1, 1, 2, 3)) if not quiet else -3}
            elif name == "goto":
                body = {"pitch": "p%d" % rng.randrange(N_PITCHES)}
            elif name == "next":
                body = {"start": rng.random() < 0.7}
            a = Action(name, body)
            out.append(a)
            res = c.request("POST", "/api/v1/stages/main/" + name, body)
            if res is not None:
                a.status, a.snap = res
            elif stop.is_set():
                return
            time.sleep(rng.uniform(0.0, 0.12))
    finally:
        c.close()


class CrashSafetyTest(unittest.TestCase):

    def setUp(self):
        self.rng = random.Random(SEED)
        attendees = [dict(id="a%d" % i, name="Attendee %d" % i,
                          department="Dept %d" % (i % 3), role="department_head",
                          email="a%d@example.org" % i) for i in range(N_ATTENDEES)]
        cfg = make_config(
            stages=[("main", "Main Hall", [pitch("p%d" % i) for i in range(N_PITCHES)])],
            timing=dict(pitch="4s", changeover="0s", warning="2s", danger="1s",
                        grace="1s", on_time_up="next_start"),
            attendees=attendees)
        self.d = Daemon(cfg)
        self.addCleanup(self.d.cleanup)

    # -- verification

    def check_integrity(self):
        rows = self.d.db_query("PRAGMA integrity_check")
        self.assertEqual([list(r.values())[0] for r in rows], ["ok"])

    def check_interests(self, writes, known):
        """known: {(aid, pitch): (level, note) or None} as verified before."""
        rows = self.d.db_query("SELECT attendee, pitch, level, note FROM interests")
        db = {(r["attendee"], r["pitch"]): (r["level"], r["note"]) for r in rows}
        per_key = {}
        for w in writes:
            if w.kind in ("put", "delete"):
                per_key.setdefault(w.key, []).append(w)
        verified = 0
        for key in set(per_key) | set(known) | set(db):
            ws = per_key.get(key, [])
            allowed = [known.get(key)]
            for w in ws:
                if w.acked:
                    allowed = [w.value]
                    verified += 1
                elif w.status is None:
                    allowed.append(w.value)
            got = db.get(key)
            self.assertIn(got, allowed, "interest %s: stored %r, allowed %r (writes %r)"
                          % (key, got, allowed,
                             [(w.kind, w.value, w.status) for w in ws][-5:]))
            known[key] = got
        notes = {(r["attendee"], r["pitch"], r["level"], r["note"]) for r in self.d.db_query(
            "SELECT attendee, pitch, level, note FROM interest_history WHERE action = 'put'")}
        for w in writes:
            if w.kind == "put" and w.acked and w.answer is not None \
                    and w.answer.get("changed", True):
                self.assertIn((w.key[0], w.key[1], w.value[0], w.value[1]), notes,
                              "acknowledged put %r %r has no history row" % (w.key, w.value))
        return verified

    def check_presence(self, writes, known):
        """known: {aid: True (checked in) / False} as verified before."""
        rows = self.d.db_query("SELECT attendee, COUNT(*) AS n FROM presence "
                               "WHERE out_ms IS NULL GROUP BY attendee")
        open_ = {r["attendee"]: r["n"] for r in rows}
        for aid, n in open_.items():
            self.assertEqual(n, 1, "%s has %d open presence intervals" % (aid, n))
        verified = 0
        for i in range(N_ATTENDEES):
            aid = "a%d" % i
            allowed = [known.get(aid, False)]
            ws = [w for w in writes if w.key == aid]
            for w in ws:
                if w.acked:
                    allowed = [w.value]
                    verified += 1
                elif w.status is None:
                    allowed.append(w.value)
            got = aid in open_
            self.assertIn(got, allowed, "presence of %s: %s, allowed %r (last %r)"
                          % (aid, got, allowed, [(w.kind, w.status) for w in ws][-4:]))
            known[aid] = got
        return verified

    def check_ledger(self, actions):
        rows = self.d.db_query("SELECT id, seq, kind, what, who FROM ledger "
                               "WHERE stage = 'main' ORDER BY id")
        last = -1
        for r in rows:
            self.assertGreaterEqual(r["seq"], last, "ledger seq goes back at id %d" % r["id"])
            last = r["seq"]
        acts = {(r["seq"], r["what"]) for r in rows if r["kind"] == "action"}
        verified = 0
        for a in actions:
            if a.acked:
                self.assertIn((a.snap["seq"], a.name), acts,
                              "acknowledged %s (seq %d) has no ledger row"
                              % (a.name, a.snap["seq"]))
                verified += 1
        return verified

    def check_timer(self, actions):
        """The state after the restart, explained from the last acked snapshot."""
        g = self.d.state()
        # The ledger as of that answer (a catch-up on restart may add rows).
        ledger = [r for r in self.d.db_query(
            "SELECT id, seq, kind, what FROM ledger WHERE stage = 'main' ORDER BY id")
            if r["seq"] <= g["seq"]]
        self.assertIn(g["mode"], MODES)
        self.assertIn(g["phase"], PHASES)
        if g["mode"] == "running":
            self.assertIsNotNone(g["deadline_ms"])
            self.assertLessEqual(abs(g["deadline_ms"] - g["server_time_ms"] - g["remaining_ms"]),
                                 50, "running but remaining != deadline - now: %r" % g)
        acked = [a for a in actions if a.acked]
        if acked:
            s = acked[-1].snap
            lost = [a for a in actions[actions.index(acked[-1]) + 1:] if a.status is None]
        else:
            # Nothing acknowledged this time: start from the state seen
            # after the last restart.
            s = self.baseline
            lost = [a for a in actions if a.status is None]
        self.baseline = g
        if s is None:
            return "first"
        self.assertGreaterEqual(g["seq"], s["seq"], "seq went back: %r -> %r" % (s, g))
        later = [r for r in ledger if r["seq"] > s["seq"]]
        later_actions = [r for r in later if r["kind"] == "action"]
        if later_actions:
            # Only the one action whose answer was lost may have landed.
            self.assertLessEqual(len(later_actions), 1, "unacknowledged actions %r" % later_actions)
            self.assertTrue(lost and lost[-1].name == later_actions[0]["what"],
                            "ledger action %r after the last ack was never sent"
                            % later_actions[0])
            return "lost-action"
        time_ups = [r for r in later if r["kind"] == "time_up"]
        sid = s["pitch"]["id"] if s.get("pitch") else None
        gid = g["pitch"]["id"] if g.get("pitch") else None
        if s["mode"] != "running":
            self.assertEqual(time_ups, [], "time's up while %s" % s["mode"])
            self.assertEqual((g["mode"], gid), (s["mode"], sid),
                             "state moved without an action: %r -> %r" % (s, g))
            if s["mode"] == "paused":
                self.assertEqual(g["remaining_ms"], s["remaining_ms"],
                                 "paused remaining changed: %r -> %r" % (s, g))
            return s["mode"]
        k = len(time_ups)
        now = g["server_time_ms"]
        if k == 0:
            # Same slot, same deadline: wall time alone moved it.
            self.assertEqual((g["mode"], gid), ("running", sid),
                             "running slot lost: %r -> %r" % (s, g))
            self.assertLessEqual(abs(g["remaining_ms"] - (s["deadline_ms"] - now)), 1000,
                                 "remaining %d, wall time says %d (%r -> %r)"
                                 % (g["remaining_ms"], s["deadline_ms"] - now, s, g))
            self.assertLess(now, s["deadline_ms"] + GRACE_MS + 1000,
                            "time's up overdue after restart: %r -> %r" % (s, g))
            return "running"
        # Time's up fired k times (next_start): each one at deadline + grace.
        self.assertGreaterEqual(now, s["deadline_ms"] + GRACE_MS - 50,
                                "time's up before deadline + grace: %r -> %r" % (s, g))
        if g["mode"] == "running":
            self.assertGreater(g["pitch"]["position"], s["pitch"]["position"],
                               "time's up did not move on: %r -> %r" % (s, g))
            want = s["deadline_ms"] + k * (GRACE_MS + PITCH_MS)
            self.assertLessEqual(abs(g["deadline_ms"] - want), 1000,
                                 "after %d time's up deadline %d, want %d (%r -> %r)"
                                 % (k, g["deadline_ms"], want, s, g))
        else:
            self.assertEqual(g["mode"], "finished", "after time's up: %r -> %r" % (s, g))
        return "time-up"

    # -- the test

    def test_kill9_under_mixed_load(self):
        d = self.d
        d.start()
        self.baseline = None
        t_begin = time.monotonic()
        tokens = {"moderator": d.token("moderator")}
        for i in range(N_ATTENDEES):
            tokens["a%d" % i] = d.token("a%d" % i)
        known_interest, known_presence = {}, {}
        restarts = writes_ok = actions_ok = writes_tried = actions_tried = 0
        outcomes = {}
        cycle = 0
        while cycle < MAX_RESTARTS and (cycle < MIN_RESTARTS or
                                        time.monotonic() - t_begin < TIME_BUDGET):
            cycle += 1
            stop = threading.Event()
            quiet = self.rng.random() < 0.3
            writes = [[] for _ in range(N_ATTENDEES)]
            actions = []
            threads = [threading.Thread(
                target=moderator_worker,
                args=(d.port, tokens["moderator"], random.Random(self.rng.random()),
                      stop, actions, quiet), daemon=True)]
            for i in range(N_ATTENDEES):
                threads.append(threading.Thread(
                    target=attendee_worker,
                    args=(d.port, tokens["a%d" % i], "a%d" % i,
                          random.Random(self.rng.random()), cycle, stop, writes[i]),
                    daemon=True))
            for th in threads:
                th.start()
            time.sleep(self.rng.uniform(0.05, 0.6))
            stop.set()
            d.kill()
            for th in threads:
                th.join(timeout=REQ_TIMEOUT + 2)
                self.assertFalse(th.is_alive(), "a client thread hangs")
            # Now and then long enough for a time's up while the daemon is down.
            down = self.rng.uniform(0.0, 0.8) if not quiet else \
                self.rng.uniform(1.2, 2.5)
            time.sleep(down)
            d.start()
            restarts += 1

            allw = [w for ws in writes for w in ws]
            writes_tried += len(allw)
            self.check_integrity()
            writes_ok += self.check_interests(allw, known_interest)
            writes_ok += self.check_presence([w for w in allw if w.kind in ("checkin", "checkout")],
                                             known_presence)
            actions_ok += self.check_ledger(actions)
            actions_tried += len(actions)
            how = self.check_timer(actions)
            outcomes[how] = outcomes.get(how, 0) + 1
        took = time.monotonic() - t_begin
        log("restarts survived %d in %.1fs; writes tried %d, acknowledged writes verified %d; "
            "actions tried %d, acknowledged actions verified %d; timer after restart: %s"
            % (restarts, took, writes_tried, writes_ok, actions_tried, actions_ok,
               ", ".join("%s %d" % kv for kv in sorted(outcomes.items()))))
        self.assertGreaterEqual(restarts, MIN_RESTARTS)
        self.assertGreater(writes_ok, 0)
        self.assertGreater(actions_ok, 0)
        d.stop()


if __name__ == "__main__":
    unittest.main()
