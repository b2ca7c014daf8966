#!/usr/bin/env python3
"""bench_web.py - time to first byte of the hub's web page (issue 12):

  * the page of an event with 2,000 check-ins (two kiosks, three survey
    answers each: the merged attendance table, the same rows as the file);
  * the program report over a year of 200 events (four programs, 12
    months, 10,000 check-ins by 600 people).

  python3 tests/bench/bench_web.py KIOSK-HUB [--pg-uri URI] [--runs N]

The hub is a real `kiosk-hub serve` on 127.0.0.1, filled through the sync
API; each figure is the median of N requests (after 3 warm-ups) over one
logged-in session, with the 10th-90th percentile and min-max spread, and
the hub process's CPU time per request (user + system, /proc: what the
request costs, whatever else the machine runs); then lines
`bench NAME VALUE UNIT`.
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "web"))
from hubfeed import Hub, Session, ttfb  # noqa: E402

GIVEN = ["An", "Bảo", "Chi", "Dũng", "Hương", "Linh", "Maria", "José", "Kim", "Sokha", "Tavita", "Mei"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Santos", "Reyes", "Park", "Chen", "Sok", "Fifita", "Wong", "Tan"]


def day_ms(date, hour=18):
    import datetime
    d = datetime.datetime.strptime(date, "%Y-%m-%d").replace(hour=hour, tzinfo=datetime.timezone.utc)
    return int(d.timestamp() * 1000)


def seed_event(hub):
    """One event taken at two kiosks, 1,000 check-ins each."""
    rnd = random.Random(7)
    ks = [hub.kiosk("door-%d" % i) for i in (1, 2)]
    evs = [k.event("Summer kickoff", "summer-bootcamp", "2026-06-15", day_ms("2026-06-15", 8)) for k in ks]
    t = day_ms("2026-06-15")
    for n in range(2000):
        k, ev = ks[n % 2], evs[n % 2]
        p = k.person(rnd.choice(GIVEN), rnd.choice(FAMILY), "555-%04d" % n, "", "951%02d" % (n % 100),
                     t + n * 500)
        k.checkin(p, ev, 1, t + n * 500)
        k.answer(p, ev, "kickoff", "grade", rnd.choice(["g9", "g10", "g11", "g12"]), t + n * 500)
        k.answer(p, ev, "kickoff", "heard", rnd.choice(["friend", "school", "church", "other:radio"]),
                 t + n * 500)
        k.answer(p, ev, "kickoff", "shirt", rnd.choice(["s", "m", "l", "xl"]), t + n * 500)
    for k in ks:
        k.sync()
    return evs[0]


def seed_year(hub):
    """200 events of four programs over 2025-07..2026-06, 50 check-ins each
    from a pool of 600 people at three kiosks."""
    rnd = random.Random(11)
    ks = [hub.kiosk("site-%d" % i) for i in (1, 2, 3)]
    people = []
    for n in range(600):
        k = ks[n % 3]
        people.append((k, k.person(rnd.choice(GIVEN), rnd.choice(FAMILY), "", "", "95112",
                                   day_ms("2025-07-01"))))
    programs = ["summer-bootcamp", "parents", "college-prep", "elders"]
    for e in range(200):
        month = 7 + e * 12 // 200
        y, m = (2025, month) if month <= 12 else (2026, month - 12)
        date = "%04d-%02d-%02d" % (y, m, 1 + (e * 7) % 28)
        prog = programs[e % 4]
        k = ks[e % 3]
        ev = k.event("%s session %d" % (prog, e), prog, date, day_ms(date, 8))
        for pk, p in rnd.sample(people, 50):
            # a kiosk checks in people it knows (its own records)
            if pk is k:
                k.checkin(p, ev, 0, day_ms(date))
            else:
                q = k.person("Guest", "Visitor", "", "", "95112", day_ms(date))
                k.checkin(q, ev, 1, day_ms(date))
    for k in ks:
        k.sync()


def cpu_s(pid):
    """User + system CPU seconds the process has used (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url, path, cookie, runs, pid):
    for _ in range(3):
        ttfb(url, path, cookie)
    times, size = [], 0
    c0 = cpu_s(pid)
    for _ in range(runs):
        t, size = ttfb(url, path, cookie)
        times.append(t * 1000)
    cpu_ms = (cpu_s(pid) - c0) * 1000 / runs
    times.sort()
    q = statistics.quantiles(times, n=10)
    return statistics.median(times), q[0], q[-1], times[0], times[-1], size, cpu_ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hub")
    ap.add_argument("--pg-uri", help="a PostgreSQL server URI: the store goes into a new database")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-web-")
    backend = "sqlite"
    store = os.path.join(tmp, "hub.db")
    dropdb = None
    if args.pg_uri:
        sys.path.insert(0, os.path.join(HERE, "..", "sync"))
        import hubdb
        db = "bench_web_%d" % os.getpid()
        hubdb.psql(args.pg_uri, "CREATE DATABASE " + db)
        store = hubdb.with_db(args.pg_uri, db)
        backend = "pg"

        def dropdb():
            hubdb.psql(args.pg_uri, "DROP DATABASE IF EXISTS " + db)
    hub = Hub(args.hub, store)
    try:
        hub.user_add("bench", "bench password 1")
        hub.start()
        t0 = time.time()
        ev = seed_event(hub)
        seed_year(hub)
        print(f"seeded in {time.time() - t0:.1f} s ({backend}): one event of 2,000 check-ins, "
              "200 events over a year")
        s = Session(hub.url)
        st, _ = s.login("bench", "bench password 1")
        if st != 303:
            raise RuntimeError(f"log-in failed: {st}")
        cookie = "khub_session=" + s.cookies["khub_session"]
        for name, label, path in [
                ("event", "event page, 2,000 check-ins", f"/events/{ev}"),
                ("program_report", "program report, a year of 200 events",
                 "/reports/programs?from=2025-07&to=2026-06")]:
            med, p10, p90, lo, hi, size, cpu = measure(hub.url, path, cookie, args.runs,
                                                       hub.proc.pid)
            print(f"{label}: time to first byte median {med:.1f} ms (p10 {p10:.1f}, p90 {p90:.1f}, "
                  f"min {lo:.1f}, max {hi:.1f}; {args.runs} runs; page {size / 1024:.0f} KiB); "
                  f"hub CPU {cpu:.1f} ms per request")
            print(f"bench web_{name}_ttfb_{backend}_ms {med:.1f} ms")
            print(f"bench web_{name}_cpu_{backend}_ms {cpu:.1f} ms")
    finally:
        hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        if dropdb:
            dropdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
