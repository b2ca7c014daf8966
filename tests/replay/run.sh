#!/bin/sh
# Runs one replay script against a fresh data folder with the demo event:
#   run.sh KIOSK SCRIPT SIZE SHOTDIR [more kiosk options]
set -eu
kiosk=$1 script=$2 size=$3 shots=$4
shift 4
data=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-replay.XXXXXX")
trap 'rm -rf "$data"' EXIT
mkdir -p "$shots"
"$kiosk" --replay "$script" --size "$size" --screenshots "$shots" --data "$data" --demo "$@"
