/*
 * store.c - the kiosk's local database: events, people, check-ins, survey
 * answers, QR check-in codes (store.h).  This file: opening, the schema and
 * its migrations, the prepared statements, transactions, meta, batches and
 * settings.  The rest is split by idea, sharing store_int.h:
 *   store_event.c    events (add, find, list, current)
 *   store_people.c   sign-up, check-in, person, name search
 *   store_staff.c    the staff screen's counts, list and arrivals; the
 *                    attendance reads of export.c
 *   store_answers.c  survey answers and QR check-in codes
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
 *     kst_tx_begin ──> checks (person/event exist, not checked in yet)
 *        │            │ fail
 *        ▼            ▼
 *     kst_seq_take ──> kst_tx_abort (ROLLBACK [TO]) ──> error code + message
 *        │            ▲
 *        ▼            │ SQLITE_FULL, IOERR, ...
 *     INSERTs ────────┤
 *        ▼            │
 *     kst_tx_commit ──────┘
 *        ▼
 *     return 0: durable
 *
 * Opening: data folder made and checked writable -> header check (read(2))
 * -> sqlite3_open_v2 -> application_id / user_version read -> refuse or
 * WAL + migrate forward, one step per transaction -> statements prepared.
 *
 * Checked before written (store_guard.h, issue 9): an existing file is
 * checked with PRAGMA quick_check before the first write of a run, unless
 * it is byte for byte as a kiosk left it at its last clean close (then the
 * pages every sign-in needs first are checked).  quick_check reads every
 * page: with 100,000 people (a 90 MB file) about 1-2 s warm on this
 * machine, more from an SD card, which is why it runs only when something
 * other than a kiosk's clean close touched the file last (a crash, an
 * edit, a copy).  A file that fails is refused and stays untouched;
 * `kiosk store check` runs the full PRAGMA integrity_check, read only.
 *
 * Never silently replaced: a "device" marker beside kiosk.db, written at
 * the first start, makes a missing or emptied kiosk.db an error with the
 * way on (`kiosk store recover`) instead of a new store with a new device
 * id.  Files are private: kiosk.db is created 0600 (SQLite gives its -wal
 * and -shm the database's mode) and the data folder 0700, whatever the
 * umask; an older store's looser modes are narrowed at open.
 *
 * Search (the people_fts index and its order): see store_people.c.
 *
 * Schema 2 (answers, QR codes, event survey and link).  Everything new is
 * a record, appended and never changed, because sync carries records and
 * the hub keeps the first copy of each id:
 *   - answers: one row per answer given; a changed answer is a new row.
 *     "Latest" is the highest seq, which on one kiosk is commit order (a
 *     kiosk holds only its own records kst_today).  kstore_answers_latest
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
#include "store_int.h"

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
#include "kfile.h"
#include "store_guard.h"
#include "survey.h"



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
    {3, "index check-ins by event and time, keep counts per event and minute",
     kst_schema_v3, NULL},                  /* store_staff.c */
    {4, "rebuild the name index: separators and second spellings (store_people.c)", "",
     kst_rebuild_name_index},
    {6, "make the name index anew: given-name terms of their own, longer prefixes "
        "(store_people.c)", kst_schema_v6, kst_rebuild_name_index},
    {7, "keep the hub's roster: people's hint, aliases, hub surveys (store_roster.c)",
     kst_schema_v7, NULL},
    {8, "count an id the hub merged into another once per event (store_roster.c)",
     kst_schema_v8, NULL},
};

/* ---- prepared statements ---------------------------------------------------- */



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
        "    ORDER BY e.date DESC, c.wall_ms DESC, c.seq DESC LIMIT 1), p.hint) END, "
        "  EXISTS (SELECT 1 FROM checkins c WHERE c.person_id = p.id AND c.event_id = ?3) "
        "FROM (SELECT person_id FROM people_fts WHERE people_fts MATCH ?1"
        "      ORDER BY rowid LIMIT ?2) m "
        "JOIN people p ON p.id = m.person_id "
        "ORDER BY p.name_key, p.id",
    /* ?1 MATCH expression, ?2 the most worth counting */
    [ST_SEARCH_COUNT] = "SELECT count(*) FROM (SELECT 1 FROM people_fts "
                        "WHERE people_fts MATCH ?1 LIMIT ?2)",
    /* ?1 MATCH expression of whole names: people a sign-up may repeat */
    [ST_DUP_CANDIDATES] =
        "SELECT p.id, p.given, p.family, p.phone, p.email, p.zip, "
        "  CASE WHEN p.zip <> '' THEN p.zip ELSE coalesce(("
        "    SELECT e.name FROM checkins c JOIN events e ON e.id = c.event_id"
        "    WHERE c.person_id = p.id"
        "    ORDER BY e.date DESC, c.wall_ms DESC, c.seq DESC LIMIT 1), p.hint) END "
        "FROM (SELECT person_id FROM people_fts WHERE people_fts MATCH ?1 LIMIT ?2) m "
        "JOIN people p ON p.id = m.person_id ORDER BY p.seq",
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



/* ---- errors --------------------------------------------------------------- */

/* Maps the SQLite error rc of operation op to a KERR_ code and a message
 * naming the operation, the file and SQLite's own words.  Call it right
 * after the failing call, before anything else uses the connection. */
int kst_db_error(kstore *s, int rc, const char *op, kerr *err)
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
void kst_copy_utf8(char *dst, size_t cap, const char *src)
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
const char *kst_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Counts the characters (code points) of UTF-8 text. */
size_t kst_utf8_chars(const char *t)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* Binds text that lives until the statement is reset. */
void kst_bind_text(sqlite3_stmt *st, int i, const char *t)
{
    sqlite3_bind_text(st, i, t ? t : "", -1, SQLITE_STATIC);
}

/* Resets a statement and forgets its bindings (no pointer outlives a call). */
void kst_stmt_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Steps a statement to completion, ignoring rows; resets it. */
int kst_stmt_run(kstore *s, sqlite3_stmt *st, const char *op, kerr *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int ret = rc == SQLITE_DONE ? 0 : kst_db_error(s, rc, op, err);
    kst_stmt_done(st);
    return ret;
}

/* Runs a one-row query of the cached statement st: 1 if a row came
 * (left unreset for the caller to read, who then calls kst_stmt_done), 0 if
 * none (reset), negative -code on error (reset, err filled). */
int kst_stmt_row(kstore *s, sqlite3_stmt *st, const char *op, kerr *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    int ret = rc == SQLITE_DONE ? 0 : -kst_db_error(s, rc, op, err);
    kst_stmt_done(st);
    return ret;
}

/* Runs SQL text without results (schema, pragmas that write). */
static int exec_sql(kstore *s, const char *sql, const char *op, kerr *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : kst_db_error(s, rc, op, err);
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
        ret = kst_db_error(s, rc, op, err);
        goto done;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    else
        ret = kst_db_error(s, rc, op, err);
done:
    sqlite3_finalize(st);
    return ret;
}

/* ---- transactions ----------------------------------------------------------- */

/* Starts the write transaction of one operation (a savepoint in a batch). */
int kst_tx_begin(kstore *s, const char *op, kerr *err)
{
    return kst_stmt_run(s, s->st[s->batch ? ST_SAVEPOINT : ST_BEGIN], op, err);
}

/* Commits it; on failure rolls back and leaves the error in err. */
int kst_tx_commit(kstore *s, const char *op, kerr *err)
{
    return kst_stmt_run(s, s->st[s->batch ? ST_RELEASE : ST_COMMIT], op, err);
}

/* Undoes the current operation.  SQLite may already have rolled back the
 * whole transaction by itself (after SQLITE_FULL or an I/O error); in a
 * batch that ends the batch, which err then says. */
void kst_tx_abort(kstore *s, kerr *err)
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
        kst_stmt_run(s, s->st[ST_ROLLBACK_TO], "rollback to savepoint", NULL);
        kst_stmt_run(s, s->st[ST_RELEASE], "release savepoint", NULL);
    } else {
        kst_stmt_run(s, s->st[ST_ROLLBACK], "rollback", NULL);
    }
}

/* Takes count consecutive sequence numbers (inside a write transaction);
 * *first gets the first of them. */
int kst_seq_take(kstore *s, int count, int64_t *first, const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_SEQ_TAKE];
    sqlite3_bind_int(st, 1, count);
    int r = kst_stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    if (r == 0)
        return kerr_set(err, KERR_CORRUPT, "%s: %s has no next_seq in meta",
                        op, s->path);
    *first = sqlite3_column_int64(st, 0);
    return kst_stmt_run(s, st, op, err);        /* finish the UPDATE */
}

/* Reads the clock for the records of one transaction. */
void kst_stamp_now(const kstore *s, int64_t seq, stamp *sp)
{
    sp->seq = seq;
    sp->wall_ms = s->clock->wall_ms(s->clock->ctx);
    sp->mono_ms = s->clock->mono_ms(s->clock->ctx);
}

/* Binds ?1..?6 of a record insert: id, device, seq, wall, boot, mono. */
void kst_bind_stamp(kstore *s, sqlite3_stmt *st, const char *id, const stamp *sp)
{
    kst_bind_text(st, 1, id);
    kst_bind_text(st, 2, s->device_id);
    sqlite3_bind_int64(st, 3, sp->seq);
    sqlite3_bind_int64(st, 4, sp->wall_ms);
    kst_bind_text(st, 5, s->clock->boot_id);
    sqlite3_bind_int64(st, 6, sp->mono_ms);
}

/* Makes a record id; KERR_INTERNAL if the system has no randomness. */
int kst_new_id(char id[KIOSK_ID_HEX + 1], kerr *err)
{
    if (krandom_id(id) != 0)
        return kerr_set(err, KERR_INTERNAL,
                        "krandom_id: cannot read random bytes: %s", strerror(errno));
    return 0;
}

/* Tells whether a row with key id exists (cached statement st). */
int kst_row_exists(kstore *s, int st_id, const char *id, int *found,
                      const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[st_id];
    kst_bind_text(st, 1, id);
    int r = kst_stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    *found = r;
    if (r)
        kst_stmt_done(st);
    return 0;
}

/* ---- meta ------------------------------------------------------------------- */

/* Reads meta[key] into buf; KERR_NOTFOUND (buf "") if absent. */
int kst_meta_get(kstore *s, const char *key, char *buf, size_t cap,
                    const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_META_GET];
    buf[0] = '\0';
    kst_bind_text(st, 1, key);
    int r = kst_stmt_row(s, st, op, err);
    if (r < 0)
        return -r;
    if (r == 0)
        return KERR_NOTFOUND;
    const char *v = kst_col_text(st, 0);
    int ret = 0;
    if (strlen(v) >= cap)
        ret = kerr_set(err, KERR_INVALID, "%s: value of %s is %zu bytes, "
                       "the buffer holds %zu", op, key, strlen(v), cap - 1);
    else
        memcpy(buf, v, strlen(v) + 1);
    kst_stmt_done(st);
    return ret;
}

/* Writes meta[key] = value (its own transaction, or part of a batch). */
int kst_meta_set(kstore *s, const char *key, const char *value,
                    const char *op, kerr *err)
{
    sqlite3_stmt *st = s->st[ST_META_SET];
    kst_bind_text(st, 1, key);
    kst_bind_text(st, 2, value);
    return kst_stmt_run(s, st, op, err);
}

/* Migration 1, C part: this device's id and the first sequence number. */
static int init_meta(kstore *s, kerr *err)
{
    char id[KIOSK_ID_HEX + 1];
    int rc = kst_new_id(id, err);
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
    if (mkdir(dir, KFILE_DIR_MODE) == 0)
        return chmod(dir, KFILE_DIR_MODE) == 0 ? 0 : kerr_set(err, KERR_IO,
                     "cannot make data folder %s private: %s", dir, strerror(errno));
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
            if (mkdir(dir, KFILE_DIR_MODE) == 0)
                return chmod(dir, KFILE_DIR_MODE) == 0 ? 0 : kerr_set(err, KERR_IO,
                             "cannot make data folder %s private: %s", dir, strerror(errno));
            if (errno == EEXIST)
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
    return kfile_private_dir(data_dir, err);
}

/* Creates an empty kiosk.db 0600 (whatever the umask) when there is none,
 * so that SQLite, which gives -wal and -shm the database's mode, makes
 * them private too; narrows an existing one (an older kiosk's 0644) and
 * its -wal and -shm.  Modes only: no byte of a file changes. */
static int private_files(const char *path, kerr *err)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[STORE_PATH_MAX + 8];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (i == 0 ? O_CREAT : 0), KFILE_MODE);
        if (fd < 0) {
            if (errno == ENOENT && i > 0)
                continue;
            return kerr_set(err, KERR_IO, "cannot open %s: %s", p, strerror(errno));
        }
        int ret = kfile_private_fd(fd, p, err);
        close(fd);
        if (ret)
            return ret;
    }
    return 0;
}

/* Reads the device id of an existing store without preparing anything. */
static void stored_device_id(kstore *s, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "%s", kst_col_text(st, 0));
    sqlite3_finalize(st);
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
    /* temp_store=MEMORY: a savepoint's journal (each write inside a batch)
     * stays in memory instead of a temporary file: half the CPU of a
     * batched sign-up (kiosk demo seed), nothing else written.
     * cache_size 16 MB (SQLite's default is 2 MB): the pages of the name
     * index the first keystrokes read (doclists of 1-3 letters) stay in
     * the process instead of being read from the OS again and again; at
     * 1,000,000 people that halves the CPU of a search keystroke. */
    int ret = exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                          "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384",
                       "set synchronous and foreign_keys", err);
    if (ret)
        goto done;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        ret = kst_db_error(s, rc, "set journal_mode=WAL", err);
        goto done;
    }
    if (strcmp(kst_col_text(st, 0), "wal") != 0)
        ret = kerr_set(err, KERR_IO, "set journal_mode=WAL: %s stays in %s mode "
                       "(does its file system support shared memory?)",
                       s->path, kst_col_text(st, 0));
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
            return kst_db_error(s, rc, "prepare statement", err);
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
    char marker[KIOSK_ID_HEX + 1] = "";
    ret = data_dir_ready(data_dir, err);
    if (ret == 0)
        ret = kstore_guard_before(s->path, marker, err);
    if (ret == 0)
        ret = check_file(s->path, err);
    if (ret == 0 && access(s->path, F_OK) != 0)
        ret = private_files(s->path, err);          /* a new store: 0600 from the start */
    if (ret)
        goto done;

    int rc = sqlite3_open_v2(s->path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ret = kst_db_error(s, rc, "sqlite3_open_v2", err);
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
    if (ret == 0 && version == 0 && marker[0])
        ret = kerr_set(err, KERR_CORRUPT, "%s holds no store, but this folder held the store "
                       "of device %.8s (%s); nothing was written. See 'kiosk store recover'",
                       s->path, marker, KSTORE_MARKER_FILE);
    if (ret == 0 && version > 0) {
        /* an existing store: this kiosk's, and sound, before any write */
        char id[KIOSK_ID_HEX + 8];
        ret = kstore_guard_check(s->db, s->path, !kstore_guard_was_clean(s->path), err);
        if (ret == 0)
            stored_device_id(s, id, sizeof id);
        if (ret == 0 && marker[0] && strcmp(id, marker) != 0)
            ret = kerr_set(err, KERR_CORRUPT, "%s is the store of device %.8s, but this "
                           "folder's kiosk is %.8s (%s); nothing was written. See 'kiosk "
                           "store recover'", s->path, id, marker, KSTORE_MARKER_FILE);
    }
    if (ret == 0) {
        kstore_guard_forget(s->path);               /* this run may crash */
        ret = private_files(s->path, err);
    }
    if (ret == 0)
        ret = configure(s, err);
    if (ret == 0)
        ret = migrate(s, err);
    if (ret == 0)
        ret = prepare_all(s, err);
    if (ret == 0) {
        ret = kst_meta_get(s, "device_id", s->device_id, sizeof s->device_id,
                       "read device id", err);
        if (ret == KERR_NOTFOUND)
            ret = kerr_set(err, KERR_CORRUPT, "%s has no device id in meta",
                           s->path);
    }
    if (ret == 0 && !marker[0])                     /* a new store, or an older kiosk's */
        ret = kstore_guard_mark(s->path, s->device_id, err);
    if (ret)
        s->device_id[0] = '\0';                     /* no clean-close record */
done:
    if (ret == KERR_CORRUPT && err && !strstr(err->msg, "kiosk store recover")) {
        size_t used = strlen(err->msg);             /* the way on (store_guard.h) */
        snprintf(err->msg + used, sizeof err->msg - used, "; see 'kiosk store recover'");
    }
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
    if (s->db && sqlite3_close(s->db) == SQLITE_OK && s->device_id[0])
        kstore_guard_closed(s->path);               /* as this kiosk left it */
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
    int ret = kst_stmt_run(s, s->st[ST_BEGIN], "begin batch", err);
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
    int ret = kst_stmt_run(s, s->st[ST_COMMIT], "commit batch", err);
    if (ret && !sqlite3_get_autocommit(s->db))
        kst_stmt_run(s, s->st[ST_ROLLBACK], "rollback batch", NULL);
    return ret;
}

/* Abandons the batch and everything written in it. */
void kstore_batch_rollback(kstore *s)
{
    if (s->batch && !sqlite3_get_autocommit(s->db))
        kst_stmt_run(s, s->st[ST_ROLLBACK], "rollback batch", NULL);
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
        ret = kst_meta_get(s, k, buf, cap, "read setting", err);
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
        ret = kst_meta_set(s, k, value, "write setting", err);
    return ret;
}
