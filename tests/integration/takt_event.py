"""Helpers for test_event_reports.py and test_durability.py.

Builds on taktharness (Daemon, make_config, pitch) without changing it:
configs with a chosen report language, CSV checks (RFC 4180 record ends,
formula escaping), and a keep-alive HTTP client for the write-load threads.
Standard library only.
"""

import csv
import http.client
import io
import json
import time

from taktharness import make_config, pitch

# Four attendees in three departments: three department heads and one member
# of staff. Names are chosen so that sorting by name and sorting by level give
# different orders in the follow-up list.
EVENT_ATTENDEES = [
    dict(id="ott", name="Dr. Marcus Ott", department="IuK / E-Government",
         role="department_head", email="m.ott@flensburg.example"),
    dict(id="lund", name="Anna Lund", department="Wirtschaftsfoerderung",
         role="department_head", email="a.lund@flensburg.example"),
    dict(id="berg", name="Bernd Berg", department="Bauamt",
         role="department_head", email="b.berg@flensburg.example"),
    dict(id="stef", name="Stefanie Staff", department="IuK / E-Government",
         role="staff", email="s.staff@flensburg.example"),
]

EVENT_PITCHES = [
    pitch("alpha", startup="Alpha GmbH", presenter="Paula Alpha", title="Digitale Bauakte",
          contact="hello@alpha.example"),
    pitch("beta", startup="Beta UG", presenter="Ben Beta", title="Parkraum live",
          contact="team@beta.example"),
    pitch("gamma", startup="+Gamma AG", presenter="Gina Gamma", title="Wasserzähler 4.0",
          contact="kontakt@gamma.example"),
]

EVENT_TIMING = dict(pitch="3s", changeover="0s", warning="2s", danger="1s", grace="1s",
                    on_time_up="none")


def event_config(language="en", attendees=None, pitches=None, timing=None,
                 title="Smart City Pitches", stage_name="Main Hall"):
    """A config in the harness format with event.language set."""
    t = dict(EVENT_TIMING)
    if timing:
        t.update(timing)
    text = make_config(stages=[("main", stage_name, pitches or EVENT_PITCHES)],
                       timing=t, attendees=attendees or EVENT_ATTENDEES, title=title)
    needle = "  language: en\n"
    assert needle in text, "harness config no longer has the language line"
    return text.replace(needle, "  language: %s\n" % language, 1)


def many_attendees(n):
    """n department heads in a few departments, ids a01..aNN."""
    out = []
    for i in range(1, n + 1):
        out.append(dict(id="a%02d" % i, name="Attendee %02d" % i,
                        department="Department %d" % (i % 4),
                        role="department_head", email="a%02d@city.example" % i))
    return out


def many_pitches(n):
    return [pitch("p%d" % i, startup="Startup %d" % i) for i in range(1, n + 1)]


# --------------------------------------------------------------------------
# CSV


def csv_rows(text):
    """Parses a CSV body (RFC 4180) into a list of rows of strings."""
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def csv_line_problems(text):
    """Where a CSV body breaks RFC 4180 record ends: outside quotes every
    line ends with CRLF, never a bare LF or CR, and the body ends with CRLF.
    Returns a list of problem descriptions (empty when fine)."""
    problems = []
    quoted = False
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            quoted = not quoted      # a doubled quote toggles twice
        elif not quoted and c == "\r":
            if i + 1 >= n or text[i + 1] != "\n":
                problems.append("bare CR at %d" % i)
            else:
                i += 1
        elif not quoted and c == "\n":
            problems.append("bare LF at %d: %r" % (i, text[max(0, i - 30):i + 1]))
        i += 1
    if quoted:
        problems.append("unterminated quoted cell")
    if not text.endswith("\r\n"):
        problems.append("body does not end with CRLF")
    return problems


def csv_quote(cell):
    """How a cell with a separator must appear in the raw CSV text."""
    return '"' + cell.replace('"', '""') + '"'


# --------------------------------------------------------------------------
# A keep-alive client for load threads


class KeepAlive:
    """One persistent HTTP/1.1 connection with a bearer token. Any transport
    error is raised to the caller (the connection is not reopened)."""

    def __init__(self, port, token, timeout=10.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.token = token

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Authorization": "Bearer " + self.token}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=hdrs)
        resp = self.conn.getresponse()
        payload = resp.read()
        try:
            parsed = json.loads(payload.decode("utf-8"))
        except ValueError:
            parsed = payload
        if resp.getheader("Connection", "").lower() == "close":
            # The server ends keep-alive; the next request would fail.
            self.conn.close()
        return resp.status, parsed

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


def sleep_until(t_mono):
    d = t_mono - time.monotonic()
    if d > 0:
        time.sleep(d)
