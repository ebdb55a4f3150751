"""Every screen gets every event, in order, when a broadcast is sliced.

A stage's event goes to its streams SSE_SLICE (1,024) clients per loop
turn, each slice shared between the loop thread and the fan-out helper
thread (daemon/fanout.c) once it has FANOUT_MIN (64) sockets or more. With
1,100 streams every state change and every tick therefore takes two loop
turns and both threads. Actions fired from several connections at once make
a new event arrive while the last one is still half sent, which the daemon
must finish first (sse_broadcast).

Checked: all 1,100 streams see exactly the same events (type, id and data)
in the same order up to the final state; state ids only grow and end at the
last action's seq; ticks keep their one-second rhythm; nothing is dropped.
Bounded: 1,100 connections, about 15 s of wall time.
"""

import json
import selectors
import socket
import threading
import time
import unittest

from taktharness import Daemon, make_config, need_open_files, pitch

N_STREAMS = 1100            # > SSE_SLICE: two loop turns per event
CONNECT_TIMEOUT = 20.0
READ_TIMEOUT = 20.0
ACTION_THREADS = 4
ACTIONS_PER_THREAD = 6


class Stream:
    """One raw SSE stream: HTTP head, chunked framing and SSE events."""

    def __init__(self, port, idx):
        self.idx = idx
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"GET /api/v1/stages/main/stream HTTP/1.1\r\n"
                          b"Host: 127.0.0.1\r\n\r\n")
        self.sock.setblocking(False)
        self.raw = b""
        self.head_done = False
        self.sse = b""
        self.events = []        # (event, id, data) in arrival order
        self.closed = False

    def feed(self, data):
        """Takes bytes from the socket; parses what is complete."""
        self.raw += data
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.raw[:end].decode("latin-1")
            if not head.startswith("HTTP/1.1 200") or "chunked" not in head.lower():
                raise AssertionError("stream %d: bad reply head %r" % (self.idx, head))
            self.raw = self.raw[end + 4:]
            self.head_done = True
        while True:
            eol = self.raw.find(b"\r\n")
            if eol < 0:
                break
            size = int(self.raw[:eol].split(b";")[0], 16)
            if size == 0:
                self.closed = True
                return
            if len(self.raw) < eol + 2 + size + 2:
                break
            self.sse += self.raw[eol + 2:eol + 2 + size]
            self.raw = self.raw[eol + 2 + size + 2:]
        while True:
            end = self.sse.find(b"\n\n")
            if end < 0:
                break
            block, self.sse = self.sse[:end].decode("utf-8"), self.sse[end + 2:]
            ev, eid, data = "message", None, []
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "event":
                    ev = v
                elif k == "id":
                    eid = int(v)
                elif k == "data":
                    data.append(v)
            if data:
                self.events.append((ev, eid, "\n".join(data)))

    def state_ids(self):
        return [e[1] for e in self.events if e[0] == "state"]


class FanoutTest(unittest.TestCase):

    def setUp(self):
        need_open_files(N_STREAMS * 2 + 256, "%d streams" % N_STREAMS)
        cfg = make_config(stages=[("main", "Main Hall", [pitch("a"), pitch("b")])],
                          timing=dict(pitch="60s", warning="10s", danger="5s", grace="5s",
                                      on_time_up="none"))
        cfg = cfg.replace("max_connections: 200", "max_connections: %d" % (N_STREAMS + 100))
        self.d = Daemon(cfg)
        self.addCleanup(self.d.cleanup)
        self.d.start()
        self.streams = []
        self.addCleanup(self._close_all)
        self.sel = selectors.DefaultSelector()
        self.addCleanup(self.sel.close)

    def _close_all(self):
        for s in self.streams:
            s.sock.close()

    def _pump(self, until, timeout, what):
        """Reads every stream until until() holds; fails after timeout."""
        end = time.monotonic() + timeout
        while not until():
            left = end - time.monotonic()
            if left <= 0:
                self.fail("timed out waiting for %s" % what)
            for key, _ in self.sel.select(min(left, 0.5)):
                s = key.data
                try:
                    data = s.sock.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.fail("stream %d closed by the daemon" % s.idx)
                s.feed(data)
                if s.closed:
                    self.fail("stream %d ended by the daemon" % s.idx)

    def test_every_stream_gets_every_event_in_order(self):
        d = self.d
        for i in range(N_STREAMS):
            s = Stream(d.port, i)
            self.streams.append(s)
            self.sel.register(s.sock, selectors.EVENT_READ, s)
        self._pump(lambda: all(s.state_ids() for s in self.streams), CONNECT_TIMEOUT,
                   "the first state on every stream")

        first = d.ok("start")["seq"]
        # Concurrent actions: each thread pauses and resumes, so the daemon
        # broadcasts while earlier events are still being sliced out.
        seqs, errors = [], []
        lock = threading.Lock()

        def burst():
            for k in range(ACTIONS_PER_THREAD):
                name, body = (("pause", None), ("resume", None),
                              ("extend", {"seconds": 1}))[k % 3]
                st, data = d.action(name, body)
                with lock:
                    if st == 200:
                        seqs.append(data["seq"])
                    elif st != 409:      # pause while paused: a conflict
                        errors.append((name, st, data))

        threads = [threading.Thread(target=burst) for _ in range(ACTION_THREADS)]
        for t in threads:
            t.start()
        # Keep reading meanwhile: a stream that is not read is dropped.
        self._pump(lambda: not any(t.is_alive() for t in threads), READ_TIMEOUT,
                   "the action threads")
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        if d.state()["mode"] == "paused":
            seqs.append(d.ok("resume")["seq"])
        last = max(seqs + [first])
        self._pump(lambda: all(last in s.state_ids() for s in self.streams), READ_TIMEOUT,
                   "state %d on every stream" % last)
        t_end = time.monotonic() + 2.2
        self._pump(lambda: time.monotonic() >= t_end, READ_TIMEOUT, "two more ticks")

        # Everyone's events up to the final state, compared with stream 0's;
        # the first is each stream's own snapshot at connect time.
        def upto_last(s):
            for j, e in enumerate(s.events):
                if e[0] == "state" and e[1] == last:
                    return s.events[1:j + 1]
            self.fail("stream %d never saw state %d" % (s.idx, last))

        ref = upto_last(self.streams[0])
        for s in self.streams[1:]:
            got = upto_last(s)
            if got != ref:
                for j, (a, b) in enumerate(zip(got, ref)):
                    if a != b:
                        self.fail("stream %d differs from stream 0 at event %d: %r vs %r"
                                  % (s.idx, j, a, b))
                self.fail("stream %d saw %d events up to state %d, stream 0 %d"
                          % (s.idx, len(got), last, len(ref)))

        ids = [e[1] for e in ref if e[0] == "state"]
        self.assertEqual(ids, sorted(set(ids)), "state ids only grow")
        self.assertEqual(ids[-1], last)
        self.assertTrue(set(seqs) <= set(ids), "every acknowledged action was broadcast")

        # Ticks: after the last change every stream got the same whole-second
        # ticks, a second apart on the daemon's clock.
        for s in self.streams:
            ticks = [json.loads(e[2]) for e in s.events[len(ref) + 1:] if e[0] == "tick"]
            self.assertGreaterEqual(len(ticks), 2, "stream %d: ticks after the burst" % s.idx)
            for a, b in zip(ticks, ticks[1:]):
                self.assertEqual(b["server_time_ms"] - a["server_time_ms"], 1000,
                                 "stream %d: ticks a second apart" % s.idx)
                self.assertEqual(a["remaining_ms"] - b["remaining_ms"], 1000)

        st, _, metrics = d.request("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertIn("takt_sse_dropped_total 0\n", metrics, "no stream was dropped")
        print("[fanout] %d streams, %d events each up to state %d, %d actions"
              % (N_STREAMS, len(ref), last, len(seqs)))


if __name__ == "__main__":
    unittest.main()
