"""The timer driven through every action while an SSE client watches the
stream (SPEC §3, §5; README "Timer decisions").

Timing: pitch 3s, changeover 0s, warning 2s, danger 1s, grace 1s,
on_time_up next_start. test_full_event: a 3-pitch event (pitch c overrides
grace 3s and on_time_up none so the overtime phase can be watched).
test_time_up_policies: message, next and next_start, re-arming by extend.
"""

import json
import time
import unittest

from taktharness import Daemon, SseClient, make_config, pitch, expected_phase

STREAM = "/api/v1/stages/main/stream"


class TimerFlowTest(unittest.TestCase):

    def boot(self, pitches):
        """Starts taktd on one stage `main` with those pitches and connects a stream."""
        self.d = Daemon(make_config(stages=[("main", "Main Hall", pitches)]))
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.sse = SseClient(self.d.port, STREAM)
        self.addCleanup(self.sse.close)
        self.action_seqs = []
        return self.d, self.sse

    # -- helpers

    def act(self, name, body=None):
        """Does an action, checks the stream carries its state, returns the snapshot."""
        snap = self.d.ok(name, body)
        self.assertEqual(snap["stage"], "main")
        self.action_seqs.append(snap["seq"])
        ev = self.sse.wait_for("state", lambda s: s.get("seq") == snap["seq"], timeout=3,
                               what="state seq %s after %s" % (snap["seq"], name))
        self.assertEqual(ev.id, str(snap["seq"]), "SSE id: must equal seq")
        self.assertEqual(ev.data["mode"], snap["mode"])
        return snap

    def tick(self, remaining, timeout=3.0):
        return self.sse.wait_for("tick", lambda t: t.get("remaining_ms") == remaining,
                                 timeout=timeout, what="tick %d" % remaining)

    def assert_running_snapshot(self, snap, pid, position):
        self.assertEqual(snap["mode"], "running", snap)
        self.assertEqual(snap["pitch"]["id"], pid, snap)
        self.assertEqual(snap["pitch"]["position"], position, snap)
        self.assertEqual(snap["duration_ms"], 3000, snap)
        self.assertIsNotNone(snap["deadline_ms"], snap)
        # deadline is the wall time at which remaining reaches 0
        self.assertLessEqual(abs(snap["deadline_ms"] - (snap["server_time_ms"] + snap["remaining_ms"])), 5, snap)
        # remaining = duration + added - elapsed
        self.assertLessEqual(abs(snap["remaining_ms"]
                                 - (snap["duration_ms"] + snap["added_ms"] - snap["elapsed_ms"])), 1, snap)

    # -- the scenario

    def test_full_event(self):
        d, sse = self.boot([pitch("a"), pitch("b"), pitch("c", grace="3s", on_time_up="none")])

        first = sse.wait_for("state", timeout=3, what="initial state")
        self.assertEqual(first.data["stage"], "main")
        self.assertEqual(first.data["mode"], "idle")
        self.assertEqual(first.data["phase"], "none")
        self.assertEqual(first.id, str(first.data["seq"]))
        for key in ("stage", "seq", "server_time_ms", "mode", "phase", "pitch", "duration_ms",
                    "added_ms", "elapsed_ms", "remaining_ms", "deadline_ms", "next", "delay_ms",
                    "message", "blackout"):
            self.assertIn(key, first.data)
        self.assertIsNone(first.data["deadline_ms"])
        self.assertEqual(first.data["next"]["id"], "a")

        slots = d.slots()
        self.assertEqual([slots[k]["status"] for k in "abc"], ["planned"] * 3)

        # -- a: start
        snap = self.act("start")
        self.assert_running_snapshot(snap, "a", 1)
        self.assertEqual(snap["phase"], "normal")
        self.assertEqual(snap["added_ms"], 0)
        self.assertTrue(2800 < snap["remaining_ms"] <= 3000, snap)
        self.assertEqual(snap["pitch"]["startup"], "Startup A")
        self.assertEqual(snap["pitch"]["presenter"], "Presenter a")
        self.assertEqual(snap["pitch"]["title"], "Title a")
        self.assertEqual(snap["next"]["id"], "b")
        slots = d.slots()
        # b's projected start is a's end (changeover 0); planned starts are
        # in the past (00:00), so the delay is projected - planned
        self.assertEqual(snap["next"]["projected_start_ms"], snap["deadline_ms"])
        self.assertEqual(snap["delay_ms"], snap["next"]["projected_start_ms"] - slots["b"]["planned_start_ms"])
        self.assertEqual(slots["b"]["projected_start_ms"], snap["deadline_ms"])
        self.assertEqual(slots["a"]["status"], "live")
        self.assertIsNotNone(slots["a"]["actual_start_ms"])
        self.assertIsNone(slots["a"]["actual_end_ms"])
        self.assertEqual(slots["b"]["status"], "planned")

        t = self.tick(2000)
        self.assertEqual(t.data["phase"], "warning")

        # -- pause right after the warning crossing
        snap = self.act("pause")
        self.assertEqual(snap["mode"], "paused")
        self.assertEqual(snap["phase"], "warning")
        self.assertIsNone(snap["deadline_ms"])
        paused_remaining = snap["remaining_ms"]
        self.assertTrue(1000 < paused_remaining <= 2000, snap)
        mark = sse.mark()
        time.sleep(1.3)
        self.assertEqual(sse.snapshot("tick", since=mark), [], "ticks while paused")
        st = d.state()
        self.assertEqual(st["mode"], "paused")
        self.assertEqual(st["remaining_ms"], paused_remaining, "remaining moved while paused")
        self.assertIsNone(st["deadline_ms"])

        # -- resume
        snap = self.act("resume")
        self.assert_running_snapshot(snap, "a", 1)
        self.assertLessEqual(abs(snap["remaining_ms"] - paused_remaining), 5, snap)
        self.assertEqual(snap["phase"], "warning")
        t = self.tick(1000)
        self.assertEqual(t.data["phase"], "danger")

        # -- extend by 2 s: back above the warning threshold
        snap = self.act("extend", {"seconds": 2})
        self.assert_running_snapshot(snap, "a", 1)
        self.assertEqual(snap["added_ms"], 2000)
        self.assertTrue(2000 < snap["remaining_ms"] <= 3000, snap)
        self.assertEqual(snap["phase"], "normal")
        self.assertEqual(self.tick(2000).data["phase"], "warning")
        self.assertEqual(self.tick(1000).data["phase"], "danger")
        t0 = self.tick(0)
        self.assertEqual(t0.data["phase"], "danger", "remaining exactly 0 is still danger")

        # -- time's up at -grace (-1 s): next_start loads b and starts it
        ev = sse.wait_for("state", lambda s: (s.get("pitch") or {}).get("id") == "b",
                          timeout=3, what="b auto-started")
        self.assertEqual(ev.data["mode"], "running", ev.data)
        self.assert_running_snapshot(ev.data, "b", 2)
        self.assertEqual(ev.data["added_ms"], 0)
        self.assertTrue(2000 < ev.data["remaining_ms"] <= 3000, ev.data)
        gap = ev.t - t0.t
        self.assertTrue(0.5 <= gap <= 1.5, "time's up %.3f s after the zero tick, want ~1 s" % gap)
        slots = d.slots()
        self.assertEqual(slots["a"]["status"], "done")
        self.assertIsNotNone(slots["a"]["actual_end_ms"])
        a_span = slots["a"]["actual_end_ms"] - slots["a"]["actual_start_ms"]
        # 3 s + ~1.3 s paused + 2 s added + 1 s grace
        self.assertTrue(6800 <= a_span <= 8500, "a ran %d ms" % a_span)
        self.assertEqual(slots["b"]["status"], "live")
        self.assertIsNone(slots["b"]["actual_end_ms"])
        self.assertEqual(slots["c"]["status"], "planned")
        # b started when a ended (time's up is exact)
        self.assertLessEqual(abs(slots["b"]["actual_start_ms"] - slots["a"]["actual_end_ms"]), 50)

        # -- b: skip it after its warning crossing (a no-show cut short)
        self.assertEqual(self.tick(2000).data["phase"], "warning")
        snap = self.act("skip")
        self.assertEqual(snap["mode"], "ready", snap)
        self.assertEqual(snap["pitch"]["id"], "c")
        self.assertEqual(snap["phase"], "none")
        self.assertEqual(snap["remaining_ms"], 3000)
        self.assertIsNone(snap["deadline_ms"])
        slots = d.slots()
        self.assertEqual(slots["b"]["status"], "skipped")
        self.assertIsNotNone(slots["b"]["actual_start_ms"])
        self.assertIsNotNone(slots["b"]["actual_end_ms"], "a live slot that is skipped gets its actual end")
        self.assertEqual(slots["c"]["status"], "planned")

        # -- previous loads b again; skip skips it again and loads c
        snap = self.act("previous")
        self.assertEqual(snap["mode"], "ready", snap)
        self.assertEqual(snap["pitch"]["id"], "b")
        self.assertEqual(snap["pitch"]["position"], 2)
        snap = self.act("skip")
        self.assertEqual(snap["mode"], "ready", snap)
        self.assertEqual(snap["pitch"]["id"], "c")

        # -- c: run into overtime (grace 3 s, on_time_up none)
        snap = self.act("start")
        self.assert_running_snapshot(snap, "c", 3)
        self.assertEqual(snap["phase"], "normal")
        self.assertIsNone(snap["next"], "nothing after the last slot")
        self.assertEqual(self.tick(2000).data["phase"], "warning")
        self.assertEqual(self.tick(1000).data["phase"], "danger")
        c_zero = self.tick(0)
        self.assertEqual(c_zero.data["phase"], "danger")
        self.assertEqual(self.tick(-1000).data["phase"], "overtime")
        self.assertEqual(self.tick(-2000).data["phase"], "overtime")
        self.assertEqual(self.tick(-3000).data["phase"], "overtime")
        time.sleep(0.2)
        st = d.state()
        self.assertEqual(st["mode"], "running", "on_time_up none keeps the slot running")
        self.assertEqual(st["pitch"]["id"], "c")
        self.assertEqual(st["phase"], "overtime")
        self.assertTrue(-4000 < st["remaining_ms"] < -3000, st)
        self.assertEqual(d.slots()["c"]["status"], "live")

        # -- next after the last: finished; next again: 409
        snap = self.act("next")
        self.assertEqual(snap["mode"], "finished", snap)
        self.assertEqual(snap["phase"], "none")
        self.assertIsNone(snap["deadline_ms"])
        self.assertIsNone(snap["next"])
        st, data = d.action("next")
        self.assertEqual(st, 409, data)
        self.assertIn("error", data)
        self.assertEqual(d.state()["seq"], snap["seq"], "a refused action must not change seq")

        # -- the agenda afterwards
        ev = d.event()
        self.assertEqual(ev["event"]["title"], "Integration Test Event")
        self.assertEqual(ev["event"]["timezone"], "Europe/Berlin")
        stage = ev["stages"][0]
        self.assertEqual(stage["id"], "main")
        self.assertEqual(stage["name"], "Main Hall")
        sl = stage["slots"]
        self.assertEqual([s["id"] for s in sl], ["a", "b", "c"])
        self.assertEqual([s["position"] for s in sl], [1, 2, 3])
        self.assertEqual([s["status"] for s in sl], ["done", "skipped", "done"])
        self.assertEqual([s["length_ms"] for s in sl], [3000] * 3)
        self.assertEqual(sl[1]["planned_start_ms"] - sl[0]["planned_start_ms"], 3000)
        self.assertEqual(sl[2]["planned_start_ms"] - sl[1]["planned_start_ms"], 3000)
        for s in sl:
            self.assertIsNotNone(s["actual_start_ms"], s)
            self.assertIsNotNone(s["actual_end_ms"], s)
            self.assertLess(s["actual_start_ms"], s["actual_end_ms"], s)
        c_span = sl[2]["actual_end_ms"] - sl[2]["actual_start_ms"]
        self.assertTrue(6000 <= c_span <= 7500, "c ran %d ms" % c_span)
        self.assertLessEqual(sl[0]["actual_end_ms"], sl[1]["actual_start_ms"] + 50)
        self.assertLessEqual(sl[1]["actual_end_ms"], sl[2]["actual_start_ms"] + 50)

        time.sleep(0.2)
        events = sse.snapshot()
        with self.subTest(check="overtime published when remaining goes below 0"):
            # phase is overtime as soon as remaining < 0: the state push for it
            # belongs at the zero crossing, not a second later
            ot = [e for e in events if e.event == "state" and e.data["phase"] == "overtime"
                  and (e.data.get("pitch") or {}).get("id") == "c"]
            self.assertTrue(ot, "no overtime state for c")
            lag = ot[0].data["server_time_ms"] - c_zero.data["server_time_ms"]
            self.assertLessEqual(lag, 100, "the overtime state was pushed %d ms after remaining "
                                 "reached 0 (screens show danger meanwhile, while GET /state "
                                 "already says overtime under the same seq)" % lag)
        self.check_stream(events, [("a", "warning"), ("a", "danger"), ("c", "warning"),
                                   ("c", "danger"), ("c", "overtime")])
        self.check_ledger(paused_remaining)

    def test_time_up_policies(self):
        """message, next and next_start at -grace; extend re-arms time's up;
        a negative extend past -grace fires it at once."""
        d, sse = self.boot([pitch("m", on_time_up="message"), pitch("n", on_time_up="next"),
                            pitch("o"), pitch("p")])
        sse.wait_for("state", timeout=3)

        # -- m: message at -grace, the slot keeps running
        snap = self.act("start")
        self.assert_running_snapshot(snap, "m", 1)
        t0 = self.tick(0)
        msg = sse.wait_for("message", timeout=2.5, what="time's-up message")
        gap = msg.t - t0.t
        self.assertTrue(0.5 <= gap <= 1.5, "time's-up message %.3f s after zero" % gap)
        st = d.state()
        self.assertEqual((st["mode"], st["pitch"]["id"], st["phase"]), ("running", "m", "overtime"))
        self.assertTrue(st["message"]["visible"])
        with self.subTest(check="time_up_message text"):   # recorded, the scenario goes on
            self.assertIn("Time is up", msg.raw, "message event of time's up")
            self.assertEqual(st["message"]["text"], "Time is up", "timing.time_up_message on the stage")

        # extend brings remaining back above -grace: time's up re-arms
        snap = self.act("extend", {"seconds": 3})
        self.assertTrue(1000 < snap["remaining_ms"] <= 2000, snap)
        self.assertEqual(snap["phase"], "warning")
        self.tick(0, timeout=3)
        sse.wait_for("state", lambda s: s["phase"] == "overtime" and s["pitch"]["id"] == "m",
                     timeout=2.5, what="m overtime again")
        # overtime is pushed as remaining drops below zero; time's up follows at -grace
        sse.wait_for("message", lambda m: m.get("visible") is True, timeout=2.5,
                     what="time's-up message again")
        snap = self.act("message", {"text": "", "visible": False})
        self.assertEqual(snap["message"], {"text": "", "visible": False, "blink": False})
        sse.wait_for("message", timeout=2, what="message cleared")

        # -- n: next at -grace loads o without starting it
        self.assertEqual(self.act("next")["pitch"]["id"], "n")
        snap = self.act("start")
        self.assert_running_snapshot(snap, "n", 2)
        ev = sse.wait_for("state", lambda s: (s.get("pitch") or {}).get("id") == "o",
                          timeout=5.5, what="o loaded by time's up")
        self.assertEqual(ev.data["mode"], "ready", ev.data)
        self.assertEqual(ev.data["phase"], "none")
        time.sleep(0.3)
        slots = d.slots()
        self.assertEqual(slots["n"]["status"], "done")
        self.assertLessEqual(abs(slots["n"]["actual_end_ms"] - slots["n"]["actual_start_ms"] - 4000), 5,
                             "n ended %d ms after its start, want 3 s + 1 s grace"
                             % (slots["n"]["actual_end_ms"] - slots["n"]["actual_start_ms"]))
        self.assertEqual(slots["o"]["status"], "planned")
        self.assertEqual(d.state()["mode"], "ready", "next policy must not start the slot")

        # -- o: a negative extend past -grace fires next_start at once
        snap = self.act("start")
        self.assert_running_snapshot(snap, "o", 3)
        time.sleep(0.3)
        snap = d.ok("extend", {"seconds": -5})
        self.action_seqs.append(snap["seq"])
        ext_time = snap["server_time_ms"]
        ev = sse.wait_for("state", lambda s: (s.get("pitch") or {}).get("id") == "p",
                          timeout=1.0, what="p started by an immediate time's up")
        self.assertEqual(ev.data["mode"], "running")
        slots = d.slots()
        self.assertEqual(slots["o"]["status"], "done")
        self.assertEqual(slots["p"]["status"], "live")
        # the reply's server_time_ms is taken after the commit, a few ms later
        self.assertGreaterEqual(slots["o"]["actual_end_ms"], ext_time - 100,
                                "o ended before the extend that ended it: %r" % slots["o"])
        self.assertLessEqual(abs(slots["p"]["actual_start_ms"] - slots["o"]["actual_end_ms"]), 5)
        self.assertEqual(self.tick(2000).data["phase"], "warning")
        snap = self.act("stop")
        self.assertEqual(snap["mode"], "idle")
        self.assertEqual(d.slots()["p"]["status"], "done")

        time.sleep(0.2)
        self.check_stream(sse.snapshot(), [("m", "warning"), ("m", "danger"), ("m", "overtime"),
                                           ("n", "warning"), ("n", "danger")])
        rc, _ = d.stop()
        self.assertEqual(rc, 0)
        rows = d.db_query("SELECT * FROM ledger WHERE stage = 'main' ORDER BY id")
        ups = [(r["pitch"], r["what"]) for r in rows if r["kind"] == "time_up"]
        self.assertEqual(ups, [("m", "message"), ("m", "message"), ("n", "next"), ("o", "next_start")])
        at = [r["at_ms"] for r in rows]
        self.assertEqual(at, sorted(at), "ledger at_ms out of order: %r" % rows)

    # -- whole-stream checks

    def check_stream(self, events, seen_phases=()):
        states = [e for e in events if e.event == "state"]
        ticks = [e for e in events if e.event == "tick"]
        self.assertGreater(len(ticks), 10)

        # state: one event per seq, no gaps, id == seq
        seqs = [e.data["seq"] for e in states]
        for prev, cur in zip(seqs, seqs[1:]):
            self.assertEqual(cur, prev + 1, "state seq jumped %d -> %d; all: %r" % (prev, cur, seqs))
        for e in states:
            self.assertEqual(e.id, str(e.data["seq"]))
        for s in self.action_seqs:
            self.assertIn(s, seqs)

        # phase crossings are state changes on the stream
        def seen(pid, phase):
            return any((e.data.get("pitch") or {}).get("id") == pid and e.data["phase"] == phase
                       for e in states)
        for pid, phase in seen_phases:
            self.assertTrue(seen(pid, phase), "no state event for %s entering %s" % (pid, phase))

        # ticks: walk the stream in order, segmenting at actions and slot changes
        actions = set(self.action_seqs)
        cur_state = None
        prev = None          # previous tick in the same running segment
        seg_start_remaining = None
        for e in events:
            if e.event == "state":
                s = e.data
                if (cur_state is None or s["seq"] in actions or s["mode"] != "running"
                        or (s.get("pitch") or {}).get("id") != (cur_state.get("pitch") or {}).get("id")):
                    prev = None
                    seg_start_remaining = s["remaining_ms"]
                cur_state = s
                continue
            if e.event != "tick":
                continue
            tk = e.data
            for key in ("seq", "remaining_ms", "phase", "server_time_ms"):
                self.assertIn(key, tk)
            self.assertIsNotNone(cur_state, "tick before the first state")
            self.assertEqual(cur_state["mode"], "running", "tick %r while %s" % (tk, cur_state["mode"]))
            r = tk["remaining_ms"]
            self.assertEqual(r % 1000, 0, "tick remaining not a whole second: %r" % tk)
            self.assertEqual(tk["phase"], expected_phase(r), "tick %r" % tk)
            self.assertIn(tk["seq"], (cur_state["seq"], cur_state["seq"] + 1), "tick %r after state %d"
                          % (tk, cur_state["seq"]))
            # server_time_ms is the crossing instant: deadline - remaining
            if cur_state.get("deadline_ms") is not None and cur_state["seq"] == tk["seq"]:
                self.assertLessEqual(abs(tk["server_time_ms"] - (cur_state["deadline_ms"] - r)), 5,
                                     "tick %r vs deadline %d" % (tk, cur_state["deadline_ms"]))
            # pushed right at the crossing (same host clock; tolerant, not a benchmark)
            late = e.wall * 1000 - tk["server_time_ms"]
            self.assertTrue(-20 <= late <= 250, "tick %r arrived %d ms after its crossing" % (tk, late))
            if prev is None:
                sr = seg_start_remaining
                allowed = {((sr - 1) // 1000) * 1000}
                if sr % 1000 == 0:
                    allowed.add(sr)
                self.assertIn(r, allowed, "first tick %r of a segment starting at remaining %d" % (tk, sr))
            else:
                self.assertEqual(r, prev.data["remaining_ms"] - 1000,
                                 "tick gap/duplicate: %r after %r" % (tk, prev.data))
                self.assertEqual(tk["server_time_ms"] - prev.data["server_time_ms"], 1000,
                                 "tick crossing instants not 1 s apart: %r after %r" % (tk, prev.data))
                dt = e.t - prev.t
                self.assertTrue(0.5 <= dt <= 1.5, "tick arrival spacing %.3f s: %r" % (dt, tk))
            prev = e

    def check_ledger(self, paused_remaining):
        """The ledger (schema/001_init.sql) has every action and crossing, in order."""
        d = self.d
        rc, _ = d.stop()
        self.assertEqual(rc, 0, "exit code after SIGTERM")
        self.assertIn("ledger", d.db_tables())
        rows = d.db_query("SELECT * FROM ledger WHERE stage = 'main' ORDER BY id")
        self.assertTrue(rows)
        actions = [r for r in rows if r["kind"] == "action"]
        self.assertEqual([r["what"] for r in actions],
                         ["start", "pause", "resume", "extend", "skip", "previous", "skip",
                          "start", "next"], "ledger actions: %r" % actions)
        self.assertEqual([r["pitch"] for r in actions[:4]], ["a"] * 4, actions[:4])
        self.assertEqual(actions[7]["pitch"], "c", actions[7])
        self.assertEqual([r["seq"] for r in actions], self.action_seqs)
        for r in actions:
            self.assertEqual(r["who"], "moderator", r)
        self.assertEqual(actions[1]["remaining_ms"], paused_remaining, actions[1])
        self.assertEqual(actions[3]["payload"] and json.loads(actions[3]["payload"]), {"seconds": 2})

        phases = [(r["pitch"], r["what"], r["remaining_ms"]) for r in rows if r["kind"] == "phase"]
        want = [("a", "warning", 2000), ("a", "danger", 1000), ("a", "warning", 2000),
                ("a", "danger", 1000), ("a", "zero", 0), ("b", "warning", 2000),
                ("c", "warning", 2000), ("c", "danger", 1000), ("c", "zero", 0)]
        self.assertEqual(phases, want, "ledger phase crossings")
        ups = [(r["pitch"], r["what"], r["remaining_ms"]) for r in rows if r["kind"] == "time_up"]
        self.assertEqual(ups, [("a", "next_start", -1000), ("c", "none", -3000)], "ledger time's up rows")
        for r in rows:
            if r["kind"] != "action":
                self.assertEqual(r["who"], "timer", r)
        # append-only order: time and seq never go back
        at = [r["at_ms"] for r in rows]
        self.assertEqual(at, sorted(at), "ledger at_ms out of order")
        seqs = [r["seq"] for r in rows]
        self.assertEqual(seqs, sorted(seqs), "ledger seq out of order")
        # crossings are recorded at the crossing instant, like the ticks
        ticks = {}
        for e in self.sse.snapshot("tick"):
            ticks.setdefault(e.data["remaining_ms"], []).append(e.data["server_time_ms"])
        for r in rows:
            if r["kind"] == "phase" and r["remaining_ms"] in ticks:
                self.assertTrue(any(abs(r["at_ms"] - t) <= 1 for t in ticks[r["remaining_ms"]]),
                                "ledger %r: at_ms is no tick's crossing instant %r"
                                % (r, ticks[r["remaining_ms"]]))

if __name__ == "__main__":
    unittest.main()
