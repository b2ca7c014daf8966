#!/usr/bin/env python3
"""The text cache (DATA/text-cache) changes no pixel and keeps no name.

    text_cache.py KIOSK

Starts the kiosk twice on one data folder (Khmer, 800x480): the first
start measures and draws welcome from the fonts and keeps what it drew in
DATA/text-cache; the second draws welcome from that file.  Both welcome
screenshots must be the same pixels, the file must be 0600, and a name
typed on the form must not be in it.  Then the file is damaged (cut short,
a byte changed) and a third start must still draw the same welcome.
"""
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageChops

SCRIPT = """expect screen welcome
shot welcome.png
tap btn-new
type Nguyễn Thị Hương
expect text Hương
tap btn-back
expect screen welcome
"""


def run(kiosk, data, shots):
    os.makedirs(shots, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".replay", delete=False) as f:
        f.write(SCRIPT)
    try:
        r = subprocess.run([kiosk, "--replay", f.name, "--size", "800x480", "--lang", "km",
                            "--screenshots", shots, "--data", data, "--demo"],
                           capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    if r.returncode != 0:
        sys.exit("kiosk failed (%d): %s" % (r.returncode, r.stderr))
    return Image.open(os.path.join(shots, "welcome.png")).convert("RGB")


def same(a, b):
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def main():
    kiosk = sys.argv[1]
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        first = run(kiosk, data, os.path.join(tmp, "s1"))
        cache = os.path.join(data, "text-cache")
        if not os.path.exists(cache):
            sys.exit("no %s after the first start" % cache)
        body = open(cache, "rb").read()
        if os.stat(cache).st_mode & 0o777 != 0o600:
            fails.append("text-cache mode %o, not 600" % (os.stat(cache).st_mode & 0o777))
        if "Hương".encode() in body:
            fails.append("the name typed on the form is in text-cache")
        if not same(first, run(kiosk, data, os.path.join(tmp, "s2"))):
            fails.append("welcome drawn from text-cache differs from welcome drawn from the fonts")
        for what, damaged in (("cut short", body[:len(body) // 2]),
                              ("one byte changed", body[:len(body) // 3] +
                               bytes([body[len(body) // 3] ^ 0x5a]) + body[len(body) // 3 + 1:])):
            with open(cache, "wb") as f:
                f.write(damaged)
            if not same(first, run(kiosk, data, os.path.join(tmp, "s3"))):
                fails.append("welcome differs after text-cache was %s" % what)
    for f in fails:
        print("FAIL:", f)
    print("text cache: %d problem(s)" % len(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
