/*
 * outbox.c - reading unacknowledged records from the kiosk database (see
 * outbox.h).
 *
 * Records are read generically: every column of a listed table except the
 * six stamps (id, device_id, seq, wall_ms, boot_id, mono_ms) and the
 * table's derived columns becomes a member of the record's "fields", typed
 * by SQLite's storage class.  So a new table (survey answers, ...) travels
 * by adding one line to ksync_tables and nothing else; a listed table that
 * an older database does not have yet is skipped.
 *
 * Invariant: a batch holds every record of this device with seq in
 * [seq_from, seq_to], because (1) all tables are read in one snapshot,
 * (2) each table gives its max_records lowest seqs above after_seq, and the
 * merged list is cut at max_records, so nothing below the cut is missing,
 * and (3) the store allocates seq inside its write transaction, so a
 * snapshot that holds seq s holds every lower seq too.
 */
#define _POSIX_C_SOURCE 200809L
#include "outbox.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kbuf.h"

/* The record tables that sync sends, and their columns not sent (derived
 * on each side). */
typedef struct ksync_table {
    const char *name;
    const char *skip;   /* comma-separated column names, or "" */
} ksync_table;

static const ksync_table ksync_tables[] = {
    {"events", ""},
    {"people", "name_key,hint"},
    {"checkins", ""},
    {"answers", ""},
    {"qr_tokens", ""},
    {"qr_revocations", ""},
};
#define NTABLES ((int)(sizeof ksync_tables / sizeof ksync_tables[0]))

struct ksync_outbox {
    sqlite3 *db;
    char device_id[33];
    int has[NTABLES];            /* table exists in this database */
};

/* Makes a kerr from a failed SQLite call on db. */
static int db_fail(sqlite3 *db, int rc, const char *what, kerr *err)
{
    int prim = rc & 0xff;
    int code = prim == SQLITE_FULL ? KERR_FULL : prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB
               ? KERR_CORRUPT : KERR_IO;
    return kerr_set(err, code, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Opens the kiosk database read-write (never creating it) and reads the device id. */
int ksync_outbox_open(ksync_outbox **out, const char *data_dir, kerr *err)
{
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, KIOSK_DB_FILE);
    ksync_outbox *ob = calloc(1, sizeof *ob);
    if (!ob)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    int rc = sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int code = kerr_set(err, KERR_NOTFOUND, "cannot open %s: %s (has the kiosk run here?)", path,
                            ob->db ? sqlite3_errmsg(ob->db) : sqlite3_errstr(rc));
        ksync_outbox_close(ob);
        return code;
    }
    sqlite3_busy_timeout(ob->db, KIOSK_BUSY_TIMEOUT_MS);
    kerr e = {0};
    if (ksync_meta_get(ob, "device_id", ob->device_id, sizeof ob->device_id, &e) != 0 ||
        !ksync_is_id(ob->device_id)) {
        int code = kerr_set(err, e.code == KERR_NOTFOUND || e.code == 0 ? KERR_CORRUPT : e.code,
                            "%s: no device id in meta (%s)", path, e.msg[0] ? e.msg : "malformed");
        ksync_outbox_close(ob);
        return code;
    }
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(ob->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                            -1, &st, NULL);
    for (int t = 0; rc == SQLITE_OK && t < NTABLES; t++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, ksync_tables[t].name, -1, SQLITE_STATIC);
        ob->has[t] = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        int code = db_fail(ob->db, rc, "sqlite3_prepare_v2", err);
        ksync_outbox_close(ob);
        return code;
    }
    *out = ob;
    return 0;
}

/* Closes the connection and frees the outbox. */
void ksync_outbox_close(ksync_outbox *ob)
{
    if (!ob)
        return;
    sqlite3_close(ob->db);
    free(ob);
}

/* Returns the device id read at open. */
const char *ksync_outbox_device_id(const ksync_outbox *ob)
{
    return ob->device_id;
}

/* Reads one meta value. */
int ksync_meta_get(ksync_outbox *ob, const char *key, char *buf, size_t cap, kerr *err)
{
    buf[0] = '\0';
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ob->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(ob->db, rc, "read meta", err);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int code = 0;
    if (rc == SQLITE_ROW)
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE)
        code = kerr_set(err, KERR_NOTFOUND, "meta %s: not set", key);
    else
        code = db_fail(ob->db, rc, "read meta", err);
    sqlite3_finalize(st);
    return code;
}

/* Reads one meta value as an integer, or dflt. */
int64_t ksync_meta_get_int(ksync_outbox *ob, const char *key, int64_t dflt)
{
    char buf[32];
    if (ksync_meta_get(ob, key, buf, sizeof buf, NULL) != 0 || !buf[0])
        return dflt;
    return strtoll(buf, NULL, 10);
}

/* Upserts one meta value (autocommit, one short write). */
int ksync_meta_set(ksync_outbox *ob, const char *key, const char *value, kerr *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ob->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                                " ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(ob->db, rc, "write meta", err);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(ob->db, rc, "write meta", err);
}

/* Upserts one meta value from an integer. */
int ksync_meta_set_int(ksync_outbox *ob, const char *key, int64_t value, kerr *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    return ksync_meta_set(ob, key, buf, err);
}

/* Counts waiting records table by table. */
int ksync_outbox_pending(ksync_outbox *ob, int64_t after_seq, int64_t *count, kerr *err)
{
    *count = 0;
    for (int t = 0; t < NTABLES; t++) {
        if (!ob->has[t])
            continue;
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE device_id = ?1 AND seq > ?2",
                 ksync_tables[t].name);
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
            return db_fail(ob->db, rc, "count outbox", err);
        sqlite3_bind_text(st, 1, ob->device_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, after_seq);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *count += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return db_fail(ob->db, rc, "count outbox", err);
    }
    return 0;
}

/* 1 if column name is in the comma-separated list. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (c ? 1 : 0);
    }
    return 0;
}

/* Builds the fields JSON of the current row into f. */
static void row_fields(sqlite3_stmt *st, const char *skip, kbuf *f)
{
    static const char *const stamps[] = {"id", "device_id", "seq", "wall_ms", "boot_id", "mono_ms"};
    kbuf_reset(f);
    kbuf_add(f, "{", 1);
    int first = 1, ncol = sqlite3_column_count(st);
    for (int c = 0; c < ncol; c++) {
        const char *name = sqlite3_column_name(st, c);
        int is_stamp = 0;
        for (size_t s = 0; s < sizeof stamps / sizeof stamps[0]; s++)
            is_stamp |= strcmp(name, stamps[s]) == 0;
        if (is_stamp || in_list(skip, name))
            continue;
        if (!first)
            kbuf_add(f, ",", 1);
        first = 0;
        kbuf_json_str(f, name);
        kbuf_add(f, ":", 1);
        switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER:
            kbuf_int(f, sqlite3_column_int64(st, c));
            break;
        case SQLITE_NULL:
            kbuf_str(f, "null");
            break;
        default:   /* text; a real or blob is sent as its text form */
            kbuf_json_str(f, (const char *)sqlite3_column_text(st, c));
            break;
        }
    }
    kbuf_add(f, "}", 1);
}

/* qsort comparison of records by seq. */
static int cmp_seq(const void *a, const void *b)
{
    const ksync_record *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reads up to max records of one table above after_seq into b. */
static int read_table(ksync_outbox *ob, int t, int64_t after_seq, int max, ksync_batch *b,
                      kbuf *f, kerr *err)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" WHERE device_id = ?1 AND seq > ?2"
             " ORDER BY seq LIMIT ?3", ksync_tables[t].name);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(ob->db, rc, "read outbox", err);
    sqlite3_bind_text(st, 1, ob->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after_seq);
    sqlite3_bind_int(st, 3, max);
    int ncol = sqlite3_column_count(st);
    int ci[6] = {-1, -1, -1, -1, -1, -1};
    static const char *const want[6] = {"id", "seq", "wall_ms", "boot_id", "mono_ms", "device_id"};
    for (int c = 0; c < ncol; c++)
        for (int w = 0; w < 6; w++)
            if (strcmp(sqlite3_column_name(st, c), want[w]) == 0)
                ci[w] = c;
    for (int w = 0; w < 6; w++)
        if (ci[w] < 0) {
            sqlite3_finalize(st);
            return kerr_set(err, KERR_CORRUPT, "table %s: no column %s", ksync_tables[t].name, want[w]);
        }
    int code = 0;
    while (code == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ksync_record r;
        memset(&r, 0, sizeof r);
        snprintf(r.table, sizeof r.table, "%s", ksync_tables[t].name);
        const unsigned char *id = sqlite3_column_text(st, ci[0]);
        const unsigned char *boot = sqlite3_column_text(st, ci[3]);
        snprintf(r.id, sizeof r.id, "%s", id ? (const char *)id : "");
        r.seq = sqlite3_column_int64(st, ci[1]);
        r.wall_ms = sqlite3_column_int64(st, ci[2]);
        snprintf(r.boot_id, sizeof r.boot_id, "%s", boot ? (const char *)boot : "");
        r.mono_ms = sqlite3_column_int64(st, ci[4]);
        row_fields(st, ksync_tables[t].skip, f);
        if (f->oom) {
            code = kerr_set(err, KERR_INTERNAL, "outbox: out of memory");
            break;
        }
        r.fields = strdup(f->p);
        if (!r.fields)
            code = kerr_set(err, KERR_INTERNAL, "strdup: out of memory");
        else
            code = ksync_batch_take(b, &r, err);
    }
    sqlite3_finalize(st);
    if (code)
        return code;
    return rc == SQLITE_DONE ? 0 : db_fail(ob->db, rc, "read outbox", err);
}

/* Reads the next batch in one snapshot, merged across tables by seq. */
int ksync_outbox_next(ksync_outbox *ob, int64_t after_seq, int max_records, ksync_batch *b,
                      kerr *err)
{
    ksync_batch_init(b);
    snprintf(b->device_id, sizeof b->device_id, "%s", ob->device_id);
    if (max_records < 1)
        max_records = 1;
    int rc = sqlite3_exec(ob->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return db_fail(ob->db, rc, "begin read", err);
    kbuf f = {0};
    int code = 0;
    for (int t = 0; t < NTABLES && code == 0; t++)
        if (ob->has[t])
            code = read_table(ob, t, after_seq, max_records, b, &f, err);
    sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
    kbuf_free(&f);
    if (code) {
        ksync_batch_free(b);
        return code;
    }
    if (b->n > 1)
        qsort(b->recs, (size_t)b->n, sizeof *b->recs, cmp_seq);
    while (b->n > max_records)
        free(b->recs[--b->n].fields);
    b->seq_from = after_seq + 1;
    b->seq_to = b->n ? b->recs[b->n - 1].seq : after_seq;
    return 0;
}
