/*
 * paths.c - the kiosk's own files, found relative to the running program
 * (see paths.h for the order).
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* A 32-bit build without 64-bit offsets and time (CMakeLists.txt sets both
 * for every 32-bit target) gets EOVERFLOW from readdir and stat on large
 * file systems and stops counting time in 2038. */
_Static_assert(sizeof(off_t) == 8, "off_t must be 64 bits (_FILE_OFFSET_BITS=64)");
_Static_assert(sizeof(time_t) == 8, "time_t must be 64 bits (_TIME_BITS=64)");

/* Non-zero if path is a folder. */
static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Non-zero if path is a regular file. */
static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int kpaths_exe_dir(char *out, size_t cap)
{
    char buf[KPATHS_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0 || (size_t)n >= sizeof buf - 1)
        return -1;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if (snprintf(out, cap, "%s", buf[0] ? buf : "/") >= (int)cap)
        return -1;
    return 0;
}

/* Fills p from dir if dir is an assets folder: 0, or -1 with what is
 * missing in why. */
static int try_dir(kpaths *p, const char *dir, char *why, size_t cap)
{
    char po[KPATHS_MAX], conf[KPATHS_MAX], fonts[KPATHS_MAX];
    if (!is_dir(dir)) {
        snprintf(why, cap, "%s: %s", dir, errno == ENOENT ? "no such folder" : "not a folder");
        return -1;
    }
    char real[PATH_MAX];
    if (realpath(dir, real))   /* /usr/bin/../share/kiosk reads /usr/share/kiosk */
        dir = real;
    snprintf(po, sizeof po, "%.4000s/po", dir);
    if (!is_dir(po)) {
        snprintf(why, cap, "%s has no po/ folder (the translation catalogs)", dir);
        return -1;
    }
    snprintf(fonts, sizeof fonts, "%.4000s/fonts", dir);
    snprintf(conf, sizeof conf, "%.4000s/fonts.conf", fonts);
    if (!is_file(conf)) {
        /* the source tree: assets/ with fonts/ beside it */
        snprintf(fonts, sizeof fonts, "%.4000s/../fonts", dir);
        snprintf(conf, sizeof conf, "%.4000s/fonts.conf", fonts);
        if (!is_file(conf)) {
            snprintf(why, cap, "%s has no fonts/fonts.conf (the font manifest)", dir);
            return -1;
        }
    }
    snprintf(p->assets, sizeof p->assets, "%s", dir);
    snprintf(p->po, sizeof p->po, "%s", po);
    snprintf(p->surveys, sizeof p->surveys, "%.4000s/surveys", dir);
    snprintf(p->fonts, sizeof p->fonts, "%s", fonts);
    return 0;
}

int kpaths_find(kpaths *p, const char *assets_opt, kerr *err)
{
    char why[KPATHS_MAX + 128];
    memset(p, 0, sizeof *p);
    if (assets_opt && *assets_opt) {
        p->from = "--assets";
        if (try_dir(p, assets_opt, why, sizeof why) != 0)
            return kerr_set(err, KERR_INVALID, "--assets %s is not the kiosk's assets folder: %s",
                            assets_opt, why);
        return 0;
    }
    const char *env = getenv("KIOSK_ASSETS");
    if (env && *env) {
        p->from = "KIOSK_ASSETS";
        if (try_dir(p, env, why, sizeof why) != 0)
            return kerr_set(err, KERR_INVALID,
                            "KIOSK_ASSETS=%s is not the kiosk's assets folder: %s", env, why);
        return 0;
    }
    char exe[KPATHS_MAX], dir[KPATHS_MAX + 32];
    if (kpaths_exe_dir(exe, sizeof exe) != 0)
        return kerr_set(err, KERR_NOTFOUND,
                        "cannot tell where the kiosk program is (/proc/self/exe: %s): give "
                        "--assets DIR or set KIOSK_ASSETS", strerror(errno));
    snprintf(dir, sizeof dir, "%s/../share/kiosk", exe);
    p->from = "the program's folder";
    if (try_dir(p, dir, why, sizeof why) == 0)
        return 0;
    return kerr_set(err, KERR_NOTFOUND,
                    "cannot find the kiosk's files (catalogs, surveys, fonts.conf): %s; "
                    "install the kiosk package, or give --assets DIR or set KIOSK_ASSETS "
                    "(the folder holding po/, surveys/ and fonts/)", why);
}
