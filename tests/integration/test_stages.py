"""Two stages run independently; each stream carries only its own stage."""

import http.client
import json
import os
import socket
import threading
import time
import unittest

from taktharness import Daemon, SseClient, make_config, pitch, asan_binary, rss_kib, tcp_state


class StagesTest(unittest.TestCase):

    def setUp(self):
        stages = [("hall", "Great Hall", [pitch("h1"), pitch("h2")]),
                  ("room", "Small Room", [pitch("r1"), pitch("r2")])]
        self.d = Daemon(make_config(stages=stages,
                                    timing=dict(pitch="10s", warning="3s", danger="1s", grace="2s",
                                                on_time_up="none")))
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.hall = SseClient(self.d.port, "/api/v1/stages/hall/stream")
        self.addCleanup(self.hall.close)
        self.room = SseClient(self.d.port, "/api/v1/stages/room/stream")
        self.addCleanup(self.room.close)

    def test_independent_stages(self):
        d, hall, room = self.d, self.hall, self.room
        ev = d.event()
        self.assertEqual([s["id"] for s in ev["stages"]], ["hall", "room"])
        self.assertEqual([sl["id"] for sl in ev["stages"][0]["slots"]], ["h1", "h2"])
        self.assertEqual([sl["id"] for sl in ev["stages"][1]["slots"]], ["r1", "r2"])
        self.assertEqual(hall.wait_for("state", timeout=3).data["stage"], "hall")
        self.assertEqual(room.wait_for("state", timeout=3).data["stage"], "room")

        h = d.ok("start", stage="hall")
        self.assertEqual(h["stage"], "hall")
        self.assertEqual(h["pitch"]["id"], "h1")
        self.assertEqual(d.state("room")["mode"], "idle", "starting hall touched room")
        time.sleep(0.4)
        r = d.ok("start", stage="room")
        self.assertEqual(r["stage"], "room")
        self.assertEqual(r["pitch"]["id"], "r1")
        self.assertEqual(r["pitch"]["position"], 1)
        self.assertEqual(d.state("hall")["mode"], "running")

        # both tick on their own streams
        hall.wait_for("tick", lambda t: t["remaining_ms"] == 9000, timeout=2.5)
        room.wait_for("tick", lambda t: t["remaining_ms"] == 9000, timeout=2.5)

        # pause hall; room keeps running
        hp = d.ok("pause", stage="hall")
        self.assertEqual(hp["mode"], "paused")
        hall.wait_for("state", lambda s: s["seq"] == hp["seq"], timeout=2)
        hall_mark = hall.mark()
        room_mark = room.mark()
        rs1 = d.state("room")
        time.sleep(2.2)
        rs2 = d.state("room")
        self.assertEqual(rs2["mode"], "running")
        self.assertEqual(rs2["deadline_ms"], rs1["deadline_ms"], "pausing hall moved room's deadline")
        self.assertEqual(rs2["seq"] - rs1["seq"], 0, "room changed state without an action")
        self.assertLess(rs2["remaining_ms"], rs1["remaining_ms"] - 1500)
        hs = d.state("hall")
        self.assertEqual(hs["mode"], "paused")
        self.assertEqual(hs["remaining_ms"], hp["remaining_ms"])
        self.assertEqual(hall.snapshot("tick", since=hall_mark), [], "ticks on the paused hall stream")
        self.assertGreaterEqual(len(room.snapshot("tick", since=room_mark)), 2, "room stopped ticking")

        # a message on room goes to room only
        m = d.ok("message", {"text": "Room only"}, stage="room")
        self.assertEqual(m["message"]["text"], "Room only")
        room.wait_for("message", lambda x: "Room only" in str(x), timeout=2)
        self.assertEqual(d.state("hall")["message"]["text"], "")
        # extend on hall (paused) is hall's
        he = d.ok("extend", {"seconds": 5}, stage="hall")
        self.assertEqual(he["added_ms"], 5000)
        self.assertEqual(d.state("room")["added_ms"], 0)
        # next on room loads r2; hall unchanged
        rn = d.ok("next", stage="room")
        self.assertEqual(rn["pitch"]["id"], "r2")
        self.assertEqual(d.state("hall")["pitch"]["id"], "h1")
        # goto another stage's pitch is unknown on this stage
        st, data = d.action("goto", {"pitch": "h2"}, stage="room")
        self.assertEqual(st, 404, "goto hall's pitch on room: %s %r" % (st, data))
        self.assertEqual(d.ok("resume", stage="hall")["mode"], "running")
        hall.wait_for("tick", timeout=2)
        time.sleep(0.3)

        # each stream carries only its own stage's events
        for client, stage, own in ((hall, "hall", {"h1", "h2"}), (room, "room", {"r1", "r2"})):
            events = client.snapshot()
            seqs = []
            for e in events:
                if e.event == "state":
                    self.assertEqual(e.data["stage"], stage, e)
                    if e.data.get("pitch"):
                        self.assertIn(e.data["pitch"]["id"], own, e)
                    seqs.append(e.data["seq"])
                elif e.event == "message":
                    if stage == "hall":
                        self.fail("room's message on the hall stream: %r" % e)
            for prev, cur in zip(seqs, seqs[1:]):
                self.assertEqual(cur, prev + 1, "%s stream seqs %r" % (stage, seqs))
        self.assertFalse(any("Room only" in e.raw for e in hall.snapshot()),
                         "room's message text on the hall stream")
        # a room tick must be one of room's values: ticks on hall's stream while
        # hall was paused were checked above; the remaining of each stream's
        # ticks matches its own deadline
        for client, stage in ((hall, "hall"), (room, "room")):
            deadlines = {}
            for e in client.snapshot():
                if e.event == "state" and e.data.get("deadline_ms") is not None:
                    deadlines[e.data["seq"]] = e.data["deadline_ms"]
                if e.event == "tick" and e.data["seq"] in deadlines:
                    self.assertLessEqual(abs(e.data["server_time_ms"]
                                             - (deadlines[e.data["seq"]] - e.data["remaining_ms"])), 5,
                                         "%s tick %r does not match its stage's deadline" % (stage, e.data))

    def test_concurrent_actions_and_connection_limit(self):
        """Actions arriving together are each applied once, in seq order, and
        the stream shows every one; connections beyond max_connections get 503."""
        d, hall = self.d, self.hall
        hall.wait_for("state", timeout=3)
        start = d.ok("start", stage="hall")
        results = []
        lock = threading.Lock()

        def worker():
            st, data = d.action("extend", {"seconds": 1}, stage="hall")
            with lock:
                results.append((st, data.get("seq") if isinstance(data, dict) else None))

        threads = [threading.Thread(target=worker) for _ in range(24)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=15)
        self.assertEqual([r[0] for r in results], [200] * 24, results)
        seqs = sorted(r[1] for r in results)
        self.assertEqual(len(set(seqs)), 24, "two actions answered with the same seq: %r" % seqs)
        st = d.state("hall")
        self.assertEqual(st["added_ms"], 24000)
        last = max(seqs)
        self.assertGreaterEqual(st["seq"], last)
        hall.wait_for("state", lambda s: s["seq"] == last, timeout=3)
        states = [e.data["seq"] for e in hall.snapshot("state") if e.data["seq"] >= start["seq"]]
        for prev, cur in zip(states, states[1:]):
            self.assertEqual(cur, prev + 1, "stream seqs %r" % states)
        for s in seqs:
            self.assertIn(s, states)
        d.stop()
        rows = d.db_query("SELECT what FROM ledger WHERE stage = 'hall' AND what = 'extend'")
        self.assertEqual(len(rows), 24)

    def test_heartbeat_and_idle_timeout(self):
        """Idle streams get a comment at least every 15 s and stay open past
        30 s; idle non-stream connections are closed after 30 s."""
        port = self.d.port
        t0 = time.monotonic()
        closed_at = {}

        def watch(name, sock):
            sock.settimeout(40)
            try:
                while sock.recv(65536):
                    pass
            except OSError:
                pass
            closed_at[name] = time.monotonic() - t0
            sock.close()

        idle = socket.create_connection(("127.0.0.1", port), timeout=5)
        ka = socket.create_connection(("127.0.0.1", port), timeout=5)
        ka.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        watchers = [threading.Thread(target=watch, args=(n, s), daemon=True)
                    for n, s in (("idle", idle), ("keep-alive", ka))]
        for w in watchers:
            w.start()

        c1 = self.hall.wait_for(":comment", timeout=17, what="heartbeat comment")
        self.assertLessEqual(c1.t - t0, 16.5)
        self.room.wait_for(":comment", timeout=2, what="heartbeat on the other stage")
        c2 = self.hall.wait_for(":comment", timeout=17, what="second heartbeat")
        self.assertTrue(10 <= c2.t - c1.t <= 16.5, "heartbeats %.1f s apart" % (c2.t - c1.t))
        for w in watchers:
            w.join(timeout=max(0.1, t0 + 36 - time.monotonic()))
        for name in ("idle", "keep-alive"):
            with self.subTest(connection=name):
                self.assertIn(name, closed_at, "%s connection still open after 36 s" % name)
                self.assertTrue(25 <= closed_at[name] <= 35,
                                "%s connection closed after %.1f s, want ~30 s" % (name, closed_at[name]))
        time.sleep(max(0, t0 + 33 - time.monotonic()))
        self.assertFalse(self.hall.closed, "an idle stream was closed after %.1f s"
                         % ((self.hall.closed_at or 0) - t0))
        self.assertFalse(self.room.closed, "an idle stream was closed")
        self.assertEqual(self.d.state("hall")["mode"], "idle")

    def test_slow_client_dropped(self):
        """A stream client that does not read is dropped once the daemon's
        buffer for it passes a bound; the daemon does not grow and a reading
        client still gets every event."""
        if not os.path.exists("/proc/net/tcp"):
            self.skipTest("needs Linux /proc")
        d, hall = self.d, self.hall
        hall.wait_for("state", timeout=3)
        slow = socket.socket()
        self.addCleanup(slow.close)
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", d.port))
        slow_port = slow.getsockname()[1]
        slow.sendall(b"GET /api/v1/stages/hall/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(0.3)
        self.assertEqual(tcp_state(d.port, slow_port), "ESTABLISHED")
        rss0 = rss_kib(d.proc.pid)
        first_seq = d.state("hall")["seq"]
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        self.addCleanup(conn.close)
        hdrs = {"Authorization": "Bearer " + d.token("moderator"), "Content-Type": "application/json"}
        n = 0
        dropped = False
        deadline = time.monotonic() + 40
        while n < 12000 and time.monotonic() < deadline:
            body = json.dumps({"text": ("%05d" % n) + "x" * 275})
            conn.request("POST", "/api/v1/stages/hall/message", body=body, headers=hdrs)
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
            n += 1
            if n % 250 == 0 and tcp_state(d.port, slow_port) != "ESTABLISHED":
                dropped = True
                break
        state = tcp_state(d.port, slow_port)
        self.assertTrue(dropped, "a stream client that read nothing for %d events (~%d KiB) was "
                        "not dropped (daemon side: %s)" % (2 * n, n * 700 // 1024, state))
        rss1 = rss_kib(d.proc.pid)
        if rss0 and rss1 and not asan_binary():
            self.assertLess(rss1 - rss0, 16 * 1024, "daemon grew %d KiB" % (rss1 - rss0))
        # the reading client got every state change, in order
        last = first_seq + n
        hall.wait_for("state", lambda s: s["seq"] == last, timeout=10, what="last state")
        seqs = [e.data["seq"] for e in hall.snapshot("state") if e.data["seq"] > first_seq]
        self.assertEqual(seqs, list(range(first_seq + 1, last + 1)), "reading client missed events")
        self.assertFalse(hall.closed)

    def test_max_connections(self):
        d = self.d.__class__(make_config(timing=dict(pitch="60s")).replace(
            "max_connections: 200", "max_connections: 12"))
        self.addCleanup(d.cleanup)
        d.start()
        clients = []
        try:
            for _ in range(16):
                clients.append(SseClient(d.port, "/api/v1/stages/main/stream"))
            ok = [c for c in clients if c.status == 200]
            refused = [c for c in clients if c.status != 200]
            self.assertTrue(8 <= len(ok) <= 12, [c.status for c in clients])
            self.assertTrue(refused, "16 streams accepted with max_connections 12")
            for c in refused:
                self.assertEqual(c.status, 503, [c.status for c in clients])
            # freeing some lets new ones in
            for c in clients:
                c.close()
            time.sleep(0.3)
            st, _, data = d.request("GET", "/healthz")
            self.assertEqual(st, 200, data)
        finally:
            for c in clients:
                c.close()


if __name__ == "__main__":
    unittest.main()
