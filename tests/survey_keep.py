#!/usr/bin/env python3
"""A survey file broken by an edit is never used: the kiosk keeps serving
the last good version and the staff screen says why.

    survey_keep.py KIOSK ASSETS_SURVEYS
"""
import os
import shutil
import subprocess
import sys

from kiosktest import Checker, fresh_dir, run


def main():
    kiosk, assets = sys.argv[1], sys.argv[2]
    c = Checker()
    data, surveys = fresh_dir(), fresh_dir("kiosk-surveys-")
    for name in os.listdir(assets):
        if name.endswith(".csv"):
            shutil.copy(os.path.join(assets, name), surveys)
    run(kiosk, "--data", data, "event", "add", "Bootcamp Day 2", "--program", "summer bootcamp",
        "--survey", "youth-bootcamp-daily")
    subprocess.run([kiosk, "--data", data, "staff", "set-pin"], input="246813\n246813\n",
                   text=True, capture_output=True, check=True)
    # First start: every file passes and is kept as the last good version.
    run(kiosk, "--data", data, "--surveys", surveys, script="expect screen welcome\n")
    # Staff edit the file and break it: a question type that does not exist.
    path = os.path.join(surveys, "youth-bootcamp-daily.csv")
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("question,feeling,scale", "question,feeling,smileys"))
    p = run(kiosk, "--data", data, "--surveys", surveys, check=False,
            script="tap btn-new\ntype Ana\ntap btn-submit\nexpect screen survey\n"
                   "expect text How are you feeling today?\n"
                   "tap choice-3\ntap btn-next\n"
                   "key Escape\nhold staff-corner 3000\n"
                   "tap pin-2\ntap pin-4\ntap pin-6\ntap pin-8\ntap pin-1\ntap pin-3\ntap pin-ok\n"
                   "expect screen staff\nexpect text Survey problem\n")
    c.check(p.returncode == 0, f"the last good survey is served and staff see why: {p.stderr}")
    c.check("youth-bootcamp-daily.csv" in p.stderr and "smileys" in p.stderr,
            f"the log names the file and the problem: {p.stderr!r}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
