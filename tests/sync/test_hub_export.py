#!/usr/bin/env python3
"""The hub's merged export against the kiosks' own exports.

Two kiosks run the same event (each creates its own event record, with the
same survey; their names differ only in letter case):

  * kiosk A, synced to a real `kiosk-hub serve` over HTTP (127.0.0.1, a
    port the kernel picks) by `kiosk sync`;
  * kiosk B, carried on a "USB stick": `kiosk sync export` then
    `kiosk-hub import`.

Their stores are written by the real kiosk store (export-tool: sign-ups,
check-ins and survey answers, including texts a spreadsheet would run as
formulas).  One person signs up at both kiosks, written differently; at B
he is a returning person (signed up at an earlier event there) and checks
in first, and answers one question again later at B.

`kiosk-hub export` must then write, in CSV and XLSX:
  * exactly the header of `kiosk export` for the same event, with and
    without --survey (the survey's question order);
  * every person once: A's people with the very cells of kiosk A's own
    export, B's with kiosk B's (but the event's name, which is the one
    asked for), the person seen at both merged (earliest check-in, status
    new because A saw him sign up, the later kiosk's answer where both
    answered, A's answer where only A did), a namesake without a phone kept
    apart;
  * the kiosk's CSV rules (byte-order mark, CRLF, the apostrophe guard) and
    XLSX layout (sheets Attendance and Summary, frozen bold header,
    autofilter, widths), read back by Python's csv module and openpyxl with
    the same cells.

    test_hub_export.py KIOSK EXPORT_TOOL KIOSK_HUB
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from kiosktest import ENV, Checker, fresh_dir  # noqa: E402
from export_check import FIXED, GUARD, SURVEY, check_xlsx  # noqa: E402
import openpyxl  # noqa: E402  (export_check exits with advice when it is missing)
import test_sync_e2e  # noqa: E402

TENV = dict(ENV, TZ="Pacific/Honolulu")
DATE = "2031-03-05"
PROGRAM = "parent organizing"
TYPES = {"grades": "multiple", "topic": "single", "interpret": "yesno", "comment": "text"}


def run(*cmd, raw=False):
    """Runs a command in the test's time zone; (exit status, stdout, stderr),
    stdout as bytes when raw (CSV keeps its CRLF)."""
    p = subprocess.run(list(cmd), capture_output=True, env=TENV, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    return p.returncode, p.stdout if raw else p.stdout.decode("utf-8"), err


class Kiosk:
    """One kiosk's data folder, written by export-tool, run by the kiosk."""

    def __init__(self, kiosk, tool, data):
        self.kiosk, self.tool, self.data = kiosk, tool, data

    def store(self, *args):
        rc, out, err = run(self.tool, "--data", self.data, *args)
        assert rc == 0, f"export-tool {args[0]}: {err}"
        return out.strip()

    def cmd(self, *args):
        return run(self.kiosk, "--data", self.data, *args)

    def signup(self, event, given, family, phone="", email="", zip_code=""):
        return self.store("signup", event, given, family, phone, email, zip_code)

    def export_csv(self, event, *extra):
        """`kiosk export` of one event to standard output: the bytes."""
        rc, out, err = run(self.kiosk, "--data", self.data, "export", "--event", event,
                           "--format", "csv", "-o", "-", *extra, raw=True)
        assert rc == 0, f"kiosk export: {err}"
        return out


def records(data, c, label):
    """CSV bytes (with the byte-order mark) as records, strictly parsed."""
    text = data.decode("utf-8")
    c.check(text.startswith("\ufeff"), f"{label}: starts with the byte-order mark")
    c.check(text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""),
            f"{label}: every record ends with CRLF")
    return list(csv.reader(io.StringIO(text[1:], newline=""), strict=True))


def unguard(v):
    return v[1:] if v.startswith("'") and v[1:].startswith(GUARD) else v


def build(a, b):
    """Fills both kiosks; returns (event at A, event at B, person ids by name)."""
    ids = {}
    # B, earlier: Minjun signs up at another event, then checks in here
    b.store("event", "Open house", PROGRAM, "2031-02-01")
    ids["minjun-b"] = b.signup(b.store("event", "Open house 2", PROGRAM, "2031-02-02"),
                               "Minjun", "Kim", "808-555-0142")
    ev_b = b.store("event", 'PARENT NIGHT, "FALL"', PROGRAM, DATE, "pw")
    b.store("checkin", ids["minjun-b"], ev_b)
    ids["sione"] = b.signup(ev_b, "Sione", "Fifita", "", "sione@example.org", "96817")
    ids["huong-b"] = b.signup(ev_b, "Hương", "Nguyễn")      # namesake without a phone
    # A: the same event, Minjun again (his phone written otherwise), others
    ev_a = a.store("event", 'Parent night, "fall"', PROGRAM, DATE, "pw")
    ids["minjun-a"] = a.signup(ev_a, "MINJUN", "KIM", "(808) 555 0142")
    ids["huong"] = a.signup(ev_a, "Hương", "Nguyễn", "+1 808 555 0101", "huong@example.org",
                            "96813")
    ids["formula"] = a.signup(ev_a, "=1+1", "@SUM(A1)", "+63 917 555 0101", "-x@y.org", "")
    ids["comma"] = a.signup(ev_a, "Kim, Min-jun", '한국 "Han"', "010-1234", "", "")
    ids["wide"] = a.signup(ev_a, "陈美玲", "ʻAhoia", "(808) 555-0199", "", "96701")
    # A's answers in the survey's order (Hương changes one: the latest
    # wins), then B's, later: Minjun answers the topic again there
    for k, who, ev, q, v in [
            (a, "huong", ev_a, "grades", "k;g1"), (a, "huong", ev_a, "topic", "housing"),
            (a, "huong", ev_a, "interpret", "yes"),
            (a, "huong", ev_a, "comment", '=HYPERLINK("http://x")'),
            (a, "huong", ev_a, "grades", "g2"), (a, "minjun-a", ev_a, "topic", "school"),
            (a, "minjun-a", ev_a, "comment", 'from A, "quoted"'),
            (a, "formula", ev_a, "comment", "@now"), (a, "comma", ev_a, "grades", "other:ăn, uống"),
            (b, "minjun-b", ev_b, "topic", "housing"), (b, "sione", ev_b, "grades", "other:Grade 9"),
            (b, "sione", ev_b, "comment", "\tindent")]:
        k.store("answer", ids[who], ev, "pw", "1", q, v, "en")
    return ev_a, ev_b, ids


def main():
    kiosk, tool, hub = sys.argv[1:4]
    c = Checker()
    work = fresh_dir("hub-export-")
    a = Kiosk(kiosk, tool, os.path.join(work, "kiosk-a"))
    b = Kiosk(kiosk, tool, os.path.join(work, "kiosk-b"))
    survey = os.path.join(work, "pw.csv")
    with open(survey, "w", encoding="utf-8") as f:
        f.write(SURVEY)
    store = os.path.join(work, "hub.db")
    server = None
    try:
        ev_a, ev_b, ids = build(a, b)

        # A over HTTP, B on a stick
        rc, token, err = run(hub, "device", "add", "door-a", "--store", store)
        c.check(rc == 0, f"device add: {err}")
        test_sync_e2e.ARGS = argparse.Namespace(hub=hub)
        server = test_sync_e2e.Hub(store)
        rc, _, err = a.cmd("sync", "pair", server.url, token.strip())
        c.check(rc == 0, f"kiosk A pairs: {err}")
        rc, out, err = a.cmd("sync")
        c.check(rc == 0 and out.startswith("sent "), f"kiosk A syncs over HTTP: {out} {err}")
        usb = os.path.join(work, "usb")
        os.mkdir(usb)
        rc, out, err = b.cmd("sync", "export", usb)
        c.check(rc == 0 and out.strip().endswith(".kbundle"), f"kiosk B writes a bundle: {err}")
        # B never reaches the hub: it is paired offline with its id and bundle key
        rc, pair_cmd, err = b.cmd("sync", "key")
        c.check(rc == 0 and pair_cmd.startswith("kiosk-hub device add NAME "), f"kiosk B's key: {err}")
        rc, _, err = run(hub, *pair_cmd.split()[1:3], "door-b", *pair_cmd.split()[4:], "--store", store)
        c.check(rc == 0, f"the hub adds B with its id and key: {err}")
        rc, _, err = run(hub, "import", out.strip(), "--store", store)
        c.check(rc == 0, f"the hub imports B's bundle: {err}")

        own_a = records(a.export_csv(ev_a, "--survey", survey), c, "kiosk A export")
        own_b = records(b.export_csv(ev_b, "--survey", survey), c, "kiosk B export")
        plain_a = records(a.export_csv(ev_a), c, "kiosk A export without survey")
        outs = {}
        for name, extra in [("s", ["--survey", survey]), ("plain", [])]:
            for fmt in ("csv", "xlsx"):
                path = os.path.join(work, f"{name}.{fmt}")
                rc, _, err = run(hub, "export", "--event", ev_a[:8], "--format", fmt, "-o", path,
                                 *extra, "--store", store)
                c.check(rc == 0 and "7 people" in err, f"hub export {name}.{fmt}: {err.strip()}")
                outs[name, fmt] = path
        raw = open(outs["s", "csv"], "rb").read()
        recs = records(raw, c, "hub export")
        plain = records(open(outs["plain", "csv"], "rb").read(), c, "hub export without survey")
        rc, out, err = run(hub, "export", "--event", ev_a, "--format", "csv", "-o", "-",
                           "--survey", survey, "--store", store, raw=True)
        c.check(rc == 0 and out == raw, f"hub export -o -: the same bytes ({err.strip()})")

        # the header is the kiosk's
        c.check(recs[0] == own_a[0] == FIXED + ["pw.grades", "pw.topic", "pw.interpret",
                                                "pw.comment"],
                f"header with --survey: hub {recs[0]}, kiosk {own_a[0]}")
        c.check(raw.split(b"\r\n", 1)[0] == a.export_csv(ev_a, "--survey", survey)
                .split(b"\r\n", 1)[0], "the header line's bytes are the kiosk's")
        c.check(plain[0] == plain_a[0], f"header without survey: hub {plain[0]}, kiosk {plain_a[0]}")
        c.check(plain[1:] == recs[1:], "without --survey: the same rows (same column order here)")

        # every person once
        col = {h: i for i, h in enumerate(recs[0])}
        rows = recs[1:]
        names = sorted((unguard(r[col["given"]]), unguard(r[col["family"]])) for r in rows)
        want = sorted([("Minjun", "Kim"), ("Sione", "Fifita"), ("Hương", "Nguyễn"),
                       ("Hương", "Nguyễn"), ("=1+1", "@SUM(A1)"), ("Kim, Min-jun", '한국 "Han"'),
                       ("陈美玲", "ʻAhoia")])
        c.check(names == want, f"every person once: {names}")
        c.check(all(r[col["event"]] == 'Parent night, "fall"' for r in rows),
                "every row names the event asked for")

        # A's people: the very cells of kiosk A's own export
        by_phone_a = {r[col["phone"]]: r for r in own_a[1:]}
        for key in ("'+1 808 555 0101", "'+63 917 555 0101", "010-1234", "(808) 555-0199"):
            hub_row = [r for r in rows if r[col["phone"]] == key]
            c.check(hub_row == [by_phone_a[key]], f"A's row {key}: hub {hub_row} kiosk {by_phone_a[key]}")
        huong = by_phone_a["'+1 808 555 0101"]
        c.check(huong[col["pw.grades"]] == "g2" and huong[col["pw.comment"]].startswith("'="),
                f"A's changed answer: the latest; the formula guarded ({huong})")
        # B's people: kiosk B's cells (B's export has only the columns B's
        # answers fill) but the event's name
        sione_b = dict(zip(own_b[0], [r for r in own_b[1:] if r[col["given"]] == "Sione"][0]))
        sione_b["event"] = 'Parent night, "fall"'
        sione = [r for r in rows if r[col["given"]] == "Sione"]
        c.check(sione == [[sione_b.get(h, "") for h in recs[0]]],
                f"B's row: hub {sione}, kiosk {sione_b}")
        c.check(sione and sione[0][col["pw.comment"]] == "'\tindent", "B's answers, guarded")
        namesake = [r for r in rows if r[col["given"]] == "Hương" and not r[col["phone"]]]
        c.check(len(namesake) == 1 and namesake[0][col["status"]] == "new",
                f"the namesake without a phone stays apart ({namesake})")
        # the person at both kiosks
        minjun = [r for r in rows if r[col["given"]].lower() == "minjun"]
        minjun_b = [r for r in own_b[1:] if r[col["given"]] == "Minjun"][0]
        c.check(len(minjun) == 1, f"Minjun once ({minjun})")
        if len(minjun) == 1:
            m = minjun[0]
            c.check(minjun_b[col["status"]] == "returning" and m[col["status"]] == "new",
                    f"status new: kiosk A saw him sign up (B: {minjun_b[col['status']]})")
            c.check(m[col["checked_in"]] == minjun_b[col["checked_in"]] and
                    m[col["phone"]] == "808-555-0142" and m[col["given"]] == "Minjun",
                    f"his earliest check-in (B's) with B's person fields ({m})")
            c.check(m[col["pw.topic"]] == "housing", f"the later kiosk's answer wins ({m})")
            c.check(m[col["pw.comment"]] == 'from A, "quoted"', f"A's answer where only A answered ({m})")
        c.check([r[0] for r in rows] == sorted(r[0] for r in rows), "rows in order of check-in time")
        c.check(rows[0][col["given"]] == "Minjun", "B's early check-in comes first")

        # the XLSX holds the same cells (without apostrophes) in the kiosk's
        # layout: export_check.py's reading, as for the kiosk's own files
        for key, head_rows, types in [("s", recs, TYPES), ("plain", plain, None)]:
            texts = [[unguard(v) for v in r] for r in head_rows[1:]]
            check_xlsx(c, outs[key, "xlsx"], head_rows[0], texts, f"hub xlsx {key}", types)
            ws = openpyxl.load_workbook(outs[key, "xlsx"])["Attendance"]
            c.check(all(x.font.b for x in ws[1]), f"hub xlsx {key}: bold header")

        # wrong words are refused
        rc, _, err = run(hub, "export", "--event", ev_a, "--format", "xlsx", "-o", "-", "--store", store)
        c.check(rc == 1 and "standard output" in err, f"xlsx to standard output refused ({err.strip()})")
        rc, _, err = run(hub, "export", "--event", ev_a, "--format", "ods", "-o",
                         os.path.join(work, "x.ods"), "--store", store)
        c.check(rc == 1 and "expected csv or xlsx" in err, f"unknown format refused ({err.strip()})")
        missing = os.path.join(work, "no-such-folder", "a.csv")
        rc, _, err = run(hub, "export", "--event", ev_a, "--format", "csv", "-o", missing,
                         "--store", store)
        c.check(rc == 1 and missing + ".partial" in err and "nothing was saved" in err,
                f"a folder that is not there: refused naming the file ({err.strip()})")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
