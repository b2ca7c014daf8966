# Time limits of tests that run under an emulator (cross builds, qemu-user).
#
# qemu-user runs target code 3-10 times slower than the host runs its own,
# and the slowest work (Argon2id at 64 MiB: test_staff checks a dozen PINs)
# slows the most; on a loaded machine a native limit of 120 s is not enough
# (test_staff took 79 s alone and timed out at 120 s beside the hub tests).
# A test that hangs still fails, only later: every TIMEOUT given to a test
# in the folder that calls kiosk_emulated_timeouts() (at its end: CMake 3.25
# sets a test's properties only from its own folder) is multiplied by
# KIOSK_EMULATED_TIMEOUT_FACTOR.
set(KIOSK_EMULATED_TIMEOUT_FACTOR 4 CACHE STRING
    "multiplier of test time limits when tests run under an emulator")

function(kiosk_emulated_timeouts)
  if(NOT (CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR))
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t IN LISTS tests)
    get_test_property(${t} TIMEOUT limit)
    if(limit)
      math(EXPR limit "${limit} * ${KIOSK_EMULATED_TIMEOUT_FACTOR}")
      set_tests_properties(${t} PROPERTIES TIMEOUT ${limit})
    endif()
  endforeach()
endfunction()
