# Cross build for a Raspberry Pi running 32-bit Raspberry Pi OS (Debian bookworm, armhf).
#   scripts/install-deps.sh --cross armhf     (compiler, qemu, the armhf -dev packages)
#   cmake --preset armhf && cmake --build --preset armhf -j2 && ctest --preset armhf
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(KIOSK_TARGET_TRIPLE arm-linux-gnueabihf)
set(KIOSK_DEB_ARCH armhf)
set(KIOSK_QEMU_NAME qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
