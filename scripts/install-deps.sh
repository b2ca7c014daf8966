#!/bin/sh
# Installs the Debian packages the kiosk needs to build, run and test, on
# Debian 12 or Raspberry Pi OS (bookworm).  Safe to run again.
# One line per capability, so each part of the project says what it needs.
#
#   scripts/install-deps.sh                 build, run and test on this machine
#   scripts/install-deps.sh --cross arm64   also cross-build for a 64-bit Pi
#   scripts/install-deps.sh --cross armhf   also cross-build for a 32-bit Pi
#                                           (--cross may be given twice)
# --cross adds the target architecture to dpkg (multiarch), then installs the
# cross compiler (gcc-*-linux-gnu*, not crossbuild-essential-*, which upgrades
# perl), qemu-user-static to run the target's tests, and the target's -dev
# packages beside the host's.  apt keeps a library at one version across
# architectures: installing the arm64 one may upgrade the amd64 one to the
# same (security) release.  See cmake/README.md.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
CROSS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cross)
      case "${2:-}" in
        arm64|armhf) CROSS="$CROSS $2" ;;
        *) echo "install-deps: --cross needs arm64 or armhf, not '${2:-}'" >&2; exit 2 ;;
      esac
      shift 2 ;;
    *) echo "usage: $0 [--cross arm64|armhf]..." >&2; exit 2 ;;
  esac
done
# build and the kiosk itself
PKG_BUILD="build-essential cmake pkg-config git"
PKG_KIOSK="libsdl2-dev libsdl2-ttf-dev libsqlite3-dev sqlite3 libqrencode-dev zlib1g-dev libsodium-dev libcjson-dev libxlsxwriter-dev fonts-noto-core fonts-noto-cjk"
# sync client and hub
PKG_SYNC="libcurl4-openssl-dev libmicrohttpd-dev"
# tests: Python checks, a real X server for the input test, QR decoding, sanitizers, msgfmt, TLS
PKG_TEST="python3 python3-openpyxl xvfb xauth xdotool zbar-tools clang gettext openssl"
# line breaking by ICU; oracles for names and typing (ICU transliteration, libhangul, m17n Telex, hunspell-vi)
PKG_TEXT="libicu-dev libharfbuzz-dev python3-icu libhangul-dev m17n-db libm17n-dev hunspell-vi"
# translation review workbook: read back with openpyxl and LibreOffice
PKG_I18N="python3-polib libreoffice-calc-nogui"
# hub on PostgreSQL; hub web page tested in a real browser (node and npm come with the machine image)
PKG_HUB="libpq-dev postgresql chromium"
# benchmarks: instruction counts (callgrind, and its client-request header for bench_pi)
PKG_BENCH="valgrind"
# cross builds (--cross): compilers per target, the emulator for the target's
# tests, and the target's libraries (the -dev packages of the lines above that
# Debian can install beside the host's: Multi-Arch: same)
PKG_CROSS_arm64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
PKG_CROSS_armhf="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"
PKG_CROSS_RUN="qemu-user-static dpkg-dev"
PKG_CROSS_TARGET="libsdl2-dev libsdl2-ttf-dev libsqlite3-dev libqrencode-dev zlib1g-dev libsodium-dev libcjson-dev libxlsxwriter-dev libcurl4-openssl-dev libmicrohttpd-dev libicu-dev libharfbuzz-dev"
# screens: contact sheets of every screen (PIL), instructions per frame (valgrind's callgrind)
PKG_SCREENS="python3-pil valgrind"
PACKAGES="$PKG_BUILD $PKG_KIOSK $PKG_SYNC $PKG_TEST $PKG_TEXT $PKG_I18N $PKG_HUB $PKG_BENCH $PKG_SCREENS"
for arch in $CROSS; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "install-deps: adding the $arch architecture to dpkg"
    $SUDO dpkg --add-architecture "$arch"
  fi
  eval "PACKAGES=\"\$PACKAGES \$PKG_CROSS_$arch $PKG_CROSS_RUN\""
  for p in $PKG_CROSS_TARGET; do PACKAGES="$PACKAGES $p:$arch"; done
done
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
