"""Shared harness for the taktd integration tests.

Starts the real `taktd` binary (env TAKTD) on an ephemeral loopback port in a
temporary directory, talks HTTP and Server-Sent Events to it as a client
would, and reads its SQLite database. Standard library only.

Every process a test starts is killed in the cleanup path, even when the test
fails; every wait is bounded.
"""

import atexit
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

TAKTD = os.environ.get("TAKTD") or os.path.join(
    os.environ.get("TAKT_SOURCE", os.path.join(os.path.dirname(__file__), "..", "..")),
    "build", "taktd")

TODAY = time.strftime("%Y-%m-%d")
START_TIMEOUT = 10.0
REQUEST_TIMEOUT = 10.0

_LISTEN_RE = re.compile(r"listening on http://([0-9.]+):(\d+)")


# Every daemon a test started and has not reaped; killed at interpreter exit
# (and, through PR_SET_PDEATHSIG, by the kernel if this process dies hard).
_LIVE = set()


def _kill_all():
    for d in list(_LIVE):
        try:
            d.cleanup()
        except Exception:
            pass


atexit.register(_kill_all)


def _on_sigterm(signum, frame):
    _kill_all()
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread() \
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _on_sigterm)


def _die_with_parent():
    """preexec_fn: the daemon gets SIGKILL when the test process dies."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
    except Exception:
        pass


def need_open_files(want, what):
    """Raises this process's open-file limit to want, or skips the test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
        except (ValueError, OSError):
            pass
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < want:
        raise unittest.SkipTest("RLIMIT_NOFILE too low for %s" % what)


def now_ms():
    return int(time.time() * 1000)


# --------------------------------------------------------------------------
# Config writing


def _q(s):
    """A YAML double-quoted scalar."""
    return json.dumps(s, ensure_ascii=False)


def timing_yaml(indent="  ", **timing):
    out = []
    for k, v in timing.items():
        out.append("%s%s: %s\n" % (indent, k, v))
    return "".join(out)


DEFAULT_TIMING = dict(pitch="3s", changeover="0s", warning="2s", danger="1s",
                      grace="1s", on_time_up="next_start",
                      time_up_message=_q("Time is up"))

DEFAULT_ATTENDEES = [
    dict(id="ott", name="Dr. Marcus Ott", department="IuK / E-Government",
         role="department_head", email="m.ott@flensburg.example"),
    dict(id="lund", name="Kirsten Lund", department="Wirtschaftsfoerderung",
         role="department_head", email="k.lund@flensburg.example"),
    dict(id="gast", name="Gerd Gast", department="Presse",
         role="guest", email="gerd.gast@flensburg.example"),
]


def pitch(pid, startup=None, **extra):
    d = dict(id=pid, startup=startup or ("Startup %s" % pid.upper()),
             presenter="Presenter %s" % pid, title="Title %s" % pid)
    d.update(extra)
    return d


def make_config(stages=None, timing=None, attendees=None, title="Integration Test Event",
                start="00:00", database="takt.db", listen="127.0.0.1:0"):
    """Builds config YAML text.

    stages: list of (stage_id, stage_name, [pitch dicts]) — a pitch dict has
    id, startup, presenter, title, optional contact and timing overrides.
    """
    if stages is None:
        stages = [("main", "Main Hall", [pitch("a"), pitch("b"), pitch("c")])]
    t = dict(DEFAULT_TIMING)
    if timing:
        t.update(timing)
    if attendees is None:
        attendees = DEFAULT_ATTENDEES
    y = []
    y.append("event:\n")
    y.append("  title: %s\n" % _q(title))
    y.append("  venue: %s\n" % _q("Test Venue"))
    y.append("  date: %s\n" % TODAY)
    y.append("  timezone: Europe/Berlin\n")
    y.append("  language: en\n")
    y.append("timing:\n")
    y.append(timing_yaml("  ", **t))
    y.append("stages:\n")
    for sid, sname, pitches in stages:
        y.append("  - id: %s\n" % sid)
        y.append("    name: %s\n" % _q(sname))
        y.append("    start: %s\n" % _q(start))
        y.append("    pitches:\n")
        for p in pitches:
            first = True
            for k, v in p.items():
                if k in ("length", "changeover", "warning", "danger", "grace", "on_time_up"):
                    val = str(v)
                else:
                    val = _q(v)
                y.append("      %s %s: %s\n" % ("-" if first else " ", k, val))
                first = False
    if attendees:
        y.append("attendees:\n")
        for a in attendees:
            first = True
            for k, v in a.items():
                val = v if k == "role" else _q(v)
                y.append("  %s %s: %s\n" % ("-" if first else " ", k, val))
                first = False
    y.append("server:\n")
    y.append("  listen: %s\n" % listen)
    y.append("  database: %s\n" % database)
    y.append("  max_connections: 200\n")
    return "".join(y)


# --------------------------------------------------------------------------
# The daemon


class DaemonError(AssertionError):
    pass


class Daemon:
    """One taktd in its own temporary directory."""

    def __init__(self, config_text=None, name="takt"):
        self.dir = tempfile.mkdtemp(prefix="takt-it-")
        self.config_path = os.path.join(self.dir, name + ".yaml")
        self.db_path = os.path.join(self.dir, "takt.db")
        self.tokens_path = self.db_path + ".tokens"
        self.proc = None
        self.port = None
        self.log = []           # every stderr line of every run, in order
        self._log_lock = threading.Lock()
        self._listening = threading.Event()
        self._threads = []
        self.starts = 0
        self.tokens = None
        if config_text is not None:
            self.write_config(config_text)

    # -- files

    def write_config(self, text, path=None):
        with open(path or self.config_path, "w", encoding="utf-8") as f:
            f.write(text)

    def read_tokens(self):
        """Parses DATABASE.tokens: {'organiser': T, 'moderator': T, 'attendee': {id: T}}."""
        toks = {"attendee": {}}
        with open(self.tokens_path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3:
                    continue
                kind, ident, tok = parts
                if kind == "attendee":
                    toks["attendee"][ident] = tok
                else:
                    toks[kind] = tok
        self.tokens = toks
        return toks

    def token(self, who):
        """'organiser', 'moderator', or an attendee id; None for no token."""
        if who is None:
            return None
        if self.tokens is None:
            self.read_tokens()
        if who in ("organiser", "moderator"):
            return self.tokens[who]
        return self.tokens["attendee"][who]

    def _resolve(self, token):
        """A role or attendee name to its token; anything else is taken as a token."""
        if self.tokens is None and os.path.exists(self.tokens_path):
            self.read_tokens()
        if self.tokens is not None:
            if token in ("organiser", "moderator") and token in self.tokens:
                return self.tokens[token]
            if token in self.tokens["attendee"]:
                return self.tokens["attendee"][token]
        return token

    # -- process

    def _reader(self, stream, is_err):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._log_lock:
                self.log.append(("E " if is_err else "O ") + line)
            if is_err and not self._listening.is_set():
                m = _LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(2))
                    self._listening.set()
        stream.close()

    def start(self, extra_args=(), wait=True, listen="127.0.0.1:0"):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._listening.clear()
        self.port = None
        self.starts += 1
        with self._log_lock:
            self.log.append("---- start #%d" % self.starts)
        args = [TAKTD, "--config", self.config_path]
        if listen:
            args += ["--listen", listen]
        args += list(extra_args)
        self.proc = subprocess.Popen(args, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=_die_with_parent)
        _LIVE.add(self)
        for stream, is_err in ((self.proc.stdout, False), (self.proc.stderr, True)):
            th = threading.Thread(target=self._reader, args=(stream, is_err), daemon=True)
            th.start()
            self._threads.append(th)
        if not wait:
            return self
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._listening.wait(0.05):
                break
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the readers catch the last lines
                raise DaemonError("taktd exited with %s before listening:\n%s"
                                  % (self.proc.returncode, self.log_text()))
        else:
            self.kill()
            raise DaemonError("taktd did not log 'listening on' within %ss:\n%s"
                              % (START_TIMEOUT, self.log_text()))
        if os.path.exists(self.tokens_path):
            self.read_tokens()
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout):
        """Waits for exit; returns the exit code or None on timeout."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=None, timeout=5.0):
        """Sends sig (default SIGTERM) and waits; returns (exit code, seconds
        taken). Kills on timeout."""
        if sig is None:
            sig = signal.SIGTERM
        if not self.running():
            return (self.proc.returncode if self.proc else None, 0.0)
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        rc = self.wait(timeout)
        took = time.monotonic() - t0
        if rc is None:
            self.kill()
        self._join_readers()
        return rc, took

    def kill(self):
        """kill -9 and reap."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.proc is not None and self.proc.poll() is not None:
            _LIVE.discard(self)
        self._join_readers()

    def _join_readers(self):
        for th in self._threads:
            th.join(timeout=2)
        self._threads = [th for th in self._threads if th.is_alive()]

    def restart(self, **kw):
        self.kill()
        return self.start(**kw)

    def cleanup(self):
        """Kills the daemon, removes its directory, and fails (as a cleanup
        error) when a sanitizer reported anything in any run."""
        self.kill()
        report = self.sanitizer_report()
        if not os.environ.get("TAKT_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        if report:
            self.log.append("---- sanitizer report already raised")
            raise DaemonError("taktd sanitizer report:\n" + report)

    def sanitizer_report(self):
        with self._log_lock:
            lines = list(self.log)
        if any(l.startswith("---- sanitizer report already raised") for l in lines):
            return ""
        for i, l in enumerate(lines):
            if ("ERROR: AddressSanitizer" in l or "ERROR: LeakSanitizer" in l
                    or "runtime error:" in l):
                return "\n".join(lines[max(0, i - 2):i + 40])
        return ""

    def last_run_log(self):
        """stderr/stdout lines of the latest start only."""
        with self._log_lock:
            lines = list(self.log)
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].startswith("---- start"):
                return "\n".join(lines[i + 1:])
        return "\n".join(lines)

    def log_text(self, last=60):
        with self._log_lock:
            return "\n".join(self.log[-last:])

    # -- running taktd once (not as daemon)

    def run_tool(self, args, timeout=15):
        """Runs taktd with args to completion: (rc, stdout, stderr)."""
        p = subprocess.run([TAKTD] + list(args), cwd=self.dir, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    # -- HTTP

    def request(self, method, path, body=None, token=None, headers=None,
                timeout=REQUEST_TIMEOUT, raw_body=None):
        """One HTTP request. token is a plain token string or a role/attendee name.

        body: dict/list (sent as JSON), str or bytes (sent as is), or None.
        Returns (status, headers {lower-case name: value}, data) where data is
        the parsed JSON when the response parses as JSON, else the text.
        """
        hdrs = {"Connection": "close"}
        if token is not None:
            hdrs["Authorization"] = "Bearer " + self._resolve(token)
        data = None
        if raw_body is not None:
            data = raw_body
        elif body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            rh = {k.lower(): v for k, v in resp.getheaders()}
            return resp.status, rh, _decode(payload)
        finally:
            conn.close()

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def action(self, action, body=None, token="moderator", stage="main"):
        """POST /api/v1/stages/{stage}/{action}: (status, data)."""
        st, _, data = self.request("POST", "/api/v1/stages/%s/%s" % (stage, action),
                                   body=body, token=token)
        return st, data

    def ok(self, action, body=None, token="moderator", stage="main"):
        """An action that must succeed; returns the snapshot."""
        st, data = self.action(action, body, token=token, stage=stage)
        if st != 200:
            raise AssertionError("POST %s/%s %r -> %s %r" % (stage, action, body, st, data))
        return data

    def state(self, stage="main"):
        st, _, data = self.request("GET", "/api/v1/stages/%s/state" % stage)
        if st != 200:
            raise AssertionError("GET state -> %s %r" % (st, data))
        return data

    def event(self):
        st, _, data = self.request("GET", "/api/v1/event")
        if st != 200:
            raise AssertionError("GET event -> %s %r" % (st, data))
        return data

    def slots(self, stage="main"):
        """{slot id: slot dict} of GET /api/v1/event for one stage."""
        ev = self.event()
        for s in ev["stages"]:
            if s["id"] == stage:
                return {sl["id"]: sl for sl in s["slots"]}
        raise AssertionError("stage %s not in event %r" % (stage, ev))

    def raw_exchange(self, data, timeout=5.0):
        """Sends raw bytes, returns (status, headers, body) of the reply (or
        (None, {}, raw) when none parses). Tolerates the server closing early."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                view = memoryview(data)
                while view:
                    n = s.send(view[:16384])
                    view = view[n:]
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            buf = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                buf += chunk
                parsed = _parse_http_response(buf)
                if parsed is not None:
                    return parsed
            parsed = _parse_http_response(buf, final=True)
            return parsed if parsed is not None else (None, {}, buf)
        finally:
            s.close()

    # -- SQLite

    def db_query(self, sql, params=()):
        """Rows as dicts. Opened fresh each call (the daemon may be running)."""
        con = sqlite3.connect(self.db_path, timeout=5)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, params)]
        finally:
            con.close()

    def db_tables(self):
        return [r["name"] for r in self.db_query(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]


def _decode(payload):
    text = payload.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _parse_http_response(buf, final=False):
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if "content-length" in hdrs:
        n = int(hdrs["content-length"])
        if len(rest) < n:
            return None if not final else (int(m.group(1)), hdrs, _decode(rest))
        return int(m.group(1)), hdrs, _decode(rest[:n])
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body, done = _dechunk_all(rest)
        if not done and not final:
            return None
        return int(m.group(1)), hdrs, _decode(body)
    if not final:
        return None
    return int(m.group(1)), hdrs, _decode(rest)


def _dechunk_all(data):
    out = b""
    while True:
        line, sep, rest = data.partition(b"\r\n")
        if not sep:
            return out, False
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return out, True
        if len(rest) < size + 2:
            return out, False
        out += rest[:size]
        data = rest[size + 2:]


# --------------------------------------------------------------------------
# Server-Sent Events


class SseEvent:
    __slots__ = ("event", "id", "data", "raw", "t", "wall", "index")

    def __init__(self, event, id, raw, t, wall, index):
        self.event = event
        self.id = id
        self.raw = raw
        self.t = t          # time.monotonic() at arrival
        self.wall = wall    # time.time() at arrival
        self.index = index
        try:
            self.data = json.loads(raw) if raw else None
        except ValueError:
            self.data = None

    def __repr__(self):
        return "<%s id=%s t=%.3f %s>" % (self.event, self.id, self.t, self.raw[:200])


class SseClient:
    """Reads GET .../stream over a raw socket in a thread.

    Events are kept in arrival order in `events` (comments as event
    ':comment' with the text in raw). wait_for() consumes from a cursor.
    """

    def __init__(self, port, path, headers=None, timeout=5.0):
        self.port = port
        self.path = path
        self.events = []
        self.status = None
        self.headers = {}
        self.closed = False
        self.closed_at = None
        self.error = None
        self.cursor = 0
        self._cond = threading.Condition()
        self._stop = False
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        req = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n" % (path, port)
        for k, v in (headers or {}).items():
            req += "%s: %s\r\n" % (k, v)
        req += "\r\n"
        self.sock.sendall(req.encode())
        self.sock.settimeout(0.25)
        self._head = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._head.wait(timeout):
            self.close()
            raise AssertionError("no response head from %s within %ss" % (path, timeout))

    # -- reading

    def _recv(self):
        while not self._stop:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                self.error = e
                return b""
            return chunk
        return b""

    def _run(self):
        buf = b""
        try:
            # response head
            while b"\r\n\r\n" not in buf:
                chunk = self._recv()
                if not chunk:
                    return
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
            self.status = int(m.group(1)) if m else None
            for l in lines[1:]:
                k, _, v = l.partition(":")
                self.headers[k.strip().lower()] = v.strip()
            self._head.set()
            chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
            decoded = b""
            pending = buf
            text = ""
            ev = {"event": None, "id": None, "data": []}
            while True:
                if chunked:
                    out, pending, done = self._dechunk(pending)
                    decoded += out
                    if done:
                        self._feed_lines(decoded, ev, flush=True)
                        return
                else:
                    decoded += pending
                    pending = b""
                decoded = self._feed_lines(decoded, ev)
                chunk = self._recv()
                if not chunk:
                    return
                pending += chunk
        finally:
            self._head.set()
            with self._cond:
                self.closed = True
                self.closed_at = time.monotonic()
                self._cond.notify_all()

    @staticmethod
    def _dechunk(data):
        out = b""
        while True:
            line, sep, rest = data.partition(b"\r\n")
            if not sep:
                return out, data, False
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise AssertionError("bad chunk size line %r" % line)
            if size == 0:
                return out, b"", True
            if len(rest) < size + 2:
                return out, data, False
            out += rest[:size]
            data = rest[size + 2:]

    def _feed_lines(self, decoded, ev, flush=False):
        while True:
            nl = decoded.find(b"\n")
            if nl < 0:
                return decoded
            line = decoded[:nl].decode("utf-8", "replace")
            decoded = decoded[nl + 1:]
            if line.endswith("\r"):
                line = line[:-1]
            if line == "":
                if ev["data"] or ev["event"] is not None:
                    self._dispatch(ev["event"] or "message", ev["id"], "\n".join(ev["data"]))
                ev["event"] = None
                ev["data"] = []
                # id persists per SSE, but we report the id of the event block only
                ev["id"] = None
                continue
            if line.startswith(":"):
                self._dispatch(":comment", None, line[1:].strip())
                continue
            field, sep, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if field == "event":
                ev["event"] = value
            elif field == "data":
                ev["data"].append(value)
            elif field == "id":
                ev["id"] = value

    def _dispatch(self, event, id, raw):
        with self._cond:
            e = SseEvent(event, id, raw, time.monotonic(), time.time(), len(self.events))
            self.events.append(e)
            self._cond.notify_all()

    # -- queries

    def wait_for(self, event=None, pred=None, timeout=5.0, consume=True, what=""):
        """First event after the cursor with that type satisfying pred.

        Advances the cursor past it (consume). Raises AssertionError on
        timeout or when the stream closed before a match.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            i = self.cursor
            while True:
                while i < len(self.events):
                    e = self.events[i]
                    i += 1
                    if event is not None and e.event != event:
                        continue
                    if pred is not None and not pred(e.data if e.data is not None else e.raw):
                        continue
                    if consume:
                        self.cursor = i
                    return e
                if self.closed:
                    raise AssertionError("stream %s closed while waiting for %s %s; last: %r"
                                         % (self.path, event, what, self.events[-5:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timeout waiting for %s %s on %s; last: %r"
                                         % (event, what, self.path, self.events[-8:]))
                self._cond.wait(left)

    def wait_closed(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def snapshot(self, event=None, since=0):
        with self._cond:
            return [e for e in self.events[since:] if event is None or e.event == event]

    def mark(self):
        """Index of the next event to arrive (for slicing with snapshot)."""
        with self._cond:
            return len(self.events)

    def close(self):
        self._stop = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        self._thread.join(timeout=2)


TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
              6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
              11: "CLOSING"}


def tcp_state(local_port, remote_port):
    """Kernel state of the IPv4 TCP socket local_port -> remote_port (Linux
    /proc/net/tcp), or None when there is none."""
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                parts = line.split()
                lp = int(parts[1].split(":")[1], 16)
                rp = int(parts[2].split(":")[1], 16)
                if lp == local_port and rp == remote_port:
                    return TCP_STATES.get(int(parts[3], 16), parts[3])
    except OSError:
        return "unknown"
    return None


_ASAN = None


def asan_binary():
    """True when TAKTD is built with AddressSanitizer (its quarantine makes
    memory growth meaningless)."""
    global _ASAN
    if _ASAN is None:
        try:
            with open(TAKTD, "rb") as f:
                _ASAN = b"__asan_init" in f.read()
        except OSError:
            _ASAN = False
    return _ASAN


def rss_kib(pid):
    """Resident set size of a process in KiB (Linux), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def error_body_ok(data):
    """True when data is {"error":{"code":str,"message":str}}."""
    return (isinstance(data, dict) and isinstance(data.get("error"), dict)
            and isinstance(data["error"].get("code"), str) and data["error"]["code"] != ""
            and isinstance(data["error"].get("message"), str) and data["error"]["message"] != "")


def expected_phase(remaining_ms, warning_ms=2000, danger_ms=1000):
    if remaining_ms < 0:
        return "overtime"
    if remaining_ms <= danger_ms:
        return "danger"
    if remaining_ms <= warning_ms:
        return "warning"
    return "normal"
