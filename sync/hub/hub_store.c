/*
 * hub_store.c - the hub's store and its ingest (see hub_store.h and
 * sync/PROTOCOL.md sections 4 and 6).
 *
 * Ingest of a group of already parsed batches (one HTTP request, or every
 * batch of one bundle):
 *
 *   parsed ──BEGIN IMMEDIATE──▶ OPEN ──token ok, device bound/matches──▶ AUTHED
 *                                 │ unknown/revoked token: KHUB_UNAUTHORIZED
 *                                 │ bound to another device: KHUB_FORBIDDEN
 *                                 ▼
 *                              ROLLBACK ◀──────────── any SQLite error ──────┐
 *                                                                           │
 *   AUTHED ──anchor_boot()──▶ ANCHORED ──store_records()──▶ STORED ──cover()─┤
 *   (first anchor of a boot:      (INSERT OR IGNORE by id,    (merge [from,to] │
 *    re-time its unverified        corrected time per record)  into coverage,  │
 *    records)                                                  batch_log)     │
 *                                                                  │          │
 *                                                              COMMIT ────────┘
 *                                                                  │ (fsync)
 *                                                                  ▼
 *                                                    acked_seq reported to caller
 *
 * Invariants (the exactly-once contract):
 *   I1  a record id is in records at most once (PRIMARY KEY; INSERT OR
 *       IGNORE), and the first copy stored is never changed except for its
 *       corrected time, which only moves from unverified to anchored;
 *   I2  coverage holds [lo, hi] only if every record of the device with seq
 *       in [lo, hi] was committed in the same or an earlier transaction;
 *   I3  acked_seq is derived from coverage inside the transaction and handed
 *       out only after COMMIT returned, so a kiosk never forgets a record
 *       the hub does not hold on disk;
 *   I4  a failure anywhere rolls back the whole group: a refused or crashed
 *       ingest leaves the store as it was (SQLite's journal makes a process
 *       killed with SIGKILL equal to a rollback).
 * Replays, overlapping and reordered batches follow from I1 and I2.
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_store.h"

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync_config.h"

#define KHUB_SCHEMA_VERSION 1

struct khub {
    sqlite3 *db;
    sqlite3_stmt *ins_record;
    sqlite3_stmt *get_boot;
    int delay_ms;
};

static const char *const khub_schema =
    "CREATE TABLE IF NOT EXISTS devices("
    "  name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, device_id TEXT,"
    "  created_ms INTEGER NOT NULL, revoked_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS records("
    "  id TEXT PRIMARY KEY, tbl TEXT NOT NULL, device_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL, wall_ms INTEGER NOT NULL, boot_id TEXT NOT NULL,"
    "  mono_ms INTEGER NOT NULL, fields TEXT NOT NULL, corrected_ms INTEGER,"
    "  time_source TEXT NOT NULL, received_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS records_unverified ON records(device_id, boot_id)"
    "  WHERE time_source IN ('kiosk_unverified','unknown');"
    "CREATE INDEX IF NOT EXISTS records_tbl ON records(tbl);"
    "CREATE TABLE IF NOT EXISTS coverage("
    "  device_id TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
    "  PRIMARY KEY(device_id, lo)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS boots("
    "  device_id TEXT NOT NULL, boot_id TEXT NOT NULL, recv_ms INTEGER NOT NULL,"
    "  mono_ms INTEGER NOT NULL, PRIMARY KEY(device_id, boot_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS batch_log("
    "  batch_id TEXT NOT NULL, device_id TEXT NOT NULL, seq_from INTEGER NOT NULL,"
    "  seq_to INTEGER NOT NULL, records INTEGER NOT NULL, stored INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL, received_ms INTEGER NOT NULL, source TEXT NOT NULL);";

/* Reads CLOCK_REALTIME in ms. */
int64_t khub_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Maps a failed SQLite call to a kerr code and message naming the call. */
static int db_fail(khub *h, int rc, const char *what, kerr *err)
{
    int code = KERR_IO;
    int prim = rc & 0xff;
    if (prim == SQLITE_FULL)
        code = KERR_FULL;
    else if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        code = KHUB_BUSY;
    else if (prim == SQLITE_NOMEM)
        code = KERR_INTERNAL;
    return kerr_set(err, code, "%s: %s", what, h && h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
}

/* Runs SQL text without results. */
static int exec(khub *h, const char *sql, kerr *err)
{
    int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_fail(h, rc, "sqlite3_exec", err);
}

/* Opens or creates the store, checks its version, prepares statements. */
int khub_open(khub **out, const char *path, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    khub *h = calloc(1, sizeof *h);
    if (!h)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    int rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        kerr_set(err, KERR_IO, "cannot open %s: %s", path, h->db ? sqlite3_errmsg(h->db) :
                 sqlite3_errstr(rc));
        khub_close(h);
        return KERR_IO;
    }
    sqlite3_busy_timeout(h->db, KHUB_BUSY_TIMEOUT_MS);
    int version = -1;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0) {
        kerr_set(err, KERR_CORRUPT, "%s: not a hub store (%s)", path, sqlite3_errmsg(h->db));
        khub_close(h);
        return KERR_CORRUPT;
    }
    if (version > KHUB_SCHEMA_VERSION) {
        kerr_set(err, KERR_NEWER, "%s: written by a newer hub (schema %d, this hub knows %d)",
                 path, version, KHUB_SCHEMA_VERSION);
        khub_close(h);
        return KERR_NEWER;
    }
    int e;
    if ((e = exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err)) ||
        (e = exec(h, "BEGIN IMMEDIATE", err))) {
        khub_close(h);
        return e;
    }
    if ((e = exec(h, khub_schema, err)) || (e = exec(h, "PRAGMA user_version=1; COMMIT", err))) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        khub_close(h);
        return e;
    }
    rc = sqlite3_prepare_v2(h->db,
                            "INSERT OR IGNORE INTO records(id, tbl, device_id, seq, wall_ms, boot_id,"
                            " mono_ms, fields, corrected_ms, time_source, received_ms)"
                            " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)", -1, &h->ins_record, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h->db, "SELECT recv_ms, mono_ms FROM boots"
                                " WHERE device_id = ?1 AND boot_id = ?2", -1, &h->get_boot, NULL);
    if (rc != SQLITE_OK) {
        e = db_fail(h, rc, "sqlite3_prepare_v2", err);
        khub_close(h);
        return e;
    }
    *out = h;
    return 0;
}

/* Finalises statements and closes the store. */
void khub_close(khub *h)
{
    if (!h)
        return;
    sqlite3_finalize(h->ins_record);
    sqlite3_finalize(h->get_boot);
    sqlite3_close(h->db);
    free(h);
}

/* Returns the SQLite connection. */
struct sqlite3 *khub_db(khub *h)
{
    return h->db;
}

/* Sets PRAGMA max_page_count. */
int khub_limit_pages(khub *h, long pages, kerr *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%ld", pages);
    return exec(h, sql, err);
}

/* Sets the test-only delay between record inserts. */
void khub_set_ingest_delay(khub *h, int ms)
{
    h->delay_ms = ms;
}

/* BLAKE2b-256 of the token text as 64 hex digits (see PROTOCOL.md: a fast
 * hash suffices because tokens carry 256 random bits). */
static void token_hash(const char *token, char hex[65])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

/* 1 if name is a usable device name: 1..64 bytes, no control characters. */
static int device_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > KHUB_DEVICE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    return 1;
}

/* Makes a random token and stores only its hash under the name. */
int khub_device_add(khub *h, const char *name, char token_out[KHUB_TOKEN_LEN + 1], kerr *err)
{
    if (!device_name_ok(name))
        return kerr_set(err, KERR_INVALID, "device name: 1-%d characters, no control characters",
                        KHUB_DEVICE_NAME_MAX);
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(token_out, "khub_", 5);
    sodium_bin2hex(token_out + 5, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[65];
    token_hash(token_out, hash);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "INSERT INTO devices(name, token_hash, created_ms)"
                                " VALUES(?1, ?2, ?3)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, khub_now_ms());
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        token_out[0] = '\0';
        return kerr_set(err, KERR_DUP, "device %s: already paired (revoke it or choose another name)",
                        name);
    }
    if (rc != SQLITE_DONE) {
        token_out[0] = '\0';
        return db_fail(h, rc, "insert device", err);
    }
    return 0;
}

/* Marks the device revoked. */
int khub_device_revoke(khub *h, const char *name, kerr *err)
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
int khub_device_list(khub *h, FILE *out, kerr *err)
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
int khub_auth(khub *h, const char *token, char name[KHUB_DEVICE_NAME_MAX + 1],
              char device_id[33], kerr *err)
{
    char hash[65];
    token_hash(token, hash);
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

/* Inside the transaction: checks the token and binds it to device_id on
 * first use; fills res->device_name. */
static int authorize(khub *h, const char *token, const char *device_id, khub_result *res,
                     kerr *err)
{
    char bound[33];
    int rc = khub_auth(h, token, res->device_name, bound, err);
    if (rc)
        return rc;
    if (bound[0] && strcmp(bound, device_id) != 0)
        return kerr_set(err, KHUB_FORBIDDEN, "token of device %s is paired with device id %s, not %s",
                        res->device_name, bound, device_id);
    if (bound[0])
        return 0;
    sqlite3_stmt *st = NULL;
    int s = sqlite3_prepare_v2(h->db, "UPDATE devices SET device_id = ?2 WHERE name = ?1", -1, &st, NULL);
    if (s != SQLITE_OK)
        return db_fail(h, s, "sqlite3_prepare_v2", err);
    sqlite3_bind_text(st, 1, res->device_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
    s = sqlite3_step(st);
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? 0 : db_fail(h, s, "bind device", err);
}

/* Time anchor of one boot: hub time recv_ms happened at mono_ms. */
typedef struct anchor {
    char boot_id[KSYNC_BOOT_ID_MAX + 1];
    int have;
    int64_t recv_ms, mono_ms;
} anchor;

/* Stores the batch's anchor if its boot has none; when it is the first,
 * re-times that boot's records stored earlier without an anchor. */
static int anchor_boot(khub *h, const ksync_batch *b, int64_t recv_ms, kerr *err)
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
static int find_anchor(khub *h, const char *device_id, const char *boot_id, anchor *a, kerr *err)
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

/* Inserts the records of b that are new; counts stored and duplicates. */
static int store_records(khub *h, const ksync_batch *b, int64_t now_ms, int *stored, int *dups,
                         kerr *err)
{
    anchor a = {{0}, 0, 0, 0};
    sqlite3_stmt *st = h->ins_record;
    for (int i = 0; i < b->n; i++) {
        const ksync_record *r = &b->recs[i];
        int rc = find_anchor(h, b->device_id, r->boot_id, &a, err);
        if (rc)
            return rc;
        const char *source;
        int known;
        int64_t corrected = correct_time(r, &a, now_ms, &source, &known);
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
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db_fail(h, rc, "insert record", err);
        if (sqlite3_changes(h->db) > 0)
            (*stored)++;
        else
            (*dups)++;
        if (h->delay_ms > 0) {
            struct timespec ts = {h->delay_ms / 1000, (long)(h->delay_ms % 1000) * 1000000L};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
        }
    }
    return 0;
}

/* Merges [from, to] into the device's coverage and returns the new acked. */
static int cover(khub *h, const char *device_id, int64_t from, int64_t to, int64_t *acked,
                 kerr *err)
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
    if (rc != SQLITE_DONE)
        return db_fail(h, rc, "insert coverage", err);
    return khub_acked(h, device_id, acked, err);
}

/* Appends one line to batch_log. */
static int log_batch(khub *h, const ksync_batch *b, int stored, int dups, int64_t now_ms,
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
int khub_acked(khub *h, const char *device_id, int64_t *acked, kerr *err)
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

/* Runs the ingest state machine drawn at the top of this file. */
int khub_ingest(khub *h, const khub_source *src, const ksync_batch *batches, int nb,
                khub_result *res, kerr *err)
{
    memset(res, 0, sizeof *res);
    int64_t now_ms = khub_now_ms();
    int rc = exec(h, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    for (int i = 0; i < nb && rc == 0; i++) {
        const ksync_batch *b = &batches[i];
        int stored = 0, dups = 0;
        snprintf(res->device_id, sizeof res->device_id, "%s", b->device_id);
        if (src->token)
            rc = authorize(h, src->token, b->device_id, res, err);
        if (rc == 0 && src->anchor)
            rc = anchor_boot(h, b, src->recv_ms, err);
        if (rc == 0)
            rc = store_records(h, b, now_ms, &stored, &dups, err);
        if (rc == 0)
            rc = cover(h, b->device_id, b->seq_from, b->seq_to, &res->acked_seq, err);
        if (rc == 0)
            rc = log_batch(h, b, stored, dups, now_ms, src->label, err);
        res->records += b->n;
        res->stored += stored;
        res->duplicates += dups;
    }
    if (rc == 0)
        rc = exec(h, "COMMIT", err);
    if (rc != 0) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        res->stored = 0;
    }
    return rc;
}
