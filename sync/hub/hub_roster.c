/*
 * hub_roster.c - the roster that travels back to kiosks (PROTOCOL.md 12):
 * people, hub events, hub surveys, aliases and tombstones, and the staff
 * operations that make them (event add, survey add, merge, forget).
 *
 * Written once for both stores: every statement is given in SQLite's and
 * PostgreSQL's dialect to khub_sql (hub_store.c), and transactions are
 * khub_tx.
 *
 * The change log (table roster): one row per thing, keyed "person:ID",
 * "event:ID" or "survey:KEY"; each change moves the row to a new seq above
 * every other, so a kiosk's cursor (the highest seq it applied) is all it
 * needs, and a kiosk away for months gets each thing once, as it is now.
 *
 * Invariant R1 (no change skipped): a kiosk that applied every change up
 * to seq N and asks for seq > N never misses one.  Seqs are taken as
 * max(seq) + k inside the writing transaction; SQLite has one writer at a
 * time, and on PostgreSQL every roster writer first takes the advisory
 * lock KHUB_ROSTER_LOCK for its transaction, so seqs are committed in
 * their order and a reader never sees seq N + 2 before N + 1.
 */
#define _POSIX_C_SOURCE 200809L
#include "hub_roster.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "fold.h"
#include "kbuf.h"
#include "kclock.h"
#include "store.h"
#include "survey.h"
#include "sync_config.h"
#include "utf8.h"

#define KHUB_ROSTER_LOCK "1802007906"   /* pg_advisory_xact_lock key ("khrr") */
#define HUB_ID "'" KHUB_HUB_DEVICE_ID "'"
#define NAME_MAX_S "60"                 /* KIOSK_NAME_MAX */
#define HINT_MAX_S "80"                 /* a ZIP or an event name */

/* ---- statements -------------------------------------------------------------------- */

/* SQLite: a GLOB pattern matching text with a control character. */
#define LITE_CTRL "('*[' || char(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23," \
    "24,25,26,27,28,29,30,31,127) || ']*')"

/* The people records of a range (WHERE part W) entering people_ids: the
 * first device to send an id is its roster copy. */
/* SQLite: "+r.tbl" keeps the planner on records_seq (the batch's range)
 * rather than records_tbl (every record of that table of the device: a
 * scan per person, quadratic in the store). */
#define LITE_IDS(W) \
    "INSERT INTO people_ids(id, device_id) SELECT id, device_id FROM records r" \
    " WHERE " W " +r.tbl = 'people' ORDER BY received_ms, device_id ON CONFLICT(id) DO NOTHING"
#define PG_IDS(W) \
    "INSERT INTO people_ids(id, device_id) SELECT id, device_id FROM records r" \
    " WHERE " W " r.tbl = 'people' ORDER BY received_ms, device_id ON CONFLICT(id) DO NOTHING"

/* Records of forgotten ids that arrive later are erased as they arrive. */
#define ERASED "'{\"given\":\"\",\"family\":\"\",\"phone\":\"\",\"email\":\"\",\"zip\":\"\"," \
    "\"forgotten\":true}'"
#define SQL_SCRUB(W, T) \
    "UPDATE records SET fields = " ERASED " WHERE " W " " T "tbl = 'people'" \
    " AND id IN (SELECT id FROM people_ids WHERE forgotten_ms IS NOT NULL)"

/* New roster persons from the people records of a range: the roster copy
 * of an id not yet in the roster, with names a kiosk can show (text of at
 * most 60 characters, no control characters, not both empty).  The hint is
 * the ZIP, else the event of the check-in that came with the sign-up. */
#define LITE_PERSONS(W) \
    "INSERT INTO roster(seq, key, kind, body)" \
    " SELECT (SELECT coalesce(max(seq), 0) FROM roster) + row_number() OVER (ORDER BY seq)," \
    "  'person:' || id, 'person', json_object('id', id, 'given', given, 'family', family," \
    "  'hint', CASE WHEN hint GLOB " LITE_CTRL " THEN '' ELSE substr(hint, 1, " HINT_MAX_S ") END)" \
    " FROM (SELECT r.id, r.seq," \
    "   CAST(coalesce(json_extract(r.fields, '$.given'), '') AS TEXT) AS given," \
    "   CAST(coalesce(json_extract(r.fields, '$.family'), '') AS TEXT) AS family," \
    "   CAST(coalesce(nullif(json_extract(r.fields, '$.zip'), ''), (SELECT json_extract(e.fields, '$.name')" \
    "     FROM records c INDEXED BY records_seq JOIN records e ON e.tbl = 'events'" \
    "      AND e.id = json_extract(c.fields, '$.event_id') AND e.device_id IN (c.device_id, " HUB_ID ")" \
    "     WHERE c.device_id = r.device_id AND c.seq = r.seq + 1 AND +c.tbl = 'checkins'" \
    "      AND json_extract(c.fields, '$.person_id') = r.id LIMIT 1), '') AS TEXT) AS hint" \
    "  FROM records r JOIN people_ids o ON o.id = r.id AND o.device_id = r.device_id" \
    "  WHERE " W " +r.tbl = 'people' AND o.alias_of IS NULL AND o.forgotten_ms IS NULL" \
    "   AND NOT EXISTS (SELECT 1 FROM roster x WHERE x.key = 'person:' || r.id))" \
    " WHERE length(given) <= " NAME_MAX_S " AND length(family) <= " NAME_MAX_S \
    "  AND given NOT GLOB " LITE_CTRL " AND family NOT GLOB " LITE_CTRL \
    "  AND (given <> '' OR family <> '')"
#define PG_PERSONS(W) \
    "INSERT INTO roster(seq, key, kind, body)" \
    " SELECT (SELECT coalesce(max(seq), 0) FROM roster) + row_number() OVER (ORDER BY seq)," \
    "  'person:' || id, 'person', json_build_object('id', id, 'given', given, 'family', family," \
    "  'hint', CASE WHEN hint ~ '[[:cntrl:]]' THEN '' ELSE left(hint, " HINT_MAX_S ") END)::text" \
    " FROM (SELECT r.id, r.seq," \
    "   coalesce(r.fields::jsonb ->> 'given', '') AS given," \
    "   coalesce(r.fields::jsonb ->> 'family', '') AS family," \
    "   coalesce(nullif(r.fields::jsonb ->> 'zip', ''), (SELECT e.fields::jsonb ->> 'name'" \
    "     FROM records c JOIN records e ON e.tbl = 'events'" \
    "      AND e.id = (c.fields::jsonb ->> 'event_id') AND e.device_id IN (c.device_id, " HUB_ID ")" \
    "     WHERE c.device_id = r.device_id AND c.seq = r.seq + 1 AND c.tbl = 'checkins'" \
    "      AND (c.fields::jsonb ->> 'person_id') = r.id LIMIT 1), '') AS hint" \
    "  FROM records r JOIN people_ids o ON o.id = r.id AND o.device_id = r.device_id" \
    "  WHERE " W " r.tbl = 'people' AND o.alias_of IS NULL AND o.forgotten_ms IS NULL" \
    "   AND NOT EXISTS (SELECT 1 FROM roster x WHERE x.key = 'person:' || r.id)) p" \
    " WHERE length(given) <= " NAME_MAX_S " AND length(family) <= " NAME_MAX_S \
    "  AND given !~ '[[:cntrl:]]' AND family !~ '[[:cntrl:]]' AND (given <> '' OR family <> '')"

#define LITE_RANGE "r.device_id = ?1 AND r.seq BETWEEN ?2 AND ?3 AND"
#define PG_RANGE "r.device_id = $1 AND r.seq BETWEEN $2::bigint AND $3::bigint AND"
#define LITE_RANGE_S "device_id = ?1 AND seq BETWEEN ?2 AND ?3 AND"
#define PG_RANGE_S "device_id = $1 AND seq BETWEEN $2::bigint AND $3::bigint AND"

/* One change: the row of key moves to the next seq with a new kind and body. */
#define LITE_PUT \
    "INSERT INTO roster(seq, key, kind, body)" \
    " SELECT coalesce(max(seq), 0) + 1, ?1, ?2, ?3 FROM roster WHERE true" \
    " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, body = excluded.body"
#define PG_PUT \
    "INSERT INTO roster(seq, key, kind, body)" \
    " SELECT coalesce(max(seq), 0) + 1, $1, $2, $3 FROM roster" \
    " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, body = excluded.body"

/* ---- helpers ------------------------------------------------------------------------- */

/* Takes the roster's write lock for this transaction (PostgreSQL; SQLite's
 * BEGIN IMMEDIATE already made this the only writer). */
static int roster_lock(khub *h, kerr *err)
{
    return khub_sql(h, "SELECT 1", "SELECT pg_advisory_xact_lock(" KHUB_ROSTER_LOCK ")", NULL, 0,
                    NULL, err);
}

/* Puts one change (key, kind, JSON body) at the top of the log. */
static int roster_put(khub *h, const char *key, const char *kind, const char *body, kerr *err)
{
    const char *pv[3] = {key, kind, body};
    return khub_sql(h, LITE_PUT, PG_PUT, pv, 3, NULL, err);
}

/* Reads one text value of a one-row query into out ("" and 0 if no row);
 * returns 1 if a row came, 0 if none, or -code. */
static int one_text(khub *h, const char *lite, const char *pg, const char *const *pv, int np,
                    char *out, size_t cap, kerr *err)
{
    khub_rows *r = NULL;
    out[0] = '\0';
    int rc = khub_sql(h, lite, pg, pv, np, &r, err);
    if (rc)
        return -rc;
    int got = khub_rows_next(r, err);
    if (got == 1) {
        const char *t = khub_rows_text(r, 0);
        snprintf(out, cap, "%s", t ? t : "");
    }
    khub_rows_free(r);
    return got == 1 ? 1 : got == 0 ? 0 : -got;
}

/* Ends a transaction: commits when rc is 0, else rolls back; returns rc or
 * the commit's failure. */
static int tx_end(khub *h, int rc, kerr *err)
{
    if (rc == 0)
        rc = khub_tx(h, 'c', err);
    if (rc)
        khub_tx(h, 'r', NULL);
    return rc;
}

/* 1 if text is 1..max characters of UTF-8 without control characters. */
static int text_ok(const char *s, int max)
{
    int n = 0;
    for (size_t i = 0; s[i];) {
        int l = 1;
        long cp = kutf8_decode(s + i, &l);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return 0;
        i += (size_t)l;
        n++;
    }
    return n >= 1 && n <= max;
}

/* ---- the section 7 rule: the same person signed up at two kiosks ------------------------- */

static int merge_locked(khub *h, const char *keep_id, const char *other_id, kerr *err);

/* A person's match keys (PROTOCOL.md 7): folded given + family name with
 * the phone's digits (7 or more), and with the trimmed, lower-case e-mail.
 * Returns how many (0-2) were written to k[]. */
static int match_keys(const char *fields, char k[2][600])
{
    cJSON *j = cJSON_Parse(fields);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "given");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "family");
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(j, "phone");
    const cJSON *em = cJSON_GetObjectItemCaseSensitive(j, "email");
    int n = 0;
    char both[300], name[256];
    snprintf(both, sizeof both, "%.140s %.140s", cJSON_IsString(g) ? g->valuestring : "",
             cJSON_IsString(f) ? f->valuestring : "");
    kfold(both, name, sizeof name);
    if (name[0]) {
        char digits[40];
        size_t d = 0;
        for (const char *p = cJSON_IsString(ph) ? ph->valuestring : ""; *p && d + 1 < sizeof digits; p++)
            if (*p >= '0' && *p <= '9')
                digits[d++] = *p;
        digits[d] = '\0';
        if (d >= 7)
            snprintf(k[n++], 600, "p|%s|%s", name, digits);
        const char *e = cJSON_IsString(em) ? em->valuestring : "";
        while (isspace((unsigned char)*e))
            e++;
        char mail[260];
        size_t m = 0;
        for (; *e && m + 1 < sizeof mail; e++)
            mail[m++] = (char)tolower((unsigned char)*e);
        while (m > 0 && isspace((unsigned char)mail[m - 1]))
            m--;
        mail[m] = '\0';
        if (m > 0)
            snprintf(k[n++], 600, "e|%s|%s", name, mail);
    }
    cJSON_Delete(j);
    return n;
}

/* Joins people records (ids[i], fields[i], in arrival order) to the
 * people the hub holds by the section 7 rule: a record whose key another
 * id already has becomes an alias of that id (the earlier one is kept).
 * Inside the ingest transaction, roster lock held. */
static int apply_rule7(khub *h, char (*ids)[33], char **fields, int n, kerr *err)
{
    typedef struct pair { char key[600]; char id[33]; } pair;
    pair *pp = calloc((size_t)(n > 0 ? n : 1) * 2, sizeof *pp);
    if (!pp)
        return kerr_set(err, KERR_INTERNAL, "roster: out of memory");
    int np = 0;
    for (int i = 0; i < n; i++) {
        char k[2][600];
        int nk = match_keys(fields[i], k);
        for (int j = 0; j < nk; j++) {
            memcpy(pp[np].key, k[j], sizeof pp[np].key);
            memcpy(pp[np].id, ids[i], 33);
            np++;
        }
    }
    int rc = 0;
    kbuf keys = {0}, rows = {0};
    kbuf_str(&keys, "[");
    kbuf_str(&rows, "[");
    for (int i = 0; i < np; i++) {
        kbuf_str(&keys, i ? "," : "");
        kbuf_json_str(&keys, pp[i].key);
        kbuf_str(&rows, i ? ",[" : "[");
        kbuf_json_str(&rows, pp[i].key);
        kbuf_printf(&rows, ",\"%s\"]", pp[i].id);
    }
    kbuf_str(&keys, "]");
    kbuf_str(&rows, "]");
    if (keys.oom || rows.oom)
        rc = kerr_set(err, KERR_INTERNAL, "roster: out of memory");
    /* the ids already holding these keys (one per key: they are one person) */
    khub_rows *r = NULL;
    const char *kv[1] = {keys.p};
    if (rc == 0 && np > 0)
        rc = khub_sql(h, "SELECT key, min(id) FROM person_keys WHERE key IN"
                      " (SELECT value FROM json_each(?1)) GROUP BY key",
                      "SELECT key, min(id) FROM person_keys WHERE key IN"
                      " (SELECT jsonb_array_elements_text($1::jsonb)) GROUP BY key", kv, 1, &r, err);
    typedef struct known { char key[600]; char id[33]; } known;
    known *kn = calloc((size_t)np * 2 + 1, sizeof *kn);
    int nkn = 0, got = 0;
    if (!kn && rc == 0)
        rc = kerr_set(err, KERR_INTERNAL, "roster: out of memory");
    while (rc == 0 && r && nkn < np && (got = khub_rows_next(r, err)) == 1) {
        snprintf(kn[nkn].key, sizeof kn[nkn].key, "%s", khub_rows_text(r, 0));
        snprintf(kn[nkn].id, sizeof kn[nkn].id, "%s", khub_rows_text(r, 1));
        nkn++;
    }
    if (rc == 0 && got < 0)
        rc = -got;
    khub_rows_free(r);
    /* an open-addressing index of kn by key (FNV-1a), so that matching a
     * batch of 5,000 people stays linear */
    size_t cap = 16;
    while (cap < (size_t)np * 4 + 16)
        cap *= 2;
    int *slot = malloc(cap * sizeof *slot);
    if (!slot && rc == 0)
        rc = kerr_set(err, KERR_INTERNAL, "roster: out of memory");
    for (size_t i = 0; slot && i < cap; i++)
        slot[i] = -1;
    for (int i = 0; rc == 0 && i < nkn + np; i++) {
        int adding = i >= nkn;          /* first the known keys, then the batch's */
        const char *key = adding ? pp[i - nkn].key : kn[i].key;
        uint64_t hsh = 1469598103934665603ULL;
        for (const unsigned char *c = (const unsigned char *)key; *c; c++)
            hsh = (hsh ^ *c) * 1099511628211ULL;
        size_t at = (size_t)hsh & (cap - 1);
        while (slot[at] >= 0 && strcmp(kn[slot[at]].key, key) != 0)
            at = (at + 1) & (cap - 1);
        if (!adding) {
            if (slot[at] < 0)
                slot[at] = i;
            continue;
        }
        const pair *pr = &pp[i - nkn];
        int f = slot[at];
        if (f < 0) {                    /* first of its key (within this group too) */
            int k = nkn + (i - nkn);
            memcpy(kn[k].key, pr->key, sizeof kn[k].key);
            memcpy(kn[k].id, pr->id, 33);
            slot[at] = k;
        } else if (strcmp(kn[f].id, pr->id) != 0) {
            kerr e2 = {0};
            int m = merge_locked(h, kn[f].id, pr->id, &e2);
            if (m && m != KERR_INVALID && m != KERR_NOTFOUND)   /* forgotten, unknown: left apart */
                rc = kerr_set(err, m, "%s", e2.msg);
        }
    }
    free(slot);
    const char *rv[1] = {rows.p};
    if (rc == 0 && np > 0)
        rc = khub_sql(h, "INSERT INTO person_keys(key, id) SELECT json_extract(value, '$[0]'),"
                      " json_extract(value, '$[1]') FROM json_each(?1) WHERE true"
                      " ON CONFLICT DO NOTHING",
                      "INSERT INTO person_keys(key, id) SELECT e ->> 0, e ->> 1"
                      " FROM jsonb_array_elements($1::jsonb) e ON CONFLICT DO NOTHING", rv, 1, NULL,
                      err);
    free(kn);
    free(pp);
    kbuf_free(&keys);
    kbuf_free(&rows);
    return rc;
}

/* The rule over every people record of a range of a device (ingest), or
 * over all of them (backfill, device NULL), in chunks. */
static int rule7_records(khub *h, const char *device_id, const char *lo, const char *hi, kerr *err)
{
    enum { CHUNK = 5000 };
    char (*ids)[33] = malloc(CHUNK * sizeof *ids);
    char **fields = calloc(CHUNK, sizeof *fields);
    int rc = ids && fields ? 0 : kerr_set(err, KERR_INTERNAL, "roster: out of memory");
    int64_t offset = 0;
    while (rc == 0) {
        char off[24];
        snprintf(off, sizeof off, "%" PRId64, offset);
        khub_rows *r = NULL;
        if (device_id) {
            const char *pv[3] = {device_id, lo, hi};
            rc = khub_sql(h, "SELECT id, fields FROM records WHERE device_id = ?1 AND seq BETWEEN ?2"
                          " AND ?3 AND +tbl = 'people' ORDER BY seq",
                          "SELECT id, fields FROM records WHERE device_id = $1 AND seq BETWEEN"
                          " $2::bigint AND $3::bigint AND tbl = 'people' ORDER BY seq", pv, 3, &r, err);
        } else {
            const char *pv[1] = {off};
            rc = khub_sql(h, "SELECT id, fields FROM records WHERE tbl = 'people'"
                          " ORDER BY received_ms, device_id, seq LIMIT 5000 OFFSET ?1",
                          "SELECT id, fields FROM records WHERE tbl = 'people'"
                          " ORDER BY received_ms, device_id, seq LIMIT 5000 OFFSET $1::bigint",
                          pv, 1, &r, err);
        }
        int n = 0, got = 0;
        while (rc == 0 && n < CHUNK && (got = khub_rows_next(r, err)) == 1) {
            snprintf(ids[n], 33, "%s", khub_rows_text(r, 0) ? khub_rows_text(r, 0) : "");
            fields[n] = strdup(khub_rows_text(r, 1) ? khub_rows_text(r, 1) : "{}");
            if (!fields[n])
                rc = kerr_set(err, KERR_INTERNAL, "roster: out of memory");
            n++;
        }
        if (rc == 0 && got < 0)
            rc = -got;
        khub_rows_free(r);
        if (rc == 0 && n > 0)
            rc = apply_rule7(h, ids, fields, n, err);
        for (int i = 0; i < n; i++) {
            free(fields[i]);
            fields[i] = NULL;
        }
        if (device_id || n < CHUNK)
            break;
        offset += n;
    }
    free(ids);
    free(fields);
    return rc;
}

/* ---- ingest and open ------------------------------------------------------------------- */

int khub_roster_note_batch(khub *h, const ksync_batch *b, kerr *err)
{
    int people = 0;
    for (int i = 0; i < b->n && !people; i++)
        people = strcmp(b->recs[i].table, "people") == 0;
    if (!people)
        return 0;
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%" PRId64, b->recs[0].seq);
    snprintf(hi, sizeof hi, "%" PRId64, b->recs[b->n - 1].seq);
    const char *pv[3] = {b->device_id, lo, hi};
    int rc = roster_lock(h, err);
    if (rc == 0)
        rc = khub_sql(h, LITE_IDS(LITE_RANGE), PG_IDS(PG_RANGE), pv, 3, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, SQL_SCRUB(LITE_RANGE_S, "+"), SQL_SCRUB(PG_RANGE_S, ""), pv, 3, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, LITE_PERSONS(LITE_RANGE), PG_PERSONS(PG_RANGE), pv, 3, NULL, err);
    if (rc == 0)
        rc = rule7_records(h, b->device_id, lo, hi, err);
    return rc;
}

int khub_roster_backfill(khub *h, kerr *err)
{
    char v[32];
    int got = one_text(h, "SELECT value FROM hub_meta WHERE key = 'roster_backfill'",
                       "SELECT value FROM hub_meta WHERE key = 'roster_backfill'", NULL, 0, v,
                       sizeof v, err);
    if (got <= 0)
        return -got;
    int rc = khub_tx(h, 'b', err);
    if (rc)
        return rc;
    rc = roster_lock(h, err);
    if (rc == 0)
        rc = khub_sql(h, LITE_IDS(""), PG_IDS(""), NULL, 0, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, LITE_PERSONS(""), PG_PERSONS(""), NULL, 0, NULL, err);
    if (rc == 0)
        rc = rule7_records(h, NULL, NULL, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, "DELETE FROM hub_meta WHERE key = 'roster_backfill'",
                      "DELETE FROM hub_meta WHERE key = 'roster_backfill'", NULL, 0, NULL, err);
    return tx_end(h, rc, err);
}

/* ---- hub events and surveys -------------------------------------------------------------- */

int khub_event_add(khub *h, const char *name, const char *program, const char *date,
                   const char *survey_key, const char *link, char id_out[33], kerr *err)
{
    id_out[0] = '\0';
    program = program ? program : "";
    survey_key = survey_key ? survey_key : "";
    link = link ? link : "";
    char today[11];
    if (!date || !*date) {
        time_t t = time(NULL);
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(today, sizeof today, "%Y-%m-%d", &tm) != 10)
            return kerr_set(err, KERR_INTERNAL, "event add: cannot read today's date");
        date = today;
    }
    if (!name || !text_ok(name, KIOSK_EVENT_NAME_MAX))
        return kerr_set(err, KERR_INVALID, "event name: 1-%d characters of text, no control "
                        "characters", KIOSK_EVENT_NAME_MAX);
    if (!text_ok(program, KIOSK_PROGRAM_MAX))
        return kerr_set(err, KERR_INVALID, "--program %.60s: 1-%d characters of text, no control "
                        "characters", program, KIOSK_PROGRAM_MAX);
    if (!kclock_date_valid(date))
        return kerr_set(err, KERR_INVALID, "--date %.40s: not a date (expected YYYY-MM-DD)", date);
    if (*survey_key && !ksurvey_key_valid(survey_key, strlen(survey_key)))
        return kerr_set(err, KERR_INVALID, "--survey %.40s: not a survey key (a letter, then a-z, "
                        "0-9, '-' or '_', at most %d)", survey_key, KIOSK_SURVEY_KEY_MAX);
    if (strlen(link) > KIOSK_EVENT_LINK_MAX)
        return kerr_set(err, KERR_INVALID, "--link: longer than %d bytes", KIOSK_EVENT_LINK_MAX);
    for (const unsigned char *p = (const unsigned char *)link; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return kerr_set(err, KERR_INVALID, "--link %.60s: has spaces or control characters",
                            link);
    char id[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);

    kbuf f = {0};
    kbuf_str(&f, "{\"name\":");
    kbuf_json_str(&f, name);
    kbuf_str(&f, ",\"program\":");
    kbuf_json_str(&f, program);
    kbuf_str(&f, ",\"date\":");
    kbuf_json_str(&f, date);
    kbuf_str(&f, ",\"survey\":");
    kbuf_json_str(&f, survey_key);
    kbuf_str(&f, ",\"link\":");
    kbuf_json_str(&f, link);
    kbuf_str(&f, "}");
    kbuf body = {0};
    kbuf_str(&body, "{\"id\":\"");
    kbuf_str(&body, id);
    kbuf_str(&body, "\",");
    kbuf_add(&body, f.p ? f.p + 1 : "", f.len ? f.len - 1 : 0);
    char key[40], now[24];
    snprintf(key, sizeof key, "event:%s", id);
    snprintf(now, sizeof now, "%" PRId64, khub_now_ms());
    int rc = f.oom || body.oom ? kerr_set(err, KERR_INTERNAL, "event add: out of memory") : 0;
    if (rc == 0)
        rc = khub_tx(h, 'b', err);
    if (rc == 0) {
        rc = roster_lock(h, err);
        const char *pv[3] = {id, f.p, now};
        if (rc == 0)
            rc = khub_sql(h,
                          "INSERT INTO records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms,"
                          " fields, corrected_ms, time_source, received_ms)"
                          " SELECT " HUB_ID ", ?1, 'events', coalesce(max(seq), 0) + 1, ?3, 'hub', 0,"
                          " ?2, ?3, 'hub', ?3 FROM roster",
                          "INSERT INTO records(device_id, id, tbl, seq, wall_ms, boot_id, mono_ms,"
                          " fields, corrected_ms, time_source, received_ms)"
                          " SELECT " HUB_ID ", $1, 'events', coalesce(max(seq), 0) + 1, $3::bigint,"
                          " 'hub', 0, $2, $3::bigint, 'hub', $3::bigint FROM roster",
                          pv, 3, NULL, err);
        if (rc == 0)
            rc = roster_put(h, key, "event", body.p, err);
        rc = tx_end(h, rc, err);
    }
    kbuf_free(&f);
    kbuf_free(&body);
    if (rc == 0)
        memcpy(id_out, id, sizeof id);
    return rc;
}

int khub_survey_add(khub *h, const char *text, size_t len, const char *label, char key_out[65],
                    int *version_out, kerr *err)
{
    key_out[0] = '\0';
    if (len > KIOSK_SURVEY_FILE_MAX_BYTES)
        return kerr_set(err, KERR_INVALID, "%s: %zu bytes, more than a survey file may have (%d)",
                        label, len, KIOSK_SURVEY_FILE_MAX_BYTES);
    if (memchr(text, '\0', len))
        return kerr_set(err, KERR_INVALID, "%s: not a text file (it holds a NUL byte)", label);
    char *z = malloc(len + 1);
    if (!z)
        return kerr_set(err, KERR_INTERNAL, "survey add: out of memory");
    memcpy(z, text, len);
    z[len] = '\0';
    for (size_t i = 0; i < len;) {
        int l = 1;
        if (kutf8_decode(z + i, &l) < 0) {
            free(z);
            return kerr_set(err, KERR_INVALID, "%s: not UTF-8 text (bad byte at offset %zu)", label,
                            i);
        }
        i += (size_t)l;
    }
    free(z);
    ksurvey *sv = NULL;
    ksurvey_diags d;
    memset(&d, 0, sizeof d);
    int rc = ksurvey_load_buffer(label, text, len, &sv, &d, err);
    if (rc) {
        char first[300] = "";
        for (int i = 0; i < d.n && !first[0]; i++)
            if (d.diag[i].severity == KSURVEY_ERROR)
                ksurvey_diag_format(&d, i, first, sizeof first);
        return kerr_set(err, rc, "%s: refused, it fails the survey check (%d error%s)%s%s", label,
                        d.errors, d.errors == 1 ? "" : "s", first[0] ? ": " : "", first);
    }
    snprintf(key_out, 65, "%s", ksurvey_key(sv));
    int version = ksurvey_version(sv);
    if (version_out)
        *version_out = version;
    ksurvey_free(sv);
    char *copy = malloc(len + 1);
    if (!copy)
        return kerr_set(err, KERR_INTERNAL, "survey add: out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    kbuf body = {0};
    kbuf_str(&body, "{\"key\":");
    kbuf_json_str(&body, key_out);
    kbuf_printf(&body, ",\"version\":%d,\"text\":", version);
    kbuf_json_str(&body, copy);
    kbuf_str(&body, "}");
    free(copy);
    char key[80];
    snprintf(key, sizeof key, "survey:%s", key_out);
    rc = body.oom ? kerr_set(err, KERR_INTERNAL, "survey add: out of memory") : khub_tx(h, 'b', err);
    if (rc == 0) {
        rc = roster_lock(h, err);
        if (rc == 0)
            rc = roster_put(h, key, "survey", body.p, err);
        rc = tx_end(h, rc, err);
    }
    kbuf_free(&body);
    return rc;
}

/* ---- one person, one id; forgetting ------------------------------------------------------ */

/* Reads a person id's row: root (the id it is merged into, or itself) and
 * whether it is forgotten.  KERR_NOTFOUND if the hub holds no such id. */
static int person_root(khub *h, const char *id, const char *what, char root[33], int *forgotten,
                       kerr *err)
{
    if (!id || !ksync_is_id(id))
        return kerr_set(err, KERR_INVALID, "%s %.40s: expected a person id (32 lower-case hex "
                        "digits)", what, id ? id : "(none)");
    khub_rows *r = NULL;
    const char *pv[1] = {id};
    int rc = khub_sql(h, "SELECT coalesce(alias_of, id), forgotten_ms IS NOT NULL FROM people_ids"
                      " WHERE id = ?1",
                      "SELECT coalesce(alias_of, id), CASE WHEN forgotten_ms IS NULL THEN 0 ELSE 1"
                      " END FROM people_ids WHERE id = $1", pv, 1, &r, err);
    if (rc)
        return rc;
    int got = khub_rows_next(r, err);
    if (got == 1) {
        snprintf(root, 33, "%s", khub_rows_text(r, 0) ? khub_rows_text(r, 0) : id);
        *forgotten = khub_rows_int(r, 1) != 0;
    }
    khub_rows_free(r);
    if (got < 0)
        return -got;
    if (got == 0)
        return kerr_set(err, KERR_NOTFOUND, "%s %s: no person with that id at this hub", what, id);
    return 0;
}

/* Merges other_id into keep_id inside an open transaction that holds the
 * roster lock (khub_person_merge, and the section 7 rule at ingest). */
static int merge_locked(khub *h, const char *keep_id, const char *other_id, kerr *err)
{
    if (keep_id && other_id && strcmp(keep_id, other_id) == 0)
        return kerr_set(err, KERR_INVALID, "person merge: KEEP and OTHER are the same id %.40s",
                        keep_id);
    char keep[33], other[33];
    int kf = 0, of = 0;
    int rc = person_root(h, keep_id, "KEEP", keep, &kf, err);
    if (rc == 0)
        rc = person_root(h, other_id, "OTHER", other, &of, err);
    if (rc == 0 && (kf || of))
        rc = kerr_set(err, KERR_INVALID, "person merge: %s was forgotten; a forgotten person "
                      "cannot be merged", kf ? keep_id : other_id);
    if (rc || strcmp(keep, other) == 0)
        return rc;
    const char *pv[2] = {keep, other};
    rc = khub_sql(h, "UPDATE people_ids SET alias_of = ?1 WHERE id = ?2 OR alias_of = ?2",
                  "UPDATE people_ids SET alias_of = $1 WHERE id = $2 OR alias_of = $2", pv, 2,
                  NULL, err);
    /* every id now merged into keep gets its alias at the top of the log
     * (those merged before are sent again: harmless) */
    if (rc == 0)
        rc = khub_sql(h,
                      "INSERT INTO roster(seq, key, kind, body)"
                      " SELECT (SELECT coalesce(max(seq), 0) FROM roster)"
                      "  + row_number() OVER (ORDER BY id), 'person:' || id, 'alias',"
                      "  json_object('id', id, 'to', alias_of)"
                      " FROM people_ids WHERE alias_of = ?1"
                      " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind,"
                      " body = excluded.body",
                      "INSERT INTO roster(seq, key, kind, body)"
                      " SELECT (SELECT coalesce(max(seq), 0) FROM roster)"
                      "  + row_number() OVER (ORDER BY id), 'person:' || id, 'alias',"
                      "  json_build_object('id', id, 'to', alias_of)::text"
                      " FROM people_ids WHERE alias_of = $1"
                      " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind,"
                      " body = excluded.body", pv, 1, NULL, err);
    return rc;
}

int khub_person_merge(khub *h, const char *keep_id, const char *other_id, kerr *err)
{
    int rc = khub_tx(h, 'b', err);
    if (rc)
        return rc;
    rc = roster_lock(h, err);
    if (rc == 0)
        rc = merge_locked(h, keep_id, other_id, err);
    return tx_end(h, rc, err);
}

int khub_person_forget(khub *h, const char *person_id, kerr *err)
{
    int rc = khub_tx(h, 'b', err);
    if (rc)
        return rc;
    char root[33], now[24];
    int forgotten = 0;
    snprintf(now, sizeof now, "%" PRId64, khub_now_ms());
    rc = roster_lock(h, err);
    if (rc == 0)
        rc = person_root(h, person_id, "person", root, &forgotten, err);
    const char *pv[2] = {root, now};
    if (rc == 0)
        rc = khub_sql(h,
                      "UPDATE people_ids SET forgotten_ms = coalesce(forgotten_ms, ?2)"
                      " WHERE id = ?1 OR alias_of = ?1",
                      "UPDATE people_ids SET forgotten_ms = coalesce(forgotten_ms, $2::bigint)"
                      " WHERE id = $1 OR alias_of = $1", pv, 2, NULL, err);
    if (rc == 0)
        rc = khub_sql(h, "DELETE FROM person_keys WHERE id IN"
                      " (SELECT id FROM people_ids WHERE id = ?1 OR alias_of = ?1)",
                      "DELETE FROM person_keys WHERE id IN"
                      " (SELECT id FROM people_ids WHERE id = $1 OR alias_of = $1)", pv, 1, NULL,
                      err);
    if (rc == 0)
        rc = khub_sql(h, "UPDATE records SET fields = " ERASED " WHERE tbl = 'people' AND id IN"
                      " (SELECT id FROM people_ids WHERE id = ?1 OR alias_of = ?1)",
                      "UPDATE records SET fields = " ERASED " WHERE tbl = 'people' AND id IN"
                      " (SELECT id FROM people_ids WHERE id = $1 OR alias_of = $1)", pv, 1, NULL,
                      err);
    if (rc == 0)
        rc = khub_sql(h,
                      "INSERT INTO roster(seq, key, kind, body)"
                      " SELECT (SELECT coalesce(max(seq), 0) FROM roster)"
                      "  + row_number() OVER (ORDER BY id), 'person:' || id, 'forget',"
                      "  json_object('id', id)"
                      " FROM people_ids WHERE id = ?1 OR alias_of = ?1"
                      " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind,"
                      " body = excluded.body",
                      "INSERT INTO roster(seq, key, kind, body)"
                      " SELECT (SELECT coalesce(max(seq), 0) FROM roster)"
                      "  + row_number() OVER (ORDER BY id), 'person:' || id, 'forget',"
                      "  json_build_object('id', id)::text"
                      " FROM people_ids WHERE id = $1 OR alias_of = $1"
                      " ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, kind = excluded.kind,"
                      " body = excluded.body", pv, 1, NULL, err);
    rc = tx_end(h, rc, err);
    /* SQLite: the old versions of the erased pages leave the write-ahead
     * log now (secure_delete zeroes freed space; the checkpoint copies the
     * erased pages over the old ones and empties the log). */
    if (rc == 0 && !khub_is_pg(h)) {
        kerr ignore;
        khub_sql(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, 0, NULL, &ignore);
    }
    return rc;
}

/* ---- download ---------------------------------------------------------------------------- */

int khub_roster_page(khub *h, const char *token, const char *device_id, int64_t since, int limit,
                     kbuf *out, char name[KHUB_DEVICE_NAME_MAX + 1], kerr *err)
{
    char bound[33];
    int rc = khub_auth(h, token, name, bound, err);
    if (rc)
        return rc;
    if (!bound[0])
        return kerr_set(err, KHUB_NOT_PAIRED, "token not paired with a kiosk yet");
    if (strcmp(bound, device_id) != 0)
        return kerr_set(err, KHUB_FORBIDDEN, "token is paired with another device id");
    if (limit < 1 || limit > KHUB_ROSTER_PAGE_MAX)
        return kerr_set(err, KERR_INVALID, "limit: expected 1..%d", KHUB_ROSTER_PAGE_MAX);
    if (since < 0)
        return kerr_set(err, KERR_INVALID, "since: expected a seq >= 0");
    char roster_id[65], top[24], s_since[24], s_limit[16];
    /* one snapshot for the top and the page (SQLite: a read transaction;
     * PostgreSQL: REPEATABLE READ) */
    rc = khub_sql(h, "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, 0, NULL,
                  err);
    if (rc)
        return rc;
    int got = one_text(h, "SELECT value FROM hub_meta WHERE key = 'roster_id'",
                       "SELECT value FROM hub_meta WHERE key = 'roster_id'", NULL, 0, roster_id,
                       sizeof roster_id, err);
    if (got >= 0)
        got = one_text(h, "SELECT coalesce(max(seq), 0) FROM roster",
                       "SELECT coalesce(max(seq), 0) FROM roster", NULL, 0, top, sizeof top, err);
    if (got < 0) {
        khub_tx(h, 'r', NULL);
        return -got;
    }
    int64_t max = strtoll(top, NULL, 10);
    kbuf_reset(out);
    if (since > max) {
        khub_tx(h, 'r', NULL);
        kbuf_printf(out, "{\"protocol\":2,\"roster_id\":\"%s\",\"cursor\":0,\"reset\":true,"
                    "\"more\":true,\"changes\":[]}", roster_id);
        return out->oom ? kerr_set(err, KERR_INTERNAL, "roster: out of memory") : 0;
    }
    snprintf(s_since, sizeof s_since, "%" PRId64, since);
    snprintf(s_limit, sizeof s_limit, "%d", limit);
    const char *pv[2] = {s_since, s_limit};
    khub_rows *r = NULL;
    rc = khub_sql(h, "SELECT seq, kind, body FROM roster WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                  "SELECT seq, kind, body FROM roster WHERE seq > $1::bigint ORDER BY seq"
                  " LIMIT $2::integer", pv, 2, &r, err);
    if (rc) {
        khub_tx(h, 'r', NULL);
        return rc;
    }
    kbuf_printf(out, "{\"protocol\":2,\"roster_id\":\"%s\",\"changes\":[", roster_id);
    int64_t cursor = since;
    int n = 0;
    while ((got = khub_rows_next(r, err)) == 1) {
        const char *body = khub_rows_text(r, 2);
        const char *kind = khub_rows_text(r, 1);
        size_t need = strlen(body ? body : "") + 64;
        if (n > 0 && out->len + need > KHUB_ROSTER_PAGE_BYTES - 256)
            break;
        int64_t seq = khub_rows_int(r, 0);
        kbuf_printf(out, "%s{\"seq\":%" PRId64 ",\"kind\":\"%s\",\"data\":%s}", n ? "," : "", seq,
                    kind ? kind : "", body ? body : "{}");
        cursor = seq;
        n++;
    }
    khub_rows_free(r);
    khub_tx(h, 'r', NULL);
    if (got < 0)
        return -got;
    kbuf_printf(out, "],\"cursor\":%" PRId64 ",\"more\":%s}", cursor, cursor < max ? "true" : "false");
    return out->oom ? kerr_set(err, KERR_INTERNAL, "roster: out of memory") : 0;
}

/* ---- people, for staff ------------------------------------------------------------------------ */

int khub_people_list(khub *h, const char *query, int limit, khub_rows **out, kerr *err)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit > 0 ? limit : 100);
    const char *pv[2] = {query ? query : "", lim};
    return khub_sql(h,
                    "SELECT o.id, coalesce(json_extract(p.fields, '$.given'), ''),"
                    " coalesce(json_extract(p.fields, '$.family'), ''),"
                    " coalesce(json_extract(p.fields, '$.zip'), ''), coalesce(d.name, o.device_id),"
                    " coalesce((SELECT group_concat(a.id, ',') FROM people_ids a"
                    "   WHERE a.alias_of = o.id), '')"
                    " FROM people_ids o JOIN records p ON p.device_id = o.device_id AND p.id = o.id"
                    "  AND p.tbl = 'people'"
                    " LEFT JOIN devices d ON d.device_id = o.device_id AND d.revoked_ms IS NULL"
                    " WHERE o.alias_of IS NULL AND o.forgotten_ms IS NULL AND (?1 = '' OR"
                    "  instr(lower(coalesce(json_extract(p.fields, '$.given'), '') || ' ' ||"
                    "  coalesce(json_extract(p.fields, '$.family'), '')), lower(?1)) > 0)"
                    " ORDER BY 3, 2, 1 LIMIT ?2",
                    "SELECT o.id, coalesce(p.fields::jsonb ->> 'given', ''),"
                    " coalesce(p.fields::jsonb ->> 'family', ''),"
                    " coalesce(p.fields::jsonb ->> 'zip', ''), coalesce(d.name, o.device_id),"
                    " coalesce((SELECT string_agg(a.id, ',' ORDER BY a.id) FROM people_ids a"
                    "   WHERE a.alias_of = o.id), '')"
                    " FROM people_ids o JOIN records p ON p.device_id = o.device_id AND p.id = o.id"
                    "  AND p.tbl = 'people'"
                    " LEFT JOIN devices d ON d.device_id = o.device_id AND d.revoked_ms IS NULL"
                    " WHERE o.alias_of IS NULL AND o.forgotten_ms IS NULL AND ($1 = '' OR"
                    "  strpos(lower(coalesce(p.fields::jsonb ->> 'given', '') || ' ' ||"
                    "  coalesce(p.fields::jsonb ->> 'family', '')), lower($1)) > 0)"
                    " ORDER BY coalesce(p.fields::jsonb ->> 'family', '') COLLATE \"C\","
                    "  coalesce(p.fields::jsonb ->> 'given', '') COLLATE \"C\", o.id LIMIT $2::integer",
                    pv, 2, out, err);
}
