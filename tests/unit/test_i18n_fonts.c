/*
 * test_i18n_fonts.c - the staff language check (`kiosk i18n check`) run on
 * the shipped catalogs against the real font manifest: no string is
 * untranslated, fuzzy or stale, and every character of every catalog has a
 * font in its language's chain (no tofu boxes at the door).  Headless: the
 * text layer needs no renderer to answer ktext_covers().
 *
 *   test_i18n_fonts [PO_DIR [FONTS_DIR]]
 *
 * Prints the report, so a failure shows the lines a person would see.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in ktest.h */

#include "ktest.h"

#include <stdint.h>

#include "core/i18n.h"
#include "ui/text.h"

#ifndef KIOSK_SOURCE_PO
#define KIOSK_SOURCE_PO "assets/po"
#endif
#ifndef KIOSK_FONTS_DIR
#define KIOSK_FONTS_DIR "fonts"
#endif

/* ktext_covers with the callback signature of ki18n_check_report. */
static int covers(void *t, uint32_t cp, const char *lang)
{
    return ktext_covers(t, cp, lang);
}

/* A font chain that lacks Khmer, to prove the check would notice. */
static int covers_no_khmer(void *t, uint32_t cp, const char *lang)
{
    return !(cp >= 0x1780 && cp <= 0x17ff) && ktext_covers(t, cp, lang);
}

int main(int argc, char **argv)
{
    const char *po_dir = argc > 1 ? argv[1] : KIOSK_SOURCE_PO;
    const char *fonts_dir = argc > 2 ? argv[2] : KIOSK_FONTS_DIR;
    SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
    ktext *t = NULL;
    ki18n *cat = NULL;
    kerr err = {0};
    if (ktext_open(&t, fonts_dir, NULL, &err) != 0) {
        fprintf(stderr, "ktext_open: %s\n", err.msg);
        return 2;
    }
    if (ki18n_open(&cat, po_dir, &err) != 0) {
        fprintf(stderr, "ki18n_open: %s\n", err.msg);
        ktext_close(t);
        return 2;
    }
    const char *missing = ktext_missing(t);
    if (missing[0])
        fprintf(stderr, "fonts missing on this machine:\n%s\n", missing);

    fprintf(stderr, "-- the report\n");
    CHECK_INT(ki18n_check_report(cat, covers, t, stdout), 0);

    /* Without a Khmer font each Khmer letter of km.po is listed once. */
    fprintf(stderr, "-- a chain without Khmer\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int n = ki18n_check_report(cat, covers_no_khmer, t, out);
    fclose(out);
    CHECK(n > 10);
    CHECK(strstr(buf, "km: no font for U+") != NULL);
    CHECK(strstr(buf, "vi: no font") == NULL);
    free(buf);

    ki18n_close(cat);
    ktext_close(t);
    return ktest_summary();
}
