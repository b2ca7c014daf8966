"""No invisible kiosk (issue 16, item 5): started outside --replay, the kiosk
logs the SDL video driver and renderer it got, and refuses SDL's 'dummy' and
'offscreen' drivers (a window nobody can see) with a message saying that no
display was found and what to do, exiting non-zero.  The data folder is not
touched by a refused start beyond what opening it does.  With a real display
(Xvfb) it logs 'video driver x11' and its renderer and runs.

KIOSK_ALLOW_NO_DISPLAY=1, the documented escape hatch for tests, lets the
dummy driver through with a warning.

Usage: display_check.py KIOSK"""
import os
import shutil
import signal
import subprocess
import sys
import time

from kiosktest import Checker, fresh_dir


def start(kiosk, data, env, *extra):
    return subprocess.Popen([kiosk, "--data", data, "--software", "--trace", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def refused(c, kiosk, env, driver_word):
    data = fresh_dir()
    p = subprocess.run([kiosk, "--data", data], capture_output=True, text=True, env=env,
                       timeout=120)
    err = p.stderr
    c.check(p.returncode != 0, f"{driver_word}: exits non-zero (got {p.returncode})")
    c.check(f"video driver {driver_word}" in err, f"{driver_word}: the driver is logged: {err}")
    c.check("no display found" in err, f"{driver_word}: says no display was found: {err}")
    c.check("desktop" in err and "kmsdrm" in err and "systemctl start kiosk" in err,
            f"{driver_word}: says what to do (desktop, KMS console, the service): {err}")
    c.check("screen welcome" not in p.stdout, f"{driver_word}: no screen was shown")


def wait_line(stream, want, seconds=60):
    end = time.time() + seconds
    seen = []
    while time.time() < end:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if want in line:
            return True, "".join(seen)
    return False, "".join(seen)


def runs(c, kiosk, env, what, driver_word, *extra):
    data = fresh_dir()
    p = start(kiosk, data, env, *extra)
    try:
        ok, err = wait_line(p.stderr, "kiosk: renderer ")
        c.check(ok, f"{what}: the renderer is logged: {err}")
        c.check(f"kiosk: video driver {driver_word}" in err, f"{what}: the driver is logged: {err}")
        ok, _ = wait_line(p.stdout, "screen welcome")
        c.check(ok, f"{what}: the welcome screen is up")
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
        c.check(rc == 0, f"{what}: SIGTERM ends it cleanly (exit {rc})")
        return err
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    kiosk = sys.argv[1]
    c = Checker()
    base = {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "KIOSK_ALLOW_NO_DISPLAY")}
    base["SDL_AUDIODRIVER"] = "dummy"

    refused(c, kiosk, dict(base, SDL_VIDEODRIVER="dummy"), "dummy")
    refused(c, kiosk, dict(base, SDL_VIDEODRIVER="offscreen"), "offscreen")
    # No desktop and no driver asked for: SDL falls back to offscreen here.
    data = fresh_dir()
    p = subprocess.run([kiosk, "--data", data], capture_output=True, text=True, env=base,
                       timeout=120)
    c.check(p.returncode != 0 and "no display found" in p.stderr,
            f"no display at all: refused ({p.returncode}): {p.stderr}")
    # --replay needs no display: unaffected.
    p = subprocess.run([kiosk, "--data", data, "--replay", "-"], input="expect screen welcome\n",
                       capture_output=True, text=True, env=dict(base, SDL_VIDEODRIVER="dummy"),
                       timeout=120)
    c.check(p.returncode == 0 and "no display found" not in p.stderr,
            f"--replay runs headless ({p.returncode}): {p.stderr}")

    err = runs(c, kiosk, dict(base, SDL_VIDEODRIVER="dummy", KIOSK_ALLOW_NO_DISPLAY="1"),
               "escape hatch", "dummy")
    c.check("KIOSK_ALLOW_NO_DISPLAY=1" in (err or ""), "the escape hatch is named in the log")

    if not shutil.which("Xvfb"):
        print("Xvfb is needed (scripts/install-deps.sh installs it)")
        return 1
    display = f":{50 + os.getpid() % 20}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x480x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        runs(c, kiosk, dict(base, DISPLAY=display), "a desktop (Xvfb)", "x11",
             "--windowed", "--size", "800x480")
    finally:
        xvfb.terminate()
        xvfb.wait()
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
