#!/usr/bin/env python3
"""test_hub_pg_multi.py - several kiosk-hub processes on one PostgreSQL
database (issue 13): exactly-once rests on the database, not on a process.

Scenarios, each on a new database of the test server (hubdb.py):
  two_hubs     two `serve` processes; kiosks paired to one or the other, one
               kiosk's copy syncing to both at the same moment, and the same
               batches posted to both hubs at once from two threads.  Every
               record is held once, every kiosk is told everything is held,
               and the hubs' batch logs together report each record stored
               exactly once.
  sigkill      a hub SIGKILLed in the middle of a batch's transaction: the
               batch is rolled back whole, and the other hub, on the same
               database, stores the kiosk's records at once (no lock or
               half-written row left behind).
  stuck_hub    a hub frozen mid-transaction: the other answers its kiosk 503
               after the busy timeout (never freezes), serves the rest, and
               stores the kiosk's batch once the frozen hub is gone.
  bundle_twice one bundle imported by two `kiosk-hub import` processes at
               the same moment: stored once.
  schema       hubs started together create the schema once; a newer
               hub's database, or no server, is refused with a message.
  copy         an SQLite hub moved with `kiosk-hub copy`: the kiosk syncs on
               to the PostgreSQL hub with its old token and notices nothing
               (its roster download goes on from its cursor: same roster id,
               same changes); staff accounts, hub events, merges and
               forgotten people come along; a second copy adds nothing; the
               merged export and the events list are byte-identical on both
               stores; and a schema-1 SQLite hub (the format before issue 9)
               copies too.

  test_hub_pg_multi.py --hub KIOSK_HUB --tool KSYNC_TOOL --pg-uri-file FILE [NAME...]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hubdb  # noqa: E402

ARGS = None
PASSED = 0
FAILED = 0
BOOT = "0b0b0b0b-0000-4000-8000-0000000000aa"


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("  FAILED: " + what, flush=True)


def run(*cmd, timeout=120, stdin=None):
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, input=stdin)
    return p.returncode, p.stdout, p.stderr


class Hub:
    """A kiosk-hub serve process on 127.0.0.1:0."""

    def __init__(self, store, *extra):
        self.proc = subprocess.Popen([ARGS.hub, "serve", "--store", store, "--listen", "127.0.0.1:0",
                                      *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("hub did not start: " + self.proc.stderr.read())
        self.url = json.loads(line)["url"]
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=lambda s=stream: [None for _ in s], daemon=True).start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def add_device(store, name):
    rc, out, err = run(ARGS.hub, "device", "add", name, "--store", store)
    assert rc == 0, err
    return out.strip()


def fixture(kdir, *args):
    rc, out, err = run(ARGS.tool, "fixture", kdir, *args)
    assert rc == 0, err
    return out.strip()


def pair(kdir, hub, token):
    rc, _, err = run(ARGS.tool, "sync", kdir, "pair", hub.url, stdin=token + "\n")
    assert rc == 0, err


def sync_proc(kdir):
    return subprocess.Popen([ARGS.tool, "sync", kdir], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def kiosk_state(kdir):
    """(device_id, own records, acked_seq, last seq) of a kiosk fixture."""
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"), timeout=10)
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    dev = meta["device_id"]
    n, mx = 0, 0
    for t in ("events", "people", "checkins"):
        c, m = db.execute(f"SELECT count(*), coalesce(max(seq), 0) FROM {t} WHERE device_id = ?",
                          (dev,)).fetchone()
        n, mx = n + c, max(mx, m)
    db.close()
    return dev, n, int(meta.get("sync.acked_seq", "0") or 0), mx


def kiosk_records(kdir):
    """Every record of the kiosk as a protocol record object, by seq."""
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"), timeout=10)
    db.row_factory = sqlite3.Row
    dev = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    stamps = {"id", "device_id", "seq", "wall_ms", "boot_id", "mono_ms", "name_key"}
    recs = []
    for t in ("events", "people", "checkins"):
        for row in db.execute(f"SELECT * FROM {t} WHERE device_id = ?", (dev,)):
            recs.append({"table": t, "id": row["id"], "seq": row["seq"], "wall_ms": row["wall_ms"],
                         "boot_id": row["boot_id"], "mono_ms": row["mono_ms"],
                         "fields": {k: row[k] for k in row.keys() if k not in stamps}})
    db.close()
    recs.sort(key=lambda r: r["seq"])
    return dev, recs


def post(port, body, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("POST", "/v1/batches", body=body,
                  headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def held(store, dev):
    """(records held of the device, acked_seq, sum of `stored` in batch_log)."""
    db = hubdb.connect(store)
    n = db.execute("SELECT count(*) FROM records WHERE device_id = ?", (dev,)).fetchone()[0]
    acked = db.execute("SELECT coalesce(max(hi), 0) FROM coverage WHERE device_id = ? AND lo <= 1",
                       (dev,)).fetchone()[0]
    stored = db.execute("SELECT coalesce(sum(stored), 0) FROM batch_log WHERE device_id = ?",
                        (dev,)).fetchone()[0]
    db.close()
    return n, acked, stored


def check_kiosk(store, kdir, what, logged=True):
    """The kiosk is told all is held; the hub holds each record once; the
    batch logs of all hubs together count each record stored once."""
    dev, kn, kacked, kmax = kiosk_state(kdir)
    n, acked, stored = held(store, dev)
    check(n == kn, f"{what}: hub holds the kiosk's {kn} records (has {n})")
    check(acked == kmax, f"{what}: hub acked {acked} == last seq {kmax}")
    check(kacked == kmax, f"{what}: kiosk acked {kacked} == last seq {kmax}")
    if logged:
        check(stored == kn, f"{what}: batch logs report {stored} stored for {kn} records")


class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="khub-pg-")
        self.store = hubdb.new_store(self.dir)
        self.hubs = []

    def hub(self, *extra, store=None):
        h = Hub(store or self.store, *extra)
        self.hubs.append(h)
        return h

    def kiosk(self, name, people, hub, token=None):
        token = token or add_device(self.store, name)
        kdir = os.path.join(self.dir, name)
        fixture(kdir, "--people", str(people), "--event", "Lunar New Year " + name)
        pair(kdir, hub, token)
        return kdir, token

    def close(self):
        for h in self.hubs:
            h.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- scenarios ----------------------------------------------------------------

def t_two_hubs():
    env = Env()
    try:
        a, b = env.hub(), env.hub()
        k1, t1 = env.kiosk("door-1", 400, a)
        k2, _ = env.kiosk("door-2", 300, a)
        k3, _ = env.kiosk("door-3", 300, b)
        k4, t4 = env.kiosk("door-4", 250, b)
        # door-1's copy (same id, same token) syncs to hub b while door-1
        # syncs to hub a: the same records arrive at both at once
        k1b = os.path.join(env.dir, "door-1-copy")
        shutil.copytree(k1, k1b)
        pair(k1b, b, t1)
        # door-4's records, in batches of 37, posted to both hubs at once
        dev4, recs = kiosk_records(k4)
        bodies = []
        for i in range(0, len(recs), 37):
            part = recs[i:i + 37]
            bodies.append(json.dumps({
                "protocol": 1, "device_id": dev4, "batch_id": os.urandom(16).hex(),
                "seq_from": part[0]["seq"], "seq_to": part[-1]["seq"],
                "sent": {"wall_ms": int(time.time() * 1000), "mono_ms": 10 ** 7, "boot_id": BOOT},
                "records": part}).encode())
        statuses = []

        def poster(port, order):
            for i in order:
                for _ in range(20):          # 503 means "busy, send again"
                    s, _ = post(port, bodies[i], t4)
                    if s != 503:
                        break
                    time.sleep(0.05)
                statuses.append(s)

        orders = [list(range(len(bodies))) for _ in range(2)]
        random.Random(13).shuffle(orders[1])
        threads = [threading.Thread(target=poster, args=(h.port, o)) for h, o in zip((a, b), orders)]
        procs = [sync_proc(k) for k in (k1, k1b, k2, k3)]
        for t in threads:
            t.start()
        results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        for t in threads:
            t.join(120)
        for (out, err, rc), name in zip(results, ("door-1", "door-1 copy", "door-2", "door-3")):
            check(rc == 0, f"{name} syncs ({err.strip()[-200:]})")
        check(statuses and all(s == 200 for s in statuses),
              f"every batch posted to both hubs answered 200 ({sorted(set(statuses))})")
        for k, name in ((k1, "door-1"), (k2, "door-2"), (k3, "door-3")):
            check_kiosk(env.store, k, name)
        # door-1's copy learns from hub b that everything is held
        _, _, kacked, kmax = kiosk_state(k1b)
        check(kacked == kmax, f"door-1 copy acked {kacked} == {kmax}")
        # door-4: posted directly, so its kiosk database is not updated
        n, acked, stored = held(env.store, dev4)
        check(n == len(recs) and acked == recs[-1]["seq"],
              f"door-4: {len(recs)} records held once, acked {recs[-1]['seq']} ({n}, {acked})")
        check(stored == len(recs), f"door-4: both hubs' logs report {stored} stored for {len(recs)}")
        db = hubdb.connect(env.store)
        total, distinct = db.execute("SELECT count(*), count(DISTINCT (device_id, id)) FROM records").fetchone()
        check(total == distinct, f"no record twice ({total} rows, {distinct} keys)")
    finally:
        env.close()


def t_sigkill():
    env = Env()
    try:
        slow = env.hub("--test-ingest-delay-ms", "4")     # 1601 records: ~6 s inside the transaction
        k, token = env.kiosk("door-5", 800, slow)
        dev = kiosk_state(k)[0]
        p = sync_proc(k)
        time.sleep(2.0)
        slow.kill9()
        _, err, = p.communicate(timeout=60)
        check(p.returncode != 0, f"the kiosk's sync fails when its hub dies ({err.strip()[-120:]})")
        n, acked, stored = held(env.store, dev)
        check(n == 0 and acked == 0 and stored == 0,
              f"killed mid-batch: rolled back whole ({n} records, acked {acked}, logged {stored})")
        other = env.hub()
        pair(k, other, token)
        t0 = time.monotonic()
        rc, _, err = run(ARGS.tool, "sync", k, timeout=60)
        took = time.monotonic() - t0
        check(rc == 0, f"the other hub takes the kiosk's records at once ({err.strip()[-200:]})")
        check(took < 30, f"no lock of the dead hub left to wait for ({took:.1f} s)")
        check_kiosk(env.store, k, "after SIGKILL")
    finally:
        env.close()


def t_stuck_hub():
    """A hub frozen (SIGSTOP) inside a batch's transaction holds its kiosk's
    device lock: the other hub answers that kiosk 503 after its busy
    timeout instead of freezing, serves other kiosks meanwhile, and stores
    the kiosk's records once the frozen hub is gone."""
    env = Env()
    try:
        slow, a = env.hub("--test-ingest-delay-ms", "20"), env.hub()
        k, token = env.kiosk("door-8", 400, slow)     # 801 records: 16 s inside the transaction
        other, _ = env.kiosk("door-9", 50, a)
        dev, recs = kiosk_records(k)
        body = json.dumps({"protocol": 1, "device_id": dev, "batch_id": os.urandom(16).hex(),
                           "seq_from": 1, "seq_to": recs[-1]["seq"],
                           "sent": {"wall_ms": int(time.time() * 1000), "mono_ms": 10 ** 7, "boot_id": BOOT},
                           "records": recs}).encode()
        p = sync_proc(k)
        time.sleep(2.0)
        slow.proc.send_signal(signal.SIGSTOP)
        t0 = time.monotonic()
        s, _ = post(a.port, body, token)
        took = time.monotonic() - t0
        check(s == 503 and took < 30, f"the other hub answers 503 while the device is locked ({s}, {took:.1f} s)")
        rc, _, err = run(ARGS.tool, "sync", other, timeout=60)
        check(rc == 0, f"another kiosk syncs through it meanwhile ({err.strip()[-200:]})")
        slow.kill9()
        p.communicate(timeout=60)
        s, _ = post(a.port, body, token)
        check(s == 200, f"once the frozen hub is gone its kiosk's batch is stored ({s})")
        n, acked, stored = held(env.store, dev)
        check(n == len(recs) and acked == recs[-1]["seq"] and stored == len(recs),
              f"stored once: {n} of {len(recs)}, acked {acked}, logged {stored}")
    finally:
        env.close()


def t_bundle_twice():
    env = Env()
    try:
        a = env.hub()
        k, _ = env.kiosk("door-6", 500, a)
        usb = os.path.join(env.dir, "usb")
        os.mkdir(usb)
        rc, out, err = run(ARGS.tool, "sync", k, "export", usb)
        check(rc == 0, f"bundle written ({err.strip()})")
        path = out.strip()
        procs = [subprocess.Popen([ARGS.hub, "import", path, "--store", env.store], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        check(all(o[2] == 0 for o in outs), f"both imports succeed ({[o[1].strip()[-200:] for o in outs]})")
        dev, kn, _, _ = kiosk_state(k)
        n, acked, stored = held(env.store, dev)
        check(n == kn and stored == kn, f"bundle imported twice at once: {kn} records held once, "
              f"{stored} reported stored ({n} held)")
        rc, _, err = run(ARGS.tool, "sync", k)
        check(rc == 0, f"the kiosk then syncs ({err.strip()[-200:]})")
        check_kiosk(env.store, k, "bundle twice")
    finally:
        env.close()


def get_roster(hub, token, device_id, since=0):
    """GET /v1/devices/ID/roster from since, every page: (roster_id, cursor,
    changes, reset seen)."""
    changes, rid, reset = [], None, False
    for _ in range(1000):
        c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
        try:
            c.request("GET", f"/v1/devices/{device_id}/roster?since={since}",
                      headers={"Authorization": "Bearer " + token})
            r = c.getresponse()
            j = json.loads(r.read())
        finally:
            c.close()
        assert r.status == 200, (r.status, j)
        rid, since, reset = j["roster_id"], j["cursor"], reset or bool(j.get("reset"))
        changes += j["changes"]
        if not j["more"]:
            break
    return rid, since, changes, reset


def roster_tables(store):
    """What a hub holds of the roster and its staff, table by table."""
    db = hubdb.connect(store)
    try:
        return {t: sorted(tuple(str(v) for v in row) for row in db.execute(sql).fetchall()) for t, sql in (
            ("roster", "SELECT seq, key, kind, body FROM roster"),
            ("people_ids", "SELECT id, device_id, alias_of, forgotten_ms FROM people_ids"),
            ("person_keys", "SELECT key, id FROM person_keys"),
            ("roster_id", "SELECT value FROM hub_meta WHERE key = 'roster_id'"),
            ("web_users", "SELECT name, pw_hash, created_ms FROM web_users"),
            ("event_checkins", "SELECT event_id, device_id, n FROM event_checkins"))}
    finally:
        db.close()


def t_copy():
    env = Env()
    try:
        lite = os.path.join(env.dir, "hub.db")
        h = env.hub(store=lite)
        tokens = {}
        for name in ("hall-1", "hall-2"):
            tokens[name] = add_device(lite, name)
        ka, kb = os.path.join(env.dir, "hall-1"), os.path.join(env.dir, "hall-2")
        ev = fixture(ka, "--people", "120", "--event", "Parent Night", "--person", "Hương,Nguyễn,408-555-0101,")
        fixture(kb, "--people", "80", "--event", "parent night", "--person", "HUONG,Nguyen,(408) 555 0101,")
        pair(ka, h, tokens["hall-1"])
        pair(kb, h, tokens["hall-2"])
        check(run(ARGS.tool, "sync", ka)[0] == 0 and run(ARGS.tool, "sync", kb)[0] == 0, "both sync to SQLite")
        # what the SQLite hub holds beyond records: a staff account, an event
        # made there, a merge, a forgotten person (issue 12)
        rc, _, err = run(ARGS.hub, "user", "add", "coordinator", "--store", lite, stdin="a long passphrase 42\n")
        check(rc == 0, f"staff account at the SQLite hub ({err.strip()})")
        rc, hub_ev, err = run(ARGS.hub, "event", "add", "Town Hall", "--program", "Civic", "--date",
                              "2026-08-01", "--store", lite)
        check(rc == 0, f"event made at the SQLite hub ({err.strip()})")
        pids = [sqlite3.connect(os.path.join(k, "kiosk.db")).execute(
            "SELECT id FROM people ORDER BY seq LIMIT 3").fetchall() for k in (ka, kb)]
        rc, _, err = run(ARGS.hub, "person", "merge", pids[0][1][0], pids[1][1][0], "--store", lite)
        check(rc == 0, f"two people merged at the SQLite hub ({err.strip()})")
        rc, _, err = run(ARGS.hub, "person", "forget", pids[0][2][0], "--store", lite)
        check(rc == 0, f"a person forgotten at the SQLite hub ({err.strip()})")
        dev_a = sqlite3.connect(os.path.join(ka, "kiosk.db")).execute(
            "SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
        lite_roster = get_roster(h, tokens["hall-1"], dev_a)
        check(len(lite_roster[2]) > 100 and any(c["kind"] == "alias" for c in lite_roster[2])
              and any(c["kind"] == "forget" for c in lite_roster[2]),
              f"the SQLite hub's roster has people, an alias and a tombstone ({len(lite_roster[2])} changes)")
        h.stop()
        rc, _, err = run(ARGS.hub, "copy", "--from", lite, "--to", env.store)
        check(rc == 0 and "records new" in err, f"copy to PostgreSQL ({err.strip()})")
        rc, _, err2 = run(ARGS.hub, "copy", "--from", lite, "--to", env.store)
        check(rc == 0 and "0 devices new, 0 updated; 0 of" in err2 and "0 boot anchors, 0 batch log" in err2
              and "0 roster changes, 0 person ids, 0 match keys, 0 staff accounts, 0 sessions, 0 log-in" in err2,
              f"a second copy adds nothing ({err2.strip()})")
        want, got = roster_tables(lite), roster_tables(env.store)
        for t in want:
            check(want[t] == got[t] and (len(want[t]) > 0),
                  f"{t}: the same {len(want[t])} rows on both stores ({len(got[t])} on PostgreSQL)")
        forgotten = hubdb.connect(env.store).execute(
            "SELECT fields FROM records WHERE tbl = 'people' AND id = ?", (pids[0][2][0],)).fetchall()
        check(forgotten and all('"forgotten":true' in f for (f,) in forgotten),
              f"the forgotten person's fields stay erased on PostgreSQL ({forgotten})")
        # the same export and events list from both stores
        for fmt in ("csv",):
            outs = []
            for store in (lite, env.store):
                out = os.path.join(env.dir, f"att-{len(outs)}.{fmt}")
                rc, _, err = run(ARGS.hub, "export", "--event", ev, "--format", fmt, "-o", out, "--store", store)
                check(rc == 0, f"export {fmt} from {'PostgreSQL' if outs else 'SQLite'} ({err.strip()})")
                outs.append(open(out, "rb").read() if rc == 0 else b"")
            check(outs[0] == outs[1] and len(outs[0]) > 1000,
                  f"merged {fmt} export byte-identical on both stores ({len(outs[0])}, {len(outs[1])} bytes)")
        ev_lists = [run(ARGS.hub, "events", "--store", s)[1] for s in (lite, env.store)]
        check(ev_lists[0] == ev_lists[1] and "Parent Night" in ev_lists[0] and "Town Hall" in ev_lists[0],
              f"events list identical ({ev_lists})")
        dev_lists = [run(ARGS.hub, "device", "list", "--store", s)[1] for s in (lite, env.store)]
        check(dev_lists[0] == dev_lists[1], f"device list identical ({dev_lists})")
        # the kiosks go on with the PostgreSQL hub, same tokens, and notice nothing
        pg = env.hub()
        pg_roster = get_roster(pg, tokens["hall-1"], dev_a)
        check(pg_roster == lite_roster, f"the roster download is the same from the copy "
              f"({pg_roster[0]} {pg_roster[1]} / {lite_roster[0]} {lite_roster[1]})")
        rid, cursor, more, reset = get_roster(pg, tokens["hall-1"], dev_a, since=lite_roster[1])
        check(rid == lite_roster[0] and not reset and more == [] and cursor == lite_roster[1],
              f"a kiosk's cursor goes on: nothing new, no reset ({rid} {cursor} {reset} {len(more)})")
        rc, ev2, err = run(ARGS.hub, "event", "add", "Harvest Fair", "--program", "Civic", "--store", env.store)
        rid, cursor2, more, reset = get_roster(pg, tokens["hall-1"], dev_a, since=lite_roster[1])
        check(rc == 0 and not reset and [c.get("data", {}).get("id") for c in more] == [ev2.strip()]
              and cursor2 > cursor, f"then only the event made at the copy ({[c['kind'] for c in more]})")
        fixture(ka, "--people", "15", "--event", "Parent Night")
        rc, out, err = run(ARGS.tool, "sync", ka, "pair", pg.url, stdin=tokens["hall-1"] + "\n")
        check(rc == 0, f"hall-1 pairs with the PostgreSQL hub with its old token ({err.strip()})")
        check(run(ARGS.tool, "sync", ka)[0] == 0, "hall-1 syncs its new records")
        check_kiosk(env.store, ka, "after copy", logged=False)
        # a hub store of schema 1 (before issue 9) copies too
        fx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hub_v1.sql")
        if os.path.exists(fx):
            old = os.path.join(env.dir, "old.db")
            db = sqlite3.connect(old)
            db.executescript(open(fx).read())
            db.commit()
            n_old = db.execute("SELECT count(*) FROM records").fetchone()[0]
            db.close()
            target = hubdb.new_store(env.dir)
            rc, _, err = run(ARGS.hub, "copy", "--from", old, "--to", target)
            check(rc == 0, f"schema-1 hub copies ({err.strip()})")
            n = hubdb.connect(target).execute("SELECT count(*) FROM records").fetchone()[0]
            check(n == n_old, f"schema-1 hub: all {n_old} records copied ({n})")
        else:
            check(False, f"{fx}: the schema-1 fixture is missing")
    finally:
        env.close()


def t_schema():
    """Hubs started together create the schema once; a database written by
    a newer hub is refused with a message, nothing changed."""
    env = Env()
    try:
        procs = [subprocess.Popen([ARGS.hub, "device", "list", "--store", env.store], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outs = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        check(all(o[2] == 0 for o in outs), f"three hubs starting at once on a new database ({outs})")
        db = hubdb.connect(env.store)
        versions = db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        check(versions == [(1,), (2,), (3,), (4,)], f"schema made once, versions 1 to 4 ({versions})")
        add_device(env.store, "door-7")
        db.execute("INSERT INTO schema_version VALUES (99, 0)")
        rc, _, err = run(ARGS.hub, "device", "list", "--store", env.store)
        check(rc == 1 and "newer hub (schema 99" in err, f"a newer hub's database is refused ({err.strip()})")
        n = db.execute("SELECT count(*) FROM devices").fetchone()[0]
        check(n == 1, f"nothing changed ({n} devices)")
        rc, _, err = run(ARGS.hub, "device", "list", "--store", "postgresql://nobody@127.0.0.1:1/none")
        check(rc == 1 and "cannot connect to PostgreSQL nobody@127.0.0.1:1/none" in err,
              f"no server: a message naming it ({err.strip()})")
        rc, _, err = run(ARGS.hub, "device", "list", "--store", "postgresql://kiosk_hub:s3cret@127.0.0.1:1/none")
        check(rc == 1 and "s3cret" not in err, f"the password is never printed ({err.strip()})")
    finally:
        env.close()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--pg-uri-file", required=True)
    ap.add_argument("only", nargs="*")
    ARGS = ap.parse_args()
    hubdb.use_postgresql(ARGS.pg_uri_file)
    tests = [t_schema, t_two_hubs, t_sigkill, t_stuck_hub, t_bundle_twice, t_copy]
    try:
        for t in tests:
            if ARGS.only and t.__name__ not in ARGS.only:
                continue
            print("--", t.__name__, flush=True)
            t()
    finally:
        hubdb.drop_all()
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED or not PASSED else 0


if __name__ == "__main__":
    sys.exit(main())
