#!/bin/sh
# Installs what is needed, builds, and runs every test: first a normal
# build with warnings as errors, then the same tests under AddressSanitizer
# and UndefinedBehaviorSanitizer.  Screenshots land in build*/shots/.
#
# Then the Raspberry Pi targets (cmake/README.md): the arm64 cross build
# with its unit tests and the tour (English, Vietnamese, Khmer at 800x480)
# under qemu, and the 32-bit armhf build, warnings as errors, with its survey
# and store checks under qemu.  KIOSK_CI_CROSS=0 skips them (a machine that
# cannot install foreign architectures); each step prints its time.
set -eu
cd "$(dirname "$0")/.."
cross="${KIOSK_CI_CROSS:-1}"
if [ "$cross" = 1 ]; then
  sh scripts/install-deps.sh --cross arm64 --cross armhf
else
  sh scripts/install-deps.sh
fi
# One throwaway PostgreSQL server for both runs: the hub's tests run on
# SQLite and again on it (tests/sync/CMakeLists.txt, fixture "pg").
pgdir=$(mktemp -d /tmp/kiosk-pg-ci.XXXXXX)
trap 'sh scripts/pg-test-server.sh stop "$pgdir"' EXIT
KIOSK_TEST_PG_URI=$(sh scripts/pg-test-server.sh start "$pgdir")
export KIOSK_TEST_PG_URI
jobs="$(nproc)"
step() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
step "default build and tests"
cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default
step "ASan + UBSan build and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan
if [ "$cross" = 1 ]; then
  step "arm64 cross build, tests under qemu"
  cmake --preset arm64 >/dev/null
  cmake --build --preset arm64 -j"$jobs"
  ctest --preset arm64-ci
  step "armhf cross build (32-bit), checks under qemu"
  cmake --preset armhf >/dev/null
  cmake --build --preset armhf -j"$jobs"
  ctest --preset armhf-ci
fi
step "done"
