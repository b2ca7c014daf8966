#!/usr/bin/env python3
"""QR check-in end to end: the code on the thank-you screen after a first
sign-up is decoded from a screenshot with zbarimg and fed back with `scan`
at another event: the person is checked in at once.  An unknown code gets
a kind message.  Staff stop the code (btn-revoke-qr: at once) and mend the
stop with a new code (btn-new-qr) shown on their screen: the old code is
refused, the new one (decoded from that screen) checks the person in.

    qr_scan.py KIOSK
"""
import os
import subprocess
import sys

from kiosktest import ENV, Checker, checked_in, fresh_dir, run


def main():
    kiosk = sys.argv[1]
    c = Checker()
    data = fresh_dir()
    shots = fresh_dir("kiosk-qr-shots-")
    run(kiosk, "--data", data, "event", "add", "Parent Night", "--program", "parent organizing")
    for size in ("800x480", "1280x800", "800x1280"):
        p = run(kiosk, "--data", data, "--size", size, "--screenshots", shots,
                script=f"tap btn-new\ntype Kalani {size}\ntap btn-submit\nexpect screen done\n"
                       f"shot qr-{size}.png\n")
        z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(shots, f"qr-{size}.png")],
                           capture_output=True, text=True, env=ENV)
        token = z.stdout.strip()
        c.check(z.returncode == 0 and token.startswith("K1-"),
                f"{size}: a QR code is decoded from the screenshot: {z.stdout!r} {z.stderr[-200:]!r}")
        c.check("Kalani" not in token, f"{size}: the code holds no personal data")
        # At the next event, the scanner checks the person in straight away.
        ev = run(kiosk, "--data", data, "event", "add", f"Youth Night {size}",
                 "--program", "youth organizing").stdout.strip()
        run(kiosk, "--data", data, "event", "use", ev)
        p = run(kiosk, "--data", data, "--size", size, check=False,
                script=f"expect screen welcome\nscan {token}\nexpect screen done\n"
                       f"expect text Thank you, Kalani\nexpect text Youth Night {size}\n")
        c.check(p.returncode == 0, f"{size}: scanning checks in: {p.stderr}")
    # Staff stop the last code; a stop is never taken back, a new code is
    # given instead.
    subprocess.run([kiosk, "--data", data, "staff", "set-pin"], input="246813\n246813\n",
                   capture_output=True, text=True, env=ENV, check=True)
    staff = ("hold staff-corner 3000\n" + "".join(f"tap pin-{d}\n" for d in "246813") +
             "tap pin-ok\nexpect screen staff\ntap checkin-1\nexpect screen staff-person\n")
    p = run(kiosk, "--data", data, "--screenshots", shots, check=False,
            script=staff + "tap btn-revoke-qr\nexpect text Their check-in code no longer works.\n"
                           "expect no-text Stop their check-in code\n"
                           "tap btn-new-qr\nexpect text Their new check-in code works now.\n"
                           "shot staff-new-code.png\n")
    c.check(p.returncode == 0, f"staff stop a code and give a new one: {p.stderr}")
    p = run(kiosk, "--data", data, check=False,
            script=f"scan {token}\nexpect screen welcome\nexpect text This code is no longer in use\n")
    c.check(p.returncode == 0, f"the stopped code is refused: {p.stderr}")
    z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(shots, "staff-new-code.png")],
                       capture_output=True, text=True, env=ENV)
    fresh = z.stdout.strip()
    c.check(z.returncode == 0 and fresh.startswith("K1-") and fresh != token,
            f"a new code is decoded from the staff screen: {z.stdout!r} {z.stderr[-200:]!r}")
    p = run(kiosk, "--data", data, check=False,
            script=f"scan {fresh}\nexpect screen done\nexpect text Thank you, Kalani\n")
    c.check(p.returncode == 0, f"the new code checks the person in: {p.stderr}")
    p = run(kiosk, "--data", data, check=False,
            script="scan K1-AAAAAAAAAAAAAAAAAAAAAAAAAA\nexpect screen welcome\n"
                   "expect text We do not know this code\nwait 9000\n"
                   "expect no-text We do not know this code\n")
    c.check(p.returncode == 0, f"an unknown code gets a kind message: {p.stderr}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
