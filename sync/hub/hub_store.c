/*
 * hub_store.c - one store interface, two backends (see hub_store.h): the
 * --store text picks SQLite (a path, hub_store_sqlite.c) or PostgreSQL (a
 * connection URI, hub_store_pg.c).  Everything above this file -- the HTTP
 * server, import, export, the device commands -- is the same code for both.
 *
 * Here too: the token (made and hashed once, for both backends), the
 * device name rule, and the export's read-only queries in both dialects.
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub_roster.h"
#include "hub_store_sqlite.h"
#include "utf8.h"
#ifdef KHUB_WITH_PG
#include "hub_store_pg.h"
#endif

struct khub {
    khub_sqlite *lite;
#ifdef KHUB_WITH_PG
    khub_pg *pg;
#endif
};

struct khub_rows {
    sqlite3_stmt *st;       /* SQLite */
#ifdef KHUB_WITH_PG
    khub_pg_rows *pg;       /* PostgreSQL */
#endif
    sqlite3 *db;
};

#ifdef KHUB_WITH_PG
#define PG(h) ((h)->pg)
#else
#define PG(h) ((void *)0)
#endif

/* Reads CLOCK_REALTIME in ms. */
int64_t khub_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if the text names a PostgreSQL database. */
static int is_pg_uri(const char *store)
{
    return store && (strncmp(store, "postgresql://", 13) == 0 || strncmp(store, "postgres://", 11) == 0);
}

int khub_open(khub **out, const char *path, kerr *err)
{
    *out = NULL;
    khub *h = calloc(1, sizeof *h);
    if (!h)
        return kerr_set(err, KERR_INTERNAL, "calloc: out of memory");
    int rc;
    if (is_pg_uri(path)) {
#ifdef KHUB_WITH_PG
        rc = khub_pg_open(&h->pg, path, err);
#else
        rc = kerr_set(err, KERR_INVALID, "--store %.40s...: this kiosk-hub was built without "
                      "PostgreSQL (libpq-dev missing at build time)", path);
#endif
    } else {
        rc = khub_sqlite_open(&h->lite, path, err);
    }
    if (rc) {
        free(h);
        return rc;
    }
    rc = khub_roster_backfill(h, err);
    if (rc) {
        khub_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

void khub_close(khub *h)
{
    if (!h)
        return;
#ifdef KHUB_WITH_PG
    khub_pg_close(h->pg);
#endif
    khub_sqlite_close(h->lite);
    free(h);
}

int khub_is_pg(const khub *h)
{
    return PG(h) != NULL;
}

struct sqlite3 *khub_db(khub *h)
{
    return h->lite ? khub_sqlite_db(h->lite) : NULL;
}

int khub_limit_pages(khub *h, long pages, kerr *err)
{
    if (!h->lite)
        return kerr_set(err, KERR_INVALID, "--test-max-pages: only for an SQLite store");
    return khub_sqlite_limit_pages(h->lite, pages, err);
}

void khub_set_ingest_delay(khub *h, int ms)
{
#ifdef KHUB_WITH_PG
    if (h->pg) {
        khub_pg_set_ingest_delay(h->pg, ms);
        return;
    }
#endif
    khub_sqlite_set_ingest_delay(h->lite, ms);
}

/* BLAKE2b-256 of the token text as 64 hex digits: what both stores keep
 * (PROTOCOL.md: a fast hash suffices, tokens carry 256 random bits). */
void khub_token_hash(const char *token, char hex[65])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

/* ---- a member of a record's fields ------------------------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Past the JSON string that starts at p (on its opening quote); NULL if it
 * does not end. */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && !*++p)
            return NULL;
    return *p == '"' ? p + 1 : NULL;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

/* The decoded text of the JSON string [p, end) (p after the opening quote,
 * end on the closing one), malloc'd; NULL on a bad escape. */
static char *decode_string(const char *p, const char *end)
{
    char *out = malloc((size_t)(end - p) + 1), *o = out;
    if (!out)
        return NULL;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case '"': case '\\': case '/': *o++ = c; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned u, lo;
            if (end - p < 4 || hex4(p, &u) != 0)
                goto bad;
            p += 4;
            if (u >= 0xD800 && u < 0xDC00) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    goto bad;
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                goto bad;
            }
            /* UTF-8 of u: at most 4 bytes, never longer than the 6 or 12 read */
            if (u < 0x80) {
                *o++ = (char)u;
            } else if (u < 0x800) {
                *o++ = (char)(0xC0 | (u >> 6));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                *o++ = (char)(0xE0 | (u >> 12));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (u >> 18));
                *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default:
            goto bad;
        }
    }
    *o = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

char *khub_field_text(const char *fields, const char *key)
{
    if (!fields)
        return NULL;
    size_t klen = strlen(key);
    const char *p = skip_ws(fields);
    if (*p++ != '{')
        return NULL;
    for (;;) {
        p = skip_ws(p);
        if (*p != '"')
            return NULL;                    /* '}' (end) or not an object we know */
        const char *name = p + 1, *after = skip_string(p);
        if (!after)
            return NULL;
        /* member names are [a-z0-9_] (batch.c), never escaped */
        int match = (size_t)(after - 1 - name) == klen && memcmp(name, key, klen) == 0;
        p = skip_ws(after);
        if (*p++ != ':')
            return NULL;
        p = skip_ws(p);
        if (*p == '"') {
            const char *vend = skip_string(p);
            if (!vend)
                return NULL;
            if (match)
                return decode_string(p + 1, vend - 1);
            p = vend;
        } else {
            if (match)
                return NULL;                /* a number, true, false or null */
            while (*p && *p != ',' && *p != '}')
                p++;
        }
        p = skip_ws(p);
        if (*p != ',')
            return NULL;
        p++;
    }
}

#ifdef KHUB_WITH_PG
/* 1 if name is a usable device name: 1..64 bytes of valid UTF-8, no
 * control characters (the SQLite store checks the same rule itself). */
static int device_name_ok(const char *name)
{
    return kutf8_printable(name, KHUB_DEVICE_NAME_MAX);
}
#endif

int khub_device_add_bound(khub *h, const char *name, const char *device_id,
                          const unsigned char *sign_pk, char token_out[KHUB_TOKEN_LEN + 1], kerr *err)
{
    if (device_id && strcmp(device_id, KHUB_HUB_DEVICE_ID) == 0)
        return kerr_set(err, KERR_INVALID, "--device-id %s is the hub's own id: no kiosk may use it",
                        device_id);
#ifdef KHUB_WITH_PG
    if (h->pg) {
        token_out[0] = '\0';
        if (!device_name_ok(name))
            return kerr_set(err, KERR_INVALID, "device name: 1-%d characters of UTF-8 text, no "
                            "control characters", KHUB_DEVICE_NAME_MAX);
        if (device_id && !ksync_is_id(device_id))
            return kerr_set(err, KERR_INVALID, "--device-id %s: expected 32 lower-case hex digits",
                            device_id);
        char token[KHUB_TOKEN_LEN + 1], hash[65], pk[65] = "";
        unsigned char raw[32];
        randombytes_buf(raw, sizeof raw);
        memcpy(token, "khub_", 5);
        sodium_bin2hex(token + 5, 65, raw, sizeof raw);
        sodium_memzero(raw, sizeof raw);
        khub_token_hash(token, hash);
        if (sign_pk)
            sodium_bin2hex(pk, sizeof pk, sign_pk, 32);
        int rc = khub_pg_device_add(h->pg, name, hash, device_id, sign_pk ? pk : NULL, err);
        if (rc == 0)
            memcpy(token_out, token, sizeof token);
        sodium_memzero(token, sizeof token);
        return rc;
    }
#endif
    return khub_sqlite_device_add_bound(h->lite, name, device_id, sign_pk, token_out, err);
}

int khub_device_add(khub *h, const char *name, char token_out[KHUB_TOKEN_LEN + 1], kerr *err)
{
    return khub_device_add_bound(h, name, NULL, NULL, token_out, err);
}

int khub_device_revoke(khub *h, const char *name, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_device_revoke(h->pg, name, err);
#endif
    return khub_sqlite_device_revoke(h->lite, name, err);
}

int khub_device_list(khub *h, FILE *out, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_device_list(h->pg, out, err);
#endif
    return khub_sqlite_device_list(h->lite, out, err);
}

int khub_auth(khub *h, const char *token, char name[KHUB_DEVICE_NAME_MAX + 1], char device_id[33],
              kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg) {
        char hash[65];
        khub_token_hash(token, hash);
        return khub_pg_auth(h->pg, hash, name, device_id, err);
    }
#endif
    return khub_sqlite_auth(h->lite, token, name, device_id, err);
}

int khub_pair(khub *h, const char *token, const char *device_id, const unsigned char sign_pk[32],
              char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    if (device_id && strcmp(device_id, KHUB_HUB_DEVICE_ID) == 0)
        return kerr_set(err, KERR_INVALID, "device_id %s is the hub's own id: no kiosk may use it",
                        device_id);
#ifdef KHUB_WITH_PG
    if (h->pg) {
        char hash[65], pk[65];
        khub_token_hash(token, hash);
        sodium_bin2hex(pk, sizeof pk, sign_pk, 32);
        return khub_pg_pair(h->pg, hash, device_id, pk, name, err);
    }
#endif
    return khub_sqlite_pair(h->lite, token, device_id, sign_pk, name, err);
}

int khub_bundle_keys(khub *h, const char *device_id, unsigned char keys[][32], int max, int *n,
                     char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_bundle_keys(h->pg, device_id, keys, max, n, name, err);
#endif
    return khub_sqlite_bundle_keys(h->lite, device_id, keys, max, n, name, err);
}

int khub_ingest_begin(khub *h, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_ingest_begin(h->pg, err);
#endif
    return khub_sqlite_ingest_begin(h->lite, err);
}

/* The backend's part of storing one batch. */
static int ingest_batch(khub *h, const khub_source *src, const ksync_batch *b, khub_result *res,
                        kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg) {
        char hash[65];
        if (src->token)
            khub_token_hash(src->token, hash);
        return khub_pg_ingest_batch(h->pg, src, src->token ? hash : NULL, b, res, err);
    }
#endif
    return khub_sqlite_ingest_batch(h->lite, src, b, res, err);
}

/* Stores one batch, then (same transaction) enters the people it brought
 * into the roster (hub_roster.c). */
int khub_ingest_batch(khub *h, const khub_source *src, const ksync_batch *b, khub_result *res,
                      kerr *err)
{
    int rc = ingest_batch(h, src, b, res, err);
    return rc ? rc : khub_roster_note_batch(h, b, err);
}

int khub_ingest_end(khub *h, int ok, khub_result *res, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_ingest_end(h->pg, ok, res, err);
#endif
    return khub_sqlite_ingest_end(h->lite, ok, res, err);
}

int khub_ingest(khub *h, const khub_source *src, const ksync_batch *batches, int nb,
                khub_result *res, kerr *err)
{
    memset(res, 0, sizeof *res);
    int rc = khub_ingest_begin(h, err);
    if (rc)
        return rc;
    for (int i = 0; i < nb && rc == 0; i++)
        rc = khub_ingest_batch(h, src, &batches[i], res, err);
    int e = khub_ingest_end(h, rc == 0, res, rc ? NULL : err);
    return rc ? rc : e;
}

int khub_acked(khub *h, const char *device_id, int64_t *acked, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (h->pg)
        return khub_pg_acked(h->pg, device_id, acked, err);
#endif
    return khub_sqlite_acked(h->lite, device_id, acked, err);
}

/* ---- the export's queries, in both dialects --------------------------------------- */

/* The check-ins and answers of an event are found by the event_id column
 * (index records_event) and their people by person_id, so an export reads
 * that event's rows only; `events` reads the event records and the counts
 * kept per event (event_checkins), never the check-ins (schema 5).  The
 * JSON is read only for what is shown of the rows found.  SQLite reads the
 * event records from records_events, which holds them whole.  A person_id that
 * is not a string (a broken kiosk) is shown as its JSON text, as before. */
#define PERSON_CASE(r, JP) \
    "CASE WHEN p.id IS NOT NULL AND (o.device_id IS NULL OR o.device_id <> " r ".device_id)" \
    "   THEN " r ".device_id || ':' || p.id" \
    "  WHEN t.id IS NOT NULL THEN t.device_id || ':' || t.id" \
    "  WHEN o.id IS NOT NULL THEN o.device_id || ':' || o.id" \
    "  ELSE " r ".device_id || ':' || coalesce(" r ".person_id, " JP ") END"

/* SQLite: json_extract over the fields text. */
static const char *const lite_sql[] = {
    [KHUB_Q_EVENT_PREFIX] =
        "SELECT id, coalesce(json_extract(fields, '$.name'), ''),"
        " coalesce(json_extract(fields, '$.date'), ''),"
        " coalesce(json_extract(fields, '$.program'), '') FROM records INDEXED BY records_events"
        " WHERE tbl = 'events' AND substr(id, 1, length(?1)) = ?1 LIMIT 2",
    [KHUB_Q_EVENTS_ON_DATE] =
        "SELECT id, coalesce(json_extract(fields, '$.name'), '') FROM records INDEXED BY records_events"
        " WHERE tbl = 'events' AND coalesce(json_extract(fields, '$.date'), '') = ?1",
    /* the person of a check-in: the check-in's own device's record, else
     * the roster's copy (a roster person checked in at another kiosk);
     * an id merged into another (people_ids.alias_of) counts as that one */
    [KHUB_Q_CHECKINS] =
        "SELECT " PERSON_CASE("c", "json_extract(c.fields, '$.person_id')") ", c.corrected_ms,"
        " coalesce(json_extract(c.fields, '$.is_new'), 0) <> 0,"
        " json_extract(coalesce(p.fields, q.fields), '$.given'),"
        " json_extract(coalesce(p.fields, q.fields), '$.family'),"
        " json_extract(coalesce(p.fields, q.fields), '$.phone'),"
        " json_extract(coalesce(p.fields, q.fields), '$.email'),"
        " json_extract(coalesce(p.fields, q.fields), '$.zip')"
        " FROM records c LEFT JOIN records p"
        "   ON p.device_id = c.device_id AND p.id = c.person_id AND p.tbl = 'people'"
        " LEFT JOIN people_ids o ON o.id = c.person_id"
        " LEFT JOIN people_ids t ON t.id = o.alias_of"
        " LEFT JOIN records q ON p.id IS NULL AND q.device_id = o.device_id AND q.id = o.id"
        "   AND q.tbl = 'people'"
        " WHERE c.event_id = ?1 AND c.tbl = 'checkins'",
    /* the answer's person as KHUB_Q_CHECKINS finds it (aliases too) */
    [KHUB_Q_ANSWERS] =
        "SELECT " PERSON_CASE("a", "json_extract(a.fields, '$.person_id')") ","
        " json_extract(a.fields, '$.survey_key'),"
        " json_extract(a.fields, '$.question_key'), json_extract(a.fields, '$.value'),"
        " a.device_id, a.seq, a.corrected_ms FROM records a"
        " LEFT JOIN records p ON p.device_id = a.device_id"
        "   AND p.id = a.person_id AND p.tbl = 'people'"
        " LEFT JOIN people_ids o ON o.id = a.person_id"
        " LEFT JOIN people_ids t ON t.id = o.alias_of"
        " WHERE a.event_id = ?1 AND a.tbl = 'answers'",
    [KHUB_Q_EVENTS_LIST] =
        "SELECT e.id, coalesce(json_extract(e.fields, '$.date'), ''),"
        " coalesce(json_extract(e.fields, '$.name'), ''),"
        " CASE WHEN e.device_id = '" KHUB_HUB_DEVICE_ID "' THEN 'hub' ELSE coalesce(d.name, e.device_id) END,"
        " (SELECT coalesce(sum(n), 0) FROM event_checkins c WHERE c.event_id = e.id)"
        " FROM records e INDEXED BY records_events LEFT JOIN devices d ON d.device_id = e.device_id"
        " WHERE e.tbl = 'events' ORDER BY 2 DESC, 3",
};

#ifdef KHUB_WITH_PG
/* PostgreSQL: the fields text read as jsonb.  ->> gives a JSON string's
 * text and a number's digits, as json_extract does; is_new may be true or 1. */
#define J(rel, key) "((" rel "fields)::jsonb ->> '" key "')"
static const char *const pg_sql[] = {
    [KHUB_Q_EVENT_PREFIX] =
        "SELECT id, coalesce(" J("", "name") ", ''), coalesce(" J("", "date") ", ''),"
        " coalesce(" J("", "program") ", '') FROM records"
        " WHERE tbl = 'events' AND left(id, length($1)) = $1 LIMIT 2",
    [KHUB_Q_EVENTS_ON_DATE] =
        "SELECT id, coalesce(" J("", "name") ", '') FROM records"
        " WHERE tbl = 'events' AND coalesce(" J("", "date") ", '') = $1",
    [KHUB_Q_CHECKINS] =
        "SELECT " PERSON_CASE("c", J("c.", "person_id")) ", c.corrected_ms,"
        " CASE WHEN " J("c.", "is_new") " IN ('true', '1') THEN 1 ELSE 0 END,"
        " coalesce(p.fields, q.fields)::jsonb ->> 'given',"
        " coalesce(p.fields, q.fields)::jsonb ->> 'family',"
        " coalesce(p.fields, q.fields)::jsonb ->> 'phone',"
        " coalesce(p.fields, q.fields)::jsonb ->> 'email',"
        " coalesce(p.fields, q.fields)::jsonb ->> 'zip'"
        " FROM records c LEFT JOIN records p"
        "   ON p.device_id = c.device_id AND p.id = c.person_id AND p.tbl = 'people'"
        " LEFT JOIN people_ids o ON o.id = c.person_id"
        " LEFT JOIN people_ids t ON t.id = o.alias_of"
        " LEFT JOIN records q ON p.id IS NULL AND q.device_id = o.device_id AND q.id = o.id"
        "   AND q.tbl = 'people'"
        " WHERE c.event_id = $1 AND c.tbl = 'checkins'",
    [KHUB_Q_ANSWERS] =
        "SELECT " PERSON_CASE("a", J("a.", "person_id")) ","
        " " J("a.", "survey_key") ", " J("a.", "question_key") ", " J("a.", "value") ","
        " a.device_id, a.seq, a.corrected_ms FROM records a"
        " LEFT JOIN records p ON p.device_id = a.device_id AND p.id = a.person_id"
        "   AND p.tbl = 'people'"
        " LEFT JOIN people_ids o ON o.id = a.person_id"
        " LEFT JOIN people_ids t ON t.id = o.alias_of"
        " WHERE a.event_id = $1 AND a.tbl = 'answers'",
    [KHUB_Q_EVENTS_LIST] =
        "SELECT e.id, coalesce(" J("e.", "date") ", ''), coalesce(" J("e.", "name") ", ''),"
        " CASE WHEN e.device_id = '" KHUB_HUB_DEVICE_ID "' THEN 'hub' ELSE coalesce(d.name, e.device_id) END,"
        " (SELECT coalesce(sum(n), 0) FROM event_checkins c WHERE c.event_id = e.id)"
        " FROM records e LEFT JOIN devices d ON d.device_id = e.device_id"
        " WHERE e.tbl = 'events'"
        " ORDER BY coalesce(" J("e.", "date") ", '') COLLATE \"C\" DESC,"
        "  coalesce(" J("e.", "name") ", '') COLLATE \"C\"",
};
#undef J
#endif
#undef PERSON_CASE

int khub_query(khub *h, khub_query_id q, const char *const *params, int nparams, khub_rows **out,
               kerr *err)
{
    *out = NULL;
    if ((int)q < 0 || (size_t)q >= sizeof lite_sql / sizeof lite_sql[0])
        return kerr_set(err, KERR_INTERNAL, "khub_query: no query %d", (int)q);
    khub_rows *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KERR_INTERNAL, "query: out of memory");
#ifdef KHUB_WITH_PG
    if (h->pg) {
        int rc = khub_pg_query(h->pg, pg_sql[q], nparams, params, &r->pg, err);
        if (rc) {
            free(r);
            return rc;
        }
        *out = r;
        return 0;
    }
#endif
    r->db = khub_sqlite_db(h->lite);
    if (sqlite3_prepare_v2(r->db, lite_sql[q], -1, &r->st, NULL) != SQLITE_OK) {
        int rc = kerr_set(err, KERR_IO, "query: %s", sqlite3_errmsg(r->db));
        free(r);
        return rc;
    }
    for (int i = 0; i < nparams; i++)
        sqlite3_bind_text(r->st, i + 1, params[i], -1, SQLITE_TRANSIENT);
    *out = r;
    return 0;
}

int khub_rows_next(khub_rows *r, kerr *err)
{
#ifdef KHUB_WITH_PG
    if (r->pg)
        return khub_pg_rows_next(r->pg);
#endif
    int rc = sqlite3_step(r->st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return kerr_set(err, KERR_IO, "query: %s", sqlite3_errmsg(r->db));
}

const char *khub_rows_text(khub_rows *r, int col)
{
#ifdef KHUB_WITH_PG
    if (r->pg)
        return khub_pg_rows_text(r->pg, col);
#endif
    return (const char *)sqlite3_column_text(r->st, col);
}

int64_t khub_rows_int(khub_rows *r, int col)
{
#ifdef KHUB_WITH_PG
    if (r->pg) {
        const char *t = khub_pg_rows_text(r->pg, col);
        return t ? strtoll(t, NULL, 10) : 0;
    }
#endif
    return sqlite3_column_int64(r->st, col);
}

void khub_rows_free(khub_rows *r)
{
    if (!r)
        return;
#ifdef KHUB_WITH_PG
    khub_pg_rows_free(r->pg);
#endif
    sqlite3_finalize(r->st);
    free(r);
}

int khub_copy(khub *dst, khub *src, FILE *report, kerr *err)
{
    if (!src->lite)
        return kerr_set(err, KERR_INVALID, "--from: expected an SQLite hub store (a file), not a "
                        "database URI");
#ifdef KHUB_WITH_PG
    if (dst->pg)
        return khub_pg_copy_from_sqlite(dst->pg, khub_sqlite_db(src->lite), report, err);
#endif
    (void)report;
    return kerr_set(err, KERR_INVALID, "--to: expected a PostgreSQL connection URI "
                    "(postgresql://USER@HOST/DB)");
}

/* ---- one statement in either dialect (hub_roster.c and tests) ----------------------- */

/* Maps a failed SQLite call to a kerr code (as hub_store_sqlite.c does). */
static int lite_fail(sqlite3 *db, int rc, kerr *err)
{
    int prim = rc & 0xff, code = KERR_IO;
    if (prim == SQLITE_FULL)
        code = KERR_FULL;
    else if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        code = KHUB_BUSY;
    else if (prim == SQLITE_NOMEM)
        code = KERR_INTERNAL;
    else if (prim == SQLITE_CONSTRAINT)
        code = KERR_DUP;
    return kerr_set(err, code, "hub store: %s", sqlite3_errmsg(db));
}

int khub_sql(khub *h, const char *lite, const char *pg, const char *const *params, int nparams,
             khub_rows **out, kerr *err)
{
    if (out)
        *out = NULL;
    khub_rows *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KERR_INTERNAL, "query: out of memory");
#ifdef KHUB_WITH_PG
    if (h->pg) {
        int rc = khub_pg_query(h->pg, pg, nparams, params, &r->pg, err);
        if (rc || !out) {
            khub_pg_rows_free(r->pg);
            free(r);
            return rc;
        }
        *out = r;
        return 0;
    }
#else
    (void)pg;
#endif
    r->db = khub_sqlite_db(h->lite);
    int rc = sqlite3_prepare_v2(r->db, lite, -1, &r->st, NULL);
    if (rc != SQLITE_OK) {
        rc = lite_fail(r->db, rc, err);
        free(r);
        return rc;
    }
    for (int i = 0; i < nparams; i++)
        if (params[i])
            sqlite3_bind_text(r->st, i + 1, params[i], -1, SQLITE_TRANSIENT);
    if (out) {
        *out = r;
        return 0;
    }
    while ((rc = sqlite3_step(r->st)) == SQLITE_ROW)
        ;
    int e = rc == SQLITE_DONE ? 0 : lite_fail(r->db, rc, err);
    khub_rows_free(r);
    return e;
}

int khub_tx(khub *h, char what, kerr *err)
{
    const char *lite = what == 'b' ? "BEGIN IMMEDIATE" : what == 'c' ? "COMMIT" : "ROLLBACK";
    const char *pg = what == 'b' ? "BEGIN" : what == 'c' ? "COMMIT" : "ROLLBACK";
    kerr tmp;
    int rc = khub_sql(h, lite, pg, NULL, 0, NULL, what == 'r' ? &tmp : err);
    return what == 'r' ? 0 : rc;
}
