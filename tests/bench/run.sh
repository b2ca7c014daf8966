#!/bin/sh
# Every speed figure of the project in one run, after a build (figures,
# not pass/fail; see README.md "How fast"):
#   sh tests/bench/run.sh [--scale] [BUILD_DIR [ARM64_BUILD_DIR]]
# Each figure is printed with its run-to-run spread, and once more as a
# line `bench NAME VALUE UNIT` (grep '^bench ' to compare runs by script).
# --scale adds the 1,000,000-row points (the staff screen with a million
# check-ins stored, exports of a million check-ins, search at a million
# people, the hub filled with a million records): minutes, about 2 GB of
# disk.
set -eu
scale=""
if [ "${1:-}" = --scale ]; then scale=--scale; shift; fi
build=${1:-build}
here=$(dirname "$0")
cmake --build "$build" --target bench_kiosk bench_survey bench_export bench_store_check bench_sync bench_hub_pg bench_hub_export bench_hub_scale bench_roster bench_roster_apply bench_screens kiosk kiosk-hub ksync-tool telex_oracle bench_names >/dev/null
echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== walk-up sign-in, languages, surveys, staff screen"
"$build/tests/bench_kiosk"
echo "== render per screen at 1280x800, at rest and with a finger down (issue 11)"
screens_data=$(mktemp -d "${TMPDIR:-/tmp}/bench-screens.XXXXXX")
"$build/tests/bench_screens" seed "$screens_data"
SDL_VIDEODRIVER=dummy "$build/tests/bench_screens" render "$screens_data" "$build/share/kiosk" "$here/../../fonts" 300
rm -rf "$screens_data"
echo "== resident memory, fresh process, every script drawn, software renderer"
SDL_VIDEODRIVER=offscreen "$build/tests/bench_kiosk" memory
sh "$here/xvfb_memory.sh" "$build/tests/bench_kiosk"
sh "$here/idle_cpu.sh" "$build/kiosk/kiosk"
echo "== survey loading"
"$build/tests/bench_survey"
echo "== start-up with the store check"
"$build/tests/bench_store_check" "$build/kiosk/kiosk"
echo "== attendance files"
"$build/tests/bench_export" 100000
echo "== a Raspberry Pi: instructions to first frames (callgrind), PIN hash, store open"
sh "$here/pi.sh" "$build" "${2:-}"
echo "== screens: instructions per frame at 800x480 (callgrind)"
sh "$here/screens_callgrind.sh" "$build"
echo "== sync"
"$build/tests/sync/bench_sync" "$build/sync/kiosk-hub" "$build/tests/sync/ksync-tool"
echo "== background sync beside kiosk writes (the screen's side: status, writes, stop)"
python3 "$here/sync_bg.py" "$build/sync/kiosk-hub" "$build/tests/sync/ksync-tool"
echo "== roster: 100,000 people to an empty kiosk, 100 changes, search on the kiosk holding them"
"$build/tests/sync/bench_roster" "$build/sync/kiosk-hub" 100000
echo "== roster apply on a kiosk: 100,000 people, 5,000 aliases, 1,000 tombstones (no network)"
"$build/tests/sync/bench_roster_apply" 100000 5000
echo "== names: search per keystroke and store size (--scale: also 1,000,000 people)"
"$build/tests/bench_names" $scale
echo "== Telex on names and Vietnamese syllables (counts, not times)"
"$build/tests/telex_oracle" --bench /usr/share/hunspell/vi_VN.dic "$here/../data/names-en-es-fil.txt" | grep -E '^(bench|syllables|names) '
if [ -n "$scale" ]; then
    echo "== scale: staff screen with 1,000,000 check-ins stored"
    "$build/tests/bench_kiosk" staff 1000000
    echo "== scale: attendance files of 1,000,000 check-ins"
    "$build/tests/bench_export" 1000000
fi
echo "== the hub as it fills: ingest per 100,000, ingest / bare insert fresh and full, events, an event's export"
tmp=$(mktemp -d /tmp/kiosk-bench-hub.XXXXXX)
if [ -n "$scale" ]; then
    "$build/tests/sync/bench_hub_scale" "$tmp" 1000000 "$build/sync/kiosk-hub"
else
    "$build/tests/sync/bench_hub_scale" "$tmp" 100000 "$build/sync/kiosk-hub"
fi
rm -rf "$tmp"
echo "== the hub's web page: time to first byte"
python3 "$here/bench_web.py" "$build/sync/kiosk-hub"
echo "== the hub on PostgreSQL (a throwaway server, fsync on)"
pgdir=$(mktemp -d /tmp/kiosk-pg-bench.XXXXXX)
trap 'sh "$here/../../scripts/pg-test-server.sh" stop "$pgdir"' EXIT
uri=$(sh "$here/../../scripts/pg-test-server.sh" start "$pgdir" --durable)
"$build/tests/sync/bench_hub_pg" "$build/sync/kiosk-hub" "$uri"
echo "== the hub: an event's merged attendance file, 10,000 people from 5 kiosks, SQLite and PostgreSQL"
tmp=$(mktemp -d /tmp/kiosk-bench-export.XXXXXX)
"$build/tests/sync/bench_hub_export" "$tmp" "$uri"
rm -rf "$tmp"
echo "== the hub's web page on PostgreSQL: time to first byte"
python3 "$here/bench_web.py" "$build/sync/kiosk-hub" --pg-uri "$uri"
