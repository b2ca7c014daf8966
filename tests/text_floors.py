#!/usr/bin/env python3
"""Holds the text floors on every screen in one language at one size.

    text_floors.py KIOSK REPLAY_DIR LANG SIZE SHOTS_DIR

Runs the tour scripts (attendee screens, staff screens, every survey
question type and the three default surveys) with the replay command
`texts` after every screenshot, and checks each `text PX X Y W H TEXT`
line: PX (the size drawn, after fitting and script scaling) is at least
16 px at the kiosk's 133 dpi, and the text's box lies inside the window.
The layout check (on in every replay) holds the role floors (18 px for
labels, body text and messages, 28 px for titles) and that each text fits
its box.  Screenshots go to SHOTS_DIR/NAME-LANG-SIZE.
"""
import os
import re
import subprocess
import sys
import tempfile

FLOOR = 16  # px at 133 dpi, the kiosk's default density

# script, extra run.sh options before the kiosk options
RUNS = [
    ("tour", []),
    ("staff-tour", ["--pin", "246813"]),
    ("survey-tour", ["--survey", "festival-volunteers"]),
    ("survey-general", ["--survey", "general-interest"]),
    ("survey-parent", ["--survey", "parent-workshop"]),
    ("survey-bootcamp", ["--survey", "youth-bootcamp-daily"]),
]

LINE = re.compile(r"^text (\d+) (-?\d+) (-?\d+) (\d+) (\d+) (.*)$")


def main():
    kiosk, replay_dir, lang, size, shots = sys.argv[1:6]
    w, h = (int(x) for x in size.split("x"))
    run_sh = os.path.join(replay_dir, "run.sh")
    problems, texts, screens = [], 0, 0
    for name, opts in RUNS:
        src = os.path.join(replay_dir, name + ".replay")
        with open(src, encoding="utf-8") as f:
            lines = f.read().splitlines()
        out = []
        for line in lines:
            out.append(line)
            if line.startswith("shot "):
                out.append("texts")
        with tempfile.NamedTemporaryFile("w", suffix=".replay", delete=False,
                                         encoding="utf-8") as tmp:
            tmp.write("\n".join(out) + "\n")
        try:
            kiosk_opts = ["--lang", lang]
            if name == "staff-tour":
                kiosk_opts = ["--export-dir", "@DATA@/usb"] + kiosk_opts
            cmd = ["sh", run_sh, kiosk, tmp.name, size,
                   os.path.join(shots, "%s-%s-%s" % (name, lang, size))] + opts + kiosk_opts
            p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8",
                               errors="replace")
        finally:
            os.unlink(tmp.name)
        if p.returncode != 0:
            problems.append("%s: the replay failed:\n%s" % (name, p.stderr.strip()))
            continue
        shot = 0
        for line in p.stdout.splitlines():
            if not line.startswith("text "):
                continue
            m = LINE.match(line)
            if not m:
                problems.append("%s: malformed texts line: %r" % (name, line))
                continue
            px, x, y, tw, th = (int(m.group(i)) for i in range(1, 6))
            text = m.group(6)
            texts += 1
            if px < FLOOR:
                problems.append("%s: %d px is under the %d px floor: %r" % (name, px, FLOOR, text))
            if x < 0 or y < 0 or x + tw > w or y + th > h:
                problems.append("%s: %r at %d,%d %dx%d leaves the %s window"
                                % (name, text, x, y, tw, th, size))
        screens += sum(1 for l in lines if l.startswith("shot "))
    if texts == 0:
        problems.append("no text was reported at all (is the texts command working?)")
    for pr in problems:
        print(pr)
    print("%s %s: %d screens, %d texts, %d problems" % (lang, size, screens, texts, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
