#!/usr/bin/env python3
"""The hub answers kiosks while a web page is slow (sync/hub/hub_http.c: a
thread per connection, each with its own handle of the store), against a
real kiosk-hub on 127.0.0.1, on SQLite or (--pg-uri-file) PostgreSQL.

A page made slow by KHUB_TEST_WEB_DELAY_MS (the hub sleeps on that
connection's thread before it answers, as a long report would) is in
flight while kiosks sync: each sync completes before the page arrives, and
the hub holds every record.  Then several kiosks sync at once while pages
are asked for (the store's handles side by side: SQLite writers taking
turns), and the hub's export has every check-in once.

Usage: test_hub_threads.py --hub PATH --tool PATH [--pg-uri-file FILE]
"""
import argparse
import http.client
import os
import sys
import threading
import time

import hubdb
import test_sync_e2e as e2e
from test_sync_e2e import check

DELAY_MS = 8000


class SlowPage(threading.Thread):
    """GET path on the hub in a thread; records when the answer came."""

    def __init__(self, hub, path="/login"):
        super().__init__(daemon=True)
        self.hub, self.path = hub, path
        self.status, self.done_at, self.error = None, None, None
        self.started = time.monotonic()

    def run(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.hub.port, timeout=60)
            c.request("GET", self.path)
            r = c.getresponse()
            r.read()
            self.status = r.status
            c.close()
        except OSError as ex:
            self.error = ex
        self.done_at = time.monotonic()


def held(hub):
    """Records the hub holds (every device)."""
    db = hubdb.connect(hub.store)
    try:
        return db.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        db.close()


def t_sync_beside_slow_page():
    os.environ["KHUB_TEST_WEB_DELAY_MS"] = str(DELAY_MS)
    env = e2e.Env(people=120)
    try:
        hub = env.hub()
        env.pair(hub)
        page = SlowPage(hub)
        page.start()
        time.sleep(0.5)                     # the page's thread is asleep in the hub now
        t0 = time.monotonic()
        rc, out, err = e2e.sync(env.kdir)
        took = time.monotonic() - t0
        ended = time.monotonic()
        check(rc == 0 and "0 waiting" in out, f"the kiosk syncs while the page is slow ({out.strip()} {err.strip()})")
        check(page.done_at is None, f"the sync completed before the slow page was answered ({took:.1f} s)")
        page.join(30)
        check(page.status in (200, 303) and page.done_at is not None and page.done_at > ended,
              f"and the page was answered after it ({page.status}, {page.error})")
        _, kn, _, _ = e2e.kiosk_state(env.kdir)
        check(held(hub) >= kn, f"the hub holds the kiosk's {kn} records")
        # the slow page did not take the store from anyone: a second page
        # and a sync of a second kiosk, both while two pages sleep
        kb = os.path.join(env.dir, "kiosk-b")
        tb = e2e.add_device(env.store, "kiosk-b")
        e2e.fixture(kb, "--people", "40")
        env.pair(hub, kb, tb)
        pages = [SlowPage(hub), SlowPage(hub, "/events")]
        for p in pages:
            p.start()
        time.sleep(0.5)
        rc, out, err = e2e.sync(kb)
        check(rc == 0 and all(p.done_at is None for p in pages),
              f"with two slow pages in flight a second kiosk syncs ({err.strip()})")
        for p in pages:
            p.join(30)
        check(all(p.status in (200, 303) for p in pages), f"both pages answered ({[p.status for p in pages]})")
    finally:
        del os.environ["KHUB_TEST_WEB_DELAY_MS"]
        env.close()


def t_kiosks_at_once():
    """Five kiosks sync at the same moment while pages are asked for: every
    sync completes (writers take turns on the store) and the hub's export
    of the shared event has every person once."""
    os.environ["KHUB_TEST_WEB_DELAY_MS"] = "300"
    env = e2e.Env(people=0)
    try:
        hub = env.hub()
        kdirs = []
        for i in range(5):
            kd = os.path.join(env.dir, f"door-{i}")
            tok = e2e.add_device(env.store, f"door-{i}")
            e2e.fixture(kd, "--people", "200", "--event", "Summer Bootcamp")
            env.pair(hub, kd, tok)
            kdirs.append(kd)
        results = [None] * len(kdirs)

        def one(i):
            results[i] = e2e.sync(kdirs[i], timeout=120)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(kdirs))]
        pages = [SlowPage(hub) for _ in range(4)]
        for t in threads + pages:
            t.start()
        for t in threads + pages:
            t.join(120)
        check(all(r is not None and r[0] == 0 for r in results),
              f"five kiosks synced at once ({[(r[0], r[2].strip()[-120:]) if r else None for r in results]})")
        check(all(p.status in (200, 303) for p in pages), f"the pages were answered ({[p.status for p in pages]})")
        want = sum(e2e.kiosk_state(k)[1] for k in kdirs)
        check(held(hub) == want, f"the hub holds every record once ({held(hub)} of {want})")
        errs = [l for l in hub.errors if "database is locked" in l or "busy" in l.lower()]
        check(not errs, f"no store errors in the hub's log ({errs[:3]})")
    finally:
        del os.environ["KHUB_TEST_WEB_DELAY_MS"]
        env.close()


TESTS = [t_sync_beside_slow_page, t_kiosks_at_once]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--pg-uri-file")
    ap.add_argument("only", nargs="*")
    args = ap.parse_args()
    e2e.ARGS = args
    if args.pg_uri_file:
        hubdb.use_postgresql(args.pg_uri_file)
    try:
        for t in TESTS:
            if args.only and t.__name__ not in args.only:
                continue
            print("--", t.__name__, flush=True)
            start = time.time()
            try:
                t()
            except Exception as ex:
                check(False, f"{t.__name__} raised {type(ex).__name__}: {ex}")
            print(f"   {time.time() - start:.1f} s", flush=True)
    finally:
        hubdb.drop_all()
    print(f"{e2e.PASSED} passed, {e2e.FAILED} failed")
    return 1 if e2e.FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
