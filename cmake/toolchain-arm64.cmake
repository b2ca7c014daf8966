# Cross build for a Raspberry Pi running 64-bit Raspberry Pi OS (Debian bookworm, arm64).
#   scripts/install-deps.sh --cross arm64     (compiler, qemu, the arm64 -dev packages)
#   cmake --preset arm64 && cmake --build --preset arm64 -j2 && ctest --preset arm64
# Libraries come from Debian's multiarch packages (libsdl2-dev:arm64, ...),
# installed beside the host's; tests run under qemu-user (there is no
# binfmt_misc here, so CMake puts the emulator in front of each test).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KIOSK_TARGET_TRIPLE aarch64-linux-gnu)
set(KIOSK_DEB_ARCH arm64)

set(CMAKE_C_COMPILER ${KIOSK_TARGET_TRIPLE}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${KIOSK_TARGET_TRIPLE})

# Programs (python3, sh, xgettext) are the host's; headers and libraries the
# target's (multiarch: /usr/lib/${KIOSK_TARGET_TRIPLE}, /usr/include).
set(CMAKE_FIND_ROOT_PATH /usr/${KIOSK_TARGET_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# Without this pkg-config answers with the host's library paths.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${KIOSK_TARGET_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})

# Tests: CMake runs test executables through this; scripts and Python tests
# get wrappers that do the same (kiosk_runnable() in CMakeLists.txt).
# The loader and libc must come from one glibc build.  The programs link
# against the target's multiarch libraries (/usr/lib/${KIOSK_TARGET_TRIPLE}),
# and their loader finds libc.so.6 there, in libc6:${KIOSK_DEB_ARCH}; with
# `-L /usr/${KIOSK_TARGET_TRIPLE}` qemu would start the cross toolchain's own
# loader (libc6-${KIOSK_DEB_ARCH}-cross, another Debian revision) in front of
# it, and glibc's private layout differs between revisions: the first
# pthread_create() then loops forever in the loader's stack cache
# (`kiosk-hub serve` never came up).  So the prefix is the root, whose
# /lib/ld-linux-aarch64.so.1 is libc6:${KIOSK_DEB_ARCH}'s, when that package is installed.
find_program(KIOSK_QEMU qemu-aarch64-static)
if(KIOSK_QEMU)
  if(EXISTS /lib/ld-linux-aarch64.so.1)
    set(KIOSK_QEMU_PREFIX /)
  else()
    set(KIOSK_QEMU_PREFIX /usr/${KIOSK_TARGET_TRIPLE})
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR "${KIOSK_QEMU};-L;${KIOSK_QEMU_PREFIX}")
endif()
