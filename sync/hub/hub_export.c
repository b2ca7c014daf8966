/*
 * hub_export.c - merged attendance (see hub_export.h, PROTOCOL.md 7).
 *
 * Steps: resolve the event; gather the events of other kiosks with the same
 * folded name and date; load every check-in at any of them with its person;
 * merge attendees into people (union-find): same person id, or same folded
 * name and same phone digits (>= 7) or same e-mail; write one row per
 * person, the earliest check-in, sorted by time.
 *
 * Limits: the whole event is held in memory (an event has hundreds to a few
 * thousand check-ins); name matching compares only attendees whose folded
 * names are equal, after sorting, so it is O(n log n) plus the size of
 * groups of namesakes.
 */
#define _GNU_SOURCE
#include "hub_export.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "fold.h"
#include "kbuf.h"
#ifdef KHUB_HAVE_XLSX
#include <xlsxwriter.h>
#endif

/* The columns, in the order of the kiosk's own attendance export. */
static const char *const export_columns[] = {
    "event", "date", "checked_in", "given", "family", "phone", "email", "zip", "new",
};
#define NCOLS ((int)(sizeof export_columns / sizeof export_columns[0]))

typedef struct attendee {
    char *person_id, *given, *family, *phone, *email, *zip;
    char name_key[512];
    char phone_key[40];
    char email_key[256];
    int64_t time_ms;     /* corrected check-in time, or INT64_MAX if unknown */
    int time_known;
    int is_new;
    int parent;          /* union-find */
} attendee;

typedef struct event_set {
    char id[33];
    char name[512];
    char date[16];
    char **ids;          /* this event and its namesakes at other kiosks */
    int n;
} event_set;

/* strdup of a column that may be NULL. */
static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

/* Finds the event by id or prefix and its namesakes. */
static int resolve_event(khub *h, const char *event, event_set *es, kerr *err)
{
    sqlite3 *db = khub_db(h);
    size_t len = strlen(event);
    if (len < 4 || len > 32 || strspn(event, "0123456789abcdef") != len)
        return kerr_set(err, KERR_INVALID, "--event %s: expected an event id or a prefix of at least 4 hex digits",
                        event);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT id, coalesce(json_extract(fields, '$.name'), ''),"
                       " coalesce(json_extract(fields, '$.date'), '') FROM records"
                       " WHERE tbl = 'events' AND substr(id, 1, ?2) = ?1 LIMIT 2", -1, &st, NULL);
    sqlite3_bind_text(st, 1, event, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)len);
    int found = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (++found == 1) {
            snprintf(es->id, sizeof es->id, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(es->name, sizeof es->name, "%s", (const char *)sqlite3_column_text(st, 1));
            snprintf(es->date, sizeof es->date, "%s", (const char *)sqlite3_column_text(st, 2));
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return kerr_set(err, KERR_IO, "read events: %s", sqlite3_errmsg(db));
    if (found == 0)
        return kerr_set(err, KERR_NOTFOUND, "event %s: not found on this hub", event);
    if (found > 1)
        return kerr_set(err, KERR_INVALID, "event %s: prefix matches several events, give more digits",
                        event);
    char key[512], other[512];
    kfold(es->name, key, sizeof key);
    sqlite3_prepare_v2(db, "SELECT id, coalesce(json_extract(fields, '$.name'), '') FROM records"
                       " WHERE tbl = 'events' AND coalesce(json_extract(fields, '$.date'), '') = ?1",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, es->date, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kfold((const char *)sqlite3_column_text(st, 1), other, sizeof other);
        if (strcmp(key, other) != 0)
            continue;
        char **ids = realloc(es->ids, (size_t)(es->n + 1) * sizeof *ids);
        if (!ids)
            break;
        es->ids = ids;
        es->ids[es->n++] = col_dup(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : kerr_set(err, KERR_IO, "read events: %s", sqlite3_errmsg(db));
}

/* Keeps only the digits of a phone number. */
static void phone_digits(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        if (*in >= '0' && *in <= '9')
            out[n++] = *in;
    out[n] = '\0';
}

/* Trims and lower-cases an e-mail address. */
static void email_key(const char *in, char *out, size_t cap)
{
    while (isspace((unsigned char)*in))
        in++;
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        out[n++] = (char)tolower((unsigned char)*in);
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        n--;
    out[n] = '\0';
}

/* Loads the check-ins at the events in es, each with its person. */
static int load_attendees(khub *h, const event_set *es, attendee **out, int *n, kerr *err)
{
    sqlite3 *db = khub_db(h);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
        "SELECT json_extract(c.fields, '$.person_id'), c.corrected_ms,"
        " coalesce(json_extract(c.fields, '$.is_new'), 0),"
        " json_extract(p.fields, '$.given'), json_extract(p.fields, '$.family'),"
        " json_extract(p.fields, '$.phone'), json_extract(p.fields, '$.email'),"
        " json_extract(p.fields, '$.zip')"
        " FROM records c LEFT JOIN records p"
        "   ON p.id = json_extract(c.fields, '$.person_id') AND p.tbl = 'people'"
        " WHERE c.tbl = 'checkins' AND json_extract(c.fields, '$.event_id') = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kerr_set(err, KERR_IO, "sqlite3_prepare_v2: %s", sqlite3_errmsg(db));
    attendee *a = NULL;
    int cnt = 0, cap = 0;
    for (int e = 0; e < es->n && rc != SQLITE_NOMEM; e++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, es->ids[e], -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 64;
                attendee *p = realloc(a, (size_t)cap * sizeof *p);
                if (!p) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                a = p;
            }
            attendee *t = &a[cnt];
            memset(t, 0, sizeof *t);
            t->person_id = col_dup(st, 0);
            t->time_known = sqlite3_column_type(st, 1) != SQLITE_NULL;
            t->time_ms = t->time_known ? sqlite3_column_int64(st, 1) : INT64_MAX;
            t->is_new = sqlite3_column_int(st, 2);
            t->given = col_dup(st, 3);
            t->family = col_dup(st, 4);
            t->phone = col_dup(st, 5);
            t->email = col_dup(st, 6);
            t->zip = col_dup(st, 7);
            char both[KIOSK_NAME_BYTES * 2 + 2];
            snprintf(both, sizeof both, "%s %s", t->given, t->family);
            kfold(both, t->name_key, sizeof t->name_key);
            phone_digits(t->phone, t->phone_key, sizeof t->phone_key);
            email_key(t->email, t->email_key, sizeof t->email_key);
            t->parent = cnt;
            cnt++;
        }
    }
    sqlite3_finalize(st);
    *out = a;
    *n = cnt;
    if (rc != SQLITE_DONE)
        return kerr_set(err, rc == SQLITE_NOMEM ? KERR_INTERNAL : KERR_IO, "read check-ins: %s",
                        sqlite3_errstr(rc));
    return 0;
}

/* Union-find root with path halving. */
static int find_root(attendee *a, int i)
{
    while (a[i].parent != i) {
        a[i].parent = a[a[i].parent].parent;
        i = a[i].parent;
    }
    return i;
}

/* Joins the sets of i and j, keeping the root with the earlier check-in. */
static void join(attendee *a, int i, int j)
{
    int x = find_root(a, i), y = find_root(a, j);
    if (x == y)
        return;
    if (a[y].time_ms < a[x].time_ms || (a[y].time_ms == a[x].time_ms && y < x)) {
        int t = x;
        x = y;
        y = t;
    }
    a[y].parent = x;
}

/* 1 if two attendees are the same person by PROTOCOL.md section 7. */
static int same_person(const attendee *x, const attendee *y)
{
    if (strcmp(x->person_id, y->person_id) == 0)
        return 1;
    if (!x->name_key[0] || strcmp(x->name_key, y->name_key) != 0)
        return 0;
    if (strlen(x->phone_key) >= 7 && strcmp(x->phone_key, y->phone_key) == 0)
        return 1;
    return x->email_key[0] && strcmp(x->email_key, y->email_key) == 0;
}

/* A sort key with the attendee's index (qsort has no context argument). */
typedef struct keyed {
    const char *key;
    int i;
} keyed;

/* qsort comparison of keyed entries by key, then index. */
static int cmp_keyed(const void *p, const void *q)
{
    const keyed *x = p, *y = q;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Merges attendees into people: same person id, or namesakes sharing a
 * phone or e-mail. */
static void merge_people(attendee *a, int n)
{
    keyed *k = malloc((size_t)(n ? n : 1) * sizeof *k);
    if (!k)
        return;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++)
            k[i] = (keyed){pass == 0 ? a[i].person_id : a[i].name_key, i};
        qsort(k, (size_t)n, sizeof *k, cmp_keyed);
        for (int s = 0; s < n;) {
            int e = s + 1;
            while (e < n && strcmp(k[e].key, k[s].key) == 0)
                e++;
            for (int i = s; i < e; i++)
                for (int j = i + 1; j < e; j++)
                    if (same_person(&a[k[i].i], &a[k[j].i]))
                        join(a, k[i].i, k[j].i);
            s = e;
        }
    }
    free(k);
}

/* One output row: the attendee holding the person's earliest check-in. */
typedef struct row {
    const attendee *t;
} row;

/* Orders rows by time, then family and given name. */
static int cmp_row(const void *p, const void *q)
{
    const attendee *x = ((const row *)p)->t, *y = ((const row *)q)->t;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    int c = strcmp(x->family, y->family);
    return c ? c : strcmp(x->given, y->given);
}

/* Formats a time as local "YYYY-MM-DD HH:MM:SS", or "" if unknown. */
static void fmt_time(const attendee *t, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!t->time_known)
        return;
    time_t s = (time_t)(t->time_ms / 1000);
    struct tm tm;
    if (localtime_r(&s, &tm))
        strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The cell values of one row, in export_columns order. */
static void row_cells(const event_set *es, const attendee *t, char *time_buf, size_t cap,
                      const char *cells[NCOLS])
{
    fmt_time(t, time_buf, cap);
    cells[0] = es->name;
    cells[1] = es->date;
    cells[2] = time_buf;
    cells[3] = t->given;
    cells[4] = t->family;
    cells[5] = t->phone;
    cells[6] = t->email;
    cells[7] = t->zip;
    cells[8] = t->is_new ? "yes" : "no";
}

/* Appends one CSV field, quoted when it holds a comma, quote or newline. */
static void csv_field(kbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        kbuf_str(b, s);
        return;
    }
    kbuf_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            kbuf_add(b, "\"", 1);
        kbuf_add(b, s, 1);
    }
    kbuf_add(b, "\"", 1);
}

/* Writes the rows as CSV (RFC 4180, UTF-8, CRLF). */
static int write_csv(const char *path, const event_set *es, const row *rows, int n, kerr *err)
{
    kbuf b = {0};
    for (int c = 0; c < NCOLS; c++) {
        if (c)
            kbuf_add(&b, ",", 1);
        csv_field(&b, export_columns[c]);
    }
    kbuf_str(&b, "\r\n");
    for (int r = 0; r < n; r++) {
        char tb[32];
        const char *cells[NCOLS];
        row_cells(es, rows[r].t, tb, sizeof tb, cells);
        for (int c = 0; c < NCOLS; c++) {
            if (c)
                kbuf_add(&b, ",", 1);
            csv_field(&b, cells[c]);
        }
        kbuf_str(&b, "\r\n");
    }
    if (b.oom) {
        kbuf_free(&b);
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        kbuf_free(&b);
        return kerr_set(err, KERR_IO, "cannot create %s: %m", path);
    }
    int bad = fwrite(b.p, 1, b.len, f) != b.len;
    bad |= fclose(f) != 0;
    kbuf_free(&b);
    return bad ? kerr_set(err, KERR_IO, "write %s: %m", path) : 0;
}

#ifdef KHUB_HAVE_XLSX
/* Writes the rows as one XLSX worksheet with a bold header row. */
static int write_xlsx(const char *path, const event_set *es, const row *rows, int n, kerr *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return kerr_set(err, KERR_IO, "workbook_new: cannot create %s", path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Attendance");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (int c = 0; c < NCOLS; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, export_columns[c], bold);
    for (int r = 0; r < n; r++) {
        char tb[32];
        const char *cells[NCOLS];
        row_cells(es, rows[r].t, tb, sizeof tb, cells);
        for (int c = 0; c < NCOLS; c++)
            if (cells[c][0])
                worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, cells[c], NULL);
    }
    lxw_error e = workbook_close(wb);
    return e == LXW_NO_ERROR ? 0 : kerr_set(err, KERR_IO, "workbook_close %s: %s", path, lxw_strerror(e));
}
#endif

/* Resolves the event, loads and merges attendees, writes CSV or XLSX. */
int khub_export(khub *h, const char *event, const char *format, const char *path, int *rows_out,
                kerr *err)
{
    *rows_out = 0;
    int xlsx = strcmp(format, "xlsx") == 0;
    if (!xlsx && strcmp(format, "csv") != 0)
        return kerr_set(err, KERR_INVALID, "--format %s: expected csv or xlsx", format);
#ifndef KHUB_HAVE_XLSX
    if (xlsx)
        return kerr_set(err, KERR_INVALID, "--format xlsx: this hub was built without libxlsxwriter");
#endif
    event_set es;
    memset(&es, 0, sizeof es);
    attendee *a = NULL;
    int n = 0;
    row *rows = NULL;
    int rc = resolve_event(h, event, &es, err);
    if (rc == 0)
        rc = load_attendees(h, &es, &a, &n, err);
    if (rc == 0) {
        merge_people(a, n);
        rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
        if (!rows)
            rc = kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    int nrows = 0;
    if (rc == 0) {
        for (int i = 0; i < n; i++)
            if (find_root(a, i) == i)
                rows[nrows++].t = &a[i];
        qsort(rows, (size_t)nrows, sizeof *rows, cmp_row);
#ifdef KHUB_HAVE_XLSX
        rc = xlsx ? write_xlsx(path, &es, rows, nrows, err) : write_csv(path, &es, rows, nrows, err);
#else
        rc = write_csv(path, &es, rows, nrows, err);
#endif
    }
    if (rc == 0)
        *rows_out = nrows;
    free(rows);
    for (int i = 0; i < n; i++) {
        free(a[i].person_id);
        free(a[i].given);
        free(a[i].family);
        free(a[i].phone);
        free(a[i].email);
        free(a[i].zip);
    }
    free(a);
    for (int i = 0; i < es.n; i++)
        free(es.ids[i]);
    free(es.ids);
    return rc;
}

/* Prints the events the hub holds with their check-in counts. */
int khub_events_list(khub *h, FILE *out, kerr *err)
{
    sqlite3 *db = khub_db(h);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
        "SELECT e.id, coalesce(json_extract(e.fields, '$.date'), ''),"
        " coalesce(json_extract(e.fields, '$.name'), ''), coalesce(d.name, e.device_id),"
        " (SELECT count(*) FROM records c WHERE c.tbl = 'checkins'"
        "   AND json_extract(c.fields, '$.event_id') = e.id)"
        " FROM records e LEFT JOIN devices d ON d.device_id = e.device_id"
        " WHERE e.tbl = 'events' ORDER BY 2 DESC, 3", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kerr_set(err, KERR_IO, "sqlite3_prepare_v2: %s", sqlite3_errmsg(db));
    fprintf(out, "%-32s  %-10s  %-8s  %-24s  %s\n", "id", "date", "checkins", "kiosk", "name");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fprintf(out, "%-32s  %-10s  %8d  %-24s  %s\n", sqlite3_column_text(st, 0),
                sqlite3_column_text(st, 1), sqlite3_column_int(st, 4), sqlite3_column_text(st, 3),
                sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : kerr_set(err, KERR_IO, "read events: %s", sqlite3_errmsg(db));
}
