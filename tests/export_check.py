#!/usr/bin/env python3
"""Attendance files read back by real readers.

A database is made by the real kiosk (sign-ups through its screens, in a
headless replay) and by export-tool (names and survey answers a screen
cannot type: formulas, tabs, line breaks, quotes, commas; a changed answer;
a second event with returning people).  Then `export` writes CSV and XLSX,
and this script checks them against its own reading of the database:

  * CSV: UTF-8 byte-order mark, CRLF record ends, read by Python's csv
    module in strict mode; every cell equal to the database's text, with an
    apostrophe in front exactly when it starts with = + - @ TAB or CR;
  * XLSX, read by openpyxl (Debian's python3-openpyxl): the same cells
    without apostrophes, every cell text (no formula anywhere), header row
    frozen, autofilter over the table, column widths set; the summary
    sheet's counts per event, per program, and per choice of each choice
    question equal counts made here from the database;
  * `kiosk export` itself gives the same cells (when this kiosk build has
    the command);
  * a read-only folder and (as root) a full drive: exit status 1, a message
    naming the file, nothing left behind;
  * `staff set-pin` from standard input stores a hash, never the PIN;
    `staff revoke-qr` stops a code;
  * with KIOSK_HUB: answers, QR codes and revocations, and the events' survey
    and link, travel to a hub in a sync bundle.

    export_check.py KIOSK EXPORT_TOOL [KIOSK_HUB]
"""
import csv
import datetime
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from kiosktest import ENV, Checker, fresh_dir

try:
    import openpyxl
except ImportError:
    sys.exit("export_check.py needs openpyxl: apt-get install python3-openpyxl "
             "(scripts/install-deps.sh installs it)")

TZ = "Pacific/Honolulu"
TENV = dict(ENV, TZ=TZ)
GUARD = ("=", "+", "-", "@", "\t", "\r")
FIXED = ["checked_in", "event", "program", "event_date", "given", "family", "phone",
         "email", "zip", "status"]

SURVEY = """row,key,type,required,options,show_if,en
survey,pw,,,version=1,,Parent workshop
question,grades,multiple,no,,,Grades of your children?
choice,k,,,,,Kindergarten
choice,g1,,,,,Grade 1
choice,g2,,,,,Grade 2
choice,other,other,,,,Other
question,topic,single,no,,,Which topic?
choice,housing,,,,,Housing
choice,school,,,,,School
question,interpret,yesno,no,,,Do you need an interpreter?
question,comment,text,no,max=200,,Anything else?
"""


def tool(exe, data, *args, check=True, stdin=None):
    p = subprocess.run([exe, "--data", data, *args], capture_output=True, text=True,
                       env=TENV, input=stdin, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"export-tool {' '.join(args)}: {p.returncode}\n{p.stderr}")
    return p


def guard(v):
    return "'" + v if v.startswith(GUARD) else v


def build(kiosk, t, data):
    """Fills data with people, check-ins and answers; returns the two event ids."""
    p = subprocess.run([kiosk, "--data", data, "event", "add", "Parent night, \"fall\"",
                        "--program", "parent organizing"], capture_output=True, text=True,
                       env=TENV, timeout=60)
    assert p.returncode == 0, p.stderr
    ev = p.stdout.strip().splitlines()[-1]
    script = ""
    for given, family in [("Hương", "Nguyễn"), ("Minjun", "Kim"), ("Malia", "Tuiasosopo")]:
        script += f"key Escape\ntap btn-new\ntype {given}\nkey Tab\ntype {family}\ntap btn-submit\nwait 500\n"
    p = subprocess.run([kiosk, "--replay", "-", "--data", data, "--no-layout-check"],
                       input=script, capture_output=True, text=True, env=TENV, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    people = []
    hostile = [
        ("=1+1", "Nguyễn", "+63 917 555 0101", "a@b.org", "96813"),
        ("@SUM(A1)", "-x", "", "", ""),
        ("\tTab", "\rCR", "", "", ""),
        ("Kim, Min-jun", "한국 \"Han\"", "010-1234", "", ""),
        ("Line\nBreak", "O'Neil", "", "x@y.org", ""),
        ("=cmd|' /C calc'!A0", "+", "-", "@", "="),
        ("陈美玲", "ʻAhoia", "(808) 555-0199", "", "96701"),
        ("_x0041_", "a_x00", "", "", ""),
    ]
    for g, f, ph, em, z in hostile:
        people.append(tool(t, data, "signup", ev, g, f, ph, em, z).stdout.strip())
    for i in range(40):
        people.append(tool(t, data, "signup", ev, f"Người {i}", f"Phạm {i}",
                           f"+1 808 555 {i:04d}", "", "").stdout.strip())
    answers = [
        (0, "grades", "k;g1"), (0, "topic", "housing"), (0, "interpret", "yes"),
        (0, "comment", "=HYPERLINK(\"http://x\")"), (1, "grades", "other:ăn, uống; \"x\""),
        (1, "comment", "@now"), (2, "comment", "\tindent"), (3, "comment", "-5"),
        (4, "comment", "line\r\nbreak"), (5, "topic", "school"), (6, "interpret", "no"),
        (0, "grades", "g2"),                       # changed: the latest wins
    ]
    for i in range(7, 47):
        answers.append((i, "grades", ["k", "g1", "k;g2", "other:Grade 9"][i % 4]))
        answers.append((i, "topic", ["housing", "school"][i % 2]))
    for i, q, v in answers:
        tool(t, data, "answer", people[i], ev, "pw", "1", q, v, "vi")
    p2 = tool(t, data, "event", "Bootcamp day 1", "summer bootcamp", "2031-07-01", "pw",
              "https://chat.example.org/j/AbC").stdout.strip()
    for i in (0, 3, 8):
        tool(t, data, "checkin", people[i], p2)
    tool(t, data, "answer", people[3], p2, "pw", "1", "topic", "school", "ko")
    return ev, p2


def expected(data, scope_event=None, since=None):
    """Header and rows as the database says, by an independent reading."""
    db = sqlite3.connect(f"file:{os.path.join(data, 'kiosk.db')}?mode=ro", uri=True)
    where, args = [], []
    if scope_event:
        where.append("c.event_id = ?")
        args.append(scope_event)
    if since:
        where.append("e.date >= ?")
        args.append(since)
    sql = ("SELECT c.event_id, c.person_id, c.wall_ms, c.is_new, e.name, e.program, e.date,"
           " p.given, p.family, p.phone, p.email, p.zip FROM checkins c"
           " JOIN events e ON e.id = c.event_id JOIN people p ON p.id = c.person_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY e.date, e.wall_ms, e.id, c.wall_ms, c.seq")
    rows = db.execute(sql, args).fetchall()
    visits = {(r[0], r[1]) for r in rows}
    latest, first = {}, {}
    for ev, pid, sk, qk, val, seq in db.execute(
            "SELECT event_id, person_id, survey_key, question_key, value, seq FROM answers"
            " ORDER BY seq"):
        if (ev, pid) not in visits:
            continue
        latest[(ev, pid, f"{sk}.{qk}")] = val
        first.setdefault(f"{sk}.{qk}", seq)
    db.close()
    cols = sorted(first, key=lambda c: first[c])
    tz = ZoneInfo(TZ)
    out = []
    for ev, pid, wall, is_new, name, prog, date, g, f, ph, em, z in rows:
        when = datetime.datetime.fromtimestamp(wall / 1000, tz).strftime("%Y-%m-%d %H:%M")
        out.append([when, name, prog, date, g, f, ph, em, z, "new" if is_new else "returning"]
                   + [latest.get((ev, pid, c), "") for c in cols])
    return FIXED + cols, out, rows


def read_csv(c, path, label):
    raw = open(path, "rb").read()
    c.check(raw.startswith(b"\xef\xbb\xbf"), f"{label}: starts with a UTF-8 byte-order mark")
    c.check(raw.endswith(b"\r\n"), f"{label}: the last record ends with CRLF")
    text = raw.decode("utf-8-sig")
    recs = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    # every record ends with CRLF: rebuild the line ends the reader consumed
    c.check(text.count("\r\n") >= len(recs), f"{label}: records end with CRLF")
    return recs


def check_csv(c, path, head, rows, label):
    recs = read_csv(c, path, label)
    c.check(recs[0] == head, f"{label}: header {recs[0]} != {head}")
    c.check(len(recs) == len(rows) + 1, f"{label}: {len(recs) - 1} rows, expected {len(rows)}")
    bad = [(i, a, b) for i, (got, want) in enumerate(zip(recs[1:], rows))
           for a, b in zip(got, [guard(v) for v in want]) if a != b]
    c.check(not bad, f"{label}: cells differ, first: {bad[:3]}")
    guarded = sum(1 for r in recs[1:] for v in r if v.startswith("'"))
    want = sum(1 for r in rows for v in r if v.startswith(GUARD))
    c.check(guarded == want, f"{label}: formula-like cells carry the apostrophe ({guarded}, {want})")
    c.check(not any(v.startswith(GUARD) for r in recs[1:] for v in r),
            f"{label}: no cell starts with = + - @ TAB or CR")


def is_choice_list(v):
    """Empty, or choice keys joined by ';' with an optional other:TEXT last."""
    while v:
        if v.startswith("other:"):
            return True
        k, _, v = v.partition(";")
        if not (k[:1].isascii() and k[:1].islower() and len(k) <= 32 and
                all(ch.isascii() and (ch.islower() or ch.isdigit() or ch in "-_") for ch in k)):
            return False
    return True


ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xl_stored(v):
    """What an XLSX string cell holds for text v (ECMA-376 ST_Xstring): a
    literal _xHHHH_ gets its underscore escaped, control characters other
    than TAB and LF are written _xHHHH_."""
    v = ESCAPE.sub(lambda m: "_x005F" + m.group(0), v)
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n" else ch for ch in v)


def xl_decoded(raw):
    """What Excel shows for a stored string: every escape undone, in one pass."""
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


def openpyxl_view(raw):
    """What openpyxl 3.0 returns for a stored string: it only drops 'x005F_'."""
    return raw.replace("x005F_", "")


def col_letter(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def check_xlsx(c, path, head, rows, label, survey_types):
    wb = openpyxl.load_workbook(path)
    c.check(wb.sheetnames == ["Attendance", "Summary"], f"{label}: sheets {wb.sheetnames}")
    ws = wb["Attendance"]
    c.check(ws.freeze_panes == "A2", f"{label}: header row frozen ({ws.freeze_panes})")
    ref = f"A1:{col_letter(len(head))}{len(rows) + 1}"
    c.check(ws.auto_filter.ref == ref, f"{label}: autofilter {ws.auto_filter.ref} != {ref}")
    cells = [[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True)]
    c.check(cells[0] == head, f"{label}: header {cells[0]}")
    c.check(len(cells) == len(rows) + 1, f"{label}: {len(cells) - 1} rows")
    # The writer streams (libxlsxwriter's constant-memory mode): strings are
    # inline in the sheet, which openpyxl returns as stored; from a shared
    # string table it would drop 'x005F_'.
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        shared = "xl/sharedStrings.xml" in z.namelist()
        if shared:
            strings = list(ElementTree.fromstring(z.read("xl/sharedStrings.xml")))
        else:
            sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
            strings = list(sheet.iter(ns + "is"))
    view = (lambda v: openpyxl_view(xl_stored(v))) if shared else xl_stored
    bad = [(i, a, b) for i, (got, want) in enumerate(zip(cells[1:], rows))
           for a, b in zip(got, want) if a != view(b)]
    c.check(not bad, f"{label}: cells differ from the database, first: {bad[:3]}")
    # what Excel shows: the stored strings, every escape undone, are exactly
    # the database's texts (CR, and a name that looks like an escape)
    shown = {xl_decoded("".join(t.text or "" for t in si.iter(ns + "t"))) for si in strings}
    texts = {v for r in rows for v in r if v} | set(head)
    c.check(texts <= shown, f"{label}: texts Excel would not show: {sorted(texts - shown)[:3]}")
    types = {cell.data_type for wsx in wb for row in wsx.iter_rows() for cell in row
             if cell.value is not None}
    c.check("f" not in types, f"{label}: no formula cell anywhere ({types})")
    kinds = {cell.data_type for row in ws.iter_rows() for cell in row if cell.value is not None}
    c.check(kinds == {"s"}, f"{label}: attendance cells are all text ({kinds})")
    widths = [ws.column_dimensions[col_letter(i + 1)].width for i in range(len(head))]
    c.check(all(w and 4 <= w <= 62 for w in widths), f"{label}: column widths {widths}")
    gi = head.index("given")
    c.check(widths[gi] >= max(len(r[gi]) for r in rows), f"{label}: given column fits")

    # the summary, against counts made here
    sm = [[("" if v is None else v) for v in r] for r in wb["Summary"].iter_rows(values_only=True)]
    per_event, per_prog = {}, {}
    for r in rows:
        k = (r[1], r[2], r[3])
        n, new = per_event.get(k, (0, 0))
        per_event[k] = (n + 1, new + (r[9] == "new"))
        n, new = per_prog.get(r[2], (0, 0))
        per_prog[r[2]] = (n + 1, new + (r[9] == "new"))
    got_events = {(r[0], r[1], r[2]): (r[3], r[4]) for r in sm[1:1 + len(per_event)]}
    c.check(sm[0][:6] == ["event", "program", "event_date", "checked_in", "new", "returning"],
            f"{label}: summary header {sm[0]}")
    c.check(got_events == per_event, f"{label}: per event {got_events} != {per_event}")
    total = sm[1 + len(per_event)]
    c.check(total[0] == "all events" and total[3] == len(rows), f"{label}: total row {total}")
    start = [i for i, r in enumerate(sm) if r and r[0] == "program"][0]
    got_prog = {r[0]: (r[1], r[2]) for r in sm[start + 1:start + 1 + len(per_prog)]}
    c.check(got_prog == per_prog, f"{label}: per program {got_prog} != {per_prog}")
    start = [i for i, r in enumerate(sm) if r and r[0] == "survey"][0]
    got_choice = {(r[1], r[2]): r[3] for r in sm[start + 1:] if r and r[0]}
    want_choice = {}
    for ci, h in enumerate(head):
        if "." not in h:
            continue
        q = h.split(".", 1)[1]
        if survey_types and survey_types.get(q) not in ("single", "multiple", "yesno"):
            continue
        if not survey_types and not all(is_choice_list(r[ci]) for r in rows):
            continue                    # without the survey: only lists of keys count
        for r in rows:
            v = r[ci]
            while v:
                if v.startswith("other:"):
                    want_choice[(q, "other")] = want_choice.get((q, "other"), 0) + 1
                    break
                k, _, v = v.partition(";")
                want_choice[(q, k)] = want_choice.get((q, k), 0) + 1
    got_nonzero = {k: v for k, v in got_choice.items() if v}
    c.check(got_nonzero == want_choice, f"{label}: choice counts {got_nonzero} != {want_choice}")
    if survey_types:
        c.check(got_choice.get(("interpret", "no")) is not None and
                ("comment", "-5") not in got_choice,
                f"{label}: yes/no counted, text question not ({sorted(got_choice)})")


def failures(c, t, data, ev):
    """Read-only and full folders: exit 1, a message naming the file, nothing left."""
    base = fresh_dir("kiosk-export-fail-")
    ro = os.path.join(base, "ro")
    os.mkdir(ro)
    mounted = []
    if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m",
                                             "tmpfs", ro]).returncode == 0:
        mounted.append(ro)
        print("read-only drive: a tmpfs mounted read-only")
    else:
        os.chmod(ro, 0o500)
        print("read-only drive: a folder without write permission")
    full = os.path.join(base, "full")
    os.mkdir(full)
    if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k",
                                             "tmpfs", full]).returncode == 0:
        mounted.append(full)
        print("full drive: a tmpfs with 4 KB left")
        with open(os.path.join(full, "filler"), "wb") as f:    # leave 4 KB
            f.write(b"\0" * max(0, shutil.disk_usage(full).free - 4096))
    else:
        full = None
        print("full drive: needs root to mount a tmpfs; covered by test_export's file size limit")
    try:
        for fmt in ("csv", "xlsx"):
            out = os.path.join(ro, f"a.{fmt}")
            p = tool(t, data, "export", "--format", fmt, "-o", out, check=False)
            c.check(p.returncode == 1 and "read-only" in p.stderr and out in p.stderr,
                    f"read-only folder ({fmt}): exit 1 and a message naming the file: {p.stderr!r}")
            c.check(not os.listdir(ro), f"read-only folder ({fmt}): nothing written")
            if full:
                out = os.path.join(full, f"a.{fmt}")
                p = tool(t, data, "export", "--format", fmt, "-o", out, check=False)
                c.check(p.returncode == 1 and "full" in p.stderr and out in p.stderr,
                        f"full drive ({fmt}): exit 1 and 'full': {p.stderr!r}")
                c.check(os.listdir(full) == ["filler"],
                        f"full drive ({fmt}): nothing left ({os.listdir(full)})")
    finally:
        for m in mounted:
            subprocess.run(["umount", m])
        os.chmod(ro, 0o700)
        shutil.rmtree(base, ignore_errors=True)


def staff(c, t, data, ev):
    # An 8-digit PIN, so that finding it by chance in ids, timestamps or the
    # hash's salt is out of the question (a 4-digit one was, now and then).
    pin = "73915286"
    p = tool(t, data, "staff", "set-pin", stdin=f"{pin}\n{pin}\n", check=False)
    c.check(p.returncode == 0, f"staff set-pin from stdin: {p.stderr}")
    c.check(pin not in p.stdout + p.stderr, "set-pin never prints the PIN")
    db = sqlite3.connect(os.path.join(data, "kiosk.db"))
    meta = " ".join(v for (v,) in db.execute("SELECT value FROM meta"))
    db.close()
    c.check("$argon2id$" in meta and pin not in meta,
            "only an Argon2id hash of the PIN is stored")
    p = tool(t, data, "staff", "set-pin", stdin="135790\n135791\n", check=False)
    c.check(p.returncode == 1 and "differ" in p.stderr, f"two different PINs: {p.stderr}")
    p = tool(t, data, "staff", "set-pin", stdin="12\n12\n", check=False)
    c.check(p.returncode == 1 and "6 to 8 digits" in p.stderr, f"a short PIN: {p.stderr}")
    p = tool(t, data, "staff", "status")
    c.check("staff PIN: set" in p.stdout, f"staff status: {p.stdout}")
    p = tool(t, data, "staff", "programs", "set", "youth organizing", "Lớp tiếng Anh")
    c.check(p.stdout == "youth organizing\nLớp tiếng Anh\n", f"programs set: {p.stdout!r}")
    db = sqlite3.connect(f"file:{os.path.join(data, 'kiosk.db')}?mode=ro", uri=True)
    pid = db.execute("SELECT id FROM people LIMIT 1").fetchone()[0]
    db.close()
    token = tool(t, data, "qr", pid).stdout.strip()
    c.check(tool(t, data, "lookup", token.lower()).stdout.strip() == pid, "a QR token finds its person")
    p = tool(t, data, "staff", "revoke-qr", pid)
    c.check("revoked 1" in p.stdout, f"revoke-qr: {p.stdout}")
    p = tool(t, data, "lookup", token, check=False)
    c.check(p.returncode == 1 and p.stdout.strip() == "revoked", "a revoked code checks nobody in")


def synced(c, kiosk, hub, data, work):
    """The new records travel in a bundle and the hub stores every one."""
    out = os.path.join(work, "bundle")
    os.mkdir(out)
    p = subprocess.run([kiosk, "--data", data, "sync", "export", out], capture_output=True,
                       text=True, env=TENV, timeout=120)
    c.check(p.returncode == 0, f"kiosk sync export: {p.stderr}")
    store = os.path.join(work, "hub.db")
    # a hub imports only bundles of kiosks paired with it (issue 9): offline pairing
    p = subprocess.run([kiosk, "--data", data, "sync", "key"], capture_output=True, text=True, env=TENV)
    add = p.stdout.split()
    subprocess.run([hub] + add[1:3] + ["export-check"] + add[4:] + ["--store", store], check=True,
                   capture_output=True)
    for b in os.listdir(out):
        p = subprocess.run([hub, "import", os.path.join(out, b), "--store", store],
                           capture_output=True, text=True, timeout=120)
        c.check(p.returncode == 0, f"kiosk-hub import: {p.stderr}")
    kdb = sqlite3.connect(f"file:{os.path.join(data, 'kiosk.db')}?mode=ro", uri=True)
    hdb = sqlite3.connect(store)
    for table in ("answers", "qr_tokens", "qr_revocations", "events"):
        n = kdb.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        m = hdb.execute("SELECT count(*) FROM records WHERE tbl = ?", (table,)).fetchone()[0]
        c.check(n == m and n > 0, f"sync: {table}: {m} of {n} records on the hub")
    fields = [f for (f,) in hdb.execute("SELECT fields FROM records WHERE tbl = 'events'")]
    c.check(any('"link":"https://chat.example.org/j/AbC"' in f and '"survey":"pw"' in f
                for f in fields), f"sync: an event's survey and link travel ({fields})")
    kdb.close()
    hdb.close()


def main():
    kiosk, t = sys.argv[1], sys.argv[2]
    hub = sys.argv[3] if len(sys.argv) > 3 else None
    c = Checker()
    data = fresh_dir("kiosk-export-")
    work = fresh_dir("kiosk-export-out-")
    ev, ev2 = build(kiosk, t, data)
    survey = os.path.join(work, "pw.csv")
    with open(survey, "w", encoding="utf-8") as f:
        f.write(SURVEY)
    types = {"grades": "multiple", "topic": "single", "interpret": "yesno", "comment": "text"}

    for label, args, scope in [("all", [], {}), ("one event", ["--event", ev], {"scope_event": ev}),
                               ("since", ["--since", "2031-01-01"], {"since": "2031-01-01"})]:
        head, rows, _ = expected(data, **scope)
        out = os.path.join(work, "a.csv")
        tool(t, data, "export", *args, "--format", "csv", "-o", out)
        check_csv(c, out, head, rows, f"csv {label}")
        out = os.path.join(work, "a.xlsx")
        tool(t, data, "export", *args, "-o", out)       # format from the extension
        check_xlsx(c, out, head, rows, f"xlsx {label}", None)
        print(f"{label}: {len(rows)} check-ins, {len(head)} columns")

    # with the survey file: its question order and types
    head, rows, _ = expected(data)
    order = ["pw.grades", "pw.topic", "pw.interpret", "pw.comment"]
    idx = [head.index(h) for h in FIXED] + [head.index(h) for h in order if h in head]
    head2 = [head[i] for i in idx]
    rows2 = [[r[i] for i in idx] for r in rows]
    out = os.path.join(work, "s.xlsx")
    tool(t, data, "export", "--survey", survey, "-o", out)
    check_xlsx(c, out, head2, rows2, "xlsx with survey", types)
    out = os.path.join(work, "s.csv")
    tool(t, data, "export", "--survey", survey, "-o", out)
    check_csv(c, out, head2, rows2, "csv with survey")

    # standard output
    p = tool(t, data, "export", "--event", ev, "-o", "-")
    c.check(p.stdout.startswith("\ufeffchecked_in,") and p.stdout.count("\n") >= 50,
            "export -o - writes the CSV to standard output")

    # the kiosk binary's own command, when it has it
    p = subprocess.run([kiosk, "--data", data, "export", "--format", "csv", "-o",
                        os.path.join(work, "k.csv")], capture_output=True, text=True, env=TENV)
    if "unknown command" in p.stderr:
        print("kiosk export: not in this kiosk build yet; checked through export-tool")
    else:
        c.check(p.returncode == 0, f"kiosk export: {p.stderr}")
        head, rows, _ = expected(data)
        check_csv(c, os.path.join(work, "k.csv"), head, rows, "kiosk export csv")

    failures(c, t, data, ev)
    staff(c, t, data, ev)
    if hub:
        synced(c, kiosk, hub, data, work)
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
