/*
 * po.h - a strict reader of gettext PO and POT files.
 *
 * The catalogs translators edit (with Poedit, Weblate or a text editor) are
 * read by this module into a list of entries; i18n.c builds the lookup
 * tables on top.  What it accepts, one entry:
 *
 *   # translator comment              (kept out, except the review mark:)
 *   # reviewed by NAME, DATE          (a native speaker checked it: reviewed)
 *   #. extracted comment
 *   #: kiosk/ui/screen_done.c:21
 *   #, fuzzy, c-format                (fuzzy is kept: it means "unreviewed")
 *   #| msgid "previous text"          (ignored)
 *   msgctxt "context"                 (optional)
 *   msgid "text"
 *   msgid_plural "texts"              (optional; then msgstr[0..N-1])
 *   msgstr "translation"  or  msgstr[0] "..." msgstr[1] "..."
 *
 * Strings may continue on following lines ("..." alone on a line) and use
 * the escapes \n \t \r \" \\ \a \b \f \v; anything else is an error, and so
 * are invalid UTF-8, a string left open, a msgstr with no msgid, msgstr[N]
 * out of order and a message defined twice.  Obsolete entries (#~) are
 * skipped as gettext does.  Errors name FILE:LINE.
 *
 * The entry with an empty msgid and no context is the header; its fields
 * ("Plural-Forms: ...") are read with kpo_header_field.
 */
#ifndef KIOSK_PO_H
#define KIOSK_PO_H

#include <stddef.h>

#include "kerr.h"
#include "plural.h"

#define KPO_REVIEW_MARK "reviewed by "   /* translator comment marking a review */

#ifndef KPO_FILE_MAX_BYTES
#define KPO_FILE_MAX_BYTES (2u << 20)   /* one catalog file */
#endif

typedef struct kpo_entry {
    char *ctx;                       /* msgctxt, or NULL */
    char *id;                        /* msgid */
    char *id_plural;                 /* msgid_plural, or NULL */
    char *str[KPLURAL_FORMS_MAX];    /* msgstr, or msgstr[0..nstr-1] */
    int nstr;
    int fuzzy;                       /* "#, fuzzy": not to be shown */
    char *reviewed;                  /* "NAME, DATE" of "# reviewed by ...", or NULL */
    int line;                        /* line of the entry's first keyword */
} kpo_entry;

typedef struct kpo {
    char file[256];                  /* the name errors use */
    kpo_entry *e;                    /* entries in file order, header excluded */
    int n, cap;
    char *header;                    /* the header's msgstr, or NULL */
    int header_line;
} kpo;

/* Parses len bytes of PO text; file names the source in errors.  On error
 * po is left empty and the return is KERR_INVALID (or KERR_INTERNAL when
 * memory runs out) with "FILE:LINE: reason" in err. */
int kpo_parse(kpo *po, const char *file, const char *text, size_t len, kerr *err);

/* Reads and parses a file (KERR_IO when it cannot be read). */
int kpo_load(kpo *po, const char *path, kerr *err);

/* Frees everything po holds; po may be empty. */
void kpo_free(kpo *po);

/* Copies the value of header field name ("Plural-Forms") into buf without
 * surrounding spaces; returns 1 if the field is present, else 0. */
int kpo_header_field(const kpo *po, const char *name, char *buf, size_t cap);

#endif
