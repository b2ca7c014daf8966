"""Helpers shared by the Python tests: run the kiosk, read its database."""
import atexit
import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile

ENV = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")


def fresh_dir(prefix="kiosk-test-"):
    """A new temporary folder, removed when the test ends."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


def run(kiosk, *args, script=None, check=True):
    """Runs the kiosk; with script, as a replay read from standard input."""
    cmd = [kiosk, *args]
    if script is not None:
        cmd += ["--replay", "-"]
    p = subprocess.run(cmd, input=script, capture_output=True, text=True, env=ENV,
                       timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def db(data):
    """A read-only connection to the kiosk's database in data, closed after
    the with block."""
    return contextlib.closing(
        sqlite3.connect(f"file:{os.path.join(data, 'kiosk.db')}?mode=ro", uri=True))


def integrity(data):
    with db(data) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def stored_people(data):
    with db(data) as c:
        return {row[0]: row[1] for row in c.execute("SELECT id, given FROM people")}


def checked_in(data):
    with db(data) as c:
        return {row[0] for row in c.execute("SELECT person_id FROM checkins")}


def signup_block(name):
    """Replay lines for one sign-up from anywhere, with no expectation."""
    return f"key Escape\ntap btn-new\ntype {name}\ntap btn-submit\n"


class Checker:
    """Counts checks the way the C harness does and prints the summary."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"check failed: {what}", flush=True)

    def summary(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
