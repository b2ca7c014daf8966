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
find_program(KIOSK_QEMU ${KIOSK_QEMU_NAME})
if(KIOSK_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${KIOSK_QEMU};-L;/usr/${KIOSK_TARGET_TRIPLE}")
endif()
