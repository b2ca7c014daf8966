/*
 * i18n.h - the kiosk's translations: gettext PO catalogs, looked up fast.
 *
 * Every string the kiosk shows is an English msgid in the code, marked for
 * xgettext (TR/TRN in kiosk/ui/view.h, N_ and NC_ below), and translated in
 * assets/po/CODE.po.  At start ki18n_open reads the folder:
 *
 *   assets/po/LINGUAS      language codes, one a line (# comments): the
 *                          languages offered, in the order of their buttons
 *   assets/po/CODE.po      one catalog per language; CODE (the file name) is
 *                          the language tag the UI and fonts use: en, vi,
 *                          zh-Hans, zh-Hant, ko, tl, km, lo, ja
 *   assets/po/kiosk.pot    the template (scripts/update-po.sh makes it); only
 *                          the check reads it
 *
 * A language describes itself inside its own catalog, so adding one is
 * adding a file (and a line in LINGUAS), never code:
 *   - its own name, for its button ("Tiếng Việt"), is the translation of
 *     msgid "English" in context "language name" (KI18N_NAME_CTX), a normal
 *     entry that translation tools show with a comment saying what it is;
 *   - its greeting is its translation of "Welcome!" (KI18N_GREETING), the
 *     welcome screen's title;
 *   - its plural rule is the header's Plural-Forms (see plural.h);
 *   - its review status is the header's X-Review-Status, shown by the check.
 *
 * English is the source language (KI18N_SOURCE_LANG): en.po may leave every
 * msgstr empty (the msgid is shown) or reword one; the check never reports
 * its strings as untranslated.  In every other language a missing, empty
 * or fuzzy translation shows the English msgid.
 *
 * Lookup is a hash of the msgid into one table shared by all languages,
 * then an array index: cheap enough to call for every string of every
 * frame.  The catalog is read-only after ki18n_open, so any thread may use
 * it.  Pure C, no SDL: font coverage comes in through a callback.
 */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kerr.h"
#include "plural.h"
#include "po.h"

/* Marks a msgid for xgettext where the text is not translated on the spot
 * (flow.c's validation messages, tables of labels); TR() translates the
 * pointer later.  NC_ adds a context that tells apart equal English texts. */
#define N_(s) (s)
#define NC_(ctx, s) (s)

#define KI18N_SOURCE_LANG "en"            /* the language msgids are written in */
#define KI18N_TEMPLATE "kiosk.pot"
#define KI18N_LINGUAS "LINGUAS"
#define KI18N_NAME_CTX "language name"    /* msgctxt of a language's own name */
#define KI18N_NAME_MSGID "English"
#define KI18N_GREETING "Welcome!"
#define KI18N_CODE_MAX 16                 /* bytes of a code with its NUL (KFLOW_LANG_MAX) */
#ifndef KI18N_LANGS_MAX
#define KI18N_LANGS_MAX 64                /* catalogs in the folder */
#endif

typedef struct ki18n ki18n;

/* One language as its catalog describes it; strings live as long as the
 * catalog. */
typedef struct ki18n_lang {
    const char *code;       /* "zh-Hans" */
    const char *name;       /* its own name ("简体中文"); the code if untranslated */
    const char *greeting;   /* "Welcome!" in the language */
    const char *review;     /* X-Review-Status of the header, "" if none */
    const char *file;       /* path of the catalog */
    int nplurals;
} ki18n_lang;

/* Reads LINGUAS, every catalog it names and the template from po_dir.
 * Strict: any syntax error, an unreadable file, a catalog that is not
 * UTF-8 or has no Plural-Forms fails the whole open (KERR_IO/KERR_INVALID)
 * with "FILE:LINE: reason" in err, and *out is NULL.  Without LINGUAS every
 * *.po is offered, in name order. */
int ki18n_open(ki18n **out, const char *po_dir, kerr *err);

/* The codes of the languages offered (LINGUAS order), up to max, without
 * loading the catalogs: what ki18n_open would offer, for tools that only
 * need the list (survey files accept a column per language).  Same errors
 * as ki18n_open's listing. */
int ki18n_languages(const char *po_dir, char (*codes)[KI18N_CODE_MAX], int max, int *n,
                    kerr *err);

/* Frees the catalog; cat may be NULL. */
void ki18n_close(ki18n *cat);

/* Languages offered, in LINGUAS order. */
int ki18n_count(const ki18n *cat);
const ki18n_lang *ki18n_lang_at(const ki18n *cat, int i);

/* 1 if lang (or a shorter form of it: zh-Hant-TW -> zh-Hant) has a
 * catalog.  Codes match without case, '_' and '-' alike. */
int ki18n_has(const ki18n *cat, const char *lang);

/* The translation of msgid in lang, or msgid itself when there is none
 * (unknown language, missing, empty or fuzzy entry, cat NULL).  lang NULL
 * means the source language. */
const char *ki18n_tr(const ki18n *cat, const char *lang, const char *msgid);

/* The same with a msgctxt. */
const char *ki18n_trc(const ki18n *cat, const char *lang, const char *ctx, const char *msgid);

/* The plural form for n (the language's Plural-Forms), or one/many by the
 * English rule when there is no translation.  Negative n counts as -n. */
const char *ki18n_trn(const ki18n *cat, const char *lang, const char *one, const char *many,
                      long n);

/* ki18n_tr and ki18n_trn with the signatures of kui.tr and kui.trn
 * (kiosk/ui/view.h): set ui.tr_ctx to the catalog. */
const char *ki18n_tr_cb(void *cat, const char *lang, const char *msgid);
const char *ki18n_trn_cb(void *cat, const char *lang, const char *one, const char *many,
                         long n);

/* ---- the coverage check (kiosk i18n check, tests) ------------------------ */

enum ki18n_issue_kind {
    KI18N_UNTRANSLATED,   /* in the template, no usable translation */
    KI18N_FUZZY,          /* marked fuzzy: a translator must review it */
    KI18N_STALE,          /* in the catalog, no longer in the template */
    KI18N_PLACEHOLDERS,   /* {name} etc. differ between msgid and msgstr */
    KI18N_PLURAL_FORMS,   /* msgstr[] count or plural rule disagrees with nplurals */
    KI18N_NO_REVIEW,      /* header has no X-Review-Status */
    KI18N_UNLISTED,       /* CODE.po exists but LINGUAS does not name it */
    KI18N_NO_TEMPLATE,    /* kiosk.pot missing: nothing to compare with */
    KI18N_NO_FONT,        /* a character no font can draw (ki18n_check_report) */
    KI18N_GLOSSARY        /* uses a glossary's English term, not its translation */
};

typedef struct ki18n_issue {
    int kind;                 /* KI18N_ */
    const char *lang;         /* code, "" for the folder as a whole */
    const char *file;         /* catalog path */
    int line;                 /* line in file, 0 if none */
    const char *ctx;          /* msgctxt, or NULL */
    const char *msgid;        /* the message, or NULL */
    const char *msgstr;       /* the translation concerned, or NULL */
    char detail[200];         /* "missing {name}", "not in kiosk.pot" ... */
} ki18n_issue;

/* Calls fn for every problem, language by language; returns how many. */
int ki18n_check(const ki18n *cat, void (*fn)(void *ctx, const ki18n_issue *is), void *ctx);

/* Calls fn for every string a language shows: the source language's
 * msgids, every other language's usable translations (its own name among
 * them).  Stops early and returns fn's value when it is not 0. */
int ki18n_foreach_string(const ki18n *cat,
                         int (*fn)(void *ctx, const char *lang, const char *text,
                                   const char *file, int line),
                         void *ctx);

/* Prints every problem as a line, language by language:
 *   vi: untranslated: "Sign me up"
 *   km: no font for U+17A0 'ហ' in "សូមស្វាគមន៍!"
 * covers (may be NULL: no font check) answers whether some font of lang's
 * chain draws code point cp; each missing character is listed once per
 * language.  Ends with a summary line; returns the number of problems. */
int ki18n_check_report(const ki18n *cat, int (*covers)(void *ctx, uint32_t cp, const char *lang),
                       void *ctx, FILE *out);

/* 1 if msgstr uses exactly the {placeholders} of msgid and msgid_plural
 * (which may be NULL); else 0 with "missing {name}" or "unknown {nmae}"
 * in detail. */
int ki18n_placeholders_match(const char *msgid, const char *msgid_plural, const char *msgstr,
                             char *detail, size_t cap);

/* Strings in the template (0 without one). */
int ki18n_template_count(const ki18n *cat);

/* ---- review state (kiosk i18n sheet | apply | check, the staff screen) ----
 *
 * Each message of a catalog is in one state, recorded the way gettext
 * tools already keep it, so Poedit, Weblate and msgfmt --check are happy:
 *   reviewed         a translator comment "# reviewed by NAME, DATE" (the
 *                    review workbook writes it; a translator may too);
 *   stale            "#, fuzzy": the English changed since it was
 *                    translated or reviewed (msgmerge marks it); the kiosk
 *                    shows English until someone looks at it again;
 *   machine-drafted  translated, neither reviewed nor fuzzy;
 *   untranslated     no translation.
 * The source language (English) has nothing to review. */
enum ki18n_state { KI18N_ST_UNTRANSLATED, KI18N_ST_MACHINE, KI18N_ST_STALE, KI18N_ST_REVIEWED };

typedef struct ki18n_counts {
    int total, reviewed, machine, stale, untranslated;
} ki18n_counts;

/* "untranslated", "machine-drafted", "stale", "reviewed". */
const char *ki18n_state_name(int state);

/* The i-th entry of the template, or NULL. */
const kpo_entry *ki18n_template_at(const ki18n *cat, int i);

/* lang's own entry for (ctx, msgid) (fuzzy or not), or NULL. */
const kpo_entry *ki18n_entry(const ki18n *cat, const char *lang, const char *ctx,
                             const char *msgid);

/* lang's plural rule (the English one for an unknown language). */
const kplural *ki18n_rule(const ki18n *cat, const char *lang);

/* 1 if lang is the source language (English). */
int ki18n_is_source(const ki18n *cat, const char *lang);

/* The state of e, lang's entry for a message (NULL: none). */
int ki18n_entry_state(const kpo_entry *e);

/* Counts the template's messages in lang by state; 0, or -1 for an unknown
 * language or no template. */
int ki18n_review_counts(const ki18n *cat, const char *lang, ki18n_counts *out);

/* lang's review state in a word, for the staff screen: "reviewed" (every
 * message), "partly reviewed", "machine translation" (none); NULL for the
 * source language or an unknown one.  An English msgid (N_): the screen
 * translates it into the staff's language. */
const char *ki18n_review_word(const ki18n *cat, const char *lang);

/* ---- glossary: consistent words ------------------------------------------
 *
 * assets/po/glossary/CODE.csv, one term a row (a header row first):
 *   english,translation,note
 *   check in|checked in|check-in,điểm danh,not "đăng nhập" (log in)
 * Alternatives are separated by '|'.  A message whose English uses one of
 * the English forms (whole words, any case) must use one of the
 * translations; otherwise the check reports it (KI18N_GLOSSARY). */

/* Number of glossary terms loaded for lang. */
int ki18n_glossary_count(const ki18n *cat, const char *lang);

/* 0 if text (lang's translation of english) keeps lang's glossary; else the
 * term's line in the glossary file, with "\"check in\" should be
 * \"điểm danh\"" in detail. */
int ki18n_glossary_check(const ki18n *cat, const char *lang, const char *english,
                         const char *text, char *detail, size_t cap);

#endif
