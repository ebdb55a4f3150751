"""HTTP on the wire, as clients other than browsers send it: pipelined
requests, HEAD, HTTP/1.0 with and without keep-alive, Connection: close, and
replies larger than the socket takes at once (taktd writes a reply straight
to the socket when it fits and leaves the rest to libevent; every path must
give whole, ordered replies)."""

import json
import os
import socket
import time
import unittest

from taktharness import Daemon, make_config

STATE = "/api/v1/stages/main/state"
READ_TIMEOUT = 5.0


class Reader:
    """Parses HTTP/1.x replies off one socket, byte-exact."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def _fill(self, deadline):
        if self.eof:
            return False
        self.sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def reply(self, head_request=False):
        """(status, headers {lower: value}, body bytes) of the next reply."""
        deadline = time.monotonic() + READ_TIMEOUT
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(deadline) and (self.eof or time.monotonic() > deadline):
                raise AssertionError("no complete reply head; have %r" % self.buf[:200])
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if head_request:
            n = 0
        elif "content-length" in headers:
            n = int(headers["content-length"])
        else:               # HTTP/1.0 without keep-alive: the close ends it
            while self._fill(deadline) or (not self.eof and time.monotonic() < deadline):
                pass
            self._require_eof()
            n = len(self.buf)
        while len(self.buf) < n:
            if not self._fill(deadline) and (self.eof or time.monotonic() > deadline):
                raise AssertionError("body cut short: %d of %d bytes" % (len(self.buf), n))
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def _require_eof(self):
        if not self.eof:
            raise AssertionError("a reply without Content-Length, and no close")

    def closed(self):
        """True once the server has closed and nothing more is buffered."""
        deadline = time.monotonic() + READ_TIMEOUT
        while not self.eof and time.monotonic() < deadline:
            self._fill(deadline)
        return self.eof and self.buf == b""


def get(path, version="1.1", extra=""):
    return ("GET %s HTTP/%s\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, version, extra)).encode()


class HttpWireTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(make_config())
        try:
            cls.d.start()
        except BaseException:
            cls.d.cleanup()
            raise
        cls.pages = os.path.join(os.environ.get("TAKT_SOURCE", ""), "daemon", "pages")

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def connect(self, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect(("127.0.0.1", self.d.port))
        self.addCleanup(s.close)
        return s, Reader(s)

    def test_pipelined_requests_answered_whole_and_in_order(self):
        s, r = self.connect()
        s.sendall(get(STATE) + get("/api/v1/time") + get(STATE) + get("/healthz") + get(STATE))
        kinds = []
        for want in ("state", "time", "state", "health", "state"):
            st, h, body = r.reply()
            self.assertEqual(st, 200, body)
            if want == "health":
                kinds.append(want)
                continue
            data = json.loads(body)
            kinds.append("state" if "stage" in data else "time")
            self.assertEqual(h["content-type"], "application/json")
        self.assertEqual(kinds, ["state", "time", "state", "health", "state"])
        # the connection is still open and usable
        s.sendall(get(STATE))
        self.assertEqual(json.loads(r.reply()[2])["stage"], "main")

    def test_pipelined_writes_answered_in_order(self):
        """Replies that wait for the writer thread still go out in request order."""
        tok = self.d.token("ott")
        s, r = self.connect()
        reqs = b""
        for i, level in enumerate(("info", "follow_up", "info")):
            body = json.dumps({"level": level, "note": "n%d" % i}).encode()
            reqs += (("PUT /api/v1/interests/b HTTP/1.1\r\nHost: x\r\n"
                      "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %d\r\n\r\n" % (tok, len(body))).encode() + body)
        reqs += ("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                 % tok).encode()
        s.sendall(reqs)
        notes = []
        for _ in range(3):
            st, _, body = r.reply()
            self.assertIn(st, (200, 201), body)
            notes.append(json.loads(body)["note"])
        self.assertEqual(notes, ["n0", "n1", "n2"])
        st, _, body = r.reply()
        self.assertEqual(st, 200)
        mine = [i for i in json.loads(body)["interests"] if i["pitch"] == "b"]
        self.assertEqual([(i["level"], i["note"]) for i in mine], [("info", "n2")])

    def test_head_has_length_and_no_body(self):
        s, r = self.connect()
        s.sendall(get(STATE))
        _, h_get, body = r.reply()
        s.sendall(("HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n" % STATE).encode() + get("/api/v1/time"))
        st, h, body_head = r.reply(head_request=True)
        self.assertEqual(st, 200)
        self.assertEqual(body_head, b"")
        # same length as GET (the state JSON has a fixed shape here: idle)
        self.assertEqual(h["content-length"], h_get["content-length"])
        # the next reply starts right after the HEAD reply's head
        st, _, body = r.reply()
        self.assertEqual(st, 200)
        self.assertIn("server_time_ms", json.loads(body))

    def test_head_on_a_stream_is_only_a_head(self):
        """HEAD on the SSE stream answers GET's headers and starts no stream."""
        s, r = self.connect()
        s.sendall(("HEAD /api/v1/stages/main/stream HTTP/1.1\r\nHost: x\r\n\r\n").encode())
        st, h, body = r.reply(head_request=True)
        self.assertEqual(st, 200)
        self.assertEqual(h["content-type"], "text/event-stream; charset=utf-8")
        self.assertNotIn("transfer-encoding", h)
        s.sendall(get("/api/v1/time"))
        st, _, body = r.reply()
        self.assertEqual(st, 200)
        self.assertIn("server_time_ms", json.loads(body), "a stream began after HEAD")
        s.sendall(("HEAD /api/v1/stages/nope/stream HTTP/1.1\r\nHost: x\r\n\r\n").encode())
        self.assertEqual(r.reply(head_request=True)[0], 404)

    def assert_state_then_closed(self, why, **get_args):
        """GET state on a fresh connection: the whole reply, then the close."""
        s, r = self.connect()
        s.sendall(get(STATE, **get_args))
        st, _, body = r.reply()
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body)["stage"], "main")
        self.assertTrue(r.closed(), why)

    def test_http10_closes_unless_keep_alive(self):
        self.assert_state_then_closed("HTTP/1.0 without keep-alive left open", version="1.0")

        s, r = self.connect()
        ka = "Connection: keep-alive\r\n"
        s.sendall(get(STATE, version="1.0", extra=ka))
        self.assertEqual(r.reply()[0], 200)
        s.sendall(get("/api/v1/time", version="1.0", extra=ka))
        self.assertEqual(r.reply()[0], 200)

    def test_connection_close_after_reply(self):
        self.assert_state_then_closed("Connection: close left open",
                                      extra="Connection: close\r\n")

    def test_replies_larger_than_the_socket_takes(self):
        """A slow reader with a small window: the rest of each reply follows later."""
        with open(os.path.join(self.pages, "takt.js"), "rb") as f:
            js = f.read()
        with open(os.path.join(self.pages, "takt.css"), "rb") as f:
            css = f.read()
        s, r = self.connect(rcvbuf=4096)
        s.sendall(get("/assets/takt.js") + get("/assets/takt.css") + get("/assets/takt.js")
                  + get(STATE))
        time.sleep(0.5)     # let the server hit a full socket
        for want in (js, css, js):
            st, _, body = r.reply()
            self.assertEqual(st, 200)
            self.assertEqual(body, want)
        st, _, body = r.reply()
        self.assertEqual(json.loads(body)["stage"], "main")

    def test_client_gone_before_reply(self):
        """A client that sends and leaves at once does not upset the daemon."""
        for _ in range(50):
            s = socket.create_connection(("127.0.0.1", self.d.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.sendall(get(STATE) + get("/assets/takt.js"))
            s.close()       # RST: the reply's write fails
        s, r = self.connect()
        s.sendall(get(STATE))
        self.assertEqual(r.reply()[0], 200)


if __name__ == "__main__":
    unittest.main()
