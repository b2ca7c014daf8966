#!/usr/bin/env python3
"""Bad input gets a clear message and nothing stored is lost: an unwritable
data folder, a database from a newer kiosk, a corrupt database file (never
changed), and a full disk during sign-ups (tmpfs when we may mount one, and
always through --limit-pages).

    faults.py KIOSK
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

from kiosktest import Checker, checked_in, fresh_dir, integrity, run, signup_block, stored_people

ERROR_SCREEN = "expect screen error\nexpect text Please see a staff member\n"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def unwritable_folder(kiosk, c):
    base = fresh_dir()
    blocker = os.path.join(base, "not-a-folder")
    open(blocker, "w").close()
    data = os.path.join(blocker, "kiosk")
    p = run(kiosk, "--data", data, "event", "list", check=False)
    c.check(p.returncode == 2, "event list on an unusable folder exits 2")
    c.check(data in p.stderr, f"the message names the folder: {p.stderr!r}")
    p = run(kiosk, "--data", data, script=ERROR_SCREEN, check=False)
    c.check(p.returncode == 0, f"the kiosk shows the error screen: {p.stderr}")
    c.check(data in p.stderr, "the kiosk prints the reason")
    if os.geteuid() != 0:
        ro = os.path.join(base, "read-only")
        os.mkdir(ro, 0o500)
        p = run(kiosk, "--data", ro, "event", "list", check=False)
        c.check(p.returncode == 2 and ro in p.stderr, "a read-only folder is named")


def refused_file(kiosk, c, label, spoil):
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Kept event", "--program", "general")
    db = os.path.join(data, "kiosk.db")
    spoil(db)
    before = sha(db)
    p = run(kiosk, "--data", data, "event", "list", check=False)
    c.check(p.returncode == 2, f"{label}: event list exits 2")
    c.check("kiosk.db" in p.stderr, f"{label}: the message names the file: {p.stderr!r}")
    p = run(kiosk, "--data", data, script=ERROR_SCREEN, check=False)
    c.check(p.returncode == 0, f"{label}: the kiosk shows the error screen: {p.stderr}")
    c.check(sha(db) == before, f"{label}: the file was changed")
    c.check(os.path.exists(db), f"{label}: the file is gone")
    return p.stderr


def newer_schema(db):
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()


def corrupt(db):
    with open(db, "r+b") as f:
        f.seek(0)
        f.write(os.urandom(4096))


def full_disk(kiosk, c, data, extra, label):
    run(kiosk, "--data", data, "event", "add", "Full disk night", "--program", "general")
    script = "".join(signup_block(f"Fill{i} " + "x" * 50) for i in range(60))
    script += "expect screen form\nexpect text could not be saved\n"
    p = subprocess.run([kiosk, "--replay", "-", "--data", data, "--trace", *extra],
                       input=script, capture_output=True, text=True,
                       env=dict(os.environ, SDL_VIDEODRIVER="dummy"), timeout=300)
    c.check(p.returncode == 0, f"{label}: the person is told to see staff: {p.stderr[-2000:]}")
    done = [l.split()[1] for l in p.stdout.splitlines() if l.startswith("done ")]
    people = stored_people(data)
    c.check(all(d in people for d in done), f"{label}: a sign-in that reached done is missing")
    c.check(len(people) == len(done), f"{label}: {len(people)} stored but {len(done)} reached done")
    c.check(set(people) <= checked_in(data), f"{label}: a person without a check-in")
    c.check(integrity(data) == "ok", f"{label}: integrity_check not ok")
    print(f"{label}: {len(done)} sign-ins stored before the disk was full")
    return len(done)


def full_tmpfs(kiosk, c):
    if os.geteuid() != 0:
        print("full disk on tmpfs: needs root to mount; covered by --limit-pages")
        return
    mnt = fresh_dir("kiosk-full-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", mnt]).returncode != 0:
        print("full disk on tmpfs: mount refused here; covered by --limit-pages")
        return
    try:
        data = os.path.join(mnt, "data")
        os.mkdir(data)
        run(kiosk, "--data", data, "event", "add", "Setup", "--program", "general")
        # Fill what is left but a little, so the database opens and then fills.
        with open(os.path.join(mnt, "filler"), "wb") as f:
            free = shutil.disk_usage(mnt).free
            f.write(b"\0" * max(0, free - 96 * 1024))
        full_disk(kiosk, c, data, [], "full tmpfs")
        # Room again: the next sign-up works and the earlier ones are there.
        os.remove(os.path.join(mnt, "filler"))
        before = stored_people(data)
        run(kiosk, "--data", data,
            script="tap btn-new\ntype After\ntap btn-submit\nexpect screen done\n")
        after = stored_people(data)
        c.check(set(before) <= set(after) and len(after) == len(before) + 1,
                "after freeing space a sign-up works and nothing earlier is lost")
    finally:
        if subprocess.run(["umount", mnt]).returncode != 0:
            subprocess.run(["umount", "-l", mnt])


def main():
    kiosk = sys.argv[1]
    c = Checker()
    unwritable_folder(kiosk, c)
    msg = refused_file(kiosk, c, "newer schema", newer_schema)
    c.check("newer" in msg, f"newer schema: the message says so: {msg!r}")
    refused_file(kiosk, c, "corrupt file", corrupt)
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Setup", "--program", "general")
    con = sqlite3.connect(os.path.join(data, "kiosk.db"))
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    full_disk(kiosk, c, data, ["--limit-pages", str(pages + 6)], "page limit")
    full_tmpfs(kiosk, c)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
