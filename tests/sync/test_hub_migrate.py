#!/usr/bin/env python3
"""The hub store's step to SQLite schema 5 / PostgreSQL migration 4 (issue
15, "queries follow the event"), on a store made by the hub before it
(tests/sync/fixtures/hub_v4.sql, or with --pg-uri-file the PostgreSQL
database hub_pg_v3.sql; fixtures/make_hub_v4.py says how they were made).

  migrated   the hub opens the old store: every record, staff account and
             roster row kept; event_id and person_id filled from each
             record's JSON exactly as Python's json module reads it (a
             string member's text; NULL for a number, null or no member),
             the check-ins counted per event and kiosk; and the old hub's
             own `events` and merged CSV exports, kept beside the fixture,
             come out byte for byte the same from the new columns.
  ingest     a kiosk paired after the step sends check-ins (one with an
             event id holding a quote, a backslash, a newline and a
             non-ASCII letter written as \\u escapes): the columns equal
             the JSON again, the counts and `events` follow.
  reopen     a second open changes nothing.

Usage: test_hub_migrate.py --hub PATH --tool PATH [--pg-uri-file FILE]
Standard library only.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

import hubdb
import test_sync_e2e as e2e
from test_sync_e2e import check

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
EV_BOOTCAMP = "a1000000000000000000000000000001"
EV_WORKSHOP = "b303f90387c923f7b33b84fe69418982"
DEV_C = "c3" + "0" * 29 + "3"


def load_fixture(folder):
    """A store holding the fixture of this backend; (store, tag)."""
    store = hubdb.new_store(folder)
    if hubdb.is_pg(store):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                            os.path.join(FIX, "hub_pg_v3.sql"), store], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        return store, "pg_v3"
    import sqlite3
    db = sqlite3.connect(store)
    db.executescript(open(os.path.join(FIX, "hub_v4.sql"), encoding="utf-8").read())
    db.commit()
    db.close()
    return store, "v4"


def snapshot(store):
    """What the step must keep: records, staff accounts, roster rows."""
    db = hubdb.connect(store)
    try:
        recs = sorted(db.execute("SELECT device_id, id, tbl, seq, fields, corrected_ms FROM records").fetchall())
        users = sorted(db.execute("SELECT name, pw_hash FROM web_users").fetchall())
        roster = sorted(db.execute("SELECT seq, key, kind, body FROM roster").fetchall())
        people = sorted(db.execute("SELECT id, device_id, alias_of, forgotten_ms FROM people_ids").fetchall())
        return recs, users, roster, people
    finally:
        db.close()


def oracle(store):
    """Mismatches between the columns and Python's reading of the JSON, and
    (counts kept, counts from the JSON)."""
    db = hubdb.connect(store)
    try:
        rows = db.execute("SELECT device_id, tbl, fields, event_id, person_id FROM records").fetchall()
        kept = {(e, d): int(n) for e, d, n in db.execute("SELECT event_id, device_id, n FROM event_checkins")}
    finally:
        db.close()
    bad, want = [], collections.Counter()
    for dev, tbl, fields, ev, pid in rows:
        f = json.loads(fields)
        e = f.get("event_id") if isinstance(f.get("event_id"), str) else None
        p = f.get("person_id") if isinstance(f.get("person_id"), str) else None
        if (ev, pid) != (e, p):
            bad.append((fields, ev, pid))
        if tbl == "checkins" and e is not None:
            want[(e, dev)] += 1
    return bad, kept, dict(want), len(rows)


def outputs(store, folder):
    """`events` and the two exports, as the hub gives them."""
    rc, events, err = e2e.hub_cmd(store, "events")
    check(rc == 0, f"events ({err.strip()})")
    files = {}
    for name, ev in (("bootcamp", EV_BOOTCAMP), ("workshop", EV_WORKSHOP)):
        out = os.path.join(folder, f"{name}.csv")
        rc, _, err = e2e.hub_cmd(store, "export", "--event", ev, "--format", "csv", "-o", out)
        check(rc == 0, f"export {name} ({err.strip()})")
        files[name] = open(out, "rb").read() if rc == 0 else b""
    return events, files


def version(store):
    db = hubdb.connect(store)
    try:
        if hubdb.is_pg(store):
            return [v for (v,) in db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def t_migrate():
    d = tempfile.mkdtemp(prefix="khub-mig5-")
    try:
        store, tag = load_fixture(d)
        pg = hubdb.is_pg(store)
        check(version(store) == ([1, 2, 3] if pg else 4), f"fixture is {tag} ({version(store)})")
        before = snapshot(store)
        # migrated: the old hub's own answers, from the new columns
        events, files = outputs(store, d)
        check(version(store) == ([1, 2, 3, 4] if pg else 5), f"{tag} migrated ({version(store)})")
        want_events = open(os.path.join(FIX, f"hub_{tag}.events"), encoding="utf-8").read()
        check(events == want_events, f"events as the old hub printed them:\n{events}\nwant:\n{want_events}")
        for name, got in files.items():
            want = open(os.path.join(FIX, f"hub_{tag}_{name}.csv"), "rb").read()
            check(got == want and len(want) > 100,
                  f"{name} export byte for byte as the old hub wrote it ({len(got)} / {len(want)} bytes)")
        after = snapshot(store)
        for what, x, y in zip(("records", "staff accounts", "roster rows", "people ids"), before, after):
            check(x == y and (len(x) > 0 or what == "roster rows" and pg or what == "people ids" and pg),
                  f"every one of the {len(x)} {what} kept")
        bad, kept, want, n = oracle(store)
        check(n > 30 and not bad, f"event_id and person_id of all {n} records as the JSON says ({bad[:3]})")
        check(kept == want and want.get((EV_BOOTCAMP, "a1" + "0" * 29 + "1")) == 6,
              f"check-ins counted per event and kiosk ({kept} / {want})")
        weird = [r for r in bad + [(None,)] if r]
        db = hubdb.connect(store)
        odd = db.execute("SELECT event_id FROM records WHERE tbl = 'checkins' AND event_id LIKE ?",
                         ("x%",)).fetchall()
        nulls = db.execute("SELECT count(*) FROM records WHERE tbl = 'checkins' AND event_id IS NULL").fetchone()[0]
        db.close()
        check(odd == [('x"y\\z\n',)] and nulls == 2,
              f"an escaped event id decoded, a number and a null left NULL ({odd}, {nulls})")
        del weird
        # ingest after the step, through the server
        token = e2e.add_device(store, "door-c")
        hub = e2e.Hub(store)
        try:
            s, j = e2e.pair_direct(hub, token, DEV_C)
            check(s == 200, f"door-c pairs ({s} {j})")
            odd_ev = 'q"\\\n\u00e9'
            recs = []
            for k in range(5):
                recs.append({"table": "checkins", "id": "c3%030x" % (k + 1), "seq": k + 1,
                             "wall_ms": int(time.time() * 1000), "boot_id": "3e4f1a2b-5c6d-4e7f-8a9b-0c1d2e3f4a5c",
                             "mono_ms": 1000 + k, "fields": {"person_id": "a1%030x" % (10 + k),
                                                             "event_id": EV_BOOTCAMP if k < 4 else odd_ev,
                                                             "is_new": 0}})
            body = {"protocol": 1, "device_id": DEV_C, "batch_id": "c3" + "e" * 30, "seq_from": 1, "seq_to": 5,
                    "sent": {"wall_ms": int(time.time() * 1000), "mono_ms": 2000,
                             "boot_id": "3e4f1a2b-5c6d-4e7f-8a9b-0c1d2e3f4a5c"}, "records": recs}
            raw = json.dumps(body, ensure_ascii=True).encode()
            check(b"\\u00e9" in raw, "the batch writes the letter as a \\u escape")
            s, j = e2e.post(hub, raw, token)
            check(s == 200 and j.get("stored") == 5, f"door-c's check-ins stored ({s} {j})")
            # the same batch again: duplicates, no count moves
            s, j = e2e.post(hub, raw, token)
            check(s == 200 and j.get("duplicates") == 5, f"sent again: duplicates ({s} {j})")
        finally:
            hub.stop()
        bad, kept, want, n = oracle(store)
        check(not bad, f"columns of the new records as the JSON says ({bad[:3]})")
        check(kept == want and want.get((EV_BOOTCAMP, DEV_C)) == 4 and want.get((odd_ev, DEV_C)) == 1,
              f"new check-ins counted once ({kept} / {want})")
        rc, events2, _ = e2e.hub_cmd(store, "events")
        line = [ln for ln in events2.splitlines() if ln.startswith(EV_BOOTCAMP)]
        check(rc == 0 and len(line) == 1 and line[0].split()[2] == "10", f"events counts door-c's four ({line})")
        # reopen: nothing changes
        snap = snapshot(store)
        check(e2e.hub_cmd(store, "events")[1] == events2 and snapshot(store) == snap
              and version(store) == ([1, 2, 3, 4] if pg else 5), "a second open changes nothing")
    finally:
        subprocess.run(["rm", "-rf", d])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--pg-uri-file")
    args = ap.parse_args()
    e2e.ARGS = args
    os.environ["TZ"] = "UTC"      # the exports' local times, as when the fixtures were made
    if args.pg_uri_file:
        hubdb.use_postgresql(args.pg_uri_file)
    try:
        print("-- t_migrate", flush=True)
        try:
            t_migrate()
        except Exception as ex:
            check(False, f"t_migrate raised {type(ex).__name__}: {ex}")
    finally:
        hubdb.drop_all()
    print(f"{e2e.PASSED} passed, {e2e.FAILED} failed")
    return 1 if e2e.FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
