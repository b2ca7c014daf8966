/*
 * store.h - the kiosk's local database: events, people, check-ins.
 *
 * One SQLite file (KIOSK_DB_FILE) in the data folder, journal_mode=WAL and
 * synchronous=FULL: when a kstore_ write function returns 0 the record is
 * committed and on disk, so the screen may say thank you.
 *
 * Every record (row of events, people, checkins) carries:
 *   id        random 128 bits, 32 hex digits, made on this kiosk
 *   device_id this kiosk's id (random, made when the database was created)
 *   seq       per-device sequence number, 1, 2, 3 ... in commit order,
 *             shared by all record tables (the sync outbox walks it)
 *   wall_ms   the kiosk's wall clock, Unix ms (may be wrong)
 *   boot_id   the boot session, and
 *   mono_ms   ms since that boot (see kclock.h)
 *
 * Schema version 1 (later versions add tables; see the migrations in
 * store.c):
 *   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
 *       device_id, next_seq, current_event, setting.<name>
 *   events(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *          name, program, date)
 *   people(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *          given, family, phone, email, zip, name_key)
 *   checkins(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *            person_id, event_id, is_new, UNIQUE(person_id, event_id))
 *   people_fts  FTS5 over the folded names (see fold.h): given and family
 *               name, and family-given-family for CJK names; its rowid
 *               orders by people.name_key = fold(given + " " + family)
 *               (see store.c)
 * Text columns are NOT NULL ('' when empty); id is the PRIMARY KEY; each
 * record table has a UNIQUE index on (device_id, seq).
 *
 * The schema is versioned with PRAGMA user_version and migrated forward in
 * steps on open.  A database from a newer kiosk is refused (KERR_NEWER); a
 * file that is not a database, or is damaged, is refused (KERR_CORRUPT) and
 * never modified, deleted or "repaired".
 */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stdint.h>

#include "../config.h"
#include "kclock.h"
#include "kerr.h"

typedef struct kstore kstore;

typedef struct kevent {
    char id[KIOSK_ID_HEX + 1];
    char name[KIOSK_EVENT_NAME_BYTES];
    char program[KIOSK_PROGRAM_BYTES];
    char date[11];                  /* YYYY-MM-DD, local date of the event */
    int64_t wall_ms;                /* when it was created */
} kevent;

typedef struct kperson {
    char id[KIOSK_ID_HEX + 1];      /* filled in by kstore_signup */
    char given[KIOSK_NAME_BYTES];
    char family[KIOSK_NAME_BYTES];
    char phone[KIOSK_PHONE_BYTES];
    char email[KIOSK_EMAIL_BYTES];
    char zip[KIOSK_ZIP_BYTES];
} kperson;

/* One row of search results: never more than this (privacy). */
typedef struct kmatch {
    char person_id[KIOSK_ID_HEX + 1];
    char first[KIOSK_NAME_BYTES];   /* given name as written */
    char initial[8];                /* first character of the family name (UTF-8), may be "" */
    char hint[KIOSK_HINT_BYTES];    /* ZIP code, else name of last event attended, else "" */
} kmatch;

/* Opens (creating if needed) the database in data_dir, creating data_dir if
 * missing.  The clock stamps every record; it must outlive the store. */
int kstore_open(kstore **out, const char *data_dir, const kclock *clock, kerr *err);
void kstore_close(kstore *s);

const char *kstore_device_id(const kstore *s);
const char *kstore_path(const kstore *s);      /* full path of the database file */
int kstore_user_version(kstore *s);            /* schema version on disk */
int kstore_schema_version(void);               /* schema version this build writes */

/* Limits the database size in pages (PRAGMA max_page_count): writes past it
 * fail with KERR_FULL exactly as on a full disk.  For tests. */
int kstore_limit_pages(kstore *s, long pages, kerr *err);

/* ---- batches: many writes in one transaction (demo data, imports).
 * Between begin and commit, each write function still succeeds or fails as
 * a whole (a savepoint), but nothing is durable until kstore_batch_commit
 * returned 0.  After SQLITE_FULL or an I/O error SQLite may roll back the
 * whole batch; the write's error message then says so and the batch is
 * over (commit returns KERR_INVALID).  Not for sign-ins at the door. ---- */
int kstore_batch_begin(kstore *s, kerr *err);
int kstore_batch_commit(kstore *s, kerr *err);
void kstore_batch_rollback(kstore *s);

/* ---- settings: small key/value text kept in the database (not records,
 * never synced): default language, idle time, sync URL, ... ---- */
/* Copies the value into buf; KERR_NOTFOUND (and buf = "") if unset. */
int kstore_setting_get(kstore *s, const char *key, char *buf, unsigned cap, kerr *err);
int kstore_setting_set(kstore *s, const char *key, const char *value, kerr *err);

/* ---- events ---- */
/* date may be NULL or "" for today (local date by the store's clock). */
int kstore_event_add(kstore *s, const char *name, const char *program,
                     const char *date, kevent *out, kerr *err);
/* Finds an event by full id or by a unique id prefix of >= 4 hex digits. */
int kstore_event_get(kstore *s, const char *id_or_prefix, kevent *out, kerr *err);
/* Calls fn for each event, newest first; stops early if fn returns non-zero. */
int kstore_event_each(kstore *s, int (*fn)(const kevent *e, void *ctx), void *ctx,
                      kerr *err);
/* The event check-ins go to (a setting, stored in the database). */
int kstore_event_use(kstore *s, const char *id, kerr *err);
int kstore_event_current(kstore *s, kevent *out, kerr *err);   /* KERR_NOTFOUND if none */

/* ---- people and check-ins ---- */
/* Adds a new person and checks them in at event_id, in one transaction.
 * Fills p->id.  Fields are stored as given (the caller validates). */
int kstore_signup(kstore *s, kperson *p, const char *event_id, kerr *err);
/* Checks a known person in.  Returns KERR_DUP (and stores nothing) if they
 * are already checked in at that event. */
int kstore_checkin(kstore *s, const char *person_id, const char *event_id, kerr *err);
int kstore_person_get(kstore *s, const char *person_id, kperson *out, kerr *err);

/* Search by name: case-, diacritic- and punctuation-insensitive prefix match
 * of every word of query against the given and family names (see fold.h).
 * Fills at most max matches; *n gets the count.  Queries shorter than
 * KIOSK_SEARCH_MIN_CHARS characters (after folding) give no results. */
int kstore_search(kstore *s, const char *query, kmatch *out, int max, int *n,
                  kerr *err);

/* Counts for an event (for the done screen, staff, tests). */
int kstore_event_counts(kstore *s, const char *event_id, int *checkins,
                        int *new_people, kerr *err);

#endif
