# Cross build for a Raspberry Pi running 64-bit Raspberry Pi OS (Debian bookworm, arm64).
#   scripts/install-deps.sh --cross arm64     (compiler, qemu, the arm64 -dev packages)
#   cmake --preset arm64 && cmake --build --preset arm64 -j2 && ctest --preset arm64
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KIOSK_TARGET_TRIPLE aarch64-linux-gnu)
set(KIOSK_DEB_ARCH arm64)
set(KIOSK_QEMU_NAME qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/cross-debian.cmake)
