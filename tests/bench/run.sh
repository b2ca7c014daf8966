#!/bin/sh
# Every speed figure of the project in one run, after a build (figures,
# not pass/fail; see README.md "How fast"):
#   sh tests/bench/run.sh [BUILD_DIR]
set -eu
build=${1:-build}
here=$(dirname "$0")
cmake --build "$build" --target bench_kiosk bench_survey bench_export bench_sync kiosk kiosk-hub telex_oracle >/dev/null
echo "== walk-up sign-in, languages, surveys, staff screen"
"$build/tests/bench_kiosk"
sh "$here/idle_cpu.sh" "$build/kiosk/kiosk"
echo "== survey loading"
"$build/tests/bench_survey"
echo "== attendance files"
"$build/tests/bench_export"
echo "== sync"
"$build/tests/sync/bench_sync" "$build/sync/kiosk-hub" "$build/tests/sync/ksync-tool"
echo "== Telex on names and Vietnamese syllables (counts, not times)"
"$build/tests/telex_oracle" --bench /usr/share/hunspell/vi_VN.dic "$here/../data/names-en-es-fil.txt" | grep -E '^(bench|syllables|names) '
