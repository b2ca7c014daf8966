#!/bin/sh
# Installs what is needed, builds, and runs every test: first a normal
# build with warnings as errors, then the same tests under AddressSanitizer
# and UndefinedBehaviorSanitizer.  Screenshots land in build*/shots/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
# One throwaway PostgreSQL server for both runs: the hub's tests run on
# SQLite and again on it (tests/sync/CMakeLists.txt, fixture "pg").
pgdir=$(mktemp -d /tmp/kiosk-pg-ci.XXXXXX)
trap 'sh scripts/pg-test-server.sh stop "$pgdir"' EXIT
KIOSK_TEST_PG_URI=$(sh scripts/pg-test-server.sh start "$pgdir")
export KIOSK_TEST_PG_URI
jobs="$(nproc)"
cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan
