#!/usr/bin/python3
"""The review workbook round trip (issue 17): kiosk i18n sheet writes it,
openpyxl and LibreOffice read it back, kiosk i18n apply writes corrections
and refuses bad ones, leaving every file as it was.

Works on copies of assets/po and assets/surveys in a temporary folder.
Usage: i18n_review.py KIOSK SOURCE_DIR
"""
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

import openpyxl

KIOSK, SRC = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def snapshot(d):
    out = {}
    for p in sorted(glob.glob(os.path.join(d, "**", "*"), recursive=True)):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                out[os.path.relpath(p, d)] = f.read()
    return out


def kiosk(*args):
    return subprocess.run([KIOSK, "i18n"] + list(args), capture_output=True, text=True)


tmp = tempfile.mkdtemp(prefix="i18n-review-")
try:
    po, surveys = os.path.join(tmp, "po"), os.path.join(tmp, "surveys")
    shutil.copytree(os.path.join(SRC, "assets", "po"), po)
    shutil.copytree(os.path.join(SRC, "assets", "surveys"), surveys)
    dirs = ["--po", po, "--surveys", surveys]
    # A stale message: the English changed since it was translated (msgmerge
    # marks it fuzzy).
    km = os.path.join(po, "km.po")
    text = open(km, encoding="utf-8").read()
    text = text.replace('msgid "Sign up"\n', '#, fuzzy\nmsgid "Sign up"\n', 1)
    open(km, "w", encoding="utf-8").write(text)
    r = kiosk("check", *dirs)
    check(re.search(r"km .*: 0 reviewed, \d+ machine-drafted, 1 stale", r.stdout) is not None,
          "check counts the stale message: " + (re.findall(r".*km .*stale.*", r.stdout) or ["?"])[0])

    book = os.path.join(tmp, "review.xlsx")
    r = kiosk("sheet", "--lang", "km", "-o", book, *dirs)
    check(r.returncode == 0, "kiosk i18n sheet --lang km exits 0 " + r.stderr[-300:])

    # ---- read back with openpyxl -------------------------------------------------
    wb = openpyxl.load_workbook(book)
    check(wb.sheetnames == ["km", "km pictures"], "sheets: %s" % wb.sheetnames)
    ws = wb["km"]
    check(ws.freeze_panes == "B5", "rows 1-4 and column A frozen (%s)" % ws.freeze_panes)
    heads = [ws.cell(4, c).value for c in range(1, 10)]
    check(heads[1] == "English" and heads[2] == "Current translation" and heads[3].startswith(
        "Your correction"), "column heads: %s" % heads[:4])
    check(ws.column_dimensions["J"].hidden and ws.column_dimensions["K"].hidden, "id columns hidden")
    check(ws.cell(5, 2).alignment.wrap_text, "cells wrap")
    check((ws.column_dimensions["B"].width or 0) >= 30, "English column sized for reading")
    rows = {}
    for row in range(5, ws.max_row + 1):
        rows.setdefault(ws.cell(row, 2).value, row)
    thanks = rows.get("Thank you, {name}!")
    check(thanks and "done" in ws.cell(thanks, 8).value, "Thank you appears on the done screen")
    check(thanks and "px wide" in ws.cell(thanks, 9).value, "its widest place is measured")
    signup = rows.get("Sign up")
    check(signup and ws.cell(signup, 7).value.startswith("stale"), "stale message shown as stale")
    survey_rows = [r for r in range(5, ws.max_row + 1)
                   if (ws.cell(r, 1).value or "").startswith("survey general-interest.csv")]
    check(len(survey_rows) > 10, "survey labels listed (%d of general-interest)" % len(survey_rows))
    with zipfile.ZipFile(book) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
    check(len(media) >= 20, "screenshots embedded (%d pictures)" % len(media))
    km_phone = ws.cell(rows["Check the phone number"], 3).value

    # ---- read back with LibreOffice (CSV of the first sheet) -------------------------
    out = os.path.join(tmp, "lo")
    lo = subprocess.run(["soffice", "-env:UserInstallation=file://" + os.path.join(tmp, "lo-profile"),
                         "--headless", "--convert-to",
                         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1",
                         "--outdir", out, book], capture_output=True, text=True, timeout=240)
    csvs = glob.glob(os.path.join(out, "*.csv"))
    check(lo.returncode == 0 and csvs, "LibreOffice converts the workbook " + lo.stderr[-200:])
    if csvs:
        with open(csvs[0], encoding="utf-8") as f:
            lrows = list(csv.reader(f))
        check(lrows[3][1] == "English", "LibreOffice: column heads on row 4")
        found = [r for r in lrows if len(r) > 2 and r[1] == "Check the phone number"]
        check(found and found[0][2] == km_phone, "LibreOffice: the Khmer text comes back intact")

    # ---- round trips ----------------------------------------------------------------
    def fill(edits, name="Sokha Chan"):
        wb = openpyxl.load_workbook(book)
        ws = wb["km"]
        ws["B2"] = name
        for cell, value in edits.items():
            ws[cell] = value
        path = os.path.join(tmp, "filled.xlsx")
        wb.save(path)
        return path

    def refused(edits, want, what):
        before = snapshot(tmp + "/po"), snapshot(surveys)
        r = kiosk("apply", fill(edits), *dirs)
        check(r.returncode == 1 and want in r.stderr and "nothing was written" in r.stderr,
              what + ": " + r.stderr.strip().splitlines()[0] if r.stderr.strip() else what)
        check((snapshot(tmp + "/po"), snapshot(surveys)) == before, what + ": no file changed")

    phone = rows["Check the phone number"]
    refused({"D%d" % thanks: "អរគុណ {nmae}!"}, "km!D%d: placeholder missing {name}" % thanks,
            "broken placeholder refused with sheet and cell")
    welcome = rows["I've been here before"]
    refused({"D%d" % welcome: "ខ្ញុំធ្លាប់មកទីនេះពីមុនរួចហើយ ហើយខ្ញុំចង់ស្វែងរកឈ្មោះរបស់ខ្ញុំនៅក្នុងបញ្ជីឈ្មោះដែលមានស្រាប់ទាំងអស់"},
            "km!D%d: does not fit at 800x480" % welcome, "too-long Khmer sentence refused")
    refused({"D%d" % phone: "សូមពិនិត្យ \U00010380"}, "is drawn by no font",
            "a character no font draws refused")
    plural = next(r for r in range(5, ws.max_row + 1) if "plural form" in (ws.cell(r, 1).value or ""))
    pid = ws.cell(plural, 10).value.replace('["po",0,', '["po",1,', 1)
    refused({"D%d" % plural: ws.cell(plural, 3).value, "J%d" % plural: pid}, "breaks plural forms",
            "a second plural form in a one-form language refused")
    refused({"D%d" % phone: "សូមពិនិត្យលេខទូរស័ព្ទម្ដងទៀត", "D%d" % thanks: "អរគុណ!"},
            "km!D%d" % thanks, "one bad correction stops the good one too")

    # Someone changed the catalog after the sheet was made: the reviewer's
    # correction must not silently overwrite it.
    saved = open(km, encoding="utf-8").read()
    open(km, "w", encoding="utf-8").write(saved.replace('msgstr "%s"' % km_phone,
                                                        'msgstr "%s!"' % km_phone, 1))
    refused({"D%d" % phone: "សូមពិនិត្យលេខទូរស័ព្ទម្ដងទៀត"}, "km!D%d: the translation changed" % phone,
            "a translation changed since the sheet was made is not overwritten")
    open(km, "w", encoding="utf-8").write(saved)

    good = {"D%d" % phone: "សូមពិនិត្យលេខទូរស័ព្ទម្ដងទៀត", "E%d" % phone: "more natural",
            "F%d" % signup: "x", "F%d" % survey_rows[1]: "x"}
    r = kiosk("apply", fill(good), *dirs)
    check(r.returncode == 0, "correction applied: " + (r.stdout + r.stderr).strip())
    text = open(km, encoding="utf-8").read()
    check('# reviewed by Sokha Chan, ' in text and 'msgstr "សូមពិនិត្យលេខទូរស័ព្ទម្ដងទៀត"' in text,
          "correction written with the reviewer's name")
    check('#, fuzzy\nmsgid "Sign up"' not in text and re.search(
        r'# reviewed by Sokha Chan, [0-9-]+\n(#[:.|].*\n)*msgid "Sign up"\n', text) is not None,
        "stale message approved: no longer fuzzy, marked reviewed")
    m = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", km], capture_output=True, text=True)
    check(m.returncode == 0, "msgfmt --check accepts the catalog " + m.stderr)
    r = kiosk("check", *dirs)
    check(re.search(r"km .*: 2 reviewed, \d+ machine-drafted, 0 stale \(partly reviewed", r.stdout)
          is not None, "check counts 2 reviewed, 0 stale")
    check(re.search(r"km +1 reviewed, \d+ machine-drafted, 0 stale", r.stdout) is not None,
          "survey label counted reviewed")
    after = snapshot(tmp + "/po"), snapshot(surveys)
    r = kiosk("apply", os.path.join(tmp, "filled.xlsx"), *dirs)
    check(r.returncode == 0 and (snapshot(tmp + "/po"), snapshot(surveys)) == after,
          "applying the same workbook twice changes nothing")

    # A survey label's English changes after review: stale.
    gi = os.path.join(surveys, "general-interest.csv")
    t = open(gi, encoding="utf-8").read()
    first_en = ws.cell(survey_rows[1], 2).value
    open(gi, "w", encoding="utf-8").write(t.replace(first_en, first_en + " today", 1))
    r = kiosk("check", *dirs)
    check(re.search(r"km +0 reviewed, \d+ machine-drafted, 1 stale", r.stdout) is not None,
          "survey label stale once its English changed")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
