/*
 * hub_export.c - merged attendance (see hub_export.h, PROTOCOL.md 7).
 *
 * Steps: resolve the event; gather the events of other kiosks with the same
 * folded name and date; load every check-in at any of them with its person;
 * merge attendees into people (union-find): same person id, or same folded
 * name and same phone digits (>= 7) or same e-mail; one row per person,
 * the earliest check-in, sorted by time; then every answer at those events,
 * reduced to one per person and question (rank_answers); and hand rows and
 * answers to the kiosk's own table writer (kiosk/core/export_writer.h), so
 * that the files have the kiosk export's columns, CSV rules and XLSX layout
 * byte for byte.  Nothing here writes a byte of a file.
 *
 * Which answer wins a cell (PROTOCOL.md 7): of one kiosk's answers, the
 * highest seq (what that kiosk's own export shows); of several kiosks'
 * winners, the latest corrected time, a known time beating an unknown one,
 * and the lowest device id among equals.  The writer is told this as a rank
 * (1 for the winner, 0 for the rest); columns are ordered by each
 * question's earliest corrected time (unknown last), the hub's stand-in for
 * the kiosk's lowest seq, or by the surveys given (--survey).
 *
 * Limits: the whole event is held in memory (an event has hundreds to a few
 * thousand check-ins); name matching compares only attendees whose folded
 * names are equal, after sorting, so it is O(n log n) plus the size of
 * groups of namesakes.
 */
#define _GNU_SOURCE
#include "hub_export.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "export_writer.h"
#include "fold.h"
#include "kbuf.h"

#define KHUB_SURVEYS_MAX 16

typedef struct attendee {
    char *person_id, *event_id, *given, *family, *phone, *email, *zip;
    char name_key[512];
    char phone_key[40];
    char email_key[256];
    int64_t time_ms;     /* corrected check-in time, or INT64_MAX if unknown */
    int time_known;
    int is_new;
    int any_new;         /* on a root: some check-in of the person was a sign-up */
    int parent;          /* union-find */
    long row;            /* on a root: its row in the table */
} attendee;

typedef struct event_set {
    char id[33];
    char name[512];
    char program[512];
    char date[16];
    char **ids;          /* this event and its namesakes at other kiosks */
    int n;
} event_set;

typedef struct answer {
    long row;
    char *survey, *question, *value, *device;
    int64_t seq, time_ms;
    int time_known;
    int wins;
} answer;

/* What the row callbacks fill: attendee[] and answer[] in growing buffers,
 * the table answers are matched against, and a sticky out of memory. */
typedef struct loaded {
    kbuf att;
    kbuf ans;
    kexport_table *t;
    int oom;
} loaded;

/* strdup of a column that may be NULL ("" then); NULL only if out of memory. */
static char *col_dup(khub_rows *st, int i)
{
    const char *t = khub_rows_text(st, i);
    return strdup(t ? t : "");
}

/* A column's text, "" when NULL. */
static const char *col_text(khub_rows *st, int i)
{
    const char *t = khub_rows_text(st, i);
    return t ? t : "";
}

/* Finds the event by id or prefix and its namesakes. */
static int resolve_event(khub *h, const char *event, event_set *es, kerr *err)
{
    size_t len = strlen(event);
    if (len < 4 || len > 32 || strspn(event, "0123456789abcdef") != len)
        return kerr_set(err, KERR_INVALID, "--event %s: expected an event id or a prefix of at least 4 hex digits",
                        event);
    khub_rows *st = NULL;
    const char *pv[] = {event};
    int found = 0, rc = khub_query(h, KHUB_Q_EVENT_PREFIX, pv, 1, &st, err);
    if (rc)
        return rc;
    while ((rc = khub_rows_next(st, err)) == 1) {
        if (++found == 1) {
            snprintf(es->id, sizeof es->id, "%s", col_text(st, 0));
            snprintf(es->name, sizeof es->name, "%s", col_text(st, 1));
            snprintf(es->date, sizeof es->date, "%s", col_text(st, 2));
            snprintf(es->program, sizeof es->program, "%s", col_text(st, 3));
        }
    }
    khub_rows_free(st);
    if (rc != 0)
        return rc;
    if (found == 0)
        return kerr_set(err, KERR_NOTFOUND, "event %s: not found on this hub", event);
    if (found > 1)
        return kerr_set(err, KERR_INVALID, "event %s: prefix matches several events, give more digits",
                        event);
    char key[512], other[512];
    kfold(es->name, key, sizeof key);
    const char *dv[] = {es->date};
    if ((rc = khub_query(h, KHUB_Q_EVENTS_ON_DATE, dv, 1, &st, err)) != 0)
        return rc;
    while ((rc = khub_rows_next(st, err)) == 1) {
        kfold(col_text(st, 1), other, sizeof other);
        if (strcmp(key, other) != 0)
            continue;
        char **ids = realloc(es->ids, (size_t)(es->n + 1) * sizeof *ids);
        if (!ids || !(ids[es->n] = col_dup(st, 0))) {
            if (ids)
                es->ids = ids;
            khub_rows_free(st);
            return kerr_set(err, KERR_INTERNAL, "read events: out of memory");
        }
        es->ids = ids;
        es->n++;
    }
    khub_rows_free(st);
    return rc;
}

/* Runs query q ($1 = an event id) for every event of es, calling fn per
 * row until fn sets l->oom; what names the rows in messages. */
static int each_row(khub *h, const event_set *es, khub_query_id q, const char *what,
                    void (*fn)(khub_rows *st, const char *event_id, loaded *l), loaded *l,
                    kerr *err)
{
    int rc = 0;
    for (int e = 0; e < es->n && rc == 0 && !l->oom; e++) {
        khub_rows *st = NULL;
        const char *pv[] = {es->ids[e]};
        if ((rc = khub_query(h, q, pv, 1, &st, err)) != 0)
            break;
        while (!l->oom && (rc = khub_rows_next(st, err)) == 1)
            fn(st, es->ids[e], l);
        if (rc == 1)
            rc = 0;
        khub_rows_free(st);
    }
    if (l->oom)
        return kerr_set(err, KERR_INTERNAL, "%s: out of memory", what);
    if (rc != 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return kerr_set(err, rc, "%s: %s", what, why);
    }
    return 0;
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

/* Frees the texts of an attendee. */
static void attendee_free(attendee *t)
{
    free(t->person_id);
    free(t->event_id);
    free(t->given);
    free(t->family);
    free(t->phone);
    free(t->email);
    free(t->zip);
}

/* Row callback: one check-in with its person becomes an attendee. */
static void take_checkin(khub_rows *st, const char *event_id, loaded *l)
{
    attendee t;
    memset(&t, 0, sizeof t);
    t.parent = (int)(l->att.len / sizeof t);
    t.person_id = col_dup(st, 0);
    t.event_id = strdup(event_id);
    t.time_known = khub_rows_text(st, 1) != NULL;
    t.time_ms = t.time_known ? khub_rows_int(st, 1) : INT64_MAX;
    t.is_new = khub_rows_int(st, 2) != 0;
    t.given = col_dup(st, 3);
    t.family = col_dup(st, 4);
    t.phone = col_dup(st, 5);
    t.email = col_dup(st, 6);
    t.zip = col_dup(st, 7);
    if (!t.person_id || !t.event_id || !t.given || !t.family || !t.phone || !t.email ||
        !t.zip || kbuf_add(&l->att, &t, sizeof t) != 0) {
        attendee_free(&t);
        l->oom = 1;
        return;
    }
    attendee *x = (attendee *)(l->att.p + l->att.len) - 1;
    char both[KIOSK_NAME_BYTES * 2 + 2];
    snprintf(both, sizeof both, "%s %s", x->given, x->family);
    kfold(both, x->name_key, sizeof x->name_key);
    phone_digits(x->phone, x->phone_key, sizeof x->phone_key);
    email_key(x->email, x->email_key, sizeof x->email_key);
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
 * phone or e-mail; -1 if out of memory. */
static int merge_people(attendee *a, int n)
{
    keyed *k = malloc((n > 0 ? (size_t)n : 1) * sizeof *k);
    if (!k)
        return -1;
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
    for (int i = 0; i < n; i++)
        if (a[i].is_new)
            a[find_root(a, i)].any_new = 1;
    return 0;
}

/* Orders roots (attendee pointers) by time, then family and given name,
 * then person id. */
static int cmp_root(const void *p, const void *q)
{
    const attendee *x = *(attendee *const *)p, *y = *(attendee *const *)q;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    int c = strcmp(x->family, y->family);
    if (!c)
        c = strcmp(x->given, y->given);
    return c ? c : strcmp(x->person_id, y->person_id);
}

/* Adds one row per person, in order of their earliest check-in, and a
 * visit for every check-in merged into it. */
static int add_rows(const event_set *es, attendee *a, int n, kexport_table *t)
{
    attendee **roots = malloc((n > 0 ? (size_t)n : 1) * sizeof *roots);
    int nroots = 0, rc = 0;
    if (!roots)
        return -1;
    for (int i = 0; i < n; i++)
        if (find_root(a, i) == i)
            roots[nroots++] = &a[i];
    qsort(roots, (size_t)nroots, sizeof *roots, cmp_root);
    for (int r = 0; r < nroots && rc == 0; r++) {
        const attendee *x = roots[r];
        char when[32] = "";
        if (x->time_known)
            kexport_time_cell(x->time_ms, when);
        const char *cells[KEXPORT_NFIXED] = {
            when, es->name, es->program, es->date, x->given, x->family, x->phone, x->email,
            x->zip, x->any_new ? "new" : "returning",
        };
        roots[r]->row = kexport_table_add_row(t, cells, es->id, x->any_new);
        rc = roots[r]->row < 0 ? -1 : 0;
    }
    for (int i = 0; i < n && rc == 0; i++)
        rc = kexport_table_add_visit(t, a[i].event_id, a[i].person_id, a[find_root(a, i)].row);
    free(roots);
    return rc;
}

/* Frees the texts of an answer. */
static void answer_free(answer *x)
{
    free(x->survey);
    free(x->question);
    free(x->value);
    free(x->device);
}

/* Row callback: one answer record, kept if its person checked in. */
static void take_answer(khub_rows *st, const char *event_id, loaded *l)
{
    const char *person = khub_rows_text(st, 0);
    const char *survey = khub_rows_text(st, 1);
    const char *question = khub_rows_text(st, 2);
    if (!person || !survey || !*survey || !question || !*question)
        return;                 /* not an answer of a kiosk schema */
    long row = kexport_table_find_visit(l->t, event_id, person);
    if (row == -1)
        return;                 /* no check-in for this answer */
    answer x;
    memset(&x, 0, sizeof x);
    x.row = row;
    x.survey = strdup(survey);
    x.question = strdup(question);
    x.value = col_dup(st, 3);
    x.device = col_dup(st, 4);
    x.seq = khub_rows_int(st, 5);
    x.time_known = khub_rows_text(st, 6) != NULL;
    x.time_ms = x.time_known ? khub_rows_int(st, 6) : INT64_MIN;
    if (row < 0 || !x.survey || !x.question || !x.value || !x.device ||
        kbuf_add(&l->ans, &x, sizeof x) != 0) {
        answer_free(&x);
        l->oom = 1;
    }
}

/* qsort order of answers by cell (row, survey, question), then kiosk, then
 * highest seq first: each kiosk's latest answer to a cell comes first. */
static int cmp_by_cell(const void *p, const void *q)
{
    const answer *x = p, *y = q;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    int c = strcmp(x->survey, y->survey);
    if (!c)
        c = strcmp(x->question, y->question);
    if (!c)
        c = strcmp(x->device, y->device);
    return c ? c : (y->seq > x->seq) - (y->seq < x->seq);
}

/* qsort order of answers as they happened: known corrected times first, in
 * time order, then by kiosk and seq. */
static int cmp_by_time(const void *p, const void *q)
{
    const answer *x = p, *y = q;
    if (x->time_known != y->time_known)
        return x->time_known ? -1 : 1;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    int c = strcmp(x->device, y->device);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Marks the answer that wins each cell (see the top of this file) and adds
 * every answer to the table in the order they happened, so that columns
 * first answered at the same time keep the order of their seq.  -1 if out
 * of memory. */
static int add_answers(answer *x, long n, kexport_table *t)
{
    if (n == 0)
        return 0;               /* x may be NULL */
    qsort(x, (size_t)n, sizeof *x, cmp_by_cell);
    for (long s = 0, e; s < n; s = e) {
        long best = s;
        for (e = s; e < n && x[e].row == x[s].row && strcmp(x[e].survey, x[s].survey) == 0 &&
                    strcmp(x[e].question, x[s].question) == 0; e++)
            if (strcmp(x[e].device, x[e == s ? e : e - 1].device) != 0 &&
                x[e].time_ms > x[best].time_ms)
                best = e;       /* a later kiosk's latest answer */
        x[best].wins = 1;
    }
    qsort(x, (size_t)n, sizeof *x, cmp_by_time);
    for (long i = 0; i < n; i++)
        if (kexport_table_add_answer(t, x[i].row, x[i].survey, x[i].question, x[i].value,
                                     x[i].wins, x[i].time_known ? x[i].time_ms : INT64_MAX) != 0)
            return -1;
    return 0;
}

/* Loads the people and answers of the event into a new table (l->t). */
static int load_table(khub *h, const khub_export_opts *o, ksurvey *const *sv, int nsv,
                      event_set *es, loaded *l, kerr *err)
{
    int rc = resolve_event(h, o->event, es, err);
    if (rc == 0)
        rc = each_row(h, es, KHUB_Q_CHECKINS, "read check-ins", take_checkin, l, err);
    if (rc)
        return rc;
    attendee *a = (attendee *)l->att.p;
    int n = (int)(l->att.len / sizeof *a);
    l->t = kexport_table_new((const ksurvey *const *)sv, nsv);
    if (!l->t || merge_people(a, n) != 0 || add_rows(es, a, n, l->t) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    rc = each_row(h, es, KHUB_Q_ANSWERS, "read answers", take_answer, l, err);
    if (rc == 0 && add_answers((answer *)l->ans.p, (long)(l->ans.len / sizeof(answer)), l->t) != 0)
        rc = kerr_set(err, KERR_INTERNAL, "export: out of memory");
    return rc;
}

/* Resolves the event, loads and merges attendees and their answers, writes
 * CSV or XLSX through the kiosk's table writer; the CSV goes to csv_out
 * when it is not NULL (o->path is then not used). */
static int export_to(khub *h, const khub_export_opts *o, FILE *csv_out, long *rows, kerr *err);

int khub_export(khub *h, const khub_export_opts *o, long *rows, kerr *err)
{
    return export_to(h, o, o->path && strcmp(o->path, "-") == 0 ? stdout : NULL, rows, err);
}

int khub_export_csv_stream(khub *h, const khub_export_opts *o, FILE *out, long *rows, kerr *err)
{
    return export_to(h, o, out, rows, err);
}

static int export_to(khub *h, const khub_export_opts *o, FILE *csv_out, long *rows, kerr *err)
{
    kexport_format fmt;
    ksurvey *sv[KHUB_SURVEYS_MAX];
    int nsv = 0, rc = 0;
    *rows = 0;
    if (!o->format || kexport_format_parse(o->format, &fmt) != 0)
        return kerr_set(err, KERR_INVALID, "--format %s: expected csv or xlsx",
                        o->format ? o->format : "(none)");
    int to_stdout = csv_out != NULL;
    if (to_stdout && fmt != KEXPORT_CSV)
        return kerr_set(err, KERR_INVALID, "-o -: xlsx cannot go to standard output, give a file name");
    if (o->nsurveys > KHUB_SURVEYS_MAX)
        return kerr_set(err, KERR_INVALID, "--survey: at most %d survey files", KHUB_SURVEYS_MAX);
    for (int i = 0; i < o->nsurveys && rc == 0; i++)
        if ((rc = ksurvey_load_file(o->survey_files[i], &sv[i], NULL, err)) == 0)
            nsv++;
    event_set es;
    loaded l;
    memset(&es, 0, sizeof es);
    memset(&l, 0, sizeof l);
    if (rc == 0)
        rc = load_table(h, o, sv, nsv, &es, &l, err);
    kexport_result res;
    if (rc == 0 && to_stdout)
        rc = kexport_table_csv_stream(l.t, csv_out, NULL, NULL, &res, err);
    else if (rc == 0)
        rc = kexport_table_write(l.t, fmt, o->path, NULL, NULL, &res, err);
    if (rc == 0)
        *rows = res.rows;
    kexport_table_free(l.t);
    for (size_t i = 0; i < l.att.len / sizeof(attendee); i++)
        attendee_free((attendee *)l.att.p + i);
    for (size_t i = 0; i < l.ans.len / sizeof(answer); i++)
        answer_free((answer *)l.ans.p + i);
    kbuf_free(&l.att);
    kbuf_free(&l.ans);
    for (int i = 0; i < es.n; i++)
        free(es.ids[i]);
    free(es.ids);
    for (int i = 0; i < nsv; i++)
        ksurvey_free(sv[i]);
    return rc;
}

/* Prints the events the hub holds with their check-in counts. */
int khub_events_list(khub *h, FILE *out, kerr *err)
{
    khub_rows *st = NULL;
    int rc = khub_query(h, KHUB_Q_EVENTS_LIST, NULL, 0, &st, err);
    if (rc)
        return rc;
    fprintf(out, "%-32s  %-10s  %-8s  %-24s  %s\n", "id", "date", "checkins", "kiosk", "name");
    while ((rc = khub_rows_next(st, err)) == 1)
        fprintf(out, "%-32s  %-10s  %8" PRId64 "  %-24s  %s\n", col_text(st, 0), col_text(st, 1),
                khub_rows_int(st, 4), col_text(st, 3), col_text(st, 2));
    khub_rows_free(st);
    return rc;
}
