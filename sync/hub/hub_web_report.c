/*
 * hub_web_report.c - the web page's reports (hub_web_int.h):
 *
 *   /events/ID/answers   each survey question of the event as a bar chart
 *                        (SVG drawn here) with its counts, from the merged
 *                        attendance, so the counts are those of the file;
 *   /reports/programs    per program and month: unique people, new (first
 *                        check-in in that program ever) and returning,
 *                        sessions held, check-ins, sessions per person;
 *   /reports/grid        a program's daily attendance, person x day, as a
 *                        page and as XLSX (libxlsxwriter).
 *
 * A session is an event as the hub merges them (same date and folded
 * name at any kiosk); a person is a person id (merged ids count as one once
 * staff or the hub merged them).  The reports read every check-in once
 * (hub_web_data.c) and aggregate in memory, O(n log n).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "export_writer.h"
#include "fold.h"
#include "hub_web_int.h"

#define CHART_BARS_MAX 12       /* bars of one chart; the rest are summed up */
#define GRID_DAYS_MAX 120       /* columns of a daily grid */


/* ---- survey answers ----------------------------------------------------------------- */

typedef struct tally {
    char *label;
    long n;
} tally;

typedef struct tallies {
    tally *t;
    int n;
    long answered;
} tallies;

static void tally_add(tallies *ts, const char *label, size_t len)
{
    for (int i = 0; i < ts->n; i++)
        if (strlen(ts->t[i].label) == len && memcmp(ts->t[i].label, label, len) == 0) {
            ts->t[i].n++;
            return;
        }
    tally *nt = realloc(ts->t, (size_t)(ts->n + 1) * sizeof *nt);
    if (!nt)
        return;
    ts->t = nt;
    char *l = strndup(label, len);
    if (!l)
        return;
    ts->t[ts->n].label = l;
    ts->t[ts->n++].n = 1;
}

static int cmp_tally(const void *p, const void *q)
{
    const tally *x = p, *y = q;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* 1 if v is a list of choice keys ("a;b", "other:TEXT" allowed), as the
 * export's summary tells choice questions without their survey. */
static int is_choice_list(const char *v)
{
    while (*v) {
        size_t n = strcspn(v, ";");
        if (n >= 6 && strncmp(v, "other:", 6) == 0) {
            /* a write-in: its text may hold anything but ';' */
        } else if (n == 0 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") < n) {
            return 0;
        }
        v += n;
        if (*v == ';')
            v++;
    }
    return 1;
}

/* Draws one bar chart: a label above each bar, its count after it. */
static void bar_chart(wreq *r, kbuf *b, int id, const char *question, const tallies *ts, long rest,
                      int nrest)
{
    int bars = ts->n < CHART_BARS_MAX ? ts->n : CHART_BARS_MAX;
    long max = 1;
    for (int i = 0; i < bars; i++)
        if (ts->t[i].n > max)
            max = ts->t[i].n;
    int rows = bars + (nrest > 0);
    int h = rows * 44 + 8;
    khtml(b, "<figure class=\"chart\"><figcaption id=\"q%d\">%s <small>(", id, question);
    char ans[80];
    char n1[24];
    snprintf(n1, sizeof n1, "%ld", ts->answered);
    wfmt(r, ans, sizeof ans, "{n} answered", "n", n1, NULL);
    khtml(b, "%s)</small></figcaption><svg viewBox=\"0 0 340 %d\" width=\"340\" height=\"%d\" "
          "role=\"img\" aria-labelledby=\"q%d d%d\"><desc id=\"d%d\">", ans, h, h, id, id, id);
    for (int i = 0; i < bars; i++)
        khtml(b, "%s: %D. ", ts->t[i].label, (int64_t)ts->t[i].n);
    if (nrest > 0) {
        char more[120];
        char n2[24];
        snprintf(n2, sizeof n2, "%d", nrest);
        wfmt(r, more, sizeof more, "{n} other answers", "n", n2, NULL);
        khtml(b, "%s: %D.", more, (int64_t)rest);
    }
    khtml(b, "</desc>");
    for (int i = 0; i < rows; i++) {
        int y = i * 44 + 4;
        const char *label;
        long n;
        char more[120];
        if (i < bars) {
            label = ts->t[i].label;
            n = ts->t[i].n;
        } else {
            char n3[24];
            snprintf(n3, sizeof n3, "%d", nrest);
            wfmt(r, more, sizeof more, "{n} other answers", "n", n3, NULL);
            label = more;
            n = rest;
        }
        int w = (int)(260 * n / (max > rest ? max : rest > 0 ? rest : 1));
        if (w < 2)
            w = 2;
        khtml(b, "<text x=\"0\" y=\"%d\" class=\"label\">%s</text>"
              "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\" class=\"bar%S\"/>"
              "<text x=\"%d\" y=\"%d\" class=\"count\">%D</text>",
              y + 14, label, y + 20, w, i < bars ? "" : " rest", w + 6, y + 34, (int64_t)n);
    }
    khtml(b, "</svg></figure>");
}

enum MHD_Result wpage_answers(wreq *r, const char *event_id)
{
    wtable t;
    kerr e = {0};
    int rc = wdata_attendance(r->w->hub, event_id, &t, &e);
    if (rc == KERR_NOTFOUND || rc == KERR_INVALID)
        return wpage_message(r, 404, wtr(r, "No such event"), e.msg);
    if (rc)
        return wpage_message(r, 500, wtr(r, "Something went wrong"), e.msg);
    char title[700];
    wfmt(r, title, sizeof title, "Survey answers: {event}", "event", t.event_name, NULL);
    kbuf b = {0};
    wpage_begin(r, &b, title, "/");
    khtml(&b, "<p><a href=\"/events/%s\">%s</a></p>", event_id, wtr(r, "Back to the attendance"));
    int charts = 0;
    for (int k = KEXPORT_NFIXED; k < t.ncols; k++) {
        tallies ts;
        memset(&ts, 0, sizeof ts);
        int choice = 1;
        for (int i = 1; i < t.nrows && choice; i++)
            if (t.rows[i][k][0] && !is_choice_list(t.rows[i][k]))
                choice = 0;
        for (int i = 1; i < t.nrows; i++) {
            const char *v = t.rows[i][k];
            if (!v[0])
                continue;
            ts.answered++;
            if (!choice) {
                tally_add(&ts, v, strlen(v));
                continue;
            }
            while (*v) {
                size_t n = strcspn(v, ";");
                if (n >= 6 && strncmp(v, "other:", 6) == 0)
                    tally_add(&ts, "other", 5);
                else
                    tally_add(&ts, v, n);
                v += n;
                if (*v == ';')
                    v++;
            }
        }
        if (ts.n)
            qsort(ts.t, (size_t)ts.n, sizeof *ts.t, cmp_tally);
        long rest = 0;
        for (int i = CHART_BARS_MAX; i < ts.n; i++)
            rest += ts.t[i].n;
        if (ts.answered > 0)
            bar_chart(r, &b, charts++, t.rows[0][k], &ts,
                      rest, ts.n > CHART_BARS_MAX ? ts.n - CHART_BARS_MAX : 0);
        for (int i = 0; i < ts.n; i++)
            free(ts.t[i].label);
        free(ts.t);
    }
    if (!charts)
        khtml(&b, "<p class=\"empty\">%s</p>", wtr(r, "No survey answers at this event."));
    wdata_table_free(&t);
    return wpage_send(r, &b, 200);
}

/* ---- program report --------------------------------------------------------------- */

/* Visits ordered by program, person, date, event. */
static int cmp_visit(const void *p, const void *q)
{
    const wvisit *x = p, *y = q;
    int c = strcmp(x->program, y->program);
    if (!c)
        c = strcmp(x->person, y->person);
    if (!c)
        c = strcmp(x->date, y->date);
    return c ? c : strcmp(x->event_key, y->event_key);
}

typedef struct month_row {
    const char *program;
    char month[8];
    long people, fresh, returning, checkins, sessions;
} month_row;

typedef struct months {
    month_row *m;
    int n;
    month_row *total;       /* one per program: people and new in the whole range */
    int ntotal;
} months;

/* The whole-range row of a program, made if missing; NULL if out of memory. */
static month_row *total_of(months *ms, const char *program)
{
    for (int i = 0; i < ms->ntotal; i++)
        if (ms->total[i].program == program)
            return &ms->total[i];
    month_row *n = realloc(ms->total, (size_t)(ms->ntotal + 1) * sizeof *n);
    if (!n)
        return NULL;
    ms->total = n;
    memset(&n[ms->ntotal], 0, sizeof *n);
    n[ms->ntotal].program = program;
    return &n[ms->ntotal++];
}

/* The row of (program, month), made if missing; NULL if out of memory. */
static month_row *month_at(months *ms, const char *program, const char *month)
{
    for (int i = ms->n - 1; i >= 0; i--)
        if (ms->m[i].program == program && strncmp(ms->m[i].month, month, 7) == 0)
            return &ms->m[i];
    month_row *n = realloc(ms->m, (size_t)(ms->n + 1) * sizeof *n);
    if (!n)
        return NULL;
    ms->m = n;
    month_row *x = &n[ms->n++];
    memset(x, 0, sizeof *x);
    x->program = program;
    snprintf(x->month, sizeof x->month, "%.7s", month);
    return x;
}

static int cmp_month_row(const void *p, const void *q)
{
    const month_row *x = p, *y = q;
    int c = strcmp(x->program, y->program);
    return c ? c : strcmp(x->month, y->month);
}

/* Sessions held: distinct (program, event) per month. */
static int cmp_visit_event(const void *p, const void *q)
{
    const wvisit *x = p, *y = q;
    int c = strcmp(x->program, y->program);
    return c ? c : strcmp(x->event_key, y->event_key);
}

/* 1 if s is YYYY-MM. */
static int is_month(const char *s)
{
    return s && strlen(s) == 7 && s[4] == '-' && strspn(s, "0123456789-") == 7;
}

/* 1 if s is YYYY-MM-DD. */
static int is_date(const char *s)
{
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && strspn(s, "0123456789-") == 10;
}

/* The month n months before YYYY-MM m. */
static void month_minus(const char *m, int n, char out[8])
{
    int y = atoi(m), mo = atoi(m + 5) - 1 - n;
    while (mo < 0) {
        mo += 12;
        y--;
    }
    snprintf(out, 8, "%04d-%02d", (y % 10000 + 10000) % 10000, (mo % 12) + 1);
}

enum MHD_Result wpage_programs(wreq *r)
{
    wvisits v;
    kerr e = {0};
    if (wdata_visits(r->w->hub, &v, &e))
        return wpage_message(r, 500, wtr(r, "Something went wrong"), e.msg);
    char to[8], from[8], latest[11] = "";
    for (long i = 0; i < v.n; i++)
        if (strcmp(v.v[i].date, latest) > 0)
            memcpy(latest, v.v[i].date, sizeof latest);
    const char *af = warg(r, "from"), *at = warg(r, "to");
    if (is_month(at))
        snprintf(to, sizeof to, "%s", at);
    else if (latest[0])
        snprintf(to, sizeof to, "%.7s", latest);
    else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        snprintf(to, sizeof to, "%04d-%02d", ((tm.tm_year + 1900) % 10000 + 10000) % 10000,
                 (tm.tm_mon % 12 + 12) % 12 + 1);
    }
    if (is_month(af))
        snprintf(from, sizeof from, "%s", af);
    else
        month_minus(to, 11, from);
    months ms = {0};
    int oom = 0;
    if (v.n) {
        qsort(v.v, (size_t)v.n, sizeof *v.v, cmp_visit);
        for (long s = 0, end; s < v.n; s = end) {
            /* one (program, person): their first month ever in it */
            end = s;
            while (end < v.n && v.v[end].program == v.v[s].program && v.v[end].person == v.v[s].person)
                end++;
            const char *first = v.v[s].date;
            char cur[8] = "";
            int counted = 0;
            for (long i = s; i < end; i++) {
                const wvisit *x = &v.v[i];
                if (i > s && x->event_key == v.v[i - 1].event_key)
                    continue;           /* the same session twice (two kiosks) */
                if (strncmp(x->date, from, 7) < 0 || strncmp(x->date, to, 7) > 0)
                    continue;
                month_row *m = month_at(&ms, x->program, x->date);
                if (!m) {
                    oom = 1;
                    break;
                }
                m->checkins++;
                if (!counted) {
                    month_row *t = total_of(&ms, x->program);
                    if (!t) {
                        oom = 1;
                        break;
                    }
                    counted = 1;
                    t->people++;
                    if (strncmp(first, from, 7) >= 0)
                        t->fresh++;
                }
                if (strncmp(cur, x->date, 7) != 0) {
                    snprintf(cur, sizeof cur, "%.7s", x->date);
                    m->people++;
                    if (strncmp(first, x->date, 7) == 0)
                        m->fresh++;
                    else
                        m->returning++;
                }
            }
        }
        qsort(v.v, (size_t)v.n, sizeof *v.v, cmp_visit_event);
        for (long i = 0; i < v.n && !oom; i++) {
            const wvisit *x = &v.v[i];
            if (i > 0 && x->program == v.v[i - 1].program && x->event_key == v.v[i - 1].event_key)
                continue;
            if (strncmp(x->date, from, 7) < 0 || strncmp(x->date, to, 7) > 0)
                continue;
            month_row *m = month_at(&ms, x->program, x->date);
            if (!m)
                oom = 1;
            else
                m->sessions++;
        }
        if (ms.n)
            qsort(ms.m, (size_t)ms.n, sizeof *ms.m, cmp_month_row);
    }
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "Program report"), "/reports/programs");
    khtml(&b, "<p>%s</p>", wtr(r, "Per program and month: people who came (each counted once), "
                                "those who came to the program for the first time (new) and the "
                                "others (returning), sessions held, check-ins and sessions per "
                                "person."));
    khtml(&b, "<form class=\"search\" method=\"get\" action=\"/reports/programs\">"
          "<p><label for=\"from\">%s</label><input id=\"from\" name=\"from\" type=\"month\" "
          "value=\"%s\" pattern=\"[0-9]{4}-[0-9]{2}\"></p><p><label for=\"to\">%s</label>"
          "<input id=\"to\" name=\"to\" type=\"month\" value=\"%s\" pattern=\"[0-9]{4}-[0-9]{2}\">"
          "</p><p><button type=\"submit\">%s</button></p></form>",
          wtr(r, "From month"), from, wtr(r, "To month"), to, wtr(r, "Show"));
    if (oom)
        khtml(&b, "<p class=\"message\" role=\"alert\">%s</p>", wtr(r, "Out of memory."));
    int tables = 0;
    for (int s = 0, end; s < ms.n; s = end) {
        end = s;
        long tp = 0, tf = 0, tr = 0, tc = 0, ts = 0;
        while (end < ms.n && ms.m[end].program == ms.m[s].program)
            end++;
        const char *prog = ms.m[s].program[0] ? ms.m[s].program : wtr(r, "(no program)");
        khtml(&b, "<section aria-labelledby=\"p%d\"><h2 id=\"p%d\">%s</h2>"
              "<div class=\"scroll\" role=\"region\" aria-labelledby=\"p%d\" tabindex=\"0\"><table>"
              "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
              "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
              "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
              "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
              tables, tables, prog, tables, wtr(r, "Month"), wtr(r, "People"), wtr(r, "New"),
              wtr(r, "Returning"), wtr(r, "Sessions"), wtr(r, "Check-ins"),
              wtr(r, "Sessions per person"));
        for (int i = s; i < end; i++) {
            const month_row *m = &ms.m[i];
            char per[32];
            snprintf(per, sizeof per, "%.1f", m->people ? (double)m->checkins / m->people : 0.0);
            khtml(&b, "<tr><th scope=\"row\">%s</th><td class=\"num\">%D</td><td class=\"num\">%D</td>"
                  "<td class=\"num\">%D</td><td class=\"num\">%D</td><td class=\"num\">%D</td>"
                  "<td class=\"num\">%s</td></tr>", m->month, (int64_t)m->people,
                  (int64_t)m->fresh, (int64_t)m->returning, (int64_t)m->sessions,
                  (int64_t)m->checkins, per);
            tp += m->people;
            tf += m->fresh;
            tr += m->returning;
            tc += m->checkins;
            ts += m->sessions;
        }
        (void)tp;
        (void)tr;
        (void)tf;
        /* the whole range counts each person once, not once per month */
        const month_row *t = total_of(&ms, ms.m[s].program);
        long people = t ? t->people : 0, fresh = t ? t->fresh : 0;
        char per[32];
        snprintf(per, sizeof per, "%.1f", people ? (double)tc / people : 0.0);
        khtml(&b, "</tbody><tfoot><tr><th scope=\"row\">%s</th><td class=\"num\">%D</td>"
              "<td class=\"num\">%D</td><td class=\"num\">%D</td><td class=\"num\">%D</td>"
              "<td class=\"num\">%D</td><td class=\"num\">%s</td></tr></tfoot></table></div>"
              "<p><a href=\"/reports/grid?program=%u\">%s</a></p></section>",
              wtr(r, "Whole range"), (int64_t)people, (int64_t)fresh, (int64_t)(people - fresh),
              (int64_t)ts, (int64_t)tc, per, ms.m[s].program,
              wtr(r, "Daily attendance of this program"));
        tables++;
    }
    if (!tables)
        khtml(&b, "<p class=\"empty\">%s</p>", wtr(r, "No check-ins in these months."));
    free(ms.m);
    free(ms.total);
    wdata_visits_free(&v);
    return wpage_send(r, &b, 200);
}

/* ---- daily attendance grid ------------------------------------------------------------ */

typedef struct grid_person {
    const char *key;
    char *given, *family;
    char sort[600];
    unsigned char *days;    /* one per column: attended */
    int total;
} grid_person;

static int cmp_cstr(const void *p, const void *q)
{
    return strcmp(*(const char *const *)p, *(const char *const *)q);
}

static int cmp_grid_person(const void *p, const void *q)
{
    const grid_person *x = p, *y = q;
    int c = strcmp(x->sort, y->sort);
    return c ? c : strcmp(x->key, y->key);
}

typedef struct grid {
    grid_person *p;
    long n;
    const char **keys;      /* sorted, parallel to p before the sort by name */
    char days[GRID_DAYS_MAX][11];
    int ndays;
    long *per_day;
} grid;

/* wdata_people_names callback. */
static void take_name(void *ctx, long i, const char *given, const char *family)
{
    grid *g = ctx;
    if (g->p[i].given)
        return;             /* the first record of an id names it */
    g->p[i].given = strdup(given);
    g->p[i].family = strdup(family);
}

static void grid_free(grid *g)
{
    for (long i = 0; i < g->n; i++) {
        free(g->p[i].given);
        free(g->p[i].family);
        free(g->p[i].days);
    }
    free(g->p);
    free(g->keys);
    free(g->per_day);
    memset(g, 0, sizeof *g);
}

/* Builds the grid of program between from and to (dates, inclusive). */
static int grid_build(khub *h, const wvisits *v, const char *program, const char *from,
                      const char *to, grid *g, kerr *err)
{
    memset(g, 0, sizeof *g);
    /* the days with a session of the program, in range */
    for (long i = 0; i < v->n; i++) {
        const wvisit *x = &v->v[i];
        if (strcmp(x->program, program) != 0 || strcmp(x->date, from) < 0 || strcmp(x->date, to) > 0)
            continue;
        int d;
        for (d = 0; d < g->ndays && strcmp(g->days[d], x->date) != 0; d++)
            ;
        if (d == g->ndays && g->ndays < GRID_DAYS_MAX)
            memcpy(g->days[g->ndays++], x->date, 11);
    }
    qsort(g->days, (size_t)g->ndays, sizeof g->days[0], (int (*)(const void *, const void *))strcmp);
    /* the people, by id */
    const char **keys = malloc(((size_t)v->n + 1) * sizeof *keys);
    if (!keys)
        return kerr_set(err, KERR_INTERNAL, "grid: out of memory");
    long nk = 0;
    for (long i = 0; i < v->n; i++) {
        const wvisit *x = &v->v[i];
        if (strcmp(x->program, program) == 0 && strcmp(x->date, from) >= 0 &&
            strcmp(x->date, to) <= 0)
            keys[nk++] = x->person;
    }
    qsort(keys, (size_t)nk, sizeof *keys, cmp_cstr);
    long u = 0;
    for (long i = 0; i < nk; i++)
        if (u == 0 || strcmp(keys[u - 1], keys[i]) != 0)
            keys[u++] = keys[i];
    g->keys = keys;
    g->n = u;
    g->p = calloc((size_t)(u ? u : 1), sizeof *g->p);
    g->per_day = calloc((size_t)(g->ndays ? g->ndays : 1), sizeof *g->per_day);
    if (!g->p || !g->per_day)
        return kerr_set(err, KERR_INTERNAL, "grid: out of memory");
    for (long i = 0; i < u; i++) {
        g->p[i].key = keys[i];
        if (!(g->p[i].days = calloc((size_t)(g->ndays ? g->ndays : 1), 1)))
            return kerr_set(err, KERR_INTERNAL, "grid: out of memory");
    }
    for (long i = 0; i < v->n; i++) {
        const wvisit *x = &v->v[i];
        if (strcmp(x->program, program) != 0)
            continue;
        const char **k = bsearch(&x->person, keys, (size_t)u, sizeof *keys, cmp_cstr);
        if (!k)
            continue;
        for (int d = 0; d < g->ndays; d++)
            if (strcmp(g->days[d], x->date) == 0 && !g->p[k - keys].days[d]) {
                g->p[k - keys].days[d] = 1;
                g->p[k - keys].total++;
                g->per_day[d]++;
            }
    }
    int rc = wdata_people_names(h, keys, u, take_name, g, err);
    if (rc)
        return rc;
    for (long i = 0; i < u; i++) {
        grid_person *p = &g->p[i];
        char both[600];
        snprintf(both, sizeof both, "%s %s", p->family ? p->family : "", p->given ? p->given : "");
        kfold(both, p->sort, sizeof p->sort);
    }
    qsort(g->p, (size_t)u, sizeof *g->p, cmp_grid_person);
    return 0;
}

/* The grid as XLSX: one sheet, names then a column per day, totals. */
static int grid_xlsx(wreq *r, const grid *g, const char *program, kbuf *out, kerr *err)
{
    char dir[512], path[600];
    if (wtemp_dir(dir, sizeof dir) != 0)
        return kerr_set(err, KERR_IO, "cannot make a temporary folder: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/grid.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    int rc = 0;
    if (!wb)
        rc = kerr_set(err, KERR_IO, "cannot write %s", path);
    if (rc == 0) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, "Attendance");
        lxw_format *bold = workbook_add_format(wb);
        format_set_bold(bold);
        worksheet_write_string(ws, 0, 0, wtr(r, "Program"), bold);
        worksheet_write_string(ws, 0, 1, program, NULL);
        worksheet_write_string(ws, 2, 0, wtr(r, "Given name"), bold);
        worksheet_write_string(ws, 2, 1, wtr(r, "Family name"), bold);
        for (int d = 0; d < g->ndays; d++)
            worksheet_write_string(ws, 2, (lxw_col_t)(2 + d), g->days[d], bold);
        worksheet_write_string(ws, 2, (lxw_col_t)(2 + g->ndays), wtr(r, "Days"), bold);
        for (long i = 0; i < g->n; i++) {
            const grid_person *p = &g->p[i];
            lxw_row_t row = (lxw_row_t)(3 + i);
            worksheet_write_string(ws, row, 0, p->given ? p->given : "", NULL);
            worksheet_write_string(ws, row, 1, p->family ? p->family : "", NULL);
            for (int d = 0; d < g->ndays; d++)
                if (p->days[d])
                    worksheet_write_number(ws, row, (lxw_col_t)(2 + d), 1, NULL);
            worksheet_write_number(ws, row, (lxw_col_t)(2 + g->ndays), p->total, NULL);
        }
        lxw_row_t last = (lxw_row_t)(3 + g->n);
        worksheet_write_string(ws, last, 0, wtr(r, "People present"), bold);
        for (int d = 0; d < g->ndays; d++)
            worksheet_write_number(ws, last, (lxw_col_t)(2 + d), (double)g->per_day[d], bold);
        worksheet_freeze_panes(ws, 3, 2);
        worksheet_set_column(ws, 0, 1, 18, NULL);
        worksheet_set_column(ws, 2, (lxw_col_t)(2 + g->ndays), 11, NULL);
        if (workbook_close(wb) != LXW_NO_ERROR)
            rc = kerr_set(err, KERR_IO, "cannot write %s", path);
    }
    if (rc == 0) {
        FILE *f = fopen(path, "rb");
        char tmp[65536];
        size_t n;
        if (!f)
            rc = kerr_set(err, KERR_IO, "cannot read back %s", path);
        while (f && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
            kbuf_add(out, tmp, n);
        if (f)
            fclose(f);
    }
    unlink(path);
    rmdir(dir);
    return rc;
}

enum MHD_Result wpage_grid(wreq *r, int xlsx)
{
    wvisits v;
    kerr e = {0};
    if (wdata_visits(r->w->hub, &v, &e))
        return wpage_message(r, 500, wtr(r, "Something went wrong"), e.msg);
    /* programs offered: every program with a check-in, in name order */
    const char **progs = malloc(((size_t)v.n + 1) * sizeof *progs);
    long np = 0;
    for (long i = 0; progs && i < v.n; i++)
        progs[np++] = v.v[i].program;
    if (progs && np) {
        qsort(progs, (size_t)np, sizeof *progs, cmp_cstr);
        long u = 0;
        for (long i = 0; i < np; i++)
            if (u == 0 || strcmp(progs[u - 1], progs[i]) != 0)
                progs[u++] = progs[i];
        np = u;
    }
    const char *program = warg(r, "program");
    if (!program && np)
        program = progs[0];
    /* default range: the last 14 session days of the program */
    char from[11] = "", to[11] = "";
    const char *af = warg(r, "from"), *at = warg(r, "to");
    if (program) {
        for (long i = 0; i < v.n; i++)
            if (strcmp(v.v[i].program, program) == 0 && strcmp(v.v[i].date, to) > 0)
                memcpy(to, v.v[i].date, sizeof to);
        if (to[0]) {
            struct tm tm;
            memset(&tm, 0, sizeof tm);
            tm.tm_year = atoi(to) - 1900;
            tm.tm_mon = atoi(to + 5) - 1;
            tm.tm_mday = atoi(to + 8) - 13;
            tm.tm_hour = 12;
            mktime(&tm);
            strftime(from, sizeof from, "%Y-%m-%d", &tm);
        }
    }
    if (is_date(af))
        snprintf(from, sizeof from, "%s", af);
    if (is_date(at))
        snprintf(to, sizeof to, "%s", at);
    grid g;
    memset(&g, 0, sizeof g);
    int rc = program && from[0] && to[0] ? grid_build(r->w->hub, &v, program, from, to, &g, &e) : 0;
    if (rc) {
        grid_free(&g);
        free(progs);
        wdata_visits_free(&v);
        return wpage_message(r, 500, wtr(r, "Something went wrong"), e.msg);
    }
    if (xlsx) {
        kbuf data = {0};
        enum MHD_Result ok;
        if (!program)
            ok = wpage_message(r, 404, wtr(r, "Daily attendance"), wtr(r, "No program chosen."));
        else if (grid_xlsx(r, &g, program, &data, &e) != 0 || data.oom)
            ok = wpage_message(r, 500, wtr(r, "Something went wrong"), e.msg);
        else
            ok = wsend_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "daily-attendance.xlsx", data.p ? data.p : "", data.len);
        kbuf_free(&data);
        grid_free(&g);
        free(progs);
        wdata_visits_free(&v);
        return ok;
    }
    kbuf b = {0};
    wpage_begin(r, &b, wtr(r, "Daily attendance"), "/reports/grid");
    khtml(&b, "<form class=\"search\" method=\"get\" action=\"/reports/grid\"><p><label for=\"program\">"
          "%s</label><select id=\"program\" name=\"program\">", wtr(r, "Program"));
    for (long i = 0; i < np; i++)
        khtml(&b, "<option value=\"%s\"%S>%s</option>", progs[i],
              program && strcmp(progs[i], program) == 0 ? " selected" : "",
              progs[i][0] ? progs[i] : wtr(r, "(no program)"));
    khtml(&b, "</select></p><p><label for=\"from\">%s</label><input id=\"from\" name=\"from\" "
          "type=\"date\" value=\"%s\"></p><p><label for=\"to\">%s</label><input id=\"to\" name=\"to\" "
          "type=\"date\" value=\"%s\"></p><p><button type=\"submit\">%s</button></p></form>",
          wtr(r, "From"), from, wtr(r, "To"), to, wtr(r, "Show"));
    if (!program || g.ndays == 0) {
        khtml(&b, "<p class=\"empty\">%s</p>", wtr(r, "No sessions of this program in these days."));
    } else {
        khtml(&b, "<ul class=\"actions\"><li><a class=\"button\" href=\"/reports/grid.xlsx?program=%u"
              "&amp;from=%u&amp;to=%u\" download>%s</a></li></ul>", program, from, to,
              wtr(r, "Download XLSX"));
        char cap[300];
        char n1[24], n2[24];
        snprintf(n1, sizeof n1, "%ld", g.n);
        snprintf(n2, sizeof n2, "%d", g.ndays);
        wfmt(r, cap, sizeof cap, "{people} people, {days} session days", "people", n1, "days", n2,
             NULL);
        khtml(&b, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"g-cap\" tabindex=\"0\">"
              "<table class=\"grid\"><caption id=\"g-cap\">%s</caption><thead><tr>"
              "<th scope=\"col\">%s</th>", cap, wtr(r, "Name"));
        for (int d = 0; d < g.ndays; d++)
            khtml(&b, "<th scope=\"col\" class=\"day\"><span class=\"md\">%s</span></th>",
                  g.days[d] + 5);
        khtml(&b, "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>", wtr(r, "Days"));
        for (long i = 0; i < g.n; i++) {
            const grid_person *p = &g.p[i];
            if ((p->given && p->given[0]) || (p->family && p->family[0]))
                khtml(&b, "<tr><th scope=\"row\" class=\"name\">%s %s</th>", p->given ? p->given : "",
                      p->family ? p->family : "");
            else            /* forgotten: an anonymous row that still counts */
                khtml(&b, "<tr><th scope=\"row\" class=\"name\">%s</th>", wtr(r, "(name removed)"));
            for (int d = 0; d < g.ndays; d++)
                khtml(&b, p->days[d] ? "<td class=\"yes\"><span aria-hidden=\"true\">●</span>"
                      "<span class=\"sr\">%s</span></td>" : "<td class=\"no\"><span class=\"sr\">%s"
                      "</span></td>", p->days[d] ? wtr(r, "present") : wtr(r, "absent"));
            khtml(&b, "<td class=\"num\">%d</td></tr>", p->total);
        }
        khtml(&b, "</tbody><tfoot><tr><th scope=\"row\">%s</th>", wtr(r, "People present"));
        for (int d = 0; d < g.ndays; d++)
            khtml(&b, "<td class=\"num\">%D</td>", (int64_t)g.per_day[d]);
        khtml(&b, "<td></td></tr></tfoot></table></div>");
    }
    grid_free(&g);
    free(progs);
    wdata_visits_free(&v);
    return wpage_send(r, &b, 200);
}
