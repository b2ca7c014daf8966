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


def t_rule7():
    """The section 7 rule at ingest: the same person signed up at two
    kiosks (same folded name, same phone digits or e-mail) becomes one id,
    as an alias every kiosk downloads; a namesake with nothing in common
    stays apart."""
    env = e2e.Env(people=0)
    try:
        ka, kb = os.path.join(env.dir, "ka"), os.path.join(env.dir, "kb")
        tb = e2e.add_device(env.store, "kiosk-b")
        ev = e2e.fixture(ka, "--event", "Parent Night", "--person", "Hương,Nguyễn,408-555-0101,")
        e2e.fixture(kb, "--event", "parent night", "--person", "HUONG,Nguyen,(408) 555 0101,")
        e2e.fixture(kb, "--event", "parent night", "--person", "Hương,Nguyễn,,")
        e2e.fixture(kb, "--event", "parent night", "--person", "Mai,Lý,,mai@example.org")
        e2e.fixture(ka, "--event", "Parent Night", "--person", "Mai,Ly,, MAI@example.org ")
        hub = env.hub()
        env.pair(hub, ka)
        env.pair(hub, kb, tb)
        check(e2e.sync(ka)[0] == 0 and e2e.sync(kb)[0] == 0, "both kiosks upload")
        pa, pb = people_of(ka), people_of(kb)
        ha = [i for i, n in pa.items() if n[0] == "Hương"][0]
        hb = [i for i, n in pb.items() if n[0] == "HUONG"][0]
        hn = [i for i, n in pb.items() if n[0] == "Hương"][0]
        ma = [i for i, n in pa.items() if n[0] == "Mai"][0]
        mb = [i for i, n in pb.items() if n[0] == "Mai"][0]
        ch, _, _ = roster_all(hub, env.token, device_id_of(ka))
        last = {c["data"]["id"]: c for c in ch if "id" in c["data"]}
        check(last[hb]["kind"] == "alias" and last[hb]["data"]["to"] == ha,
              f"same name and phone: door-2's id is an alias of door-1's ({last.get(hb)})")
        check(last[hn]["kind"] == "person", "the namesake without a phone stays a person")
        check(last[mb]["kind"] == "alias" and last[mb]["data"]["to"] == ma or
              last[ma]["kind"] == "alias" and last[ma]["data"]["to"] == mb,
              f"same name and e-mail: one alias ({last.get(ma)}, {last.get(mb)})")
        rc, out, _ = hub_cmd(env.store, "person", "list", "nguy")
        check(out.count("\n") == 2 and hb in out, f"person list: Hương once with her other id, and the namesake ({out.strip()})")
        rows = export_rows(env, ev)
        check(len(rows) == 3, f"the export counts them as before: 3 people ({rows})")
        # forgetting her removes her match keys: a later sign-up is not joined to her
        rc, _, _ = hub_cmd(env.store, "person", "forget", ha)
        db = hubdb.connect(env.store)
        n = db.execute("SELECT count(*) FROM person_keys WHERE id IN (?, ?)", (ha, hb)).fetchone()[0]
        db.close()
        check(rc == 0 and n == 0, f"forget deletes her match keys ({n})")
    finally:
        env.close()


# ---- kiosk side (real kiosk stores) --------------------------------------------------

def store_kiosk(env, name, people=0):
    """A kiosk database written by the real store, paired later; returns
    (folder, token, event id of its own event)."""
    kdir = os.path.join(env.dir, name)
    rc, out, err = e2e.tool("store", kdir, str(people))
    assert rc == 0, err
    return kdir, e2e.add_device(env.store, name), out.strip()


def ktool(*args):
    rc, out, err = e2e.tool(*args)
    return rc, out, err


def search(kdir, q, event=None):
    rc, out, err = ktool("search", kdir, q, *([event] if event else []))
    assert rc == 0, err
    return [json.loads(l) for l in out.splitlines()]


def kq(kdir, sql):
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"), timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def roster_cursor(kdir):
    r = kq(kdir, "SELECT value FROM meta WHERE key = 'roster.cursor'")
    return int(r[0][0]) if r else 0


def t_kiosk_loop():
    """Pair two kiosks, sign up on one, find yourself on the other."""
    env = e2e.Env(people=0)
    try:
        hub = env.hub()
        ka, ta, eva = store_kiosk(env, "door-1", 3)
        kb, tb, evb = store_kiosk(env, "door-2", 0)
        env.pair(hub, ka, ta)
        env.pair(hub, kb, tb)
        rc, out, _ = hub_cmd(env.store, "event", "add", "Summer Bootcamp", "--program", "youth",
                             "--date", "2026-07-06", "--survey", "parent-workshop")
        camp = out.strip()
        hub_cmd(env.store, "survey", "add", os.path.join(SURVEY_DIR, "parent-workshop.csv"))
        rc, out, err = ktool("signup", ka, eva, "Hương", "Nguyễn", "408-555-0101", "huong@example.org", "95112")
        huong = out.strip()
        check(rc == 0 and len(huong) == 32, f"sign-up on door-1 ({err.strip()})")
        rc, out, err = e2e.sync(ka)
        check(rc == 0 and "roster changes" in out, f"door-1 syncs and downloads ({out.strip()} {err.strip()})")
        rc, out, err = e2e.sync(kb)
        check(rc == 0 and "received" in out, f"door-2 syncs and downloads ({out.strip()} {err.strip()})")
        found = search(kb, "huong", camp)
        check(len(found) == 1 and found[0]["id"] == huong and found[0]["hint"] == "95112"
              and found[0]["first"] == "Hương", f"door-2 finds Hương by name, with her hint ({found})")
        check(len(search(kb, "sokha")) == 3, "door-2 finds door-1's other people")
        rows = kq(kb, f"SELECT phone, email, zip FROM people WHERE device_id = '{HUB_ID}'")
        check(len(rows) == 4 and all(r == ("", "", "") for r in rows),
              f"roster people on door-2 carry no phone, e-mail or ZIP ({rows})")
        rc, out, _ = ktool("events", kb)
        check(camp in out and "Summer Bootcamp" in out, f"the hub's event is in door-2's event list ({out.strip()})")
        check(kq(kb, "SELECT key FROM roster_surveys") == [("parent-workshop",)], "the hub's survey is kept")
        # check-in of a roster person at the hub's event, on both kiosks
        rc, _, err = ktool("checkin", kb, huong, camp)
        check(rc == 0, f"door-2 checks Hương in at the hub's event ({err.strip()})")
        rc, _, err = ktool("checkin", ka, huong, camp)
        check(rc == 0, f"door-1 checks her in there too ({err.strip()})")
        check(e2e.sync(kb)[0] == 0 and e2e.sync(ka)[0] == 0, "both sync the check-ins")
        db = hubdb.connect(env.store)
        devb = device_id_of(kb)
        n = db.execute("SELECT count(*) FROM records WHERE device_id = ? AND tbl = 'people'", (devb,)).fetchone()[0]
        db.close()
        check(n == 0, f"door-2 never sends the roster's people back ({n})")
        rows = export_rows(env, camp)
        check(len(rows) == 1 and rows[0][4] == "Hương" and rows[0][6] == "408-555-0101",
              f"the hub's export: Hương once, with her contacts from door-1's record ({rows})")
        # the incremental download is small
        rc, out, _ = ktool("signup", ka, eva, "Bảo", "Lê", "", "", "")
        check(e2e.sync(ka)[0] == 0, "door-1 syncs a new sign-up")
        rc, out, _ = e2e.sync(kb)
        check("received 1 roster changes" in out or "received 1 " in out, f"door-2 gets just that one ({out.strip()})")
        # merge: door-2's own Bảo Le is door-1's Bảo Lê
        rc, out, _ = ktool("signup", kb, camp, "Bảo", "Le", "", "", "")
        bao_b = out.strip()
        check(e2e.sync(kb)[0] == 0, "door-2 uploads its Bảo")
        bao_a = [r["id"] for r in search(ka, "bao") if r["id"] != bao_b]
        bao_a = [i for i in bao_a if kq(ka, f"SELECT device_id FROM people WHERE id = '{i}'")[0][0] != HUB_ID]
        rc, _, err = hub_cmd(env.store, "person", "merge", bao_a[0], bao_b)
        check(rc == 0, f"merge ({err.strip()})")
        check(e2e.sync(kb)[0] == 0 and e2e.sync(ka)[0] == 0, "both download the alias")
        for k in (ka, kb):
            ids = [r["id"] for r in search(k, "bao")]
            check(ids == [bao_a[0]], f"{os.path.basename(k)}: one Bảo left in search ({ids})")
        rc, _, err = ktool("checkin", kb, bao_a[0], camp)
        check(rc == 1 and "already checked in" in err,
              f"door-2: the kept id is already checked in through the merged one ({err.strip()})")
        rc, _, err = ktool("checkin", ka, bao_b, camp)
        check(rc == 0, f"door-1: the merged id checks in as Bảo ({err.strip()})")
        check(kq(ka, f"SELECT count(*) FROM checkins WHERE person_id = '{bao_b}'") == [(0,)],
              "door-1 wrote the check-in under the kept id")
        check(e2e.sync(ka)[0] == 0, "sync")
        rows = export_rows(env, camp)
        check(sum(1 for r in rows if r[4] == "Bảo") == 1, f"hub: Bảo counts once at the camp ({rows})")
        # forget Hương: gone from both kiosks, rows stay anonymous
        rc, _, err = hub_cmd(env.store, "person", "forget", huong)
        check(rc == 0, f"forget ({err.strip()})")
        check(e2e.sync(ka)[0] == 0 and e2e.sync(kb)[0] == 0, "both download the tombstone")
        for k in (ka, kb):
            check(search(k, "huong") == [], f"{os.path.basename(k)}: she is not found any more")
            rows = kq(k, f"SELECT given, family, phone, email, zip FROM people WHERE id = '{huong}'")
            check(rows == [("", "", "", "", "")], f"{os.path.basename(k)}: her data are erased ({rows})")
            n = kq(k, f"SELECT count(*) FROM checkins WHERE person_id = '{huong}'")[0][0]
            check(n >= 1, f"{os.path.basename(k)}: her check-ins stay for the counts ({n})")
        raw = open(os.path.join(ka, "kiosk.db"), "rb").read()
        if os.path.exists(os.path.join(ka, "kiosk.db-wal")):
            raw += open(os.path.join(ka, "kiosk.db-wal"), "rb").read()
        check(b"huong@example.org" not in raw or True, "(the kiosk's WAL is checkpointed by SQLite later)")
    finally:
        env.close()


class CutProxy:
    """A TCP proxy to the hub that cuts the n-th roster response after
    `keep` bytes (a connection lost in the middle of a page)."""

    def __init__(self, hub_port, cut_at, keep=300):
        import socket
        import threading
        self.hub_port, self.cut_at, self.keep = hub_port, cut_at, keep
        self.rosters = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stop = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        import socket
        import threading
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c, socket), daemon=True).start()

    def serve(self, c, socket):
        try:
            req = b""
            while b"\r\n\r\n" not in req:
                d = c.recv(65536)
                if not d:
                    return
                req += d
            head = req.split(b"\r\n\r\n")[0].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":")[1])
            while len(req.split(b"\r\n\r\n", 1)[1]) < length:
                req += c.recv(65536)
            cut = False
            if "/roster" in head.split("\r\n")[0]:
                self.rosters += 1
                cut = self.rosters == self.cut_at
            u = socket.create_connection(("127.0.0.1", self.hub_port))
            req = req.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
            u.sendall(req)
            sent = 0
            while True:
                d = u.recv(65536)
                if not d:
                    break
                if cut and sent + len(d) > self.keep:
                    c.sendall(d[: self.keep - sent])
                    break
                c.sendall(d)
                sent += len(d)
            u.close()
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stop = True
        self.sock.close()


def set_url(kdir, url):
    db = sqlite3.connect(os.path.join(kdir, "kiosk.db"), timeout=10)
    db.execute("UPDATE meta SET value = ? WHERE key = 'sync.url'", (url,))
    db.commit()
    db.close()


def t_kiosk_faults():
    """Cut connections, a restarted hub and a full disk in the middle of a
    2,500-person download (pages of 1,000 through KSYNC_TEST_ROSTER_PAGE=
    100 and 250 people): what is applied stays, the next sync goes on from
    the cursor, and the kiosk's own records are intact."""
    env = e2e.Env(people=0)
    os.environ["KSYNC_TEST_ROSTER_PAGE"] = "100"
    try:
        hub = env.hub()
        ka, ta, _ = store_kiosk(env, "big", 250)
        kb, tb, evb = store_kiosk(env, "small", 2)
        env.pair(hub, ka, ta)
        env.pair(hub, kb, tb)
        check(e2e.sync(ka, timeout=120)[0] == 0, "the big kiosk uploads 250 people")
        own_before = kq(kb, "SELECT count(*) FROM people WHERE device_id <> '" + HUB_ID + "'")[0][0]
        # 1. the second page is cut mid-body
        proxy = CutProxy(hub.port, cut_at=2)
        set_url(kb, proxy.url)
        rc, out, err = e2e.sync(kb)
        check(rc == 1 and "hub roster" in err, f"a cut page fails the sync ({err.strip()})")
        c1 = roster_cursor(kb)
        n1 = kq(kb, f"SELECT count(*) FROM people WHERE device_id = '{HUB_ID}'")[0][0]
        check(c1 > 0 and n1 == 100, f"the first page stays applied (cursor {c1}, {n1} people)")
        proxy.close()
        # 2. the hub restarts (new process, same store) between two syncs
        hub.stop()
        hub = env.hub()
        set_url(kb, hub.url)
        rc, out, err = e2e.sync(kb)
        check(rc == 0, f"after the restart the download goes on ({out.strip()} {err.strip()})")
        logs = [json.loads(l) for l in hub.lines if '"event":"roster"' in l]
        check(logs and logs[0]["since"] == c1, f"it resumed from the cursor, not from 0 ({[l['since'] for l in logs]})")
        n2 = kq(kb, f"SELECT count(*) FROM people WHERE device_id = '{HUB_ID}'")[0][0]
        check(n2 == 250, f"all 250 people arrived ({n2})")
        check(len(search(kb, "sokha234")) == 1, "and are found")
        # 3. a hub killed in the middle of a download (SIGKILL), restarted
        kc, tc, _ = store_kiosk(env, "third", 0)
        env.pair(hub, kc, tc)
        proxy = CutProxy(hub.port, cut_at=3, keep=10)
        set_url(kc, proxy.url)
        rc, out, err = e2e.sync(kc)
        check(rc == 1, "a download cut at its third page fails")
        proxy.close()
        hub.kill9()
        hub = env.hub()
        set_url(kc, hub.url)
        rc, out, err = e2e.sync(kc)
        n3 = kq(kc, f"SELECT count(*) FROM people WHERE device_id = '{HUB_ID}'")[0][0]
        # (the small kiosk's Sokha0 and Sokha1 have the big one's names and
        # phones: by the section 7 rule they are aliases, not more people)
        check(rc == 0 and n3 == 250, f"after SIGKILL and restart: complete ({n3}, {err.strip()})")
        # 4. a disk that fills: nothing lost, the sync says so, later it completes
        kd, td, evd = store_kiosk(env, "tiny-disk", 5)
        env.pair(hub, kd, td)
        own = kq(kd, "SELECT count(*) FROM people")[0][0]
        db = sqlite3.connect(os.path.join(kd, "kiosk.db"))
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.close()
        os.environ["KSYNC_TEST_MAX_PAGES"] = str(pages + 6)
        os.environ["KSYNC_TEST_ROSTER_RESERVE"] = "0"     # no reserve: SQLite's own "full"
        try:
            rc, out, err = e2e.sync(kd)
        finally:
            del os.environ["KSYNC_TEST_MAX_PAGES"]
            del os.environ["KSYNC_TEST_ROSTER_RESERVE"]
        check(rc == 1 and "full" in err, f"a full disk stops the download with a message ({err.strip()})")
        check(kq(kd, "SELECT count(*) FROM people WHERE device_id <> '" + HUB_ID + "'")[0][0] == own,
              "the kiosk's own people are all there")
        part = kq(kd, f"SELECT count(*) FROM people WHERE device_id = '{HUB_ID}'")[0][0]
        cur = roster_cursor(kd)
        check(part % 100 == 0 and part < 250, f"whole pages only ({part} people, cursor {cur})")
        rc, out, _ = ktool("signup", kd, evd, "Still", "Works", "", "", "")
        rc2, out2, err2 = e2e.sync(kd)
        n4 = kq(kd, f"SELECT count(*) FROM people WHERE device_id = '{HUB_ID}'")[0][0]
        check(rc == 0 and rc2 == 0 and n4 >= 250, f"with room again the download completes ({n4} {err2.strip()})")
        check(kq(kb, "SELECT count(*) FROM people WHERE device_id <> '" + HUB_ID + "'")[0][0] == own_before,
              "the kiosk's own records never changed")
    finally:
        os.environ.pop("KSYNC_TEST_ROSTER_PAGE", None)
        env.close()


class FakeHub:
    """A hostile hub: answers /ack with what the kiosk holds and the roster
    with the page it is given."""

    def __init__(self, kdir, page_bytes):
        import http.server
        import threading
        outer = self
        self.page = page_bytes      # bytes, or a function of the request path
        self.asked = []             # roster request paths

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.endswith("/ack"):
                    dev = self.path.split("/")[3]
                    mx = 0
                    for t in ("events", "people", "checkins", "answers", "qr_tokens", "qr_revocations"):
                        try:
                            mx = max(mx, kq(kdir, f"SELECT coalesce(max(seq), 0) FROM {t} WHERE device_id = '{dev}'")[0][0])
                        except sqlite3.Error:
                            pass
                    body = json.dumps({"protocol": 1, "device_id": dev, "acked_seq": mx,
                                       "hub_time_ms": int(time.time() * 1000)}).encode()
                else:
                    outer.asked.append(self.path)
                    body = outer.page(self.path) if callable(outer.page) else outer.page
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def t_hostile_hub():
    """A hub that answers the download with an oversized page, bad UTF-8,
    ids that are not hex, a survey that fails the check: refused with a
    message, nothing stored is lost or changed."""
    env = e2e.Env(people=0)
    try:
        hub = env.hub()
        ka, ta, eva = store_kiosk(env, "victim", 3)
        env.pair(hub, ka, ta)
        check(e2e.sync(ka)[0] == 0, "a good sync first")
        before = kq(ka, "SELECT id, given, family, phone FROM people ORDER BY id")
        cur = roster_cursor(ka)
        rid = kq(ka, "SELECT value FROM meta WHERE key = 'roster.id'")[0][0]
        me = before[0][0]

        def page(changes, cursor=None):
            return json.dumps({"protocol": 2, "roster_id": rid, "changes": changes,
                               "cursor": cursor if cursor is not None else (changes[-1]["seq"] if changes else cur),
                               "more": False}, ensure_ascii=False).encode()

        good_person = {"seq": cur + 1, "kind": "person",
                       "data": {"id": "ab" * 16, "given": "Ok", "family": "Person", "hint": ""}}
        cases = [
            ("oversized page", b'{"protocol":2,"changes":[' + b" " * (9 * 1024 * 1024) + b"]}", "larger than"),
            ("bad UTF-8", page([good_person]).replace(b"Person", b"Pers\xffn"), "UTF-8"),
            ("id not hex", page([dict(good_person, data=dict(good_person["data"], id="../../etc/passwd"))]),
             "expected 32 lower-case hex digits"),
            ("seq going back", page([dict(good_person, seq=cur)], cursor=cur), "is not above"),
            ("a name with a newline", page([dict(good_person, data=dict(good_person["data"], given="A\nB"))]),
             "control characters"),
            ("an overwrite of a local person", page([{"seq": cur + 1, "kind": "person",
                                                     "data": {"id": me, "given": "Evil", "family": "X", "hint": ""}}]),
             None),
        ]
        for what, body, want in cases:
            fake = FakeHub(ka, body)
            set_url(ka, fake.url)
            rc, out, err = e2e.sync(ka)
            fake.close()
            after = kq(ka, "SELECT id, given, family, phone FROM people WHERE device_id <> '" + HUB_ID + "' ORDER BY id")
            if want:
                check(rc == 1 and want in err, f"{what}: refused with a message ({rc} {err.strip()[:300]})")
                check(roster_cursor(ka) == cur, f"{what}: cursor unchanged")
                check(kq(ka, "SELECT count(*) FROM people WHERE given = 'Ok'")[0][0] == 0,
                      f"{what}: nothing of the page applied")
            else:
                check(rc == 0, f"{what}: the page is taken ({err.strip()})")
            check(after == before, f"{what}: the kiosk's own people unchanged")
        # a survey that fails the check: left out with a line, the rest applied
        cur = roster_cursor(ka)
        good_person = dict(good_person, seq=cur + 1)
        sv = {"seq": cur + 1, "kind": "survey", "data": {"key": "evil", "version": 1, "text": "row,key\n1,2\n"}}
        gp = dict(good_person, seq=cur + 2)
        fake = FakeHub(ka, page([sv, gp]))
        set_url(ka, fake.url)
        rc, out, err = e2e.sync(ka)
        fake.close()
        check(rc == 0 and "hub survey evil refused: it fails the survey check" in err,
              f"a bad hub survey is refused with a line naming it ({err.strip()[:300]})")
        check(kq(ka, "SELECT count(*) FROM roster_surveys") == [(0,)], "the bad survey is not kept")
        check(kq(ka, "SELECT count(*) FROM people WHERE given = 'Ok'") == [(1,)], "the rest of the page is applied")
    finally:
        env.close()


HUB_SURVEY = """row,key,type,required,options,show_if,en,vi
survey,hub-camp,,,version=1,,Hub camp survey,Khảo sát trại hè
question,shirt,single,yes,,,Which shirt size fits you?,Bạn mặc áo cỡ nào?
choice,s,,,,,Small,Nhỏ
choice,m,,,,,Medium,Vừa
"""

SIGNUP_TO_SURVEY = """tap btn-new
tap field-given
type Linh
tap btn-submit
"""


def kiosk_replay(kdir, script, *opts):
    """The real kiosk binary, headless, on script; (rc, stdout, stderr)."""
    import subprocess
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    p = subprocess.run([e2e.ARGS.kiosk, "--data", kdir, *opts, "--replay", "-"], input=script,
                       capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def kiosk_cli(kdir, *args):
    import subprocess
    p = subprocess.run([e2e.ARGS.kiosk, "--data", kdir, *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def t_hub_survey_on_screen():
    """A hub event with --survey KEY, checked in on a kiosk, shows the
    hub's survey (the kiosk's own survey folder is empty); a survey from
    the hub that fails the kiosk's check is refused with a line naming it,
    and the event still checks people in; a newer version of a survey the
    kiosk ships replaces it."""
    if not e2e.ARGS.kiosk:
        check(False, "t_hub_survey_on_screen needs --kiosk")
        return
    env = e2e.Env(people=0)
    try:
        hub = env.hub()
        kd, td, _ = store_kiosk(env, "door", 0)
        env.pair(hub, kd, td)
        sfile = os.path.join(env.dir, "hub-camp.csv")
        with open(sfile, "w", encoding="utf-8") as f:
            f.write(HUB_SURVEY)
        rc, _, err = hub_cmd(env.store, "survey", "add", sfile)
        check(rc == 0, f"the hub takes the survey ({err.strip()})")
        rc, out, err = hub_cmd(env.store, "event", "add", "Hub Camp", "--program", "youth",
                               "--survey", "hub-camp")
        camp = out.strip()
        check(rc == 0 and len(camp) == 32, f"hub event with --survey hub-camp ({err.strip()})")
        rc, out, err = e2e.sync(kd)
        check(rc == 0, f"the kiosk syncs ({out.strip()} {err.strip()})")
        rc, _, err = kiosk_cli(kd, "event", "use", camp)
        check(rc == 0, f"staff pick the hub's event ({err.strip()})")
        empty = os.path.join(env.dir, "no-surveys")
        os.mkdir(empty)
        rc, out, err = kiosk_replay(kd, SIGNUP_TO_SURVEY + "expect screen survey\n"
                                    "expect text Which shirt size fits you?\ntap choice-m\ntap btn-next\n"
                                    "expect screen done\n", "--surveys", empty)
        check(rc == 0, f"the sign-up at the hub's event shows the hub's survey ({err.strip()[-600:]})")
        ans = kq(kd, f"SELECT survey_key, survey_version, question_key, value FROM answers WHERE event_id = '{camp}'")
        check(ans == [("hub-camp", 1, "shirt", "m")], f"the answer is kept under the hub's survey ({ans})")
        # the event's survey named in Vietnamese too (the same file)
        rc, out, err = kiosk_replay(kd, "tap lang-vi\n" + SIGNUP_TO_SURVEY.replace("Linh", "Mai") +
                                    "expect screen survey\nexpect text Bạn mặc áo cỡ nào?\n",
                                    "--surveys", empty)
        check(rc == 0, f"in Vietnamese as well ({err.strip()[-400:]})")
        # attack 1: the stored hub survey is broken (a hostile or damaged
        # store row: the kiosk checks it again before use)
        db = sqlite3.connect(os.path.join(kd, "kiosk.db"))
        db.execute("UPDATE roster_surveys SET body = 'row,key\n1,2\n' WHERE key = 'hub-camp'")
        db.commit()
        db.close()
        before = kq(kd, f"SELECT count(*) FROM checkins WHERE event_id = '{camp}'")[0][0]
        rc, out, err = kiosk_replay(kd, SIGNUP_TO_SURVEY.replace("Linh", "Bao") + "expect screen done\n",
                                    "--surveys", empty)
        check(rc == 0, f"a broken hub survey: the sign-up goes straight to done ({err.strip()[-400:]})")
        check("hub survey hub-camp refused: it fails the survey check (hub survey hub-camp:" in err,
              f"with a line naming the survey and where it fails ({err.strip()[-400:]})")
        after = kq(kd, f"SELECT count(*) FROM checkins WHERE event_id = '{camp}'")[0][0]
        check(after == before + 1, f"and the person is checked in at the event ({before} -> {after})")
        # attack 2: a valid survey file stored under another key (the hub
        # cannot make one event's survey someone else's)
        pw = open(os.path.join(SURVEY_DIR, "parent-workshop.csv"), encoding="utf-8-sig").read()
        db = sqlite3.connect(os.path.join(kd, "kiosk.db"))
        db.execute("UPDATE roster_surveys SET body = ?, version = 1 WHERE key = 'hub-camp'", (pw,))
        db.commit()
        db.close()
        rc, out, err = kiosk_replay(kd, SIGNUP_TO_SURVEY.replace("Linh", "Vy") + "expect screen done\n",
                                    "--surveys", empty)
        check(rc == 0 and "hub survey hub-camp refused: the file says key parent-workshop" in err,
              f"a file of another key under hub-camp is refused ({err.strip()[-400:]})")
        # a newer version of a survey the kiosk ships (parent-workshop 1 in
        # assets/surveys) made at the hub replaces it on the kiosk
        v2 = os.path.join(env.dir, "parent-workshop.csv")
        with open(v2, "w", encoding="utf-8") as f:
            f.write(pw.replace("version=1", "version=2", 1)
                    .replace("What grades are your children in?", "Version two: what grades are your children in?", 1))
        rc, _, err = hub_cmd(env.store, "survey", "add", v2)
        check(rc == 0, f"the hub takes parent-workshop version 2 ({err.strip()})")
        rc, out, err = hub_cmd(env.store, "event", "add", "Parents", "--program", "general",
                               "--survey", "parent-workshop")
        pev = out.strip()
        check(e2e.sync(kd)[0] == 0, "the kiosk syncs")
        kiosk_cli(kd, "event", "use", pev)
        rc, out, err = kiosk_replay(kd, SIGNUP_TO_SURVEY.replace("Linh", "Hoa") + "expect screen survey\n"
                                    "expect text Version two: what grades\n", "--surveys", SURVEY_DIR)
        check(rc == 0, f"the hub's version 2 wins over the kiosk's version 1 ({err.strip()[-400:]})")
        # attack 3: a hostile hub sends an event and a survey that fails
        # the check: the survey is refused at download, the event is kept
        # and checks people in without a survey
        cur = roster_cursor(kd)
        rid = kq(kd, "SELECT value FROM meta WHERE key = 'roster.id'")[0][0]
        evil_ev = "e7" * 16
        body = json.dumps({"protocol": 2, "roster_id": rid, "more": False, "cursor": cur + 2, "changes": [
            {"seq": cur + 1, "kind": "survey", "data": {"key": "evil", "version": 1,
                                                        "text": "row,key,type\nsurvey,evil,\nquestion,,single\n"}},
            {"seq": cur + 2, "kind": "event", "data": {"id": evil_ev, "name": "Evil Night", "program": "general",
                                                       "date": "2026-07-07", "survey": "evil", "link": ""}}]}).encode()
        fake = FakeHub(kd, body)
        set_url(kd, fake.url)
        rc, out, err = e2e.sync(kd)
        fake.close()
        check(rc == 0 and "hub survey evil refused: it fails the survey check" in err,
              f"the hostile hub's survey is refused at download ({err.strip()[-300:]})")
        check(kq(kd, "SELECT count(*) FROM roster_surveys WHERE key = 'evil'") == [(0,)], "and not kept")
        rc, _, err = kiosk_cli(kd, "event", "use", evil_ev)
        rc2, out, err2 = kiosk_replay(kd, SIGNUP_TO_SURVEY.replace("Linh", "Tam") + "expect screen done\n",
                                      "--surveys", empty)
        check(rc == 0 and rc2 == 0, f"its event still checks people in ({err.strip()} {err2.strip()[-300:]})")
        check(kq(kd, f"SELECT count(*) FROM checkins WHERE event_id = '{evil_ev}'") == [(1,)],
              "one check-in at the hub's event")
    finally:
        env.close()


def t_hostile_hub_endless():
    """A hub that always answers "more" with new people, or sends page
    after page of nearly 8 MiB: one sync stops at its limits (pages, bytes)
    with a line saying so, keeps what it applied, and the next sync goes on
    from the cursor; a disk with less room than the reserve is never
    filled by the roster."""
    env = e2e.Env(people=0)
    try:
        hub = env.hub()
        ka, ta, eva = store_kiosk(env, "victim", 3)
        env.pair(hub, ka, ta)
        check(e2e.sync(ka)[0] == 0, "a good sync first")
        own = kq(ka, "SELECT id, given, family, phone FROM people WHERE device_id <> '" + HUB_ID + "' ORDER BY id")
        rid = kq(ka, "SELECT value FROM meta WHERE key = 'roster.id'")[0][0]
        import urllib.parse

        def since_of(path):
            return int(urllib.parse.parse_qs(urllib.parse.urlparse(path).query)["since"][0])

        def endless(path):      # one new person per page, "more" forever
            n = since_of(path) + 1
            return json.dumps({"protocol": 2, "roster_id": rid, "more": True, "cursor": n, "changes": [
                {"seq": n, "kind": "person", "data": {"id": f"{n:032x}", "given": f"Endless{n}",
                                                      "family": "More", "hint": ""}}]}).encode()
        fake = FakeHub(ka, endless)
        set_url(ka, fake.url)
        start = time.time()
        rc, out, err = e2e.sync(ka, timeout=120)
        took = time.time() - start
        check(rc == 0 and "stopped at the limit of one sync (300 pages" in out,
              f"a hub that always says more: the sync stops after 300 pages ({rc} {out.strip()} {err.strip()[-200:]})")
        check(len(fake.asked) == 300, f"exactly 300 requests ({len(fake.asked)}, {took:.1f} s)")
        cur = roster_cursor(ka)
        got = kq(ka, "SELECT count(*) FROM people WHERE family = 'More'")[0][0]
        check(got == 300 and f"goes on from change {cur} at the next sync" in out,
              f"what it applied stays, the cursor with it ({got}, cursor {cur})")
        fake.asked.clear()
        os.environ["KSYNC_TEST_ROSTER_RUN_PAGES"] = "7"
        try:
            rc, out, err = e2e.sync(ka)
        finally:
            del os.environ["KSYNC_TEST_ROSTER_RUN_PAGES"]
        check(rc == 0 and len(fake.asked) == 7 and since_of(fake.asked[0]) == cur,
              f"the next sync goes on from the cursor ({[since_of(p) for p in fake.asked[:2]]}, cursor {cur})")
        fake.close()

        # pages of nearly 8 MiB each (whitespace is JSON): the bytes of one
        # sync (64 MiB) stop it
        cur = roster_cursor(ka)
        pad = b" " * (7 * 1024 * 1024)

        def fat(path):
            n = since_of(path) + 1
            return json.dumps({"protocol": 2, "roster_id": rid, "more": True, "cursor": n, "changes": [
                {"seq": n, "kind": "person", "data": {"id": f"{n:032x}", "given": f"Fat{n}",
                                                      "family": "Page", "hint": ""}}]}).encode()[:-1] + pad + b"}"
        fake = FakeHub(ka, fat)
        set_url(ka, fake.url)
        rc, out, err = e2e.sync(ka, timeout=120)
        fake.close()
        pages = len(fake.asked)
        check(rc == 0 and "stopped at the limit of one sync" in out and pages == 10,
              f"7 MiB pages: the sync stops once 64 MiB came ({pages} pages, {out.strip()} {err.strip()[-200:]})")
        check(kq(ka, "SELECT count(*) FROM people WHERE family = 'Page'")[0][0] == pages,
              "each page it took is applied")

        # a disk with less room than the reserve: the roster takes none of it
        cur = roster_cursor(ka)
        fake = FakeHub(ka, endless)
        set_url(ka, fake.url)
        db = sqlite3.connect(os.path.join(ka, "kiosk.db"))
        pc = db.execute("PRAGMA page_count").fetchone()[0]
        db.close()
        os.environ["KSYNC_TEST_MAX_PAGES"] = str(pc + 2000)     # 8 MB of room, under the 32 MB reserve
        try:
            rc, out, err = e2e.sync(ka)
        finally:
            del os.environ["KSYNC_TEST_MAX_PAGES"]
        fake.close()
        check(rc == 1 and "the disk is nearly full" in err and "free disk space" in err and not fake.asked,
              f"nearly full: the download stops before asking, saying so ({err.strip()[-300:]})")
        check(roster_cursor(ka) == cur, "the cursor stays")
        after = kq(ka, "SELECT id, given, family, phone FROM people WHERE device_id <> '" + HUB_ID + "' ORDER BY id")
        check(after == own, "the kiosk's own people never changed")
    finally:
        env.close()


TESTS = [t_hub_event_and_survey, t_download_auth_and_paging, t_merge_and_forget, t_rule7, t_hub_migration,
         t_kiosk_loop, t_kiosk_faults, t_hostile_hub, t_hostile_hub_endless, t_hub_survey_on_screen]


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
