#!/usr/bin/env python3
"""Issue 9, the kiosk half, from the outside: the real `kiosk` binary
attacked as a careless operator or an attacker would.

    kiosk_security.py KIOSK GROUP

GROUP is one of:
  cli      mistakes at the command line are refused, not stored (item 15):
           numeric options parsed strictly, `event add --survey KEY` with an
           unknown key refused with the known keys
  pin      `kiosk staff set-pin` refuses a PIN under 6 digits and says why
           (item 13)
"""
import os
import sqlite3
import subprocess
import sys

from kiosktest import ENV, Checker, fresh_dir, run


def run_in(kiosk, *args, stdin=""):
    """Runs the kiosk with stdin as its standard input."""
    return subprocess.run([kiosk, *args], input=stdin, capture_output=True, text=True, env=ENV,
                          timeout=300)


def events(data):
    con = sqlite3.connect(f"file:{os.path.join(data, 'kiosk.db')}?mode=ro", uri=True)
    try:
        return con.execute("SELECT name, survey FROM events ORDER BY name").fetchall()
    finally:
        con.close()


def cli(kiosk, c):
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Before", "--program", "general")
    # Every numeric option: trailing junk, blanks, exponents, signs, overflow.
    bad = {
        "--idle": ["4x", "", " 45", "45 ", "1e2", "+45", "0x10", "-5", "4", "3601",
                   "99999999999999999999"],
        "--sync-every": ["60s", "9", "1.5", ""],
        "--dpi": ["96dpi", "1e2", "nan", "inf", "", "29", "1.2.3"],
        "--size": ["800x480x", "800x", "x480", "800*480", " 800x480", "800x480 ", "100x100",
                   "99999999999x480"],
        "--limit-pages": ["10k", "0", "-1", ""],
    }
    for opt, values in bad.items():
        for v in values:
            p = run(kiosk, "--data", data, opt, v, "event", "list", check=False)
            c.check(p.returncode == 2, f"{opt} {v!r} is refused (exit {p.returncode})")
            c.check(opt in p.stderr and f"'{v}'" in p.stderr,
                    f"{opt} {v!r}: the message names the option and the value: {p.stderr!r}")
            c.check(p.stdout == "", f"{opt} {v!r}: the command did not run")
    for opt, v in (("--idle", "45"), ("--sync-every", "60"), ("--dpi", "96.5"),
                   ("--size", "800x480"), ("--limit-pages", "100000")):
        p = run(kiosk, "--data", data, opt, v, "event", "list", check=False)
        c.check(p.returncode == 0 and "Before" in p.stdout, f"{opt} {v} is accepted: {p.stderr}")

    # An unknown survey key: refused, the known keys listed, nothing stored.
    p = run(kiosk, "--data", data, "event", "add", "Parent Night", "--program", "general",
            "--survey", "parent-workshp", check=False)
    c.check(p.returncode == 2, f"an unknown survey key is refused (exit {p.returncode})")
    c.check("parent-workshp" in p.stderr, f"the message names the key: {p.stderr!r}")
    c.check("parent-workshop" in p.stderr and "general-interest" in p.stderr,
            f"the message lists the known keys: {p.stderr!r}")
    c.check(events(data) == [("Before", "")], f"nothing was stored: {events(data)}")
    # The same with a survey folder of the operator's own.
    p = run(kiosk, "--data", data, "--surveys", fresh_dir(), "event", "add", "X",
            "--program", "general", "--survey", "general-interest", check=False)
    c.check(p.returncode == 2 and "no surveys" in p.stderr,
            f"an empty survey folder is said so: {p.stderr!r}")
    c.check(events(data) == [("Before", "")], "still nothing stored")
    p = run(kiosk, "--data", data, "event", "add", "Parent Night", "--program", "general",
            "--survey", "parent-workshop", check=False)
    c.check(p.returncode == 0, f"a known survey key is accepted: {p.stderr}")
    c.check(("Parent Night", "parent-workshop") in events(data), "and stored with its survey")


def pin(kiosk, c):
    data = fresh_dir()
    for short in ("2468", "24680"):
        p = run_in(kiosk, "--data", data, "staff", "set-pin", stdin=f"{short}\n{short}\n")
        c.check(p.returncode == 1, f"a {len(short)}-digit PIN is refused (exit {p.returncode})")
        c.check("6 to 8 digits" in p.stderr, f"it says how long: {p.stderr!r}")
        c.check("copy of the kiosk's data" in p.stderr, f"and why: {p.stderr!r}")
        c.check(short not in p.stderr.replace("digit", ""), "the PIN is not echoed")
    p = run(kiosk, "--data", data, "staff", "status")
    c.check("not set" in p.stdout, "no PIN was stored")
    p = run_in(kiosk, "--data", data, "staff", "set-pin", stdin="246813\n246813\n")
    c.check(p.returncode == 0, f"a 6-digit PIN is set: {p.stderr}")
    p = run(kiosk, "--data", data, "staff", "status")
    c.check("staff PIN: set" in p.stdout, "and stored")


GROUPS = {"cli": cli, "pin": pin}


def main():
    kiosk, group = sys.argv[1], sys.argv[2]
    c = Checker()
    GROUPS[group](kiosk, c)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
