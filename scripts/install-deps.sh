#!/bin/sh
# Installs the Debian packages the kiosk needs to build, run and test, on
# Debian 12 or Raspberry Pi OS (bookworm).  Safe to run again.
# One line per capability, so each part of the project says what it needs.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# build and the kiosk itself
PKG_BUILD="build-essential cmake pkg-config git"
PKG_KIOSK="libsdl2-dev libsdl2-ttf-dev libsqlite3-dev sqlite3 libqrencode-dev zlib1g-dev libsodium-dev libcjson-dev libxlsxwriter-dev fonts-noto-core fonts-noto-cjk"
# sync client and hub
PKG_SYNC="libcurl4-openssl-dev libmicrohttpd-dev"
# tests: Python checks, a real X server for the input test, QR decoding, sanitizers, msgfmt, TLS
PKG_TEST="python3 python3-openpyxl xvfb xauth xdotool zbar-tools clang gettext openssl"
# line breaking by ICU; oracles for names and typing (ICU transliteration, libhangul, m17n Telex, hunspell-vi)
PKG_TEXT="libicu-dev python3-icu libhangul-dev m17n-db libm17n-dev hunspell-vi"
# translation review workbook: read back with openpyxl and LibreOffice
PKG_I18N="python3-polib libreoffice-calc-nogui"
# hub on PostgreSQL; hub web page tested in a real browser (node and npm come with the machine image)
PKG_HUB="libpq-dev postgresql chromium"
# screens: contact sheets of every screen (PIL), instructions per frame (valgrind's callgrind)
PKG_SCREENS="python3-pil valgrind"
PACKAGES="$PKG_BUILD $PKG_KIOSK $PKG_SYNC $PKG_TEST $PKG_TEXT $PKG_I18N $PKG_HUB $PKG_SCREENS"
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
