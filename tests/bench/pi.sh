#!/bin/sh
# Figures for a Raspberry Pi (issue 16, items 7 and 8); printed, never
# pass/fail.
#   sh tests/bench/pi.sh [BUILD_DIR [ARM64_BUILD_DIR]]
#
# 1. Instructions (callgrind, on this machine's build) from the program's
#    start to the first welcome frame at 800x480, and for the first frame of
#    each main screen, with an estimate for a Pi 4 and a Pi 3.  The estimate
#    divides by an assumed sustained rate for this kind of code (font
#    hinting, shaping, blits, SQLite): Pi 4 (Cortex-A72, 1.5 GHz) 2.0 G
#    instructions/s, Pi 3 (Cortex-A53, 1.2 GHz) 0.85 G/s.  x86-64 and
#    AArch64 instruction counts differ by some tens of per cent either way;
#    the figures are for comparing changes, and for orders of magnitude.
#    Three runs; the spread is printed.  Then the first welcome frame
#    with every greeting against English only (issue 11), in instructions.
# 2. Wall-clock time of the staff PIN check (Argon2id, 64 MiB) and the
#    store's open at start, clean and after a crash (quick_check), which the
#    kiosk runs off the screen's thread: natively, and under qemu-aarch64
#    when an arm64 build is given (qemu-user on this PC is neither a Pi nor a fixed ratio of one:
#    the Pi 3 estimate scales the native time by the instruction rates
#    above and says so).
set -eu
build=${1:-build}
arm=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmake --build "$build" --target bench_pi >/dev/null
tmp=$(mktemp -d /tmp/kiosk-pi-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
data="$tmp/data"
mkdir -p "$data"
"$build/tests/bench_pi" seed "$data" 2>/dev/null
assets="$root/assets"
fonts="$root/fonts"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy

if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is needed for the instruction counts (apt-get install valgrind)" >&2
  exit 2
fi
echo "== instructions to first frames at 800x480 (callgrind; x86-64 build)"
# A first start (no text cache in DATA: every run starts without one),
# then later starts (DATA/text-cache as the first start left it: what the
# welcome screen measured and drew).  The screens' first frames are those
# of the first starts.
export BENCH_NO_TEXT_CACHE=1
for run in 1 2 3 4 5 6; do
  out="$tmp/cg$run"
  mkdir -p "$out"
  if [ "$run" = 4 ]; then
    unset BENCH_NO_TEXT_CACHE
    rm -f "$data/text-cache"
    "$build/tests/bench_pi" frames "$data" "$assets" "$fonts" >/dev/null 2>&1
  fi
  valgrind --tool=callgrind --collect-atstart=yes --callgrind-out-file="$out/cg.out" \
    "$build/tests/bench_pi" frames "$data" "$assets" "$fonts" >/dev/null 2>"$out/log" || {
    cat "$out/log" >&2; exit 2; }
  # each dump: "desc: Trigger: Client Request: NAME" and "totals: N"
  # in the order dumped (by the number callgrind appends; the folder's name has dots too)
  for f in $(ls "$out"/cg.out.* | awk -F. '{ print $NF, $0 }' | sort -n | cut -d' ' -f2-); do
    awk -v later=$((run > 3)) '/^desc: Trigger: Client Request:/ { name = $5 }
         /^(totals|summary):/ { n = $2 }
         END { if (name == "cold-start" && later) print "cold-start-cached", n
               else if (name != "" && !later) print name, n }' "$f"
  done >> "$tmp/counts"
done
awk -v pi4=2.0e9 -v pi3=0.85e9 '
  { v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END {
    printf "%-22s %9s %9s %9s %8s %8s %9s\n", "", "M instr", "min", "max", "Pi 4 ms", "Pi 3 ms", "Pi 3 frames"
    for (i = 1; i <= k; i++) {
      name = order[i]; n = split(v[name], a, " ")
      # median of n (sorted by insertion)
      for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
      med = a[int((n + 1) / 2)]; lo = a[1]; hi = a[n]
      printf "%-22s %9.1f %9.1f %9.1f %8.1f %8.1f %9.1f\n", name, med / 1e6, lo / 1e6, hi / 1e6,
             med / pi4 * 1000, med / pi3 * 1000, med / pi3 * 60
      key = name; gsub(/-/, "_", key)
      printf "bench pi_%s_instructions %d instructions\n", key, med
      printf "bench pi3_%s_estimate %.1f ms\n", key, med / pi3 * 1000
      printf "bench pi4_%s_estimate %.1f ms\n", key, med / pi4 * 1000
    }
  }' "$tmp/counts"

# Issue 11: the first welcome frame with every greeting (nine scripts, every
# catalog) against English only (no catalog), from the program's start,
# in instructions; three runs of each, the ratio of the medians.
echo "== start to the first welcome frame: every greeting / English only (callgrind)"
for cache in no yes; do
for run in 1 2 3; do
  for m in all en; do
    out="$tmp/first-$cache$m$run"
    mkdir -p "$out"
    if [ "$cache" = no ]; then export BENCH_NO_TEXT_CACHE=1; else unset BENCH_NO_TEXT_CACHE; fi
    [ "$cache" = yes ] && [ "$run" = 1 ] &&
      "$build/tests/bench_pi" first "$data" "$assets" "$fonts" "$m" >/dev/null 2>&1
    valgrind --tool=callgrind --collect-atstart=yes --callgrind-out-file="$out/cg.out" \
      "$build/tests/bench_pi" first "$data" "$assets" "$fonts" "$m" >/dev/null 2>"$out/log" || {
      cat "$out/log" >&2; exit 2; }
    awk -v m="$m" '/^(totals|summary):/ { n = $2 } END { print m, n }' "$out"/cg.out.1
  done
done > "$tmp/first-$cache"
done
unset BENCH_NO_TEXT_CACHE
for cache in no yes; do
[ "$cache" = no ] && echo "-- a first start (no text cache)" || echo "-- a later start (with DATA/text-cache)"
awk -v sfx="$([ "$cache" = yes ] && echo _cached)" '
  { v[$1] = v[$1] " " $2 }
  function med(s,   a, n, x, y, t) { n = split(s, a, " ")
    for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
    lo = a[1]; hi = a[n]; return a[int((n + 1) / 2)] }
  END {
    all = med(v["all"]); alo = lo; ahi = hi
    en = med(v["en"]); elo = lo; ehi = hi
    printf "every greeting %9.1f M instructions (%.1f-%.1f)\n", all / 1e6, alo / 1e6, ahi / 1e6
    printf "English only   %9.1f M instructions (%.1f-%.1f)\n", en / 1e6, elo / 1e6, ehi / 1e6
    printf "ratio          %9.2f (%.2f-%.2f)\n", all / en, alo / ehi, ahi / elo
    printf "bench pi_first_frame_all%s_instructions %d instructions\n", sfx, all
    printf "bench pi_first_frame_en%s_instructions %d instructions\n", sfx, en
    printf "bench pi_first_frame_ratio%s %.2f x\n", sfx, all / en
    printf "bench pi_first_frame_ratio%s_spread %.2f x\n", sfx, ahi / elo - alo / ehi
  }' "$tmp/first-$cache"
done

# What runs off the screen's thread (issue 16, item 7): the staff PIN's
# check and the store's open at start, after a clean stop and after an
# unclean one (PRAGMA quick_check of the whole file), on a store of
# $PI_BENCH_PEOPLE people (default 10000; quick_check grows with the file).
people=${PI_BENCH_PEOPLE:-10000}
big="$tmp/big"
mkdir -p "$big"
"$build/tests/bench_pi" seed "$big" "$people" 2>/dev/null
echo "== off the screen's thread: PIN check and store open, $people people (wall clock)"
"$build/tests/bench_pi" slow "$big" 5 | sed 's/^bench /bench native_/'
if [ -n "$arm" ] && [ -x "$arm/tests/bench_pi" ] && command -v qemu-aarch64-static >/dev/null; then
  cmake --build "$arm" --target bench_pi >/dev/null
  echo "-- the same under qemu-aarch64 (arm64 build; -L /: the target's own loader)"
  qemu-aarch64-static -L / "$arm/tests/bench_pi" slow "$big" 3 |
    sed 's/^bench /bench qemu_arm64_/'
fi
echo "== instructions of each (callgrind, one run; Pi 3 at 0.85 G instructions/s)"
for what in pin check; do
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$what.out" \
    "$build/tests/bench_pi" "$what" "$big" >/dev/null 2>"$tmp/$what.log" || true
  awk -v pi3=0.85e9 -v what="$what" '/^(totals|summary):/ { n = $2 }
    END { if (!n) exit
          name = what == "pin" ? "pin_check" : "store_open_after_crash"
          note = what == "pin" ? "Argon2id is bound by memory bandwidth too: expect more" \
                               : "plus reading the file from the SD card"
          printf "%-24s %8.0f M instructions; Pi 3 estimate %6.0f ms (compute only; %s)\n",
                 name, n / 1e6, n / pi3 * 1000, note
          printf "bench pi_%s_instructions %d instructions\n", name, n
          printf "bench pi3_%s_estimate %.0f ms\n", name, n / pi3 * 1000 }' "$tmp/$what.out"
done
