"""Installable anywhere (issue 16, item 4), checked on the real artefacts:

1. `cmake --install` into a temporary prefix, then the prefix moved: the
   installed kiosk runs a replay and its language check from there, finding
   catalogs, surveys and fonts beside itself; KIOSK_ASSETS and --assets
   point it at another copy; a bare copy of the program with nothing beside
   it refuses with a message naming what to do.
2. `cpack -G DEB`: kiosk and kiosk-hub packages for this build's
   architecture; the kiosk's Depends names the Noto font packages and the
   libraries (dpkg-shlibdeps); files at /usr/bin, /usr/share/kiosk, the
   systemd unit (KIOSK_DATA=/var/lib/kiosk, StartLimitIntervalSec=0, waits
   for /dev/dri, console blanking off) and the 0440 sudo rule; no build path
   in any installed text file.
3. `dpkg -x` of the kiosk package into a temporary root: the kiosk from
   there runs a replay.
4. The postinst, run with stand-ins for useradd, usermod, getent, install
   and systemctl, creates the kiosk user in video, render and input, the
   data folder /var/lib/kiosk, and enables the service.

Usage: package_check.py BUILD_DIR SOURCE_DIR DEB_ARCH [EMULATOR...]
(EMULATOR: how to run the target's programs, for cross builds)"""
import glob
import os
import shutil
import stat
import subprocess
import sys

from kiosktest import Checker, fresh_dir

ENV = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
ENV.pop("KIOSK_ASSETS", None)


def sh(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=600, **kw)


def replay(c, emu, kiosk, what, *extra):
    data = fresh_dir()
    p = sh(*emu, kiosk, "--replay", "-", "--data", data, "--size", "800x480", *extra,
           input="expect screen welcome\ntap btn-new\nexpect screen form\n", env=ENV)
    c.check(p.returncode == 0, f"{what}: replay runs ({p.returncode}): {p.stderr[-800:]}")
    return p


def main():
    build, src, arch = sys.argv[1], sys.argv[2], sys.argv[3]
    emu = sys.argv[4:]
    c = Checker()
    tmp = fresh_dir("kiosk-pkg-")

    # ---- 1. cmake --install, then moved -------------------------------------
    prefix = os.path.join(tmp, "a", "kiosk")
    p = sh("cmake", "--install", build, "--prefix", prefix)
    c.check(p.returncode == 0, f"cmake --install works: {p.stderr[-800:]}")
    moved = os.path.join(tmp, "elsewhere", "k")
    os.makedirs(os.path.dirname(moved))
    shutil.move(prefix, moved)
    kiosk = os.path.join(moved, "bin", "kiosk")
    c.check(os.path.isfile(os.path.join(moved, "bin", "kiosk-hub")), "kiosk-hub installed")
    for f in ("share/kiosk/po/vi.po", "share/kiosk/po/km.po", "share/kiosk/po/LINGUAS",
              "share/kiosk/surveys/general-interest.csv", "share/kiosk/fonts/fonts.conf",
              "lib/systemd/system/kiosk.service", "etc/sudoers.d/kiosk-poweroff"):
        c.check(os.path.isfile(os.path.join(moved, f)), f"installed: {f}")
    unit = open(os.path.join(moved, "lib/systemd/system/kiosk.service")).read()
    c.check(f"ExecStart={prefix}/bin/kiosk " in unit,
            "the unit names the installed program (prefix given at install)")
    replay(c, emu, kiosk, "moved install")
    p = sh(*emu, kiosk, "i18n", "check", env=ENV)
    c.check("9 languages" in p.stdout and "cannot" not in p.stderr,
            f"moved install: i18n check finds the 9 catalogs: {p.stdout[-300:]} {p.stderr[-300:]}")
    # Another assets folder: without Lao.
    other = os.path.join(tmp, "assets2")
    shutil.copytree(os.path.join(moved, "share", "kiosk"), other)
    os.remove(os.path.join(other, "po", "lo.po"))
    with open(os.path.join(other, "po", "LINGUAS"), "w") as f:
        f.write("en vi zh-Hans zh-Hant ko tl km ja\n")
    p = sh(*emu, kiosk, "i18n", "check", env=dict(ENV, KIOSK_ASSETS=other))
    c.check("8 languages" in p.stdout, f"KIOSK_ASSETS is used: {p.stdout[-300:]} {p.stderr[-300:]}")
    p = sh(*emu, kiosk, "--assets", other, "i18n", "check", env=ENV)
    c.check("8 languages" in p.stdout, f"--assets is used: {p.stdout[-300:]} {p.stderr[-300:]}")
    bare = os.path.join(tmp, "bare")
    os.makedirs(bare)
    shutil.copy(kiosk, bare)
    p = sh(*emu, os.path.join(bare, "kiosk"), "--replay", "-", "--data", fresh_dir(),
           input="expect screen welcome\n", env=ENV)
    c.check(p.returncode == 2 and "cannot find the kiosk's files" in p.stderr and
            "--assets" in p.stderr, f"a bare copy says what is missing: {p.stderr}")

    # ---- 2. cpack -G DEB ---------------------------------------------------------
    out = os.path.join(tmp, "debs")
    p = sh("cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", out)
    c.check(p.returncode == 0, f"cpack -G DEB works: {p.stdout[-800:]} {p.stderr[-800:]}")
    debs = sorted(os.path.basename(d) for d in glob.glob(os.path.join(out, "*.deb")))
    c.check(debs == [f"kiosk-hub_0.1.0_{arch}.deb", f"kiosk_0.1.0_{arch}.deb"] or
            (len(debs) == 2 and all(d.endswith(f"_{arch}.deb") for d in debs)),
            f"kiosk and kiosk-hub .deb for {arch}: {debs}")
    deb = os.path.join(out, f"kiosk_0.1.0_{arch}.deb")
    hub = os.path.join(out, f"kiosk-hub_0.1.0_{arch}.deb")
    if not os.path.isfile(deb) or not os.path.isfile(hub):
        return c.summary()
    field = lambda d, f: sh("dpkg-deb", "-f", d, f).stdout.strip()
    dep = field(deb, "Depends")
    for want in ("fonts-noto-core", "fonts-noto-cjk", "libsdl2-2.0-0", "libsdl2-ttf-2.0-0",
                 "libsqlite3-0", "libsodium23", "libc6"):
        c.check(want in dep, f"kiosk Depends on {want}: {dep}")
    c.check(field(deb, "Architecture") == arch, "kiosk Architecture")
    c.check(field(hub, "Architecture") == arch and "libmicrohttpd" in field(hub, "Depends"),
            f"kiosk-hub Architecture and Depends: {field(hub, 'Depends')}")
    listing = sh("dpkg-deb", "-c", deb).stdout
    for f in ("./usr/bin/kiosk", "./usr/share/kiosk/po/km.po", "./usr/share/kiosk/fonts/fonts.conf",
              "./usr/share/kiosk/surveys/parent-workshop.csv", "./usr/lib/systemd/system/kiosk.service"):
        c.check(f"{f}\n" in listing + "\n", f"kiosk.deb has {f}")
    c.check(any(l.startswith("-r--r-----") and l.endswith("./etc/sudoers.d/kiosk-poweroff")
                for l in listing.splitlines()), "the sudo rule is 0440 in /etc/sudoers.d")
    c.check("NotoSans" not in listing, "no font files copied into the package")
    c.check("./usr/bin/kiosk-hub" in sh("dpkg-deb", "-c", hub).stdout, "kiosk-hub.deb has the hub")

    # ---- 3. dpkg -x, run from there ----------------------------------------------
    root = os.path.join(tmp, "root")
    p = sh("dpkg", "-x", deb, root)
    c.check(p.returncode == 0, f"dpkg -x: {p.stderr}")
    unit = open(os.path.join(root, "usr/lib/systemd/system/kiosk.service")).read()
    for want in ("ExecStart=/usr/bin/kiosk ", "Environment=KIOSK_DATA=/var/lib/kiosk",
                 "StartLimitIntervalSec=0", "/dev/dri/card", "setterm --blank 0",
                 "SupplementaryGroups=video render input", "Restart=always", "User=kiosk"):
        c.check(want in unit, f"the unit has {want}")
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            if f.endswith((".po", ".pot", ".csv", ".conf", ".service", ".md", "LINGUAS")):
                text = open(path, encoding="utf-8", errors="replace").read()
                c.check(src not in text and build not in text, f"no build path in {path}")
    replay(c, emu, os.path.join(root, "usr", "bin", "kiosk"), "dpkg -x root")

    # ---- 4. postinst with stand-ins -------------------------------------------------
    ctl = os.path.join(tmp, "control")
    sh("dpkg-deb", "-e", deb, ctl)
    shims = os.path.join(tmp, "shims")
    os.makedirs(shims)
    log = os.path.join(tmp, "calls.log")
    for name, body in (("useradd", ""), ("usermod", ""), ("install", ""), ("chmod", ""),
                       ("systemctl", ""),
                       ("getent", 'case "$1 $2" in "passwd kiosk") exit 2;; '
                                  '"group video"|"group render"|"group input") exit 0;; esac; exit 2')):
        path = os.path.join(shims, name)
        with open(path, "w") as f:
            f.write(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{body}\n')
        os.chmod(path, 0o755)
    p = sh("sh", os.path.join(ctl, "postinst"), "configure",
           env=dict(os.environ, PATH=shims + ":" + os.environ["PATH"]))
    c.check(p.returncode == 0, f"postinst configure exits 0: {p.stderr}")
    calls = open(log).read() if os.path.exists(log) else ""
    c.check("useradd --system" in calls and calls.count("kiosk") >= 4 and
            "--home-dir /var/lib/kiosk" in calls, f"postinst adds the system user kiosk: {calls}")
    for g in ("video", "render", "input"):
        c.check(f"usermod -a -G {g} kiosk" in calls, f"postinst puts kiosk in {g}")
    c.check("install -d -o kiosk -g kiosk -m 0750 /var/lib/kiosk" in calls,
            "postinst makes /var/lib/kiosk for the kiosk user")
    c.check("systemctl enable kiosk.service" in calls, "postinst enables the service")
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
