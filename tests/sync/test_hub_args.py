#!/usr/bin/env python3
"""kiosk-hub's numeric options are read strictly (kiosk/cli_args.c).

Each loose number an operator might type ("4x", "", "1e3", " 45", a value
past the range, a negative) must be refused before the hub opens its store
or listens, with a message naming the option, what it expects and what it
got; a good number is taken whole (the hub starts and says so).
Usage: test_hub_args.py --hub PATH
"""
import argparse
import json
import os
import select
import subprocess
import sys
import tempfile

FAILED = 0
PASSED = 0


def check(cond, what):
    global FAILED, PASSED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("  FAILED: " + what, flush=True)


def serve(hub, store, *opts):
    """Starts `kiosk-hub serve`; returns (started, exit code or None, stderr)."""
    p = subprocess.Popen([hub, "serve", "--store", store, "--listen", "127.0.0.1:0", *opts],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([p.stdout], [], [], 60)
    line = p.stdout.readline() if ready else ""
    if line:
        p.terminate()
        p.wait(30)
        return json.loads(line).get("event") == "listening", None, p.stderr.read()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return False, p.returncode, p.stderr.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="kiosk-hub-args.")
    try:
        bad = {
            "--max-batch-bytes": ["4x", "", "1e3", " 45", "-5", "0", "99999999999999999999",
                                  "0x10", "268435457"],
            "--test-max-pages": ["12pages", "", "-1", "0", "2147483648"],
            "--test-ingest-delay-ms": ["fast", "-1", "60001", "1.5"],
        }
        for opt, values in bad.items():
            for v in values:
                store = os.path.join(d, "bad.db")
                started, rc, err = serve(args.hub, store, opt, v)
                check(not started and rc == 2, f"{opt} '{v}' refused with exit 2 (started={started}, rc={rc})")
                check(f"{opt}: expected" in err and f"got '{v}'" in err,
                      f"{opt} '{v}': the message names the option and the text ({err.strip()[:160]})")
                check(not os.path.exists(store), f"{opt} '{v}': no store was made")
        for opt, v in (("--max-batch-bytes", "65536"), ("--test-max-pages", "100000"),
                       ("--test-ingest-delay-ms", "0")):
            started, rc, err = serve(args.hub, os.path.join(d, "good.db"), opt, v)
            check(started, f"{opt} {v}: the hub starts ({rc} {err.strip()[:160]})")
    finally:
        subprocess.run(["rm", "-rf", d])
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
