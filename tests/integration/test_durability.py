"""A 2xx for a write means the row is on disk (SPEC §2): kill -9 under load.

16 client threads, one attendee token each, keep-alive connections, PUT
interests in a loop with a new note (and alternating level) every time and
record every attempt and whether it was acknowledged. After ~1.5 s the daemon
gets SIGKILL while they are writing; the clients see transport errors and
stop. Restarted on the same directory, for every (attendee, pitch):

  - the stored value is the last acknowledged one or a later attempt whose
    answer was lost with the daemon, never an older value, never missing
    when one was acknowledged, never something nobody sent;
  - every acknowledged write has its interest_history row;
  - PRAGMA integrity_check is ok, /api/v1/me serves the same interests.

Three kill cycles on the group-commit writer, one with --commit-per-request.
The counts go to stderr for the CI log.
"""

import http.client
import sys
import threading
import time
import unittest

from taktharness import Daemon, make_config
from takt_event import KeepAlive, many_attendees, many_pitches

N_ATTENDEES = 16
N_PITCHES = 6
RUN_S = 1.5              # load before the kill
MAX_REQUESTS = 50000     # per client and cycle: a bound, never reached in 1.5 s
CLIENT_DEADLINE = 8.0    # a client gives up this long after its cycle started
LEVELS = ("follow_up", "info")


def log(msg):
    sys.stderr.write("durability: %s\n" % msg)
    sys.stderr.flush()


class Attempt:
    __slots__ = ("attendee", "pitch", "level", "note", "status", "error", "cycle")

    def __init__(self, attendee, pitch, level, note, cycle):
        self.attendee, self.pitch, self.level, self.note = attendee, pitch, level, note
        self.cycle = cycle
        self.status = None      # HTTP status, None when no answer arrived
        self.error = None

    @property
    def acked(self):
        return self.status is not None and 200 <= self.status < 300

    def value(self):
        return (self.level, self.note)


def client(port, token, aid, index, cycle, attempts, bad, deadline):
    """One attendee's phone: PUT after PUT until the daemon goes away."""
    cli = KeepAlive(port, token, timeout=10.0)
    try:
        for seq in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            pid = "p%d" % ((seq + index) % N_PITCHES + 1)
            level = LEVELS[(seq // N_PITCHES + index) % 2]
            note = '%s c%d #%d, "ü" =1+1' % (aid, cycle, seq)
            a = Attempt(aid, pid, level, note, cycle)
            attempts.append(a)          # recorded before it is sent
            try:
                st, data = cli.request("PUT", "/api/v1/interests/" + pid,
                                       {"level": level, "note": note})
            except (OSError, http.client.HTTPException) as e:
                a.error = repr(e)
                break
            a.status = st
            if not a.acked or not isinstance(data, dict) or data.get("note") != note \
                    or data.get("level") != level or data.get("changed") is not True:
                bad.append((aid, pid, st, data))
                break
    finally:
        cli.close()


def noise(port, token, deadline, statuses):
    """The organiser's writes that fail inside the writer's transaction (unknown
    attendee, unknown pitch): each is rolled back alone, the batch it shares
    with the clients' writes must still commit."""
    cli = KeepAlive(port, token, timeout=10.0)
    bodies = (("/api/v1/interests/p1", {"level": "info", "note": "x", "attendee": "ghost"}),
              ("/api/v1/interests/nosuch", {"level": "info", "note": "x", "attendee": "a01"}),
              ("/api/v1/interests/nosuch", {"level": "info", "attendee": "a02"}))
    try:
        for seq in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            path, body = bodies[seq % len(bodies)]
            try:
                st, _ = cli.request("PUT", path, body)
            except (OSError, http.client.HTTPException):
                break
            statuses.append(st)
    finally:
        cli.close()


class DurabilityTest(unittest.TestCase):

    def setUp(self):
        self.d = Daemon(make_config(
            stages=[("main", "Main Hall", many_pitches(N_PITCHES))],
            attendees=many_attendees(N_ATTENDEES),
            timing=dict(on_time_up="none")))
        self.addCleanup(self.d.cleanup)
        self.attempts = {}          # (attendee, pitch) -> [Attempt] in send order
        self.totals = dict(acked=0, verified_pairs=0, history=0, lost_answers=0,
                           lost_answers_stored=0)

    def test_kill9_under_group_commit(self):
        self.run_cycles(3, ())

    def test_kill9_with_commit_per_request(self):
        self.run_cycles(1, ("--commit-per-request",))

    # ------------------------------------------------------------------

    def run_cycles(self, cycles, extra_args):
        d = self.d
        mode = "per-request commit" if extra_args else "group commit"
        d.start(extra_args=extra_args)
        aids = ["a%02d" % i for i in range(1, N_ATTENDEES + 1)]
        tokens = {aid: d.token(aid) for aid in aids}
        for cycle in range(1, cycles + 1):
            per_client = {aid: [] for aid in aids}
            bad = []
            t0 = time.monotonic()
            ths = [threading.Thread(target=client, daemon=True,
                                    args=(d.port, tokens[aid], aid, i, cycle, per_client[aid],
                                          bad, t0 + CLIENT_DEADLINE))
                   for i, aid in enumerate(aids)]
            noise_statuses = []
            ths.append(threading.Thread(target=noise, daemon=True,
                                        args=(d.port, d.token("organiser"),
                                              t0 + CLIENT_DEADLINE, noise_statuses)))
            for th in ths:
                th.start()
            time.sleep(RUN_S)
            metrics = self.writer_metrics(d)
            pid = d.proc.pid
            d.kill()
            self.assertEqual(d.proc.returncode, -9, "taktd %d was not killed by SIGKILL" % pid)
            for th in ths:
                th.join(timeout=max(0.5, t0 + CLIENT_DEADLINE + 5 - time.monotonic()))
            self.assertFalse(any(th.is_alive() for th in ths), "a client did not stop")
            self.assertEqual(bad, [], "non-2xx answers or wrong replies under load")
            self.assertTrue(noise_statuses, "the failing writes never ran")
            self.assertEqual(set(noise_statuses), {404},
                             "writes for unknown attendees or pitches under load")
            jobs, commits = metrics
            self.assertGreater(jobs, 0, "takt_writes_total")
            if extra_args:
                self.assertEqual(commits, jobs, "--commit-per-request: one commit per write")
            else:
                self.assertLess(commits, jobs, "group commit: 16 concurrent writers never "
                                "shared a commit")

            acked = sum(1 for aid in aids for a in per_client[aid] if a.acked)
            lost = [a for aid in aids for a in per_client[aid] if not a.acked]
            self.assertGreater(acked, 0, "no write was acknowledged in %.1f s" % RUN_S)
            # every client was stopped by the kill, not by its own bounds
            for aid in aids:
                self.assertTrue(per_client[aid] and per_client[aid][-1].error is not None,
                                "%s stopped without a transport error" % aid)
            for aid in aids:
                for a in per_client[aid]:
                    self.attempts.setdefault((a.attendee, a.pitch), []).append(a)

            d.start(extra_args=extra_args)        # the same directory and database
            stats = self.verify(d)
            self.totals["acked"] += acked
            self.totals["lost_answers"] += len(lost)
            self.totals["lost_answers_stored"] += stats["lost_stored"]
            log("%s cycle %d: %d writes acknowledged (%d attempts), %d answers lost in the "
                "kill (%d of those stored anyway); all %d acknowledged writes so far found in "
                "interest_history and %d (attendee, pitch) values after restart; %d failing "
                "writes mixed in (404); /metrics before the kill: %d writes in %d commits"
                % (mode, cycle, acked, acked + len(lost), len(lost), stats["lost_stored"],
                   stats["history_checked"], stats["pairs"], len(noise_statuses),
                   metrics[0], metrics[1]))
        log("%s total: %d acknowledged writes over %d kill -9 cycles, all verified; "
            "%d answers lost, %d of them stored"
            % (mode, self.totals["acked"], cycles, self.totals["lost_answers"],
               self.totals["lost_answers_stored"]))

    def writer_metrics(self, d):
        """(takt_writes_total, takt_write_commits_total) from /metrics."""
        st, _, text = d.request("GET", "/metrics")
        self.assertEqual(st, 200, text)
        vals = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("takt_writes_total", "takt_write_commits_total"):
                vals[parts[0]] = int(float(parts[1]))
        self.assertEqual(len(vals), 2, "writer counters missing from /metrics")
        return vals["takt_writes_total"], vals["takt_write_commits_total"]

    def verify(self, d):
        """Checks the restarted daemon's database against every attempt so far."""
        ic = d.db_query("PRAGMA integrity_check")
        self.assertEqual([list(r.values())[0] for r in ic], ["ok"], ic)
        self.assertEqual(d.db_query("PRAGMA foreign_key_check"), [])
        rows = {(r["attendee"], r["pitch"]): (r["level"], r["note"])
                for r in d.db_query("SELECT attendee, pitch, level, note FROM interests")}
        hist = d.db_query("SELECT attendee, pitch, action, level, note FROM interest_history")
        hist_set = {(h["attendee"], h["pitch"], h["level"], h["note"])
                    for h in hist if h["action"] == "put"}
        self.assertEqual(len(hist_set), len(hist), "duplicate or non-put history rows")

        sent = {(a.attendee, a.pitch, a.level, a.note)
                for lst in self.attempts.values() for a in lst}
        self.assertEqual(set(rows) - set(self.attempts), set(),
                         "interests nobody sent")
        self.assertEqual(hist_set - sent, set(), "history rows nobody sent")

        lost_stored = 0
        history_checked = 0
        for key, lst in self.attempts.items():
            last = max((i for i, a in enumerate(lst) if a.acked), default=None)
            got = rows.get(key)
            if last is None:
                allowed = [a.value() for a in lst]
                self.assertTrue(got is None or got in allowed,
                                "%s: stored %r was never sent" % (key, got))
            else:
                allowed = [a.value() for a in lst[last:]]
                self.assertIsNotNone(got, "%s: acknowledged %r is missing"
                                     % (key, lst[last].value()))
                if got not in allowed:
                    older = [a.value() for a in lst[:last]]
                    self.fail("%s: stored %r, but %r was acknowledged later%s"
                              % (key, got, lst[last].value(),
                                 " (it is an older value)" if got in older else ""))
            for a in lst:
                if a.acked:
                    history_checked += 1
                    self.assertIn((a.attendee, a.pitch, a.level, a.note), hist_set,
                                  "acknowledged write without its history row")
                elif (a.attendee, a.pitch, a.level, a.note) in hist_set:
                    lost_stored += 1

        # the daemon serves what is on disk
        for aid in sorted({k[0] for k in self.attempts}):
            st, _, me = d.request("GET", "/api/v1/me", token=aid)
            self.assertEqual(st, 200, me)
            served = {(aid, i["pitch"]): (i["level"], i["note"]) for i in me["interests"]}
            self.assertEqual(served, {k: v for k, v in rows.items() if k[0] == aid},
                             "/api/v1/me of %s disagrees with the database" % aid)
        return dict(pairs=len(self.attempts), history_checked=history_checked,
                    lost_stored=lost_stored)


if __name__ == "__main__":
    unittest.main()
