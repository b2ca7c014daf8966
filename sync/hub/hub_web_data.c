/*
 * hub_web_data.c - what the web page reads from the store, each query
 * written in both dialects (SQLite json_extract, PostgreSQL jsonb) and run
 * through khub_sql (hub_store.h).
 *
 * Costs: the events page reads every event record and the check-in counts
 * ingest keeps per event and kiosk (never the check-ins themselves); the
 * reports read every check-in that has an event once (two columns, no
 * JSON) and aggregate in memory, O(n log n); an
 * event's attendance is the merged export itself (hub_export.c), so the
 * page shows exactly the rows of the downloaded file.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export_writer.h"
#include "fold.h"
#include "hub_export.h"
#include "hub_web_int.h"

#define J_LITE(rel, key) "json_extract(" rel "fields, '$." key "')"
#define J_PG(rel, key) "((" rel "fields)::jsonb ->> '" key "')"

/* ---- an interning pool: equal strings share one copy ------------------------------ */

typedef struct wintern {
    char **slot;
    size_t cap, n;
} wintern;

/* FNV-1a (64-bit) of a string; a 32-bit size_t keeps its low bits. */
static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* The pooled copy of s, or NULL if out of memory. */
static const char *intern(wintern *p, const char *s)
{
    if (!s)
        s = "";
    if (p->n * 2 >= p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return NULL;
        for (size_t i = 0; i < p->cap; i++)
            if (p->slot[i]) {
                size_t j = hash_str(p->slot[i]) & (cap - 1);
                while (slot[j])
                    j = (j + 1) & (cap - 1);
                slot[j] = p->slot[i];
            }
        free(p->slot);
        p->slot = slot;
        p->cap = cap;
    }
    size_t j = hash_str(s) & (p->cap - 1);
    while (p->slot[j]) {
        if (strcmp(p->slot[j], s) == 0)
            return p->slot[j];
        j = (j + 1) & (p->cap - 1);
    }
    if (!(p->slot[j] = strdup(s)))
        return NULL;
    p->n++;
    return p->slot[j];
}

static void intern_free(wintern *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->cap; i++)
        free(p->slot[i]);
    free(p->slot);
    free(p);
}

/* ---- events --------------------------------------------------------------------- */

/* A column's text, "" for NULL. */
static const char *col(khub_rows *r, int i)
{
    const char *t = khub_rows_text(r, i);
    return t ? t : "";
}

/* Sorts events newest first, then by name. */
static int cmp_event(const void *p, const void *q)
{
    const wevent *x = p, *y = q;
    int c = strcmp(y->date, x->date);
    return c ? c : strcmp(x->key, y->key);
}

/* The event whose key is key, or NULL (linear: an event list is short). */
static wevent *find_key(wevents *ev, const char *key)
{
    for (int i = 0; i < ev->n; i++)
        if (strcmp(ev->e[i].key, key) == 0)
            return &ev->e[i];
    return NULL;
}

/* Adds n check-ins of kiosk to e. */
static int add_kiosk(wevent *e, const char *kiosk, long n)
{
    for (int i = 0; i < e->nkiosks; i++)
        if (strcmp(e->kiosks[i].kiosk, kiosk) == 0) {
            e->kiosks[i].checkins += n;
            e->checkins += n;
            return 0;
        }
    wkiosk_count *k = realloc(e->kiosks, (size_t)(e->nkiosks + 1) * sizeof *k);
    if (!k)
        return -1;
    e->kiosks = k;
    if (!(k[e->nkiosks].kiosk = strdup(kiosk)))
        return -1;
    k[e->nkiosks++].checkins = n;
    e->checkins += n;
    return 0;
}

/* Event records: id, date, name, program. */
static const char *const events_lite =
    "SELECT id, coalesce(" J_LITE("", "date") ", ''), coalesce(" J_LITE("", "name") ", ''),"
    " coalesce(" J_LITE("", "program") ", '') FROM records INDEXED BY records_events"
    " WHERE tbl = 'events'";
static const char *const events_pg =
    "SELECT id, coalesce(" J_PG("", "date") ", ''), coalesce(" J_PG("", "name") ", ''),"
    " coalesce(" J_PG("", "program") ", '') FROM records WHERE tbl = 'events'";

/* Check-ins per event record and kiosk (the kiosk that took them), from
 * the counts ingest keeps (schema 5): one row per event and kiosk. */
static const char *const counts_lite =
    "SELECT c.event_id, coalesce(d.name, c.device_id), sum(c.n)"
    " FROM event_checkins c LEFT JOIN devices d ON d.device_id = c.device_id AND d.revoked_ms IS NULL"
    " GROUP BY 1, 2";
static const char *const counts_pg =
    "SELECT c.event_id, coalesce(d.name, c.device_id), sum(c.n)"
    " FROM event_checkins c LEFT JOIN devices d ON d.device_id = c.device_id AND d.revoked_ms IS NULL"
    " GROUP BY 1, 2";

typedef struct idkey {
    char id[33];
    int event;              /* index in wevents */
} idkey;

static int cmp_idkey(const void *p, const void *q)
{
    return strcmp(((const idkey *)p)->id, ((const idkey *)q)->id);
}

int wdata_events(khub *h, wevents *out, kerr *err)
{
    memset(out, 0, sizeof *out);
    khub_rows *r = NULL;
    idkey *ids = NULL;
    int nids = 0, rc = khub_sql(h, events_lite, events_pg, NULL, 0, &r, err);
    while (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        rc = 0;
        char key[600], folded[512];
        kfold(col(r, 2), folded, sizeof folded);
        snprintf(key, sizeof key, "%s\x1f%s", col(r, 1), folded);
        wevent *e = find_key(out, key);
        if (!e) {
            wevent *ne = realloc(out->e, (size_t)(out->n + 1) * sizeof *ne);
            if (!ne) {
                rc = kerr_set(err, KERR_INTERNAL, "events: out of memory");
                break;
            }
            out->e = ne;
            e = &ne[out->n++];
            memset(e, 0, sizeof *e);
            snprintf(e->id, sizeof e->id, "%s", col(r, 0));
            snprintf(e->key, sizeof e->key, "%s", key);
            e->date = strdup(col(r, 1));
            e->name = strdup(col(r, 2));
            e->program = strdup(col(r, 3));
            if (!e->date || !e->name || !e->program) {
                rc = kerr_set(err, KERR_INTERNAL, "events: out of memory");
                break;
            }
        }
        if (strcmp(col(r, 0), e->id) < 0)    /* a stable link: the lowest id of the group */
            snprintf(e->id, sizeof e->id, "%s", col(r, 0));
        idkey *ni = realloc(ids, (size_t)(nids + 1) * sizeof *ni);
        if (!ni) {
            rc = kerr_set(err, KERR_INTERNAL, "events: out of memory");
            break;
        }
        ids = ni;
        snprintf(ids[nids].id, sizeof ids[nids].id, "%s", col(r, 0));
        ids[nids++].event = (int)(e - out->e);
    }
    khub_rows_free(r);
    r = NULL;
    if (rc == 0) {
        qsort(ids, (size_t)nids, sizeof *ids, cmp_idkey);
        rc = khub_sql(h, counts_lite, counts_pg, NULL, 0, &r, err);
    }
    while (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        rc = 0;
        idkey k;
        snprintf(k.id, sizeof k.id, "%s", col(r, 0));
        idkey *f = nids ? bsearch(&k, ids, (size_t)nids, sizeof *ids, cmp_idkey) : NULL;
        if (f && add_kiosk(&out->e[f->event], col(r, 1), (long)khub_rows_int(r, 2)) != 0)
            rc = kerr_set(err, KERR_INTERNAL, "events: out of memory");
    }
    khub_rows_free(r);
    free(ids);
    if (rc) {
        wdata_events_free(out);
        return rc;
    }
    if (out->n)
        qsort(out->e, (size_t)out->n, sizeof *out->e, cmp_event);
    return 0;
}

void wdata_events_free(wevents *ev)
{
    for (int i = 0; i < ev->n; i++) {
        wevent *e = &ev->e[i];
        free(e->name);
        free(e->program);
        free(e->date);
        for (int k = 0; k < e->nkiosks; k++)
            free(e->kiosks[k].kiosk);
        free(e->kiosks);
    }
    free(ev->e);
    memset(ev, 0, sizeof *ev);
}

/* ---- an event's attendance: the export's CSV, read back --------------------------- */

/* Appends a cell to the current row. */
static int push_cell(char ***row, int *n, const char *text, size_t len)
{
    char **nr = realloc(*row, (size_t)(*n + 1) * sizeof *nr);
    if (!nr)
        return -1;
    *row = nr;
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, text, len);
    c[len] = '\0';
    /* undo the formula guard: the writer put an apostrophe in front of a
     * cell starting with = + - @ TAB or CR (export_writer.h) */
    if (c[0] == '\'' && kexport_needs_guard(c + 1))
        memmove(c, c + 1, len);
    nr[(*n)++] = c;
    return 0;
}

/* Parses RFC 4180 CSV (as export_writer writes it) into t->rows. */
static int parse_csv(const char *p, size_t len, wtable *t)
{
    size_t i = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    kbuf cell = {0};
    char **row = NULL;
    int ncells = 0;
    while (i < len) {
        kbuf_reset(&cell);
        if (p[i] == '"') {
            i++;
            while (i < len) {
                if (p[i] == '"' && i + 1 < len && p[i + 1] == '"') {
                    kbuf_add(&cell, "\"", 1);
                    i += 2;
                } else if (p[i] == '"') {
                    i++;
                    break;
                } else {
                    kbuf_add(&cell, p + i, 1);
                    i++;
                }
            }
        } else {
            size_t s = i;
            while (i < len && p[i] != ',' && p[i] != '\r' && p[i] != '\n')
                i++;
            kbuf_add(&cell, p + s, i - s);
        }
        if (cell.oom || push_cell(&row, &ncells, cell.p ? cell.p : "", cell.len) != 0)
            goto oom;
        if (i < len && p[i] == ',') {
            i++;
            continue;
        }
        if (i < len && p[i] == '\r')
            i++;
        if (i < len && p[i] == '\n')
            i++;
        char ***nr = realloc(t->rows, (size_t)(t->nrows + 1) * sizeof *nr);
        if (!nr)
            goto oom;
        t->rows = nr;
        /* every row as wide as the header */
        if (t->nrows == 0)
            t->ncols = ncells;
        while (ncells < t->ncols)
            if (push_cell(&row, &ncells, "", 0) != 0)
                goto oom;
        t->rows[t->nrows++] = row;
        row = NULL;
        ncells = 0;
    }
    kbuf_free(&cell);
    return 0;
oom:
    for (int k = 0; k < ncells; k++)
        free(row[k]);
    free(row);
    kbuf_free(&cell);
    return -1;
}

int wdata_attendance(khub *h, const char *event_id, wtable *t, kerr *err)
{
    memset(t, 0, sizeof *t);
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return kerr_set(err, KERR_INTERNAL, "open_memstream: out of memory");
    khub_export_opts o = {event_id, "csv", "-", NULL, 0};
    long rows = 0;
    int rc = khub_export_csv_stream(h, &o, f, &rows, err);
    if (fclose(f) != 0 && rc == 0)
        rc = kerr_set(err, KERR_INTERNAL, "attendance: out of memory");
    if (rc == 0 && parse_csv(mem ? mem : "", len, t) != 0)
        rc = kerr_set(err, KERR_INTERNAL, "attendance: out of memory");
    free(mem);
    if (rc == 0 && t->nrows > 1 && t->ncols > KEXPORT_COL_EVENT_DATE) {
        t->event_name = strdup(t->rows[1][KEXPORT_COL_EVENT]);
        t->event_program = strdup(t->rows[1][KEXPORT_COL_PROGRAM]);
        t->event_date = strdup(t->rows[1][KEXPORT_COL_EVENT_DATE]);
    } else if (rc == 0) {
        /* no check-ins yet: the event's own record names it */
        khub_rows *r = NULL;
        const char *pv[] = {event_id};
        rc = khub_query(h, KHUB_Q_EVENT_PREFIX, pv, 1, &r, err);
        if (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
            t->event_name = strdup(col(r, 1));
            t->event_date = strdup(col(r, 2));
            t->event_program = strdup(col(r, 3));
            rc = 0;
        }
        khub_rows_free(r);
    }
    if (rc == 0 && (!t->event_name || !t->event_date || !t->event_program))
        rc = kerr_set(err, KERR_INTERNAL, "attendance: out of memory");
    if (rc)
        wdata_table_free(t);
    return rc;
}

void wdata_table_free(wtable *t)
{
    for (int i = 0; i < t->nrows; i++) {
        for (int k = 0; k < t->ncols; k++)
            free(t->rows[i][k]);
        free(t->rows[i]);
    }
    free(t->rows);
    free(t->event_name);
    free(t->event_date);
    free(t->event_program);
    memset(t, 0, sizeof *t);
}

/* ---- every check-in, for the reports ---------------------------------------------- */

typedef struct wevent_info {
    char id[33];
    const char *program, *event_key;
    char date[11];
} wevent_info;

static int cmp_info(const void *p, const void *q)
{
    return strcmp(((const wevent_info *)p)->id, ((const wevent_info *)q)->id);
}

/* Every check-in's person (an id merged into another counts as that one)
 * and event, from the columns ingest fills (schema 5); the JSON only for a
 * person id that is not a string.  Check-ins without an event are left out
 * (they count for no report). */
static const char *const checkins_lite =
    "SELECT coalesce(o.alias_of, c.person_id, " J_LITE("c.", "person_id") "), c.event_id"
    " FROM records c LEFT JOIN people_ids o ON o.id = c.person_id"
    " WHERE c.event_id IS NOT NULL AND c.tbl = 'checkins'";
static const char *const checkins_pg =
    "SELECT coalesce(o.alias_of, c.person_id, " J_PG("c.", "person_id") "), c.event_id"
    " FROM records c LEFT JOIN people_ids o ON o.id = c.person_id"
    " WHERE c.event_id IS NOT NULL AND c.tbl = 'checkins'";

int wdata_visits(khub *h, wvisits *out, kerr *err)
{
    memset(out, 0, sizeof *out);
    wintern *pool = calloc(1, sizeof *pool);
    if (!pool)
        return kerr_set(err, KERR_INTERNAL, "reports: out of memory");
    out->pool = pool;
    wevent_info *ev = NULL;
    long nev = 0;
    kbuf vis = {0};
    khub_rows *r = NULL;
    int rc = khub_sql(h, events_lite, events_pg, NULL, 0, &r, err);
    while (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        rc = 0;
        wevent_info *n = realloc(ev, (size_t)(nev + 1) * sizeof *n);
        if (!n) {
            rc = kerr_set(err, KERR_INTERNAL, "reports: out of memory");
            break;
        }
        ev = n;
        char key[600], folded[512];
        kfold(col(r, 2), folded, sizeof folded);
        snprintf(key, sizeof key, "%s\x1f%s", col(r, 1), folded);
        wevent_info *e = &ev[nev++];
        snprintf(e->id, sizeof e->id, "%s", col(r, 0));
        snprintf(e->date, sizeof e->date, "%s", col(r, 1));
        e->program = intern(pool, col(r, 3));
        e->event_key = intern(pool, key);
        if (!e->program || !e->event_key)
            rc = kerr_set(err, KERR_INTERNAL, "reports: out of memory");
    }
    khub_rows_free(r);
    r = NULL;
    if (rc == 0) {
        if (nev)
            qsort(ev, (size_t)nev, sizeof *ev, cmp_info);
        rc = khub_sql(h, checkins_lite, checkins_pg, NULL, 0, &r, err);
    }
    while (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        rc = 0;
        wevent_info k;
        snprintf(k.id, sizeof k.id, "%s", col(r, 1));
        const wevent_info *e = nev ? bsearch(&k, ev, (size_t)nev, sizeof *ev, cmp_info) : NULL;
        if (!e)
            continue;           /* a check-in at an event the hub has not received */
        wvisit v;
        memset(&v, 0, sizeof v);
        v.person = intern(pool, col(r, 0));
        v.program = e->program;
        v.event_key = e->event_key;
        memcpy(v.date, e->date, sizeof v.date);
        if (!v.person || kbuf_add(&vis, &v, sizeof v) != 0)
            rc = kerr_set(err, KERR_INTERNAL, "reports: out of memory");
    }
    khub_rows_free(r);
    free(ev);
    out->v = (wvisit *)vis.p;
    out->n = (long)(vis.len / sizeof(wvisit));
    if (rc)
        wdata_visits_free(out);
    return rc;
}

void wdata_visits_free(wvisits *v)
{
    free(v->v);
    intern_free(v->pool);
    memset(v, 0, sizeof *v);
}

/* ---- names of people -------------------------------------------------------------- */

static const char *const people_lite =
    "SELECT id, coalesce(" J_LITE("", "given") ", ''),"
    " coalesce(" J_LITE("", "family") ", '') FROM records WHERE tbl = 'people'";
static const char *const people_pg =
    "SELECT id, coalesce(" J_PG("", "given") ", ''),"
    " coalesce(" J_PG("", "family") ", '') FROM records WHERE tbl = 'people'";

static int cmp_str(const void *p, const void *q)
{
    return strcmp(*(const char *const *)p, *(const char *const *)q);
}

int wdata_people_names(khub *h, const char *const *keys, long nkeys,
                       void (*fn)(void *ctx, long i, const char *given, const char *family),
                       void *ctx, kerr *err)
{
    khub_rows *r = NULL;
    int rc = khub_sql(h, people_lite, people_pg, NULL, 0, &r, err);
    while (rc == 0 && (rc = khub_rows_next(r, err)) == 1) {
        rc = 0;
        const char *k = col(r, 0);
        const char *const *f = nkeys ? bsearch(&k, keys, (size_t)nkeys, sizeof *keys, cmp_str)
                                     : NULL;
        if (f)
            fn(ctx, (long)(f - keys), col(r, 1), col(r, 2));
    }
    khub_rows_free(r);
    return rc;
}
