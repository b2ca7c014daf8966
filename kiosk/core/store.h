/*
 * store.h - the kiosk's local database: events, people, check-ins, survey
 * answers and QR check-in codes.
 *
 * One SQLite file (KIOSK_DB_FILE) in the data folder, journal_mode=WAL and
 * synchronous=FULL: when a kstore_ write function returns 0 the record is
 * committed and on disk, so the screen may say thank you.
 *
 * Every record (row of events, people, checkins, answers, qr_tokens,
 * qr_revocations) carries:
 *   id        random 128 bits, 32 hex digits, made on this kiosk
 *   device_id this kiosk's id (random, made when the database was created)
 *   seq       per-device sequence number, 1, 2, 3 ... in commit order,
 *             shared by all record tables (the sync outbox walks it)
 *   wall_ms   the kiosk's wall clock, Unix ms (may be wrong)
 *   boot_id   the boot session, and
 *   mono_ms   ms since that boot (see kclock.h)
 *
 * Schema version 2 (version 1 had no answers, QR tables or event survey
 * and link; see the migrations in store.c):
 *   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
 *       device_id, next_seq, current_event, setting.<name>
 *   events(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *          name, program, date, survey, link)
 *   people(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *          given, family, phone, email, zip, name_key)
 *   checkins(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *            person_id, event_id, is_new, UNIQUE(person_id, event_id))
 *   answers(id, device_id, seq, wall_ms, boot_id, mono_ms,
 *           person_id, event_id, survey_key, survey_version, question_key,
 *           value, lang)
 *       one row per answer as given; a changed answer is a new row and the
 *       latest (highest seq) wins
 *   qr_tokens(id, ..., person_id, token UNIQUE)
 *   qr_revocations(id, ..., token)
 *       a person's QR check-in code, and its revocation: append-only, so
 *       sync carries both like any other record
 *   people_fts  FTS5 over the folded names (see fold.h): given and family
 *               name, and family-given-family for CJK names; its rowid
 *               orders by people.name_key = fold(given + " " + family)
 *               (see store.c)
 * Text columns are NOT NULL ('' when empty); id is the PRIMARY KEY; each
 * record table has a UNIQUE index on (device_id, seq).
 *
 * Records are immutable: an event's survey and link are given when it is
 * created and never change (changing them would need an update record that
 * sync and the hub understand; create a new event instead).
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

/* Limits of schema 2 (overridable with -DNAME=value, like config.h's). */
#ifndef KIOSK_EVENT_LINK_MAX
#define KIOSK_EVENT_LINK_MAX 400            /* bytes of an event's link (a URL) */
#endif
#define KIOSK_EVENT_LINK_BYTES (KIOSK_EVENT_LINK_MAX + 1)
#define KIOSK_QR_TOKEN_BYTES 32             /* "K1-" + 26 base32 digits + NUL fit */
#ifndef KIOSK_ANSWER_VALUE_MAX_BYTES
#define KIOSK_ANSWER_VALUE_MAX_BYTES 16384  /* one stored survey answer */
#endif

typedef struct kstore kstore;

typedef struct kevent {
    char id[KIOSK_ID_HEX + 1];
    char name[KIOSK_EVENT_NAME_BYTES];
    char program[KIOSK_PROGRAM_BYTES];
    char date[11];                  /* YYYY-MM-DD, local date of the event */
    int64_t wall_ms;                /* when it was created */
    char survey[KIOSK_SURVEY_KEY_MAX + 1];  /* key of its survey, "" for none */
    char link[KIOSK_EVENT_LINK_BYTES];      /* link shown as a QR code, "" for none */
} kevent;

/* What kstore_event_add2 creates.  NULL members count as "". */
typedef struct kevent_spec {
    const char *name;               /* required, <= KIOSK_EVENT_NAME_MAX characters */
    const char *program;            /* <= KIOSK_PROGRAM_MAX characters */
    const char *date;               /* YYYY-MM-DD, or ""/NULL for today */
    const char *survey;             /* a survey key (survey.h syntax) or "" */
    const char *link;               /* a link without spaces or control
                                     * characters, <= KIOSK_EVENT_LINK_MAX bytes */
} kevent_spec;

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
    int checked_in;                 /* already checked in at the event searched for */
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
/* date may be NULL or "" for today (local date by the store's clock).
 * The same as kstore_event_add2 with no survey and no link. */
int kstore_event_add(kstore *s, const char *name, const char *program,
                     const char *date, kevent *out, kerr *err);
/* Creates an event with all its fields (survey and link are fixed from
 * then on: records never change).  Fills *out if out is not NULL. */
int kstore_event_add2(kstore *s, const kevent_spec *spec, kevent *out, kerr *err);
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

/* The same search for the find screen: rows of people already checked in
 * at event_id (NULL: none) are marked, and *total gets how many people
 * match in all, counted up to KIOSK_SEARCH_COUNT_MAX (that number means
 * "at least").  Spaces, hyphens, dots and apostrophes do not matter in the
 * query or the names ("delacruz", "dela cruz" and "de la cruz" find "De la
 * Cruz"), and a query matches from the start of any word ("cruz"). */
int kstore_search_event(kstore *s, const char *query, const char *event_id, kmatch *out,
                        int max, int *n, int *total, kerr *err);

/* Someone already stored whom a new sign-up p may be: the same folded full
 * name (spaces, accents and second spellings like ue for ü do not matter)
 * and either the same phone digits (7 or more) or e-mail (case aside), or
 * the same ZIP.  *found is 1 and out the person as search shows them
 * (first name, initial, hint: nothing more), or 0. */
int kstore_possible_match(kstore *s, const kperson *p, kmatch *out, int *found, kerr *err);

/* Counts for an event (for the done screen, staff, tests). */
int kstore_event_counts(kstore *s, const char *event_id, int *checkins,
                        int *new_people, kerr *err);

/* ---- the staff screen: counts, check-ins, arrivals ---- */

typedef struct kevent_stats {
    int checkins;                   /* everyone checked in */
    int new_people;                 /* of them, signed up there */
    int returning;                  /* checkins - new_people */
} kevent_stats;
int kstore_event_stats(kstore *s, const char *event_id, kevent_stats *out, kerr *err);

/* One check-in as staff see it (full name: staff only, never the door). */
typedef struct kcheckin {
    char person_id[KIOSK_ID_HEX + 1];
    char given[KIOSK_NAME_BYTES];
    char family[KIOSK_NAME_BYTES];
    int64_t wall_ms;                /* when, by the kiosk's clock */
    int is_new;                     /* 1: signed up there, 0: returning */
    int64_t seq;                    /* with wall_ms, its place in the list */
} kcheckin;

/* Where a page of an event's check-ins starts (kstore_checkins_page). */
typedef enum kstore_page_from {
    KSTORE_PAGE_TOP,                /* the newest */
    KSTORE_PAGE_AT,                 /* at is the first row, and older ones */
    KSTORE_PAGE_OLDER,              /* the rows just older than at */
    KSTORE_PAGE_NEWER,              /* the rows just newer than at */
} kstore_page_from;

/* Reads up to max check-ins at event_id into out, newest first (wall_ms,
 * then seq), starting as from says next to the row at (its wall_ms and
 * seq; NULL for KSTORE_PAGE_TOP); *n gets how many.  Costs O(max)
 * however many check-ins the event has (a keyset read on an index). */
int kstore_checkins_page(kstore *s, const char *event_id, kstore_page_from from,
                         const kcheckin *at, kcheckin *out, int max, int *n, kerr *err);

/* Calls fn for each check-in at event_id, newest first (wall_ms, then
 * seq); stops early if fn returns non-zero.  Uses its own statement, so
 * fn may call other kstore functions. */
int kstore_checkins_each(kstore *s, const char *event_id,
                         int (*fn)(const kcheckin *c, void *ctx), void *ctx,
                         kerr *err);

/* Arrivals per bucket_ms (e.g. 15 * 60000) at event_id, for a bar chart.
 * Buckets are aligned to multiples of bucket_ms since the Unix epoch, so
 * 15-minute buckets start at :00, :15, :30, :45 local time in every time
 * zone (all offsets are whole quarter hours).  counts[i] is the number of
 * check-ins in [*first_bucket_start + i * bucket_ms, ... + bucket_ms);
 * *n buckets are filled, from the first check-in's bucket to the last's,
 * empty ones included; if that is more than max, the latest max buckets
 * are kept.  With no check-ins, *n = 0 and *first_bucket_start = 0. */
int kstore_arrivals(kstore *s, const char *event_id, int64_t bucket_ms,
                    int64_t *first_bucket_start, int *counts, int max, int *n,
                    kerr *err);

/* ---- survey answers ---- */

/* One stored answer.  The pointers are valid during the callback only. */
typedef struct kanswer {
    const char *person_id, *event_id;
    const char *survey_key;
    int survey_version;
    const char *question_key;
    const char *value;              /* encoded as in survey.h; "" = cleared */
    const char *lang;               /* language the person answered in */
    int64_t seq, wall_ms;
    int64_t first_seq;              /* the first answer to this question (lowest
                                     * seq) of those read: the person's for
                                     * kstore_answers_latest; seq itself for
                                     * kstore_attendance_answers */
} kanswer;

/* Stores one answer of person_id at event_id (durable on return).  Keys
 * follow survey.h (a letter, then a-z, 0-9, '-', '_'; at most
 * KIOSK_SURVEY_KEY_MAX); version >= 1; value at most
 * KIOSK_ANSWER_VALUE_MAX_BYTES ("" records that an answer was cleared);
 * lang a language code or "".  The person and event must exist. */
int kstore_answer_add(kstore *s, const char *person_id, const char *event_id,
                      const char *survey_key, int version, const char *qkey,
                      const char *value, const char *lang, kerr *err);

/* Stores n answers (qkeys[i] -> values[i]) in one transaction: all or
 * none are stored.  What a finished survey screen calls. */
int kstore_answers_add(kstore *s, const char *person_id, const char *event_id,
                       const char *survey_key, int version, const char *lang,
                       int n, const char *const *qkeys, const char *const *values,
                       kerr *err);

/* Calls fn for the latest answer (highest seq) to each question a person
 * answered at an event, in the order the questions were first answered.
 * Cleared answers ("") are passed too.  fn returning non-zero stops. */
int kstore_answers_latest(kstore *s, const char *person_id, const char *event_id,
                          int (*fn)(const kanswer *a, void *ctx), void *ctx,
                          kerr *err);

/* ---- QR check-in codes ----
 * A token is "K1-" and 26 base32 digits (A-Z, 2-7) of 128 random bits:
 * nothing personal, and every character is in the QR alphanumeric set, so
 * the code stays small.  A person has at most one live token. */

/* Non-zero if text (after trimming spaces and line ends) looks like a
 * token, in any letter case: what a scanner typed, not a name. */
int kstore_qr_is_token(const char *text);

/* The person's live token into out (cap >= KIOSK_QR_TOKEN_BYTES); one is
 * created (a record, durable on return) if they have none. */
int kstore_qr_token(kstore *s, const char *person_id, char *out, unsigned cap,
                    kerr *err);

/* Finds the person of a scanned token (spaces, line ends and letter case
 * do not matter).  0 and person_id filled: a live token.  KERR_NOTFOUND:
 * unknown, or revoked; *revoked (if not NULL) is 1 for a revoked token
 * (person_id is then still filled, for staff), else 0.  KERR_INVALID:
 * the text is not a token at all. */
int kstore_qr_lookup(kstore *s, const char *token, char person_id[KIOSK_ID_HEX + 1],
                     int *revoked, kerr *err);

/* Revokes every live token of the person (durable on return); *revoked
 * (may be NULL) gets how many (0 if they had none).  KERR_NOTFOUND if
 * there is no such person. */
int kstore_qr_revoke(kstore *s, const char *person_id, int *revoked, kerr *err);

/* ---- attendance: what export.c reads ---- */

/* Which check-ins: one event (full id), or events on or after a local
 * date (YYYY-MM-DD, the event's date), or (both NULL or "") all. */
typedef struct kscope {
    const char *event_id;
    const char *since;
} kscope;

/* One check-in with its event and person; pointers valid during the
 * callback only. */
typedef struct kattendance {
    const char *checkin_id, *person_id, *event_id;
    const char *event_name, *program, *event_date, *survey;
    const char *given, *family, *phone, *email, *zip;
    int64_t wall_ms;
    int is_new;
} kattendance;

/* Number of check-ins in scope. */
int kstore_attendance_count(kstore *s, const kscope *scope, long *count, kerr *err);

/* Calls fn for each check-in in scope, in order of event date, event,
 * check-in time.  fn returning non-zero stops (and is returned). */
int kstore_attendance_each(kstore *s, const kscope *scope,
                           int (*fn)(const kattendance *r, void *ctx), void *ctx,
                           kerr *err);

/* A cursor over the check-ins in scope, in the order of
 * kstore_attendance_each, each with its visit's answer records (a
 * question may come several times: changed answers; the highest seq is
 * the latest).  Memory: one row, whatever the scope's size; an event's
 * check-ins are read in time order from an index, with no sort.
 * kstore_attendance_next gives 1 and fills row and answers (valid until
 * the next call), 0 at the end, or a KERR_ code. */
typedef struct kattend_cursor kattend_cursor;
typedef struct kattend_answer {
    const char *survey_key, *question_key, *value;
    int64_t seq;
} kattend_answer;
int kstore_attendance_open(kstore *s, const kscope *scope, kattend_cursor **out, kerr *err);
int kstore_attendance_next(kattend_cursor *c, kattendance *row, const kattend_answer **answers,
                           int *nanswers, kerr *err);
void kstore_attendance_close(kattend_cursor *c);

/* Calls fn once for each survey question answered at the events in scope
 * (the kiosk writes answers only at a visit with a check-in), with the
 * lowest seq of its answers; fn returning non-zero stops (and is
 * returned). */
int kstore_attendance_columns(kstore *s, const kscope *scope,
                              int (*fn)(const char *survey_key, const char *question_key,
                                        int64_t first_seq, void *ctx),
                              void *ctx, kerr *err);

/* Calls fn for every answer record in scope, in no particular order: a
 * question of one visit may come several times (changed answers), and the
 * caller keeps the one with the highest seq.  first_seq is the record's
 * own seq.  fn returning non-zero stops. */
int kstore_attendance_answers(kstore *s, const kscope *scope,
                              int (*fn)(const kanswer *a, void *ctx), void *ctx,
                              kerr *err);

/* ---- the hub's roster (issue 12, sync/PROTOCOL.md 12; store_roster.c) ----
 * People, events and surveys the hub sends back, kept so that search and
 * check-in treat them as the kiosk's own: a roster person is a row of
 * people (device_id KSTORE_HUB_DEVICE, no phone, e-mail or ZIP, the hub's
 * search hint in people.hint), a hub event a row of events of that device.
 * They are never sent back to the hub (only this device's rows are); a
 * check-in of a roster person is this kiosk's record like any other. */
#define KSTORE_HUB_DEVICE "00000000000000000000000000000000"

typedef enum kroster_kind {
    KROSTER_PERSON, KROSTER_ALIAS, KROSTER_FORGET, KROSTER_EVENT, KROSTER_SURVEY
} kroster_kind;

/* One change of a page, checked by the caller (sync/roster.c): ids are 32
 * hex, texts valid UTF-8 within the kiosk's limits. */
typedef struct kroster_change {
    int64_t seq;
    kroster_kind kind;
    const char *id;          /* person or event id; survey: its key */
    const char *to;          /* alias: the id kept */
    const char *given, *family, *hint;                   /* person */
    const char *name, *program, *date, *survey, *link;  /* event */
    int version;             /* survey */
    const char *text;        /* survey: the file's text (already checked) */
} kroster_change;

/* The roster id and cursor of the last page applied ("" and 0 if none). */
int kstore_roster_state(kstore *s, char roster_id[65], int64_t *cursor, kerr *err);

/* Applies one page in one transaction and records roster_id and cursor
 * with it: all or nothing (KERR_FULL on a full disk: nothing of the page
 * is kept, earlier pages are).  A tombstone for a person signed up here
 * whose record the hub has not acknowledged (seq > acked_seq) is refused
 * (KERR_INVALID, nothing changed): the hub cannot forget what it never
 * held.  People and events of this kiosk's own are never overwritten.
 * *applied gets the number of changes that changed something. */
int kstore_roster_apply(kstore *s, const char *roster_id, int64_t cursor, const kroster_change *c,
                        int n, int64_t acked_seq, int *applied, kerr *err);

/* The id a person id was merged into by the hub (itself if none). */
int kstore_roster_resolve(kstore *s, const char *person_id, char out[KIOSK_ID_HEX + 1], kerr *err);

/* Counts of roster rows: people (searchable), events, surveys, aliases. */
typedef struct kroster_counts {
    long people, events, surveys, aliases, forgotten;
} kroster_counts;
int kstore_roster_counts(kstore *s, kroster_counts *out, kerr *err);

/* The text of the hub's survey with that key into a malloc'd string
 * (*text, caller frees; text NULL: the version only), with its version;
 * KERR_NOTFOUND if none. */
int kstore_roster_survey(kstore *s, const char *key, char **text, int *version, kerr *err);

/* The bytes the store can still grow by: the free space of its file
 * system (and the free pages inside the file), within the page cap of
 * kstore_limit_pages if one is set. */
int kstore_roster_room(kstore *s, int64_t *bytes, kerr *err);

/* The keys of the hub's surveys held (at most cap, in key order). */
int kstore_roster_survey_keys(kstore *s, char (*keys)[KIOSK_SURVEY_KEY_MAX + 1], int cap, int *n,
                              kerr *err);

#endif
