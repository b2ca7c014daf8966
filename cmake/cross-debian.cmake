# The part of a cross build that is the same for every Debian multiarch
# target: included by toolchain-arm64.cmake and toolchain-armhf.cmake, which
# set CMAKE_SYSTEM_PROCESSOR, KIOSK_TARGET_TRIPLE, KIOSK_DEB_ARCH and
# KIOSK_QEMU_NAME first.
# Libraries come from Debian's multiarch packages (libsdl2-dev:ARCH, ...),
# installed beside the host's; tests run under qemu-user (there is no
# binfmt_misc here, so CMake puts the emulator in front of each test).
set(CMAKE_SYSTEM_NAME Linux)
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
# the target's multiarch libraries (/usr/lib/${KIOSK_TARGET_TRIPLE}), and
# libc.so.6 is found there, in libc6:${KIOSK_DEB_ARCH}.  With
# `-L /usr/${KIOSK_TARGET_TRIPLE}` qemu started the cross toolchain's own
# loader (libc6-${KIOSK_DEB_ARCH}-cross, another Debian revision of glibc)
# in front of it; glibc's private data differ between revisions, and the
# first pthread_create() looped forever in the loader's stack cache
# (`kiosk-hub serve` never came up; on armhf it crashed).  So the prefix is
# the root, whose /lib/ld-linux-* is libc6:${KIOSK_DEB_ARCH}'s, when that
# package is installed (every -dev package of the target pulls it in).
find_program(KIOSK_QEMU ${KIOSK_QEMU_NAME})
if(KIOSK_QEMU)
  if(EXISTS /lib/${KIOSK_TARGET_TRIPLE}/libc.so.6)
    set(KIOSK_QEMU_PREFIX /)
  else()
    set(KIOSK_QEMU_PREFIX /usr/${KIOSK_TARGET_TRIPLE})
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR "${KIOSK_QEMU};-L;${KIOSK_QEMU_PREFIX}")
endif()
