/*
 * hub_store_pg.c - the hub's store in PostgreSQL (see hub_store_pg.h, and
 * hub_store.c for the ingest state machine both stores follow).
 *
 * Round trips of one batch, each one statement (never one per record):
 *   1. lock the device id (advisory, transaction scope), check the token
 *      (device row FOR SHARE): one SELECT;
 *   2. first anchor of the sending boot, and re-timing that boot's records
 *      stored before it: one INSERT ... RETURNING feeding an UPDATE;
 *   3. the records: one INSERT ... SELECT FROM unnest(...) ON CONFLICT DO
 *      NOTHING, answering per record whether it was new and the seq the hub
 *      holds for its id;
 *   4. coverage: the runs of held seqs merged with the ranges they touch
 *      (DELETE ... RETURNING, merge, INSERT) and acked_seq read back: one
 *      statement;
 *   5. batch_log: one INSERT.
 * plus BEGIN and COMMIT per group of batches.
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_store_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kbuf.h"
#include "sync_config.h"
#include "utf8.h"

struct khub_pg {
    PGconn *conn;
    char where[300];
    int delay_ms;
    int in_ingest;
    int begun;              /* BEGIN sent (with the first batch's opening) */
    int64_t ingest_now_ms;
    kbuf log;               /* batch_log rows, sent with the COMMIT */
};

struct khub_pg_rows {
    PGresult *res;
    int row, nrows;
};

/* ---- schema and its migrations --------------------------------------------- */

/* Migration n (1-based) takes the schema from version n-1 to n.  Never edit
 * one that has shipped: add the next. */
static const char *const pg_migrations[] = {
    /* 1: the trust model of issue 9 (records keyed by device and id,
     * tokens paired with one device id and its bundle key) */
    "CREATE TABLE kiosk_hub.devices("
    "  name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
    "  token_hash text NOT NULL UNIQUE, device_id text,"
    "  created_ms bigint NOT NULL, revoked_ms bigint, paired_ms bigint, sign_key text);"
    /* one live token per device id, whichever hub pairs it */
    "CREATE UNIQUE INDEX devices_live_id ON kiosk_hub.devices(device_id)"
    "  WHERE revoked_ms IS NULL AND device_id IS NOT NULL;"
    "CREATE TABLE kiosk_hub.records("
    "  device_id text NOT NULL, id text NOT NULL, tbl text NOT NULL,"
    "  seq bigint NOT NULL, wall_ms bigint NOT NULL, boot_id text NOT NULL,"
    "  mono_ms bigint NOT NULL, fields text NOT NULL, corrected_ms bigint,"
    "  time_source text NOT NULL, received_ms bigint NOT NULL,"
    "  PRIMARY KEY(device_id, id));"
    "CREATE INDEX records_unverified ON kiosk_hub.records(device_id, boot_id)"
    "  WHERE time_source IN ('kiosk_unverified','unknown');"
    "CREATE INDEX records_tbl ON kiosk_hub.records(tbl);"
    "CREATE INDEX records_seq ON kiosk_hub.records(device_id, seq);"
    "CREATE TABLE kiosk_hub.coverage("
    "  device_id text NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL CHECK (hi >= lo),"
    "  PRIMARY KEY(device_id, lo));"
    "CREATE TABLE kiosk_hub.boots("
    "  device_id text NOT NULL, boot_id text NOT NULL, recv_ms bigint NOT NULL,"
    "  mono_ms bigint NOT NULL, PRIMARY KEY(device_id, boot_id));"
    "CREATE TABLE kiosk_hub.batch_log("
    "  batch_id text NOT NULL, device_id text NOT NULL, seq_from bigint NOT NULL,"
    "  seq_to bigint NOT NULL, records integer NOT NULL, stored integer NOT NULL,"
    "  duplicates integer NOT NULL, received_ms bigint NOT NULL, source text NOT NULL);",
    /* 2: the roster kiosks download (issue 12, hub_store.h); the people
     * already held enter it at the next open (khub_roster_backfill) */
    "CREATE TABLE kiosk_hub.roster(seq bigint PRIMARY KEY, key text NOT NULL UNIQUE,"
    "  kind text NOT NULL, body text NOT NULL);"
    "CREATE TABLE kiosk_hub.people_ids(id text PRIMARY KEY, device_id text NOT NULL,"
    "  alias_of text, forgotten_ms bigint);"
    "CREATE INDEX people_ids_alias ON kiosk_hub.people_ids(alias_of) WHERE alias_of IS NOT NULL;"
    "CREATE TABLE kiosk_hub.person_keys(key text NOT NULL, id text NOT NULL, PRIMARY KEY(key, id));"
    "CREATE INDEX person_keys_id ON kiosk_hub.person_keys(id);"
    "CREATE TABLE kiosk_hub.hub_meta(key text PRIMARY KEY, value text NOT NULL);"
    "INSERT INTO kiosk_hub.hub_meta VALUES('roster_id',"
    "  md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text)),"
    "  ('roster_backfill', 'pending');",
    /* 3: the web page's staff accounts, sessions, failed log-ins (issue 12,
     * hub_users.h) */
    "CREATE TABLE kiosk_hub.web_users("
    "  name text PRIMARY KEY, pw_hash text NOT NULL, created_ms bigint NOT NULL);"
    "CREATE TABLE kiosk_hub.web_sessions("
    "  id_hash text PRIMARY KEY, user_name text NOT NULL, csrf text NOT NULL,"
    "  created_ms bigint NOT NULL, expires_ms bigint NOT NULL);"
    "CREATE TABLE kiosk_hub.web_login_failures("
    "  name text PRIMARY KEY, failures integer NOT NULL, last_ms bigint NOT NULL);",
    /* 4: queries follow the event, not the history (issue 15; SQLite schema
     * 5, hub_store_sqlite.c): the members queries filter on as columns,
     * filled at ingest and here from the JSON held (a member's text when
     * it is a string); the index of an event's rows; the check-ins per
     * event and device as a count ingest keeps; the forgotten ids' own
     * index (each batch is checked against them) */
    "ALTER TABLE kiosk_hub.records ADD COLUMN IF NOT EXISTS event_id text,"
    "  ADD COLUMN IF NOT EXISTS person_id text;"
    "UPDATE kiosk_hub.records SET"
    " event_id = CASE WHEN jsonb_typeof(fields::jsonb -> 'event_id') = 'string'"
    "  THEN fields::jsonb ->> 'event_id' END,"
    " person_id = CASE WHEN jsonb_typeof(fields::jsonb -> 'person_id') = 'string'"
    "  THEN fields::jsonb ->> 'person_id' END"
    " WHERE fields::jsonb ?| array['event_id', 'person_id'];"
    "CREATE INDEX records_event ON kiosk_hub.records(event_id, tbl) WHERE event_id IS NOT NULL;"
    "CREATE TABLE kiosk_hub.event_checkins(event_id text NOT NULL, device_id text NOT NULL,"
    "  n bigint NOT NULL, PRIMARY KEY(event_id, device_id));"
    "CREATE INDEX people_ids_forgotten ON kiosk_hub.people_ids(id) WHERE forgotten_ms IS NOT NULL;"
    "INSERT INTO kiosk_hub.event_checkins(event_id, device_id, n)"
    " SELECT event_id, device_id, count(*) FROM kiosk_hub.records"
    " WHERE event_id IS NOT NULL AND tbl = 'checkins' GROUP BY event_id, device_id;",
};
#define PG_SCHEMA_VERSION ((int)(sizeof pg_migrations / sizeof pg_migrations[0]))

/* Every session of the hub: an acknowledged batch is on the server's disk
 * (whatever the server's default); literals as the standard says (the
 * multi-statement opening of a batch quotes its own); a lock held by a
 * stuck hub makes this one answer 503 (the kiosk sends again) instead of
 * freezing it; and a hub frozen inside a transaction loses it after a
 * minute, so that it holds no device's lock for longer. */
#define PG_SESSION                                                                              \
    "SET synchronous_commit = on; SET standard_conforming_strings = on;"                       \
    " SET lock_timeout = '" PG_STR(KHUB_BUSY_TIMEOUT_MS) "ms';"                                 \
    " SET idle_in_transaction_session_timeout = '60s'"
#define PG_STR2(x) #x
#define PG_STR(x) PG_STR2(x)

/* Advisory lock keys: one for migrations, one space for device ids. */
#define PG_LOCK_MIGRATE 0x6b687562  /* "khub" */

/* ---- errors ------------------------------------------------------------------ */

/* Maps a failed result (or a lost connection, res NULL) to a kerr code by
 * SQLSTATE; the message names what was being done and the server's words. */
static int pg_fail(khub_pg *h, const PGresult *res, const char *what, kerr *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(h->conn);
    char text[400];
    snprintf(text, sizeof text, "%s", msg && *msg ? msg : "connection lost");
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    int code = KERR_IO;
    if (state) {
        if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
            strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
            code = KHUB_BUSY;                   /* serialization, deadlock, lock or statement timeout */
        else if (strcmp(state, "53100") == 0 || strcmp(state, "54000") == 0)
            code = KERR_FULL;                   /* disk full, program limit */
        else if (strncmp(state, "53", 2) == 0 || strncmp(state, "08", 2) == 0 ||
                 strncmp(state, "57P", 3) == 0)
            code = KHUB_BUSY;                   /* out of resources, connection, shutdown */
        else if (strcmp(state, "23505") == 0)
            code = KERR_DUP;
    } else if (PQstatus(h->conn) != CONNECTION_OK) {
        code = KHUB_BUSY;
    }
    return kerr_set(err, code, "%s: PostgreSQL %s: %s", what, h->where, text);
}

/* Runs a statement with text parameters; *out gets the result when the
 * statement succeeded (PGRES_COMMAND_OK or PGRES_TUPLES_OK).  Nonzero with
 * err set otherwise. */
static int run(khub_pg *h, const char *what, const char *sql, int np, const char *const *pv,
               PGresult **out, kerr *err)
{
    PGresult *res = PQexecParams(h->conn, sql, np, NULL, pv, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_fail(h, res, what, err);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

/* Runs SQL text without parameters or results (may hold several statements). */
static int exec(khub_pg *h, const char *what, const char *sql, kerr *err)
{
    PGresult *res = PQexec(h->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = pg_fail(h, res, what, err);
    PQclear(res);
    return rc;
}

/* Rolls back whatever is open; errors are moot then. */
static void rollback(khub_pg *h)
{
    if (PQtransactionStatus(h->conn) != PQTRANS_IDLE)
        PQclear(PQexec(h->conn, "ROLLBACK"));
}

/* The server's notices: "relation already exists, skipping" and the like
 * are not for the operator; warnings are. */
static void on_notice(void *arg, const PGresult *res)
{
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && strcmp(sev, "NOTICE") != 0 && strcmp(sev, "DEBUG") != 0 && strcmp(sev, "LOG") != 0 &&
        strcmp(sev, "INFO") != 0)
        fprintf(stderr, "kiosk-hub: PostgreSQL: %s", PQresultErrorMessage(res));
}

/* Reopens a connection lost since the last call (server restart, network). */
static int ensure_conn(khub_pg *h, kerr *err)
{
    if (PQstatus(h->conn) == CONNECTION_OK)
        return 0;
    PQreset(h->conn);
    if (PQstatus(h->conn) != CONNECTION_OK)
        return kerr_set(err, KHUB_BUSY, "PostgreSQL %s: connection lost and not back: %s", h->where,
                        PQerrorMessage(h->conn));
    return exec(h, "session settings", PG_SESSION "; SET search_path = kiosk_hub", err);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- open, migrate, close ------------------------------------------------------ */

const char *khub_pg_where(const khub_pg *h)
{
    return h->where;
}

/* Applies the migrations this hub knows and the database lacks, under an
 * advisory lock so that hubs started together do it once. */
static int migrate(khub_pg *h, kerr *err)
{
    int rc = exec(h, "start migration", "BEGIN", err);
    if (rc)
        return rc;
    PGresult *res = NULL;
    char lock[96];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", PG_LOCK_MIGRATE);
    if ((rc = exec(h, "lock for migration", lock, err)) ||
        (rc = exec(h, "create schema kiosk_hub",
                   "CREATE SCHEMA IF NOT EXISTS kiosk_hub;"
                   "CREATE TABLE IF NOT EXISTS kiosk_hub.schema_version("
                   "  version integer PRIMARY KEY, applied_ms bigint NOT NULL)", err)) ||
        (rc = run(h, "read schema version", "SELECT coalesce(max(version), 0) FROM kiosk_hub.schema_version",
                  0, NULL, &res, err))) {
        rollback(h);
        if (rc != KHUB_BUSY && err) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            kerr_set(err, rc, "%s (the hub's role needs CONNECT and CREATE on the database, or a "
                     "schema kiosk_hub it owns: see README.md, \"The hub on PostgreSQL\")", why);
        }
        return rc;
    }
    int version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (version > PG_SCHEMA_VERSION) {
        rollback(h);
        return kerr_set(err, KERR_NEWER, "PostgreSQL %s: written by a newer hub (schema %d, this hub "
                        "knows %d)", h->where, version, PG_SCHEMA_VERSION);
    }
    for (int v = version + 1; v <= PG_SCHEMA_VERSION && rc == 0; v++) {
        char what[64], ins[160];
        snprintf(what, sizeof what, "migrate to schema %d", v);
        snprintf(ins, sizeof ins, "INSERT INTO kiosk_hub.schema_version VALUES(%d, %" PRId64 ")", v,
                 now_ms());
        if ((rc = exec(h, what, pg_migrations[v - 1], err)) == 0)
            rc = exec(h, what, ins, err);
    }
    if (rc == 0)
        rc = exec(h, "commit migration", "COMMIT", err);
    if (rc)
        rollback(h);
    return rc;
}

int khub_pg_open(khub_pg **out, const char *uri, kerr *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return kerr_set(err, KERR_INTERNAL, "sodium_init: failed");
    khub_pg *h = calloc(1, sizeof *h);
    if (!h)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    const char *keys[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
    const char *vals[] = {uri, "kiosk-hub", "UTF8", NULL};
    h->conn = PQconnectdbParams(keys, vals, 1);
    if (!h->conn) {
        free(h);
        return kerr_set(err, KERR_INTERNAL, "PQconnectdbParams: out of memory");
    }
    PQsetNoticeReceiver(h->conn, on_notice, NULL);
    const char *host = PQhost(h->conn), *port = PQport(h->conn);
    snprintf(h->where, sizeof h->where, "%s@%s:%s/%s", PQuser(h->conn) ? PQuser(h->conn) : "?",
             host && *host ? host : "localhost", port && *port ? port : "5432",
             PQdb(h->conn) ? PQdb(h->conn) : "?");
    if (PQstatus(h->conn) != CONNECTION_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(h->conn));
        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
            msg[--n] = '\0';
        int rc = kerr_set(err, KERR_IO, "cannot connect to PostgreSQL %s: %s", h->where, msg);
        khub_pg_close(h);
        return rc;
    }
    int rc = exec(h, "session settings", PG_SESSION, err);
    if (rc == 0)
        rc = migrate(h, err);
    if (rc == 0)
        rc = exec(h, "session settings", "SET search_path = kiosk_hub", err);
    if (rc) {
        khub_pg_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

void khub_pg_close(khub_pg *h)
{
    if (!h)
        return;
    PQfinish(h->conn);
    kbuf_free(&h->log);
    free(h);
}

void khub_pg_set_ingest_delay(khub_pg *h, int ms)
{
    h->delay_ms = ms;
}

/* ---- devices ------------------------------------------------------------------- */

/* The name of a live device other than name that holds device_id, into
 * other ("" if none). */
static int id_holder(khub_pg *h, const char *device_id, const char *name,
                     char other[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    other[0] = '\0';
    const char *pv[] = {device_id, name};
    PGresult *res = NULL;
    int rc = run(h, "look up device id", "SELECT name FROM devices WHERE device_id = $1"
                 " AND revoked_ms IS NULL AND name <> $2 LIMIT 1", 2, pv, &res, err);
    if (rc == 0 && PQntuples(res) == 1)
        snprintf(other, KHUB_DEVICE_NAME_MAX + 1, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

/* KHUB_FORBIDDEN naming the device that holds the id. */
static int id_taken(const char *device_id, const char *other, kerr *err)
{
    if (!other[0])
        return kerr_set(err, KHUB_FORBIDDEN, "device id %s was just paired with another device; "
                        "every kiosk needs its own token", device_id);
    return kerr_set(err, KHUB_FORBIDDEN, "device id %s is paired with device %s; if this is the "
                    "same kiosk, revoke %s first (kiosk-hub device revoke %s)", device_id, other,
                    other, other);
}

int khub_pg_device_add(khub_pg *h, const char *name, const char *token_hash, const char *device_id,
                       const char *sign_key_hex, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    char other[KHUB_DEVICE_NAME_MAX + 1] = "";
    if (device_id && (rc = id_holder(h, device_id, name, other, err)) != 0)
        return rc;
    if (other[0])
        return id_taken(device_id, other, err);
    char ms[24];
    snprintf(ms, sizeof ms, "%" PRId64, now_ms());
    const char *pv[] = {name, token_hash, ms, device_id, sign_key_hex};
    PGresult *res = NULL;
    /* the partial unique index refuses an id another hub bound meanwhile */
    rc = run(h, "insert device", "INSERT INTO devices(name, token_hash, created_ms, device_id,"
             " sign_key, paired_ms) VALUES($1, $2, $3::bigint, $4, $5,"
             " CASE WHEN $4::text IS NULL THEN NULL ELSE $3::bigint END)"
             " ON CONFLICT (name) DO NOTHING", 5, pv, &res, err);
    if (rc == KERR_DUP)
        return id_taken(device_id ? device_id : "", "", err);
    if (rc)
        return rc;
    int added = atoi(PQcmdTuples(res));
    PQclear(res);
    if (!added)
        return kerr_set(err, KERR_DUP, "device %s: already exists (revoke it or choose another name)",
                        name);
    return 0;
}

int khub_pg_device_revoke(khub_pg *h, const char *name, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    char ms[24];
    snprintf(ms, sizeof ms, "%" PRId64, now_ms());
    const char *pv[] = {name, ms};
    PGresult *res = NULL;
    rc = run(h, "revoke device", "UPDATE devices SET revoked_ms = $2"
             " WHERE name = $1 AND revoked_ms IS NULL", 2, pv, &res, err);
    if (rc)
        return rc;
    int changed = atoi(PQcmdTuples(res));
    PQclear(res);
    if (!changed)
        return kerr_set(err, KERR_NOTFOUND, "device %s: no such device, or already revoked", name);
    return 0;
}

int khub_pg_device_list(khub_pg *h, FILE *out, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    PGresult *res = NULL;
    rc = run(h, "list devices",
             "SELECT d.name, d.revoked_ms IS NOT NULL, coalesce(d.device_id, ''),"
             " (SELECT coalesce(max(c.hi), 0) FROM coverage c WHERE c.device_id = d.device_id"
             "  AND c.lo <= 1)"
             " FROM devices d ORDER BY d.name COLLATE \"C\"", 0, NULL, &res, err);
    if (rc)
        return rc;
    fprintf(out, "%-24s %-8s %-32s %s\n", "name", "state", "device_id", "acked_seq");
    for (int i = 0; i < PQntuples(res); i++)
        fprintf(out, "%-24s %-8s %-32s %s\n", PQgetvalue(res, i, 0),
                *PQgetvalue(res, i, 1) == 't' ? "revoked" : "active",
                *PQgetvalue(res, i, 2) ? PQgetvalue(res, i, 2) : "(unused)", PQgetvalue(res, i, 3));
    PQclear(res);
    return 0;
}

/* Looks a token's hash up; lock = " FOR SHARE" inside an ingest. */
static int auth(khub_pg *h, const char *token_hash, const char *lock,
                char name[KHUB_DEVICE_NAME_MAX + 1], char device_id[33], kerr *err)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT name, coalesce(device_id, ''), revoked_ms IS NOT NULL"
             " FROM devices WHERE token_hash = $1%s", lock);
    const char *pv[] = {token_hash};
    PGresult *res = NULL;
    int rc = run(h, "look up token", sql, 1, pv, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1 && *PQgetvalue(res, 0, 2) == 'f') {
        snprintf(name, KHUB_DEVICE_NAME_MAX + 1, "%s", PQgetvalue(res, 0, 0));
        snprintf(device_id, 33, "%s", PQgetvalue(res, 0, 1));
    } else {
        rc = kerr_set(err, KHUB_UNAUTHORIZED, PQntuples(res) ? "token revoked" : "unknown token");
    }
    PQclear(res);
    return rc;
}

int khub_pg_auth(khub_pg *h, const char *token_hash, char name[KHUB_DEVICE_NAME_MAX + 1],
                 char device_id[33], kerr *err)
{
    int rc = ensure_conn(h, err);
    return rc ? rc : auth(h, token_hash, "", name, device_id, err);
}

int khub_pg_pair(khub_pg *h, const char *token_hash, const char *device_id,
                 const char sign_key_hex[65], char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    if (!ksync_is_id(device_id))
        return kerr_set(err, KERR_INVALID, "device_id: expected 32 lower-case hex digits");
    int rc = ensure_conn(h, err);
    if (rc || (rc = exec(h, "begin pairing", "BEGIN", err)))
        return rc;
    char bound[33];
    rc = auth(h, token_hash, " FOR UPDATE", name, bound, err);
    if (rc == 0 && bound[0] && strcmp(bound, device_id) != 0)
        rc = kerr_set(err, KHUB_FORBIDDEN, "token of device %s is already paired with device id %s; "
                      "every kiosk needs its own token (kiosk-hub device add NAME)", name, bound);
    char other[KHUB_DEVICE_NAME_MAX + 1] = "";
    if (rc == 0 && (rc = id_holder(h, device_id, name, other, err)) == 0 && other[0])
        rc = id_taken(device_id, other, err);
    if (rc == 0) {
        char ms[24];
        snprintf(ms, sizeof ms, "%" PRId64, now_ms());
        const char *pv[] = {name, device_id, sign_key_hex, ms};
        /* the partial unique index refuses an id another hub paired meanwhile */
        rc = run(h, "pair device", "UPDATE devices SET device_id = $2, sign_key = $3,"
                 " paired_ms = coalesce(paired_ms, $4) WHERE name = $1", 4, pv, NULL, err);
        if (rc == KERR_DUP)
            rc = id_taken(device_id, "", err);
    }
    if (rc == 0)
        rc = exec(h, "commit pairing", "COMMIT", err);
    if (rc)
        rollback(h);
    return rc;
}

int khub_pg_bundle_keys(khub_pg *h, const char *device_id, unsigned char keys[][32], int max,
                        int *n, char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    *n = 0;
    name[0] = '\0';
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    const char *pv[] = {device_id};
    PGresult *res = NULL;
    rc = run(h, "look up bundle key", "SELECT name, coalesce(sign_key, ''), revoked_ms IS NOT NULL"
             " FROM devices WHERE device_id = $1 ORDER BY revoked_ms IS NOT NULL, name", 1, pv, &res,
             err);
    if (rc)
        return rc;
    int live = 0, revoked = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *key = PQgetvalue(res, i, 1);
        if (!name[0])
            snprintf(name, KHUB_DEVICE_NAME_MAX + 1, "%s", PQgetvalue(res, i, 0));
        if (*PQgetvalue(res, i, 2) == 't') {
            revoked++;
            continue;
        }
        live++;
        if (*n < max && strlen(key) == 64 &&
            sodium_hex2bin(keys[*n], 32, key, 64, NULL, NULL, NULL) == 0)
            (*n)++;
    }
    PQclear(res);
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

/* ---- ingest ---------------------------------------------------------------------- */

/* Appends s to a PostgreSQL array literal as one quoted element. */
static void arr_text(kbuf *a, const char *s)
{
    kbuf_str(a, a->len > 1 ? ",\"" : "\"");
    for (const char *p = s;; p++) {
        const char *q = p;
        while (*q && *q != '"' && *q != '\\')
            q++;
        kbuf_add(a, p, (size_t)(q - p));
        if (!*q)
            break;
        kbuf_add(a, "\\", 1);
        kbuf_add(a, q, 1);
        p = q;
    }
    kbuf_add(a, "\"", 1);
}

/* Appends s (NULL: a NULL element) to an array literal. */
static void arr_text_or_null(kbuf *a, const char *s)
{
    if (s)
        arr_text(a, s);
    else
        kbuf_str(a, a->len > 1 ? ",NULL" : "NULL");
}

/* Appends an integer element to an array literal. */
static void arr_int(kbuf *a, int64_t v)
{
    kbuf_printf(a, a->len > 1 ? ",%" PRId64 : "%" PRId64, v);
}

int khub_pg_ingest_begin(khub_pg *h, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc == 0) {
        h->in_ingest = 1;
        h->begun = 0;          /* BEGIN goes out with the first batch's opening */
        h->ingest_now_ms = now_ms();
        kbuf_reset(&h->log);
    }
    return rc;
}

/* Appends s as a quoted SQL literal (standard_conforming_strings, which
 * the hub sets: only quotes are doubled); bytes that are not UTF-8 (a
 * bundle's file name may hold any) become '?', as the server would refuse
 * the whole statement. */
static void sql_lit(kbuf *q, const char *s)
{
    kbuf_add(q, "'", 1);
    for (size_t i = 0; s[i];) {
        int l = 1;
        long cp = kutf8_decode(s + i, &l);
        if (cp < 0 || l < 1) {
            kbuf_add(q, "?", 1);
            l = 1;
        } else if (s[i] == '\'')
            kbuf_add(q, "''", 2);
        else
            kbuf_add(q, s + i, (size_t)l);
        i += (size_t)l;
    }
    kbuf_add(q, "'", 1);
}

/* Steps 1 and 2 in one round trip (a multi-statement query of literals):
 * BEGIN for the group's first batch; the device id's lock; the token's
 * device row FOR SHARE (a revoke waits for this transaction); and the
 * boot's first anchor, which re-times the boot's records stored without one
 * (PROTOCOL.md 6).  An unknown token only rolls the whole group back. */
static int open_batch(khub_pg *h, const khub_source *src, const char *token_hash,
                      const ksync_batch *b, khub_result *res, kerr *err)
{
    kbuf q = {0};
    if (!h->begun)
        kbuf_str(&q, "BEGIN;");
    kbuf_str(&q, "SELECT pg_advisory_xact_lock(hashtextextended('khub:' || ");
    sql_lit(&q, b->device_id);
    kbuf_str(&q, ", 0));");
    if (token_hash) {
        kbuf_str(&q, "SELECT name, coalesce(device_id, ''), revoked_ms IS NOT NULL FROM devices"
                 " WHERE token_hash = ");
        sql_lit(&q, token_hash);
        kbuf_str(&q, " FOR SHARE;");
    }
    if (src->anchor) {
        kbuf_str(&q, "WITH a AS (INSERT INTO boots(device_id, boot_id, recv_ms, mono_ms) VALUES(");
        sql_lit(&q, b->device_id);
        kbuf_str(&q, ", ");
        sql_lit(&q, b->sent_boot_id);
        kbuf_printf(&q, ", %" PRId64 ", %" PRId64 ") ON CONFLICT DO NOTHING RETURNING recv_ms, mono_ms)"
                    " UPDATE records r SET"
                    "  corrected_ms = CASE WHEN r.wall_ms < %lld"
                    "    OR abs(r.wall_ms - (a.recv_ms - (a.mono_ms - r.mono_ms))) > %lld"
                    "    THEN a.recv_ms - (a.mono_ms - r.mono_ms) ELSE r.wall_ms END,"
                    "  time_source = CASE WHEN r.wall_ms < %lld"
                    "    OR abs(r.wall_ms - (a.recv_ms - (a.mono_ms - r.mono_ms))) > %lld"
                    "    THEN 'anchor' ELSE 'kiosk' END"
                    " FROM a WHERE r.device_id = ", src->recv_ms, b->sent_mono_ms,
                    (long long)KSYNC_EARLIEST_WALL_MS, (long long)KSYNC_CLOCK_SKEW_MS,
                    (long long)KSYNC_EARLIEST_WALL_MS, (long long)KSYNC_CLOCK_SKEW_MS);
        sql_lit(&q, b->device_id);
        kbuf_str(&q, " AND r.boot_id = ");
        sql_lit(&q, b->sent_boot_id);
        kbuf_str(&q, " AND r.time_source IN ('kiosk_unverified','unknown');");
    }
    if (q.oom) {
        kbuf_free(&q);
        return kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
    }
    int rc = 0, found = -1;
    char bound[33] = "";
    if (!PQsendQuery(h->conn, q.p))
        rc = pg_fail(h, NULL, "lock device", err);
    kbuf_free(&q);
    h->begun = 1;
    PGresult *r;
    while (rc == 0 && (r = PQgetResult(h->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            rc = pg_fail(h, r, "lock device, check token, anchor boot", err);
        } else if (token_hash && st == PGRES_TUPLES_OK && PQnfields(r) == 3) {
            found = PQntuples(r) == 1 && *PQgetvalue(r, 0, 2) == 'f';
            if (PQntuples(r) == 1) {
                snprintf(res->device_name, sizeof res->device_name, "%s", PQgetvalue(r, 0, 0));
                snprintf(bound, sizeof bound, "%s", PQgetvalue(r, 0, 1));
            }
            if (!found)
                rc = kerr_set(err, KHUB_UNAUTHORIZED, PQntuples(r) ? "token revoked" : "unknown token");
        }
        PQclear(r);
    }
    while ((r = PQgetResult(h->conn)) != NULL)     /* the rest, after a failure */
        PQclear(r);
    if (rc || !token_hash)
        return rc;
    if (found != 1)
        return kerr_set(err, KERR_INTERNAL, "check token: no answer");
    if (!bound[0])
        return kerr_set(err, KHUB_NOT_PAIRED, "token of device %s is not paired with a kiosk yet: "
                        "on the kiosk run kiosk sync pair URL (it sends the kiosk's device id)",
                        res->device_name);
    if (strcmp(bound, b->device_id) != 0)
        return kerr_set(err, KHUB_FORBIDDEN, "token of device %s is paired with device id %s, not %s",
                        res->device_name, bound, b->device_id);
    return 0;
}

/* qsort context-free comparison of record indexes by id (g_sort_batch is
 * set for the duration of one sort; the store is used from one thread). */
static const ksync_batch *g_sort_batch;
static int cmp_rec_id(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y;
    int c = strcmp(g_sort_batch->recs[i].id, g_sort_batch->recs[j].id);
    return c ? c : (i > j) - (i < j);
}

/* The index in the sorted ids[0..n) of id, or -1. */
static int find_id(char (*ids)[33], int n, const char *id)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(ids[mid], id);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static int cmp_id33(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

/* Step 3: the batch's records in one INSERT ... SELECT FROM unnest(...) ON
 * CONFLICT DO NOTHING RETURNING id, the corrected time computed in the
 * statement from the boot's anchor (PROTOCOL.md 6); then, only when some
 * were already held, one SELECT of the seqs the hub holds for those ids.
 * The first copy of an id within the batch is the one inserted (as
 * SQLite's INSERT OR IGNORE row by row).  held[i] = 1 when the hub now
 * holds record i at the seq the batch gives it. */
static int store_records(khub_pg *h, const ksync_batch *b, int *stored, int *dups,
                         unsigned char *held, kerr *err)
{
    int n = b->n, rc = 0;
    int *order = malloc((size_t)n * sizeof *order);
    int *first = malloc((size_t)n * sizeof *first);     /* index of the id's first copy */
    char (*got)[33] = malloc((size_t)n * sizeof *got);  /* ids inserted, then ids held */
    int64_t *got_seq = malloc((size_t)n * sizeof *got_seq);
    kbuf a[9];
    memset(a, 0, sizeof a);
    if (!order || !first || !got || !got_seq) {
        rc = kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    g_sort_batch = b;
    qsort(order, (size_t)n, sizeof *order, cmp_rec_id);
    for (int k = 0; k < n; k++)
        first[order[k]] = k > 0 && strcmp(b->recs[order[k]].id, b->recs[order[k - 1]].id) == 0
                              ? first[order[k - 1]] : order[k];
    for (int k = 0; k < 9; k++)
        kbuf_str(&a[k], "{");
    for (int i = 0; i < n; i++) {
        const ksync_record *r = &b->recs[i];
        if (first[i] != i)
            continue;
        arr_text(&a[0], r->id);
        arr_text(&a[1], r->table);
        arr_int(&a[2], r->seq);
        arr_int(&a[3], r->wall_ms);
        arr_text(&a[4], r->boot_id);
        arr_int(&a[5], r->mono_ms);
        arr_text(&a[6], r->fields ? r->fields : "{}");
        char *ev = khub_field_text(r->fields, "event_id");
        char *pid = khub_field_text(r->fields, "person_id");
        arr_text_or_null(&a[7], ev);
        arr_text_or_null(&a[8], pid);
        free(ev);
        free(pid);
    }
    int oom = 0;
    for (int k = 0; k < 9; k++) {
        kbuf_str(&a[k], "}");
        oom |= a[k].oom;
    }
    if (oom) {
        rc = kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
        goto out;
    }
    char now[24], early[24], skew[24];
    snprintf(now, sizeof now, "%" PRId64, h->ingest_now_ms);
    snprintf(early, sizeof early, "%lld", (long long)KSYNC_EARLIEST_WALL_MS);
    snprintf(skew, sizeof skew, "%lld", (long long)KSYNC_CLOCK_SKEW_MS);
    const char *pv[] = {b->device_id, a[0].p, a[1].p, a[2].p, a[3].p, a[4].p, a[5].p, a[6].p,
                        now, early, skew, a[7].p, a[8].p};
    PGresult *res = NULL;
    /* the new check-ins are added to their events' counts in the same
     * statement (the device's lock orders writers of its count rows) */
    rc = run(h, "insert records",
        "WITH ins AS (INSERT INTO records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields,"
        "  corrected_ms, time_source, received_ms, event_id, person_id)"
        " SELECT $1, i.id, i.tbl, i.seq, i.wall_ms, i.boot_id, i.mono_ms, i.fields,"
        "  CASE WHEN b.recv_ms IS NOT NULL THEN"
        "    CASE WHEN i.wall_ms < $10::bigint"
        "      OR abs(i.wall_ms - (b.recv_ms - (b.mono_ms - i.mono_ms))) > $11::bigint"
        "     THEN b.recv_ms - (b.mono_ms - i.mono_ms) ELSE i.wall_ms END"
        "   WHEN i.wall_ms >= $10::bigint AND i.wall_ms <= $9::bigint + $11::bigint THEN i.wall_ms"
        "   ELSE NULL END,"
        "  CASE WHEN b.recv_ms IS NOT NULL THEN"
        "    CASE WHEN i.wall_ms < $10::bigint"
        "      OR abs(i.wall_ms - (b.recv_ms - (b.mono_ms - i.mono_ms))) > $11::bigint"
        "     THEN 'anchor' ELSE 'kiosk' END"
        "   WHEN i.wall_ms >= $10::bigint AND i.wall_ms <= $9::bigint + $11::bigint"
        "    THEN 'kiosk_unverified'"
        "   ELSE 'unknown' END,"
        "  $9::bigint, i.event_id, i.person_id"
        " FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],"
        "  $7::bigint[], $8::text[], $12::text[], $13::text[])"
        "  AS i(id, tbl, seq, wall_ms, boot_id, mono_ms, fields, event_id, person_id)"
        "  LEFT JOIN boots b ON b.device_id = $1 AND b.boot_id = i.boot_id"
        " ON CONFLICT (device_id, id) DO NOTHING RETURNING id, tbl, event_id),"
        " cnt AS (INSERT INTO event_checkins(event_id, device_id, n)"
        "  SELECT event_id, $1, count(*) FROM ins WHERE tbl = 'checkins' AND event_id IS NOT NULL"
        "  GROUP BY event_id"
        "  ON CONFLICT (event_id, device_id) DO UPDATE SET n = event_checkins.n + excluded.n)"
        " SELECT id FROM ins",
        13, pv, &res, err);
    if (rc)
        goto out;
    int ngot = PQntuples(res);
    for (int k = 0; k < ngot && k < n; k++)
        snprintf(got[k], 33, "%s", PQgetvalue(res, k, 0));
    PQclear(res);
    qsort(got, (size_t)ngot, sizeof *got, cmp_id33);
    /* stored: first copies whose id came back; the rest are duplicates */
    kbuf dup = {0};
    kbuf_str(&dup, "{");
    int ndup = 0;
    for (int i = 0; i < n; i++) {
        int new_row = first[i] == i && find_id(got, ngot, b->recs[i].id) >= 0;
        held[i] = (unsigned char)new_row;
        if (new_row) {
            (*stored)++;
        } else {
            (*dups)++;
            if (first[i] == i) {
                arr_text(&dup, b->recs[i].id);
                ndup++;
            }
        }
    }
    kbuf_str(&dup, "}");
    /* later copies within the batch: held if the first copy is held at their seq */
    int nheld = 0;
    if (ndup > 0) {
        const char *dv[] = {b->device_id, dup.p};
        rc = dup.oom ? kerr_set(err, KERR_INTERNAL, "ingest: out of memory")
                     : run(h, "read held records", "SELECT id, seq FROM records WHERE device_id = $1"
                           " AND id = ANY($2::text[]) ORDER BY id COLLATE \"C\"", 2, dv, &res, err);
        if (rc == 0) {
            nheld = PQntuples(res);
            for (int k = 0; k < nheld && k < n; k++) {
                snprintf(got[k], 33, "%s", PQgetvalue(res, k, 0));
                got_seq[k] = strtoll(PQgetvalue(res, k, 1), NULL, 10);
            }
            PQclear(res);
        }
    }
    kbuf_free(&dup);
    if (rc)
        goto out;
    for (int i = 0; i < n; i++) {
        if (held[i])
            continue;
        const ksync_record *f = &b->recs[first[i]];
        int64_t seq;
        int k;
        if (held[first[i]])
            seq = f->seq;                               /* inserted just now */
        else if ((k = find_id(got, nheld, f->id)) >= 0)
            seq = got_seq[k];                           /* held before */
        else
            continue;
        held[i] = seq == b->recs[i].seq;
    }
out:
    for (int k = 0; k < 9; k++)
        kbuf_free(&a[k]);
    free(order);
    free(first);
    free(got);
    free(got_seq);
    return rc;
}

/* Step 4: merges each run of consecutive held seqs into the device's
 * coverage (ranges touching or overlapping a run are absorbed) and reads
 * acked_seq, in one statement.  Coverage is earned by records held, never
 * by the batch's [seq_from, seq_to] claim. */
static int cover_held(khub_pg *h, const ksync_batch *b, const unsigned char *held, int64_t *acked,
                      kerr *err)
{
    kbuf lo = {0}, hi = {0};
    kbuf_str(&lo, "{");
    kbuf_str(&hi, "{");
    for (int i = 0; i < b->n; i++) {
        if (!held[i])
            continue;
        int j = i;
        while (j + 1 < b->n && held[j + 1] && b->recs[j + 1].seq == b->recs[j].seq + 1)
            j++;
        arr_int(&lo, b->recs[i].seq);
        arr_int(&hi, b->recs[j].seq);
        i = j;
    }
    kbuf_str(&lo, "}");
    kbuf_str(&hi, "}");
    int rc = 0;
    if (lo.oom || hi.oom)
        rc = kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
    const char *pv[] = {b->device_id, lo.p, hi.p};
    PGresult *res = NULL;
    if (rc == 0)
        rc = run(h, "merge coverage",
            "WITH new AS (SELECT * FROM unnest($2::bigint[], $3::bigint[]) AS t(lo, hi)),"
            " old AS (DELETE FROM coverage c WHERE c.device_id = $1 AND EXISTS"
            "  (SELECT 1 FROM new n WHERE c.hi >= n.lo - 1 AND c.lo <= n.hi + 1)"
            "  RETURNING c.lo, c.hi),"
            " allr AS (SELECT lo, hi FROM new UNION ALL SELECT lo, hi FROM old),"
            " s AS (SELECT lo, hi, max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING"
            "  AND 1 PRECEDING) AS prev_hi FROM allr),"
            " g AS (SELECT lo, hi, sum(CASE WHEN prev_hi IS NULL OR lo > prev_hi + 1 THEN 1 ELSE 0"
            "  END) OVER (ORDER BY lo, hi) AS grp FROM s),"
            " m AS (SELECT min(lo) AS lo, max(hi) AS hi FROM g GROUP BY grp),"
            " ins AS (INSERT INTO coverage(device_id, lo, hi) SELECT $1, lo, hi FROM m)"
            " SELECT coalesce((SELECT max(hi) FROM m WHERE lo <= 1),"
            "  (SELECT max(hi) FROM coverage WHERE device_id = $1 AND lo <= 1), 0)",
            3, pv, &res, err);
    kbuf_free(&lo);
    kbuf_free(&hi);
    if (rc)
        return rc;
    *acked = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Step 5: the batch's batch_log row, sent with the COMMIT. */
static int log_batch(khub_pg *h, const ksync_batch *b, int stored, int dups, const char *label,
                     kerr *err)
{
    kbuf_str(&h->log, h->log.len ? ",(" : "(");
    sql_lit(&h->log, b->batch_id);
    kbuf_str(&h->log, ",");
    sql_lit(&h->log, b->device_id);
    kbuf_printf(&h->log, ",%" PRId64 ",%" PRId64 ",%d,%d,%d,%" PRId64 ",", b->seq_from, b->seq_to,
                b->n, stored, dups, h->ingest_now_ms);
    sql_lit(&h->log, label ? label : "");
    kbuf_str(&h->log, ")");
    return h->log.oom ? kerr_set(err, KERR_INTERNAL, "ingest: out of memory") : 0;
}

int khub_pg_ingest_batch(khub_pg *h, const khub_source *src, const char *token_hash,
                         const ksync_batch *b, khub_result *res, kerr *err)
{
    if (!h->in_ingest)
        return kerr_set(err, KERR_INTERNAL, "ingest: no transaction open");
    int stored = 0, dups = 0, rc = 0;
    unsigned char *held = calloc((size_t)(b->n > 0 ? b->n : 1), 1);
    if (!held)
        return kerr_set(err, KERR_INTERNAL, "ingest: out of memory");
    snprintf(res->device_id, sizeof res->device_id, "%s", b->device_id);
    rc = open_batch(h, src, token_hash, b, res, err);
    if (rc == 0 && b->n > 0)
        rc = store_records(h, b, &stored, &dups, held, err);
    if (rc == 0 && h->delay_ms > 0) {
        /* test hook: hold the transaction open as a slow ingest would */
        int64_t ms = (int64_t)h->delay_ms * b->n;
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (rc == 0)
        rc = cover_held(h, b, held, &res->acked_seq, err);
    if (rc == 0)
        rc = log_batch(h, b, stored, dups, src->label, err);
    free(held);
    res->records += b->n;
    res->stored += stored;
    res->duplicates += dups;
    return rc;
}

int khub_pg_ingest_end(khub_pg *h, int ok, khub_result *res, kerr *err)
{
    int rc = 0;
    if (!h->in_ingest)
        return ok ? kerr_set(err, KERR_INTERNAL, "ingest: no transaction open") : 0;
    h->in_ingest = 0;
    if (ok && h->begun) {
        kbuf q = {0};
        if (h->log.len) {
            kbuf_str(&q, "INSERT INTO batch_log(batch_id, device_id, seq_from, seq_to, records, stored,"
                     " duplicates, received_ms, source) VALUES ");
            kbuf_add(&q, h->log.p, h->log.len);
            kbuf_str(&q, ";");
        }
        kbuf_str(&q, "COMMIT");
        rc = q.oom ? kerr_set(err, KERR_INTERNAL, "ingest: out of memory")
                   : exec(h, "insert batch_log and commit", q.p, err);
        kbuf_free(&q);
        /* a failed INSERT skips the COMMIT: the transaction is still open */
        if (rc == 0 && PQtransactionStatus(h->conn) != PQTRANS_IDLE)
            rc = kerr_set(err, KERR_IO, "commit ingest: PostgreSQL %s: not committed", h->where);
    }
    kbuf_reset(&h->log);
    if (!ok || rc) {
        rollback(h);
        if (res)
            res->stored = 0;
    }
    return rc;
}

int khub_pg_acked(khub_pg *h, const char *device_id, int64_t *acked, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    const char *pv[] = {device_id};
    PGresult *res = NULL;
    rc = run(h, "read acked", "SELECT coalesce(max(hi), 0) FROM coverage WHERE device_id = $1"
             " AND lo <= 1", 1, pv, &res, err);
    if (rc)
        return rc;
    *acked = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* ---- read-only queries ------------------------------------------------------------- */

int khub_pg_query(khub_pg *h, const char *sql, int nparams, const char *const *params,
                  khub_pg_rows **out, kerr *err)
{
    *out = NULL;
    int rc = ensure_conn(h, err);
    if (rc)
        return rc;
    khub_pg_rows *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KERR_INTERNAL, "query: out of memory");
    rc = run(h, "query", sql, nparams, params, &r->res, err);
    if (rc) {
        free(r);
        return rc;
    }
    r->row = -1;
    r->nrows = PQntuples(r->res);
    *out = r;
    return 0;
}

int khub_pg_rows_next(khub_pg_rows *r)
{
    return ++r->row < r->nrows;
}

const char *khub_pg_rows_text(const khub_pg_rows *r, int col)
{
    if (r->row < 0 || r->row >= r->nrows || col >= PQnfields(r->res) ||
        PQgetisnull(r->res, r->row, col))
        return NULL;
    return PQgetvalue(r->res, r->row, col);
}

void khub_pg_rows_free(khub_pg_rows *r)
{
    if (!r)
        return;
    PQclear(r->res);
    free(r);
}

/* ---- kiosk-hub copy ---------------------------------------------------------------- */

/* Appends one COPY text field: \N for NULL, else the text with backslash,
 * tab, newline and carriage return escaped. */
static void copy_field(kbuf *out, const char *s, int last)
{
    if (!s) {
        kbuf_str(out, "\\N");
    } else {
        for (const char *p = s; *p; p++) {
            const char *q = p;
            while (*q && *q != '\\' && *q != '\t' && *q != '\n' && *q != '\r')
                q++;
            kbuf_add(out, p, (size_t)(q - p));
            if (!*q)
                break;
            kbuf_str(out, *q == '\\' ? "\\\\" : *q == '\t' ? "\\t" : *q == '\n' ? "\\n" : "\\r");
            p = q;
        }
    }
    kbuf_add(out, last ? "\n" : "\t", 1);
}

/* Streams the rows of a SQLite query into a PostgreSQL table by COPY;
 * *rows gets their number. */
static int copy_rows(khub_pg *h, sqlite3 *src, const char *select, const char *copy,
                     long *rows, kerr *err)
{
    *rows = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(src, select, -1, &st, NULL) != SQLITE_OK)
        return kerr_set(err, KERR_IO, "read the SQLite store: %s", sqlite3_errmsg(src));
    PGresult *res = PQexec(h->conn, copy);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        int rc = pg_fail(h, res, "copy", err);
        PQclear(res);
        sqlite3_finalize(st);
        return rc;
    }
    PQclear(res);
    int ncol = sqlite3_column_count(st), src_rc, rc = 0;
    kbuf line = {0};
    while ((src_rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncol; c++)
            copy_field(&line, (const char *)sqlite3_column_text(st, c), c == ncol - 1);
        (*rows)++;
        if (line.oom) {
            rc = kerr_set(err, KERR_INTERNAL, "copy: out of memory");
            break;
        }
        if (line.len >= 1 << 20) {
            if (PQputCopyData(h->conn, line.p, (int)line.len) != 1) {
                rc = pg_fail(h, NULL, "copy", err);
                break;
            }
            kbuf_reset(&line);
        }
    }
    if (rc == 0 && src_rc != SQLITE_DONE)
        rc = kerr_set(err, KERR_IO, "read the SQLite store: %s", sqlite3_errmsg(src));
    sqlite3_finalize(st);
    if (rc == 0 && line.len && PQputCopyData(h->conn, line.p, (int)line.len) != 1)
        rc = pg_fail(h, NULL, "copy", err);
    kbuf_free(&line);
    if (PQputCopyEnd(h->conn, rc ? "copy abandoned" : NULL) != 1 && rc == 0)
        rc = pg_fail(h, NULL, "copy", err);
    while ((res = PQgetResult(h->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(h, res, "copy", err);
        PQclear(res);
    }
    return rc;
}

/* Runs a statement that changes rows and adds their count to *n. */
static int count_run(khub_pg *h, const char *what, const char *sql, long *n, kerr *err)
{
    PGresult *res = NULL;
    int rc = run(h, what, sql, 0, NULL, &res, err);
    if (rc == 0) {
        *n += atol(PQcmdTuples(res));
        PQclear(res);
    }
    return rc;
}

/* Fails with both names if the copy would give a name two tokens, or a
 * device id two live devices. */
static int copy_conflicts(khub_pg *h, kerr *err)
{
    PGresult *res = NULL;
    int rc = run(h, "check devices",
        "SELECT 'name', c.name, d.name FROM copy_devices c JOIN devices d USING (name)"
        "  WHERE d.token_hash <> c.token_hash"
        " UNION ALL SELECT 'id', c.name, d.name FROM copy_devices c JOIN devices d"
        "  ON d.device_id = c.device_id AND d.name <> c.name"
        "  AND d.revoked_ms IS NULL AND c.revoked_ms IS NULL"
        " UNION ALL SELECT 'id', c.name, o.name FROM copy_devices c JOIN copy_devices o"
        "  ON o.device_id = c.device_id AND o.name > c.name"
        "  AND o.revoked_ms IS NULL AND c.revoked_ms IS NULL"
        " LIMIT 1", 0, NULL, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1) {
        if (strcmp(PQgetvalue(res, 0, 0), "name") == 0)
            rc = kerr_set(err, KERR_DUP, "device %s: PostgreSQL %s already has a device of that name "
                          "with another token; rename or revoke one of them, nothing was copied",
                          PQgetvalue(res, 0, 1), h->where);
        else
            rc = kerr_set(err, KERR_DUP, "devices %s and %s both hold one device id and neither is "
                          "revoked; revoke the one that is not that kiosk (kiosk-hub device revoke "
                          "NAME), nothing was copied", PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return rc;
}

/* The roster's lock (hub_roster.c, KHUB_ROSTER_LOCK): its seqs are given
 * out under it, so a copy's rows never interleave with a hub's. */
#define PG_ROSTER_LOCK "1802007906"

/* A forgotten person's fields at the hub (hub_roster.c, ERASED). */
#define PG_ERASED "'{\"given\":\"\",\"family\":\"\",\"phone\":\"\",\"email\":\"\",\"zip\":\"\"," \
    "\"forgotten\":true}'"

/* The roster's tables and the staff accounts (issue 12), after the
 * records: what kiosks download keeps its seqs and the store's roster_id,
 * so a kiosk's cursor goes on against the copy as if nothing happened --
 * unless the database already gave kiosks a roster of its own (another
 * roster_id and changes): then the copy's changes join that roster under
 * new seqs, and kiosks of the SQLite hub, seeing another roster_id, start
 * their download again from 0 (PROTOCOL.md 12).  Every step adds only
 * what is missing, so a second copy adds nothing.  n[0..5]: roster
 * changes, person ids, match keys, staff accounts, sessions, log-in
 * failure rows. */
static int copy_roster_and_users(khub_pg *h, sqlite3 *src, long n[6], kerr *err)
{
    long seen;
    int rc = exec(h, "copy",
                  "CREATE TEMP TABLE copy_roster (LIKE roster) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_people_ids (LIKE people_ids) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_person_keys (LIKE person_keys) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_hub_meta (LIKE hub_meta) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_web_users (LIKE web_users) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_web_sessions (LIKE web_sessions) ON COMMIT DROP;"
                  "CREATE TEMP TABLE copy_web_login_failures (LIKE web_login_failures) ON COMMIT DROP;"
                  "SELECT pg_advisory_xact_lock(" PG_ROSTER_LOCK ")", err);
    static const char *const pairs[][2] = {
        {"SELECT seq, key, kind, body FROM roster", "COPY copy_roster(seq, key, kind, body) FROM STDIN"},
        {"SELECT id, device_id, alias_of, forgotten_ms FROM people_ids",
         "COPY copy_people_ids(id, device_id, alias_of, forgotten_ms) FROM STDIN"},
        {"SELECT key, id FROM person_keys", "COPY copy_person_keys(key, id) FROM STDIN"},
        {"SELECT key, value FROM hub_meta WHERE key = 'roster_id'",
         "COPY copy_hub_meta(key, value) FROM STDIN"},
        {"SELECT name, pw_hash, created_ms FROM web_users",
         "COPY copy_web_users(name, pw_hash, created_ms) FROM STDIN"},
        {"SELECT id_hash, user_name, csrf, created_ms, expires_ms FROM web_sessions",
         "COPY copy_web_sessions(id_hash, user_name, csrf, created_ms, expires_ms) FROM STDIN"},
        {"SELECT name, failures, last_ms FROM web_login_failures",
         "COPY copy_web_login_failures(name, failures, last_ms) FROM STDIN"},
    };
    for (size_t i = 0; rc == 0 && i < sizeof pairs / sizeof pairs[0]; i++)
        rc = copy_rows(h, src, pairs[i][0], pairs[i][1], &seen, err);
    /* the roster: the copy's own seqs when this database's roster is its
     * (same roster_id) or empty, else new seqs on top */
    PGresult *res = NULL;
    int same = 0;
    if (rc == 0 && (rc = run(h, "copy roster",
                            "SELECT (SELECT value FROM hub_meta WHERE key = 'roster_id')"
                            "  IS NOT DISTINCT FROM (SELECT value FROM copy_hub_meta)"
                            " OR NOT EXISTS (SELECT 1 FROM roster)", 0, NULL, &res, err)) == 0) {
        same = *PQgetvalue(res, 0, 0) == 't';
        PQclear(res);
    }
    if (rc == 0 && same)
        rc = count_run(h, "copy roster", "INSERT INTO roster SELECT * FROM copy_roster"
                       " ON CONFLICT DO NOTHING", &n[0], err);
    if (rc == 0 && same)
        rc = exec(h, "copy roster id",
                  "INSERT INTO hub_meta SELECT * FROM copy_hub_meta"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value", err);
    if (rc == 0 && !same)
        rc = count_run(h, "copy roster",
            "INSERT INTO roster(seq, key, kind, body)"
            " SELECT (SELECT coalesce(max(seq), 0) FROM roster) + row_number() OVER (ORDER BY c.seq),"
            "  c.key, c.kind, c.body FROM copy_roster c"
            " WHERE NOT EXISTS (SELECT 1 FROM roster r WHERE r.key = c.key)", &n[0], err);
    /* people: a merge or a forget made at either store stays made */
    if (rc == 0)
        rc = count_run(h, "copy people",
            "INSERT INTO people_ids SELECT * FROM copy_people_ids"
            " ON CONFLICT (id) DO UPDATE SET"
            "  alias_of = coalesce(people_ids.alias_of, excluded.alias_of),"
            "  forgotten_ms = coalesce(people_ids.forgotten_ms, excluded.forgotten_ms)"
            " WHERE (people_ids.alias_of IS NULL AND excluded.alias_of IS NOT NULL)"
            "  OR (people_ids.forgotten_ms IS NULL AND excluded.forgotten_ms IS NOT NULL)",
            &n[1], err);
    if (rc == 0)
        rc = count_run(h, "copy people",
            "INSERT INTO person_keys SELECT c.* FROM copy_person_keys c"
            " WHERE NOT EXISTS (SELECT 1 FROM people_ids p WHERE p.id = c.id"
            "  AND p.forgotten_ms IS NOT NULL)"
            " ON CONFLICT DO NOTHING", &n[2], err);
    if (rc == 0)
        rc = exec(h, "copy people",
            "DELETE FROM person_keys WHERE id IN"
            " (SELECT id FROM people_ids WHERE forgotten_ms IS NOT NULL);"
            "UPDATE records SET fields = " PG_ERASED " WHERE tbl = 'people' AND fields <> " PG_ERASED
            " AND id IN (SELECT id FROM people_ids WHERE forgotten_ms IS NOT NULL)", err);
    /* staff: an account already there keeps its password */
    if (rc == 0)
        rc = count_run(h, "copy staff accounts", "INSERT INTO web_users SELECT * FROM copy_web_users"
                       " ON CONFLICT (name) DO NOTHING", &n[3], err);
    if (rc == 0)
        rc = count_run(h, "copy staff sessions", "INSERT INTO web_sessions SELECT * FROM copy_web_sessions"
                       " ON CONFLICT (id_hash) DO NOTHING", &n[4], err);
    if (rc == 0)
        rc = count_run(h, "copy staff log-in failures",
                       "INSERT INTO web_login_failures SELECT * FROM copy_web_login_failures"
                       " ON CONFLICT (name) DO NOTHING", &n[5], err);
    return rc;
}

int khub_pg_copy_from_sqlite(khub_pg *h, sqlite3 *src, FILE *report, kerr *err)
{
    int rc = ensure_conn(h, err);
    if (rc || (rc = exec(h, "begin copy", "BEGIN", err)))
        return rc;
    long n_dev = 0, n_rec = 0, n_boot = 0, n_log = 0, n_upd = 0, seen_rec = 0, seen;
    rc = exec(h, "copy",
              "CREATE TEMP TABLE copy_devices (LIKE devices) ON COMMIT DROP;"
              "CREATE TEMP TABLE copy_records (LIKE records) ON COMMIT DROP;"
              "CREATE TEMP TABLE copy_boots (LIKE boots) ON COMMIT DROP;"
              "CREATE TEMP TABLE copy_batch_log (LIKE batch_log) ON COMMIT DROP", err);
    if (rc == 0)
        rc = copy_rows(h, src, "SELECT name, token_hash, device_id, created_ms, revoked_ms,"
                       " paired_ms, sign_key FROM devices",
                       "COPY copy_devices(name, token_hash, device_id, created_ms, revoked_ms,"
                       " paired_ms, sign_key) FROM STDIN", &seen, err);
    if (rc == 0)
        rc = copy_rows(h, src, "SELECT device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields,"
                       " corrected_ms, time_source, received_ms, event_id, person_id FROM records",
                       "COPY copy_records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms, fields,"
                       " corrected_ms, time_source, received_ms, event_id, person_id) FROM STDIN",
                       &seen_rec, err);
    if (rc == 0)
        rc = copy_rows(h, src, "SELECT device_id, boot_id, recv_ms, mono_ms FROM boots",
                       "COPY copy_boots(device_id, boot_id, recv_ms, mono_ms) FROM STDIN", &seen, err);
    if (rc == 0)
        rc = copy_rows(h, src, "SELECT batch_id, device_id, seq_from, seq_to, records, stored,"
                       " duplicates, received_ms, source FROM batch_log",
                       "COPY copy_batch_log(batch_id, device_id, seq_from, seq_to, records, stored,"
                       " duplicates, received_ms, source) FROM STDIN", &seen, err);
    /* the devices' locks, as an ingest takes them, in one order */
    if (rc == 0)
        rc = exec(h, "lock devices", "SELECT pg_advisory_xact_lock(hashtextextended('khub:' || d, 0))"
                  " FROM (SELECT DISTINCT device_id AS d FROM copy_records"
                  "  UNION SELECT device_id FROM copy_devices WHERE device_id IS NOT NULL"
                  "  ORDER BY 1) x", err);
    if (rc == 0)
        rc = copy_conflicts(h, err);
    /* a device already copied takes what changed since: its pairing if it
     * had none, its revocation */
    if (rc == 0)
        rc = count_run(h, "copy devices",
            "UPDATE devices d SET device_id = c.device_id, sign_key = c.sign_key,"
            "  paired_ms = c.paired_ms FROM copy_devices c"
            " WHERE d.name = c.name AND d.token_hash = c.token_hash AND d.device_id IS NULL"
            "  AND c.device_id IS NOT NULL", &n_upd, err);
    if (rc == 0)
        rc = count_run(h, "copy devices",
            "UPDATE devices d SET revoked_ms = c.revoked_ms FROM copy_devices c"
            " WHERE d.name = c.name AND d.token_hash = c.token_hash AND d.revoked_ms IS NULL"
            "  AND c.revoked_ms IS NOT NULL", &n_upd, err);
    if (rc == 0)
        rc = count_run(h, "copy devices", "INSERT INTO devices SELECT * FROM copy_devices"
                       " ON CONFLICT (name) DO NOTHING", &n_dev, err);
    if (rc == 0)
        rc = count_run(h, "copy records", "INSERT INTO records SELECT * FROM copy_records"
                       " ON CONFLICT (device_id, id) DO NOTHING", &n_rec, err);
    if (rc == 0)
        rc = count_run(h, "copy boot anchors", "INSERT INTO boots SELECT * FROM copy_boots"
                       " ON CONFLICT (device_id, boot_id) DO NOTHING", &n_boot, err);
    if (rc == 0)
        rc = count_run(h, "copy batch log",
            "INSERT INTO batch_log SELECT * FROM (SELECT DISTINCT * FROM copy_batch_log) c"
            " WHERE NOT EXISTS (SELECT 1 FROM batch_log l WHERE l.batch_id = c.batch_id"
            "  AND l.device_id = c.device_id AND l.seq_from = c.seq_from AND l.seq_to = c.seq_to"
            "  AND l.records = c.records AND l.stored = c.stored AND l.duplicates = c.duplicates"
            "  AND l.received_ms = c.received_ms AND l.source = c.source)", &n_log, err);
    /* coverage of the devices copied, from the records now held (I2) */
    long n_cov = 0;
    if (rc == 0)
        rc = count_run(h, "rebuild coverage",
            "DELETE FROM coverage WHERE device_id IN (SELECT DISTINCT device_id FROM copy_records)",
            &n_cov, err);
    if (rc == 0)
        rc = count_run(h, "rebuild coverage",
            "INSERT INTO coverage(device_id, lo, hi)"
            " SELECT device_id, min(seq), max(seq) FROM"
            "  (SELECT device_id, seq, seq - row_number() OVER (PARTITION BY device_id ORDER BY seq)"
            "   AS g FROM (SELECT DISTINCT r.device_id, r.seq FROM records r WHERE r.device_id IN"
            "    (SELECT DISTINCT device_id FROM copy_records)) x) y"
            " GROUP BY device_id, g", &n_cov, err);
    /* and their check-in counts, from the records now held */
    if (rc == 0)
        rc = count_run(h, "count check-ins",
            "DELETE FROM event_checkins WHERE device_id IN (SELECT DISTINCT device_id FROM copy_records)",
            &n_cov, err);
    if (rc == 0)
        rc = count_run(h, "count check-ins",
            "INSERT INTO event_checkins(event_id, device_id, n)"
            " SELECT event_id, device_id, count(*) FROM records WHERE event_id IS NOT NULL"
            "  AND tbl = 'checkins' AND device_id IN (SELECT DISTINCT device_id FROM copy_records)"
            " GROUP BY event_id, device_id", &n_cov, err);
    long n_more[6] = {0};
    if (rc == 0)
        rc = copy_roster_and_users(h, src, n_more, err);
    if (rc == 0)
        rc = exec(h, "commit copy", "COMMIT", err);
    if (rc) {
        rollback(h);
        return rc;
    }
    fprintf(report, "copied to PostgreSQL %s: %ld devices new, %ld updated; %ld of %ld records new; "
            "%ld boot anchors, %ld batch log lines new; %ld roster changes, %ld person ids, %ld match "
            "keys, %ld staff accounts, %ld sessions, %ld log-in failure rows new\n", h->where, n_dev,
            n_upd, n_rec, seen_rec, n_boot, n_log, n_more[0], n_more[1], n_more[2], n_more[3],
            n_more[4], n_more[5]);
    return 0;
}
