/*
 * places.h - records where texts are shown: every text a screen fits into a
 * box, with the box and its sizes, one line per distinct place.
 *
 * The translation review (kiosk i18n sheet) runs the replay tours with
 * `--places FILE` in each language; kiosk/core/i18n_review.c then matches
 * the texts to catalog messages and survey labels, so the workbook can say
 * on which screens a message appears and the tightest box it must fit, and
 * `kiosk i18n apply` can refuse a correction that would no longer fit.
 *
 * File format, UTF-8, one place a line, tab-separated:
 *   screen  lang  box_w  box_h  px  min_px  flags  text
 * where text has \\, \t and \n escaped.  Lines repeat only when some field
 * differs.  No SDL here.
 */
#ifndef KIOSK_PLACES_H
#define KIOSK_PLACES_H

#include "kerr.h"
#include "view.h"

typedef struct kplaces kplaces;

/* Creates (truncates) path. */
int kplaces_open(kplaces **out, const char *path, kerr *err);

/* Flushes and closes; returns 0, or -1 if a write failed. */
int kplaces_close(kplaces *p);

/* The kui.on_text observer; ctx is the kplaces. */
void kplaces_on_text(void *ctx, const char *screen, const char *lang, const char *text,
                     krect box, int px, int min_px, int flags);

#endif
