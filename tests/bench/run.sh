#!/bin/sh
# Every speed figure of the project in one run, after a build (figures,
# not pass/fail; see README.md "How fast"):
#   sh tests/bench/run.sh [--scale] [BUILD_DIR]
# (--scale adds the runs at 1,000,000 people: minutes, about 1 GB of disk)
set -eu
scale=""
if [ "${1:-}" = --scale ]; then scale=--scale; shift; fi
build=${1:-build}
here=$(dirname "$0")
cmake --build "$build" --target bench_kiosk bench_survey bench_export bench_sync kiosk kiosk-hub telex_oracle bench_names >/dev/null
echo "== walk-up sign-in, languages, surveys, staff screen"
"$build/tests/bench_kiosk"
sh "$here/idle_cpu.sh" "$build/kiosk/kiosk"
echo "== survey loading"
"$build/tests/bench_survey"
echo "== attendance files"
"$build/tests/bench_export"
echo "== sync"
"$build/tests/sync/bench_sync" "$build/sync/kiosk-hub" "$build/tests/sync/ksync-tool"
echo "== names: search per keystroke and store size (--scale: also 1,000,000 people)"
"$build/tests/bench_names" $scale
echo "== Telex on names and Vietnamese syllables (counts, not times)"
"$build/tests/telex_oracle" --bench /usr/share/hunspell/vi_VN.dic "$here/../data/names-en-es-fil.txt" | grep -E '^(bench|syllables|names) '
