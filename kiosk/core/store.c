/*
 * store.c - the kiosk's local database: events, people, check-ins, survey
 * answers, QR check-in codes (store.h).
 *
 * Design.  One SQLite file, KIOSK_DB_FILE in the data folder, opened by one
 * kstore per process and used by one thread at a time (SQLITE_OPEN_NOMUTEX;
 * another thread, like the sync outbox, opens its own connection).
 * journal_mode=WAL with synchronous=FULL: a commit returns only after the
 * WAL is fsynced, so a sign-in that returned 0 survives a power cut (NORMAL
 * would be 15x faster and lose the last ones).
 *
 * Invariants (the sync outbox and the hub rely on them):
 *   1. A record (row of any record table: events, people, checkins,
 *      answers, qr_tokens, qr_revocations) is visible only after the
 *      transaction that wrote it committed; kstore_signup/kstore_checkin
 *      return 0 only after COMMIT returned SQLITE_OK.
 *   2. seq is unique and gap-free per device across all record tables: the
 *      counter meta.next_seq is advanced in the same transaction as the
 *      insert that uses it, so a rollback gives the numbers back.
 *   3. Every record carries a random 128-bit id, the device id, the wall
 *      clock and the boot id + monotonic offset of the kclock given to
 *      kstore_open, read once per transaction.
 *   4. people_fts holds exactly one row per people row, written in the same
 *      transaction, joined by person_id (its rowid is a sort key, below).
 *   5. A file we did not write (not SQLite, damaged, another program's
 *      database, a newer schema) is refused before anything writes to it:
 *      the header is read with plain read(2), then only SELECTs and
 *      connection-level PRAGMAs run until the checks passed.  We never
 *      delete, truncate or "repair" a database.
 *
 * Life of a write (one transaction, or one savepoint inside a batch):
 *
 *     tx_begin ──> checks (person/event exist, not checked in yet)
 *        │            │ fail
 *        ▼            ▼
 *     seq_take ──> tx_abort (ROLLBACK [TO]) ──> error code + message
 *        │            ▲
 *        ▼            │ SQLITE_FULL, IOERR, ...
 *     INSERTs ────────┤
 *        ▼            │
 *     tx_commit ──────┘
 *        ▼
 *     return 0: durable
 *
 * Opening: data folder made and checked writable -> header check (read(2))
 * -> sqlite3_open_v2 -> application_id / user_version read -> refuse or
 * WAL + migrate forward, one step per transaction -> statements prepared.
 *
 * No PRAGMA quick_check on open: it reads every page, O(size of the
 * database) - with 100,000 people (a 90 MB file) 1.2 s with a cold cache
 * on this machine's SSD, several seconds from an SD card, at every start -
 * for a check SQLite already does page by page as it reads (a damaged page
 * gives SQLITE_CORRUPT, mapped to KERR_CORRUPT naming the file).  What
 * open does check is cheap: the file header, the application id, the
 * schema version, the page count against the file size (SQLite's own check
 * when it reads page 1).  A staff command can run PRAGMA integrity_check
 * when a full check is wanted.
 *
 * Search: people_fts is an FTS5 table over the folded names (fold.h):
 * given_key and family_key, and for names with Han, Kana or Hangul also
 * cjk_key = fold(family given family), so that "陈美玲" and "김민준", typed
 * family name first as people write them, and "美玲陈" all match as one
 * phrase.  people.name_key = fold(given + " " + family) is the sort key.
 *
 * Search must answer every keystroke within a frame with 100,000 people,
 * and the first keystrokes ("ng", "ma") match thousands of them.  Sorting
 * all matches costs a row lookup each (about 1.5 us: 5-10 ms), so the order
 * is built into the index instead: the FTS rowid of a person is their
 * name_key's first 8 bytes packed into 6 bits each (space < digits <
 * letters < other scripts, order-preserving), shifted left 15 bits, plus a
 * counter for people who share those 8 bytes.  FTS5 returns matches
 * in rowid order without sorting, so "ORDER BY rowid LIMIT 6" stops after
 * six rows: given-name matches first (query 1: the first word in
 * given_key), then family-only matches (query 2: all words, NOT the first in
 * given_key); each is in name order up to the 8th character, and the few
 * rows kept are sorted by their whole name_key.  More than 32,768 people
 * sharing 8 bytes would spill past the end (still found, only out of
 * order).
 *
 * The tokenizer is "unicode61 remove_diacritics 2" with categories
 * 'L* N* Co M*': with the default categories the combining vowel signs of
 * Khmer, Lao, Thai and Devanagari are separators and "ចាន់" would be
 * indexed as "ច" "ន".  The prefix indexes '1 2 3' make the broadest
 * queries, the first keystrokes ("ng") and a first letter after a whole
 * word ("patel p"), one doclist read each instead of a merge of every
 * word with that prefix (1-7 ms at 100,000 people; 0.1-0.4 ms with them,
 * for 2 % more file).  columnsize=0 (no per-row token counts: we rank by
 * rowid, not bm25) and 1000-byte leaves ('pgsz') bring a sign-up from 19
 * to 15 pages written to the WAL; a bare one-row insert writes 1-2.
 *
 * Schema 2 (answers, QR codes, event survey and link).  Everything new is
 * a record, appended and never changed, because sync carries records and
 * the hub keeps the first copy of each id:
 *   - answers: one row per answer given; a changed answer is a new row.
 *     "Latest" is the highest seq, which on one kiosk is commit order (a
 *     kiosk holds only its own records today).  kstore_answers_latest
 *     chooses in SQL (a window over one person's few rows); the export
 *     reads every record in scope with a plain scan and keeps the latest
 *     itself, 10-30x faster than choosing in SQL with 70,000 answers.
 *   - qr_tokens / qr_revocations: a token is live while no revocation names
 *     it.  kstore_qr_token looks for a live token and creates one in the
 *     same write transaction (BEGIN IMMEDIATE), so two callers never make
 *     two.  Tokens are unique (an index), so lookup is one probe.
 *   - events.survey and events.link: columns added with defaults ''; old
 *     events keep ''.  They are set at creation only (records are
 *     immutable; an update record would need the hub's help).
 */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fold.h"
#include "survey.h"

#define STORE_SCHEMA 2                /* user_version this build writes */
#define STORE_APP_ID 0x4B494F53       /* PRAGMA application_id, "KIOS" */
#define STORE_PATH_MAX 4096
#define STORE_KEY_BYTES (4 * KIOSK_NAME_BYTES)  /* a folded full name */
#define STORE_SETTING_KEY_MAX 64
#define STORE_SORT_CHARS 8                /* name_key bytes in the FTS rowid */
#define STORE_SORT_SHIFT 15               /* bits for people sharing them */

/* ---- schema and migrations ------------------------------------------------ */

/* Version 1: the record tables of store.h.  WITHOUT ROWID: the random text
 * id is the only key a record needs, and one b-tree per table is one page
 * less to write per insert than a rowid table plus its id index. */
static const char schema_v1[] =
    "PRAGMA application_id = 1263095635;\n"  /* STORE_APP_ID */
    "CREATE TABLE meta(\n"
    "  key   TEXT PRIMARY KEY NOT NULL,\n"
    "  value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE events(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL, program TEXT NOT NULL, date TEXT NOT NULL,\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE people(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  given TEXT NOT NULL, family TEXT NOT NULL, phone TEXT NOT NULL,\n"
    "  email TEXT NOT NULL, zip TEXT NOT NULL, name_key TEXT NOT NULL,\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE checkins(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  person_id TEXT NOT NULL REFERENCES people(id),\n"
    "  event_id TEXT NOT NULL REFERENCES events(id),\n"
    "  is_new INTEGER NOT NULL CHECK (is_new IN (0, 1)),\n"
    "  UNIQUE(person_id, event_id),\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX checkins_event ON checkins(event_id);\n"
    "CREATE VIRTUAL TABLE people_fts USING fts5(\n"
    "  given_key, family_key, cjk_key, person_id UNINDEXED,\n"
    "  tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\",\n"
    "  prefix = '1 2 3', columnsize = 0);\n"
    "INSERT INTO people_fts(people_fts, rank) VALUES ('pgsz', 1000);\n";

/* Version 2: survey answers, QR check-in codes, and each event's survey
 * key and link (store.h).  Record tables as in version 1. */
static const char schema_v2[] =
    "ALTER TABLE events ADD COLUMN survey TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE events ADD COLUMN link TEXT NOT NULL DEFAULT '';\n"
    "CREATE TABLE answers(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  person_id TEXT NOT NULL REFERENCES people(id),\n"
    "  event_id TEXT NOT NULL REFERENCES events(id),\n"
    "  survey_key TEXT NOT NULL, survey_version INTEGER NOT NULL,\n"
    "  question_key TEXT NOT NULL, value TEXT NOT NULL, lang TEXT NOT NULL,\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX answers_visit ON answers(event_id, person_id);\n"
    "CREATE TABLE qr_tokens(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  person_id TEXT NOT NULL REFERENCES people(id),\n"
    "  token TEXT NOT NULL UNIQUE,\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX qr_tokens_person ON qr_tokens(person_id);\n"
    "CREATE TABLE qr_revocations(\n"
    "  id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL,\n"
    "  boot_id TEXT NOT NULL, mono_ms INTEGER NOT NULL,\n"
    "  token TEXT NOT NULL,\n"
    "  UNIQUE(device_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX qr_revocations_token ON qr_revocations(token);\n";

typedef struct migration {
    int version;                            /* user_version after the step */
    const char *what;                       /* for messages */
    const char *sql;                        /* run inside the transaction */
    int (*after)(kstore *s, kerr *err);     /* C part, same transaction */
} migration;

static int init_meta(kstore *s, kerr *err);

/* Forward steps, in order; a later issue appends {3, ...} and so on.  Each
 * runs in its own transaction with the user_version update, so a crash
 * leaves the database at the previous version, never between two. */
static const migration migrations[] = {
    {1, "create events, people and check-ins", schema_v1, init_meta},
    {2, "add survey answers, QR codes, event survey and link", schema_v2, NULL},
};

/* ---- prepared statements ---------------------------------------------------- */

enum {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_META_GET, ST_META_SET, ST_SEQ_TAKE,
    ST_EVENT_INSERT, ST_EVENT_RANGE, ST_EVENT_EXISTS,
    ST_PERSON_INSERT, ST_FTS_INSERT, ST_FTS_SLOT, ST_FTS_LAST,
    ST_PERSON_GET, ST_PERSON_EXISTS,
    ST_CHECKIN_FIND, ST_CHECKIN_INSERT, ST_COUNTS, ST_SEARCH,
    ST_ANSWER_INSERT, ST_QR_LIVE, ST_QR_INSERT, ST_QR_FIND, ST_QR_REVOKE,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT kstore_write",
    [ST_RELEASE] = "RELEASE kstore_write",
    [ST_ROLLBACK_TO] = "ROLLBACK TO kstore_write",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_SEQ_TAKE] = "UPDATE meta SET value = CAST(value AS INTEGER) + ?1 "
                    "WHERE key = 'next_seq' "
                    "RETURNING CAST(value AS INTEGER) - ?1",
    [ST_EVENT_INSERT] = "INSERT INTO events(id, device_id, seq, wall_ms, "
                        "boot_id, mono_ms, name, program, date, survey, link) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_EVENT_RANGE] = "SELECT id, name, program, date, wall_ms, survey, link "
                       "FROM events WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2",
    [ST_EVENT_EXISTS] = "SELECT 1 FROM events WHERE id = ?1",
    [ST_PERSON_INSERT] = "INSERT INTO people(id, device_id, seq, wall_ms, "
                         "boot_id, mono_ms, given, family, phone, email, zip, "
                         "name_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                         "?9, ?10, ?11, ?12)",
    [ST_FTS_INSERT] = "INSERT INTO people_fts(rowid, given_key, family_key, "
                      "cjk_key, person_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FTS_SLOT] = "SELECT rowid FROM people_fts WHERE rowid BETWEEN ?1 AND ?2 "
                    "ORDER BY rowid DESC LIMIT 1",
    [ST_FTS_LAST] = "SELECT rowid FROM people_fts ORDER BY rowid DESC LIMIT 1",
    [ST_PERSON_GET] = "SELECT given, family, phone, email, zip FROM people "
                      "WHERE id = ?1",
    [ST_PERSON_EXISTS] = "SELECT 1 FROM people WHERE id = ?1",
    [ST_CHECKIN_FIND] = "SELECT 1 FROM checkins "
                        "WHERE person_id = ?1 AND event_id = ?2",
    [ST_CHECKIN_INSERT] = "INSERT INTO checkins(id, device_id, seq, wall_ms, "
                          "boot_id, mono_ms, person_id, event_id, is_new) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_COUNTS] = "SELECT count(*), coalesce(sum(is_new), 0) FROM checkins "
                  "WHERE event_id = ?1",
    /* ?1 MATCH expression, ?2 limit: the first ?2 matches in rowid (name)
     * order, no sort; only those are joined with people and their last
     * event, and sorted by their whole name. */
    [ST_SEARCH] =
        "SELECT p.id, p.given, p.family, "
        "  CASE WHEN p.zip <> '' THEN p.zip ELSE coalesce(("
        "    SELECT e.name FROM checkins c JOIN events e ON e.id = c.event_id"
        "    WHERE c.person_id = p.id"
        "    ORDER BY e.date DESC, c.wall_ms DESC, c.seq DESC LIMIT 1), '') END "
        "FROM (SELECT person_id FROM people_fts WHERE people_fts MATCH ?1"
        "      ORDER BY rowid LIMIT ?2) m "
        "JOIN people p ON p.id = m.person_id "
        "ORDER BY p.name_key, p.id",
    [ST_ANSWER_INSERT] = "INSERT INTO answers(id, device_id, seq, wall_ms, "
                         "boot_id, mono_ms, person_id, event_id, survey_key, "
                         "survey_version, question_key, value, lang) VALUES "
                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [ST_QR_LIVE] = "SELECT t.token FROM qr_tokens t WHERE t.person_id = ?1 "
                   "AND NOT EXISTS (SELECT 1 FROM qr_revocations r "
                   "WHERE r.token = t.token) ORDER BY t.seq DESC LIMIT 1",
    [ST_QR_INSERT] = "INSERT INTO qr_tokens(id, device_id, seq, wall_ms, "
                     "boot_id, mono_ms, person_id, token) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_QR_FIND] = "SELECT t.person_id, EXISTS (SELECT 1 FROM qr_revocations r "
                   "WHERE r.token = t.token) FROM qr_tokens t WHERE t.token = ?1",
    [ST_QR_REVOKE] = "INSERT INTO qr_revocations(id, device_id, seq, wall_ms, "
                     "boot_id, mono_ms, token) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
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

/* ---- errors --------------------------------------------------------------- */

/* Maps the SQLite error rc of operation op to a KERR_ code and a message
 * naming the operation, the file and SQLite's own words.  Call it right
 * after the failing call, before anything else uses the connection. */
static int db_error(kstore *s, int rc, const char *op, kerr *err)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return kerr_set(err, KERR_FULL,
                        "%s: %s is full (%s); this write was rolled back, "
                        "earlier records are safe: free disk space",
                        op, s->path, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return kerr_set(err, KERR_CORRUPT,
                        "%s: %s is damaged or not a kiosk database (%s); "
                        "the file was left as it is", op, s->path, msg);
    case SQLITE_IOERR: {
        int e = s->db ? sqlite3_system_errno(s->db) : 0;
        return kerr_set(err, KERR_IO, "%s: %s: %s%s%s", op, s->path, msg,
                        e ? ": " : "", e ? strerror(e) : "");
    }
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
        return kerr_set(err, KERR_IO, "%s: %s: %s", op, s->path, msg);
    default:
        return kerr_set(err, KERR_INTERNAL, "%s: %s: %s", op, s->path, msg);
    }
}

/* ---- small helpers -------------------------------------------------------- */

/* Copies src into dst (cap bytes), cut at a UTF-8 character boundary. */
static void copy_utf8(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;                        /* src[n] starts the cut character */
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A text column as a C string ("" for NULL). */
static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Counts the characters (code points) of UTF-8 text. */
static size_t utf8_chars(const char *t)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* Binds text that lives until the statement is reset. */
static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
    sqlite3_bind_text(st, i, t ? t : "", -1, SQLITE_STATIC);
}

/* Resets a statement and forgets its bindings (no pointer outlives a call). */
static void stmt_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Steps a statement to completion, ignoring rows; resets it. */
static int stmt_run(kstore *s, sqlite3_stmt *st, const char *op, kerr *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int ret = rc == SQLITE_DONE ? 0 : db_error(s, rc, op, err);
    stmt_done(st);
    return ret;
}

/* Runs a one-row query of the cached statement st: 1 if a row came
 * (left unreset for the caller to read, who then calls stmt_done), 0 if
 * none (reset), negative -code on error (reset, err filled). */
static int stmt_row(kstore *s, sqlite3_stmt *st, const char *op, kerr *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    int ret = rc == SQLITE_DONE ? 0 : -db_error(s, rc, op, err);
    stmt_done(st);
    return ret;
}

/* Runs SQL text without results (schema, pragmas that write). */
static int exec_sql(kstore *s, const char *sql, const char *op, kerr *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_error(s, rc, op, err);
}

/* Reads an integer PRAGMA (or any one-value query) with a one-off statement;
 * op names it in messages. */
static int query_int(kstore *s, const char *sql, long long *out, const char *op,
                     kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    int ret = 0;
    if (rc != SQLITE_OK) {
        ret = db_error(s, rc, op, err);
        goto done;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    else
        ret = db_error(s, rc, op, err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* ---- transactions ----------------------------------------------------------- */

/* Starts the write transaction of one operation (a savepoint in a batch). */
static int tx_begin(kstore *s, const char *op, kerr *err)
{
    return stmt_run(s, s->st[s->batch ? ST_SAVEPOINT : ST_BEGIN], op, err);
}

/* Commits it; on failure rolls back and leaves the error in err. */
static int tx_commit(kstore *s, const char *op, kerr *err)
{
    return stmt_run(s, s->st[s->batch ? ST_RELEASE : ST_COMMIT], op, err);
}

/* Undoes the current operation.  SQLite may already have rolled back the
 * whole transaction by itself (after SQLITE_FULL or an I/O error); in a
 * batch that ends the batch, which err then says. */
static void tx_abort(kstore *s, kerr *err)
{
    if (sqlite3_get_autocommit(s->db)) {
        if (s->batch && err)
            snprintf(err->msg + strlen(err->msg),
                     sizeof err->msg - strlen(err->msg),
                     "; the whole batch was rolled back");
        s->batch = 0;
        return;
    }
    if (s->batch) {
        stmt_run(s, s->st[ST_ROLLBACK_TO], "rollback to savepoint", NULL);
        stmt_run(s, s->st[ST_RELEASE], "release savepoint", NULL);
    } else {
        stmt_run(s, s->st[ST_ROLLBACK], "rollback", NULL);
    }
}

/* Takes count consecutive sequence numbers (inside a write transaction);
 * *first gets the first of them. */
static int seq_take(kstore *s, int count, int64_t *first, const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_SEQ_TAKE];
    sqlite3_bind_int(st, 1, count);
    int r = stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_CORRUPT, "%s: %s has no next_seq in meta",
                        op, s->path);
    *first = sqlite3_column_int64(st, 0);
    return stmt_run(s, st, op, err);        /* finish the UPDATE */
}

/* Reads the clock for the records of one transaction. */
static void stamp_now(const kstore *s, int64_t seq, stamp *sp)
{
    sp->seq = seq;
    sp->wall_ms = s->clock->wall_ms(s->clock->ctx);
    sp->mono_ms = s->clock->mono_ms(s->clock->ctx);
}

/* Binds ?1..?6 of a record insert: id, device, seq, wall, boot, mono. */
static void bind_stamp(kstore *s, sqlite3_stmt *st, const char *id, const stamp *sp)
{
    bind_text(st, 1, id);
    bind_text(st, 2, s->device_id);
    sqlite3_bind_int64(st, 3, sp->seq);
    sqlite3_bind_int64(st, 4, sp->wall_ms);
    bind_text(st, 5, s->clock->boot_id);
    sqlite3_bind_int64(st, 6, sp->mono_ms);
}

/* Makes a record id; KERR_INTERNAL if the system has no randomness. */
static int new_id(char id[KIOSK_ID_HEX + 1], kerr *err)
{
    if (krandom_id(id) != 0)
        return kerr_set(err, KERR_INTERNAL,
                        "krandom_id: cannot read random bytes: %s", strerror(errno));
    return 0;
}

/* Tells whether a row with key id exists (cached statement st). */
static int row_exists(kstore *s, int st_id, const char *id, int *found,
                      const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[st_id];
    bind_text(st, 1, id);
    int r = stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    *found = r;
    if (r)
        stmt_done(st);
    return 0;
}

/* ---- meta ------------------------------------------------------------------- */

/* Reads meta[key] into buf; KERR_NOTFOUND (buf "") if absent. */
static int meta_get(kstore *s, const char *key, char *buf, size_t cap,
                    const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_META_GET];
    buf[0] = '\0';
    bind_text(st, 1, key);
    int r = stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    if (r == 0)
        return KERR_NOTFOUND;
    const char *v = col_text(st, 0);
    int ret = 0;
    if (strlen(v) >= cap)
        ret = kerr_set(err, KERR_INVALID, "%s: value of %s is %zu bytes, "
                       "the buffer holds %zu", op, key, strlen(v), cap - 1);
    else
        memcpy(buf, v, strlen(v) + 1);
    stmt_done(st);
    return ret;
}

/* Writes meta[key] = value (its own transaction, or part of a batch). */
static int meta_set(kstore *s, const char *key, const char *value,
                    const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_META_SET];
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return stmt_run(s, st, op, err);
}

/* Migration 1, C part: this device's id and the first sequence number. */
static int init_meta(kstore *s, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int rc = new_id(id, err);
    if (rc == 0)
        rc = exec_sql(s, "INSERT INTO meta(key, value) VALUES ('next_seq', '1')",
                      "create meta next_seq", err);
    if (rc == 0) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta(key, value) VALUES ('device_id', '%s')", id);
        rc = exec_sql(s, sql, "create meta device_id", err);
    }
    return rc;
}

/* ---- opening ---------------------------------------------------------------- */

/* Creates dir and its missing parents (0700: people's data). */
static int make_dirs(const char *dir, const char *data_dir, kerr *err)
{
    struct stat stb;
    if (mkdir(dir, 0700) == 0)
        return 0;
    int e = errno;
    if (e == EEXIST) {
        if (stat(dir, &stb) == 0 && S_ISDIR(stb.st_mode))
            return 0;
        return kerr_set(err, KERR_IO, "cannot create data folder %s: %s is "
                        "not a folder", data_dir, dir);
    }
    if (e == ENOENT) {
        char parent[STORE_PATH_MAX];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        while (slash && slash > parent && slash[1] == '\0') {
            *slash = '\0';                  /* trailing slashes */
            slash = strrchr(parent, '/');
        }
        if (slash && slash != parent) {
            *slash = '\0';
            int rc = make_dirs(parent, data_dir, err);
            if (rc)
                return rc;
            if (mkdir(dir, 0700) == 0 || errno == EEXIST)
                return 0;
            e = errno;
        }
    }
    return kerr_set(err, KERR_IO, "cannot create data folder %s: %s",
                    data_dir, strerror(e));
}

/* Makes sure the data folder exists, is a folder and can be written. */
static int data_dir_ready(const char *data_dir, kerr *err)
{
    struct stat stb;
    int rc = make_dirs(data_dir, data_dir, err);
    if (rc)
        return rc;
    if (stat(data_dir, &stb) != 0)
        return kerr_set(err, KERR_IO, "cannot use data folder %s: %s",
                        data_dir, strerror(errno));
    if (!S_ISDIR(stb.st_mode))
        return kerr_set(err, KERR_IO, "data folder %s is not a folder", data_dir);
    if (access(data_dir, W_OK | X_OK) != 0)
        return kerr_set(err, KERR_IO, "cannot write in data folder %s: %s",
                        data_dir, strerror(errno));
    return 0;
}

/* Checks an existing database file with read(2) only: a regular file we can
 * read and write, empty (a new database) or starting with the SQLite header
 * and at least one header long. */
static int check_file(const char *path, kerr *err)
{
    static const char magic[16] = "SQLite format 3";    /* with its NUL */
    struct stat stb;
    unsigned char head[100];
    int fd = -1, ret = 0;
    if (stat(path, &stb) != 0) {
        if (errno == ENOENT)
            return 0;                       /* created by sqlite3_open_v2 */
        return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(stb.st_mode))
        return kerr_set(err, KERR_IO, "%s is not a regular file", path);
    if (access(path, R_OK | W_OK) != 0)
        return kerr_set(err, KERR_IO, "cannot open %s for writing: %s", path,
                        strerror(errno));
    if (stb.st_size == 0)
        return 0;                           /* empty: a new database */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ret = kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    ssize_t got = read(fd, head, sizeof head);
    if (got < 0) {
        ret = kerr_set(err, KERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (got < (ssize_t)sizeof magic || memcmp(head, magic, sizeof magic) != 0) {
        ret = kerr_set(err, KERR_CORRUPT, "%s is not a kiosk database (not an "
                       "SQLite file); the file was left as it is", path);
        goto done;
    }
    if (got < (ssize_t)sizeof head)
        ret = kerr_set(err, KERR_CORRUPT, "%s is damaged (truncated to %zd "
                       "bytes); the file was left as it is", path, got);
done:
    if (fd >= 0)
        close(fd);
    return ret;
}

/* Refuses, before anything is written, what this kiosk must not touch:
 * another program's database, a newer schema, a damaged file. */
static int check_database(kstore *s, long long *version, kerr *err)
{
    long long app = 0, objects = 0;
    int rc = query_int(s, "PRAGMA application_id", &app, "read database header", err);
    if (rc == 0)
        rc = query_int(s, "PRAGMA user_version", version, "read schema version", err);
    if (rc)
        return rc;
    if (app != 0 && app != STORE_APP_ID)
        return kerr_set(err, KERR_CORRUPT, "%s is not a kiosk database "
                        "(application id %#llx); the file was left as it is",
                        s->path, app);
    if (*version > STORE_SCHEMA)
        return kerr_set(err, KERR_NEWER, "%s was written by a newer kiosk "
                        "(schema %lld, this kiosk knows %d): update this "
                        "kiosk's software; the file was left as it is",
                        s->path, *version, STORE_SCHEMA);
    rc = query_int(s, "SELECT count(*) FROM sqlite_schema", &objects,
                   "read schema", err);
    if (rc)
        return rc;
    if (*version == 0 && objects > 0)
        return kerr_set(err, KERR_CORRUPT, "%s is not a kiosk database (it "
                        "holds %lld tables or indexes but no kiosk schema); "
                        "the file was left as it is", s->path, objects);
    return 0;
}

/* Connection settings; journal_mode=WAL is the first write to the file. */
static int configure(kstore *s, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
                       "set synchronous and foreign_keys", err);
    if (ret)
        goto done;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        ret = db_error(s, rc, "set journal_mode=WAL", err);
        goto done;
    }
    if (strcmp(col_text(st, 0), "wal") != 0)
        ret = kerr_set(err, KERR_IO, "set journal_mode=WAL: %s stays in %s mode "
                       "(does its file system support shared memory?)",
                       s->path, col_text(st, 0));
done:
    sqlite3_finalize(st);
    return ret;
}

/* Runs the migration steps the file has not had yet, one transaction each. */
static int migrate(kstore *s, kerr *err)
{
    char op[160];
    int ret = 0;
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        const migration *m = &migrations[i];
        long long version = 0;
        snprintf(op, sizeof op, "migrate to schema %d (%s)", m->version, m->what);
        ret = exec_sql(s, "BEGIN IMMEDIATE", op, err);
        if (ret)
            break;
        /* read again inside the transaction: another process may have
         * migrated between our check and our lock */
        ret = query_int(s, "PRAGMA user_version", &version, op, err);
        if (ret == 0 && version >= m->version) {
            ret = exec_sql(s, "COMMIT", op, err);
            if (ret)
                break;
            continue;
        }
        if (ret == 0)
            ret = exec_sql(s, m->sql, op, err);
        if (ret == 0 && m->after)
            ret = m->after(s, err);
        if (ret == 0) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
            ret = exec_sql(s, sql, op, err);
        }
        if (ret == 0)
            ret = exec_sql(s, "COMMIT", op, err);
        if (ret) {
            if (!sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            break;
        }
    }
    return ret;
}

/* Prepares the cached statements (after the schema is current). */
static int prepare_all(kstore *s, kerr *err)
{
    for (int i = 0; i < ST_COUNT; i++) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
                                    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK)
            return db_error(s, rc, "prepare statement", err);
    }
    return 0;
}

/* Opens (creating if needed) the database in data_dir. */
int kstore_open(kstore **out, const char *data_dir, const kclock *clock, kerr *err)
{
    kstore *s = NULL;
    long long version = 0;
    int ret = 0;
    if (out)
        *out = NULL;
    if (!out || !data_dir || !*data_dir || !clock || !clock->wall_ms ||
        !clock->mono_ms) {
        ret = kerr_set(err, KERR_INVALID, "kstore_open: data folder and clock "
                       "are required");
        goto done;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        ret = kerr_set(err, KERR_INTERNAL, "kstore_open: out of memory");
        goto done;
    }
    s->clock = clock;
    size_t dl = strlen(data_dir);
    int n = snprintf(s->path, sizeof s->path, "%s%s%s", data_dir,
                     data_dir[dl - 1] == '/' ? "" : "/", KIOSK_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof s->path) {
        ret = kerr_set(err, KERR_INVALID, "data folder path is too long: %.80s...",
                       data_dir);
        goto done;
    }
    ret = data_dir_ready(data_dir, err);
    if (ret == 0)
        ret = check_file(s->path, err);
    if (ret)
        goto done;

    int rc = sqlite3_open_v2(s->path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ret = db_error(s, rc, "sqlite3_open_v2", err);
        goto done;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, KIOSK_BUSY_TIMEOUT_MS);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        ret = kerr_set(err, KERR_IO, "cannot open %s for writing", s->path);
        goto done;
    }
    ret = check_database(s, &version, err);
    if (ret == 0)
        ret = configure(s, err);
    if (ret == 0)
        ret = migrate(s, err);
    if (ret == 0)
        ret = prepare_all(s, err);
    if (ret == 0) {
        ret = meta_get(s, "device_id", s->device_id, sizeof s->device_id,
                       "read device id", err);
        if (ret == KERR_NOTFOUND)
            ret = kerr_set(err, KERR_CORRUPT, "%s has no device id in meta",
                           s->path);
    }
done:
    if (ret) {
        kstore_close(s);
        return ret;
    }
    *out = s;
    return 0;
}

/* Closes the database (rolling back an unfinished batch). */
void kstore_close(kstore *s)
{
    if (!s)
        return;
    if (s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->db)
        sqlite3_close(s->db);
    free(s);
}

/* This kiosk's device id (32 hex digits). */
const char *kstore_device_id(const kstore *s)
{
    return s->device_id;
}

/* Full path of the database file. */
const char *kstore_path(const kstore *s)
{
    return s->path;
}

/* Schema version on disk; -1 if it cannot be read. */
int kstore_user_version(kstore *s)
{
    long long v = -1;
    if (query_int(s, "PRAGMA user_version", &v, "read schema version", NULL) != 0)
        return -1;
    return (int)v;
}

/* Schema version this build writes. */
int kstore_schema_version(void)
{
    return STORE_SCHEMA;
}

/* Caps the database at pages pages (PRAGMA max_page_count, never below
 * the current size), so that tests can fill the "disk". */
int kstore_limit_pages(kstore *s, long pages, kerr *err)
{
    char sql[64];
    long long got = 0;
    if (pages <= 0)
        return kerr_set(err, KERR_INVALID, "kstore_limit_pages: %ld pages", pages);
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %ld", pages);
    return query_int(s, sql, &got, "set max_page_count", err);
}

/* ---- batches ---------------------------------------------------------------- */

/* Starts one transaction for many writes (see store.h). */
int kstore_batch_begin(kstore *s, kerr *err)
{
    if (s->batch)
        return kerr_set(err, KERR_INVALID, "kstore_batch_begin: a batch is "
                        "already open on %s", s->path);
    int ret = stmt_run(s, s->st[ST_BEGIN], "begin batch", err);
    if (ret == 0)
        s->batch = 1;
    return ret;
}

/* Commits the batch; every write of it is durable when this returns 0. */
int kstore_batch_commit(kstore *s, kerr *err)
{
    if (!s->batch)
        return kerr_set(err, KERR_INVALID, "kstore_batch_commit: no batch is "
                        "open (it may have been rolled back after an error)");
    s->batch = 0;
    int ret = stmt_run(s, s->st[ST_COMMIT], "commit batch", err);
    if (ret && !sqlite3_get_autocommit(s->db))
        stmt_run(s, s->st[ST_ROLLBACK], "rollback batch", NULL);
    return ret;
}

/* Abandons the batch and everything written in it. */
void kstore_batch_rollback(kstore *s)
{
    if (s->batch && !sqlite3_get_autocommit(s->db))
        stmt_run(s, s->st[ST_ROLLBACK], "rollback batch", NULL);
    s->batch = 0;
}

/* ---- settings ----------------------------------------------------------------- */

/* Builds "setting.<key>" after checking the key's characters. */
static int setting_key(const char *key, char *buf, size_t cap, kerr *err)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > STORE_SETTING_KEY_MAX)
        return kerr_set(err, KERR_INVALID, "setting name must have 1 to %d "
                        "characters", STORE_SETTING_KEY_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return kerr_set(err, KERR_INVALID, "setting name %s: only letters, "
                            "digits, '.', '_' and '-' are allowed", key);
    }
    snprintf(buf, cap, "setting.%s", key);
    return 0;
}

/* Reads a setting; KERR_NOTFOUND (buf "") if unset. */
int kstore_setting_get(kstore *s, const char *key, char *buf, unsigned cap, kerr *err)
{
    char k[STORE_SETTING_KEY_MAX + 16];
    if (!buf || cap == 0)
        return kerr_set(err, KERR_INVALID, "kstore_setting_get: no buffer");
    buf[0] = '\0';
    int ret = setting_key(key, k, sizeof k, err);
    if (ret == 0)
        ret = meta_get(s, k, buf, cap, "read setting", err);
    if (ret == KERR_NOTFOUND)
        kerr_set(err, KERR_NOTFOUND, "setting %s is not set", key);
    return ret;
}

/* Writes a setting (durable when it returns 0). */
int kstore_setting_set(kstore *s, const char *key, const char *value, kerr *err)
{
    char k[STORE_SETTING_KEY_MAX + 16];
    int ret = setting_key(key, k, sizeof k, err);
    if (ret == 0 && !value)
        ret = kerr_set(err, KERR_INVALID, "setting %s: no value", key);
    if (ret == 0)
        ret = meta_set(s, k, value, "write setting", err);
    return ret;
}

/* ---- events ------------------------------------------------------------------- */

/* Checks "YYYY-MM-DD" (a real calendar date). */
static int valid_date(const char *d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-')
                return 0;
        } else if (d[i] < '0' || d[i] > '9') {
            return 0;
        }
    }
    if (d[10] != '\0')
        return 0;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    if (m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && day == 29 && !leap);
}

/* Today's local date by the store's clock. */
static void today(const kstore *s, char out[11])
{
    int64_t ms = s->clock->wall_ms(s->clock->ctx);
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "1970-01-01");
}

/* Fills e from a row of id, name, program, date, wall_ms, survey, link. */
static void event_from_row(sqlite3_stmt *st, kevent *e)
{
    memset(e, 0, sizeof *e);
    copy_utf8(e->id, sizeof e->id, col_text(st, 0));
    copy_utf8(e->name, sizeof e->name, col_text(st, 1));
    copy_utf8(e->program, sizeof e->program, col_text(st, 2));
    copy_utf8(e->date, sizeof e->date, col_text(st, 3));
    e->wall_ms = sqlite3_column_int64(st, 4);
    copy_utf8(e->survey, sizeof e->survey, col_text(st, 5));
    copy_utf8(e->link, sizeof e->link, col_text(st, 6));
}

/* Checks a key as survey.h writes them: a letter, then a-z, 0-9, '-',
 * '_'; at most KIOSK_SURVEY_KEY_MAX characters. */
static int valid_key(const char *k)
{
    return k && ksurvey_key_valid(k, strlen(k));
}

/* Checks a link: printable, no spaces or control characters. */
static int valid_link(const char *l)
{
    for (const unsigned char *p = (const unsigned char *)l; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

/* Creates an event (a record) with no survey and no link. */
int kstore_event_add(kstore *s, const char *name, const char *program,
                     const char *date, kevent *out, kerr *err)
{
    kevent_spec spec = {name, program, date, NULL, NULL};
    return kstore_event_add2(s, &spec, out, err);
}

/* Creates an event (a record) with all its fields. */
int kstore_event_add2(kstore *s, const kevent_spec *spec, kevent *out, kerr *err)
{
    kevent e;
    stamp sp;
    int64_t seq = 0;
    int ret = 0;
    memset(&e, 0, sizeof e);
    if (!spec)
        return kerr_set(err, KERR_INVALID, "kstore_event_add2: no event given");
    const char *name = spec->name, *date = spec->date;
    const char *program = spec->program ? spec->program : "";
    const char *survey = spec->survey ? spec->survey : "";
    const char *link = spec->link ? spec->link : "";
    if (!name || !*name)
        return kerr_set(err, KERR_INVALID, "event name is empty");
    if (utf8_chars(name) > KIOSK_EVENT_NAME_MAX || strlen(name) >= sizeof e.name)
        return kerr_set(err, KERR_INVALID, "event name is longer than %d "
                        "characters", KIOSK_EVENT_NAME_MAX);
    if (utf8_chars(program) > KIOSK_PROGRAM_MAX || strlen(program) >= sizeof e.program)
        return kerr_set(err, KERR_INVALID, "event program is longer than %d "
                        "characters", KIOSK_PROGRAM_MAX);
    if (date && *date && !valid_date(date))
        return kerr_set(err, KERR_INVALID, "event date %.40s is not a date "
                        "(expected YYYY-MM-DD)", date);
    if (*survey && !valid_key(survey))
        return kerr_set(err, KERR_INVALID, "event survey %.40s is not a survey "
                        "key (a letter, then a-z, 0-9, '-' or '_', at most %d)",
                        survey, KIOSK_SURVEY_KEY_MAX);
    if (strlen(link) > KIOSK_EVENT_LINK_MAX)
        return kerr_set(err, KERR_INVALID, "event link is longer than %d bytes",
                        KIOSK_EVENT_LINK_MAX);
    if (!valid_link(link))
        return kerr_set(err, KERR_INVALID, "event link %.60s has spaces or "
                        "control characters", link);
    ret = new_id(e.id, err);
    if (ret)
        return ret;
    snprintf(e.name, sizeof e.name, "%s", name);
    snprintf(e.program, sizeof e.program, "%s", program);
    snprintf(e.survey, sizeof e.survey, "%s", survey);
    snprintf(e.link, sizeof e.link, "%s", link);
    if (date && *date)
        snprintf(e.date, sizeof e.date, "%s", date);
    else
        today(s, e.date);

    ret = tx_begin(s, "add event", err);
    if (ret)
        return ret;
    ret = seq_take(s, 1, &seq, "add event", err);
    if (ret)
        goto done;
    stamp_now(s, seq, &sp);
    e.wall_ms = sp.wall_ms;
    sqlite3_stmt *st = s->st[ST_EVENT_INSERT];
    bind_stamp(s, st, e.id, &sp);
    bind_text(st, 7, e.name);
    bind_text(st, 8, e.program);
    bind_text(st, 9, e.date);
    bind_text(st, 10, e.survey);
    bind_text(st, 11, e.link);
    ret = stmt_run(s, st, "insert event", err);
    if (ret == 0)
        ret = tx_commit(s, "commit event", err);
done:
    if (ret)
        tx_abort(s, err);
    else if (out)
        *out = e;
    return ret;
}

/* Finds an event by id or unique prefix of >= 4 hex digits. */
int kstore_event_get(kstore *s, const char *id_or_prefix, kevent *out, kerr *err)
{
    char lo[KIOSK_ID_HEX + 1], hi[KIOSK_ID_HEX + 2];
    size_t n = id_or_prefix ? strlen(id_or_prefix) : 0;
    kevent e[2];
    int found = 0, ret = 0, rc = SQLITE_DONE;
    if (n < 4 || n > KIOSK_ID_HEX)
        return kerr_set(err, KERR_INVALID, "event id %.40s: give 4 to %d hex "
                        "digits", id_or_prefix ? id_or_prefix : "", KIOSK_ID_HEX);
    for (size_t i = 0; i < n; i++) {
        char c = id_or_prefix[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return kerr_set(err, KERR_INVALID, "event id %.40s: not a hex "
                            "number", id_or_prefix);
        lo[i] = hi[i] = c;
    }
    lo[n] = '\0';
    hi[n] = 'g';                            /* just above every hex digit */
    hi[n + 1] = '\0';

    sqlite3_stmt *st = s->st[ST_EVENT_RANGE];
    bind_text(st, 1, lo);
    bind_text(st, 2, hi);
    while (found < 2 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        event_from_row(st, &e[found++]);
    if (found < 2 && rc != SQLITE_DONE)
        ret = db_error(s, rc, "find event", err);
    stmt_done(st);
    if (ret)
        return ret;
    if (found == 0)
        return kerr_set(err, KERR_NOTFOUND, "no event with id %s in %s", lo, s->path);
    if (found == 2)
        return kerr_set(err, KERR_INVALID, "event id prefix %s is ambiguous: it "
                        "matches %s and %s (give more digits)", lo, e[0].id, e[1].id);
    if (out)
        *out = e[0];
    return 0;
}

/* Calls fn for each event, newest date first.  Uses its own statement, so
 * fn may call other kstore functions (even this one). */
int kstore_event_each(kstore *s, int (*fn)(const kevent *e, void *ctx), void *ctx,
                      kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = 0;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, name, program, date, wall_ms, survey, link "
                                "FROM events ORDER BY date DESC, wall_ms DESC, id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        ret = db_error(s, rc, "list events", err);
        goto done;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kevent e;
        event_from_row(st, &e);
        if (fn(&e, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        ret = db_error(s, rc, "list events", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Makes id (or a unique prefix of it) the event check-ins go to. */
int kstore_event_use(kstore *s, const char *id, kerr *err)
{
    kevent e;
    int ret = kstore_event_get(s, id, &e, err);
    if (ret == 0)
        ret = meta_set(s, "current_event", e.id, "set current event", err);
    return ret;
}

/* The event check-ins go to; KERR_NOTFOUND if none was chosen. */
int kstore_event_current(kstore *s, kevent *out, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int ret = meta_get(s, "current_event", id, sizeof id, "read current event", err);
    if (ret == KERR_NOTFOUND)
        return kerr_set(err, KERR_NOTFOUND, "no current event in %s", s->path);
    if (ret == 0)
        ret = kstore_event_get(s, id, out, err);
    return ret;
}

/* ---- people and check-ins ------------------------------------------------------ */

/* Checks that a caller's fixed-size field is NUL-terminated. */
static int field_ok(const char *f, size_t cap, const char *what, kerr *err)
{
    if (!memchr(f, '\0', cap))
        return kerr_set(err, KERR_INVALID, "person %s is not terminated", what);
    return 0;
}

/* Inserts a check-in record (inside the caller's transaction). */
static int insert_checkin(kstore *s, const char *person_id, const char *event_id,
                          int is_new, const stamp *sp, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int ret = new_id(id, err);
    if (ret)
        return ret;
    sqlite3_stmt *st = s->st[ST_CHECKIN_INSERT];
    bind_stamp(s, st, id, sp);
    bind_text(st, 7, person_id);
    bind_text(st, 8, event_id);
    sqlite3_bind_int(st, 9, is_new);
    return stmt_run(s, st, "insert check-in", err);
}

/* Requires the event to exist (inside the caller's transaction). */
static int need_event(kstore *s, const char *event_id, kerr *err)
{
    int found = 0;
    int ret = row_exists(s, ST_EVENT_EXISTS, event_id, &found, "find event", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no event with id %.40s in %s",
                       event_id, s->path);
    return ret;
}

/* The sort part of a person's FTS rowid: the first STORE_SORT_CHARS bytes
 * of name_key, 6 bits each, order-preserving (end < space < digits <
 * letters < other ASCII < bytes of other scripts). */
static int64_t sort_base(const char *key)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t v = 0;
    for (int i = 0; i < STORE_SORT_CHARS; i++) {
        unsigned c = *p ? *p++ : 0, code;
        if (c == 0)
            code = 0;
        else if (c == ' ')
            code = 1;
        else if (c >= '0' && c <= '9')
            code = 2 + (c - '0');
        else if (c >= 'a' && c <= 'z')
            code = 12 + (c - 'a');
        else if (c < 0x80)
            code = 38;
        else
            code = 39 + (c - 0x80) * 24 / 128;  /* 39..62 */
        v = (v << 6) | code;
    }
    return (int64_t)(v << STORE_SORT_SHIFT);
}

/* Picks a free FTS rowid for name_key (inside the write transaction): the
 * next one among people with the same first characters, or past the end
 * if they are all taken. */
static int fts_rowid(kstore *s, const char *key, int64_t *rowid, kerr *err)
{
    int64_t lo = sort_base(key), hi = lo | ((1 << STORE_SORT_SHIFT) - 1);
    sqlite3_stmt *st = s->st[ST_FTS_SLOT];
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    int r = stmt_row(s, st, "find index slot", err);
    if (r < 0)
        return -r;
    int64_t last = r ? sqlite3_column_int64(st, 0) : lo - 1;
    if (r)
        stmt_done(st);
    if (last < hi) {
        *rowid = last + 1;
        return 0;
    }
    st = s->st[ST_FTS_LAST];                /* slot full: after everyone */
    r = stmt_row(s, st, "find index slot", err);
    if (r < 0)
        return -r;
    *rowid = (r ? sqlite3_column_int64(st, 0) : 0) + 1;
    if (r)
        stmt_done(st);
    return 0;
}

/* Adds a person and checks them in at event_id, in one transaction. */
int kstore_signup(kstore *s, kperson *p, const char *event_id, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    char name[3 * KIOSK_NAME_BYTES + 3];
    char key[STORE_KEY_BYTES], gkey[STORE_KEY_BYTES], fkey[STORE_KEY_BYTES];
    char cjk[2 * STORE_KEY_BYTES];
    int64_t seq = 0, rowid = 0;
    stamp sp;
    int ret = 0;
    if (!p || !event_id)
        return kerr_set(err, KERR_INVALID, "kstore_signup: person and event "
                        "are required");
    p->id[0] = '\0';
    if ((ret = field_ok(p->given, sizeof p->given, "given name", err)) ||
        (ret = field_ok(p->family, sizeof p->family, "family name", err)) ||
        (ret = field_ok(p->phone, sizeof p->phone, "phone", err)) ||
        (ret = field_ok(p->email, sizeof p->email, "email", err)) ||
        (ret = field_ok(p->zip, sizeof p->zip, "ZIP", err)) ||
        (ret = new_id(id, err)))
        return ret;
    snprintf(name, sizeof name, "%s %s", p->given, p->family);
    kfold(name, key, sizeof key);
    kfold(p->given, gkey, sizeof gkey);
    kfold(p->family, fkey, sizeof fkey);
    cjk[0] = '\0';
    if (kfold_has_cjk(name)) {
        snprintf(name, sizeof name, "%s %s %s", p->family, p->given, p->family);
        kfold(name, cjk, sizeof cjk);
    }

    ret = tx_begin(s, "sign up", err);
    if (ret)
        return ret;
    ret = need_event(s, event_id, err);
    if (ret == 0)
        ret = seq_take(s, 2, &seq, "sign up", err);
    if (ret == 0)
        ret = fts_rowid(s, key, &rowid, err);
    if (ret)
        goto done;
    stamp_now(s, seq, &sp);
    sqlite3_stmt *st = s->st[ST_PERSON_INSERT];
    bind_stamp(s, st, id, &sp);
    bind_text(st, 7, p->given);
    bind_text(st, 8, p->family);
    bind_text(st, 9, p->phone);
    bind_text(st, 10, p->email);
    bind_text(st, 11, p->zip);
    bind_text(st, 12, key);
    ret = stmt_run(s, st, "insert person", err);
    if (ret)
        goto done;
    st = s->st[ST_FTS_INSERT];
    sqlite3_bind_int64(st, 1, rowid);
    bind_text(st, 2, gkey);
    bind_text(st, 3, fkey);
    bind_text(st, 4, cjk);
    bind_text(st, 5, id);
    ret = stmt_run(s, st, "index person name", err);
    if (ret)
        goto done;
    sp.seq = seq + 1;
    ret = insert_checkin(s, id, event_id, 1, &sp, err);
    if (ret == 0)
        ret = tx_commit(s, "commit sign-up", err);
done:
    if (ret)
        tx_abort(s, err);
    else
        memcpy(p->id, id, sizeof id);
    return ret;
}

/* Checks a known person in; KERR_DUP if already checked in there. */
int kstore_checkin(kstore *s, const char *person_id, const char *event_id, kerr *err)
{
    int64_t seq = 0;
    int found = 0;
    stamp sp;
    if (!person_id || !event_id)
        return kerr_set(err, KERR_INVALID, "kstore_checkin: person and event "
                        "are required");
    int ret = tx_begin(s, "check in", err);
    if (ret)
        return ret;
    ret = row_exists(s, ST_PERSON_EXISTS, person_id, &found, "find person", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                       person_id, s->path);
    if (ret == 0)
        ret = need_event(s, event_id, err);
    if (ret)
        goto done;
    sqlite3_stmt *st = s->st[ST_CHECKIN_FIND];
    bind_text(st, 1, person_id);
    bind_text(st, 2, event_id);
    int r = stmt_row(s, st, "find check-in", err);
    if (r < 0) {
        ret = -r;
        goto done;
    }
    if (r > 0) {
        stmt_done(st);
        ret = kerr_set(err, KERR_DUP, "person %s is already checked in at "
                       "event %s", person_id, event_id);
        goto done;
    }
    ret = seq_take(s, 1, &seq, "check in", err);
    if (ret)
        goto done;
    stamp_now(s, seq, &sp);
    ret = insert_checkin(s, person_id, event_id, 0, &sp, err);
    if (ret == 0)
        ret = tx_commit(s, "commit check-in", err);
done:
    if (ret)
        tx_abort(s, err);
    return ret;
}

/* Reads a person's record. */
int kstore_person_get(kstore *s, const char *person_id, kperson *out, kerr *err)
{
    if (!person_id || !out)
        return kerr_set(err, KERR_INVALID, "kstore_person_get: id and output "
                        "are required");
    sqlite3_stmt *st = s->st[ST_PERSON_GET];
    bind_text(st, 1, person_id);
    int r = stmt_row(s, st, "read person", err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                        person_id, s->path);
    memset(out, 0, sizeof *out);
    copy_utf8(out->id, sizeof out->id, person_id);
    copy_utf8(out->given, sizeof out->given, col_text(st, 0));
    copy_utf8(out->family, sizeof out->family, col_text(st, 1));
    copy_utf8(out->phone, sizeof out->phone, col_text(st, 2));
    copy_utf8(out->email, sizeof out->email, col_text(st, 3));
    copy_utf8(out->zip, sizeof out->zip, col_text(st, 4));
    stmt_done(st);
    return 0;
}

/* ---- search ---------------------------------------------------------------------- */

/* Appends text to the expression buffer; -1 if it does not fit. */
static int expr_add(char *buf, size_t cap, size_t *len, const char *t, size_t n)
{
    if (*len + n + 1 > cap)
        return -1;
    memcpy(buf + *len, t, n);
    *len += n;
    buf[*len] = '\0';
    return 0;
}

/* Appends one word inside a quoted FTS5 string, doubling any '"'. */
static int expr_quoted(char *buf, size_t cap, size_t *len, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (expr_add(buf, cap, len, w + i, 1) ||
            (w[i] == '"' && expr_add(buf, cap, len, "\"", 1)))
            return -1;
    return 0;
}

/* Appends the FTS5 term for the query word(s) at *p to buf and moves *p
 * past them: a quoted prefix term ("nguyen"*) for a word, one quoted
 * phrase ("陈 美") for a run of CJK characters.  -1 if buf is full. */
static int expr_term(const char **p, char *buf, size_t cap, size_t *len)
{
    int in_phrase = 0;
    if (expr_add(buf, cap, len, "\"", 1))
        return -1;
    while (**p) {
        size_t n = strcspn(*p, " ");
        char word[KIOSK_QUERY_BYTES];
        snprintf(word, sizeof word, "%.*s", (int)n, *p);
        int cjk = kfold_has_cjk(word);
        if (in_phrase && !cjk)
            break;                          /* the phrase ends here */
        if ((in_phrase && expr_add(buf, cap, len, " ", 1)) ||
            expr_quoted(buf, cap, len, word, n))
            return -1;
        *p += n;
        while (**p == ' ')
            (*p)++;
        if (!cjk)
            return expr_add(buf, cap, len, "\"*", 2);
        in_phrase = 1;
    }
    return expr_add(buf, cap, len, "\"", 1);
}

/* Builds the two MATCH expressions of a folded query: given (the first
 * term in given_key, the others anywhere) and family (all terms anywhere,
 * NOT the first in given_key).  Every word is quoted, so user text never
 * reaches FTS5 syntax.  -1 if they do not fit. */
static int build_match(const char *folded, char *given, char *family, size_t cap)
{
    char first[KIOSK_QUERY_BYTES * 4], rest[KIOSK_QUERY_BYTES * 6];
    size_t lf = 0, lr = 0;
    const char *p = folded;
    first[0] = rest[0] = '\0';
    if (expr_term(&p, first, sizeof first, &lf))
        return -1;
    while (*p)
        if (expr_add(rest, sizeof rest, &lr, " AND ", 5) ||
            expr_term(&p, rest, sizeof rest, &lr))
            return -1;
    int a = snprintf(given, cap, "{given_key} : %s%s", first, rest);
    int b = snprintf(family, cap, "(%s%s) NOT ({given_key} : %s)", first, rest,
                     first);
    return a < 0 || b < 0 || (size_t)a >= cap || (size_t)b >= cap ? -1 : 0;
}

/* Runs one MATCH expression, appending up to max - *got rows to out. */
static int search_pass(kstore *s, const char *expr, kmatch *out, int max, int *got,
                       kerr *err)
{
    sqlite3_stmt *st = s->st[ST_SEARCH];
    int rc = SQLITE_DONE, ret = 0;
    bind_text(st, 1, expr);
    sqlite3_bind_int(st, 2, max - *got);
    while (*got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        kmatch *m = &out[(*got)++];
        memset(m, 0, sizeof *m);            /* no stale bytes leave with it */
        copy_utf8(m->person_id, sizeof m->person_id, col_text(st, 0));
        copy_utf8(m->first, sizeof m->first, col_text(st, 1));
        kfold_initial(col_text(st, 2), m->initial, sizeof m->initial);
        copy_utf8(m->hint, sizeof m->hint, col_text(st, 3));
    }
    if (*got < max && rc != SQLITE_DONE)
        ret = db_error(s, rc, "search people", err);
    stmt_done(st);
    return ret;
}

/* Finds people by name (see store.h): given-name matches, then the rest. */
int kstore_search(kstore *s, const char *query, kmatch *out, int max, int *n,
                  kerr *err)
{
    char folded[KIOSK_QUERY_BYTES];
    char given[KIOSK_QUERY_BYTES * 12], family[KIOSK_QUERY_BYTES * 12];
    int ret = 0, got = 0;
    if (n)
        *n = 0;
    if (!n || (max > 0 && !out))
        return kerr_set(err, KERR_INVALID, "kstore_search: no output");
    kfold(query, folded, sizeof folded);
    if (max <= 0 || kfold_len(folded) < KIOSK_SEARCH_MIN_CHARS)
        return 0;
    if (build_match(folded, given, family, sizeof given) != 0)
        return kerr_set(err, KERR_INTERNAL, "search: query expression too long");
    ret = search_pass(s, given, out, max, &got, err);
    if (ret == 0 && got < max)
        ret = search_pass(s, family, out, max, &got, err);
    *n = ret ? 0 : got;
    return ret;
}

/* Counts check-ins and new people at an event. */
int kstore_event_counts(kstore *s, const char *event_id, int *checkins,
                        int *new_people, kerr *err)
{
    int found = 0;
    if (!event_id)
        return kerr_set(err, KERR_INVALID, "kstore_event_counts: no event");
    int ret = row_exists(s, ST_EVENT_EXISTS, event_id, &found, "find event", err);
    if (ret)
        return ret;
    if (!found)
        return kerr_set(err, KERR_NOTFOUND, "no event with id %.40s in %s",
                        event_id, s->path);
    sqlite3_stmt *st = s->st[ST_COUNTS];
    bind_text(st, 1, event_id);
    int r = stmt_row(s, st, "count check-ins", err);
    if (r < 0)
        return -r;
    if (checkins)
        *checkins = r ? sqlite3_column_int(st, 0) : 0;
    if (new_people)
        *new_people = r ? sqlite3_column_int(st, 1) : 0;
    if (r)
        stmt_done(st);
    return 0;
}

/* ---- the staff screen: counts, check-ins, arrivals ------------------------------ */

/* Counts check-ins, new people and returning people at an event. */
int kstore_event_stats(kstore *s, const char *event_id, kevent_stats *out, kerr *err)
{
    int checkins = 0, fresh = 0;
    if (!out)
        return kerr_set(err, KERR_INVALID, "kstore_event_stats: no output");
    memset(out, 0, sizeof *out);
    int ret = kstore_event_counts(s, event_id, &checkins, &fresh, err);
    if (ret == 0) {
        out->checkins = checkins;
        out->new_people = fresh;
        out->returning = checkins - fresh;
    }
    return ret;
}

/* Prepares a statement of its own for a reader whose callback may use the
 * store (the cached ones may be busy then). */
static int prepare_own(kstore *s, const char *sql, sqlite3_stmt **st, const char *op,
                       kerr *err)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : db_error(s, rc, op, err);
}

/* Requires an event id that exists (outside a transaction too). */
static int event_known(kstore *s, const char *event_id, const char *op, kerr *err)
{
    if (!event_id || !*event_id)
        return kerr_set(err, KERR_INVALID, "%s: no event given", op);
    return need_event(s, event_id, err);
}

/* Calls fn for each check-in at an event, newest first. */
int kstore_checkins_each(kstore *s, const char *event_id,
                         int (*fn)(const kcheckin *c, void *ctx), void *ctx,
                         kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    int ret = fn ? event_known(s, event_id, "list check-ins", err)
                 : kerr_set(err, KERR_INVALID, "kstore_checkins_each: no callback");
    if (ret == 0)
        ret = prepare_own(s,
                          "SELECT c.person_id, p.given, p.family, c.wall_ms, c.is_new "
                          "FROM checkins c JOIN people p ON p.id = c.person_id "
                          "WHERE c.event_id = ?1 ORDER BY c.wall_ms DESC, c.seq DESC",
                          &st, "list check-ins", err);
    if (ret)
        goto done;
    bind_text(st, 1, event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kcheckin c;
        memset(&c, 0, sizeof c);
        copy_utf8(c.person_id, sizeof c.person_id, col_text(st, 0));
        copy_utf8(c.given, sizeof c.given, col_text(st, 1));
        copy_utf8(c.family, sizeof c.family, col_text(st, 2));
        c.wall_ms = sqlite3_column_int64(st, 3);
        c.is_new = sqlite3_column_int(st, 4);
        if (fn(&c, ctx) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        ret = db_error(s, rc, "list check-ins", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Counts check-ins per bucket_ms at an event (see store.h). */
int kstore_arrivals(kstore *s, const char *event_id, int64_t bucket_ms,
                    int64_t *first_bucket_start, int *counts, int max, int *n,
                    kerr *err)
{
    sqlite3_stmt *st = NULL;
    int64_t start = 0;
    int rc = SQLITE_DONE, ret = 0, got = 0;
    if (!n || !first_bucket_start || max < 0 || (max > 0 && !counts) || bucket_ms <= 0)
        return kerr_set(err, KERR_INVALID, "kstore_arrivals: bad arguments "
                        "(bucket %lld ms, max %d)", (long long)bucket_ms, max);
    *n = 0;
    *first_bucket_start = 0;
    ret = event_known(s, event_id, "count arrivals", err);
    if (ret == 0)
        ret = prepare_own(s,
                          "SELECT wall_ms - ((wall_ms % ?2) + ?2) % ?2 AS b, count(*) "
                          "FROM checkins WHERE event_id = ?1 GROUP BY b ORDER BY b",
                          &st, "count arrivals", err);
    if (ret || max == 0)
        goto done;
    /* first pass: the last bucket, so that the latest max are kept */
    bind_text(st, 1, event_id);
    sqlite3_bind_int64(st, 2, bucket_ms);
    int64_t first = 0, last = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        if (got++ == 0)
            first = last;
    }
    if (rc != SQLITE_DONE) {
        ret = db_error(s, rc, "count arrivals", err);
        goto done;
    }
    if (got == 0)
        goto done;
    int64_t span = (last - first) / bucket_ms + 1;
    start = span > max ? last - (int64_t)(max - 1) * bucket_ms : first;
    int nb = span > max ? max : (int)span;
    memset(counts, 0, (size_t)nb * sizeof *counts);
    sqlite3_reset(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(st, 0);
        if (b >= start)
            counts[(b - start) / bucket_ms] += sqlite3_column_int(st, 1);
    }
    if (rc != SQLITE_DONE) {
        ret = db_error(s, rc, "count arrivals", err);
        goto done;
    }
    *n = nb;
    *first_bucket_start = start;
done:
    sqlite3_finalize(st);
    return ret;
}

/* ---- survey answers -------------------------------------------------------------- */

/* Checks a language code: at most 15 of A-Z, a-z, 0-9, '-' ("" allowed). */
static int valid_lang(const char *l)
{
    size_t n = strlen(l);
    if (n > 15)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
              (l[i] >= '0' && l[i] <= '9') || l[i] == '-'))
            return 0;
    return 1;
}

/* Checks the arguments of an answer before any transaction starts. */
static int answer_args(const char *survey_key, int version, const char *qkey,
                       const char *value, const char *lang, kerr *err)
{
    if (!valid_key(survey_key))
        return kerr_set(err, KERR_INVALID, "answer: survey key %.40s is not a key",
                        survey_key ? survey_key : "(none)");
    if (version < 1)
        return kerr_set(err, KERR_INVALID, "answer: survey %s version %d (must be "
                        ">= 1)", survey_key, version);
    if (!valid_key(qkey))
        return kerr_set(err, KERR_INVALID, "answer: question key %.40s is not a key",
                        qkey ? qkey : "(none)");
    if (!value)
        return kerr_set(err, KERR_INVALID, "answer to %s: no value", qkey);
    if (strlen(value) > KIOSK_ANSWER_VALUE_MAX_BYTES)
        return kerr_set(err, KERR_INVALID, "answer to %s: %zu bytes, at most %d",
                        qkey, strlen(value), KIOSK_ANSWER_VALUE_MAX_BYTES);
    if (!valid_lang(lang))
        return kerr_set(err, KERR_INVALID, "answer to %s: language %.20s is not "
                        "a language code", qkey, lang);
    return 0;
}

/* Requires a person to exist (inside the caller's transaction). */
static int need_person(kstore *s, const char *person_id, kerr *err)
{
    int found = 0;
    int ret = row_exists(s, ST_PERSON_EXISTS, person_id, &found, "find person", err);
    if (ret == 0 && !found)
        ret = kerr_set(err, KERR_NOTFOUND, "no person with id %.40s in %s",
                       person_id, s->path);
    return ret;
}

/* Stores n answers of one person at one event in one transaction. */
int kstore_answers_add(kstore *s, const char *person_id, const char *event_id,
                       const char *survey_key, int version, const char *lang,
                       int n, const char *const *qkeys, const char *const *values,
                       kerr *err)
{
    int64_t seq = 0;
    stamp sp;
    int ret = 0;
    if (!lang)
        lang = "";
    if (!person_id || !event_id || n < 0 || (n > 0 && (!qkeys || !values)))
        return kerr_set(err, KERR_INVALID, "kstore_answers_add: person, event "
                        "and answers are required");
    for (int i = 0; i < n; i++)
        if ((ret = answer_args(survey_key, version, qkeys[i], values[i], lang, err)))
            return ret;
    if (n == 0)
        return 0;
    ret = tx_begin(s, "store answers", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    if (ret == 0)
        ret = need_event(s, event_id, err);
    if (ret == 0)
        ret = seq_take(s, n, &seq, "store answers", err);
    if (ret)
        goto done;
    stamp_now(s, seq, &sp);
    for (int i = 0; i < n && ret == 0; i++) {
        char id[KIOSK_ID_HEX + 1];
        ret = new_id(id, err);
        if (ret)
            break;
        sp.seq = seq + i;
        sqlite3_stmt *st = s->st[ST_ANSWER_INSERT];
        bind_stamp(s, st, id, &sp);
        bind_text(st, 7, person_id);
        bind_text(st, 8, event_id);
        bind_text(st, 9, survey_key);
        sqlite3_bind_int(st, 10, version);
        bind_text(st, 11, qkeys[i]);
        bind_text(st, 12, values[i]);
        bind_text(st, 13, lang);
        ret = stmt_run(s, st, "insert answer", err);
    }
    if (ret == 0)
        ret = tx_commit(s, "commit answers", err);
done:
    if (ret)
        tx_abort(s, err);
    return ret;
}

/* Stores one answer (durable on return). */
int kstore_answer_add(kstore *s, const char *person_id, const char *event_id,
                      const char *survey_key, int version, const char *qkey,
                      const char *value, const char *lang, kerr *err)
{
    return kstore_answers_add(s, person_id, event_id, survey_key, version, lang, 1,
                              &qkey, &value, err);
}

/* Columns every answer reader selects, in kanswer order (see answer_from_row). */
#define ANSWER_COLS "person_id, event_id, survey_key, survey_version, " \
                    "question_key, value, lang, seq, wall_ms, first"

/* Points a at the columns of the current row (ANSWER_COLS). */
static void answer_from_row(sqlite3_stmt *st, kanswer *a)
{
    a->person_id = col_text(st, 0);
    a->event_id = col_text(st, 1);
    a->survey_key = col_text(st, 2);
    a->survey_version = sqlite3_column_int(st, 3);
    a->question_key = col_text(st, 4);
    a->value = col_text(st, 5);
    a->lang = col_text(st, 6);
    a->seq = sqlite3_column_int64(st, 7);
    a->wall_ms = sqlite3_column_int64(st, 8);
    a->first_seq = sqlite3_column_int64(st, 9);
}

/* Steps a prepared answer query, calling fn per row; returns fn's non-zero
 * value if it stopped the walk. */
static int answers_walk(kstore *s, sqlite3_stmt *st, int (*fn)(const kanswer *a, void *ctx),
                        void *ctx, const char *op, kerr *err)
{
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanswer a;
        answer_from_row(st, &a);
        if ((ret = fn(&a, ctx)) != 0)
            return ret;
    }
    return rc == SQLITE_DONE ? 0 : db_error(s, rc, op, err);
}

/* The latest answer to each question of a person at an event. */
int kstore_answers_latest(kstore *s, const char *person_id, const char *event_id,
                          int (*fn)(const kanswer *a, void *ctx), void *ctx,
                          kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = 0;
    if (!person_id || !event_id || !fn)
        return kerr_set(err, KERR_INVALID, "kstore_answers_latest: person, event "
                        "and callback are required");
    ret = prepare_own(s,
        "SELECT " ANSWER_COLS " FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY survey_key, question_key"
        "                               ORDER BY seq DESC) AS rn,"
        "         min(seq) OVER (PARTITION BY survey_key, question_key) AS first"
        "  FROM answers WHERE person_id = ?1 AND event_id = ?2)"
        " WHERE rn = 1 ORDER BY first",
        &st, "read answers", err);
    if (ret == 0) {
        bind_text(st, 1, person_id);
        bind_text(st, 2, event_id);
        ret = answers_walk(s, st, fn, ctx, "read answers", err);
    }
    sqlite3_finalize(st);
    return ret;
}

/* ---- QR check-in codes ------------------------------------------------------------ */

#define QR_PREFIX "K1-"
#define QR_DIGITS 26                        /* 128 bits in base32 */
static const char qr_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Writes a new random token ("K1-" + 26 base32 digits) into out. */
static int qr_make(char out[KIOSK_QR_TOKEN_BYTES], kerr *err)
{
    unsigned char b[16];
    if (krandom_bytes(b, sizeof b) != 0)
        return kerr_set(err, KERR_INTERNAL, "krandom_bytes: cannot read random "
                        "bytes: %s", strerror(errno));
    memcpy(out, QR_PREFIX, 3);
    unsigned acc = 0, bits = 0, o = 3;
    for (size_t i = 0; i < sizeof b; i++) {
        acc = (acc << 8) | b[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = qr_alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    out[o++] = qr_alphabet[(acc << (5 - bits)) & 31];   /* last 3 bits */
    out[o] = '\0';
    return 0;
}

/* Normalises scanned text into a token (trimmed, upper case); -1 if it is
 * not one. */
static int qr_normalise(const char *in, char out[KIOSK_QR_TOKEN_BYTES])
{
    size_t len;
    if (!in)
        return -1;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' ||
                       in[len - 1] == '\r' || in[len - 1] == '\n'))
        len--;
    if (len != 3 + QR_DIGITS)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (i < 3 ? c != QR_PREFIX[i] : !strchr(qr_alphabet, c))
            return -1;
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

/* Non-zero if text looks like a QR check-in token. */
int kstore_qr_is_token(const char *text)
{
    char t[KIOSK_QR_TOKEN_BYTES];
    return qr_normalise(text, t) == 0;
}

/* Reads the person's live token into out; 1 if there is one, 0 if not,
 * negative -code on error. */
static int qr_live(kstore *s, const char *person_id, char out[KIOSK_QR_TOKEN_BYTES],
                   kerr *err)
{
    sqlite3_stmt *st = s->st[ST_QR_LIVE];
    bind_text(st, 1, person_id);
    int r = stmt_row(s, st, "find QR code", err);
    if (r > 0) {
        copy_utf8(out, KIOSK_QR_TOKEN_BYTES, col_text(st, 0));
        stmt_done(st);
    }
    return r;
}

/* The person's live token, created if they have none. */
int kstore_qr_token(kstore *s, const char *person_id, char *out, unsigned cap,
                    kerr *err)
{
    char token[KIOSK_QR_TOKEN_BYTES], id[KIOSK_ID_HEX + 1];
    int64_t seq = 0;
    stamp sp;
    int ret = 0;
    if (!person_id || !out || cap < 3 + QR_DIGITS + 1)
        return kerr_set(err, KERR_INVALID, "kstore_qr_token: person and a buffer of "
                        "%d bytes are required", 3 + QR_DIGITS + 1);
    out[0] = '\0';
    int r = qr_live(s, person_id, token, err);     /* the common case: no lock */
    if (r < 0)
        return -r;
    if (r > 0)
        goto found;
    if ((ret = new_id(id, err)))
        return ret;
    ret = tx_begin(s, "make QR code", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    if (ret)
        goto done;
    r = qr_live(s, person_id, token, err);         /* made meanwhile? */
    if (r < 0) {
        ret = -r;
        goto done;
    }
    if (r == 0) {
        ret = qr_make(token, err);
        if (ret == 0)
            ret = seq_take(s, 1, &seq, "make QR code", err);
        if (ret)
            goto done;
        stamp_now(s, seq, &sp);
        sqlite3_stmt *st = s->st[ST_QR_INSERT];
        bind_stamp(s, st, id, &sp);
        bind_text(st, 7, person_id);
        bind_text(st, 8, token);
        ret = stmt_run(s, st, "insert QR code", err);
    }
    if (ret == 0)
        ret = tx_commit(s, "commit QR code", err);
done:
    if (ret) {
        tx_abort(s, err);
        return ret;
    }
found:
    snprintf(out, cap, "%s", token);
    return 0;
}

/* Finds the person of a scanned token (see store.h). */
int kstore_qr_lookup(kstore *s, const char *token, char person_id[KIOSK_ID_HEX + 1],
                     int *revoked, kerr *err)
{
    char t[KIOSK_QR_TOKEN_BYTES];
    if (revoked)
        *revoked = 0;
    if (!person_id)
        return kerr_set(err, KERR_INVALID, "kstore_qr_lookup: no output");
    person_id[0] = '\0';
    if (qr_normalise(token, t) != 0)
        return kerr_set(err, KERR_INVALID, "scanned text is not a kiosk QR code");
    sqlite3_stmt *st = s->st[ST_QR_FIND];
    bind_text(st, 1, t);
    int r = stmt_row(s, st, "look up QR code", err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_NOTFOUND, "QR code %s is not known on this kiosk", t);
    copy_utf8(person_id, KIOSK_ID_HEX + 1, col_text(st, 0));
    int gone = sqlite3_column_int(st, 1);
    stmt_done(st);
    if (gone) {
        if (revoked)
            *revoked = 1;
        return kerr_set(err, KERR_NOTFOUND, "QR code %s was revoked", t);
    }
    return 0;
}

/* Revokes every live token of a person, in one transaction. */
int kstore_qr_revoke(kstore *s, const char *person_id, int *revoked, kerr *err)
{
    char token[KIOSK_QR_TOKEN_BYTES];
    int count = 0, r = 0;
    if (revoked)
        *revoked = 0;
    if (!person_id)
        return kerr_set(err, KERR_INVALID, "kstore_qr_revoke: no person given");
    int ret = tx_begin(s, "revoke QR code", err);
    if (ret)
        return ret;
    ret = need_person(s, person_id, err);
    while (ret == 0 && (r = qr_live(s, person_id, token, err)) > 0) {
        char id[KIOSK_ID_HEX + 1];
        int64_t seq = 0;
        stamp sp;
        ret = new_id(id, err);
        if (ret == 0)
            ret = seq_take(s, 1, &seq, "revoke QR code", err);
        if (ret)
            break;
        stamp_now(s, seq, &sp);
        sqlite3_stmt *st = s->st[ST_QR_REVOKE];
        bind_stamp(s, st, id, &sp);
        bind_text(st, 7, token);
        ret = stmt_run(s, st, "insert QR revocation", err);
        count++;
    }
    if (ret == 0 && r < 0)
        ret = -r;
    if (ret == 0)
        ret = tx_commit(s, "commit QR revocation", err);
    if (ret) {
        tx_abort(s, err);
        return ret;
    }
    if (revoked)
        *revoked = count;
    return 0;
}

/* ---- attendance: what export.c reads ------------------------------------------- */

/* Checks a scope: an event that exists, or a real date, or nothing. */
static int scope_check(kstore *s, const kscope *sc, kerr *err)
{
    if (sc && sc->event_id && *sc->event_id)
        return event_known(s, sc->event_id, "export", err);
    if (sc && sc->since && *sc->since && !valid_date(sc->since))
        return kerr_set(err, KERR_INVALID, "since date %.40s is not a date "
                        "(expected YYYY-MM-DD)", sc->since);
    return 0;
}

/* Binds ?1 (event id) and ?2 (since date) of a scoped query; NULL = any. */
static void bind_scope(sqlite3_stmt *st, const kscope *sc)
{
    if (sc && sc->event_id && *sc->event_id)
        bind_text(st, 1, sc->event_id);
    else
        sqlite3_bind_null(st, 1);
    if (sc && sc->since && *sc->since)
        bind_text(st, 2, sc->since);
    else
        sqlite3_bind_null(st, 2);
}

#define SCOPE_WHERE "(?1 IS NULL OR c.event_id = ?1) AND (?2 IS NULL OR e.date >= ?2)"

/* Counts the check-ins in scope. */
int kstore_attendance_count(kstore *s, const kscope *scope, long *count, kerr *err)
{
    sqlite3_stmt *st = NULL;
    if (!count)
        return kerr_set(err, KERR_INVALID, "kstore_attendance_count: no output");
    *count = 0;
    int ret = scope_check(s, scope, err);
    if (ret == 0)
        ret = prepare_own(s, "SELECT count(*) FROM checkins c JOIN events e "
                          "ON e.id = c.event_id WHERE " SCOPE_WHERE,
                          &st, "count check-ins", err);
    if (ret == 0) {
        bind_scope(st, scope);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *count = (long)sqlite3_column_int64(st, 0);
        else
            ret = db_error(s, rc, "count check-ins", err);
    }
    sqlite3_finalize(st);
    return ret;
}

/* Calls fn for each check-in in scope with its event and person. */
int kstore_attendance_each(kstore *s, const kscope *scope,
                           int (*fn)(const kattendance *r, void *ctx), void *ctx,
                           kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    int ret = fn ? scope_check(s, scope, err)
                 : kerr_set(err, KERR_INVALID, "kstore_attendance_each: no callback");
    if (ret == 0)
        ret = prepare_own(s,
            "SELECT c.id, c.person_id, c.event_id, e.name, e.program, e.date, "
            "e.survey, p.given, p.family, p.phone, p.email, p.zip, c.wall_ms, c.is_new "
            "FROM checkins c JOIN events e ON e.id = c.event_id "
            "JOIN people p ON p.id = c.person_id WHERE " SCOPE_WHERE
            " ORDER BY e.date, e.wall_ms, e.id, c.wall_ms, c.seq",
            &st, "read check-ins", err);
    if (ret)
        goto done;
    bind_scope(st, scope);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kattendance r = {
            .checkin_id = col_text(st, 0), .person_id = col_text(st, 1),
            .event_id = col_text(st, 2), .event_name = col_text(st, 3),
            .program = col_text(st, 4), .event_date = col_text(st, 5),
            .survey = col_text(st, 6), .given = col_text(st, 7),
            .family = col_text(st, 8), .phone = col_text(st, 9),
            .email = col_text(st, 10), .zip = col_text(st, 11),
            .wall_ms = sqlite3_column_int64(st, 12),
            .is_new = sqlite3_column_int(st, 13),
        };
        if ((ret = fn(&r, ctx)) != 0)
            goto done;
    }
    if (rc != SQLITE_DONE)
        ret = db_error(s, rc, "read check-ins", err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* Calls fn for every answer record in scope, in table order.  A plain
 * scan ("+event_id" keeps SQLite off the index, which would cost a row
 * lookup per answer): with 70,000 answers it takes about 15 ms, where
 * choosing the latest in SQL (window or GROUP BY) took 150-470 ms. */
int kstore_attendance_answers(kstore *s, const kscope *scope,
                              int (*fn)(const kanswer *a, void *ctx), void *ctx,
                              kerr *err)
{
    sqlite3_stmt *st = NULL;
    int ret = fn ? scope_check(s, scope, err)
                 : kerr_set(err, KERR_INVALID, "kstore_attendance_answers: no callback");
    if (ret == 0)
        ret = prepare_own(s,
            "SELECT person_id, event_id, survey_key, survey_version, question_key,"
            " value, lang, seq, wall_ms, seq AS first FROM answers"
            " WHERE (?1 IS NULL OR event_id = ?1)"
            " AND +event_id IN (SELECT id FROM events WHERE ?2 IS NULL OR date >= ?2)",
            &st, "read answers", err);
    if (ret == 0) {
        bind_scope(st, scope);
        ret = answers_walk(s, st, fn, ctx, "read answers", err);
    }
    sqlite3_finalize(st);
    return ret;
}
