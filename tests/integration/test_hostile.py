"""Hostile clients (issue 7, part 2).

While a pitch runs, 2,000 slowloris connections (partial request lines and
headers, some trickling a byte a second, some gone silent) and 200 slow
stream readers (tiny receive window, never read) hang on the daemon. A
normal client meanwhile measures GET .../state latency and a normal stream
reader checks that ticks keep arriving on time. Message actions in a bounded
loop push state events until the slow readers pass the daemon's 256 KiB
output bound and get dropped.

Checked: the normal client's p99 stays within 100 ms of its unloaded p99;
ticks keep coming, on time; slow readers are dropped; the daemon's RSS stays
bounded; silent slowloris connections are closed by the 30 s idle timeout;
stream sockets carry keep-alive and TCP_USER_TIMEOUT (read back from the
daemon's own socket with pidfd_getfd where the kernel allows, else from the
keep-alive timer in /proc/net/tcp). Figures are printed. Everything is
bounded: connections, actions, and about 60 s of wall time.
"""

import ctypes
import http.client
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
import unittest

from taktharness import Daemon, asan_binary, make_config, need_open_files, pitch, rss_kib

N_SLOWLORIS = 2000
N_SLOW_READERS = 200
N_LATENCY = 200
MAX_ACTIONS = 2500              # upper bound of the message flood
FLOOD_SECONDS = 25.0            # and of its duration
IDLE_TIMEOUT_S = 30             # HTTP_IDLE_TIMEOUT_S in daemon/http.h
RSS_LIMIT_KIB = 200 * 1024
LATENCY_SLACK_S = 0.100

PARTIAL_HEADERS = b"GET /api/v1/event HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
PARTIAL_LINE = b"GET /api/v1/ev"

SYS_pidfd_getfd = 438


LATENCY_SCRIPT = r"""
import http.client, json, sys, time
port, n, spacing = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
lat = []
for _ in range(n):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/api/v1/stages/main/state", headers={"Connection": "close"})
    r = c.getresponse()
    r.read()
    c.close()
    lat.append(time.monotonic() - t0)
    if r.status != 200:
        sys.exit("status %d" % r.status)
    if spacing:
        time.sleep(spacing)
print(json.dumps(lat))
"""


def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def metric(text, name):
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


class Slowloris(threading.Thread):
    """N connections in one thread: each sends a partial request; the
    trickling ones then send one more byte every second, the silent ones
    nothing. Notices when the daemon closes them."""

    def __init__(self, port, n):
        super().__init__(daemon=True)
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.socks = {}         # fd -> dict(sock, group, closed_at)
        self.stop_ev = threading.Event()
        self.n = n
        self.connected = 0
        self.silent_since = None
        self.errors = 0

    def open_all(self, timeout=20.0):
        pending = {}
        for i in range(self.n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind(("127.0.0.%d" % (2 + i % 250), 0))
            err = s.connect_ex(("127.0.0.1", self.port))
            if err not in (0, 115):         # EINPROGRESS
                self.errors += 1
                s.close()
                continue
            group = ("line", "headers", "silent")[i % 3]
            pending[s.fileno()] = dict(sock=s, group=group, closed_at=None, sent=0)
            self.sel.register(s, selectors.EVENT_WRITE)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for key, _ in self.sel.select(0.2):
                c = pending.pop(key.fd, None)
                if c is None:
                    continue
                s = c["sock"]
                self.sel.unregister(s)
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    self.errors += 1
                    s.close()
                    continue
                first = PARTIAL_LINE if c["group"] == "line" else PARTIAL_HEADERS
                try:
                    s.send(first)
                except OSError:
                    self.errors += 1
                    s.close()
                    continue
                self.socks[key.fd] = c
                self.sel.register(s, selectors.EVENT_READ)
        for c in pending.values():
            self.errors += 1
            self.sel.unregister(c["sock"])
            c["sock"].close()
        self.connected = len(self.socks)
        self.silent_since = time.monotonic()

    def run(self):
        next_trickle = time.monotonic() + 1.0
        while not self.stop_ev.is_set():
            timeout = max(0.0, next_trickle - time.monotonic())
            for key, _ in self.sel.select(timeout):
                c = self.socks.get(key.fd)
                if c is None or c["closed_at"] is not None:
                    continue
                try:
                    data = c["sock"].recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                # a reply (libevent's 408/400) or EOF: the daemon gave up on it
                c["closed_at"] = time.monotonic()
                c["reply"] = data[:12]
                self.sel.unregister(c["sock"])
            if time.monotonic() >= next_trickle:
                next_trickle += 1.0
                for c in self.socks.values():
                    if c["group"] == "silent" or c["closed_at"] is not None:
                        continue
                    try:
                        c["sock"].send(b"e" if c["group"] == "line" else b"a")
                        c["sent"] += 1
                    except BlockingIOError:
                        pass
                    except OSError:
                        c["closed_at"] = time.monotonic()
                        try:
                            self.sel.unregister(c["sock"])
                        except (KeyError, ValueError):
                            pass

    def open_counts(self):
        out = {}
        for c in list(self.socks.values()):
            g = out.setdefault(c["group"], [0, 0])
            g[0 if c["closed_at"] is None else 1] += 1
        return out       # group -> [open, closed]

    def close_all(self):
        self.stop_ev.set()
        self.join(timeout=5)
        for c in self.socks.values():
            try:
                c["sock"].close()
            except OSError:
                pass
        self.sel.close()


class RssMonitor(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            r = rss_kib(self.pid)
            if r is not None and r > self.peak:
                self.peak = r
            self.stop_ev.wait(0.05)


def proc_tcp_rows():
    """Rows of /proc/net/tcp: dict(lport, rport, state, tr, when, inode)."""
    rows = []
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            p = line.split()
            tr, when = p[5].split(":")
            rows.append(dict(lport=int(p[1].split(":")[1], 16), rport=int(p[2].split(":")[1], 16),
                             state=int(p[3], 16), tr=int(tr, 16), when=int(when, 16),
                             inode=int(p[9])))
    return rows


def daemon_fd_of(pid, inode):
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "socket:[%d]" % inode:
                return int(fd)
        except OSError:
            pass
    return None


def socket_options_of(pid, targetfd):
    """Keep-alive options of the daemon's socket, via pidfd_getfd (Linux 5.6+),
    or None when the kernel or our privileges do not allow it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        return None
    try:
        fd = libc.syscall(SYS_pidfd_getfd, pidfd, targetfd, 0)
        if fd < 0:
            return None
        s = socket.socket(fileno=fd)
        try:
            return dict(
                SO_KEEPALIVE=s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                TCP_KEEPIDLE=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                TCP_KEEPINTVL=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                TCP_KEEPCNT=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
                TCP_USER_TIMEOUT=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT))
        finally:
            s.close()           # our duplicate only; the daemon keeps its own
    finally:
        os.close(pidfd)


class HostileTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        want = N_SLOWLORIS + N_SLOW_READERS + 512
        need_open_files(want, "%d connections" % want)
        text = make_config(stages=[("main", "Main Hall", [pitch("a"), pitch("b")])],
                           timing=dict(pitch="600s", warning="20s", danger="10s",
                                       grace="10s", on_time_up="none"))
        text = text.replace("max_connections: 200", "max_connections: 5000")
        cls.d = Daemon(text)
        try:
            cls.d.start()
        except BaseException:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def latency_run(self, n, spacing=0.0, separate=True):
        """Latencies of n GET .../state, each on a fresh connection. In a
        separate process by default, so that this process's own threads (the
        slowloris loop) cannot add GIL waits to the figures."""
        d = self.d
        if separate:
            p = subprocess.run([sys.executable, "-c", LATENCY_SCRIPT, str(d.port), str(n),
                                str(spacing)], capture_output=True, text=True,
                               timeout=60 + n * (spacing + 0.5))
            self.assertEqual(p.returncode, 0, p.stderr)
            return json.loads(p.stdout)
        lat = []
        for _ in range(n):
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            try:
                c.request("GET", "/api/v1/stages/main/state", headers={"Connection": "close"})
                r = c.getresponse()
                body = r.read()
            finally:
                c.close()
            lat.append(time.monotonic() - t0)
            self.assertEqual(r.status, 200, body[:200])
            if spacing:
                time.sleep(spacing)
        return lat

    def metrics(self):
        st, _, text = self.d.request("GET", "/metrics")
        self.assertEqual(st, 200)
        return text

    def test_hostile_clients(self):
        d = self.d
        t_begin = time.monotonic()
        pid = d.proc.pid
        d.ok("start")
        from taktharness import SseClient
        sse = SseClient(d.port, "/api/v1/stages/main/stream")
        self.addCleanup(sse.close)
        sse.wait_for("state")

        # -- unloaded figures
        self.latency_run(20)                                    # warm-up
        unloaded = self.latency_run(N_LATENCY)
        rss_before = rss_kib(pid)
        base_p50, base_p99 = pct(unloaded, 50), pct(unloaded, 99)
        tick_mark = sse.mark()

        mon = RssMonitor(pid)
        mon.start()
        self.addCleanup(mon.stop_ev.set)

        # -- 2,000 slowloris connections
        slow = Slowloris(d.port, N_SLOWLORIS)
        t0 = time.monotonic()
        slow.open_all()
        t_sl_open = time.monotonic()
        slow.start()
        self.addCleanup(slow.close_all)
        t_slowloris = time.monotonic() - t0

        # -- 200 slow readers on the stream: tiny window, small MSS, never read
        readers = []
        for i in range(N_SLOW_READERS):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
            s.bind(("127.0.1.%d" % (1 + i % 250), 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", d.port))
            s.sendall(b"GET /api/v1/stages/main/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            readers.append(s)

        def close_readers():
            for s in readers:
                s.close()
        self.addCleanup(close_readers)
        deadline = time.monotonic() + 10
        streams = 0
        while time.monotonic() < deadline:
            streams = metric(self.metrics(), 'takt_streams{stage="main"}') or 0
            if streams >= N_SLOW_READERS + 1:
                break
            time.sleep(0.1)
        self.assertGreaterEqual(streams, N_SLOW_READERS + 1, "slow readers not all streaming")
        t_readers = time.monotonic()
        dropped_before = metric(self.metrics(), "takt_sse_dropped_total")

        # -- half-open detection on stream sockets
        sse_port = sse.sock.getsockname()[1]
        ka_report = self.check_keepalive(pid, sse_port, slow)

        # -- the hostile load alone: slowloris trickling, slow readers connected
        hostile = self.latency_run(N_LATENCY, spacing=0.01)

        # -- the message flood (to push the slow readers over the output
        # bound) with the normal client measuring alongside
        flood = dict(n=0, errors=0, took=0.0, dropped=dropped_before, streams=streams,
                     lat=[])

        def flood_run():
            tok = d.token("moderator")
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            start = time.monotonic()
            try:
                while flood["n"] < MAX_ACTIONS and time.monotonic() - start < FLOOD_SECONDS:
                    text = "\U0001F600" * 279 + str(flood["n"] % 10)
                    c.request("POST", "/api/v1/stages/main/message",
                              body=json.dumps({"text": text, "visible": False}),
                              headers={"Authorization": "Bearer " + tok,
                                       "Content-Type": "application/json"})
                    t_a = time.monotonic()
                    r = c.getresponse()
                    r.read()
                    flood["lat"].append(time.monotonic() - t_a)
                    if r.status != 200:
                        flood["errors"] += 1
                    flood["n"] += 1
                    if flood["n"] % 50 == 0:
                        m = self.metrics()
                        flood["dropped"] = metric(m, "takt_sse_dropped_total")
                        flood["streams"] = metric(m, 'takt_streams{stage="main"}')
                        if flood["dropped"] - dropped_before >= N_SLOW_READERS:
                            break
            finally:
                c.close()
                flood["took"] = time.monotonic() - start

        ft = threading.Thread(target=flood_run, daemon=True)
        t_flood = time.monotonic()
        ft.start()
        during_flood = []
        while ft.is_alive() and len(during_flood) < 2 * N_LATENCY:
            during_flood += self.latency_run(1, separate=False)
            time.sleep(0.01)
        ft.join(timeout=FLOOD_SECONDS + 15)
        self.assertFalse(ft.is_alive(), "the flood did not end")
        # the hostile load again, slow readers now dropped, slowloris trickling on
        hostile += self.latency_run(N_LATENCY // 2, spacing=0.01)
        m = self.metrics()
        dropped = metric(m, "takt_sse_dropped_total") - dropped_before
        streams_after = metric(m, 'takt_streams{stage="main"}')
        rss_after_flood = rss_kib(pid)
        ticks = [e for e in sse.snapshot("tick", since=tick_mark)]

        # -- slowloris: wait (bounded) for the idle timeout on the silent ones
        wait_until = slow.silent_since + IDLE_TIMEOUT_S + 6
        while time.monotonic() < wait_until and time.monotonic() - t_begin < 100:
            if all(v[0] == 0 for v in slow.open_counts().values()):
                break
            time.sleep(0.5)
        counts = slow.open_counts()
        silent_open, silent_closed = counts.get("silent", [0, 0])
        trickle_open = counts.get("headers", [0, 0])[0] + counts.get("line", [0, 0])[0]
        trickle_closed = counts.get("headers", [0, 0])[1] + counts.get("line", [0, 0])[1]
        mon.stop_ev.set()
        mon.join(timeout=2)
        slow.close_all()
        close_readers()
        time.sleep(1.0)
        rss_end = rss_kib(pid)

        # the daemon still serves normally afterwards
        st, _, data = d.request("GET", "/healthz")
        self.assertEqual(st, 200)
        after = self.latency_run(50)

        # -- figures
        lp50, lp99, lmax = pct(hostile, 50), pct(hostile, 99), max(hostile)
        lateness = [e.wall * 1000 - e.data["server_time_ms"] for e in ticks if e.data]
        rem = [e.data["remaining_ms"] for e in ticks if e.data]
        gaps = [a - b for a, b in zip(rem, rem[1:])]
        # crossings lost to the flood's actions are test_ticks_survive_an_action_burst's
        # business; here only the slow clients' effect counts
        t_flood_end = t_flood + flood["took"] + 1.5
        hostile_gaps = [a.data["remaining_ms"] - b.data["remaining_ms"]
                        for a, b in zip(ticks, ticks[1:])
                        if not (t_flood <= b.t <= t_flood_end)]
        print("\n[hostile] slowloris: %d connected of %d in %.1fs (%d errors)"
              % (slow.connected, N_SLOWLORIS, t_slowloris, slow.errors))
        print("[hostile] GET state latency unloaded: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
              % (base_p50 * 1e3, base_p99 * 1e3, max(unloaded) * 1e3))
        print("[hostile] GET state latency under slowloris + slow readers: p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms (%d requests)" % (lp50 * 1e3, lp99 * 1e3, lmax * 1e3,
                                                         len(hostile)))
        print("[hostile] GET state latency during the message flood (information): p50 %.1f ms,"
              " p99 %.1f ms, max %.1f ms (%d requests); the flood's own POSTs p50 %.1f ms, "
              "max %.1f ms" % (pct(during_flood, 50) * 1e3, pct(during_flood, 99) * 1e3,
                               max(during_flood or [0]) * 1e3, len(during_flood),
                               pct(flood["lat"], 50) * 1e3, max(flood["lat"] or [0]) * 1e3))
        print("[hostile] GET state latency after:    p50 %.1f ms, p99 %.1f ms"
              % (pct(after, 50) * 1e3, pct(after, 99) * 1e3))
        print("[hostile] flood: %d message actions in %.1fs (%d non-200); slow readers dropped "
              "%d of %d; streams left %s" % (flood["n"], flood["took"], flood["errors"], dropped,
                                             N_SLOW_READERS, streams_after))
        print("[hostile] ticks during load: %d, lateness p50 %.1f ms, max %.1f ms, "
              "remaining_ms steps %s" % (len(ticks), pct(lateness, 50), max(lateness or [0]),
                                         sorted(set(gaps))))
        print("[hostile] RSS before %d KiB, peak %d KiB, after flood %d KiB, at end %d KiB"
              % (rss_before, mon.peak, rss_after_flood, rss_end))
        print("[hostile] slowloris after %.0fs: silent %d open / %d closed; trickling %d open / "
              "%d closed" % (time.monotonic() - slow.silent_since, silent_open, silent_closed,
                             trickle_open, trickle_closed))
        print("[hostile] stream socket: %s" % ka_report)
        print("[hostile] phases: slowloris opened at %.2fs, readers streaming at %.2fs, "
              "flood %.2fs-%.2fs" % (t_sl_open - t_begin, t_readers - t_begin,
                                     t_flood - t_begin, t_flood - t_begin + flood["took"]))
        print("[hostile] total %.1fs" % (time.monotonic() - t_begin))

        # -- assertions
        self.assertGreaterEqual(slow.connected, N_SLOWLORIS * 0.95)
        self.assertLessEqual(lp99, base_p99 + LATENCY_SLACK_S,
                             "slow clients delayed a normal client")
        self.assertEqual(flood["errors"], 0)
        self.assertGreaterEqual(dropped, N_SLOW_READERS * 0.9,
                                "slow readers were not dropped at the output bound")
        self.assertLessEqual(streams_after, N_SLOW_READERS * 0.1 + 1)
        self.assertTrue(sse.wait_for("tick", timeout=3, consume=False), "ticks stopped")
        self.assertFalse(sse.closed, "the normal stream reader was dropped")
        self.assertGreaterEqual(len(ticks), int(flood["took"]) - 1, "ticks went missing")
        self.assertTrue(all(g == 1000 for g in hostile_gaps),
                        "a whole-second crossing was skipped: %s"
                        % ["%.3f rem %d crossed %d arrived %+.1f ms" % (
                            e.t - t_begin, e.data["remaining_ms"], e.data["server_time_ms"],
                            e.wall * 1000 - e.data["server_time_ms"]) for e in ticks])
        self.assertLessEqual(pct(lateness, 99), 100, "ticks arrived late")
        if not asan_binary():
            self.assertLess(mon.peak, RSS_LIMIT_KIB, "RSS grew past 200 MiB")
        self.assertEqual(silent_open, 0, "silent slowloris connections outlived the idle timeout")
        self.assertTrue(ka_report["keepalive"], ka_report)
        # issue 7: slowloris connections "are closed by timeouts". A byte a
        # second resets libevent's 30 s read timeout, so only a deadline for
        # the whole request head closes the trickling ones.
        self.assertEqual(trickle_open, 0, "%d of %d trickling slowloris connections are still "
                         "open %.0f s after they started (no request-head deadline)"
                         % (trickle_open, trickle_open + trickle_closed,
                            time.monotonic() - slow.silent_since))

    def test_ticks_survive_an_action_burst(self):
        """Every whole-second crossing gets its tick even while actions pour in
        (each action re-aims the tick timer; a due crossing must not be lost)."""
        d = self.d
        st = d.state()
        if st["mode"] != "running":
            d.ok("start")
        sse = __import__("taktharness").SseClient(d.port, "/api/v1/stages/main/stream")
        self.addCleanup(sse.close)
        sse.wait_for("state")
        mark = sse.mark()
        tok = d.token("moderator")
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        n = 0
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < 4.0 and n < 5000:
                c.request("POST", "/api/v1/stages/main/message",
                          body=json.dumps({"text": "burst %d" % n}),
                          headers={"Authorization": "Bearer " + tok,
                                   "Content-Type": "application/json"})
                r = c.getresponse()
                last = json.loads(r.read())
                self.assertEqual(r.status, 200)
                n += 1
        finally:
            c.close()
        took = time.monotonic() - t0
        # The burst queues megabytes of state events ahead of the later ticks:
        # let the reader catch up with the last action before counting.
        sse.wait_for("state", lambda s: s.get("seq", 0) >= last["seq"], timeout=30,
                     consume=False, what="the last action of the burst")
        time.sleep(1.2)
        ticks = sse.snapshot("tick", since=mark)
        rem = [e.data["remaining_ms"] for e in ticks]
        steps = [a - b for a, b in zip(rem, rem[1:])]
        print("\n[hostile] action burst: %d message actions in %.1fs; %d ticks, remaining_ms "
              "steps %s" % (n, took, len(ticks), steps))
        self.assertGreaterEqual(len(ticks), int(took), "ticks went missing during the burst")
        self.assertTrue(all(s == 1000 for s in steps),
                        "whole-second crossings without a tick: steps %s" % steps)

    def check_keepalive(self, pid, sse_port, slow):
        """What the kernel says about the daemon's end of a stream socket."""
        d = self.d
        rep = dict(keepalive=False)
        rows = [r for r in proc_tcp_rows() if r["lport"] == d.port and r["rport"] == sse_port]
        if not rows:
            rep["error"] = "stream socket not in /proc/net/tcp"
            return rep
        row = rows[0]
        # /proc/net/tcp "tr": 2 = the keep-alive timer is armed; sample a few times
        # (1 = retransmit while a tick is in flight)
        trs = []
        for _ in range(10):
            r = [x for x in proc_tcp_rows() if x["lport"] == d.port and x["rport"] == sse_port]
            if r:
                trs.append(r[0]["tr"])
            time.sleep(0.05)
        rep["proc_tr_samples"] = "".join(str(t) for t in trs)
        # a slowloris socket for comparison: no keep-alive
        s_ports = [c["sock"].getsockname()[1] for c in list(slow.socks.values())[:20]]
        s_rows = [x for x in proc_tcp_rows() if x["lport"] == d.port and x["rport"] in s_ports]
        rep["slowloris_tr"] = "".join(str(x["tr"]) for x in s_rows[:10])
        try:
            out = subprocess.run(["ss", "-tnoH", "state", "established",
                                  "( sport = :%d and dport = :%d )" % (d.port, sse_port)],
                                 capture_output=True, text=True, timeout=5).stdout.strip()
            m = re.search(r"timer:\(([^)]*)\)", out)
            rep["ss_timer"] = m.group(1) if m else out[-80:]
        except (OSError, subprocess.SubprocessError):
            rep["ss_timer"] = "ss unavailable"
        fd = daemon_fd_of(pid, row["inode"])
        opts = socket_options_of(pid, fd) if fd is not None else None
        if opts is not None:
            rep["sockopts"] = opts
            rep["keepalive"] = (opts["SO_KEEPALIVE"] == 1 and opts["TCP_USER_TIMEOUT"] > 0
                                and opts["TCP_KEEPIDLE"] <= 60)
            # a plain (non-stream) connection for comparison
            s_inodes = {x["inode"] for x in s_rows[:1]}
            for ino in s_inodes:
                sfd = daemon_fd_of(pid, ino)
                if sfd is not None:
                    rep["plain_conn_sockopts"] = socket_options_of(pid, sfd)
        else:
            rep["sockopts"] = "pidfd_getfd not permitted"
            rep["keepalive"] = 2 in trs or "keepalive" in rep.get("ss_timer", "")
        return rep


if __name__ == "__main__":
    unittest.main()
