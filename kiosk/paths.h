/*
 * paths.h - where the kiosk finds the files it ships with: the translation
 * catalogs (po/), the default surveys (surveys/) and the font manifest
 * (fonts/fonts.conf).  Nothing is baked in at build time, so a kiosk built
 * in one folder runs from any other, installed under any prefix.
 *
 * The assets folder is the first of:
 *   1. --assets DIR (the command line)
 *   2. $KIOSK_ASSETS
 *   3. BIN/../share/kiosk, BIN being the folder of the running program
 *      (/proc/self/exe): /usr/bin/kiosk uses /usr/share/kiosk, a kiosk
 *      installed with --prefix /opt/kiosk uses /opt/kiosk/share/kiosk, and a
 *      build tree has build/share/kiosk, which CMake fills with links to the
 *      source's assets/ and fonts/.
 * It holds po/, surveys/ and fonts/ (fonts.conf names the font files,
 * Debian's Noto packages).  A folder without fonts/fonts.conf may have it
 * beside itself, as the source tree does (assets/ and fonts/): --assets
 * ./assets works from a checkout.  --fonts and --surveys still override one
 * part.
 */
#ifndef KIOSK_PATHS_H
#define KIOSK_PATHS_H

#include <stddef.h>

#include "kerr.h"

#define KPATHS_MAX 4096

typedef struct kpaths {
    char assets[KPATHS_MAX];   /* the folder chosen */
    char po[KPATHS_MAX];       /* assets/po: the catalogs */
    char surveys[KPATHS_MAX];  /* assets/surveys: the default surveys */
    char fonts[KPATHS_MAX];    /* the folder holding fonts.conf */
    const char *from;          /* "--assets", "KIOSK_ASSETS" or "the program's folder" */
} kpaths;

/* Finds the assets folder (assets_opt: --assets, or NULL).  KERR_NOTFOUND
 * with a message naming every place looked at, or KERR_INVALID when
 * --assets or $KIOSK_ASSETS names a folder that is not an assets folder. */
int kpaths_find(kpaths *p, const char *assets_opt, kerr *err);

/* The folder of the running program (no trailing slash), or -1. */
int kpaths_exe_dir(char *out, size_t cap);

#endif
