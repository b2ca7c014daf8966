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
  missing  an emptied, deleted or swapped kiosk.db is never silently replaced
           by a new store; `kiosk store recover --from FILE | --new` are the
           ways on, and nothing is deleted (item 10)
  damaged  random byte flips in a copy of a store: whenever SQLite's
           quick_check finds the copy damaged, the kiosk refuses it before
           writing (the file stays byte for byte the same) with a message
           naming it, also when the flip kept the file's modification time;
           `kiosk store check` finds everything integrity_check finds (item 11)
  modes    under umask 0 the data folder is 0700 and kiosk.db, the marker and
           attendance files 0600 (item 12)
"""
import hashlib
import os
import random
import shutil
import sqlite3
import stat
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


ERROR_SCREEN = "expect screen error\nexpect text Please see a staff member\n"
SIGNUP = "tap btn-new\ntype Mai\ntap btn-submit\nexpect screen done\n"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def device_id(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    finally:
        con.close()


def refused(kiosk, c, data, label, words):
    """The store in data is refused by a command and by the kiosk itself;
    returns the command's message."""
    db = os.path.join(data, "kiosk.db")
    before = sha(db) if os.path.exists(db) else None
    p = run(kiosk, "--data", data, "event", "add", "After", "--program", "general",
            check=False)
    c.check(p.returncode == 2, f"{label}: event add exits 2 (got {p.returncode})")
    for w in words:
        c.check(w in p.stderr, f"{label}: the message says {w!r}: {p.stderr!r}")
    p2 = run(kiosk, "--data", data, script=ERROR_SCREEN, check=False)
    c.check(p2.returncode == 0, f"{label}: the kiosk shows the error screen: {p2.stderr}")
    c.check(db in p2.stderr, f"{label}: the kiosk's log names the file: {p2.stderr!r}")
    after = sha(db) if os.path.exists(db) else None
    c.check(after == before, f"{label}: kiosk.db was changed or created")
    return p.stderr


def missing(kiosk, c):
    data = fresh_dir()
    db = os.path.join(data, "kiosk.db")
    run(kiosk, "--data", data, "event", "add", "Kept event", "--program", "general")
    marker = os.path.join(data, "device")
    c.check(os.path.exists(marker), "the first start writes the device marker")
    dev = device_id(db)
    with open(marker) as f:
        c.check(f.read().strip() == dev, "the marker holds the store's device id")
    backup = os.path.join(fresh_dir(), "backup.db")
    shutil.copy(db, backup)

    # ": > kiosk.db" and "rm kiosk.db": stopped, with the path and the way on
    open(db, "w").close()
    msg = refused(kiosk, c, data, "emptied", [db, "empty", "kiosk store recover"])
    c.check(os.path.getsize(db) == 0, "the emptied file stays empty")
    os.remove(db)
    refused(kiosk, c, data, "deleted", [db, "missing", "kiosk store recover"])
    c.check(not os.path.exists(db), "no new kiosk.db was made")
    p = run(kiosk, "--data", data, "store", "check", check=False)
    c.check(p.returncode != 0, "store check of a missing store fails")

    # another kiosk's store copied in: refused too
    other = fresh_dir()
    run(kiosk, "--data", other, "event", "add", "Other", "--program", "general")
    shutil.copy(os.path.join(other, "kiosk.db"), db)
    refused(kiosk, c, data, "another kiosk's store", [db, "recover"])
    os.remove(db)

    # recover --from: a copy of another kiosk is refused, a damaged one too
    p = run(kiosk, "--data", data, "store", "recover", "--from",
            os.path.join(other, "kiosk.db"), check=False)
    c.check(p.returncode == 2 and "nothing was changed" in p.stderr,
            f"recover from another kiosk's store is refused: {p.stderr!r}")
    c.check(not os.path.exists(db), "and nothing was made")
    # recover --from the backup: the kiosk is back with its id and its event
    p = run(kiosk, "--data", data, "store", "recover", "--from", backup, check=False)
    c.check(p.returncode == 0, f"recover from this kiosk's backup works: {p.stderr}")
    p = run(kiosk, "--data", data, "event", "list", check=False)
    c.check(p.returncode == 0 and "Kept event" in p.stdout, f"the event is back: {p.stdout}")
    c.check(device_id(db) == dev, "with the same device id")
    c.check(stat.S_IMODE(os.stat(db).st_mode) == 0o600, "the restored file is private")
    run(kiosk, "--data", data, script=SIGNUP)

    # recover --new: the old store set aside (not deleted), a new device id
    open(db, "w").close()
    p = run(kiosk, "--data", data, "store", "recover", "--new", check=False)
    c.check(p.returncode == 0 and "pair" in p.stdout, f"recover --new: {p.stdout} {p.stderr}")
    kept = [n for n in os.listdir(data) if n.startswith("kiosk.db.replaced-")]
    c.check(len(kept) >= 1, f"the old file was kept: {os.listdir(data)}")
    c.check(any(n.startswith("device.replaced-") for n in os.listdir(data)),
            "the old marker was kept")
    run(kiosk, "--data", data, script=SIGNUP)
    c.check(device_id(db) != dev, "the new store has a new device id")

    # a folder of an older kiosk (no marker) opens and gets its marker
    old = fresh_dir()
    run(kiosk, "--data", old, "event", "add", "Old", "--program", "general")
    os.remove(os.path.join(old, "device"))
    p = run(kiosk, "--data", old, "event", "list", check=False)
    c.check(p.returncode == 0 and "Old" in p.stdout, "an older kiosk's folder opens")
    c.check(os.path.exists(os.path.join(old, "device")), "and gets its marker")
    p = run(kiosk, "store", check=False)
    c.check(p.returncode == 2 and "recover --from FILE" in p.stderr, "kiosk store shows usage")


def quick_check(path):
    """SQLite's quick_check of a file, read without touching it."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check")]
        return rows == ["ok"]
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def integrity_ok(path):
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")] == ["ok"]
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def damaged(kiosk, c):
    rng = random.Random(9)
    seed = fresh_dir()
    # a store with the demo's 200 people, closed cleanly by the kiosk
    run(kiosk, "--data", seed, "--demo", script=SIGNUP)
    db = os.path.join(seed, "kiosk.db")
    c.check(os.path.exists(db + ".clean"), "a clean close is recorded")
    size = os.path.getsize(db)
    pages = size // 4096
    found = unnoticed = 0
    trials = 40
    for t in range(trials):
        data = fresh_dir()
        for name in os.listdir(seed):
            if not os.path.isdir(os.path.join(seed, name)):
                shutil.copy2(os.path.join(seed, name), data)
        path = os.path.join(data, "kiosk.db")
        st = os.stat(path)
        with open(path, "r+b") as f:
            for _ in range(rng.randint(1, 6)):
                if t % 2:           # anywhere in the file
                    off = rng.randrange(size)
                else:               # a b-tree page's header or cell pointers
                    off = rng.randrange(1, pages) * 4096 + rng.randrange(12)
                f.seek(off)
                b = f.read(1)[0]
                f.seek(off)
                f.write(bytes([b ^ (1 << rng.randrange(8))]))
        if t % 4 == 1:              # the flip kept the modification time
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        bad = not quick_check(path)
        label = f"flip {t}"
        if bad:
            found += 1
            before = sha(path)
            if t % 5 == 0:
                refused(kiosk, c, data, label, [path, "damaged", "kiosk store recover"])
            else:
                p = run(kiosk, "--data", data, "event", "add", "After", "--program",
                        "general", check=False)
                c.check(p.returncode == 2, f"{label}: a damaged store is refused")
                c.check(path in p.stderr and "damaged" in p.stderr,
                        f"{label}: the message names the file: {p.stderr!r}")
            c.check(sha(path) == before, f"{label}: the damaged file was written to")
        else:
            unnoticed += 1
        if not integrity_ok(path):
            p = run(kiosk, "--data", data, "store", "check", check=False)
            c.check(p.returncode == 1 and "damaged" in p.stderr,
                    f"{label}: store check finds what integrity_check finds: {p.stderr!r}")
        shutil.rmtree(data, ignore_errors=True)
    print(f"{trials} flipped copies: {found} damaged (all refused), {unnoticed} with only "
          f"content or free space changed")
    c.check(found >= trials // 3, f"the test damaged too few copies to mean much ({found})")
    p = run(kiosk, "--data", seed, "store", "check", check=False)
    c.check(p.returncode == 0 and p.stdout.strip() == "ok", f"a sound store checks ok: {p.stdout}")


def modes(kiosk, c):
    data = os.path.join(fresh_dir(), "kiosk-data")
    out = fresh_dir()
    env = dict(ENV)

    def in_umask0(*args, script=None):
        cmd = [kiosk, *args] + (["--replay", "-"] if script is not None else [])
        return subprocess.run(cmd, input=script, capture_output=True, text=True, env=env,
                              timeout=300, preexec_fn=lambda: os.umask(0))
    p = in_umask0("--data", data, "--demo", script=SIGNUP)
    c.check(p.returncode == 0, f"the kiosk runs under umask 0: {p.stderr}")
    c.check(stat.S_IMODE(os.stat(data).st_mode) == 0o700, "the data folder is 0700")
    for name in ("kiosk.db", "device"):
        m = stat.S_IMODE(os.stat(os.path.join(data, name)).st_mode)
        c.check(m == 0o600, f"{name} is {oct(m)}")
    for fmt in ("csv", "xlsx"):
        f = os.path.join(out, f"a.{fmt}")
        p = in_umask0("--data", data, "export", "--event", "current", "--format", fmt, "-o", f)
        c.check(p.returncode == 0, f"export {fmt}: {p.stderr}")
        m = stat.S_IMODE(os.stat(f).st_mode)
        c.check(m == 0o600, f"the {fmt} attendance file is {oct(m)}")
    good = os.path.join(data, "surveys-good")
    if os.path.isdir(good):
        c.check(stat.S_IMODE(os.stat(good).st_mode) == 0o700, "surveys-good is 0700")


GROUPS = {"cli": cli, "pin": pin, "missing": missing, "damaged": damaged, "modes": modes}


def main():
    kiosk, group = sys.argv[1], sys.argv[2]
    c = Checker()
    GROUPS[group](kiosk, c)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
