#!/bin/sh
# Installs the Debian packages the kiosk needs to build, run and test, on
# Debian 12 or Raspberry Pi OS (bookworm).  Safe to run again.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES="
  build-essential cmake pkg-config git
  libsdl2-dev libsdl2-ttf-dev libsqlite3-dev sqlite3 libqrencode-dev zlib1g-dev
  libsodium-dev libcjson-dev libxlsxwriter-dev libcurl4-openssl-dev libmicrohttpd-dev
  fonts-noto-core fonts-noto-cjk
  python3 python3-openpyxl xvfb xauth xdotool zbar-tools clang gettext openssl
"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
