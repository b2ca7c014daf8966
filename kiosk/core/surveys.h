/*
 * surveys.h - the surveys a kiosk can serve: every survey file of a folder,
 * each checked, with the last good version kept when an edit breaks one.
 *
 * Staff edit survey files between events.  At start the kiosk loads each
 * *.csv of the survey folder with ksurvey_load_keep: a file that passes
 * the check is used (and copied as the last good version); a file that
 * fails is replaced by its last good copy, if there is one, and the
 * problems are kept for the staff screen.  Events name a survey by its
 * key (the survey row's key, not the file name).
 */
#ifndef KIOSK_SURVEYS_H
#define KIOSK_SURVEYS_H

#include "kerr.h"
#include "survey.h"

#define KSURVEYS_MAX 32

typedef struct ksurveys ksurveys;

/* Loads every *.csv in dir (sorted by name); keep_dir holds the last good
 * versions and is created if missing.  Fails only when dir cannot be read;
 * broken files are reported by ksurveys_problems. */
int ksurveys_open(ksurveys **out, const char *dir, const char *keep_dir, kerr *err);
void ksurveys_close(ksurveys *l);

int ksurveys_count(const ksurveys *l);
const ksurvey *ksurveys_at(const ksurveys *l, int i);
/* The survey with that key, or NULL. */
const ksurvey *ksurveys_find(const ksurveys *l, const char *key);

/* What staff should know: one line per file that failed its check (with
 * whether its last good version is in use) and its first problems; "" when
 * every file passed. */
const char *ksurveys_problems(const ksurveys *l);

#endif
