"""Bad input against the real daemon (issue 7, part 1).

One taktd serves the whole table. Every case sends something malformed,
hostile or unauthorised and checks the answer: the right 4xx with the SPEC's
JSON error body where our code answers, or -- for what libevent rejects
before our code runs (headers over 8 KiB, bodies over 256 KiB, malformed
request lines and chunking, unknown methods) -- a 4xx/501 status or a closed
connection. A few cases are valid writes of hostile-looking text (SQL, HTML,
spreadsheet formulas): those must be stored verbatim and shown escaped.

After the table the daemon must still serve, and the database must be
unchanged except for exactly those valid writes.
"""

import json
import socket
import time
import unittest
import urllib.parse

from taktharness import (Daemon, _parse_http_response, error_body_ok, make_config, pitch)

LIBEVENT = "libevent"       # expected: a status from libevent itself (no JSON) or a close
LIBEVENT_STATUSES = (400, 408, 411, 413, 414, 431, 501)

SQL = "'; DROP TABLE ledger; --"
HTML = "<script>alert('x')</script> & \"q\""
FORMULA = '=HYPERLINK("http://evil.example/","click")'
AT_FORMULA = "@SUM(1+1)"
MSG_HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"

# tables a bad request must never touch, and the ones the valid writes touch
FROZEN_TABLES = ("stages", "slots", "attendees", "tokens", "presence", "screens")


def raw_request(port, data, shut_wr=False, timeout=4.0, chunk_delay=None):
    """Sends raw bytes; returns (status or None, headers, body, closed).

    shut_wr: half-close after sending (a client that gives up mid-request).
    A reply that does not parse leaves status None; closed tells whether the
    server closed the connection within the timeout.
    """
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf = b""
    closed = False
    try:
        try:
            view = memoryview(data)
            while view:
                n = s.send(view[:16384])
                view = view[n:]
            if shut_wr:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, OSError):
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
        parsed = _parse_http_response(buf, final=True) if buf else None
        if parsed is None:
            return None, {}, buf, closed
        return parsed[0], parsed[1], parsed[2], closed
    finally:
        s.close()


class BadInputTest(unittest.TestCase):
    """The table runs in test_1; test_2 checks what was stored; test_9 the aftermath."""

    valid_writes = {"messages": [], "interests": {}, "history": 0}
    counts = {"tried": 0, "failed": 0}
    libevent_seen = []      # (case, status or "closed") of the libevent-level cases

    @classmethod
    def setUpClass(cls):
        pitches = [pitch("a", contact="team-a@startup.example"), pitch("b"), pitch("c")]
        cls.d = Daemon(make_config(stages=[("main", "Main Hall", pitches)],
                                   timing=dict(pitch="60s", warning="20s", danger="10s",
                                               grace="10s", on_time_up="none")))
        try:
            cls.d.start()
            cls.before = cls.snapshot()
        except BaseException:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        print("\n[bad_input] libevent-level answers (no JSON possible):")
        for name, got in cls.libevent_seen:
            print("  %-55s %s" % (name, got))
        print("[bad_input] cases tried: %d, failed: %d"
              % (cls.counts["tried"], cls.counts["failed"]))
        cls.d.cleanup()

    @classmethod
    def snapshot(cls):
        """Every row of every table, in a stable order."""
        snap = {}
        for t in cls.d.db_tables():
            rows = cls.d.db_query("SELECT * FROM %s" % t)
            snap[t] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
        return snap

    # ------------------------------------------------------------------
    # the table

    def cases(self):
        d = self.d
        mod = d.token("moderator")
        org = d.token("organiser")
        ott = d.token("ott")
        H = "Host: 127.0.0.1\r\nConnection: close\r\n"

        def R(text):
            return text.encode("latin-1") if isinstance(text, str) else text

        def post_raw(path, body, token=mod, extra=""):
            head = "POST %s HTTP/1.1\r\n%sContent-Type: application/json\r\n" % (path, H)
            if token:
                head += "Authorization: Bearer %s\r\n" % token
            head += extra
            return R(head) + R("Content-Length: %d\r\n\r\n" % len(body)) + body

        ext = "/api/v1/stages/main/extend"
        msg = "/api/v1/stages/main/message"
        pause = "/api/v1/stages/main/pause"
        C = []

        def api(name, method, path, want, body=None, token="moderator", raw_body=None,
                headers=None, code=None, write=None):
            C.append(dict(name=name, kind="api", method=method, path=path, want=want,
                          body=body, token=token, raw_body=raw_body, headers=headers,
                          code=code, write=write))

        def raw(name, data, want, shut_wr=False, timeout=4.0, code=None):
            C.append(dict(name=name, kind="raw", data=data, want=want, shut_wr=shut_wr,
                          timeout=timeout, code=code))

        # -- malformed and truncated JSON
        for i, b in enumerate([b'{"seconds":30', b'{"seconds":', b'{', b'{"seconds":30}garbage',
                               b"{'seconds':30}", b'{"seconds":30,}', b'[1]', b'null', b'"x"',
                               b'{"seconds":30,"seconds":31}', b'   ', b'{"seconds":30} {}',
                               b'\xef\xbb\xbf{"seconds":30}', b'{"seconds":030}',
                               b'{"seconds":+30}', b'{"seconds":NaN}', b'{"seconds":Infinity}']):
            api("malformed json #%d %r" % (i, b[:30]), "POST", ext, 400, raw_body=b,
                code="bad_json")
        api("deeply nested json", "PUT", "/api/v1/interests/a", 400, token="ott",
            raw_body=b'{"note":' + b'[' * 30000 + b']' * 30000 + b'}', code="bad_json")
        api("empty object for extend", "POST", ext, 400, body={}, code="bad_field")
        raw("Content-Length shorter than the body",
            post_raw(ext, b'{"seconds":30}')[:-14].replace(b"Content-Length: 14", b"Content-Length: 5")
            + b'{"seconds":30}', 400, code="bad_json")

        # -- wrong types
        for name, path, body, tok in [
                ("extend seconds string", ext, {"seconds": "30"}, "moderator"),
                ("extend seconds real", ext, {"seconds": 30.0}, "moderator"),
                ("extend seconds bool", ext, {"seconds": True}, "moderator"),
                ("extend seconds null", ext, {"seconds": None}, "moderator"),
                ("extend seconds array", ext, {"seconds": [30]}, "moderator"),
                ("message text number", msg, {"text": 42}, "moderator"),
                ("message visible string", msg, {"text": "x", "visible": "yes"}, "moderator"),
                ("message blink number", msg, {"blink": 1}, "moderator"),
                ("blackout on number", "/api/v1/stages/main/blackout", {"on": 1}, "moderator"),
                ("blackout missing on", "/api/v1/stages/main/blackout", {}, "moderator"),
                ("next start string", "/api/v1/stages/main/next", {"start": "true"}, "moderator"),
                ("goto pitch number", "/api/v1/stages/main/goto", {"pitch": 1}, "moderator"),
                ("goto without pitch", "/api/v1/stages/main/goto", {}, "moderator"),
                ("start pitch object", "/api/v1/stages/main/start", {"pitch": {}}, "moderator"),
                ("interest level number", "/api/v1/interests/a", {"level": 5}, "ott"),
                ("interest level unknown", "/api/v1/interests/a", {"level": "FOLLOW_UP"}, "ott"),
                ("interest note object", "/api/v1/interests/a", {"note": {}}, "ott"),
                ("interest attendee number", "/api/v1/interests/a", {"attendee": 7}, "organiser"),
                ("checkin attendee number", "/api/v1/checkins", {"attendee": 7}, "moderator"),
                ("checkin attendee null", "/api/v1/checkins", {"attendee": None}, "moderator"),
                ("screens offset string", "/api/v1/screens",
                 {"screen": "s1", "page": "stage", "offset_ms": "0", "rtt_ms": 1}, None),
                ("screens rtt negative", "/api/v1/screens",
                 {"screen": "s1", "page": "stage", "offset_ms": 0, "rtt_ms": -1}, None),
                ("screens page unknown", "/api/v1/screens",
                 {"screen": "s1", "page": "admin", "offset_ms": 0, "rtt_ms": 1}, None),
        ]:
            method = "PUT" if path.startswith("/api/v1/interests") else "POST"
            api(name, method, path, 400, body=body, token=tok)

        # -- huge numbers, negative and zero extends
        for b in [b'{"seconds":1e400}', b'{"seconds":9223372036854775808}',
                  b'{"seconds":-9223372036854775809}', b'{"seconds":18446744073709551616}',
                  b'{"seconds":' + b'9' * 5000 + b'}']:
            api("huge number %r" % b[:40], "POST", ext, 400, raw_body=b, code="bad_json")
        for n in (9223372036854775807, -9223372036854775808, 3601, -3601, 0, 2 ** 31, -2 ** 31):
            api("extend out of range %d" % n, "POST", ext, 400, body={"seconds": n},
                code="out_of_range")
        api("extend -0", "POST", ext, 400, raw_body=b'{"seconds":-0}', code="out_of_range")
        api("extend 1e3 (a real)", "POST", ext, 400, raw_body=b'{"seconds":1e3}', code="bad_field")
        # a valid negative extend is a well-formed body: 409 because nothing runs
        api("extend -30 while idle", "POST", ext, 409, body={"seconds": -30}, code="conflict")
        api("extend 3600 while idle", "POST", ext, 409, body={"seconds": 3600}, code="conflict")
        api("screens offset 1e400", "POST", "/api/v1/screens", 400, token=None,
            raw_body=b'{"screen":"s1","page":"stage","offset_ms":1e400,"rtt_ms":1}')
        api("screens offset over a day", "POST", "/api/v1/screens", 400, token=None,
            body={"screen": "s1", "page": "stage", "offset_ms": 86400001, "rtt_ms": 1})
        api("screens rtt 2^63-1", "POST", "/api/v1/screens", 400, token=None,
            body={"screen": "s1", "page": "stage", "offset_ms": 0, "rtt_ms": 2 ** 63 - 1})

        # -- invalid UTF-8 (raw bytes) and NUL
        for name, b in [("0xff 0xfe", b'{"text":"\xff\xfe"}'),
                        ("overlong slash", b'{"text":"\xc0\xaf"}'),
                        ("encoded surrogate", b'{"text":"\xed\xa0\x80"}'),
                        ("truncated sequence", b'{"text":"\xe2\x82"}'),
                        ("5-byte sequence", b'{"text":"\xf8\x88\x80\x80\x80"}'),
                        ("lone surrogate escape", b'{"text":"\\ud800"}'),
                        ("escaped NUL", b'{"text":"a\\u0000b"}'),
                        ("raw NUL byte", b'{"text":"a\x00b"}'),
                        ("raw control byte", b'{"text":"a\x01b"}'),
                        ("NUL in a key", b'{"te\\u0000xt":"a"}')]:
            api("message " + name, "POST", msg, 400, raw_body=b, code="bad_json")
        api("interest note invalid UTF-8", "PUT", "/api/v1/interests/a", 400, token="ott",
            raw_body=b'{"note":"\xc3\x28"}', code="bad_json")
        api("interest note NUL", "PUT", "/api/v1/interests/a", 400, token="ott",
            raw_body=b'{"note":"ok\\u0000hidden"}', code="bad_json")
        api("checkin attendee NUL", "POST", "/api/v1/checkins", 400,
            raw_body=b'{"attendee":"ott\\u0000x"}', code="bad_json")
        api("URL %00 in stage", "GET", "/api/v1/stages/main%00/state", 400, token=None,
            code="bad_path")
        api("URL %00 in pitch", "PUT", "/api/v1/interests/a%00b", 400, token="ott", body={},
            code="bad_path")
        api("URL %00 in a page", "GET", "/assets/takt.css%00.html", 400, token=None,
            code="bad_path")
        api("URL encoded slash", "GET", "/api/v1/stages/main%2fstate", 400, token=None,
            code="bad_path")
        raw("raw NUL byte in the request line", b"GET /api/v1/\x00event HTTP/1.1\r\n" + R(H) + b"\r\n",
            (400, 404, LIBEVENT))

        # -- overlong fields
        api("note 1001 characters", "PUT", "/api/v1/interests/a", 400, token="ott",
            body={"note": "n" * 1001}, code="too_long")
        api("note 1001 two-byte characters", "PUT", "/api/v1/interests/a", 400, token="ott",
            body={"note": "\u00e4" * 1001}, code="too_long")
        api("message 281 characters", "POST", msg, 400, body={"text": "m" * 281})
        api("message 281 three-byte characters", "POST", msg, 400, body={"text": "\u20ac" * 281})
        api("pitch id 10 KB in the body", "POST", "/api/v1/stages/main/goto", 404,
            body={"pitch": "p" * 10240}, code="unknown_pitch")
        api("pitch id 10 KB in start", "POST", "/api/v1/stages/main/start", 404,
            body={"pitch": "p" * 10240})
        api("pitch id 200 chars in the URL", "PUT", "/api/v1/interests/" + "p" * 200, 404,
            token="ott", body={})
        api("pitch id 47 chars in the URL", "PUT", "/api/v1/interests/" + "p" * 47, 404,
            token="ott", body={})
        api("stage id 2000 chars", "GET", "/api/v1/stages/%s/state" % ("s" * 2000), 404,
            token=None, code="unknown_stage")
        api("attendee id 10 KB", "POST", "/api/v1/checkins", 404, body={"attendee": "x" * 10240})
        api("attendee id 47 chars", "POST", "/api/v1/checkins", 404, body={"attendee": "x" * 47})
        api("screen id 65 chars", "POST", "/api/v1/screens", 400, token=None,
            body={"screen": "s" * 65, "page": "stage", "offset_ms": 0, "rtt_ms": 1})
        raw("pitch id 10 KB in the URL (request line over 8 KiB)",
            R("PUT /api/v1/interests/%s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\n"
              "Content-Length: 2\r\n\r\n{}" % ("p" * 10240, H, ott)), LIBEVENT)

        # -- unknown fields
        api("extend unknown field", "POST", ext, 400, body={"seconds": 30, "x": 1},
            code="unknown_field")
        api("pause with a body field", "POST", pause, 400, body={"force": True},
            code="unknown_field")
        api("interest unknown field", "PUT", "/api/v1/interests/a", 400, token="ott",
            body={"level": "info", "colour": "red"}, code="unknown_field")
        api("delete interest unknown field", "DELETE", "/api/v1/interests/a", 400, token="ott",
            body={"level": "info"}, code="unknown_field")
        api("checkin unknown field", "POST", "/api/v1/checkins", 400,
            body={"attendee": "ott", "when": 1}, code="unknown_field")
        api("screens unknown field", "POST", "/api/v1/screens", 400, token=None,
            body={"screen": "s1", "page": "stage", "offset_ms": 0, "rtt_ms": 1, "x": 0},
            code="unknown_field")
        api("reload unknown field", "POST", "/api/v1/reload", 400, token="organiser",
            body={"force": True}, code="unknown_field")
        api("badges unknown field", "POST", "/api/v1/badges", 400, token="organiser",
            body={"count": 1}, code="unknown_field")

        # -- unknown routes and methods
        for name, method, path, want, code in [
                ("unknown API path", "GET", "/api/v1/nope", 404, "not_found"),
                ("api v2", "GET", "/api/v2/event", 404, "not_found"),
                ("too many segments", "GET", "/a/b/c/d/e/f/g/h/i/j", 404, "not_found"),
                ("unknown stage", "GET", "/api/v1/stages/nope/state", 404, "unknown_stage"),
                ("PATCH", "PATCH", "/api/v1/event", 405, "method_not_allowed"),
                ("TRACE", "TRACE", "/api/v1/event", 405, "method_not_allowed"),
                ("OPTIONS", "OPTIONS", "/api/v1/event", 405, "method_not_allowed"),
                ("DELETE on event", "DELETE", "/api/v1/event", 405, "method_not_allowed"),
                ("POST on healthz", "POST", "/healthz", 405, "method_not_allowed"),
                ("PUT on a page", "PUT", "/organiser", 405, "method_not_allowed"),
                ("GET on an action", "GET", "/api/v1/stages/main/start", 405,
                 "method_not_allowed"),
        ]:
            api(name, method, path, want, token=None, code=code)
        api("unknown report", "GET", "/api/v1/reports/passwd.csv", 404, token="organiser",
            code="unknown_report")
        api("report without a format", "GET", "/api/v1/reports/timing", 404, token="organiser",
            code="unknown_report")
        api("report name 100 chars", "GET", "/api/v1/reports/" + "t" * 100 + ".csv", 404,
            token="organiser", code="unknown_report")
        api("unknown action", "POST", "/api/v1/stages/main/explode", 404, code="unknown_action")
        api("action on unknown stage", "POST", "/api/v1/stages/nope/pause", 404,
            code="unknown_stage")
        # RFC 9110 §9.1: an unrecognised method is 501; libevent answers it itself
        raw("BREW (unknown method)", b"BREW /api/v1/event HTTP/1.1\r\n" + R(H) + b"\r\n",
            (405, 501, LIBEVENT))
        raw("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + R(H) + b"\r\n", (400, 404, 405))
        raw("OPTIONS *", b"OPTIONS * HTTP/1.1\r\n" + R(H) + b"\r\n", (400, 404, 405))

        # -- path traversal on pages and API
        for p in ["/../etc/passwd", "/assets/../../x", "/assets/%2e%2e/%2e%2e/etc/passwd",
                  "//etc/passwd", "/api/v1/../../etc/passwd", "/assets/stage.html",
                  "/assets/", "/stage/../main", "/assets/.%2e/x", "/assets/%5c..%5cetc%5cpasswd",
                  "/assets/..", "/me/../../etc/passwd", "/assets/takt.css/.."]:
            api("traversal " + p, "GET", p, 404, token=None)
        for p in ["/assets/%2e%2e%2fetc%2fpasswd", "/assets/..%2f..%2fschema%2f001_init.sql",
                  "/stage/..%2fmain", "/api/v1/stages/..%2f..%2fetc/state"]:
            api("traversal " + p, "GET", p, 400, token=None, code="bad_path")
        raw("traversal in the raw request line",
            b"GET /assets/../../../../etc/passwd HTTP/1.1\r\n" + R(H) + b"\r\n", 404)

        # -- duplicate and conflicting headers
        raw("two Authorization headers, bad first",
            post_raw(pause, b"", token="garbage", extra="Authorization: Bearer %s\r\n" % mod),
            (400, 401))
        raw("two Authorization headers, valid first",
            post_raw(pause, b"", token=mod, extra="Authorization: Bearer garbage\r\n"),
            (400, 401))
        raw("two Authorization headers, moderator then organiser",
            post_raw("/api/v1/reload", b"", token=mod, extra="Authorization: Bearer %s\r\n" % org),
            (400, 401, 403))
        raw("two Content-Length headers with different values",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\nContent-Length: 14\r\n"
              "Content-Length: 15\r\n\r\n" % (ext, H, mod)) + b'{"seconds":30} ', (400, LIBEVENT))
        raw("Content-Length and Transfer-Encoding",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\nContent-Length: 14\r\n"
              "Transfer-Encoding: chunked\r\n\r\ne\r\n" % (ext, H, mod))
            + b'{"seconds":30}\r\n0\r\n\r\n', (400, LIBEVENT))
        raw("negative Content-Length", R("POST %s HTTP/1.1\r\n%sContent-Length: -1\r\n\r\n"
                                         % (ext, H)), LIBEVENT)
        raw("non-numeric Content-Length", R("POST %s HTTP/1.1\r\n%sContent-Length: abc\r\n\r\n"
                                            % (ext, H)), LIBEVENT)
        raw("Content-Length 2^64", R("POST %s HTTP/1.1\r\n%sContent-Length: 18446744073709551616"
                                     "\r\n\r\n" % (ext, H)), LIBEVENT)

        # -- oversized headers and bodies
        raw("one header over 8 KiB", R("GET /api/v1/event HTTP/1.1\r\n%sX-Big: %s\r\n\r\n"
                                       % (H, "a" * 9000)), LIBEVENT)
        raw("1000 small headers", R("GET /api/v1/event HTTP/1.1\r\n%s%s\r\n"
                                    % (H, "".join("X-H%d: v\r\n" % i for i in range(1000)))),
            LIBEVENT)
        api("body 64 KiB + 1", "POST", pause, 413, raw_body=b"{}" + b" " * (65536 - 1),
            code="too_large")
        api("body 70 000 bytes", "POST", ext, 413, raw_body=b" " * 70000, code="too_large")
        api("body exactly 64 KiB (allowed, idle: 409)", "POST", pause, 409,
            raw_body=b"{}" + b" " * (65536 - 2), code="conflict")
        api("big body on a public route", "POST", "/api/v1/screens", 413, token=None,
            raw_body=b" " * 100000, code="too_large")
        raw("body over 256 KiB", post_raw(ext, b" " * 300000), (413, LIBEVENT))
        chunk = b"%x\r\n%s\r\n" % (70000, b" " * 70000)
        raw("chunked body 70 000 bytes",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n"
              % (ext, H, mod)) + chunk + b"0\r\n\r\n", 413, code="too_large")
        raw("chunked body over 256 KiB",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n"
              % (ext, H, mod)) + chunk * 4 + b"0\r\n\r\n", (413, LIBEVENT))

        # -- bad chunked encoding
        te = R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n"
               % (ext, H, mod))
        raw("chunk size not hex", te + b"zz\r\n" + b'{"seconds":30}' + b"\r\n0\r\n\r\n", LIBEVENT)
        raw("chunk without its CRLF", te + b"e\r\n" + b'{"seconds":30}' + b"XX0\r\n\r\n", LIBEVENT)
        raw("chunk size bigger than the data, then close",
            te + b"ff\r\n" + b'{"seconds":30}', LIBEVENT, shut_wr=True)
        raw("negative chunk size", te + b"-5\r\nhello\r\n0\r\n\r\n", LIBEVENT)
        raw("chunk size overflows", te + b"fffffffffffffffffff\r\nx\r\n0\r\n\r\n", LIBEVENT)
        raw("request line garbage", b"GARBAGE\r\n\r\n", LIBEVENT)
        raw("HTTP/9.9", b"GET /api/v1/event HTTP/9.9\r\n" + R(H) + b"\r\n", LIBEVENT)
        raw("header without a colon", b"GET /api/v1/event HTTP/1.1\r\n" + R(H)
            + b"NoColonHere\r\n\r\n", LIBEVENT)
        raw("truncated request, then close", b"GET /api/v1/ev", LIBEVENT, shut_wr=True)

        # -- bad tokens
        for name, hdr in [("empty", ""), ("Bearer", "Bearer"), ("Bearer and spaces", "Bearer   "),
                          ("garbage", "Bearer xyz!@#$%^&*()"), ("7 KB", "Bearer " + "A" * 7000),
                          ("43 random chars", "Bearer " + "A" * 43),
                          ("valid with a prefix", "Bearer x" + mod),
                          ("valid truncated", "Bearer " + mod[:-1]),
                          ("valid twice", "Bearer %s %s" % (mod, mod)),
                          ("Basic user:token", "Basic " + __import__("base64").b64encode(
                              ("moderator:" + mod).encode()).decode()),
                          ("Basic token", "Basic " + mod), ("Token scheme", "Token " + mod),
                          ("no scheme", mod), ("Bearer with a comma", "Bearer %s," % mod),
                          ("valid with a vertical tab", "Bearer %s\x0b" % mod),
                          ("valid with NBSP", "Bearer %s\u00a0" % mod)]:
            data = R("POST %s HTTP/1.1\r\n%sAuthorization: %s\r\n\r\n" % (pause, H, hdr)) \
                if "\u00a0" not in hdr else (
                    R("POST %s HTTP/1.1\r\n%sAuthorization: " % (pause, H))
                    + hdr.encode("utf-8") + b"\r\n\r\n")
            raw("token " + name, data, 401, code="unauthorized")
        raw("token of 10 KB (headers over 8 KiB)",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\n\r\n" % (pause, H, "A" * 10240)),
            LIBEVENT)
        raw("token folded onto a continuation line",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\r\n x\r\n\r\n" % (pause, H, mod)),
            (400, 401))
        # OWS around a field value is not part of it (RFC 9110 §5.5): these are the token
        raw("valid token with a trailing space (OWS)",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s \r\n\r\n" % (pause, H, mod)), 409)
        raw("valid token with a trailing tab (OWS)",
            R("POST %s HTTP/1.1\r\n%sAuthorization: Bearer %s\t\r\n\r\n" % (pause, H, mod)), 409)
        raw("valid token, bare LF line end",
            R("POST %s HTTP/1.1\nHost: x\nConnection: close\nAuthorization: Bearer %s\n\n"
              % (pause, mod)), 409)
        api("token in the query string only", "POST", pause + "?token=" + mod, 401, token=None,
            code="unauthorized")
        api("token in the query string, /me", "GET", "/api/v1/me?token=" + ott, 401, token=None,
            code="unauthorized")
        api("token as access_token", "GET", "/api/v1/me?access_token=" + ott, 401, token=None)

        # -- tokens of the wrong role (test_roles walks every route)
        for name, method, path, tok, body in [
                ("attendee pauses", "POST", pause, "ott", None),
                ("attendee reloads", "POST", "/api/v1/reload", "ott", None),
                ("attendee reads a report", "GET", "/api/v1/reports/followups.csv", "ott", None),
                ("attendee lists attendees", "GET", "/api/v1/attendees", "ott", None),
                ("attendee prints badges", "POST", "/api/v1/badges", "ott", {}),
                ("moderator reloads", "POST", "/api/v1/reload", "moderator", None),
                ("moderator reads a report", "GET", "/api/v1/reports/timing.json", "moderator",
                 None),
                ("moderator prints badges", "POST", "/api/v1/badges", "moderator", {}),
                ("moderator puts an interest", "PUT", "/api/v1/interests/a", "moderator",
                 {"attendee": "ott"}),
                ("moderator reads /me", "GET", "/api/v1/me", "moderator", None),
                ("organiser reads /me", "GET", "/api/v1/me", "organiser", None),
                ("attendee checks in someone else", "POST", "/api/v1/checkins", "ott",
                 {"attendee": "lund"}),
                ("attendee puts an interest for someone else", "PUT", "/api/v1/interests/a",
                 "ott", {"attendee": "lund"}),
        ]:
            api("wrong role: " + name, method, path, 403, token=tok, body=body, code="forbidden")
        api("wrong role: attendee deletes for someone else (?attendee=)", "DELETE",
            "/api/v1/interests/a?attendee=lund", 403, token="ott", code="forbidden")

        # -- SQL- and HTML-looking strings where they are ids: not found, not executed
        q = urllib.parse.quote
        api("SQL pitch id in the URL", "PUT", "/api/v1/interests/" + q(SQL, safe=""), 404,
            token="ott", body={})
        api("SQL pitch id in goto", "POST", "/api/v1/stages/main/goto", 404, body={"pitch": SQL})
        api("OR-1=1 pitch id in goto", "POST", "/api/v1/stages/main/goto", 404,
            body={"pitch": "a' OR '1'='1"})
        api("SQL attendee id", "POST", "/api/v1/checkins", 404, body={"attendee": SQL})
        api("SQL attendee id for an interest", "PUT", "/api/v1/interests/a", 404,
            token="organiser", body={"attendee": "ott' OR '1'='1"})
        api("SQL stage id", "GET", "/api/v1/stages/%s/state" % q(SQL, safe=""), 404, token=None,
            code="unknown_stage")
        api("HTML stage id", "GET", "/api/v1/stages/%s/state" % q("<script>", safe=""), 404,
            token=None, code="unknown_stage")
        api("HTML stage page", "GET", "/stage/%s" % q("<script>alert(1)", safe=""), 404,
            token=None, code="unknown_stage")
        api("HTML stage page with an encoded slash", "GET",
            "/stage/%s" % q("<script>alert(1)</script>", safe=""), 400, token=None, code="bad_path")
        api("SQL screen id", "POST", "/api/v1/screens", 400, token=None,
            body={"screen": "x'; DROP TABLE screens;--", "page": "stage", "offset_ms": 0,
                  "rtt_ms": 1})
        api("SQL report name", "GET", "/api/v1/reports/" + q("timing.json' --", safe=""), 404,
            token="organiser", code="unknown_report")

        # -- valid writes of hostile-looking text: stored verbatim, shown escaped
        api("valid: SQL-looking note", "PUT", "/api/v1/interests/a", (200, 201), token="ott",
            body={"level": "follow_up", "note": SQL}, write=("interest", "ott", "a", SQL))
        api("valid: HTML-looking note", "PUT", "/api/v1/interests/a", (200, 201), token="lund",
            body={"level": "info", "note": HTML}, write=("interest", "lund", "a", HTML))
        api("valid: formula note", "PUT", "/api/v1/interests/b", (200, 201), token="gast",
            body={"note": FORMULA}, write=("interest", "gast", "b", FORMULA))
        api("valid: @formula note (organiser for ott)", "PUT", "/api/v1/interests/c", (200, 201),
            token="organiser", body={"attendee": "ott", "note": AT_FORMULA},
            write=("interest", "ott", "c", AT_FORMULA))
        api("valid: note of exactly 1000 two-byte chars", "PUT", "/api/v1/interests/b",
            (200, 201), token="lund", body={"note": "\u00e4" * 1000},
            write=("interest", "lund", "b", "\u00e4" * 1000))
        api("valid: HTML-looking message", "POST", msg, 200, body={"text": MSG_HTML},
            write=("message", MSG_HTML))
        api("valid: message of exactly 280 three-byte chars", "POST", msg, 200,
            body={"text": "\u20ac" * 280}, write=("message", "\u20ac" * 280))
        api("valid: SQL-looking message", "POST", msg, 200, token="organiser",
            body={"text": SQL, "visible": False}, write=("message", SQL))
        return C

    def run_case(self, c):
        d = self.d
        if c["kind"] == "api":
            hdrs = dict(c["headers"] or {})
            st, rh, data = d.request(c["method"], c["path"], body=c["body"],
                                     raw_body=c["raw_body"], token=c["token"], headers=hdrs)
            return st, rh, data, True
        return raw_request(d.port, c["data"], shut_wr=c["shut_wr"], timeout=c["timeout"])

    def check_case(self, c, st, rh, data, closed):
        want = c["want"]
        wants = want if isinstance(want, tuple) else (want,)
        what = "%s: got %s %r" % (c["name"], st, data if not isinstance(data, (bytes, str))
                                  else data[:200])
        if LIBEVENT in wants:
            # libevent's own answer: a rejection status, or just a close
            self.libevent_seen.append((c["name"], st if st is not None else
                                       ("closed" if closed else "no answer")))
            if st is None:
                self.assertTrue(closed, what + " (neither a reply nor a close)")
                return
            numeric = [w for w in wants if isinstance(w, int)]
            self.assertIn(st, LIBEVENT_STATUSES + tuple(numeric), what)
            if isinstance(data, dict):
                self.assertTrue(error_body_ok(data), what)
            return
        self.assertIn(st, wants, what)
        if st >= 400:
            self.assertTrue(error_body_ok(data), "%s: not a JSON error body" % what)
            self.assertTrue(rh.get("content-type", "").startswith("application/json"), what)
            if c.get("code"):
                self.assertEqual(data["error"]["code"], c["code"], what)

    def test_1_table(self):
        cases = self.cases()
        self.assertGreaterEqual(len(cases), 60)
        names = set()
        for c in cases:
            self.assertNotIn(c["name"], names, "duplicate case name")
            names.add(c["name"])
            with self.subTest(case=c["name"]):
                self.counts["tried"] += 1
                ok = False
                try:
                    st, rh, data, closed = self.run_case(c)
                    w = c.get("write")
                    if w and st in (200, 201):
                        if w[0] == "interest":
                            self.valid_writes["interests"][(w[1], w[2])] = w[3]
                            if isinstance(data, dict) and data.get("changed"):
                                self.valid_writes["history"] += 1
                        else:
                            self.valid_writes["messages"].append(w[1])
                    self.check_case(c, st, rh, data, closed)
                    ok = True
                finally:
                    if not ok:
                        self.counts["failed"] += 1
                # the daemon survives every single case
                self.assertTrue(self.d.running(), "taktd died after %s:\n%s"
                                % (c["name"], self.d.log_text()))
        print("\n[bad_input] %d cases in the table" % len(cases))

    def test_2_stored_verbatim_shown_escaped(self):
        d = self.d
        if not self.valid_writes["interests"]:
            self.test_1_table()
        # verbatim in the database
        for (att, p), note in self.valid_writes["interests"].items():
            rows = d.db_query("SELECT note FROM interests WHERE attendee=? AND pitch=?", (att, p))
            self.assertEqual(rows, [{"note": note}], (att, p))
        self.assertEqual(len(d.db_query("SELECT name FROM sqlite_master WHERE name='ledger'")), 1)
        last = self.valid_writes["messages"][-1]
        row = d.db_query("SELECT message_text FROM stage_state WHERE stage='main'")[0]
        self.assertEqual(row["message_text"], last)
        payloads = [r["payload"] for r in d.db_query(
            "SELECT payload FROM ledger WHERE what='message' ORDER BY id")]
        for m in self.valid_writes["messages"]:
            self.assertIn(m, [json.loads(p).get("text") for p in payloads if p])
        # verbatim over the API
        self.assertEqual(d.state()["message"]["text"], last)
        for att in ("ott", "lund", "gast"):
            st, _, me = d.request("GET", "/api/v1/me", token=att)
            self.assertEqual(st, 200, me)
            text = json.dumps(me, ensure_ascii=False)
            for (a, p), note in self.valid_writes["interests"].items():
                if a == att:
                    self.assertIn(json.dumps(note, ensure_ascii=False)[1:-1], text)
        # escaped in the HTML reports
        for name in ("interest", "followups"):
            st, rh, html = d.request("GET", "/api/v1/reports/%s.html" % name, token="organiser")
            self.assertEqual(st, 200)
            self.assertTrue(rh["content-type"].startswith("text/html"), rh)
            self.assertNotIn("<script", html.lower(), name)
            self.assertNotIn("onerror=", html, name)
            self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;",
                          html, name)
            self.assertIn("&#39;; DROP TABLE ledger; --", html, name)
        st, _, html = d.request("GET", "/api/v1/reports/timing.html", token="organiser")
        self.assertEqual(st, 200)
        self.assertNotIn("<script", html.lower())
        # defused in the CSV reports (formula injection)
        for name in ("interest", "followups"):
            st, _, csv_text = d.request("GET", "/api/v1/reports/%s.csv" % name, token="organiser")
            self.assertEqual(st, 200)
            cells = _csv_cells(csv_text)
            for cell in cells:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"),
                                 "%s.csv: a cell starts a formula: %r" % (name, cell))
            self.assertIn("'" + FORMULA, cells, name)
            self.assertIn("'" + AT_FORMULA, cells, name)
            self.assertIn(SQL, cells, name)
            self.assertIn(HTML, cells, name)
        # JSON reports carry the text verbatim
        st, _, js = d.request("GET", "/api/v1/reports/followups.json", token="organiser")
        self.assertEqual(st, 200)
        dumped = json.dumps(js, ensure_ascii=False)
        for note in (SQL, FORMULA):
            self.assertIn(json.dumps(note, ensure_ascii=False)[1:-1], dumped)

    def test_9_daemon_still_serves_and_db_unchanged(self):
        d = self.d
        if self.counts["tried"] == 0:
            self.test_1_table()
        self.assertTrue(d.running(), d.log_text())
        st, _, data = d.request("GET", "/healthz")
        self.assertEqual((st, data.get("status")), (200, "ok"), data)
        self.assertEqual(d.state()["mode"], "idle")
        after = self.snapshot()
        before = self.before
        self.assertEqual(sorted(before), sorted(after), "tables changed")
        for t in FROZEN_TABLES:
            self.assertEqual(before[t], after[t], "table %s changed" % t)
        # ledger: the old rows untouched, new rows exactly the valid messages
        b_ledger = [dict(r) for r in before["ledger"]]
        a_ledger = sorted((dict(r) for r in after["ledger"]), key=lambda r: r["id"])
        self.assertEqual(sorted(b_ledger, key=lambda r: r["id"]), a_ledger[:len(b_ledger)])
        new = a_ledger[len(b_ledger):]
        self.assertEqual([(r["kind"], r["what"]) for r in new],
                         [("action", "message")] * len(self.valid_writes["messages"]), new)
        self.assertEqual([json.loads(r["payload"])["text"] for r in new],
                         self.valid_writes["messages"])
        # stage_state: only the message fields, seq and updated_ms moved (the
        # row may first appear with the first valid action)
        self.assertEqual(len(after["stage_state"]), 1, after["stage_state"])
        a_state = dict(after["stage_state"][0])
        b_seq = dict(before["stage_state"][0])["seq"] if before["stage_state"] else 0
        self.assertEqual(a_state["seq"], b_seq + len(self.valid_writes["messages"]))
        self.assertEqual((a_state["mode"], a_state["cur_slot"], a_state["blackout"]),
                         ("idle", None, 0))
        if before["stage_state"]:
            b_state = dict(before["stage_state"][0])
            for k in ("message_text", "message_visible", "message_blink", "seq", "updated_ms"):
                b_state.pop(k)
                a_state.pop(k)
            self.assertEqual(b_state, a_state)
        # interests: exactly the valid puts
        got = {(dict(r)["attendee"], dict(r)["pitch"]): dict(r)["note"] for r in after["interests"]}
        self.assertEqual(got, self.valid_writes["interests"])
        self.assertEqual(len(after["interest_history"]) - len(before["interest_history"]),
                         self.valid_writes["history"])
        self.assertTrue(all(dict(r)["action"] == "put" for r in after["interest_history"]))
        # the tables the SQL strings named are all there
        self.assertIn("ledger", d.db_tables())
        self.assertIn("screens", d.db_tables())
        print("\n[bad_input] valid writes: %d messages, %d interests (%d history rows)"
              % (len(self.valid_writes["messages"]), len(self.valid_writes["interests"]),
                 self.valid_writes["history"]))


def _csv_cells(text):
    import csv
    import io
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


if __name__ == "__main__":
    unittest.main()
