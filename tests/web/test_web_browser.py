#!/usr/bin/env python3
"""test_web_browser.py - the hub's web page in Debian's chromium (issue 12,
item 9), on the SQLite store or (--pg-uri-file) on PostgreSQL.

Seeds a hub through the real sync API (hubfeed.py): two kiosks, one of them
named like markup, an event taken at both, people with hostile names,
survey answers, a week of a summer bootcamp; makes a staff account with
`kiosk-hub user add`; then runs browser_test.mjs (puppeteer-core from
--node-modules) which logs in, opens the event, downloads both files by
clicking, merges two people, forgets one, and screenshots every page at
390 and 1280 px into --out.  Afterwards the downloaded files are checked
against `kiosk-hub export` run before the browser changed anything: the
CSV byte for byte, the XLSX cell for cell (openpyxl), and their rows hold
the people seeded.
"""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
import hubdb  # noqa: E402
from hubfeed import Hub  # noqa: E402

HOSTILE_GIVEN = "<script>alert(1)</script>"
HOSTILE_FAMILY = '"><img src=x onerror=alert(1)>'
HOSTILE_KIOSK = '"><img src=x onerror=alert(2)>'
DAY_MS = 86400000


def wall(date, hour=18):
    import datetime
    d = datetime.datetime.strptime(date, "%Y-%m-%d").replace(hour=hour, tzinfo=datetime.timezone.utc)
    return int(d.timestamp() * 1000)


def seed(hub):
    a = hub.kiosk("door-1")
    b = hub.kiosk(HOSTILE_KIOSK)
    ev_a = a.event("Parent night", "parents", "2026-11-20", wall("2026-11-20", 17))
    ev_b = b.event("Parent night", "parents", "2026-11-20", wall("2026-11-20", 17))
    t = wall("2026-11-20")
    huong = a.person("Hương", "Nguyễn", "555-0101", "", "95112", t)
    a.checkin(huong, ev_a, 1, t)
    a.answer(huong, ev_a, "pw", "grades", "g9;g10", t)
    a.answer(huong, ev_a, "pw", "heard", "friend", t)
    bad = a.person(HOSTILE_GIVEN, HOSTILE_FAMILY, "", "", "=1+1", t + 1000)
    a.checkin(bad, ev_a, 1, t + 1000)
    a.answer(bad, ev_a, "pw", "grades", "g9", t + 1000)
    maria_a = a.person("Maria", "Santos", "", "maria@example.org", "95110", t + 2000)
    a.checkin(maria_a, ev_a, 1, t + 2000)
    maria_b = b.person("María", "Santos", "", "", "95110", t + 3000)
    b.checkin(maria_b, ev_b, 1, t + 3000)
    b.answer(maria_b, ev_b, "pw", "grades", "other:" + HOSTILE_GIVEN, t + 3000)
    tom = b.person("Tom", "Lee", "555-0177", "", "95111", t + 4000)
    b.checkin(tom, ev_b, 1, t + 4000)
    # a week of the summer bootcamp at door-1
    kids = [a.person(g, f, "", "", "95112", wall("2026-07-06", 8)) for g, f in
            [("An", "Trần"), ("Bảo", "Lê"), ("Chi", "Phạm")]]
    for d, day in enumerate(["2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"]):
        ev = a.event("Bootcamp day %d" % (d + 1), "summer-bootcamp", day, wall(day, 8))
        for i, k in enumerate(kids):
            if (d + i) % 4 != 3:
                a.checkin(k, ev, 1 if d == 0 else 0, wall(day, 9) + i)
    reunion = a.event("Bootcamp reunion", "summer-bootcamp", "2026-08-15", wall("2026-08-15", 8))
    a.checkin(kids[0], reunion, 0, wall("2026-08-15", 9))
    a.sync()
    b.sync()
    # the events page links a group of namesake events by its lowest id
    return {"event": min(ev_a, ev_b), "huong": huong, "maria_a": maria_a, "maria_b": maria_b, "tom": tom}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--node-modules", required=True, help="folder holding node_modules/puppeteer-core")
    ap.add_argument("--out", required=True, help="screenshots and downloads go here")
    ap.add_argument("--pg-uri-file")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    if args.pg_uri_file:
        hubdb.use_postgresql(args.pg_uri_file)
    if not os.path.isdir(os.path.join(args.node_modules, "node_modules", "puppeteer-core")):
        print(f"FAIL puppeteer-core is not installed in {args.node_modules} (the web_npm fixture)")
        return 1
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    tmp = tempfile.mkdtemp(prefix="web-browser-")
    hub = Hub(args.hub, hubdb.new_store(tmp))
    try:
        hub.user_add("staff", "correct horse battery")
        hub.start()
        ids = seed(hub)
        # the files as `kiosk-hub export` writes them, before any change
        exp_csv = os.path.join(tmp, "export.csv")
        exp_xlsx = os.path.join(tmp, "export.xlsx")
        hub.run("export", "--event", ids["event"], "--format", "csv", "-o", exp_csv)
        hub.run("export", "--event", ids["event"], "--format", "xlsx", "-o", exp_xlsx)
        with open(exp_csv, encoding="utf-8-sig", newline="") as f:
            exported = list(csv.reader(f))
        cfg = {
            "url": hub.url, "user": "staff", "password": "correct horse battery", "out": out,
            "chromium": args.chromium, "event": ids["event"], "event_name": "Parent night",
            "event_people": len(exported) - 1,
            "kiosk_line": "door-1: 3", "kiosk_name": "door-1",
            "hostile": [HOSTILE_GIVEN, HOSTILE_FAMILY],
            "search": "nguyen", "search_finds": "Nguyễn",
            "chart_label": "g9",
            "keep": ids["maria_a"], "other": ids["maria_b"],
            "forget": ids["tom"], "forget_name": "Tom",
            "program": "summer-bootcamp", "new_event": "Homework club <3",
            # people, new, returning, sessions, check-ins, sessions per person
            # (after the browser merged María into Maria: one person, one session)
            "report": [["summer-bootcamp", "2026-07", ["3", "3", "0", "5", "12", "4.0"]],
                       ["summer-bootcamp", "2026-08", ["1", "0", "1", "1", "1", "1.0"]],
                       ["parents", "2026-11", ["4", "4", "0", "1", "4", "1.0"]]],
        }
        cfg_path = os.path.join(tmp, "cfg.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        env = dict(os.environ, NODE_PATH=os.path.join(args.node_modules, "node_modules"))
        script = os.path.join(args.node_modules, "browser_test.mjs")
        shutil.copy(os.path.join(HERE, "browser_test.mjs"), script)   # resolves puppeteer-core there
        p = subprocess.run(["node", script, cfg_path], env=env, timeout=400)
        failed = p.returncode != 0
        # the downloaded files against the export
        dl = os.path.join(out, "downloads")
        got_csv = os.path.join(dl, "attendance.csv")
        if os.path.exists(got_csv):
            same = open(got_csv, "rb").read() == open(exp_csv, "rb").read()
            print(("ok  " if same else "FAIL") + " the downloaded CSV is byte for byte kiosk-hub export's")
            failed |= not same
            with open(got_csv, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            names = {(r[4], r[5]) for r in rows[1:]}
            want = {("Hương", "Nguyễn"), (HOSTILE_GIVEN, HOSTILE_FAMILY), ("Maria", "Santos"),
                    ("Tom", "Lee")}
            ok = want <= names and rows[0][:10] == ["checked_in", "event", "program", "event_date",
                                                      "given", "family", "phone", "email", "zip",
                                                      "status"]
            print(("ok  " if ok else "FAIL") + f" the CSV's rows hold the people seeded ({len(rows) - 1} rows)")
            failed |= not ok
        else:
            failed = True
        got_xlsx = os.path.join(dl, "attendance.xlsx")
        if os.path.exists(got_xlsx):
            chk = subprocess.run(["/usr/bin/python3", "-c", XLSX_SAME, got_xlsx, exp_xlsx],
                                 capture_output=True, text=True)
            print(chk.stdout.strip())
            failed |= chk.returncode != 0
        else:
            failed = True
        got_grid = os.path.join(dl, "daily-attendance.xlsx")
        if os.path.exists(got_grid):
            chk = subprocess.run(["/usr/bin/python3", "-c", GRID_CHECK, got_grid],
                                 capture_output=True, text=True)
            print(chk.stdout.strip() + chk.stderr.strip())
            failed |= chk.returncode != 0
        else:
            failed = True
        print(f"screenshots: {out}")
        return 1 if failed else 0
    finally:
        hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        hubdb.drop_all()


XLSX_SAME = r"""
import sys, openpyxl
def cells(p):
    wb = openpyxl.load_workbook(p)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
a, b = cells(sys.argv[1]), cells(sys.argv[2])
att = a.get("Attendance", [])
names = {(r[4], r[5]) for r in att[1:]}
ok = a == b and ("Hương", "Nguyễn") in names and len(att) > 1
print(("ok  " if ok else "FAIL") + " the downloaded XLSX has kiosk-hub export's sheets and cells (%d rows)" % (len(att) - 1))
sys.exit(0 if ok else 1)
"""

GRID_CHECK = r"""
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Attendance"]
rows = [[c.value for c in r] for r in ws.iter_rows()]
head = rows[2]
days = head[2:-1]
people = {(r[0], r[1]): r[2:] for r in rows[3:-1]}
total = rows[-1]
ok = (rows[0][:2] == ["Program", "summer-bootcamp"] and
      days == ["2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"] and
      people.get(("Bảo", "Lê")) == [1, 1, None, 1, 1, 4] and
      people.get(("An", "Trần")) == [1, 1, 1, None, 1, 4] and
      total[0] == "People present" and total[2:7] == [3, 2, 2, 2, 3])
print(("ok  " if ok else "FAIL") + " the daily grid XLSX: 5 days, a row per person, totals (%s)" % rows[-1])
sys.exit(0 if ok else 1)
"""

if __name__ == "__main__":
    sys.exit(main())
