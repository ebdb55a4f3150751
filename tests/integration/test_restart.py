"""kill -9 and restart on the same directory (SPEC §2, §3; README: a
restarted daemon resumes the running slot where wall time says it is)."""

import signal
import time
import unittest

from taktharness import Daemon, SseClient, make_config, now_ms, pitch

STREAM = "/api/v1/stages/main/stream"


def read(path):
    with open(path) as f:
        return f.read()


class RestartTest(unittest.TestCase):

    def setUp(self):
        self.d = Daemon(make_config(
            stages=[("main", "Main Hall", [pitch("a"), pitch("b"), pitch("c")])],
            timing=dict(pitch="20s", warning="5s", danger="2s", grace="5s", on_time_up="none")))
        self.addCleanup(self.d.cleanup)

    def test_kill9_running_then_paused(self):
        d = self.d
        d.start()
        tokens_before = read(d.tokens_path)
        moderator = d.token("moderator")
        organiser = d.token("organiser")

        snap = d.ok("start")
        self.assertEqual(snap["mode"], "running")
        d.ok("next", {"start": True})       # b live, so the slot is not just "the first"
        time.sleep(1.5)
        before = d.state()
        self.assertEqual(before["mode"], "running")
        self.assertEqual(before["pitch"]["id"], "b")
        deadline = before["deadline_ms"]
        self.assertIsNotNone(deadline)
        seq_before = before["seq"]

        # -- kill -9 mid-pitch, stay down a moment, restart on the same dir
        d.kill()
        self.assertNotEqual(d.proc.returncode, 0)
        time.sleep(1.0)
        d.start()
        after = d.state()
        wall = now_ms()
        self.assertEqual(after["mode"], "running", after)
        self.assertEqual(after["pitch"]["id"], "b", "same slot after restart")
        self.assertEqual(after["pitch"]["position"], 2)
        implied = deadline - after["server_time_ms"]
        self.assertLessEqual(abs(after["remaining_ms"] - implied), 1000,
                             "remaining %d, wall time implies %d" % (after["remaining_ms"], implied))
        self.assertLessEqual(abs(after["deadline_ms"] - deadline), 1000, (before, after))
        self.assertLessEqual(abs(after["server_time_ms"] - wall), 1000)
        self.assertGreaterEqual(after["seq"], seq_before, "seq went backwards across restart")
        # the agenda kept its statuses
        slots = d.slots()
        self.assertEqual(slots["a"]["status"], "done")
        self.assertEqual(slots["b"]["status"], "live")
        self.assertEqual(slots["c"]["status"], "planned")

        # tokens were not reissued and still work
        self.assertEqual(read(d.tokens_path), tokens_before, "tokens file rewritten on restart")
        self.assertEqual(d.read_tokens()["moderator"], moderator)
        st, _, data = d.request("POST", "/api/v1/reload", token=organiser)
        self.assertEqual(st, 200, "old organiser token after restart: %s %r" % (st, data))

        # the stream picks up where it was
        sse = SseClient(d.port, STREAM)
        self.addCleanup(sse.close)
        first = sse.wait_for("state", timeout=3)
        self.assertEqual(first.data["pitch"]["id"], "b")
        self.assertGreaterEqual(first.data["seq"], seq_before)
        tick = sse.wait_for("tick", timeout=2.5)
        self.assertEqual(tick.data["remaining_ms"] % 1000, 0)
        self.assertLessEqual(abs(tick.data["server_time_ms"] - (deadline - tick.data["remaining_ms"])), 1000)

        # -- pause, kill -9, restart: still paused with the same remaining
        snap = d.ok("pause", token=moderator)
        self.assertGreater(snap["seq"], seq_before)
        self.assertEqual(snap["mode"], "paused")
        paused_remaining = snap["remaining_ms"]
        seq_paused = snap["seq"]
        time.sleep(0.3)
        d.kill()
        time.sleep(1.5)
        d.start()
        st = d.state()
        self.assertEqual(st["mode"], "paused", st)
        self.assertEqual(st["pitch"]["id"], "b")
        self.assertLessEqual(abs(st["remaining_ms"] - paused_remaining), 50,
                             "paused remaining %d before kill, %d after" % (paused_remaining, st["remaining_ms"]))
        self.assertIsNone(st["deadline_ms"])
        self.assertGreaterEqual(st["seq"], seq_paused)
        time.sleep(0.5)
        self.assertEqual(d.state()["remaining_ms"], st["remaining_ms"], "paused count moved after restart")

        # resume continues from there; seq keeps growing
        snap = d.ok("resume", token=moderator)
        self.assertEqual(snap["mode"], "running")
        self.assertLessEqual(abs(snap["remaining_ms"] - paused_remaining), 50)
        self.assertGreater(snap["seq"], st["seq"])
        self.assertLessEqual(abs(snap["deadline_ms"] - (snap["server_time_ms"] + snap["remaining_ms"])), 5)

        # a graceful restart (SIGTERM) keeps it too
        rc, _ = d.stop(signal.SIGTERM)
        self.assertEqual(rc, 0)
        d.start()
        st2 = d.state()
        self.assertEqual(st2["mode"], "running")
        self.assertEqual(st2["pitch"]["id"], "b")
        self.assertLessEqual(abs(st2["deadline_ms"] - snap["deadline_ms"]), 1000)
        self.assertGreaterEqual(st2["seq"], snap["seq"])

    def test_kill9_past_time_up(self):
        """Down across the deadline and -grace: on restart the time's-up
        policy has been applied (next_start) exactly once."""
        d = Daemon(make_config(
            stages=[("main", "Main Hall", [pitch("a"), pitch("b")])],
            timing=dict(pitch="3s", warning="2s", danger="1s", grace="2s", on_time_up="next_start")))
        self.addCleanup(d.cleanup)
        d.start()
        snap = d.ok("start")
        deadline = snap["deadline_ms"]
        time.sleep(0.5)
        d.kill()
        # down across zero and across -grace (deadline + 2 s)
        time.sleep(5.0)
        d.start()
        st = d.state()
        # time's up at deadline + 2 s: b started then (next_start), whether
        # the daemon applied it at restart exactly or caught up
        self.assertEqual(st["mode"], "running", st)
        self.assertEqual(st["pitch"]["id"], "b", st)
        slots = d.slots()
        self.assertEqual(slots["a"]["status"], "done")
        self.assertLessEqual(abs(slots["a"]["actual_end_ms"] - (deadline + 2000)), 1000,
                             "a should end at its time's up: %r" % slots["a"])
        self.assertEqual(slots["b"]["status"], "live")
        rc, _ = d.stop()
        self.assertEqual(rc, 0)
        tables = [t for t in d.db_tables() if "ledger" in t.lower()]
        self.assertTrue(tables, d.db_tables())
        rows = d.db_query("SELECT * FROM %s" % tables[0])
        fired = [r for r in rows if r["kind"] == "time_up"]
        self.assertEqual([(r["pitch"], r["what"]) for r in fired], [("a", "next_start")],
                         "time's up rows: %r" % fired)


if __name__ == "__main__":
    unittest.main()
