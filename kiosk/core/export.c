/*
 * export.c - the kiosk's attendance files (see export.h for the rows in
 * scope and export_writer.h for the columns, the formats and the safe
 * write).
 *
 * Steps: load the check-ins in scope from the store, one row and one visit
 * each, then every answer in scope, matched to its check-in through the
 * table's visits, ranked by its seq (the highest seq wins its cell; columns
 * in order of first answer, also by seq); then export_writer.c writes the
 * file.  A person has at most one check-in per event (UNIQUE in the store),
 * so a visit is one row.  Answers of people not checked in (none are
 * written today) are left out.
 *
 * This file adds the store, the file names and the folder; it writes no
 * byte of the files itself.
 */
#include "export.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fold.h"

#define PATH_BYTES 4096

/* What the store callbacks fill. */
typedef struct loader {
    kexport_table *t;
    int oom;
} loader;

/* Store callback: one check-in becomes one row and its visit. */
static int take_row(const kattendance *r, void *ctx)
{
    loader *l = ctx;
    char when[32];
    kexport_time_cell(r->wall_ms, when);
    const char *cells[KEXPORT_NFIXED] = {
        when, r->event_name, r->program, r->event_date, r->given, r->family,
        r->phone, r->email, r->zip, r->is_new ? "new" : "returning",
    };
    long row = kexport_table_add_row(l->t, cells, r->event_id, r->is_new);
    if (row < 0 || kexport_table_add_visit(l->t, r->event_id, r->person_id, row) != 0) {
        l->oom = 1;
        return KERR_INTERNAL;
    }
    return 0;
}

/* Store callback: one answer record, kept for its visit's row. */
static int take_answer(const kanswer *a, void *ctx)
{
    loader *l = ctx;
    long row = kexport_table_find_visit(l->t, a->event_id, a->person_id);
    if (row == -1)
        return 0;                   /* no check-in for this answer */
    if (row < 0 || kexport_table_add_answer(l->t, row, a->survey_key, a->question_key,
                                            a->value, a->seq, a->seq) != 0) {
        l->oom = 1;
        return KERR_INTERNAL;
    }
    return 0;
}

/* Loads every row and answer in scope into a new table (*out, to free with
 * kexport_table_free even on error). */
static int table_load(kstore *s, const kexport_opts *o, kexport_table **out, kerr *err)
{
    loader l = {kexport_table_new(o->surveys, o->nsurveys), 0};
    *out = l.t;
    if (!l.t)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    int ret = kstore_attendance_each(s, &o->scope, take_row, &l, err);
    if (ret == KERR_INTERNAL && l.oom)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory reading check-ins");
    if (ret == 0)
        ret = kstore_attendance_answers(s, &o->scope, take_answer, &l, err);
    if (ret == KERR_INTERNAL && (l.oom || !err || !err->msg[0]))
        ret = kerr_set(err, KERR_INTERNAL, "export: out of memory reading answers");
    return ret;
}

/* Loads the table, then writes it to path, or as CSV to stream when path
 * is NULL. */
static int load_and_write(kstore *s, const kexport_opts *o, const char *path, FILE *stream,
                          kexport_result *res, kerr *err)
{
    kexport_table *t = NULL;
    int ret = table_load(s, o, &t, err);
    if (ret == 0 && path)
        ret = kexport_table_write(t, o->format, path, o->progress, o->progress_ctx, res, err);
    else if (ret == 0)
        ret = kexport_table_csv_stream(t, stream, o->progress, o->progress_ctx, res, err);
    kexport_table_free(t);
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
    return load_and_write(s, o, NULL, stream, res, err);
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
    return load_and_write(s, o, path, NULL, res, err);
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
