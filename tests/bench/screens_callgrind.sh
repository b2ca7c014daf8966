#!/bin/sh
# Instructions per frame of each main screen at 800x480 (callgrind), the
# stand-in for a Raspberry Pi's CPU (issue 11, "Speed"); printed, never
# pass/fail.
#   sh tests/bench/screens_callgrind.sh [BUILD_DIR [FRAMES]]
# Three runs of bench_screens under callgrind, FRAMES (default 20) full
# rebuilds and draws of each screen after one warm-up frame; prints the
# median instructions per frame with the spread of the three runs, and
# `bench callgrind_frame_SCREEN VALUE Minstr` lines (and _spread).
set -eu
build=${1:-build}
frames=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmake --build "$build" --target bench_screens >/dev/null
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is needed for the instruction counts (apt-get install valgrind)" >&2
  exit 2
fi
tmp=$(mktemp -d /tmp/kiosk-screens-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data"
"$build/tests/bench_screens" seed "$tmp/data" 2>/dev/null
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
echo "== instructions per frame at 800x480, $frames frames of each screen, 3 runs (callgrind)"
for run in 1 2 3; do
  out="$tmp/cg$run"
  mkdir -p "$out"
  valgrind --tool=callgrind --collect-atstart=yes --callgrind-out-file="$out/cg.out" \
    "$build/tests/bench_screens" frames "$tmp/data" "$root/assets" "$root/fonts" "$frames" \
    >"$out/walk" 2>"$out/log" || { cat "$out/log" >&2; exit 2; }
  # in the order dumped (by the number callgrind appends; the folder's name has dots too)
  for f in $(ls "$out"/cg.out.* | awk -F. '{ print $NF, $0 }' | sort -n | cut -d' ' -f2-); do
    awk -v frames="$frames" '/^desc: Trigger: Client Request:/ { name = $5 }
         /^(totals|summary):/ { n = $2 }
         END { if (name ~ /^frames-/) print substr(name, 8), n / frames }' "$f"
  done >> "$tmp/counts"
done
sed 's/^/screen walked: /' "$tmp/cg1/walk"
awk '
  { v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END {
    printf "%-14s %14s %12s %12s\n", "screen", "M instr/frame", "min", "max"
    for (i = 1; i <= k; i++) {
      name = order[i]; n = split(v[name], a, " ")
      for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
      med = a[int((n + 1) / 2)]
      printf "%-14s %14.2f %12.2f %12.2f\n", name, med / 1e6, a[1] / 1e6, a[n] / 1e6
      b[i] = sprintf("bench callgrind_frame_%s %.3f Minstr\nbench callgrind_frame_%s_spread %.3f Minstr", name, med / 1e6, name, (a[n] - a[1]) / 1e6)
    }
    for (i = 1; i <= k; i++) print b[i]
  }' "$tmp/counts"
