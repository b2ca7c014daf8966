#!/bin/sh
# Resident memory of the kiosk's screens in a real X window (Xvfb) with the
# software renderer, every script drawn (`bench_kiosk memory`):
#   xvfb_memory.sh BENCH_KIOSK
set -eu
bench=$1
display=:$((80 + $$ % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
sleep 1
DISPLAY=$display SDL_VIDEODRIVER=x11 "$bench" memory
