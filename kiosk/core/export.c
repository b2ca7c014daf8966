/*
 * export.c - the kiosk's attendance files (see export.h for the rows in
 * scope and export_writer.h for the columns, the formats and the safe
 * write).
 *
 * Steps: the survey columns in scope (one grouped query), the number of
 * rows (the store's totals), then the rows one at a time from the store's
 * attendance cursor, each check-in with its visit's answers (the highest
 * seq wins its cell); export_writer.c pulls them and writes the file.
 * Nothing but the row in hand is kept: memory does not grow with the
 * export.  A person has at most one check-in per event (UNIQUE in the
 * store), so a visit is one row.  Answers of people not checked in (none
 * are written today) are left out.
 *
 * This file adds the store, the file names and the folder; it writes no
 * byte of the files itself.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fold.h"

#define PATH_BYTES 4096

/* The store's attendance cursor as a source of rows for the writer. */
typedef struct streamer {
    kattend_cursor *cur;
    kexport_column *cols;
    int ncols, capcols, last;
    const char **answers;           /* per column, for the row in hand */
    int64_t *rank;
    char when[32];
    int oom;
} streamer;

/* Store callback: one survey column. */
static int take_column(const char *survey, const char *question, int64_t first, void *ctx)
{
    streamer *m = ctx;
    if (m->ncols == m->capcols) {
        int cap = m->capcols ? m->capcols * 2 : 16;
        kexport_column *c = realloc(m->cols, (size_t)cap * sizeof *c);
        if (!c)
            goto oom;
        m->cols = c;
        m->capcols = cap;
    }
    kexport_column *c = &m->cols[m->ncols];
    c->survey = strdup(survey);
    c->question = strdup(question);
    c->first = first;
    m->ncols++;
    if (c->survey && c->question)
        return 0;
oom:
    m->oom = 1;
    return KERR_INTERNAL;
}

/* The column of an answer, -1 if none (it was not in scope). */
static int column(streamer *m, const kattend_answer *a)
{
    for (int k = 0; k < m->ncols; k++) {
        int i = (m->last + k) % m->ncols;           /* answers come in runs */
        if (strcmp(m->cols[i].question, a->question_key) == 0 &&
            strcmp(m->cols[i].survey, a->survey_key) == 0)
            return m->last = i;
    }
    return -1;
}

/* Source callback: the next check-in, its latest answer per column. */
static int next_row(void *ctx, kexport_row *row, kerr *err)
{
    streamer *m = ctx;
    kattendance r;
    const kattend_answer *ans;
    int nans;
    int rc = kstore_attendance_next(m->cur, &r, &ans, &nans, err);
    if (rc != 1)
        return rc;
    kexport_time_cell(r.wall_ms, m->when);
    const char *cells[KEXPORT_NFIXED] = {
        m->when, r.event_name, r.program, r.event_date, r.given, r.family,
        r.phone, r.email, r.zip, r.is_new ? "new" : "returning",
    };
    memcpy(row->cell, cells, sizeof cells);
    row->event_id = r.event_id;
    row->is_new = r.is_new;
    for (int i = 0; i < m->ncols; i++)
        m->answers[i] = NULL;
    for (int k = 0; k < nans; k++) {
        int i = column(m, &ans[k]);
        if (i >= 0 && (!m->answers[i] || ans[k].seq > m->rank[i])) {
            m->answers[i] = ans[k].value;
            m->rank[i] = ans[k].seq;
        }
    }
    row->answers = m->answers;
    return 1;
}

/* Frees what a streamer holds. */
static void streamer_free(streamer *m)
{
    kstore_attendance_close(m->cur);
    for (int i = 0; i < m->ncols; i++) {
        free((char *)m->cols[i].survey);
        free((char *)m->cols[i].question);
    }
    free(m->cols);
    free(m->answers);
    free(m->rank);
}

/* Streams the rows in scope to path, or as CSV to stream when path is
 * NULL. */
static int stream_out(kstore *s, const kexport_opts *o, const char *path, FILE *stream,
                      kexport_result *res, kerr *err)
{
    streamer m;
    kexport_source src;
    memset(&m, 0, sizeof m);
    memset(&src, 0, sizeof src);
    int ret = kstore_attendance_columns(s, &o->scope, take_column, &m, err);
    if (ret == KERR_INTERNAL && m.oom)
        ret = kerr_set(err, KERR_INTERNAL, "export: out of memory reading survey columns");
    if (ret == 0)
        ret = kstore_attendance_count(s, &o->scope, &src.nrows, err);
    if (ret == 0) {
        m.answers = calloc((size_t)(m.ncols ? m.ncols : 1), sizeof *m.answers);
        m.rank = calloc((size_t)(m.ncols ? m.ncols : 1), sizeof *m.rank);
        if (!m.answers || !m.rank)
            ret = kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    if (ret == 0)
        ret = kstore_attendance_open(s, &o->scope, &m.cur, err);
    if (ret == 0) {
        src.ncols = m.ncols;
        src.cols = m.cols;
        src.next = next_row;
        src.ctx = &m;
        ret = path ? kexport_source_write(&src, o->surveys, o->nsurveys, o->format, path,
                                          o->progress, o->progress_ctx, res, err)
                   : kexport_source_csv_stream(&src, o->surveys, o->nsurveys, stream,
                                               o->progress, o->progress_ctx, res, err);
    }
    streamer_free(&m);
    return ret;
}

/* Writes the CSV to an open stream. */
int kexport_csv_stream(kstore *s, const kexport_opts *o, FILE *stream,
                       kexport_result *res, kerr *err)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!o || !stream)
        return kerr_set(err, KERR_INVALID, "kexport_csv_stream: options and stream "
                        "are required");
    return stream_out(s, o, NULL, stream, res, err);
}

/* Writes the attendance file to path (safe write). */
int kexport_write(kstore *s, const kexport_opts *o, const char *path,
                  kexport_result *res, kerr *err)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!o || !path || !*path)
        return kerr_set(err, KERR_INVALID, "kexport_write: options and a file name "
                        "are required");
    return stream_out(s, o, path, NULL, res, err);
}


/* Appends the folded text of name as a-z, 0-9 and single '-'. */
static void slug(const char *name, char *out, size_t cap)
{
    char f[4 * KIOSK_EVENT_NAME_BYTES];
    size_t n = 0;
    kfold(name, f, sizeof f);
    for (const char *p = f; *p && n + 1 < cap && n < 40; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
        if (ok)
            out[n++] = *p;
        else if (n > 0 && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "event");
}

/* A file name for an export (see export.h). */
int kexport_file_name(kstore *s, const kscope *scope, kexport_format f,
                      int64_t wall_ms, char *out, size_t cap)
{
    char stamp[32], name[64];
    time_t tt = (time_t)(wall_ms / 1000);
    struct tm tm;
    int n;
    if (!localtime_r(&tt, &tm) || strftime(stamp, sizeof stamp, "%Y%m%d-%H%M", &tm) == 0)
        snprintf(stamp, sizeof stamp, "00000000-0000");
    kevent e;
    if (scope && scope->event_id && *scope->event_id &&
        kstore_event_get(s, scope->event_id, &e, NULL) == 0) {
        slug(e.name, name, sizeof name);
        n = snprintf(out, cap, "attendance-%s-%s-%s.%s", e.date, name, stamp + 9,
                     kexport_format_ext(f));
    } else if (scope && scope->since && *scope->since) {
        n = snprintf(out, cap, "attendance-since-%.10s-%s.%s", scope->since, stamp,
                     kexport_format_ext(f));
    } else {
        n = snprintf(out, cap, "attendance-all-%s.%s", stamp, kexport_format_ext(f));
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Writes the export into folder under its generated name. */
int kexport_to_folder(kstore *s, const kexport_opts *o, const char *folder,
                      int64_t wall_ms, char *path, size_t cap, kexport_result *res,
                      kerr *err)
{
    char name[256], full[PATH_BYTES];
    if (path && cap)
        path[0] = '\0';
    if (!o || !folder || !*folder)
        return kerr_set(err, KERR_INVALID, "kexport_to_folder: options and folder "
                        "are required");
    if (kexport_file_name(s, &o->scope, o->format, wall_ms, name, sizeof name) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: file name too long");
    size_t fl = strlen(folder);
    int n = snprintf(full, sizeof full, "%s%s%s", folder,
                     folder[fl - 1] == '/' ? "" : "/", name);
    if (n < 0 || (size_t)n >= sizeof full)
        return kerr_set(err, KERR_INVALID, "export folder path is too long: %.80s...",
                        folder);
    int ret = kexport_write(s, o, full, res, err);
    if (ret == 0 && path && cap)
        snprintf(path, cap, "%s", full);
    return ret;
}
