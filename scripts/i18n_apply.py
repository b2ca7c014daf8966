#!/usr/bin/python3
"""Writes a reviewed workbook back into the catalogs and survey files.

Run by `kiosk i18n apply review.xlsx` (see kiosk/cli_i18n.c and
assets/po/README.md).  Why a script: the workbook comes back from
LibreOffice, Excel or Google Sheets, each writing XLSX its own way (shared
or inline strings, rich-text runs); Debian's python3-openpyxl reads them
all and is maintained, and python3-polib reads and writes PO files keeping
every comment, flag, reference and obsolete entry.  What only the kiosk
knows -- its placeholders, plural rules, fonts and the 800x480 layout -- is
asked of the kiosk itself through `kiosk i18n vet`, so the checks are the
kiosk's own code.

Steps:
  1. read every language sheet: the reviewer's name (B2), and per row the
     correction (D), note (E), "right as it is" (F), the hidden id (J) and
     the boxes the text must fit (K);
  2. ask `kiosk i18n vet` about every correction;
  3. if anything fails, print each problem as SHEET!CELL: reason and write
     nothing (exit 1); a translation changed in the files since the sheet
     was made is such a problem too, so no one's work is overwritten;
  4. else update the entries in memory, check each catalog with
     `msgfmt --check`, and replace the files (each written whole to a
     temporary file, then renamed).  A file whose content did not change is
     not touched, so applying the same workbook twice changes nothing.

A reviewed message gets the translator comment "# reviewed by NAME, DATE"
and loses its fuzzy flag; a reviewed survey label gets a line in
assets/po/survey-reviews.csv with the English it was reviewed against.
"""
import argparse
import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl
import polib

FIRST_ROW = 5
COL_FIX, COL_NOTE, COL_OK, COL_ID, COL_FIT = 4, 5, 6, 10, 11   # 1-based: D E F J K
MARK = "reviewed by "
NOTE = "review note: "
SURVEY_REVIEWS = "survey-reviews.csv"
SURVEY_HEAD = ["file", "row", "key", "choice", "lang", "english", "reviewer"]


def cell_name(row, col):
    return "%s%d" % (openpyxl.utils.get_column_letter(col), row)


def text_of(v):
    """A cell's value as text; numbers a reviewer typed become text too."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Review:
    """Everything read from the workbook, and the problems found."""

    def __init__(self):
        self.problems = []       # "vi!D12: reason"
        self.changes = []        # dicts, one per reviewed row


def read_workbook(path, po_dir, rv):
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        sys.exit("kiosk i18n apply: cannot read %s: %s" % (path, e))
    langs = 0
    for ws in wb.worksheets:
        lang = ws.title
        if not os.path.exists(os.path.join(po_dir, lang + ".po")):
            continue     # the pictures sheets, or a sheet someone added
        if text_of(ws.cell(4, COL_ID).value) != "id":
            rv.problems.append("%s!J4: this sheet is not laid out as the kiosk wrote it "
                               "(make a new one with kiosk i18n sheet)" % lang)
            continue
        langs += 1
        reviewer = " ".join(text_of(ws["B2"].value).split())
        for row in range(FIRST_ROW, ws.max_row + 1):
            rid = text_of(ws.cell(row, COL_ID).value)
            fix = text_of(ws.cell(row, COL_FIX).value).strip()
            note = " ".join(text_of(ws.cell(row, COL_NOTE).value).split())
            ok = text_of(ws.cell(row, COL_OK).value).strip()
            if not rid:
                if fix or ok:
                    rv.problems.append("%s!%s: this row has no id (rows must be the kiosk's "
                                       "own; do not add rows)" % (lang, cell_name(row, COL_FIX)))
                continue
            if not fix and not ok:
                continue
            try:
                key = json.loads(rid)
                assert isinstance(key, list) and key[0] in ("po", "survey")
            except (ValueError, AssertionError, IndexError):
                rv.problems.append("%s!%s: the row's id was changed; make a new sheet"
                                   % (lang, cell_name(row, COL_ID)))
                continue
            ref = "%s!%s" % (lang, cell_name(row, COL_FIX if fix else COL_OK))
            if not reviewer:
                rv.problems.append("%s!B2: write the reviewer's name (it is kept with each "
                                   "reviewed message)" % lang)
                reviewer = "?"   # report once per sheet
            if ok and ok.lower() not in ("x", "yes", "y", "ok", "\u2713", "\u2714", "1"):
                rv.problems.append("%s!%s: put x here if the translation is right (found %r)"
                                   % (lang, cell_name(row, COL_OK), ok))
                continue
            rv.changes.append({
                "ref": ref, "lang": lang, "key": key, "text": fix, "note": note,
                "english": text_of(ws.cell(row, 2).value), "current": text_of(ws.cell(row, 3).value),
                "fit": text_of(ws.cell(row, COL_FIT).value), "reviewer": reviewer})
    if langs == 0:
        rv.problems.append("%s: no language sheet of the kiosk's catalogs (%s)" % (path, po_dir))


def vet(kiosk, po_dir, surveys, rv):
    """Asks the kiosk about every correction."""
    lines = []
    for c in rv.changes:
        if not c["text"]:
            continue
        k = c["key"]
        if k[0] == "po":
            ctx = k[2]
            req = [c["ref"], c["lang"], "po", ctx or "", "1" if ctx is not None else "0", k[3],
                   str(k[1]), c["text"], c["fit"]]
        else:
            req = [c["ref"], c["lang"], "survey", "", "0", c["english"], "-1", c["text"], c["fit"]]
        lines.append("\t".join([req[0]] + [esc(x) for x in req[1:]]))
    if not lines:
        return
    p = subprocess.run([kiosk, "i18n", "vet", "--po", po_dir, "--surveys", surveys],
                       input="\n".join(lines) + "\n", capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("kiosk i18n apply: kiosk i18n vet failed: %s" % p.stderr.strip())
    for line in p.stdout.splitlines():
        ref, _, verdict = line.partition("\t")
        if verdict != "ok":
            rv.problems.append("%s: %s" % (ref, verdict))


def set_review_comments(entry, reviewer, today, note):
    lines = [l for l in (entry.tcomment or "").split("\n")
             if l and not l.startswith(MARK) and not l.startswith(NOTE)]
    lines.append("%s%s, %s" % (MARK, reviewer, today))
    if note:
        lines.append(NOTE + note)
    entry.tcomment = "\n".join(lines)


def reviewed_by(entry):
    for l in (entry.tcomment or "").split("\n"):
        if l.startswith(MARK):
            return l[len(MARK):].rsplit(", ", 1)[0]
    return None


def note_of(entry):
    for l in (entry.tcomment or "").split("\n"):
        if l.startswith(NOTE):
            return l[len(NOTE):]
    return ""


def apply_po(po_dir, changes, today, out, conflicts):
    """Updates the catalogs in memory (out: {path: new text}); a row whose
    translation changed in the catalog since the sheet was made goes to
    conflicts instead."""
    by_lang = {}
    for c in changes:
        if c["key"][0] == "po":
            by_lang.setdefault(c["lang"], []).append(c)
    for lang, cs in by_lang.items():
        path = os.path.join(po_dir, lang + ".po")
        po = polib.pofile(path, wrapwidth=0)
        changed = False
        for c in cs:
            _, form, ctx, msgid = c["key"]
            e = po.find(msgid, msgctxt=ctx) if ctx is not None else po.find(msgid)
            if e is None or e.obsolete or (ctx is None and e.msgctxt):
                raise SystemExit("%s: %s no longer has \"%s\"; make a new sheet"
                                 % (c["ref"], path, msgid[:60]))
            text = c["text"]
            now = e.msgstr_plural.get(form, "") if form >= 0 else e.msgstr
            if now != c["current"] and text != now:
                conflicts.append("%s: the translation changed in %s after this sheet was made "
                                 "(now \"%s\"); make a new sheet so no one's work is lost"
                                 % (c["ref"], os.path.basename(path), now[:80]))
                continue
            if not text:
                text = now
                if not text:
                    raise SystemExit("%s: nothing to approve: the translation is empty; write "
                                     "one in column D" % c["ref"])
            same = (text == now and "fuzzy" not in e.flags and reviewed_by(e) == c["reviewer"]
                    and note_of(e) == c["note"])
            if same:
                continue
            if form >= 0:
                e.msgstr_plural[form] = text
            else:
                e.msgstr = text
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
            e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
            set_review_comments(e, c["reviewer"], today, c["note"])
            changed = True
        if changed:
            total = sum(1 for e in po if not e.obsolete)
            done = sum(1 for e in po if not e.obsolete and "fuzzy" not in e.flags
                       and reviewed_by(e))
            names = sorted({c["reviewer"] for c in cs})
            status = ("reviewed by %s, %s" % (", ".join(names), today) if done == total else
                      "partly reviewed (%d of %d messages; last by %s, %s)"
                      % (done, total, ", ".join(names), today))
            po.metadata["X-Review-Status"] = status
            po.metadata["Last-Translator"] = ", ".join(names)
            po.metadata["PO-Revision-Date"] = datetime.datetime.now(
                datetime.timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
            out[path] = str(po) + ("\n" if not str(po).endswith("\n") else "")


def read_csv(path):
    with open(path, "rb") as f:
        raw = f.read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    crlf = "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""))), bom, crlf


def write_csv(rows, bom, crlf):
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def apply_surveys(po_dir, surveys, changes, today, out, conflicts):
    marks_path = os.path.join(po_dir, SURVEY_REVIEWS)
    if os.path.exists(marks_path):
        marks, mbom, mcrlf = read_csv(marks_path)
        marks = marks[1:]
    else:
        marks, mbom, mcrlf = [], False, False
    marks_before = [list(m) for m in marks]
    files = {}
    for c in changes:
        if c["key"][0] != "survey":
            continue
        _, name, rowkind, key, choice = c["key"]
        path = os.path.join(surveys, name)
        if path not in files:
            if not os.path.exists(path):
                raise SystemExit("%s: no survey file %s; make a new sheet" % (c["ref"], path))
            files[path] = read_csv(path)
        rows = files[path][0]
        head = rows[0]
        try:
            ci = {n: head.index(n) for n in ("row", "key", "en")}
            li = head.index(c["lang"])
        except ValueError:
            raise SystemExit("%s: %s has no %s column" % (c["ref"], path, c["lang"]))
        question, target = None, None
        for r in rows[1:]:
            if len(r) <= max(ci.values()):
                continue
            kind = r[ci["row"]]
            if kind == "question":
                question = r[ci["key"]]
            if kind == rowkind and ((kind == "choice" and question == key and r[ci["key"]] == choice)
                                    or (kind != "choice" and r[ci["key"]] == key)):
                target = r
        if target is None:
            raise SystemExit("%s: %s has no row %s %s%s; make a new sheet"
                             % (c["ref"], path, rowkind, key, "/" + choice if choice else ""))
        while len(target) <= li:
            target.append("")
        if target[li] != c["current"] and c["text"] != target[li]:
            conflicts.append("%s: the translation changed in %s after this sheet was made "
                             "(now \"%s\"); make a new sheet so no one's work is lost"
                             % (c["ref"], name, target[li][:80]))
            continue
        text = c["text"] or target[li]
        if not text:
            raise SystemExit("%s: nothing to approve: the translation is empty; write one in "
                             "column D" % c["ref"])
        target[li] = text
        english = target[ci["en"]]
        mark = [name, rowkind, key, choice or "", c["lang"], english, "%s, %s" % (c["reviewer"], today)]
        for i, m in enumerate(marks):
            if m[:5] == mark[:5]:
                if m[5] == english and m[6].rsplit(", ", 1)[0] == c["reviewer"]:
                    mark = m          # the same review again: keep its date
                marks[i] = mark
                break
        else:
            marks.append(mark)
    for path, (rows, bom, crlf) in files.items():
        with open(path, "rb") as f:
            old = f.read().decode("utf-8")
        new = write_csv(rows, bom, crlf)
        if new != old:
            out[path] = new
    if marks != marks_before:
        marks.sort()
        out[marks_path] = write_csv([SURVEY_HEAD] + marks, mbom, mcrlf)


def msgfmt_check(path, text):
    if not shutil.which("msgfmt"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".po", encoding="utf-8", delete=False) as t:
        t.write(text)
    try:
        p = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", t.name],
                           capture_output=True, text=True)
        return None if p.returncode == 0 else p.stderr.replace(t.name, path).strip()
    finally:
        os.unlink(t.name)


def main():
    ap = argparse.ArgumentParser(prog="kiosk i18n apply")
    ap.add_argument("workbook")
    ap.add_argument("--kiosk", required=True)
    ap.add_argument("--po-dir", required=True)
    ap.add_argument("--surveys", required=True)
    ap.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    a = ap.parse_args()
    rv = Review()
    read_workbook(a.workbook, a.po_dir, rv)
    vet(a.kiosk, a.po_dir, a.surveys, rv)
    if rv.problems:
        for p in rv.problems:
            print(p, file=sys.stderr)
        print("kiosk i18n apply: %d problem%s; nothing was written"
              % (len(rv.problems), "" if len(rv.problems) == 1 else "s"), file=sys.stderr)
        return 1
    for c in rv.changes:
        if c["text"] and not c["fit"]:
            print("%s: note: not seen in the screen tours, so its fit at 800x480 was not "
                  "checked" % c["ref"], file=sys.stderr)
    today = datetime.date.today().isoformat()
    out, conflicts = {}, []
    apply_po(a.po_dir, rv.changes, today, out, conflicts)
    apply_surveys(a.po_dir, a.surveys, rv.changes, today, out, conflicts)
    if conflicts:
        for p in conflicts:
            print(p, file=sys.stderr)
        print("kiosk i18n apply: %d problem%s; nothing was written"
              % (len(conflicts), "" if len(conflicts) == 1 else "s"), file=sys.stderr)
        return 1
    for path, text in out.items():
        if path.endswith(".po"):
            why = msgfmt_check(path, text)
            if why:
                print("kiosk i18n apply: msgfmt --check refuses the result; nothing was "
                      "written:\n" + why, file=sys.stderr)
                return 1
    if a.dry_run:
        print("%d row%s reviewed, %d file%s would change (dry run: nothing written)"
              % (len(rv.changes), "" if len(rv.changes) == 1 else "s", len(out),
                 "" if len(out) == 1 else "s"))
        return 0
    temps = []
    try:
        for path, text in out.items():
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".apply-")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if os.path.exists(path):
                shutil.copymode(path, tmp)
            temps.append((tmp, path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    print("%d row%s reviewed; %s" % (len(rv.changes), "" if len(rv.changes) == 1 else "s",
                                     ", ".join(sorted(out)) if out else "nothing changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
