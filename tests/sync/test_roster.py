#!/usr/bin/env python3
"""The roster that travels back to kiosks (issue 12, sync/PROTOCOL.md 12),
against a real kiosk-hub on 127.0.0.1, on SQLite or (--pg-uri-file) on
PostgreSQL.

Hub side: `kiosk-hub event add` / `survey add` / `person merge|forget`,
GET /v1/devices/ID/roster (paging, cursor, tokens), merged attendance
with aliases and forgotten people.  Kiosk side (real kiosk store made by
`ksync-tool store`): download after upload, search and check-in of roster
people, events and surveys from the hub, aliases, tombstones, faults (cut
connections, restarted hub, full disk) and a hostile hub.

Reuses the helpers of test_sync_e2e.py (Hub, fixtures, pairing).
Standard library only.
Usage: test_roster.py --hub PATH --tool PATH [--pg-uri-file FILE] [only...]
"""
import argparse
import http.client
import json
import os
import shutil
import sqlite3
import sys
import time

import hubdb
import test_sync_e2e as e2e
from test_sync_e2e import check

HUB_ID = "0" * 32
SURVEY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets", "surveys")
BAD_SURVEY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "survey-bad",
                          "few-columns.csv")


def hub_cmd(store, *args):
    return e2e.hub_cmd(store, *args)


def get_roster(hub, token, device_id, since=0, limit=None):
    """GET /v1/devices/ID/roster; returns (status, parsed JSON)."""
    c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
    try:
        q = f"?since={since}" + (f"&limit={limit}" if limit else "")
        c.request("GET", f"/v1/devices/{device_id}/roster{q}",
                  headers={"Authorization": "Bearer " + token} if token else {})
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def roster_all(hub, token, device_id, since=0, limit=None):
    """Every change after since, page by page; (changes, last cursor, pages)."""
    out, pages = [], 0
    while pages < 1000:
        s, j = get_roster(hub, token, device_id, since, limit)
        assert s == 200, (s, j)
        pages += 1
        out += j["changes"]
        since = j["cursor"]
        if not j["more"]:
            break
    return out, since, pages


def device_id_of(kdir):
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"))
    try:
        return db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    finally:
        db.close()


def people_of(kdir):
    """id -> (given, family) of a kiosk's own people."""
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"))
    try:
        return {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, given, family FROM people")}
    finally:
        db.close()


# ---- hub side ----------------------------------------------------------------------

def t_hub_event_and_survey():
    env = e2e.Env(people=0)
    try:
        rc, out, err = hub_cmd(env.store, "event", "add", "Summer Bootcamp", "--program", "youth",
                               "--date", "2026-07-06", "--survey", "parent-workshop", "--link",
                               "https://example.org/camp")
        eid = out.strip()
        check(rc == 0 and len(eid) == 32 and all(c in "0123456789abcdef" for c in eid),
              f"event add prints a 32-hex id ({rc} {out!r} {err.strip()})")
        rc, out, _ = hub_cmd(env.store, "events")
        check(eid in out and "Summer Bootcamp" in out and " hub " in out,
              f"the hub's event is listed, made by the hub ({out.strip()})")
        rc2, out2, _ = hub_cmd(env.store, "event", "add", "No date", "--program", "general")
        check(rc2 == 0 and len(out2.strip()) == 32, "event add without --date takes today")
        for bad, what in ((["--date", "2026-02-30"], "--date 2026-02-30"),
                          (["--survey", "9bad"], "--survey 9bad"),
                          (["--link", "http://x y"], "--link")):
            rc, out, err = hub_cmd(env.store, "event", "add", "X", "--program", "p", *bad)
            check(rc == 1 and what in err and not out, f"event add {bad}: refused naming it ({err.strip()})")
        rc, out, err = hub_cmd(env.store, "event", "add", "X")
        check(rc == 2, "event add without --program: usage")
        rc, _, err = hub_cmd(env.store, "survey", "add", os.path.join(SURVEY_DIR, "parent-workshop.csv"))
        check(rc == 0 and "parent-workshop" in err, f"survey add of a good file ({err.strip()})")
        rc, _, err = hub_cmd(env.store, "survey", "add", BAD_SURVEY)
        check(rc == 1 and "fails the survey check" in err and "few-columns.csv" in err,
              f"a survey that fails the check is refused, naming the file ({err.strip()})")
        db = hubdb.connect(env.store)
        kinds = db.execute("SELECT kind, count(*) FROM roster GROUP BY kind ORDER BY kind").fetchall()
        db.close()
        check(kinds == [("event", 2), ("survey", 1)], f"two events and one survey in the roster ({kinds})")
    finally:
        env.close()


def t_download_auth_and_paging():
    env = e2e.Env(people=120)
    try:
        hub = env.hub()
        env.pair(hub)
        check(e2e.sync(env.kdir)[0] == 0, "kiosk a uploads")
        dev = device_id_of(env.kdir)
        rc, out, _ = hub_cmd(env.store, "event", "add", "Hub night", "--program", "general")
        # another kiosk, paired, to test tokens
        kb = os.path.join(env.dir, "kiosk-b")
        tb = e2e.add_device(env.store, "kiosk-b")
        e2e.fixture(kb, "--people", "3")
        env.pair(hub, kb, tb)
        devb = device_id_of(kb)
        ch, cursor, pages = roster_all(hub, env.token, dev, 0, 50)
        persons = [c for c in ch if c["kind"] == "person"]
        check(len(persons) == 120 and pages == 3, f"120 people in 3 pages of 50 ({len(persons)}, {pages})")
        check(all(set(c["data"]) == {"id", "given", "family", "hint"} for c in persons),
              "a roster person carries id, names and hint only: no phone, no e-mail")
        raw = json.dumps(ch, ensure_ascii=False)
        db = sqlite3.connect(os.path.join(env.kdir, "kiosk.db"))
        contacts = [v for r in db.execute("SELECT phone, email FROM people") for v in r if v]
        db.close()
        check(contacts and not any(v in raw for v in contacts) and "@" not in raw,
              f"no phone number or e-mail anywhere in the download ({len(contacts)} contacts)")
        check(persons[0]["data"]["hint"] == "95112", f"hint is the ZIP ({persons[0]['data']})")
        check([c["seq"] for c in ch] == sorted(c["seq"] for c in ch), "changes in seq order")
        check(any(c["kind"] == "event" and c["data"]["name"] == "Hub night" for c in ch), "the hub event")
        # incremental: nothing new, then kiosk b's 3 people only
        s, j = get_roster(hub, env.token, dev, cursor)
        check(s == 200 and j["changes"] == [] and j["cursor"] == cursor and not j["more"],
              f"nothing new after the cursor ({j})")
        check(e2e.sync(kb)[0] == 0, "kiosk b uploads")
        s, j = get_roster(hub, env.token, dev, cursor)
        check(s == 200 and len(j["changes"]) == 3, f"the next download brings only the 3 new people ({j})")
        # a cursor past the hub's last change (hub restored from a backup): reset
        s, j = get_roster(hub, env.token, dev, cursor + 1000)
        check(s == 200 and j.get("reset") is True and j["cursor"] == 0, f"cursor ahead: reset ({j})")
        # tokens
        s, j = get_roster(hub, None, dev)
        check(s == 401, f"no token: 401 ({s})")
        s, j = get_roster(hub, tb, dev)
        check(s == 403 and j["error"]["code"] == "forbidden", f"another kiosk's token: 403 ({s} {j})")
        s, j = get_roster(hub, "khub_" + "0" * 64, dev)
        check(s == 401, f"unknown token: 401 ({s})")
        tc = e2e.add_device(env.store, "kiosk-c")
        s, j = get_roster(hub, tc, devb)
        check(s == 403 and j["error"]["code"] in ("not_paired", "forbidden"), f"unpaired token: 403 ({j})")
        rc, _, _ = hub_cmd(env.store, "device", "revoke", "kiosk-b")
        s, j = get_roster(hub, tb, devb)
        check(s == 401, f"revoked token: 401 ({s} {j})")
        for q in ("-1", "1.0", "abc", ""):
            c = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
            c.request("GET", f"/v1/devices/{dev}/roster?since={q}", headers={"Authorization": "Bearer " + env.token})
            r = c.getresponse()
            body = json.loads(r.read())
            c.close()
            check(r.status == 400 and "since" in body["error"]["message"], f"since={q!r}: 400 ({body})")
        s, j = get_roster(hub, env.token, dev, 0, 5001)
        check(s == 400 and "limit" in j["error"]["message"], f"limit over 5000: 400 ({j})")
        logs = [json.loads(l) for l in hub.lines if '"event":"roster"' in l]
        check(len(logs) >= 5 and all("bytes" in l and "status" in l for l in logs),
              f"one log line per download request ({len(logs)})")
    finally:
        env.close()


def export_rows(env, event):
    out = os.path.join(env.dir, "att.csv")
    rc, _, err = hub_cmd(env.store, "export", "--event", event, "--format", "csv", "-o", out)
    check(rc == 0, f"export ({err.strip()})")
    return e2e.hub_csv(out)[1:] if rc == 0 else []


def t_merge_and_forget():
    env = e2e.Env(people=0)
    try:
        ka, kb = os.path.join(env.dir, "ka"), os.path.join(env.dir, "kb")
        tb = e2e.add_device(env.store, "kiosk-b")
        # the same youth signed up at both kiosks with nothing in common but
        # the name (the section 7 rule keeps them apart): staff merge them
        ev = e2e.fixture(ka, "--event", "Bootcamp day 1", "--person", "Minh,Trần,,")
        e2e.fixture(ka, "--event", "Bootcamp day 1", "--person", "Lan,Phạm,408-555-0199,lan@example.org")
        e2e.fixture(kb, "--event", "bootcamp day 1", "--person", "Minh,Tran,,")
        hub = env.hub()
        env.pair(hub, ka)
        env.pair(hub, kb, tb)
        check(e2e.sync(ka)[0] == 0 and e2e.sync(kb)[0] == 0, "both kiosks upload")
        rows = export_rows(env, ev)
        check(len(rows) == 3, f"before the merge: 3 rows ({rows})")
        ida = [i for i, n in people_of(ka).items() if n[0] == "Minh"][0]
        idb = [i for i, n in people_of(kb).items() if n[0] == "Minh"][0]
        lan = [i for i, n in people_of(ka).items() if n[0] == "Lan"][0]
        rc, out, _ = hub_cmd(env.store, "person", "list", "minh")
        check(rc == 0 and ida in out and idb in out, f"person list finds both ({out.strip()})")
        rc, _, err = hub_cmd(env.store, "person", "merge", ida, idb)
        check(rc == 0, f"person merge ({err.strip()})")
        rows = export_rows(env, ev)
        check(len(rows) == 2, f"after the merge: the two ids count once ({rows})")
        rc, out, _ = hub_cmd(env.store, "person", "list", "minh")
        check(out.count("\n") == 1 and idb in out, f"one person, with the merged id ({out.strip()})")
        dev = device_id_of(ka)
        ch, _, _ = roster_all(hub, env.token, dev)
        last = {c["data"]["id"]: c for c in ch if "id" in c["data"]}
        check(last[idb]["kind"] == "alias" and last[idb]["data"]["to"] == ida,
              f"the alias travels ({last.get(idb)})")
        for bad, what in (((ida, ida), "same id"), ((ida, "f" * 32), "no person"), ((ida, "xyz"), "hex")):
            rc, _, err = hub_cmd(env.store, "person", "merge", *bad)
            check(rc == 1 and what in err, f"merge {bad}: refused ({err.strip()})")
        rc, _, err = hub_cmd(env.store, "person", "merge", ida, idb)
        check(rc == 0, "merging again is a no-op")
        # forget Lan: her data leaves the hub; the row stays, anonymous
        rc, _, err = hub_cmd(env.store, "person", "forget", lan)
        check(rc == 0, f"person forget ({err.strip()})")
        rows = export_rows(env, ev)
        check(len(rows) == 2, f"after forget: still 2 rows ({rows})")
        anon = [r for r in rows if r[4] == "" and r[5] == ""]
        check(len(anon) == 1 and anon[0][6] == "" and anon[0][7] == "" and anon[0][8] == "",
              f"the forgotten person's row is anonymous ({rows})")
        db = hubdb.connect(env.store)
        n = db.execute("SELECT count(*) FROM records WHERE tbl = 'people' AND fields LIKE '%Phạm%'").fetchone()[0]
        db.close()
        check(n == 0, "no record at the hub holds her name")
        if not hubdb.is_pg(env.store):
            hub.stop()
            raw = b""
            for suffix in ("", "-wal"):
                p = env.store + suffix
                if os.path.exists(p):
                    raw += open(p, "rb").read()
            check("Phạm".encode() not in raw and b"lan@example.org" not in raw and b"555-0199" not in raw,
                  "her name, e-mail and phone are gone from the hub's files")
            hub = env.hub()
        ch, _, _ = roster_all(hub, env.token, dev)
        last = {c["data"]["id"]: c for c in ch if "id" in c["data"]}
        check(last[lan]["kind"] == "forget" and set(last[lan]["data"]) == {"id"},
              f"a tombstone travels ({last.get(lan)})")
        rc, _, err = hub_cmd(env.store, "person", "merge", ida, lan)
        check(rc == 1 and "forgotten" in err, f"a forgotten person cannot be merged ({err.strip()})")
        rc, out, _ = hub_cmd(env.store, "person", "list")
        check("Lan" not in out, "forgotten: not in the person list")
    finally:
        env.close()


def t_hub_migration():
    """A hub store of schema 2 (before rosters) opens with its people in
    the roster (SQLite: the fixture of the e2e tests' own making)."""
    env = e2e.Env(people=30)
    try:
        hub = env.hub()
        env.pair(hub)
        check(e2e.sync(env.kdir)[0] == 0, "upload")
        hub.stop()
        if hubdb.is_pg(env.store):
            db = hubdb.connect(env.store)
            db.execute("DELETE FROM roster")
            db.execute("DELETE FROM people_ids")
            db.execute("INSERT INTO hub_meta VALUES ('roster_backfill', 'pending')")
            db.close()
        else:
            db = sqlite3.connect(env.store)
            db.executescript("DROP TABLE roster; DROP TABLE people_ids; DROP TABLE hub_meta;"
                             "PRAGMA user_version = 2;")
            db.close()
        rc, out, err = hub_cmd(env.store, "person", "list")
        check(rc == 0 and out.count("\n") == 30, f"the 30 people held enter the roster ({rc} {err.strip()})")
        db = hubdb.connect(env.store)
        n = db.execute("SELECT count(*) FROM roster WHERE kind = 'person'").fetchone()[0]
        db.close()
        check(n == 30, f"30 roster rows ({n})")
    finally:
        env.close()


TESTS = [t_hub_event_and_survey, t_download_auth_and_paging, t_merge_and_forget, t_hub_migration]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--kiosk")
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
