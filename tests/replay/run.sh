#!/bin/sh
# Runs one replay script against a fresh data folder:
#   run.sh KIOSK SCRIPT SIZE SHOTDIR [--survey KEY] [--pin PIN] [--pin-hash-file F]
#          [more kiosk options]
# By default the data folder holds the demo event and people (--demo); with
# --survey KEY it holds one event, "Community Night", that serves that
# survey.  --pin sets the staff PIN first; --pin-hash-file stores the PIN
# hash in file F as an older kiosk did.  In the kiosk options, @DATA@
# stands for the data folder (which has an empty usb/ folder in it).
set -eu
kiosk=$1 script=$2 size=$3 shots=$4
shift 4
data=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-replay.XXXXXX")
trap 'rm -rf "$data"' EXIT
mkdir -p "$shots" "$data/usb"
demo=--demo
while [ $# -gt 0 ]; do
  case "$1" in
    --survey)
      "$kiosk" --data "$data" event add "Community Night" --program general --survey "$2" >/dev/null
      demo=""
      shift 2 ;;
    --pin)
      printf '%s\n%s\n' "$2" "$2" | "$kiosk" --data "$data" staff set-pin >/dev/null
      shift 2 ;;
    --pin-hash-file)
      # A PIN as an older kiosk stored it (e.g. 4 digits, before the 6-digit
      # rule): its Argon2id hash written straight into the settings.
      "$kiosk" --data "$data" staff status >/dev/null
      python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
          ("setting.staff.pin_hash", open(sys.argv[2]).read().strip()))
c.commit()' "$data/kiosk.db" "$2"
      shift 2 ;;
    *) break ;;
  esac
done
args=""
for a in "$@"; do
  args="$args $(printf '%s' "$a" | sed "s|@DATA@|$data|g")"
done
# shellcheck disable=SC2086
"$kiosk" --replay "$script" --size "$size" --screenshots "$shots" --data "$data" $demo $args
