# Installation and Debian packages.
#   cmake --install BUILD --prefix /opt/kiosk     everything, under any prefix
#   (cd BUILD && cpack -G DEB)                    kiosk_VERSION_ARCH.deb and
#                                                 kiosk-hub_VERSION_ARCH.deb
# The architecture is the build's: amd64 natively, arm64 or armhf with the
# cross presets (cmake/toolchain-*.cmake).  Dependencies on shared libraries
# come from dpkg-shlibdeps; the fonts are Debian's Noto packages, never
# copies.  The layout the program expects (kiosk/paths.h):
#   BIN/kiosk, BIN/../share/kiosk/{po,surveys,fonts}
include(GNUInstallDirs)

set(KIOSK_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/kiosk)

# ---- the build tree looks like an installation: build/share/kiosk ----------
# links to the sources, so build/kiosk/kiosk finds its files the same way an
# installed one does (and an edited catalog needs no rebuild).
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/share/kiosk)
foreach(pair po:${CMAKE_SOURCE_DIR}/assets/po surveys:${CMAKE_SOURCE_DIR}/assets/surveys
             fonts:${CMAKE_SOURCE_DIR}/fonts hub:${CMAKE_SOURCE_DIR}/assets/hub)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 name)
  list(GET pair 1 target)
  if(NOT EXISTS ${CMAKE_BINARY_DIR}/share/kiosk/${name})
    file(CREATE_LINK ${target} ${CMAKE_BINARY_DIR}/share/kiosk/${name} SYMBOLIC)
  endif()
endforeach()

# ---- install ----------------------------------------------------------------
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/po/ DESTINATION ${KIOSK_SHARE_DIR}/po
        COMPONENT kiosk FILES_MATCHING PATTERN "*.po" PATTERN "*.pot" PATTERN "LINGUAS"
        PATTERN "*.csv")   # glossary/CODE.csv
# the hub's web page: style sheet and catalogs (sync/hub/hub_web.h)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/hub/ DESTINATION ${KIOSK_SHARE_DIR}/hub
        COMPONENT hub FILES_MATCHING PATTERN "*.css" PATTERN "*.po" PATTERN "*.pot"
        PATTERN "LINGUAS")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/surveys/ DESTINATION ${KIOSK_SHARE_DIR}/surveys
        COMPONENT kiosk FILES_MATCHING PATTERN "*.csv" PATTERN "README.md")
install(FILES ${CMAKE_SOURCE_DIR}/fonts/fonts.conf ${CMAKE_SOURCE_DIR}/fonts/README.md
              ${CMAKE_SOURCE_DIR}/fonts/LICENSE-OFL.txt
        DESTINATION ${KIOSK_SHARE_DIR}/fonts COMPONENT kiosk)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT kiosk)

# The service and the staff "Shut down" button's sudo rule, written at
# install time for the prefix installed to (cmake --install --prefix, or
# /usr in a package): ExecStart names that prefix's kiosk; the sudo rule goes
# to /etc for /usr, else PREFIX/etc.
install(CODE "
  set(KIOSK_SERVICE_IN \"${CMAKE_SOURCE_DIR}/assets/systemd/kiosk.service.in\")
  set(KIOSK_SUDOERS \"${CMAKE_SOURCE_DIR}/assets/systemd/kiosk-poweroff.sudoers\")
  set(KIOSK_BUILD_DIR \"${CMAKE_BINARY_DIR}\")
  set(KIOSK_BIN_SUBDIR \"${CMAKE_INSTALL_BINDIR}\")
" COMPONENT kiosk)
install(CODE [[
  set(KIOSK_BINDIR "${CMAKE_INSTALL_PREFIX}/${KIOSK_BIN_SUBDIR}")
  set(KIOSK_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(kiosk_etc /etc)
  else()
    set(kiosk_etc "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
  configure_file("${KIOSK_SERVICE_IN}" "${KIOSK_BUILD_DIR}/install-unit/kiosk.service" @ONLY)
  file(INSTALL "${KIOSK_BUILD_DIR}/install-unit/kiosk.service" DESTINATION "${KIOSK_UNIT_DIR}")
  file(INSTALL "${KIOSK_SUDOERS}" DESTINATION "${kiosk_etc}/sudoers.d" RENAME kiosk-poweroff
       PERMISSIONS OWNER_READ GROUP_READ)
]] COMPONENT kiosk)

# ---- Debian packages ----------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Sign-in kiosk project")
set(CPACK_PACKAGE_CONTACT "Sign-in kiosk maintainers <kiosk@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Offline-first sign-in kiosk for community events")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)          # the install step sees /usr, not the staging folder
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk hub)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${KIOSK_DEB_ARCH})   # CMakeLists.txt
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "fonts-noto-core, fonts-noto-cjk, passwd, util-linux")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "sudo")
set(CPACK_DEBIAN_KIOSK_DESCRIPTION
  "Offline-first sign-in kiosk for community events\n Full-screen touch sign-in in nine languages (SDL2, KMS on a Raspberry Pi),\n SQLite store, staff screen, attendance export, sync to a hub.  Runs as the\n kiosk service (user kiosk, data in /var/lib/kiosk).")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/cmake/deb/postinst ${CMAKE_SOURCE_DIR}/cmake/deb/prerm
    ${CMAKE_SOURCE_DIR}/cmake/deb/postrm)
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_HUB_PACKAGE_NAME kiosk-hub)
set(CPACK_DEBIAN_HUB_DESCRIPTION
  "Hub for sign-in kiosks: collects their records\n Receives sign-ins from kiosks over HTTP or USB bundles and exports the\n merged attendance across kiosks.")
include(CPack)
