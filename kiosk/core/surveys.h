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
 *
 * The hub's surveys (sync/PROTOCOL.md 12, kept in the store's
 * roster_surveys) join the set through ksurveys_use_hub: each passes the
 * same check as a file of the folder before use, or is refused with a line
 * "hub survey KEY refused: it fails the survey check (FILE:LINE:COL: ...)"
 * and the kiosk goes on without it (an event naming it still checks people
 * in).  Of a folder file and a hub survey with one key, the higher version
 * is used (the folder's file on a tie): the surveys shipped with the kiosk
 * are version 1, and staff update one for every kiosk by adding version 2
 * at the hub.  A survey the hub sends while the kiosk runs (the background
 * sync) is picked up the next time an event asks for its key; a survey
 * replaced that way stays in memory until ksurveys_close, so a visit in
 * the middle of it never loses the questions it is answering.
 */
#ifndef KIOSK_SURVEYS_H
#define KIOSK_SURVEYS_H

#include "kerr.h"
#include "survey.h"

struct kstore;

#define KSURVEYS_MAX 32

typedef struct ksurveys ksurveys;

/* Loads every *.csv in dir (sorted by name); keep_dir holds the last good
 * versions and is created if missing.  Fails only when dir cannot be read;
 * broken files are reported by ksurveys_problems. */
int ksurveys_open(ksurveys **out, const char *dir, const char *keep_dir, kerr *err);
void ksurveys_close(ksurveys *l);

/* An empty set (the survey folder could not be read, yet the hub's
 * surveys may serve), or NULL if out of memory. */
ksurveys *ksurveys_new(void);

/* Adds the hub's surveys held in store s (each checked; a refusal is a
 * line of ksurveys_problems) and keeps s to look for later ones in
 * ksurveys_find, which then runs on s's thread.  0, or a store error. */
int ksurveys_use_hub(ksurveys *l, struct kstore *s, kerr *err);

/* Checks a survey file the hub sent as key, version with the check of a
 * local file (and that the file says that key and version).  0 with *out
 * the survey (out may be NULL: check only), or -1 with note "hub survey
 * KEY refused: ..." naming the first problem (FILE:LINE:COL). */
int ksurveys_check_hub(const char *key, int version, const char *text, size_t len, ksurvey **out,
                       char *note, size_t cap);

int ksurveys_count(const ksurveys *l);
const ksurvey *ksurveys_at(const ksurveys *l, int i);
/* The survey with that key, or NULL.  With the hub's surveys in use, a
 * newer version of the key that the hub sent since is checked and taken
 * first (a refusal is printed on standard error once). */
const ksurvey *ksurveys_find(const ksurveys *l, const char *key);

/* What staff should know: one line per file that failed its check (with
 * whether its last good version is in use) and its first problems; "" when
 * every file passed. */
const char *ksurveys_problems(const ksurveys *l);

#endif
