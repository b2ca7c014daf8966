#!/usr/bin/env python3
"""The real input path: the kiosk in an X window (Xvfb), driven by real
mouse clicks and key presses (xdotool), not by the replay driver: a click
is a tap, typed text lands in the focused field, Return moves on and signs
up, Escape starts over, and SIGTERM closes the kiosk cleanly.

    x11_input.py KIOSK
"""
import os
import shutil
import signal
import subprocess
import sys
import time

from kiosktest import Checker, fresh_dir, run, stored_people


def centre(kiosk, data, script, wid):
    """The centre of widget wid, as the replay driver lays it out."""
    out = run(kiosk, "--data", data, "--size", "800x480", script=script + "ids\n").stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == wid:
            x, y, w, h = map(int, parts[1:5])
            return x + w // 2, y + h // 2
    raise AssertionError(f"no {wid} in: {out}")


def wait_for(proc, want, seconds=20):
    """Reads trace lines until one equals want; False on timeout or exit."""
    end = time.time() + seconds
    while time.time() < end:
        line = proc.stdout.readline()
        if not line:
            return False
        if line.strip() == want:
            return True
    return False


def main():
    kiosk = sys.argv[1]
    c = Checker()
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        print("Xvfb and xdotool are needed (scripts/install-deps.sh installs them)")
        return 1
    data = fresh_dir()
    run(kiosk, "--data", data, "event", "add", "Window night", "--program", "general")
    new_x, new_y = centre(kiosk, data, "", "btn-new")
    display = f":{70 + os.getpid() % 20}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x480x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(os.environ, DISPLAY=display)
    env.pop("SDL_VIDEODRIVER", None)
    proc = None
    try:
        time.sleep(1)
        proc = subprocess.Popen([kiosk, "--data", data, "--windowed", "--size", "800x480",
                                 "--software", "--trace"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        c.check(wait_for(proc, "screen welcome"), "the kiosk opens on welcome")
        time.sleep(0.5)

        def xdo(*args):
            subprocess.run(["xdotool", *args], env=env, check=True)

        xdo("mousemove", str(new_x), str(new_y), "click", "1")
        c.check(wait_for(proc, "screen form"), "a click on I'm new opens the form")
        xdo("type", "--delay", "30", "Mai")
        for _ in range(5):
            xdo("key", "Return")
        c.check(wait_for(proc, "screen done"), "typed name and Return sign up")
        xdo("key", "Escape")
        c.check(wait_for(proc, "screen welcome"), "Escape starts over")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=20)
        c.check(rc == 0, f"SIGTERM closes the kiosk cleanly (exit {rc}): {proc.stderr.read()[-500:]}")
        c.check("Mai" in stored_people(data).values(), "the sign-up is in the database")
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        xvfb.terminate()
        xvfb.wait()
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
