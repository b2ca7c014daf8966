/*
 * hub_store_sqlite.c - the SQLite hub store and its ingest (see hub_store.h and
 * sync/PROTOCOL.md sections 4 and 6).
 *
 * Ingest of a group of already parsed batches (one HTTP request, or every
 * batch of one bundle, streamed):
 *
 *   parsed ──khub_sqlite_ingest_begin──▶ OPEN ──token live, paired with this id──▶ AUTHED
 *                                   │ unknown/revoked token: KHUB_UNAUTHORIZED
 *                                   │ token not paired yet: KHUB_NOT_PAIRED
 *                                   │ paired with another id: KHUB_FORBIDDEN
 *                                   ▼
 *                              ROLLBACK ◀──────────── any failure ───────────┐
 *                                                                           │
 *   AUTHED ──anchor_boot()──▶ ANCHORED ──store_records()──▶ STORED ──cover_held()
 *   (first anchor of a boot:      (INSERT OR IGNORE by       (each run of held │
 *    re-time its unverified        (device, id); corrected    seqs merged into │
 *    records)                      time per record)           coverage)       │
 *                                                                  │          │
 *                                           khub_sqlite_ingest_end: COMMIT ──────────┘
 *                                                                  │ (fsync)
 *                                                                  ▼
 *                                                    acked_seq reported to caller
 * (a bundle has no token: its signature was checked before begin.)
 *
 * Invariants (the exactly-once contract):
 *   I1  a record is in records at most once per (device_id, id) (PRIMARY
 *       KEY; INSERT OR IGNORE), and the first copy stored is never changed
 *       except for its corrected time, which only moves from unverified to
 *       anchored; another device's record with the same id is its own row;
 *   I2  coverage holds [lo, hi] only if, for every seq in [lo, hi], a record
 *       of the device with that seq was committed in the same or an earlier
 *       transaction: ranges come from the records held, never from a
 *       batch's seq_from/seq_to (a kiosk's seqs have no gaps, store.c);
 *   I3  acked_seq is derived from coverage inside the transaction and handed
 *       out only after COMMIT returned, so a kiosk never forgets a record
 *       the hub does not hold on disk;
 *   I4  a failure anywhere rolls back the whole group: a refused or crashed
 *       ingest leaves the store as it was (SQLite's journal makes a process
 *       killed with SIGKILL equal to a rollback).
 * Replays, overlapping and reordered batches follow from I1 and I2.
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync_config.h"
#include "utf8.h"

#define KHUB_SCHEMA_VERSION 5
#define KHUB_CACHE_KIB "65536"     /* the page cache, KiB (64 MiB) */
/* All handles of one process together: the hub serves from a pool of
 * handles (hub_http.c), each with its own cache, and a hub on a small
 * machine must not grow to pool x 64 MiB.  Over this, SQLite takes pages
 * back from the caches before it allocates more. */
#define KHUB_HEAP_SOFT_LIMIT ((sqlite3_int64)192 * 1024 * 1024)

#define KHUB_RECORD_INDEXES \
    "CREATE INDEX IF NOT EXISTS records_unverified ON records(device_id, boot_id)" \
    "  WHERE time_source IN ('kiosk_unverified','unknown');" \
    "CREATE INDEX IF NOT EXISTS records_tbl ON records(tbl);" \
    "CREATE INDEX IF NOT EXISTS records_seq ON records(device_id, seq);"

struct khub_sqlite {
    sqlite3 *db;
    sqlite3_stmt *ins_record;
    sqlite3_stmt *add_count;
    sqlite3_stmt *get_boot;
    sqlite3_stmt *get_seq;
    int delay_ms;
    int in_ingest;          /* between khub_sqlite_ingest_begin and _end */
    int64_t ingest_now_ms;
};

/* Schema 4 (issue 12): the web page's staff accounts (hub_users.h).
 * Passwords as Argon2id strings (crypto_pwhash_str); sessions and the
 * log-in failures by BLAKE2b hash, never the secret itself.  An older
 * store gets them by the CREATE ... IF NOT EXISTS below. */
#define KHUB_WEB_TABLES \
    "CREATE TABLE IF NOT EXISTS web_users(" \
    "  name TEXT PRIMARY KEY, pw_hash TEXT NOT NULL, created_ms INTEGER NOT NULL);" \
    "CREATE TABLE IF NOT EXISTS web_sessions(" \
    "  id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL," \
    "  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);" \
    "CREATE TABLE IF NOT EXISTS web_login_failures(" \
    "  name TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_ms INTEGER NOT NULL);"

/* Schema 5 (issue 15): queries follow the event, not the history.  The
 * members of a record's fields that queries filter on are columns, read
 * out of the JSON once, at ingest (khub_field_text): records.event_id and
 * records.person_id (NULL when the member is absent or not a string), an
 * index on the event's rows, and the check-ins per event and device kept
 * as a count, so that `kiosk-hub events` and the web page's event list
 * read one row per event and kiosk, and an event's export reads only that
 * event's rows.  The event records themselves (a few among a million,
 * each on a page of its own) are read from an index that holds them whole
 * (records_events, tbl included so that it covers the queries: they name
 * it, INDEXED BY).  And the
 * forgotten ids by an index of their own: the
 * ingest's check of every batch against them (hub_roster.c, SQL_SCRUB)
 * read every person id the hub held.  An older store gets them at open
 * (khub_migrate_to_5). */
#define KHUB_EVENT_SCHEMA \
    "CREATE INDEX IF NOT EXISTS records_event ON records(event_id, tbl)" \
    "  WHERE event_id IS NOT NULL;" \
    "CREATE TABLE IF NOT EXISTS event_checkins(event_id TEXT NOT NULL, device_id TEXT NOT NULL," \
    "  n INTEGER NOT NULL, PRIMARY KEY(event_id, device_id)) WITHOUT ROWID;" \
    "CREATE INDEX IF NOT EXISTS people_ids_forgotten ON people_ids(id)" \
    "  WHERE forgotten_ms IS NOT NULL;" \
    "CREATE INDEX IF NOT EXISTS records_events ON records(device_id, id, tbl, fields)" \
    "  WHERE tbl = 'events';"

/* Migration to 5: the columns added and filled from the JSON held (as
 * khub_field_text reads it: the member's text when it is a string), then
 * (after KHUB_EVENT_SCHEMA made the index and the table) the counts. */
static const char *const khub_migrate_to_5_columns =
    "ALTER TABLE records ADD COLUMN event_id TEXT;"
    "ALTER TABLE records ADD COLUMN person_id TEXT;";
static const char *const khub_migrate_to_5 =
    "UPDATE records SET"
    " event_id = CASE WHEN json_type(fields, '$.event_id') = 'text'"
    "  THEN json_extract(fields, '$.event_id') END,"
    " person_id = CASE WHEN json_type(fields, '$.person_id') = 'text'"
    "  THEN json_extract(fields, '$.person_id') END"
    " WHERE json_type(fields, '$.event_id') = 'text' OR json_type(fields, '$.person_id') = 'text';";
static const char *const khub_migrate_to_5_counts =
    "DELETE FROM event_checkins;"
    "INSERT INTO event_checkins(event_id, device_id, n)"
    " SELECT event_id, device_id, count(*) FROM records"
    " WHERE event_id IS NOT NULL AND tbl = 'checkins' GROUP BY event_id, device_id;";

/* Schema 3 (issue 12): the roster kiosks download (hub_store.h). */
#define KHUB_ROSTER_SCHEMA \
    "CREATE TABLE IF NOT EXISTS roster(seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE," \
    "  kind TEXT NOT NULL, body TEXT NOT NULL);" \
    "CREATE TABLE IF NOT EXISTS people_ids(id TEXT PRIMARY KEY, device_id TEXT NOT NULL," \
    "  alias_of TEXT, forgotten_ms INTEGER) WITHOUT ROWID;" \
    "CREATE INDEX IF NOT EXISTS people_ids_alias ON people_ids(alias_of)" \
    "  WHERE alias_of IS NOT NULL;" \
    "CREATE TABLE IF NOT EXISTS person_keys(key TEXT NOT NULL, id TEXT NOT NULL," \
    "  PRIMARY KEY(key, id)) WITHOUT ROWID;" \
    "CREATE INDEX IF NOT EXISTS person_keys_id ON person_keys(id);" \
    "CREATE TABLE IF NOT EXISTS hub_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;" \
    "INSERT OR IGNORE INTO hub_meta VALUES('roster_id', lower(hex(randomblob(16))));"

/* Schema 2.  Records belong to their device: (device_id, id) is the key,
 * so a record id another device sent first never hides this device's. */
static const char *const khub_schema =
    "CREATE TABLE IF NOT EXISTS devices("
    "  name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, device_id TEXT,"
    "  created_ms INTEGER NOT NULL, revoked_ms INTEGER, paired_ms INTEGER, sign_key TEXT);"
    "CREATE TABLE IF NOT EXISTS records("
    "  device_id TEXT NOT NULL, id TEXT NOT NULL, tbl TEXT NOT NULL,"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL,"
    "  mono_ms INTEGER NOT NULL, fields TEXT NOT NULL, corrected_ms INTEGER,"
    "  time_source TEXT NOT NULL, received_ms INTEGER NOT NULL,"
    "  event_id TEXT, person_id TEXT,"
    "  PRIMARY KEY(device_id, id)) WITHOUT ROWID;"
    KHUB_RECORD_INDEXES
    "CREATE TABLE IF NOT EXISTS coverage("
    "  device_id TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
    "  PRIMARY KEY(device_id, lo)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS boots("
    "  device_id TEXT NOT NULL, boot_id TEXT NOT NULL, recv_ms INTEGER NOT NULL,"
    "  mono_ms INTEGER NOT NULL, PRIMARY KEY(device_id, boot_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS batch_log("
    "  batch_id TEXT NOT NULL, device_id TEXT NOT NULL, seq_from INTEGER NOT NULL,"
    "  seq_to INTEGER NOT NULL, records INTEGER NOT NULL, stored INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL, received_ms INTEGER NOT NULL, source TEXT NOT NULL);"
    KHUB_ROSTER_SCHEMA
    KHUB_WEB_TABLES
    KHUB_EVENT_SCHEMA;

/* Migration to 3: the people already held enter the roster at the next
 * open (hub_roster.c, khub_roster_backfill), in one transaction. */
static const char *const khub_migrate_to_3 =
    "INSERT OR IGNORE INTO hub_meta VALUES('roster_backfill', 'pending');";

/* Coverage rebuilt from the records held: each run of consecutive seqs of a
 * device is one range ("gaps and islands": seq - rank is constant along a
 * run). */
#define KHUB_COVERAGE_FROM_RECORDS \
    "DELETE FROM coverage;" \
    "INSERT INTO coverage(device_id, lo, hi)" \
    " SELECT device_id, min(seq), max(seq) FROM" \
    "  (SELECT device_id, seq, seq - row_number() OVER (PARTITION BY device_id ORDER BY seq) AS g" \
    "   FROM (SELECT DISTINCT device_id, seq FROM records))" \
    " GROUP BY device_id, g;"

/* Migration 1 -> 2 (issue 9): tokens already used stay bound to the device
 * id they used; records are re-keyed by (device_id, id); coverage, which
 * schema 1 took from the batches' claims, is rebuilt from the records held.
 * Records that schema 1 dropped as "duplicates" of another device's id are
 * not in the file: their kiosk sends them again, because its acked_seq
 * falls back to what is really held. */
static const char *const khub_migrate_1_2 =
    "ALTER TABLE devices ADD COLUMN paired_ms INTEGER;"
    "ALTER TABLE devices ADD COLUMN sign_key TEXT;"
    "UPDATE devices SET paired_ms = created_ms WHERE device_id IS NOT NULL;"
    "CREATE TABLE records_v2("
    "  device_id TEXT NOT NULL, id TEXT NOT NULL, tbl TEXT NOT NULL,"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL,"
    "  mono_ms INTEGER NOT NULL, fields TEXT NOT NULL, corrected_ms INTEGER,"
    "  time_source TEXT NOT NULL, received_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(device_id, id)) WITHOUT ROWID;"
    "INSERT INTO records_v2(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields,"
    "  corrected_ms, time_source, received_ms)"
    " SELECT device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields, corrected_ms,"
    "  time_source, received_ms FROM records;"
    "DROP TABLE records;"
    "ALTER TABLE records_v2 RENAME TO records;"
    KHUB_RECORD_INDEXES
    KHUB_COVERAGE_FROM_RECORDS;

/* Maps a failed SQLite call to a kerr code and message naming the call. */
static int db_fail(khub_sqlite *h, int rc, const char *what, kerr *err)
{
    int code = KERR_IO;
    int prim = rc & 0xff;
    if (prim == SQLITE_FULL)
        code = KERR_FULL;
    else if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        code = KHUB_BUSY;
    else if (prim == SQLITE_NOMEM)
        code = KERR_INTERNAL;
    else if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        code = KERR_CORRUPT;
    return kerr_set(err, code, "%s: %s", what, h && h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
}

/* Runs SQL text without results. */
static int exec(khub_sqlite *h, const char *sql, kerr *err)
{
    int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_fail(h, rc, "sqlite3_exec", err);
}

/* Makes the store file (and its -wal and -shm, which SQLite creates with
 * the main file's mode) private to the hub's user whatever the umask:
 * created 0600 (in a folder made 0700 if it is missing), an existing
 * looser file tightened. */
static int make_private(const char *path, kerr *err)
{
    /* a missing folder for the store is made 0700 (one level) */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        struct stat ds;
        if (stat(dir, &ds) != 0 && errno == ENOENT && mkdir(dir, 0700) != 0)
            return kerr_set(err, KERR_IO, "cannot create folder %s: %s", dir, strerror(errno));
    }
    /* An existing store is checked by path, never opened here: closing a
     * descriptor of the file would drop every POSIX lock this process holds
     * on it, those of the hub's other open handles too (hub_http.c opens
     * several), and another process could then delete the WAL under them. */
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0) {
        int fd = errno == ENOENT ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600)
                                 : -1;
        if (fd < 0 && errno != EEXIST)
            return kerr_set(err, KERR_IO, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);                  /* a new, empty file: no handle has it yet */
        if (stat(path, &st) != 0)
            return kerr_set(err, KERR_IO, "stat %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        rc = kerr_set(err, KERR_INVALID, "%s: not a regular file", path);
    else if ((st.st_mode & 077) && chmod(path, st.st_mode & 0700) != 0)
        rc = kerr_set(err, KERR_IO, "chmod %s to 0600: %s (the store holds people's contact data)",
                      path, strerror(errno));
    for (int k = 0; rc == 0 && k < 2; k++) {
        char side[4200];
        snprintf(side, sizeof side, "%s%s", path, k ? "-shm" : "-wal");
        if (stat(side, &st) == 0 && (st.st_mode & 077) && chmod(side, st.st_mode & 0700) != 0)
            rc = kerr_set(err, KERR_IO, "chmod %s to 0600: %s", side, strerror(errno));
    }
    return rc;
}

/* Prints a warning for every device id that more than one live token
 * holds (schema 1 let a second token claim an id on first use). */
static void warn_shared_ids(khub_sqlite *h)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h->db, "SELECT device_id, group_concat(name, ', ') FROM devices"
                           " WHERE device_id IS NOT NULL AND revoked_ms IS NULL"
                           " GROUP BY device_id HAVING count(*) > 1", -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(stderr, "kiosk-hub: warning: devices %s all hold device id %s; revoke every one "
                "that is not that kiosk (kiosk-hub device revoke NAME)\n",
                (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* 1 if table has the column (a store whose version number was set back by
 * hand may have the columns of a later one). */
static int has_column(khub_sqlite *h, const char *table, const char *column)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(h->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

/* Opens or creates the store, checks its version, migrates it, prepares
 * statements. */
int khub_sqlite_open(khub_sqlite **out, const char *path, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    int e = make_private(path, err);
    if (e)
        return e;
    khub_sqlite *h = calloc(1, sizeof *h);
    if (!h)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    int rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        kerr_set(err, KERR_IO, "cannot open %s: %s", path, h->db ? sqlite3_errmsg(h->db) :
                 sqlite3_errstr(rc));
        khub_sqlite_close(h);
        return KERR_IO;
    }
    sqlite3_busy_timeout(h->db, KHUB_BUSY_TIMEOUT_MS);
    if (sqlite3_soft_heap_limit64(-1) == 0)
        sqlite3_soft_heap_limit64(KHUB_HEAP_SOFT_LIMIT);
    /* the page cache holds a batch's working set (a batch of 5,000 records
     * touches about 4 MB of table and index pages, read again by the
     * roster's statements; SQLite's default is 2 MB) */
    if ((e = exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  " PRAGMA cache_size=-" KHUB_CACHE_KIB "; PRAGMA wal_autocheckpoint=16384;", err)) ||
        (e = exec(h, "BEGIN IMMEDIATE", err))) {
        if (e == KERR_CORRUPT)
            kerr_set(err, KERR_CORRUPT, "%s: not a hub store (%s)", path, sqlite3_errmsg(h->db));
        khub_sqlite_close(h);
        return e;
    }
    int version = -1;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0)
        e = kerr_set(err, KERR_CORRUPT, "%s: not a hub store (%s)", path, sqlite3_errmsg(h->db));
    else if (version > KHUB_SCHEMA_VERSION)
        e = kerr_set(err, KERR_NEWER, "%s: written by a newer hub (schema %d, this hub knows %d)",
                     path, version, KHUB_SCHEMA_VERSION);
    else if (version == 1 && (e = exec(h, khub_migrate_1_2, err)) != 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        kerr_set(err, e, "%s: migrating the store from schema 1 to 2 failed, nothing changed: %s",
                 path, why);
    }
    if (e == 0 && version >= 1 && version < 5 &&
        ((!has_column(h, "records", "event_id") && (e = exec(h, khub_migrate_to_5_columns, err)) != 0) ||
         (e = exec(h, khub_migrate_to_5, err)) != 0)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        kerr_set(err, e, "%s: migrating the store from schema %d to 5 failed, nothing changed: %s",
                 path, version, why);
    }
    if (e == 0)
        e = exec(h, khub_schema, err);
    if (e == 0 && version >= 1 && version < 5)
        e = exec(h, khub_migrate_to_5_counts, err);
    if (e == 0 && version < 3)
        e = exec(h, khub_migrate_to_3, err);
    if (e == 0)
        e = exec(h, "PRAGMA user_version=5; COMMIT", err);
    if (e) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        khub_sqlite_close(h);
        return e;
    }
    if (version == 1)
        warn_shared_ids(h);
    rc = sqlite3_prepare_v2(h->db,
                            "INSERT OR IGNORE INTO records(id, tbl, device_id, seq, wall_ms, boot_id,"
                            " mono_ms, fields, corrected_ms, time_source, received_ms, event_id,"
                            " person_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", -1,
                            &h->ins_record, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h->db, "INSERT INTO event_checkins(event_id, device_id, n)"
                                " VALUES(?1, ?2, ?3) ON CONFLICT(event_id, device_id)"
                                " DO UPDATE SET n = n + excluded.n", -1, &h->add_count, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h->db, "SELECT recv_ms, mono_ms FROM boots"
                                " WHERE device_id = ?1 AND boot_id = ?2", -1, &h->get_boot, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h->db, "SELECT seq FROM records WHERE device_id = ?1 AND id = ?2",
                                -1, &h->get_seq, NULL);
    if (rc != SQLITE_OK) {
        e = db_fail(h, rc, "sqlite3_prepare_v2", err);
        khub_sqlite_close(h);
        return e;
    }
    *out = h;
    return 0;
}

/* Finalises statements and closes the store. */
void khub_sqlite_close(khub_sqlite *h)
{
    if (!h)
        return;
    sqlite3_finalize(h->ins_record);
    sqlite3_finalize(h->add_count);
    sqlite3_finalize(h->get_boot);
    sqlite3_finalize(h->get_seq);
    sqlite3_close(h->db);
    free(h);
}

/* Returns the SQLite connection. */
struct sqlite3 *khub_sqlite_db(khub_sqlite *h)
{
    return h->db;
}

/* Sets PRAGMA max_page_count. */
int khub_sqlite_limit_pages(khub_sqlite *h, long pages, kerr *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%ld", pages);
    return exec(h, sql, err);
}

/* Sets the test-only delay between record inserts. */
void khub_sqlite_set_ingest_delay(khub_sqlite *h, int ms)
{
    h->delay_ms = ms;
}

/* 1 if name is a usable device name: 1..64 bytes of valid UTF-8, no
 * control characters (it is printed in logs, lists and exports). */
static int device_name_ok(const char *name)
{
    return kutf8_printable(name, KHUB_DEVICE_NAME_MAX);
}

/* The name of a live device other than name that holds device_id, into
 * other ("" if none). */
static int id_holder(khub_sqlite *h, const char *device_id, const char *name,
                     char other[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    other[0] = '\0';
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "SELECT name FROM devices WHERE device_id = ?1"
                                " AND revoked_ms IS NULL AND name <> ?2 LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(other, KHUB_DEVICE_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(h, rc, "look up device id", err);
}

/* Makes a random token and stores only its hash under the name; with
 * device_id and sign_pk, binds them at once (offline pairing). */
int khub_sqlite_device_add_bound(khub_sqlite *h, const char *name, const char *device_id,
                          const unsigned char *sign_pk, char token_out[KHUB_TOKEN_LEN + 1], kerr *err)
{
    token_out[0] = '\0';
    if (!device_name_ok(name))
        return kerr_set(err, KERR_INVALID, "device name: 1-%d characters of UTF-8 text, no control "
                        "characters", KHUB_DEVICE_NAME_MAX);
    if (device_id && !ksync_is_id(device_id))
        return kerr_set(err, KERR_INVALID, "--device-id %s: expected 32 lower-case hex digits", device_id);
    char token[KHUB_TOKEN_LEN + 1];
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "khub_", 5);
    sodium_bin2hex(token + 5, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[65], pk[65] = "", other[KHUB_DEVICE_NAME_MAX + 1] = "";
    khub_token_hash(token, hash);
    if (sign_pk)
        sodium_bin2hex(pk, sizeof pk, sign_pk, 32);
    int rc = exec(h, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    if (device_id && (rc = id_holder(h, device_id, name, other, err)) == 0 && other[0])
        rc = kerr_set(err, KHUB_FORBIDDEN, "device id %s is paired with device %s; if this is the "
                      "same kiosk, revoke %s first (kiosk-hub device revoke %s)", device_id, other,
                      other, other);
    sqlite3_stmt *st = NULL;
    int s2 = SQLITE_OK;
    if (rc == 0 && (s2 = sqlite3_prepare_v2(h->db, "INSERT INTO devices(name, token_hash, created_ms,"
                                            " device_id, sign_key, paired_ms) VALUES(?1, ?2, ?3, ?4, ?5,"
                                            " CASE WHEN ?4 IS NULL THEN NULL ELSE ?3 END)", -1, &st,
                                            NULL)) != SQLITE_OK)
        rc = db_fail(h, s2, "sqlite3_prepare_v2", err);
    if (rc == 0) {
        int64_t now = khub_now_ms();
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        if (device_id)
            sqlite3_bind_text(st, 4, device_id, -1, SQLITE_STATIC);
        if (sign_pk)
            sqlite3_bind_text(st, 5, pk, -1, SQLITE_STATIC);
        s2 = sqlite3_step(st);
        sqlite3_finalize(st);
        if ((s2 & 0xff) == SQLITE_CONSTRAINT)
            rc = kerr_set(err, KERR_DUP, "device %s: already exists (revoke it or choose another name)",
                          name);
        else if (s2 != SQLITE_DONE)
            rc = db_fail(h, s2, "insert device", err);
    }
    if (rc == 0)
        rc = exec(h, "COMMIT", err);
    if (rc) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        sodium_memzero(token, sizeof token);
        return rc;
    }
    memcpy(token_out, token, sizeof token);
    sodium_memzero(token, sizeof token);
    return 0;
}

/* Makes a device with a token only; pairing binds it later. */
int khub_sqlite_device_add(khub_sqlite *h, const char *name, char token_out[KHUB_TOKEN_LEN + 1], kerr *err)
{
    return khub_sqlite_device_add_bound(h, name, NULL, NULL, token_out, err);
}

/* Marks the device revoked. */
int khub_sqlite_device_revoke(khub_sqlite *h, const char *name, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "UPDATE devices SET revoked_ms = ?2"
                                " WHERE name = ?1 AND revoked_ms IS NULL", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, khub_now_ms());
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "revoke device", err);
    if (sqlite3_changes(h->db) == 0)
        return kerr_set(err, KERR_NOTFOUND, "device %s: no such device, or already revoked", name);
    return 0;
}

/* Prints the devices with their state and acknowledged seq. */
int khub_sqlite_device_list(khub_sqlite *h, FILE *out, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db,
        "SELECT d.name, d.revoked_ms IS NOT NULL, coalesce(d.device_id, ''),"
        " (SELECT coalesce(max(c.hi), 0) FROM coverage c WHERE c.device_id = d.device_id AND c.lo <= 1)"
        " FROM devices d ORDER BY d.name", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    fprintf(out, "%-24s %-8s %-32s %s\n", "name", "state", "device_id", "acked_seq");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fprintf(out, "%-24s %-8s %-32s %lld\n", (const char *)sqlite3_column_text(st, 0),
                sqlite3_column_int(st, 1) ? "revoked" : "active",
                *sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "(unused)",
                (long long)sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(h, rc, "list devices", err);
}

/* Looks the token's hash up among devices not revoked. */
int khub_sqlite_auth(khub_sqlite *h, const char *token, char name[KHUB_DEVICE_NAME_MAX + 1],
              char device_id[33], kerr *err)
{
    char hash[65];
    khub_token_hash(token, hash);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "SELECT name, coalesce(device_id, ''), revoked_ms IS NOT NULL"
                                " FROM devices WHERE token_hash = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int code = 0;
    if (rc == SQLITE_ROW && !sqlite3_column_int(st, 2)) {
        snprintf(name, KHUB_DEVICE_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(device_id, 33, "%s", (const char *)sqlite3_column_text(st, 1));
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        code = kerr_set(err, KHUB_UNAUTHORIZED, rc == SQLITE_ROW ? "token revoked" : "unknown token");
    } else {
        code = db_fail(h, rc, "look up token", err);
    }
    sqlite3_finalize(st);
    return code;
}

/* Inside the transaction: the token must be live and paired with the
 * batch's device id (PROTOCOL.md 3, "Pairing"); fills res->device_name. */
static int authorize(khub_sqlite *h, const char *token, const char *device_id, khub_result *res,
                     kerr *err)
{
    char bound[33];
    int rc = khub_sqlite_auth(h, token, res->device_name, bound, err);
    if (rc)
        return rc;
    if (!bound[0])
        return kerr_set(err, KHUB_NOT_PAIRED, "token of device %s is not paired with a kiosk yet: "
                        "on the kiosk run kiosk sync pair URL (it sends the kiosk's device id)",
                        res->device_name);
    if (strcmp(bound, device_id) != 0)
        return kerr_set(err, KHUB_FORBIDDEN, "token of device %s is paired with device id %s, not %s",
                        res->device_name, bound, device_id);
    return 0;
}

/* Binds a live token to the kiosk's device id and bundle key (see hub_store.h). */
int khub_sqlite_pair(khub_sqlite *h, const char *token, const char *device_id, const unsigned char sign_pk[32],
              char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    if (!ksync_is_id(device_id))
        return kerr_set(err, KERR_INVALID, "device_id: expected 32 lower-case hex digits");
    int rc = exec(h, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    char bound[33], other[KHUB_DEVICE_NAME_MAX + 1] = "";
    rc = khub_sqlite_auth(h, token, name, bound, err);
    if (rc == 0 && bound[0] && strcmp(bound, device_id) != 0)
        rc = kerr_set(err, KHUB_FORBIDDEN, "token of device %s is already paired with device id %s; "
                      "every kiosk needs its own token (kiosk-hub device add NAME)", name, bound);
    sqlite3_stmt *st = NULL;
    if (rc == 0)
        rc = id_holder(h, device_id, name, other, err);
    if (rc == 0 && other[0])
        rc = kerr_set(err, KHUB_FORBIDDEN, "device id %s is paired with device %s; if this is the "
                      "same kiosk, revoke %s first (kiosk-hub device revoke %s)", device_id, other,
                      other, other);
    if (rc == 0) {
        char pk[65];
        sodium_bin2hex(pk, sizeof pk, sign_pk, 32);
        int s2 = sqlite3_prepare_v2(h->db, "UPDATE devices SET device_id = ?2, sign_key = ?3,"
                                    " paired_ms = coalesce(paired_ms, ?4) WHERE name = ?1", -1, &st, NULL);
        if (s2 != SQLITE_OK)
            rc = db_fail(h, s2, "sqlite3_prepare_v2", err);
        else {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, pk, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, khub_now_ms());
            s2 = sqlite3_step(st);
            sqlite3_finalize(st);
            if (s2 != SQLITE_DONE)
                rc = db_fail(h, s2, "pair device", err);
        }
    }
    if (rc == 0)
        rc = exec(h, "COMMIT", err);
    if (rc)
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Collects the bundle keys of the live devices paired with device_id. */
int khub_sqlite_bundle_keys(khub_sqlite *h, const char *device_id, unsigned char keys[][32], int max, int *n,
                     char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    *n = 0;
    name[0] = '\0';
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "SELECT name, coalesce(sign_key, ''), revoked_ms IS NOT NULL"
                                " FROM devices WHERE device_id = ?1 ORDER BY revoked_ms IS NOT NULL",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    int live = 0, revoked = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 1);
        if (!name[0])
            snprintf(name, KHUB_DEVICE_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_int(st, 2)) {
            revoked++;
            continue;
        }
        live++;
        if (*n < max && strlen(key) == 64 &&
            sodium_hex2bin(keys[*n], 32, key, 64, NULL, NULL, NULL) == 0)
            (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "look up bundle key", err);
    if (*n > 0)
        return 0;
    if (live)
        return kerr_set(err, KHUB_NOT_PAIRED, "device id %s (%s) was paired before bundles were "
                        "signed, so this hub has no key for it: let the kiosk sync over the network "
                        "once (or run kiosk sync pair again), then import the bundle again",
                        device_id, name);
    if (revoked)
        return kerr_set(err, KHUB_UNAUTHORIZED, "device id %s (%s) was revoked: its bundles are "
                        "not accepted", device_id, name);
    return kerr_set(err, KHUB_NOT_PAIRED, "device id %s is not paired with this hub: pair the kiosk "
                    "(kiosk-hub device add NAME here, then kiosk sync pair URL on the kiosk), then "
                    "import the bundle again", device_id);
}

/* Time anchor of one boot: hub time recv_ms happened at mono_ms. */
typedef struct anchor {
    char boot_id[KSYNC_BOOT_ID_MAX + 1];
    int have;
    int64_t recv_ms, mono_ms;
} anchor;

/* Stores the batch's anchor if its boot has none; when it is the first,
 * re-times that boot's records stored earlier without an anchor. */
static int anchor_boot(khub_sqlite *h, const ksync_batch *b, int64_t recv_ms, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "INSERT OR IGNORE INTO boots(device_id, boot_id, recv_ms, mono_ms)"
                                " VALUES(?1, ?2, ?3, ?4)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, b->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b->sent_boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, recv_ms);
    sqlite3_bind_int64(st, 4, b->sent_mono_ms);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "insert boot anchor", err);
    if (sqlite3_changes(h->db) == 0)
        return 0;
    rc = sqlite3_prepare_v2(h->db,
        "UPDATE records SET"
        " corrected_ms = CASE WHEN wall_ms < ?5 OR abs(wall_ms - (?3 - (?4 - mono_ms))) > ?6"
        "   THEN ?3 - (?4 - mono_ms) ELSE wall_ms END,"
        " time_source = CASE WHEN wall_ms < ?5 OR abs(wall_ms - (?3 - (?4 - mono_ms))) > ?6"
        "   THEN 'anchor' ELSE 'kiosk' END"
        " WHERE device_id = ?1 AND boot_id = ?2 AND time_source IN ('kiosk_unverified','unknown')",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, b->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b->sent_boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, recv_ms);
    sqlite3_bind_int64(st, 4, b->sent_mono_ms);
    sqlite3_bind_int64(st, 5, KSYNC_EARLIEST_WALL_MS);
    sqlite3_bind_int64(st, 6, KSYNC_CLOCK_SKEW_MS);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(h, rc, "re-time boot", err);
}

/* Finds the anchor of (device, boot) via the one-entry cache a. */
static int find_anchor(khub_sqlite *h, const char *device_id, const char *boot_id, anchor *a, kerr *err)
{
    if (strcmp(a->boot_id, boot_id) == 0)
        return 0;
    snprintf(a->boot_id, sizeof a->boot_id, "%s", boot_id);
    a->have = 0;
    sqlite3_reset(h->get_boot);
    sqlite3_bind_text(h->get_boot, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(h->get_boot, 2, boot_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(h->get_boot);
    if (rc == SQLITE_ROW) {
        a->have = 1;
        a->recv_ms = sqlite3_column_int64(h->get_boot, 0);
        a->mono_ms = sqlite3_column_int64(h->get_boot, 1);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(h->get_boot);
    if (rc != SQLITE_DONE) {
        a->boot_id[0] = '\0';
        return db_fail(h, rc, "look up boot anchor", err);
    }
    return 0;
}

/* The corrected time of one record by PROTOCOL.md section 6; *known = 0 when
 * it cannot be told. */
static int64_t correct_time(const ksync_record *r, const anchor *a, int64_t now_ms,
                            const char **source, int *known)
{
    *known = 1;
    if (a->have) {
        int64_t est = a->recv_ms - (a->mono_ms - r->mono_ms);
        int64_t diff = r->wall_ms > est ? r->wall_ms - est : est - r->wall_ms;
        if (r->wall_ms < KSYNC_EARLIEST_WALL_MS || diff > KSYNC_CLOCK_SKEW_MS) {
            *source = "anchor";
            return est;
        }
        *source = "kiosk";
        return r->wall_ms;
    }
    if (r->wall_ms >= KSYNC_EARLIEST_WALL_MS && r->wall_ms <= now_ms + KSYNC_CLOCK_SKEW_MS) {
        *source = "kiosk_unverified";
        return r->wall_ms;
    }
    *source = "unknown";
    *known = 0;
    return 0;
}

/* The new check-ins of one batch per event (a batch holds few events). */
typedef struct event_count {
    char *event_id;         /* owned */
    int n;
} event_count;

typedef struct event_counts {
    event_count *c;
    int n, cap;
} event_counts;

/* Counts one more check-in of event_id (taking it); -1 when out of memory. */
static int count_event(event_counts *ec, char *event_id)
{
    for (int i = 0; i < ec->n; i++)
        if (strcmp(ec->c[i].event_id, event_id) == 0) {
            ec->c[i].n++;
            free(event_id);
            return 0;
        }
    if (ec->n == ec->cap) {
        int cap = ec->cap ? ec->cap * 2 : 4;
        event_count *c = realloc(ec->c, (size_t)cap * sizeof *c);
        if (!c) {
            free(event_id);
            return -1;
        }
        ec->c = c;
        ec->cap = cap;
    }
    ec->c[ec->n].event_id = event_id;
    ec->c[ec->n++].n = 1;
    return 0;
}

static void event_counts_free(event_counts *ec)
{
    for (int i = 0; i < ec->n; i++)
        free(ec->c[i].event_id);
    free(ec->c);
}

/* Adds the batch's new check-ins to event_checkins, one row per event. */
static int add_counts(khub_sqlite *h, const char *device_id, const event_counts *ec, kerr *err)
{
    sqlite3_stmt *st = h->add_count;
    for (int i = 0; i < ec->n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, ec->c[i].event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, ec->c[i].n);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db_fail(h, rc, "count check-ins", err);
    }
    return 0;
}

/* Inserts record i of b if it is new, with the members queries filter on
 * as columns; counts it as stored or duplicate, and a new check-in in ec.
 * held[i] = 1 when the hub now holds it at the seq the batch gives it (new,
 * or the same id already stored at that seq). */
static int store_record(khub_sqlite *h, const ksync_batch *b, int i, anchor *a, int64_t now_ms,
                        int *stored, int *dups, unsigned char *held, event_counts *ec, kerr *err)
{
    const ksync_record *r = &b->recs[i];
    sqlite3_stmt *st = h->ins_record;
    int rc = find_anchor(h, b->device_id, r->boot_id, a, err);
    if (rc)
        return rc;
    const char *source;
    int known;
    int64_t corrected = correct_time(r, a, now_ms, &source, &known);
    char *event_id = khub_field_text(r->fields, "event_id");
    char *person_id = khub_field_text(r->fields, "person_id");
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, r->seq);
    sqlite3_bind_int64(st, 5, r->wall_ms);
    sqlite3_bind_text(st, 6, r->boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, r->mono_ms);
    sqlite3_bind_text(st, 8, r->fields, -1, SQLITE_STATIC);
    if (known)
        sqlite3_bind_int64(st, 9, corrected);
    else
        sqlite3_bind_null(st, 9);
    sqlite3_bind_text(st, 10, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, now_ms);
    if (event_id)
        sqlite3_bind_text(st, 12, event_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 12);
    if (person_id)
        sqlite3_bind_text(st, 13, person_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 13);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(person_id);
    if (rc != SQLITE_DONE) {
        free(event_id);
        return db_fail(h, rc, "insert record", err);
    }
    if (sqlite3_changes(h->db) > 0) {
        (*stored)++;
        held[i] = 1;
        if (event_id && strcmp(r->table, "checkins") == 0) {
            if (count_event(ec, event_id) != 0)
                return kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
            event_id = NULL;
        }
    } else {
        (*dups)++;
        sqlite3_stmt *g = h->get_seq;
        sqlite3_reset(g);
        sqlite3_bind_text(g, 1, b->device_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(g, 2, r->id, -1, SQLITE_STATIC);
        rc = sqlite3_step(g);
        held[i] = rc == SQLITE_ROW && sqlite3_column_int64(g, 0) == r->seq;
        sqlite3_reset(g);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            free(event_id);
            return db_fail(h, rc, "read stored record", err);
        }
    }
    free(event_id);
    if (h->delay_ms > 0) {
        struct timespec ts = {h->delay_ms / 1000, (long)(h->delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    return 0;
}

/* Inserts the records of b that are new (store_record), then adds the new
 * check-ins to their events' counts. */
static int store_records(khub_sqlite *h, const ksync_batch *b, int64_t now_ms, int *stored, int *dups,
                         unsigned char *held, kerr *err)
{
    anchor a = {{0}, 0, 0, 0};
    event_counts ec = {NULL, 0, 0};
    int rc = 0;
    for (int i = 0; i < b->n && rc == 0; i++)
        rc = store_record(h, b, i, &a, now_ms, stored, dups, held, &ec, err);
    if (rc == 0)
        rc = add_counts(h, b->device_id, &ec, err);
    event_counts_free(&ec);
    return rc;
}

/* Merges [from, to] (seqs the hub holds) into the device's coverage. */
static int cover(khub_sqlite *h, const char *device_id, int64_t from, int64_t to, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "SELECT lo, hi FROM coverage WHERE device_id = ?1"
                                " AND hi >= ?2 - 1 AND lo <= ?3 + 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    int64_t lo = from, hi = to;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t l = sqlite3_column_int64(st, 0), u = sqlite3_column_int64(st, 1);
        if (l < lo)
            lo = l;
        if (u > hi)
            hi = u;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "read coverage", err);
    /* Ranges touching [from-1, to+1] are absorbed into [lo, hi]. */
    rc = sqlite3_prepare_v2(h->db, "DELETE FROM coverage WHERE device_id = ?1"
                            " AND hi >= ?2 - 1 AND lo <= ?3 + 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "delete coverage", err);
    rc = sqlite3_prepare_v2(h->db, "INSERT INTO coverage(device_id, lo, hi) VALUES(?1, ?2, ?3)",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(h, rc, "insert coverage", err);
}

/* Covers each run of consecutive seqs among the records held: coverage is
 * earned by records, never by the batch's [seq_from, seq_to] claim. */
static int cover_held(khub_sqlite *h, const ksync_batch *b, const unsigned char *held, kerr *err)
{
    int rc = 0;
    for (int i = 0; i < b->n && rc == 0; i++) {
        if (!held[i])
            continue;
        int j = i;
        while (j + 1 < b->n && held[j + 1] && b->recs[j + 1].seq == b->recs[j].seq + 1)
            j++;
        rc = cover(h, b->device_id, b->recs[i].seq, b->recs[j].seq, err);
        i = j;
    }
    return rc;
}

/* Appends one line to batch_log. */
static int log_batch(khub_sqlite *h, const ksync_batch *b, int stored, int dups, int64_t now_ms,
                     const char *label, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "INSERT INTO batch_log(batch_id, device_id, seq_from, seq_to,"
                                " records, stored, duplicates, received_ms, source)"
                                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, b->batch_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, b->seq_from);
    sqlite3_bind_int64(st, 4, b->seq_to);
    sqlite3_bind_int(st, 5, b->n);
    sqlite3_bind_int(st, 6, stored);
    sqlite3_bind_int(st, 7, dups);
    sqlite3_bind_int64(st, 8, now_ms);
    sqlite3_bind_text(st, 9, label ? label : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(h, rc, "insert batch_log", err);
}

/* Reads the top of the coverage range that starts at seq 1. */
int khub_sqlite_acked(khub_sqlite *h, const char *device_id, int64_t *acked, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "SELECT coalesce(max(hi), 0) FROM coverage"
                                " WHERE device_id = ?1 AND lo <= 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, device_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *acked = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_fail(h, rc, "read acked", err);
}

/* Opens the ingest transaction. */
int khub_sqlite_ingest_begin(khub_sqlite *h, kerr *err)
{
    int rc = exec(h, "BEGIN IMMEDIATE", err);
    if (rc == 0) {
        h->in_ingest = 1;
        h->ingest_now_ms = khub_now_ms();
    }
    return rc;
}

/* Stores one batch inside the transaction (the middle of the state machine
 * drawn at the top of this file); adds its counts to res. */
int khub_sqlite_ingest_batch(khub_sqlite *h, const khub_source *src, const ksync_batch *b, khub_result *res,
                      kerr *err)
{
    int stored = 0, dups = 0, rc = 0;
    unsigned char *held = calloc((size_t)(b->n > 0 ? b->n : 1), 1);
    if (!held)
        return kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
    snprintf(res->device_id, sizeof res->device_id, "%s", b->device_id);
    if (src->token)
        rc = authorize(h, src->token, b->device_id, res, err);
    if (rc == 0 && src->anchor)
        rc = anchor_boot(h, b, src->recv_ms, err);
    if (rc == 0)
        rc = store_records(h, b, h->ingest_now_ms, &stored, &dups, held, err);
    if (rc == 0)
        rc = cover_held(h, b, held, err);
    if (rc == 0)
        rc = khub_sqlite_acked(h, b->device_id, &res->acked_seq, err);
    if (rc == 0)
        rc = log_batch(h, b, stored, dups, h->ingest_now_ms, src->label, err);
    free(held);
    res->records += b->n;
    res->stored += stored;
    res->duplicates += dups;
    return rc;
}

/* Commits (ok != 0) or rolls back the ingest transaction. */
int khub_sqlite_ingest_end(khub_sqlite *h, int ok, khub_result *res, kerr *err)
{
    int rc = 0;
    if (!h->in_ingest)
        return ok ? kerr_set(err, KERR_INTERNAL, "ingest: no transaction open") : 0;
    h->in_ingest = 0;
    if (ok)
        rc = exec(h, "COMMIT", err);
    if (!ok || rc) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        if (res)
            res->stored = 0;
    }
    return rc;
}

/* Stores nb batches in one transaction. */
int khub_sqlite_ingest(khub_sqlite *h, const khub_source *src, const ksync_batch *batches, int nb,
                khub_result *res, kerr *err)
{
    memset(res, 0, sizeof *res);
    int rc = khub_sqlite_ingest_begin(h, err);
    if (rc)
        return rc;
    for (int i = 0; i < nb && rc == 0; i++)
        rc = khub_sqlite_ingest_batch(h, src, &batches[i], res, err);
    int e = khub_sqlite_ingest_end(h, rc == 0, res, rc ? NULL : err);
    return rc ? rc : e;
}
