"""Role walk and personal-data checks (issue 7, security review).

- Every route of daemon/api.c's api_routes (parsed from the C source, so a
  route added without an entry here fails this test) is called with no
  token, a bad token and the attendee, moderator and organiser tokens, and
  gets the outcome SPEC §4 gives: 401, 403 or allowed (2xx).
- Public endpoints (event, state, stream, time, healthz, metrics, exports,
  pages and assets) never carry an attendee's e-mail, name, token or note.
- No token ever appears in the daemon's log, after a run that used every
  token, also in URL-ish places; no page script puts a token in a query.
- The database, its -wal and -shm and DATABASE.tokens have no group or
  other permission bits.
"""

import glob
import hashlib
import html as htmlmod
import json
import os
import re
import socket
import stat
import time
import unittest
import urllib.parse

from taktharness import (DEFAULT_ATTENDEES, Daemon, error_body_ok, make_config, pitch)

SOURCE = os.environ.get("TAKT_SOURCE") or os.path.join(os.path.dirname(__file__), "..", "..")
API_C = os.path.join(SOURCE, "daemon", "api.c")
PAGES_DIR = os.path.join(SOURCE, "daemon", "pages")

WHO = ("none", "bad", "attendee", "moderator", "organiser")
PUBLIC = frozenset(WHO)
ALL_TOKENS = frozenset(("attendee", "moderator", "organiser"))
MOD_ORG = frozenset(("moderator", "organiser"))
ORG = frozenset(("organiser",))
ATT = frozenset(("attendee",))

SECRET_NOTE = "secret-note-7f3a9c"      # an attendee's note: must never be public

# What SPEC §4 (and the README for the routes it is silent on) says about
# every route: who may call it, and the concrete path to call.
EXPECTED = {
    ("GET", "/api/v1/event"): (PUBLIC, "/api/v1/event"),
    ("GET", "/api/v1/stages/*/state"): (PUBLIC, "/api/v1/stages/main/state"),
    ("GET", "/api/v1/stages/*/stream"): (PUBLIC, "/api/v1/stages/main/stream"),
    ("POST", "/api/v1/stages/*/*"): (MOD_ORG, "/api/v1/stages/main/message"),
    ("GET", "/api/v1/time"): (PUBLIC, "/api/v1/time"),
    ("POST", "/api/v1/reload"): (ORG, "/api/v1/reload"),
    ("POST", "/api/v1/checkins"): (ALL_TOKENS, "/api/v1/checkins"),
    ("POST", "/api/v1/checkouts"): (ALL_TOKENS, "/api/v1/checkouts"),
    ("PUT", "/api/v1/interests/*"): (ATT | ORG, "/api/v1/interests/b"),
    ("DELETE", "/api/v1/interests/*"): (ATT | ORG, "/api/v1/interests/b"),
    ("GET", "/api/v1/me"): (ATT, "/api/v1/me"),
    ("POST", "/api/v1/screens"): (PUBLIC, "/api/v1/screens"),
    ("GET", "/api/v1/reports/*"): (ORG, "/api/v1/reports/followups.csv"),
    ("GET", "/api/v1/export/schedule.json"): (PUBLIC, "/api/v1/export/schedule.json"),
    ("GET", "/api/v1/export/agenda.ics"): (PUBLIC, "/api/v1/export/agenda.ics"),
    ("GET", "/healthz"): (PUBLIC, "/healthz"),
    ("GET", "/metrics"): (PUBLIC, "/metrics"),
    ("GET", "/api/v1/attendees"): (MOD_ORG, "/api/v1/attendees"),
    ("POST", "/api/v1/badges"): (ORG, "/api/v1/badges"),
    ("GET", "/"): (PUBLIC, "/"),
    ("GET", "/stage/*"): (PUBLIC, "/stage/main"),
    ("GET", "/moderator/*"): (PUBLIC, "/moderator/main"),
    ("GET", "/me"): (PUBLIC, "/me"),
    ("GET", "/door"): (PUBLIC, "/door"),
    ("GET", "/organiser"): (PUBLIC, "/organiser"),
    ("GET", "/assets/*"): (PUBLIC, "/assets/takt.js"),
}

# every other report a organiser-only "*" can name
REPORTS = ["%s.%s" % (n, f) for n in ("timing", "attendance", "interest", "followups")
           for f in ("json", "csv", "html")]


def parse_routes(path=API_C):
    """[(METHOD, pattern, roles expression)] of api_routes in api.c."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"api_routes\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    if m is None:
        raise AssertionError("api_routes[] not found in %s" % path)
    # drop comments, but not "/*" inside string literals such as "/stages/*/state"
    body = re.sub(r'("(?:\\.|[^"\\])*")|/\*.*?\*/', lambda x: x.group(1) or "",
                  m.group(1), flags=re.S)
    routes = re.findall(r'\{\s*EVHTTP_REQ_(\w+)\s*,\s*"([^"]*)"\s*,\s*([^,]+?)\s*,'
                        r'\s*(true|false)\s*,\s*(\w+)\s*\}', body)
    entries = body.count("EVHTTP_REQ_")
    if len(routes) != entries:
        raise AssertionError("parsed %d of %d routes in api_routes" % (len(routes), entries))
    defines = dict(re.findall(r"#define\s+(\w+)\s+(\(?[^\n]*\)?)", src))
    return [(meth, pat, roles, defines) for meth, pat, roles, _, _ in routes]


def roles_of(expr, defines):
    """The token kinds a roles expression of api.c admits (public: everyone)."""
    names = {"AUTH_BIT(AUTH_ATTENDEE)": "attendee", "AUTH_BIT(AUTH_MODERATOR)": "moderator",
             "AUTH_BIT(AUTH_ORGANISER)": "organiser"}

    def expand(e, depth=0):
        e = e.strip()
        while e.startswith("(") and e.endswith(")"):
            e = e[1:-1].strip()
        if depth > 10:
            raise AssertionError("cannot expand %r" % e)
        out = set()
        for part in e.split("|"):
            part = part.strip()
            if part == "0":
                continue
            if part.replace(" ", "") in names:
                out.add(names[part.replace(" ", "")])
            elif part in defines:
                out |= expand(defines[part], depth + 1)
            else:
                raise AssertionError("unknown roles term %r" % part)
        return out

    got = expand(expr)
    return PUBLIC if not got else frozenset(got)


def raw_get_head(port, path, token=None, read_first_event=True, timeout=5.0):
    """GET over a raw socket (for the stream): (status, text received)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        req = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % path
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        s.sendall((req + "\r\n").encode())
        buf = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
            if b"\r\n\r\n" in buf and (not read_first_event or b"\n\n" in buf.split(b"\r\n\r\n", 1)[1]):
                break
        m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
        return (int(m.group(1)) if m else None), buf.decode("utf-8", "replace")
    finally:
        s.close()


class RolesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        pitches = [pitch("a", contact="team-a@startup.example"), pitch("b"), pitch("c")]
        cls.d = Daemon(make_config(stages=[("main", "Main Hall", pitches)],
                                   timing=dict(pitch="60s", warning="20s", danger="10s",
                                               grace="10s", on_time_up="none")))
        try:
            cls.d.start()
        except BaseException:
            cls.d.cleanup()
            raise
        cls.used_tokens = set()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def token_for(self, who):
        d = self.d
        if who == "none":
            return None
        if who == "bad":
            return "bad-" + "x" * 39
        if who == "attendee":
            return d.token("ott")
        return d.token(who)

    def call(self, method, path, who, body=None):
        tok = self.token_for(who)
        if tok is not None:
            self.used_tokens.add(tok)
        if path.endswith("/stream"):
            st, text = raw_get_head(self.d.port, path, tok)
            return st, {}, text
        return self.d.request(method, path, body=body, token=tok)

    @staticmethod
    def body_for(method, pattern, who):
        """A body that is valid for that caller, so only the role decides."""
        if pattern == "/api/v1/stages/*/*":
            return {"text": "role walk", "visible": False}
        if pattern in ("/api/v1/checkins", "/api/v1/checkouts"):
            return {} if who == "attendee" else {"attendee": "lund"}
        if pattern == "/api/v1/interests/*":
            b = {"attendee": "lund"} if who != "attendee" else {}
            if method == "PUT":
                b["level"] = "info"
            return b
        if pattern == "/api/v1/screens":
            return {"screen": "walk-%s" % who, "page": "stage", "offset_ms": 3, "rtt_ms": 4}
        if pattern == "/api/v1/badges":
            return {}
        return None

    # ------------------------------------------------------------------

    def test_1_route_table_matches_spec(self):
        """Every route in api.c has an expectation here, and its roles agree."""
        routes = parse_routes()
        self.assertGreaterEqual(len(routes), 20)
        keys = [(m, p) for m, p, _, _ in routes]
        self.assertEqual(len(keys), len(set(keys)), "a route appears twice in api_routes")
        missing = [k for k in keys if k not in EXPECTED]
        self.assertEqual(missing, [], "routes in api.c without a role expectation in "
                         "test_roles.EXPECTED: %r" % missing)
        stale = [k for k in EXPECTED if k not in keys]
        self.assertEqual(stale, [], "expectations for routes no longer in api.c: %r" % stale)
        for m, p, expr, defines in routes:
            with self.subTest(route="%s %s" % (m, p)):
                self.assertEqual(roles_of(expr, defines), EXPECTED[(m, p)][0],
                                 "%s %s: api.c says %s" % (m, p, expr))

    def test_2_walk_every_route_with_every_role(self):
        d = self.d
        routes = parse_routes()
        calls = 0
        deferred = []
        for m, p, _, _ in routes:
            allowed, path = EXPECTED[(m, p)]
            paths = [path]
            if p == "/api/v1/reports/*":
                paths = ["/api/v1/reports/" + r for r in REPORTS]
            if p == "/assets/*":
                paths = ["/assets/" + os.path.basename(f) for f in sorted(glob.glob(
                    os.path.join(PAGES_DIR, "*"))) if not f.endswith(".html")] or [path]
            for who in WHO:
                for pth in paths:
                    if p == "/api/v1/badges" and who == "organiser":
                        deferred.append((m, p, pth, who))     # it rotates attendee tokens
                        continue
                    calls += 1
                    self._walk_one(m, p, pth, who, allowed)
        for m, p, pth, who in deferred:
            calls += 1
            self._walk_one(m, p, pth, who, EXPECTED[(m, p)][0])
        print("\n[roles] %d routes x %d callers: %d calls" % (len(routes), len(WHO), calls))
        self.assertTrue(d.running())

    def _walk_one(self, m, p, pth, who, allowed):
        with self.subTest(route="%s %s" % (m, p), path=pth, who=who):
            body = self.body_for(m, p, who)
            st, rh, data = self.call(m, pth, who, body)
            what = "%s %s as %s: %s %r" % (m, pth, who, st, data if not isinstance(data, str)
                                           else data[:200])
            if who in allowed:
                self.assertTrue(st is not None and 200 <= st < 300, what)
                if p == "/api/v1/badges":
                    self._check_badges(data)
            elif who in ("none", "bad"):
                self.assertEqual(st, 401, what)
                self.assertTrue(error_body_ok(data), what)
                self.assertEqual(data["error"]["code"], "unauthorized", what)
            else:
                self.assertEqual(st, 403, what)
                self.assertTrue(error_body_ok(data), what)
                self.assertEqual(data["error"]["code"], "forbidden", what)

    def _check_badges(self, sheet):
        """The badge sheet replaced every attendee token: the old ones are 401."""
        d = self.d
        old = dict(d.tokens["attendee"])
        new = {}
        urls = re.findall(r"/me#token=([A-Za-z0-9_-]{43})", htmlmod.unescape(sheet))
        ids = [a["id"] for a in DEFAULT_ATTENDEES]
        self.assertEqual(len(set(urls)), len(ids), "one link per attendee expected")
        for att, tok in zip(ids, dict.fromkeys(urls)):
            new[att] = tok
        for att in ids:
            st, _, data = d.request("GET", "/api/v1/me", token=old[att])
            self.assertEqual(st, 401, "old token of %s still works" % att)
            st, _, data = d.request("GET", "/api/v1/me", token=new[att])
            self.assertEqual(st, 200, data)
            self.assertEqual(data["attendee"]["id"], att)
        self.used_tokens.update(new.values())
        self.used_tokens.update(old.values())
        d.tokens["attendee"] = new

    def test_3_no_personal_data_in_public_endpoints(self):
        d = self.d
        # make sure there is personal data to leak: check-ins and interests with a note
        for att in ("ott", "lund", "gast"):
            st, _, data = d.request("POST", "/api/v1/checkins", body={}, token=att)
            self.assertEqual(st, 200, data)
            st, _, data = d.request("PUT", "/api/v1/interests/a", token=att,
                                    body={"level": "follow_up", "note": SECRET_NOTE + att})
            self.assertIn(st, (200, 201), data)
        d.ok("start")
        try:
            secrets = {}
            for a in DEFAULT_ATTENDEES:
                secrets["email of %s" % a["id"]] = a["email"]
                secrets["name of %s" % a["id"]] = a["name"]
                secrets["token of %s" % a["id"]] = d.token(a["id"])
                secrets["note of %s" % a["id"]] = SECRET_NOTE + a["id"]
            secrets["start-up contact (followups report only)"] = "team-a@startup.example"
            secrets["organiser token"] = d.token("organiser")
            secrets["moderator token"] = d.token("moderator")
            public = ["/api/v1/event", "/api/v1/stages/main/state", "/api/v1/time", "/healthz",
                      "/metrics", "/api/v1/export/schedule.json", "/api/v1/export/agenda.ics",
                      "/", "/stage/main", "/moderator/main", "/me", "/door", "/organiser"]
            public += ["/assets/" + os.path.basename(f) for f in sorted(glob.glob(
                os.path.join(PAGES_DIR, "*"))) if not f.endswith(".html")]
            bodies = {}
            for pth in public:
                st, _, data = d.request("GET", pth)
                self.assertEqual(st, 200, pth)
                bodies[pth] = data if isinstance(data, str) else json.dumps(data,
                                                                            ensure_ascii=False)
            st, text = raw_get_head(d.port, "/api/v1/stages/main/stream")
            self.assertEqual(st, 200)
            self.assertIn("event: state", text)
            bodies["stream (first event)"] = text
            for pth, text in bodies.items():
                low = text.lower()
                for what, secret in secrets.items():
                    with self.subTest(endpoint=pth, secret=what):
                        self.assertNotIn(secret.lower(), low, "%s shows the %s" % (pth, what))
                        # JSON may escape non-ASCII; compare the escaped form too
                        self.assertNotIn(json.dumps(secret)[1:-1].lower(), low)
            print("\n[roles] %d public responses scanned for %d secrets"
                  % (len(bodies), len(secrets)))
        finally:
            d.ok("stop")

    def test_4_pages_never_put_a_token_in_a_query(self):
        files = sorted(glob.glob(os.path.join(PAGES_DIR, "*.js")) +
                       glob.glob(os.path.join(PAGES_DIR, "*.html")))
        if not files:
            self.skipTest("no daemon/pages")
        bad = re.compile(r"""([?&](access_)?token=)|(searchParams\.(set|append)\(\s*['"]token)"""
                         r"""|(location\.search[^\n;]*token)|(\?\s*['"]?\s*\+\s*token)""", re.I)
        for f in files:
            with open(f, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    with self.subTest(file=os.path.basename(f), line=n):
                        self.assertIsNone(bad.search(line), "%s:%d: %s"
                                          % (f, n, line.strip()))
        # the attendee page takes its token from the fragment only
        me = os.path.join(PAGES_DIR, "me.js")
        if os.path.exists(me):
            with open(me, encoding="utf-8") as fh:
                src = fh.read()
            self.assertIn("location.hash", src)
            self.assertNotRegex(src, r"location\.search")

    def test_5_token_never_in_the_log(self):
        d = self.d
        toks = set(self.used_tokens)
        toks.update([d.token("organiser"), d.token("moderator")])
        toks.update(d.tokens["attendee"].values())
        # every token in every URL-ish place a careless client might put it
        for tok in sorted(toks):
            q = urllib.parse.quote(tok, safe="")
            for method, pth in [("GET", "/api/v1/event?token=" + q),
                                ("GET", "/me?token=" + q),
                                ("GET", "/api/v1/me?access_token=" + q),
                                ("GET", "/api/v1/stages/%s/state" % q),
                                ("GET", "/stage/%s" % q),
                                ("GET", "/assets/%s.js" % q),
                                ("GET", "/api/v1/reports/%s.csv" % q),
                                ("POST", "/api/v1/stages/main/%s" % q),
                                ("GET", "/%s" % q),
                                ("PATCH", "/api/v1/me?token=" + q)]:
                st, _, _ = d.request(method, pth, token=None,
                                     headers={"Referer": "http://x/me#token=" + tok,
                                              "X-Token": tok})
                self.assertLess(st, 500, pth)
            st, _, _ = d.request("POST", "/api/v1/checkins", body={"attendee": tok},
                                 token="moderator")
            self.assertEqual(st, 404)
            st, _, _ = d.request("PUT", "/api/v1/interests/%s" % q, body={}, token=tok)
            self.assertIn(st, (400, 401, 403, 404))
            st, _, _ = d.request("GET", "/api/v1/me", token=tok)
            self.assertIn(st, (200, 401, 403))
            st, _, _ = d.request("GET", "/api/v1/me", token=tok + "x")
            self.assertEqual(st, 401)
        # an issued token on stdout is the one exception (--issue-tokens prints them)
        rc, _ = d.stop()
        self.assertEqual(rc, 0, d.log_text())
        log = "\n".join(l for l in d.log if l.startswith("E ") or l.startswith("O "))
        self.assertIn("tokens written to", log)
        for tok in toks:
            self.assertNotIn(tok, log, "a token is in the daemon's log")
            self.assertNotIn(tok[:16], log, "a token prefix is in the daemon's log")
            h = hashlib.sha256(tok.encode()).hexdigest()
            self.assertNotIn(h, log.lower(), "a token hash is in the daemon's log")
        print("\n[roles] %d distinct tokens used; %d log lines scanned"
              % (len(toks), len(d.log)))
        d.start()

    def test_6_file_modes(self):
        d = self.d
        if not d.running():
            d.start()
        # a write so the -wal and -shm exist
        d.ok("message", {"text": "mode check"})
        paths = [d.db_path, d.db_path + "-wal", d.db_path + "-shm", d.tokens_path]
        for pth in paths:
            with self.subTest(file=os.path.basename(pth)):
                self.assertTrue(os.path.exists(pth), pth)
                mode = stat.S_IMODE(os.stat(pth).st_mode)
                print("\n[roles] %s mode %04o" % (os.path.basename(pth), mode))
                self.assertEqual(mode & 0o077, 0, "%s is %04o" % (pth, mode))


if __name__ == "__main__":
    unittest.main()
