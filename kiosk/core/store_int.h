/*
 * store_int.h - what the parts of the store share (store.c, store_event.c,
 * store_people.c, store_staff.c, store_answers.c); private to them.  The
 * public interface is store.h; the design notes are at the top of store.c.
 */
#ifndef KIOSK_STORE_INT_H
#define KIOSK_STORE_INT_H

#include "store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA 8                /* user_version this build writes */
#define STORE_APP_ID 0x4B494F53       /* PRAGMA application_id, "KIOS" */
#define STORE_PATH_MAX 4096
#define STORE_KEY_BYTES (4 * KIOSK_NAME_BYTES)  /* a folded full name */
#define STORE_SETTING_KEY_MAX 64
#define STORE_SORT_CHARS 8                /* name_key bytes in the FTS rowid */
#define STORE_SORT_SHIFT 15               /* bits for people sharing them */
#define STORE_TOKENS_BYTES (4 * STORE_KEY_BYTES)  /* suffix tokens, both spellings */
#define STORE_DUP_CANDIDATES 500          /* same-name people compared at sign-up */

enum {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_META_GET, ST_META_SET, ST_SEQ_TAKE,
    ST_EVENT_INSERT, ST_EVENT_RANGE, ST_EVENT_EXISTS,
    ST_PERSON_INSERT, ST_FTS_INSERT, ST_FTS_SLOT, ST_FTS_LAST,
    ST_PERSON_GET, ST_PERSON_EXISTS,
    ST_CHECKIN_FIND, ST_CHECKIN_INSERT, ST_COUNTS, ST_SEARCH, ST_SEARCH_COUNT,
    ST_DUP_CANDIDATES,
    ST_ANSWER_INSERT, ST_QR_LIVE, ST_QR_INSERT, ST_QR_FIND, ST_QR_REVOKE,
    ST_COUNT
};

struct kstore {
    sqlite3 *db;
    const kclock *clock;
    int batch;                              /* inside kstore_batch_begin */
    char device_id[KIOSK_ID_HEX + 1];
    char path[STORE_PATH_MAX];
    sqlite3_stmt *st[ST_COUNT];
};

/* The stamp every record carries besides its own fields. */
typedef struct stamp {
    int64_t seq;
    int64_t wall_ms;
    int64_t mono_ms;
} stamp;

/* store.c */
int kst_db_error(kstore *s, int rc, const char *op, kerr *err);
void kst_copy_utf8(char *dst, size_t cap, const char *src);
const char *kst_col_text(sqlite3_stmt *st, int i);
size_t kst_utf8_chars(const char *t);
void kst_bind_text(sqlite3_stmt *st, int i, const char *t);
void kst_stmt_done(sqlite3_stmt *st);
int kst_stmt_run(kstore *s, sqlite3_stmt *st, const char *op, kerr *err);
int kst_stmt_row(kstore *s, sqlite3_stmt *st, const char *op, kerr *err);
int kst_tx_begin(kstore *s, const char *op, kerr *err);
int kst_tx_commit(kstore *s, const char *op, kerr *err);
void kst_tx_abort(kstore *s, kerr *err);
int kst_seq_take(kstore *s, int count, int64_t *first, const char *op, kerr *err);
void kst_stamp_now(const kstore *s, int64_t seq, stamp *sp);
void kst_bind_stamp(kstore *s, sqlite3_stmt *st, const char *id, const stamp *sp);
int kst_new_id(char id[KIOSK_ID_HEX + 1], kerr *err);
int kst_row_exists(kstore *s, int st_id, const char *id, int *found, const char *op, kerr *err);
int kst_meta_get(kstore *s, const char *key, char *buf, size_t cap, const char *op, kerr *err);
int kst_meta_set(kstore *s, const char *key, const char *value, const char *op, kerr *err);

void kst_today(const kstore *s, char out[11]);
int kst_valid_key(const char *k);

/* store_people.c */
int kst_need_event(kstore *s, const char *event_id, kerr *err);
/* Schema 4: every person's name index row written anew (inside the
 * migration's transaction, before statements are prepared). */
int kst_rebuild_name_index(kstore *s, kerr *err);
/* Schema 6: people_fts made anew (given-name terms of their own, prefix
 * indexes 1-7); kst_rebuild_name_index then fills it. */
extern const char kst_schema_v6[];

/* The name index row of a person (people_fts) and their name_key, as a
 * sign-up writes them (inside a write transaction); key gets name_key. */
int kst_person_index(kstore *s, const char *id, const char *given, const char *family,
                     char key[STORE_KEY_BYTES], kerr *err);

/* Takes a person's row out of people_fts (inside a write transaction),
 * found through the rowid range their people.name_key sorts to: a few
 * rows read, not the whole index.  Nothing to do if they have none. */
int kst_person_unindex(kstore *s, const char *id, kerr *err);

/* The minute of a wall time in SQL (floor, also before 1970): the key of
 * event_arrivals (store_staff.c, store_roster.c). */
#define MINUTE_OF(x) "((" x " - ((" x " % 60000) + 60000) % 60000) / 60000)"

/* store_roster.c */
extern const char kst_schema_v7[];          /* roster: people.hint, aliases, hub surveys */
extern const char kst_schema_v8[];          /* event counts: merged ids once per event */
/* 1 if an id the hub merged into person_id is checked in at event_id, 0
 * if not, -code on error. */
int kst_roster_checked_in(kstore *s, const char *person_id, const char *event_id, kerr *err);

/* store_staff.c */
extern const char kst_schema_v3[];          /* staff index and totals */
int kst_prepare_own(kstore *s, const char *sql, sqlite3_stmt **st, const char *op, kerr *err);

/* store_answers.c */
int kst_answers_walk(kstore *s, sqlite3_stmt *st, int (*fn)(const kanswer *a, void *ctx),
                     void *ctx, const char *op, kerr *err);

#endif
