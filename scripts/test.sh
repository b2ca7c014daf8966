#!/bin/sh
# Installs what is needed, builds, and runs every test: first a normal
# build with warnings as errors, then the same tests under AddressSanitizer
# and UndefinedBehaviorSanitizer.  Screenshots land in build*/shots/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
jobs="$(nproc)"
cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan
