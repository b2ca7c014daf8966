/*
 * i18n_sheet.h - the review workbook (kiosk i18n sheet), written with
 * libxlsxwriter.
 *
 * One sheet per language, named by its code ("vi", "km"), laid out for a
 * volunteer reading it in LibreOffice or Excel:
 *
 *   row 1   the language and what to do
 *   row 2   "Your name:" and the cell B2 where the reviewer writes it
 *   row 4   the column heads; rows 1-4 and column A stay in view (frozen)
 *   A  key or context        B  English           C  current translation
 *   D  your correction       E  note              F  "x" = correct as it is
 *   G  review state          H  screens           I  widest place at 800x480
 *   J  (hidden) the item's id, K (hidden) every box it must fit
 *
 * and a sheet "CODE pictures" with the replay screenshots of that language,
 * so the reviewer sees each sentence in place.  The columns D, E, F and B2
 * are what `kiosk i18n apply` reads back (scripts/i18n_apply.py).
 */
#ifndef KIOSK_I18N_SHEET_H
#define KIOSK_I18N_SHEET_H

#include "i18n_review.h"
#include "kerr.h"

#define KSHEET_FIRST_ROW 5          /* 1-based row of the first item */
#define KSHEET_NAME_CELL "B2"       /* where the reviewer writes their name */

typedef struct ksheet_lang {
    kreview *r;                     /* the items, with their places */
    const char *code, *name;        /* "km", "ខ្មែរ" */
    char **shots;                   /* screenshot paths */
    char **captions;                /* a caption for each */
    int nshots;
} ksheet_lang;

/* Writes the workbook to path. */
int ksheet_write(const char *path, const ksheet_lang *langs, int nlangs, kerr *err);

/* Encodes the boxes of it as "w,h,px,min_px,flags,screen;..." into buf. */
void ksheet_places_encode(const kreview_item *it, char *buf, size_t cap);

#endif
