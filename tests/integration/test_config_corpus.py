"""Config robustness: `taktd --check-config` on a corpus of broken files.

Every file in tests/data/broken/ (plus a few generated here: a 5 MiB file,
10,000 levels of nesting in three styles, a valid config just under the
size limit) must give exit 1 with every error line in the form
`FILE:LINE:COLUMN: KEY: MESSAGE` — or exit 0 for the few files that are
valid after all (CRLF line endings, a UTF-8 BOM) — and never crash,
hang or trip a sanitizer. Where the position of the first error is known by
hand it is checked too.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from taktharness import TAKTD

HERE = os.path.dirname(os.path.abspath(__file__))
BROKEN = os.path.join(HERE, "..", "data", "broken")
TIME_LIMIT = 5.0

# file -> (exit code, substrings that must each appear on some error line).
# A file not listed here must exit 1 with at least one error.
EXPECT = {
    "tabs.yaml": (1, [":3:1: yaml: "]),
    "duplicate-top-key.yaml": (1, [":17:1: event: duplicate key"]),
    "duplicate-nested-key.yaml": (1, [":14:9: stages[0].pitches[1].startup: duplicate key"]),
    "list-where-map.yaml": (1, [":3:3: event: expected a mapping"]),
    "map-where-list.yaml": (1, [":7:3: stages: expected a list"]),
    "map-where-scalar.yaml": (1, [":4:5: event.title: expected a scalar"]),
    "number-where-string.yaml": (1, [":4:9: event.date: ", ":9:12: stages[0].start: "]),
    "anchors-aliases.yaml": (1, ["aliases are not allowed"]),
    "billion-laughs.yaml": (1, ["aliases are not allowed"]),
    "invalid-utf8.yaml": (1, [":11:24: yaml: "]),
    "nul-byte.yaml": (1, [":13:22: yaml: "]),
    "control-char.yaml": (1, [":13:23: yaml: "]),
    "empty.yaml": (1, [":1:1: -: "]),
    "only-comment.yaml": (1, [":1:1: -: "]),
    "scalar-root.yaml": (1, [":2:1: -: "]),
    "windows-1252.yaml": (1, [":8:"]),
    "unterminated-quote.yaml": (1, ["yaml: "]),
    "unclosed-flow.yaml": (1, ["yaml: "]),
    "key-without-value.yaml": (1, [":3:9: event.title: ", ":13:17: stages[0].pitches[1].startup: "]),
    "two-documents.yaml": (1, [":18:1: yaml: only one YAML document"]),
    # Keys holding a space or ": " must not break the KEY field.
    "odd-keys.yaml": (1, [":5:3: ", ":6:3: "]),
    # UTF-16 is refused at 1:1 (libyaml's offsets would count its bytes).
    "utf16-lone-surrogate.yaml": (1, [":1:1: yaml: "]),
    "utf16.yaml": (1, [":1:1: yaml: "]),
    # Valid after all: libyaml reads CRLF and a UTF-8 BOM.
    "crlf.yaml": (0, []),
    "bom.yaml": (0, []),
}

SANITIZER = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
             "Segmentation fault", "AddressSanitizer:DEADLYSIGNAL")


def generated(dirpath):
    """Writes the files too big to keep in the tree; name -> (code, substrings)."""
    out = {}
    p = os.path.join(dirpath, "huge.yaml")
    with open(p, "w") as f:
        line = "# padding to make the file larger than the limit of 4 MiB\n"
        f.write(line * (5 * 1024 * 1024 // len(line) + 1))
    out[p] = (1, [":1:1: -: the file is larger than"])

    p = os.path.join(dirpath, "deep-flow-seq.yaml")
    with open(p, "w") as f:
        f.write("event: " + "[" * 10000 + "]" * 10000 + "\n")
    out[p] = (1, ["nested deeper than"])

    p = os.path.join(dirpath, "deep-flow-map.yaml")
    with open(p, "w") as f:
        f.write("event: " + "{a: " * 10000 + "x" + "}" * 10000 + "\n")
    out[p] = (1, ["nested deeper than"])

    p = os.path.join(dirpath, "deep-block-seq.yaml")
    with open(p, "w") as f:
        f.write("event:\n  " + "- " * 10000 + "x\n")
    out[p] = (1, ["nested deeper than"])

    # Valid and just under the limit: must be read in time.
    p = os.path.join(dirpath, "big-valid.yaml")
    with open(os.path.join(BROKEN, "crlf.yaml"), "rb") as f:
        base = f.read().decode("utf-8").replace("\r\n", "\n")
    parts = [base]
    size = len(base)
    i = 0
    while size < 4 * 1024 * 1024 - 4096:
        s = ("  - id: p%d\n    name: Person %d, a department head\n"
             "    department: Department %d\n" % (i, i, i % 50))
        parts.append(s)
        size += len(s)
        i += 1
    with open(p, "w") as f:
        f.write("".join(parts))
    out[p] = (0, [])
    return out


class ConfigCorpusTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="takt-corpus-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def check_file(self, path, code, wanted):
        t0 = time.monotonic()
        try:
            p = subprocess.run([TAKTD, "--check-config", path], capture_output=True,
                               stdin=subprocess.DEVNULL, timeout=TIME_LIMIT * 3)
        except subprocess.TimeoutExpired:
            self.fail("%s: no answer within %ss" % (path, TIME_LIMIT * 3))
        took = time.monotonic() - t0
        err = p.stderr.decode("utf-8", "replace")
        out = p.stdout.decode("utf-8", "replace")
        name = os.path.basename(path)
        self.assertGreaterEqual(p.returncode, 0, "%s: killed by signal %d\n%s"
                                % (name, -p.returncode, err[-3000:]))
        for s in SANITIZER:
            self.assertNotIn(s, err, "%s: sanitizer report\n%s" % (name, err[-3000:]))
        self.assertLess(took, TIME_LIMIT, "%s took %.2fs" % (name, took))
        self.assertEqual(p.returncode, code, "%s: exit %d, want %d\nstderr:\n%s\nstdout:\n%s"
                         % (name, p.returncode, code, err[-3000:], out[-500:]))
        lines = [l for l in err.split("\n") if l != ""]
        if code == 0:
            self.assertEqual(lines, [], "%s: valid but errors:\n%s" % (name, err))
            return 0
        self.assertTrue(lines, "%s: exit 1 without any error line" % name)
        line_re = re.compile(r"^%s:\d+:\d+: \S+: .+$" % re.escape(path))
        for l in lines:
            self.assertRegex(l, line_re, "%s: error line not FILE:LINE:COLUMN: KEY: MESSAGE"
                             % name)
            m = re.match(r"^%s:(\d+):(\d+): " % re.escape(path), l)
            self.assertGreaterEqual(int(m.group(1)), 1, l)
            self.assertGreaterEqual(int(m.group(2)), 1, l)
        for w in wanted:
            self.assertTrue(any(w in l for l in lines),
                            "%s: no error line with %r:\n%s" % (name, w, err))
        return len(lines)

    def test_corpus_files(self):
        files = sorted(f for f in os.listdir(BROKEN) if f.endswith(".yaml"))
        self.assertGreaterEqual(len(files), 15)
        for f in EXPECT:
            self.assertIn(f, files, "corpus file %s is missing" % f)
        errors = 0
        for f in files:
            code, wanted = EXPECT.get(f, (1, []))
            with self.subTest(file=f):
                errors += self.check_file(os.path.join(os.path.abspath(BROKEN), f),
                                          code, wanted) or 0
        print("config corpus: %d files, %d error lines checked" % (len(files), errors),
              file=sys.stderr)

    def test_generated_files(self):
        for path, (code, wanted) in sorted(generated(self.tmp).items()):
            with self.subTest(file=os.path.basename(path)):
                self.check_file(path, code, wanted)


if __name__ == "__main__":
    unittest.main()
