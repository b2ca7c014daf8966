#!/bin/sh
# Installs what is needed, builds, and starts the kiosk on a demo event: in
# a window when a desktop is running, else full screen (KMS on a Pi).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
set -- --demo --data "${KIOSK_DATA:-$HOME/.local/share/kiosk-demo}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  set -- "$@" --windowed --size 1280x800
fi
exec ./build/kiosk/kiosk "$@"
