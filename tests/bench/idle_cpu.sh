#!/bin/sh
# Idle CPU of the kiosk on the welcome screen, in a real X window (Xvfb),
# over 10 s after it settled: (utime + stime) / elapsed.
#   idle_cpu.sh KIOSK [SECONDS]
set -eu
kiosk=$1
secs=${2:-10}
data=$(mktemp -d /tmp/kiosk-idle.XXXXXX)
display=:$((90 + $$ % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $kiosk_pid $xvfb 2>/dev/null; rm -rf "$data"' EXIT
sleep 1
DISPLAY=$display "$kiosk" --data "$data" --demo --windowed --size 1280x800 2>/dev/null &
kiosk_pid=$!
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$kiosk_pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" \
  'BEGIN { printf "idle CPU on welcome under Xvfb, %d s: %.2f %% of one core\n", s, (b - a) / hz / s * 100 }'
