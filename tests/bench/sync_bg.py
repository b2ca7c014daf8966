#!/usr/bin/env python3
"""The background sync seen from the screen's thread: figures, not a test.

What tests/sync/test_sync_e2e.py t_background asserts by order of events
(kiosk writes and status answers go on while a sync is in flight; stop
does not wait for it), measured here in milliseconds: `ksync-tool bg` runs
a kiosk's writes (one check-in transaction every 50 ms) beside the
background sync thread against a real kiosk-hub on 127.0.0.1, RUNS times,
and reports for each figure the median, min and max over the runs:

  worst_status_ms   longest ksync_bg_status call (the staff screen's read)
  worst_write_ms    longest kiosk write (BEGIN IMMEDIATE .. COMMIT, FULL)
  stop_ms           ksync_bg_stop with a sync of 300 records in flight (the
                    hub takes HOLD_MS per record, so the stop has to abort it)

Usage: sync_bg.py KIOSK_HUB KSYNC_TOOL [RUNS]
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
import test_sync_e2e as e2e  # noqa: E402

HOLD_MS = 10   # per record: the kiosk-hub test hook


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2

    class Args:
        hub = sys.argv[1]
        tool = sys.argv[2]
        pg_uri_file = None
    e2e.ARGS = Args
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    figures = {"worst_status_ms": [], "worst_write_ms": [], "stop_ms": []}
    for _ in range(runs):
        env = e2e.Env(people=200)
        try:
            hub = env.hub("--test-ingest-delay-ms", str(HOLD_MS))
            env.pair(hub)
            rc, out, err = e2e.tool("bg", env.kdir, "3", "300", timeout=240)
            if rc != 0:
                print(f"sync_bg: ksync-tool bg failed: {err.strip()}", file=sys.stderr)
                return 1
            j = json.loads(out)
            for k in figures:
                figures[k].append(j[k])
        finally:
            env.close()
    print(f"background sync beside kiosk writes, hub taking {HOLD_MS} ms per record ({runs} runs)")
    for k, v in figures.items():
        v.sort()
        med = v[len(v) // 2]
        print(f"  {k:18s} median {med:6d} ms   min {v[0]:6d}   max {v[-1]:6d}")
        print(f"bench sync_bg_{k[:-3]} {med} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
