#!/bin/sh
# All the kiosk's speed figures in one run (after a build):
#   sh tests/bench/run.sh [BUILD_DIR]
set -eu
build=${1:-build}
"$build/tests/bench_kiosk"
sh "$(dirname "$0")/idle_cpu.sh" "$build/kiosk/kiosk"
