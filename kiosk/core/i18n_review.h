/*
 * i18n_review.h - what a reviewer sees of one language: every message of
 * the catalogs and every label of the shipped surveys, with its English,
 * its current translation, its review state, the screens where it appears
 * and the boxes it must fit at 800x480.
 *
 * Used by `kiosk i18n sheet` (the workbook), `kiosk i18n apply` (the fit
 * check of corrections) and `kiosk i18n check` (survey counts).
 *
 * Where a text appears is learned from a replay run with --places (see
 * kiosk/ui/places.h): each recorded text is matched to the message whose
 * translation it is, a {placeholder} standing for any text.
 *
 * Survey labels keep their review state beside the catalogs, in
 * assets/po/survey-reviews.csv (KREVIEW_SURVEY_FILE):
 *   file,row,key,choice,lang,english,reviewer
 * A label is reviewed while its English is still the one reviewed; stale
 * once the English changed.
 */
#ifndef KIOSK_I18N_REVIEW_H
#define KIOSK_I18N_REVIEW_H

#include "i18n.h"
#include "kerr.h"

#define KREVIEW_SURVEY_FILE "survey-reviews.csv"
#define KREVIEW_PLACES_MAX 32       /* distinct boxes kept per item */

enum { KREVIEW_PO, KREVIEW_SURVEY };

typedef struct kreview_place {
    char screen[24];
    int w, h, px, min_px, flags;
} kreview_place;

typedef struct kreview_item {
    int kind;                 /* KREVIEW_ */
    char *id;                 /* stable key, JSON: ["po",FORM,CTX|null,MSGID] or
                                 ["survey",FILE,ROW,KEY,CHOICE|null] */
    char *label;              /* key or context as a person reads it */
    char *english;            /* the English (msgid; for plural form > 0, msgid_plural) */
    char *current;            /* the translation now, "" if none */
    const char *ctx, *msgid, *msgid_plural;   /* PO items: the catalog's strings */
    int form, nforms;         /* plural form, of how many; form -1 = not plural */
    int state;                /* enum ki18n_state */
    char *reviewer;           /* "NAME, DATE", or NULL */
    char *file;               /* catalog or survey file */
    int line;
    char screens[200];        /* "find, form" */
    kreview_place place[KREVIEW_PLACES_MAX];
    int nplaces;
} kreview_item;

typedef struct kreview {
    char lang[16];
    kreview_item *it;
    int n, cap;
} kreview;

/* The items of lang: the template's messages (one per plural form), then
 * each survey file's labels (title, questions, choices) of surveys_dir.
 * po_dir holds the survey review file. */
int kreview_build(kreview *r, const ki18n *cat, const char *lang, const char *po_dir,
                  const char *surveys_dir, kerr *err);

/* Reads a places file (kiosk/ui/places.h) and records, for every item of
 * r whose text (the translation shown, or the English when none is)
 * matches a place's text in r's language, the screen and the box. */
int kreview_add_places(kreview *r, const char *places_path, kerr *err);

/* The item with that id, or NULL. */
kreview_item *kreview_find(kreview *r, const char *id);

/* The tightest place of it (smallest width), or NULL if none is known. */
const kreview_place *kreview_tightest(const kreview_item *it);

/* 1 if text matches pattern, where {name} in the pattern stands for one
 * or more characters. */
int kreview_pattern_match(const char *pattern, const char *text);

void kreview_free(kreview *r);

/* Survey label counts for lang (for kiosk i18n check). */
int kreview_survey_counts(const char *lang, const char *po_dir, const char *surveys_dir,
                          ki18n_counts *out, kerr *err);

#endif
