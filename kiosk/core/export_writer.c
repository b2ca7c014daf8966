/*
 * export_writer.c - the attendance files, CSV and XLSX, written from a
 * stream of rows (see export_writer.h for the columns, the formula guard
 * and the safe write), and the attendance table in memory that the hub's
 * merged export (sync/hub/hub_export.c) fills and writes through the same
 * stream.  Whatever gives the rows, the bytes come from here.
 *
 * Steps: the source says its survey columns (survey, question, first
 * answer); the writer orders them once (plan_open); then it pulls one row
 * at a time (plan_next) and writes it: CSV through a buffered write(2)
 * writer, XLSX through libxlsxwriter in constant-memory mode (each row is
 * flushed to libxlsxwriter's temporary file as the next one starts); both
 * into NAME.partial, then fsync, rename, fsync the folder, syncfs.
 *
 * Memory: bounded by one row, whatever the number of rows.  What the XLSX
 * needs of all rows is folded in as they pass: column widths, the summary
 * sheet's counts per event and per program (one entry per event or
 * program, not per row) and the choice counts per question (at most
 * CHOICE_KEYS_MAX keys each).  The XLSX is read back part by part through
 * a 64 KiB window (xlsx_verify), never whole.  Measured with 1,000,000
 * check-ins: see tests/bench/bench_export.c and the README's "How fast".
 *
 * The table (kexport_table_*) keeps every row in memory: every text in
 * one arena of 64 KiB chunks, answers in a rows x columns grid.  Answers
 * find their row through a hash table of visits (event id, person id) ->
 * row, O(1); of the answers to one cell the one of highest rank wins.  On
 * the hub a row (a person merged across kiosks) has one visit per check-in
 * merged into it.  The kiosk's own export does not use the table: it
 * streams from the store (export.c).
 *
 * libxlsxwriter 1.1.4 (Debian 12) does not check its writes to its own
 * temporary files (in /tmp): when they cannot grow (a full /tmp, a file
 * size limit) it still returns success with a well-formed zip of cut XML
 * parts.  So an XLSX is read back from the drive before it is renamed:
 * every part inflated (zlib), its CRC and size checked against the zip
 * directory, and every XML part must end with the closing tag of its root
 * element.  This also catches a drive that loses what it was given.
 *
 * Invariants:
 *   1. Nothing is ever written under the final name but by rename(2) of a
 *      file that was completely written and fsynced (and, for XLSX, read
 *      back whole).
 *   2. Every error path removes the partial file.
 *   3. XLSX cells are written with worksheet_write_string (text) or
 *      worksheet_write_number (counts only), never as formulas.
 *   4. Rows are written in the order the source gives them, each once;
 *      no row is kept after the next one is asked for.
 */
#define _GNU_SOURCE                 /* syncfs */
#include "export_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "csv.h"
#include "kfile.h"
#include "usbdrive.h"                       /* KIOSK_EXPORT_MIN_FREE_BYTES */

#define PATH_BYTES 4096
#define ARENA_CHUNK 65536
#define OUT_BUF 65536
#define VERIFY_BUF 65536            /* read-back window of xlsx_verify */
#define VERIFY_EDGE 512             /* bytes of a part kept at each end */
#define PROGRESS_EVERY 256          /* rows between progress calls */
#define CHOICE_KEYS_MAX (KIOSK_SURVEY_CHOICES_MAX + 4)

static const char *const fixed_names[KEXPORT_NFIXED] = {
    "checked_in", "event", "program", "event_date", "given", "family", "phone",
    "email", "zip", "status",
};

/* Grows an array of n elements of size sz to hold one more. */
static int grow(void **p, long *cap, long n, size_t sz)
{
    if (n < *cap)
        return 0;
    long nc = *cap ? *cap * 2 : 256;
    void *q = realloc(*p, (size_t)nc * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* Formats a check-in time as local "YYYY-MM-DD HH:MM". */
void kexport_time_cell(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, 32, "?");
}

/* ---- arena: stable copies of every text of the table ----------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk;

typedef struct arena {
    chunk *head;
    int oom;
} arena;

/* Copies text into the arena; NULL (and a->oom) if memory runs out. */
static const char *arena_dup(arena *a, const char *text)
{
    size_t n = strlen(text) + 1;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        chunk *c = malloc(sizeof *c + cap);
        if (!c) {
            a->oom = 1;
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    char *p = a->head->data + a->head->used;
    memcpy(p, text, n);
    a->head->used += n;
    return p;
}

/* Frees every chunk. */
static void arena_free(arena *a)
{
    while (a->head) {
        chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* ---- the table in memory ------------------------------------------------------------ */

typedef struct xrow {
    const char *cell[KEXPORT_NFIXED];
    const char *event_id;
    int is_new;
} xrow;

typedef struct xvisit {
    const char *event_id, *person_id;
    long row;
} xvisit;

struct kexport_table {
    arena a;
    const ksurvey *const *surveys;  /* the caller's; may be NULL */
    int nsurveys;
    xrow *rows;
    long nrows, caprows;
    xvisit *visits;
    long nvisits, capvisits;
    long *slots;                    /* hash of visits: visit + 1, 0 = empty */
    size_t nslots;                  /* a power of two >= 2 * nvisits */
    long nindexed;                  /* visits in slots (rebuilt when behind) */
    kexport_column *cols;
    int ncols, capcols, lastcol;
    struct { long row; int col; const char *value; int64_t rank; } *ans;
    long nans, capans;
    const char **grid;              /* nrows x ncols answers, NULL = none */
    int64_t *grank;                 /* rank of each grid cell's answer */
    int built;                      /* grid matches the answers */
    long next;                      /* the row the source gives next */
};

/* Makes an empty table. */
kexport_table *kexport_table_new(const ksurvey *const *surveys, int nsurveys)
{
    kexport_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->surveys = surveys;
    t->nsurveys = nsurveys;
    t->lastcol = -1;
    return t;
}

/* Appends one row; its index, or -1 if out of memory. */
long kexport_table_add_row(kexport_table *t, const char *const cells[KEXPORT_NFIXED],
                           const char *event_id, int is_new)
{
    if (grow((void **)&t->rows, &t->caprows, t->nrows, sizeof *t->rows) != 0)
        return -1;
    xrow *x = &t->rows[t->nrows];
    for (int c = 0; c < KEXPORT_NFIXED; c++)
        x->cell[c] = arena_dup(&t->a, cells[c]);
    x->event_id = arena_dup(&t->a, event_id);
    x->is_new = is_new;
    if (t->a.oom)
        return -1;
    t->built = 0;
    return t->nrows++;
}

/* Records a visit (event id, person id) -> row. */
int kexport_table_add_visit(kexport_table *t, const char *event_id, const char *person_id,
                            long row)
{
    if (grow((void **)&t->visits, &t->capvisits, t->nvisits, sizeof *t->visits) != 0)
        return -1;
    xvisit *v = &t->visits[t->nvisits];
    v->event_id = arena_dup(&t->a, event_id);
    v->person_id = arena_dup(&t->a, person_id);
    v->row = row;
    if (t->a.oom)
        return -1;
    t->nvisits++;
    return 0;
}

/* FNV-1a hash of a visit (event id, person id). */
static size_t visit_hash(const char *event_id, const char *person_id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)event_id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)person_id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)h;
}

/* Builds the hash table of visits; -1 if out of memory. */
static int index_visits(kexport_table *t)
{
    size_t n = 16;
    while (n < 2 * (size_t)t->nvisits)
        n *= 2;
    long *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    for (long i = 0; i < t->nvisits; i++) {
        size_t h = visit_hash(t->visits[i].event_id, t->visits[i].person_id) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = i + 1;
    }
    t->nindexed = t->nvisits;
    return 0;
}

/* The row of a visit, -1 if that person did not check in there, -2 if out
 * of memory. */
long kexport_table_find_visit(kexport_table *t, const char *event_id, const char *person_id)
{
    if ((!t->slots || t->nindexed != t->nvisits) && index_visits(t) != 0)
        return -2;
    size_t h = visit_hash(event_id, person_id) & (t->nslots - 1);
    for (; t->slots[h]; h = (h + 1) & (t->nslots - 1)) {
        const xvisit *v = &t->visits[t->slots[h] - 1];
        if (strcmp(v->person_id, person_id) == 0 && strcmp(v->event_id, event_id) == 0)
            return v->row;
    }
    return -1;
}

/* The column of (survey, question), added if new; -1 if out of memory. */
static int column_of(kexport_table *t, const char *survey, const char *question, int64_t first)
{
    if (t->lastcol >= 0 && strcmp(t->cols[t->lastcol].question, question) == 0 &&
        strcmp(t->cols[t->lastcol].survey, survey) == 0)
        return t->lastcol;
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].question, question) == 0 &&
            strcmp(t->cols[i].survey, survey) == 0)
            return t->lastcol = i;
    long cap = t->capcols;
    if (grow((void **)&t->cols, &cap, t->ncols, sizeof *t->cols) != 0)
        return -1;
    t->capcols = (int)cap;
    kexport_column *c = &t->cols[t->ncols];
    c->survey = arena_dup(&t->a, survey);
    c->question = arena_dup(&t->a, question);
    c->first = first;
    if (t->a.oom)
        return -1;
    return t->lastcol = t->ncols++;
}

/* Adds one answer to a row's cell. */
int kexport_table_add_answer(kexport_table *t, long row, const char *survey_key,
                             const char *question_key, const char *value, int64_t rank,
                             int64_t first)
{
    int col = column_of(t, survey_key, question_key, first);
    if (col < 0)
        return -1;
    if (first < t->cols[col].first)
        t->cols[col].first = first;
    if (grow((void **)&t->ans, &t->capans, t->nans, sizeof *t->ans) != 0)
        return -1;
    t->ans[t->nans].row = row;
    t->ans[t->nans].col = col;
    t->ans[t->nans].rank = rank;
    t->ans[t->nans].value = arena_dup(&t->a, value);
    if (t->a.oom)
        return -1;
    t->nans++;
    t->built = 0;
    return 0;
}

/* Builds the answer grid (once per change): the highest rank wins its
 * cell. */
static int build_grid(kexport_table *t)
{
    if (t->built)
        return 0;
    free(t->grid);
    free(t->grank);
    size_t cells = (size_t)(t->nrows && t->ncols ? t->nrows * t->ncols : 1);
    t->grid = calloc(cells, sizeof *t->grid);
    t->grank = calloc(cells, sizeof *t->grank);
    if (!t->grid || !t->grank)
        return -1;
    for (long i = 0; i < t->nans; i++) {
        size_t c = (size_t)t->ans[i].row * (size_t)t->ncols + (size_t)t->ans[i].col;
        if (!t->grid[c] || t->ans[i].rank > t->grank[c]) {
            t->grid[c] = t->ans[i].value;
            t->grank[c] = t->ans[i].rank;
        }
    }
    t->built = 1;
    return 0;
}

/* Frees the table. */
void kexport_table_free(kexport_table *t)
{
    if (!t)
        return;
    free(t->rows);
    free(t->visits);
    free(t->slots);
    free(t->cols);
    free(t->ans);
    free(t->grid);
    free(t->grank);
    arena_free(&t->a);
    free(t);
}

/* The table as a source: its rows in order, answers from the grid. */
static int table_next(void *ctx, kexport_row *row, kerr *err)
{
    kexport_table *t = ctx;
    (void)err;
    if (t->next >= t->nrows)
        return 0;
    const xrow *x = &t->rows[t->next];
    for (int c = 0; c < KEXPORT_NFIXED; c++)
        row->cell[c] = x->cell[c];
    row->event_id = x->event_id;
    row->is_new = x->is_new;
    row->answers = t->ncols ? t->grid + (size_t)t->next * (size_t)t->ncols : NULL;
    t->next++;
    return 1;
}

/* Makes src read the table from its first row; -1 if out of memory. */
static int table_source(kexport_table *t, kexport_source *src)
{
    if (build_grid(t) != 0)
        return -1;
    t->next = 0;
    memset(src, 0, sizeof *src);
    src->nrows = t->nrows;
    src->ncols = t->ncols;
    src->cols = t->cols;
    src->next = table_next;
    src->ctx = t;
    return 0;
}

/* ---- the plan: columns in order, one row at a time ---------------------------------- */

typedef struct xcol {
    const char *survey, *question;
    char header[2 * KIOSK_SURVEY_KEY_MAX + 2];
    int64_t first;                  /* lowest "first" of its answers */
    int64_t survey_first;           /* the same for its whole survey */
    int order;                      /* index in the loaded survey, or -1 */
    const ksurvey_question *q;      /* when the survey is loaded */
} xcol;

typedef struct plan {
    const kexport_source *src;
    int ncols;                      /* survey columns */
    xcol *cols;                     /* per source column */
    int *perm;                      /* output survey column i -> cols[perm[i]] */
    const char **out;               /* the current row's output cells */
    kexport_row row;                /* the current row as the source gave it */
    long done;                      /* rows given so far */
    int failed;                     /* the source's KERR_ code, 0 if none */
    kerr *err;
} plan;

typedef struct xprogress {
    kexport_progress_fn fn;
    void *ctx;
} xprogress;

/* The loaded survey with this key, or NULL. */
static const ksurvey *find_survey(const ksurvey *const *surveys, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (surveys[i] && strcmp(ksurvey_key(surveys[i]), key) == 0)
            return surveys[i];
    return NULL;
}

/* Orders output columns: by survey (first answered first), then by the
 * survey's own question order when known, then by first answer. */
static int cmp_col(const xcol *x, const xcol *y)
{
    if (x->survey_first != y->survey_first)
        return x->survey_first < y->survey_first ? -1 : 1;
    int c = strcmp(x->survey, y->survey);
    if (c)
        return c;
    if ((x->order >= 0) != (y->order >= 0))
        return x->order >= 0 ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* Sets a plan up for src: its columns described and ordered; -1 if out of
 * memory. */
static int plan_open(plan *pl, const kexport_source *src, const ksurvey *const *surveys,
                     int nsurveys, kerr *err)
{
    memset(pl, 0, sizeof *pl);
    pl->src = src;
    pl->err = err;
    pl->ncols = src->ncols;
    int n = pl->ncols;
    pl->cols = calloc((size_t)(n ? n : 1), sizeof *pl->cols);
    pl->perm = malloc((size_t)(n ? n : 1) * sizeof *pl->perm);
    pl->out = calloc((size_t)(KEXPORT_NFIXED + n), sizeof *pl->out);
    if (!pl->cols || !pl->perm || !pl->out)
        return -1;
    for (int i = 0; i < n; i++) {
        xcol *c = &pl->cols[i];
        c->survey = src->cols[i].survey;
        c->question = src->cols[i].question;
        c->first = src->cols[i].first;
        snprintf(c->header, sizeof c->header, "%s.%s", c->survey, c->question);
        const ksurvey *sv = find_survey(surveys, surveys ? nsurveys : 0, c->survey);
        c->q = sv ? ksurvey_find(sv, c->question) : NULL;
        c->order = c->q ? ksurvey_q_index(c->q) : -1;
    }
    for (int i = 0; i < n; i++) {
        pl->cols[i].survey_first = pl->cols[i].first;
        for (int j = 0; j < n; j++)
            if (strcmp(pl->cols[j].survey, pl->cols[i].survey) == 0 &&
                pl->cols[j].first < pl->cols[i].survey_first)
                pl->cols[i].survey_first = pl->cols[j].first;
    }
    for (int i = 0; i < n; i++) {                   /* insertion sort: few columns */
        int j = i;
        while (j > 0 && cmp_col(&pl->cols[i], &pl->cols[pl->perm[j - 1]]) < 0) {
            pl->perm[j] = pl->perm[j - 1];
            j--;
        }
        pl->perm[j] = i;
    }
    return 0;
}

/* Frees what plan_open took. */
static void plan_close(plan *pl)
{
    free(pl->cols);
    free(pl->perm);
    free(pl->out);
}

/* Number of output columns. */
static int ncolumns(const plan *pl)
{
    return KEXPORT_NFIXED + pl->ncols;
}

/* Header of output column c. */
static const char *header(const plan *pl, int c)
{
    return c < KEXPORT_NFIXED ? fixed_names[c] : pl->cols[pl->perm[c - KEXPORT_NFIXED]].header;
}

/* Asks the source for the next row into pl->out: 1 if there is one, 0 at
 * the end or when the source failed (pl->failed says). */
static int plan_next(plan *pl)
{
    kexport_row *r = &pl->row;
    memset(r, 0, sizeof *r);
    int rc = pl->src->next(pl->src->ctx, r, pl->err);
    if (rc < 0 || rc > 1) {
        pl->failed = rc > 1 ? rc : KERR_INTERNAL;
        if (pl->err && !pl->err->msg[0])
            kerr_set(pl->err, pl->failed, "export: reading the rows failed");
        return 0;
    }
    if (rc == 0)
        return 0;
    for (int c = 0; c < KEXPORT_NFIXED; c++)
        pl->out[c] = r->cell[c] ? r->cell[c] : "";
    for (int i = 0; i < pl->ncols; i++) {
        const char *v = r->answers ? r->answers[pl->perm[i]] : NULL;
        pl->out[KEXPORT_NFIXED + i] = v ? v : "";
    }
    if (!r->event_id)
        r->event_id = "";
    pl->done++;
    return 1;
}

/* Calls the progress callback; non-zero if the caller cancels. */
static int progress(const xprogress *p, long done, long total)
{
    return p->fn ? p->fn(p->ctx, done, total) : 0;
}

/* The same while rows are written: total (rows + 1) is reached only once
 * the file is safely written, even if the source gave more rows than it
 * announced. */
static int progress_rows(const xprogress *p, const plan *pl)
{
    long total = pl->src->nrows + 1;
    return progress(p, pl->done < total ? pl->done : total - 1, total);
}

/* ---- errors and the safe write --------------------------------------------------- */

/* Maps errno e of call op on file to a KERR_ code and a message saying
 * what it means for the person at the kiosk. */
static int file_error(int e, const char *op, const char *file, const char *final,
                      kerr *err)
{
    if (e == ENOSPC || e == EDQUOT)
        return kerr_set(err, KERR_FULL, "%s %s: %s: the drive is full; nothing "
                        "was saved as %s", op, file, strerror(e), final);
    if (e == EROFS)
        return kerr_set(err, KERR_IO, "%s %s: %s: the drive is read-only (is its "
                        "lock switch on?); nothing was saved", op, file, strerror(e));
    if (e == EACCES || e == EPERM)
        return kerr_set(err, KERR_IO, "%s %s: %s: the folder is read-only for the "
                        "kiosk; nothing was saved", op, file, strerror(e));
    return kerr_set(err, KERR_IO, "%s %s: %s; nothing was saved as %s", op, file,
                    strerror(e), final);
}

/* Writes "<path>.partial" into out; -1 if it does not fit. */
static int partial_name(const char *path, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s.partial", path);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The folder of path into out ("." if it has none). */
static void folder_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* Makes the partial file durable under the final name: fsync(fd) (fd is
 * closed here), rename, fsync of the folder, syncfs. */
static int commit_file(int fd, const char *partial, const char *final, kerr *err)
{
    char dir[PATH_BYTES];
    int ret = 0;
    if (fsync(fd) != 0) {
        ret = file_error(errno, "cannot flush", partial, final, err);
        close(fd);
        return ret;
    }
    if (close(fd) != 0)
        return file_error(errno, "cannot close", partial, final, err);
    if (rename(partial, final) != 0)
        return file_error(errno, "cannot rename", partial, final, err);
    folder_of(final, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0 || syncfs(dfd) != 0)
        ret = kerr_set(err, KERR_IO, "cannot flush folder %s: %s; %s was written "
                       "but wait before removing the drive", dir, strerror(errno),
                       final);
    if (dfd >= 0)
        close(dfd);
    return ret;
}

/* ---- CSV ------------------------------------------------------------------------------- */

/* A buffered writer over a file descriptor or a stream, remembering the
 * first error's errno. */
typedef struct writer {
    int fd;
    FILE *stream;
    size_t n;
    int eno;                        /* first failure, 0 if none */
    long long bytes;
    char buf[OUT_BUF];
} writer;

/* Writes the buffer out. */
static void out_flush(writer *w)
{
    size_t done = 0;
    while (w->eno == 0 && done < w->n) {
        ssize_t k;
        if (w->stream) {
            k = (ssize_t)fwrite(w->buf + done, 1, w->n - done, w->stream);
            if (k == 0)
                w->eno = errno ? errno : EIO;
        } else {
            k = write(w->fd, w->buf + done, w->n - done);
            if (k < 0 && errno != EINTR)
                w->eno = errno;
            else if (k == 0)
                w->eno = EIO;
        }
        if (k > 0)
            done += (size_t)k;
    }
    w->bytes += (long long)done;
    w->n = 0;
}

/* Appends n bytes. */
static void out_put(writer *w, const char *p, size_t n)
{
    while (n > 0 && w->eno == 0) {
        size_t k = sizeof w->buf - w->n < n ? sizeof w->buf - w->n : n;
        memcpy(w->buf + w->n, p, k);
        w->n += k;
        p += k;
        n -= k;
        if (w->n == sizeof w->buf)
            out_flush(w);
    }
}

/* Non-zero if a CSV cell with this text gets the apostrophe guard. */
int kexport_needs_guard(const char *text)
{
    return text && text[0] && strchr("=+-@\t\r", text[0]) != NULL;
}

/* Writes one CSV field (RFC 4180 quoting, formula guard). */
static void csv_field(writer *w, const char *v, int first)
{
    int quote = strpbrk(v, ",\"\r\n") != NULL;
    if (!first)
        out_put(w, ",", 1);
    if (quote)
        out_put(w, "\"", 1);
    if (kexport_needs_guard(v))
        out_put(w, "'", 1);
    if (!quote) {
        out_put(w, v, strlen(v));
        return;
    }
    for (const char *p = v; *p;) {
        size_t k = strcspn(p, "\"");
        out_put(w, p, k);
        p += k;
        if (*p == '"') {
            out_put(w, "\"\"", 2);
            p++;
        }
    }
    out_put(w, "\"", 1);
}

/* Writes the whole CSV; -1 if cancelled, else 0 (w->eno tells of write
 * errors, pl->failed of the source's). */
static int csv_write(plan *pl, const xprogress *p, writer *w)
{
    int nc = ncolumns(pl);
    out_put(w, "\xEF\xBB\xBF", 3);                  /* UTF-8 byte-order mark */
    for (int c = 0; c < nc; c++)
        csv_field(w, header(pl, c), c == 0);
    out_put(w, "\r\n", 2);
    while (w->eno == 0) {
        if (pl->done % PROGRESS_EVERY == 0 && progress_rows(p, pl))
            return -1;
        if (!plan_next(pl))
            break;
        for (int c = 0; c < nc; c++)
            csv_field(w, pl->out[c], c == 0);
        out_put(w, "\r\n", 2);
    }
    out_flush(w);
    return 0;
}

/* ---- XLSX --------------------------------------------------------------------------- */

/* Display width of UTF-8 text in character cells: East Asian wide and
 * full-width characters 2, combining marks 0, others 1. */
static int text_width(const char *t)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)t;
    while (*p) {
        int n = kcsv_utf8_len(p, strlen((const char *)p));
        if (n == 0) {
            w++;
            p++;
            continue;
        }
        uint32_t cp = n == 1 ? p[0]
                    : n == 2 ? (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F)
                    : n == 3 ? (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 |
                                   (p[2] & 0x3F)
                             : (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                                   (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        p += n;
        if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
            (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
            (cp >= 0x0E31 && cp <= 0x0E3A) || (cp >= 0x0EB1 && cp <= 0x0EBC) ||
            (cp >= 0x17B4 && cp <= 0x17D3))
            continue;                               /* combining, Thai/Lao/Khmer signs */
        if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
            (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
            (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
            (cp >= 0x20000 && cp <= 0x3FFFD))
            w += 2;
        else
            w += 1;
    }
    return w;
}

/* Non-zero if t starts with "_xHHHH_", which spreadsheets read as the
 * escape of one character (ECMA-376 ST_Xstring). */
static int looks_escaped(const char *t)
{
    if (t[0] != '_' || t[1] != 'x')
        return 0;
    for (int i = 2; i < 6; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f') ||
              (t[i] >= 'A' && t[i] <= 'F')))
            return 0;
    return t[6] == '_';
}

/* Text a spreadsheet shows as written: t itself, or a copy (in *tmp, to
 * free) where each invalid UTF-8 byte is U+FFFD and each literal "_xHHHH_"
 * has its underscore escaped ("_x005F_xHHHH_"), so that Excel does not turn
 * it into another character.  libxlsxwriter escapes control characters
 * itself (CR becomes _x000D_). */
static const char *xl_text(const char *t, char **tmp)
{
    size_t len = strlen(t), i = 0;
    int fix = 0;
    *tmp = NULL;
    while (i < len && !fix) {
        int n = kcsv_utf8_len((const unsigned char *)t + i, len - i);
        fix = n == 0 || looks_escaped(t + i);
        i += n ? (size_t)n : 1;
    }
    if (!fix)
        return t;
    char *c = malloc(len * 4 + 7);
    if (!c)
        return "\xEF\xBF\xBD";
    size_t o = 0;
    for (i = 0; i < len;) {
        int n = kcsv_utf8_len((const unsigned char *)t + i, len - i);
        if (n == 0) {
            memcpy(c + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        if (looks_escaped(t + i)) {
            memcpy(c + o, "_x005F", 6);
            o += 6;
        }
        memcpy(c + o, t + i, (size_t)n);
        o += (size_t)n;
        i += (size_t)n;
    }
    c[o] = '\0';
    *tmp = c;
    return c;
}

/* Writes one text cell. */
static lxw_error xl_string(lxw_worksheet *ws, long r, int c, const char *v, lxw_format *f)
{
    char *tmp;
    const char *text = xl_text(v, &tmp);
    lxw_error e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, text, f);
    free(tmp);
    return e;
}

/* Counts for one event or program in the summary (own copies of the
 * texts: the row they came from is gone when the next one is read). */
typedef struct tally {
    char *key, *name, *program, *date;
    long checkins, fresh;
} tally;

typedef struct tallies {
    tally *list;
    long n, cap;
} tallies;

/* Counts a row under key (event id or program); -1 if out of memory.
 * Rows come grouped by event, so the last entry is tried first. */
static int tally_add(tallies *tl, const char *key, const plan *pl)
{
    for (long i = tl->n - 1; i >= 0; i--)
        if (strcmp(tl->list[i].key, key) == 0) {
            tl->list[i].checkins++;
            tl->list[i].fresh += pl->row.is_new != 0;
            return 0;
        }
    if (grow((void **)&tl->list, &tl->cap, tl->n, sizeof *tl->list) != 0)
        return -1;
    tally *t = &tl->list[tl->n];
    t->key = strdup(key);
    t->name = strdup(pl->out[KEXPORT_COL_EVENT]);
    t->program = strdup(pl->out[KEXPORT_COL_PROGRAM]);
    t->date = strdup(pl->out[KEXPORT_COL_EVENT_DATE]);
    t->checkins = 1;
    t->fresh = pl->row.is_new != 0;
    tl->n++;
    return t->key && t->name && t->program && t->date ? 0 : -1;
}

/* Frees a tally list. */
static void tallies_free(tallies *tl)
{
    for (long i = 0; i < tl->n; i++) {
        free(tl->list[i].key);
        free(tl->list[i].name);
        free(tl->list[i].program);
        free(tl->list[i].date);
    }
    free(tl->list);
}

/* Choice counts of one question. */
typedef struct choices {
    int n;
    const char *key[CHOICE_KEYS_MAX];
    char own[CHOICE_KEYS_MAX][KIOSK_SURVEY_KEY_MAX + 1];
    long count[CHOICE_KEYS_MAX];
} choices;

/* Counts key (n bytes) once; -1 if the list is full. */
static int choice_count(choices *ch, const char *k, size_t n)
{
    for (int i = 0; i < ch->n; i++)
        if (strlen(ch->key[i]) == n && memcmp(ch->key[i], k, n) == 0) {
            ch->count[i]++;
            return 0;
        }
    if (ch->n == CHOICE_KEYS_MAX)
        return -1;
    snprintf(ch->own[ch->n], sizeof ch->own[ch->n], "%.*s", (int)n, k);
    ch->key[ch->n] = ch->own[ch->n];
    ch->count[ch->n++] = 1;
    return 0;
}

/* Counts the choices of one encoded answer ("a;b;other:text"); -1 if it is
 * not a list of choice keys or the list is full. */
static int choice_tally(choices *ch, const char *v)
{
    while (*v) {
        if (strncmp(v, "other:", 6) == 0)
            return choice_count(ch, "other", 5);   /* the rest is the write-in */
        size_t n = strcspn(v, ";");
        if (!ksurvey_key_valid(v, n) || choice_count(ch, v, n) != 0)
            return -1;
        v += n + (v[n] == ';');
    }
    return 0;
}

/* Starts the choice counts of output survey column i: the question's
 * choices when its survey is loaded, a text or number question never
 * counted, else whatever keys the answers hold. */
static void choice_start(const plan *pl, int i, choices *ch, int *counted)
{
    const xcol *col = &pl->cols[pl->perm[i]];
    memset(ch, 0, sizeof *ch);
    *counted = 1;
    if (!col->q)
        return;
    ksurvey_type ty = ksurvey_q_type(col->q);
    if (ty == KSURVEY_YESNO) {
        ch->key[0] = "yes";
        ch->key[1] = "no";
        ch->n = 2;
    } else if (ty == KSURVEY_SINGLE || ty == KSURVEY_MULTIPLE) {
        for (int k = 0; k < ksurvey_q_nchoices(col->q) && ch->n < CHOICE_KEYS_MAX; k++)
            ch->key[ch->n++] = ksurvey_choice_key(col->q, k);
    } else {
        *counted = 0;
    }
}

/* Counts the current row's answers into the choice counts: a column of a
 * question not loaded stops being counted at its first answer that is
 * not a list of keys. */
static void choice_row(const plan *pl, choices *ch, int *counted)
{
    for (int i = 0; i < pl->ncols; i++) {
        const char *v = pl->out[KEXPORT_NFIXED + i];
        if (!counted[i] || !*v)
            continue;
        if (choice_tally(&ch[i], v) != 0 && !pl->cols[pl->perm[i]].q)
            counted[i] = 0;     /* not keys: a text or number question */
    }
}

/* What the summary sheet needs of all rows, folded in row by row. */
typedef struct summary {
    tallies ev, pg;
    long rows, fresh;
    choices *ch;                    /* per output survey column */
    int *counted;                   /* the column is a choice question */
} summary;

/* Writes the summary sheet. */
static lxw_error xl_summary(const plan *pl, const summary *sm, lxw_worksheet *ws,
                            lxw_format *bold)
{
    lxw_error e = LXW_NO_ERROR;
    long r = 0;
    static const char *const ev_head[] = {"event", "program", "event_date",
                                          "checked_in", "new", "returning"};
    for (int c = 0; c < 6 && !e; c++)
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, ev_head[c], bold);
    for (long i = 0; i < sm->ev.n && !e; i++) {
        const tally *t = &sm->ev.list[i];
        r++;
        if (!(e = xl_string(ws, r, 0, t->name, NULL)) &&
            !(e = xl_string(ws, r, 1, t->program, NULL)) &&
            !(e = xl_string(ws, r, 2, t->date, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)t->checkins, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 4, (double)t->fresh, NULL)))
            e = worksheet_write_number(ws, (lxw_row_t)r, 5,
                                       (double)(t->checkins - t->fresh), NULL);
    }
    r++;
    if (!e && !(e = worksheet_write_string(ws, (lxw_row_t)r, 0, "all events", bold)) &&
        !(e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)sm->rows, bold)) &&
        !(e = worksheet_write_number(ws, (lxw_row_t)r, 4, (double)sm->fresh, bold)))
        e = worksheet_write_number(ws, (lxw_row_t)r, 5, (double)(sm->rows - sm->fresh), bold);

    r += 2;
    static const char *const pg_head[] = {"program", "checked_in", "new", "returning"};
    for (int c = 0; c < 4 && !e; c++)
        e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, pg_head[c], bold);
    for (long i = 0; i < sm->pg.n && !e; i++) {
        const tally *t = &sm->pg.list[i];
        r++;
        if (!(e = xl_string(ws, r, 0, t->program, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 1, (double)t->checkins, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 2, (double)t->fresh, NULL)))
            e = worksheet_write_number(ws, (lxw_row_t)r, 3,
                                       (double)(t->checkins - t->fresh), NULL);
    }

    r += 2;
    static const char *const ch_head[] = {"survey", "question", "answer", "people"};
    for (int c = 0; c < 4 && !e; c++)
        e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, ch_head[c], bold);
    for (int i = 0; i < pl->ncols && !e; i++) {
        const xcol *col = &pl->cols[pl->perm[i]];
        const choices *ch = &sm->ch[i];
        if (!sm->counted[i])
            continue;
        for (int k = 0; k < ch->n && !e; k++) {
            r++;
            if (!(e = xl_string(ws, r, 0, col->survey, NULL)) &&
                !(e = xl_string(ws, r, 1, col->question, NULL)) &&
                !(e = xl_string(ws, r, 2, ch->key[k], NULL)))
                e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)ch->count[k], NULL);
        }
    }
    if (!e)
        e = worksheet_set_column(ws, 0, 1, 28, NULL);
    if (!e)
        e = worksheet_set_column(ws, 2, 5, 14, NULL);
    return e;
}

/* Writes the workbook to path; -1 if cancelled or the source failed
 * (pl->failed), else an lxw_error (the errno of a failed write is left in
 * *eno).  libxlsxwriter runs in constant-memory mode: a row goes to its
 * temporary file when the next one starts, so memory does not grow with
 * the rows; column widths and the summary are folded in as rows pass. */
static int xlsx_write(plan *pl, const xprogress *p, const char *path, int *eno)
{
    int nc = ncolumns(pl), cancelled = 0;
    lxw_error e = LXW_NO_ERROR;
    summary sm;
    memset(&sm, 0, sizeof sm);
    int *width = calloc((size_t)nc, sizeof *width);
    sm.ch = calloc((size_t)(pl->ncols ? pl->ncols : 1), sizeof *sm.ch);
    sm.counted = calloc((size_t)(pl->ncols ? pl->ncols : 1), sizeof *sm.counted);
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL,
                               .use_zip64 = LXW_FALSE};
    lxw_workbook *wb = width && sm.ch && sm.counted ? workbook_new_opt(path, &wo) : NULL;
    *eno = 0;
    if (!wb) {
        e = width && sm.ch && sm.counted ? LXW_ERROR_CREATING_XLSX_FILE
                                         : LXW_ERROR_MEMORY_MALLOC_FAILED;
        goto done;
    }
    for (int i = 0; i < pl->ncols; i++)
        choice_start(pl, i, &sm.ch[i], &sm.counted[i]);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Attendance");
    lxw_worksheet *sum = workbook_add_worksheet(wb, "Summary");
    lxw_format *bold = workbook_add_format(wb);
    if (!ws || !sum || !bold) {
        e = LXW_ERROR_MEMORY_MALLOC_FAILED;
        goto close;
    }
    format_set_bold(bold);
    for (int c = 0; c < nc && !e; c++) {
        width[c] = text_width(header(pl, c)) + 1;
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, header(pl, c), bold);
    }
    while (!e) {
        if (pl->done % PROGRESS_EVERY == 0 && progress_rows(p, pl)) {
            cancelled = 1;
            goto close;
        }
        if (!plan_next(pl))
            break;
        long r = pl->done;                          /* row 0 is the header */
        for (int c = 0; c < nc && !e; c++) {
            const char *v = pl->out[c];
            if (width[c] < KIOSK_EXPORT_WIDTH_MAX) {
                int w = text_width(v);
                if (w > width[c])
                    width[c] = w;
            }
            e = xl_string(ws, r, c, v, NULL);
        }
        if (!e && (tally_add(&sm.ev, pl->row.event_id, pl) != 0 ||
                   tally_add(&sm.pg, pl->out[KEXPORT_COL_PROGRAM], pl) != 0))
            e = LXW_ERROR_MEMORY_MALLOC_FAILED;
        sm.rows++;
        sm.fresh += pl->row.is_new != 0;
        choice_row(pl, sm.ch, sm.counted);
    }
    if (pl->failed) {
        cancelled = 1;
        goto close;
    }
    for (int c = 0; c < nc && !e; c++) {
        int w = width[c] + 2;
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                 w > KIOSK_EXPORT_WIDTH_MAX ? KIOSK_EXPORT_WIDTH_MAX : w, NULL);
    }
    if (!e) {
        worksheet_freeze_panes(ws, 1, 0);
        e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)pl->done, (lxw_col_t)(nc - 1));
    }
    if (!e)
        e = xl_summary(pl, &sm, sum, bold);
close:
    errno = 0;
    {
        lxw_error ce = workbook_close(wb);     /* writes the file; frees wb */
        *eno = errno;
        if (!e)
            e = ce;
    }
done:
    free(width);
    free(sm.ch);
    free(sm.counted);
    tallies_free(&sm.ev);
    tallies_free(&sm.pg);
    return cancelled ? -1 : (int)e;
}

/* Little-endian 16 and 32-bit reads from a zip structure. */
static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static unsigned long le32(const unsigned char *p)
{
    return (unsigned long)le16(p) | (unsigned long)le16(p + 2) << 16;
}

/* Non-zero if an XML text ends by closing its root element (or is one
 * self-closed root).  head holds its first hn bytes, tail its last tn,
 * total its length (head and tail overlap when it is short). */
static int xml_complete(const char *head, size_t hn, const char *tail, size_t tn,
                        size_t total)
{
    while (tn > 0 && (tail[tn - 1] == ' ' || tail[tn - 1] == '\r' || tail[tn - 1] == '\n')) {
        tn--;
        total--;
    }
    if (hn > total)
        hn = total;
    const char *p = head, *end = head + hn;
    while (p < end) {                       /* the first element, past <?...?> */
        p = memchr(p, '<', (size_t)(end - p));
        if (!p || p + 1 >= end)
            return 0;
        if (p[1] != '?' && p[1] != '!')
            break;
        p++;
    }
    const char *name = p + 1;
    size_t len = 0;
    while (name + len < end && !strchr(" \t\r\n/>", name[len]))
        len++;
    if (len == 0 || name + len >= end)
        return 0;
    const char *gt = memchr(name, '>', (size_t)(end - name));
    if (gt && hn == total && gt == end - 1 && gt[-1] == '/')
        return 1;                           /* <root ... /> alone */
    const char *tend = tail + tn;
    return tn >= len + 3 && memcmp(tend - len - 3, "</", 2) == 0 &&
           memcmp(tend - len - 1, name, len) == 0 && tend[-1] == '>';
}

/* Reads n bytes at offset off of f into buf; 0 if all were read. */
static int read_at(FILE *f, long off, void *buf, size_t n)
{
    return fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, n, f) == n ? 0 : -1;
}

/* What verify_part keeps of a part as it passes: its CRC, its length,
 * and its first and last VERIFY_EDGE bytes. */
typedef struct part_seen {
    unsigned long sum, total;
    char head[VERIFY_EDGE], tail[VERIFY_EDGE];
    size_t hn, tn;
} part_seen;

/* Folds got bytes of a part into what is kept of it. */
static void part_take(part_seen *ps, const unsigned char *bytes, size_t got)
{
    ps->sum = crc32(ps->sum, bytes, (uInt)got);
    ps->total += got;
    if (ps->hn < VERIFY_EDGE) {
        size_t h = VERIFY_EDGE - ps->hn < got ? VERIFY_EDGE - ps->hn : got;
        memcpy(ps->head + ps->hn, bytes, h);
        ps->hn += h;
    }
    if (got >= VERIFY_EDGE) {
        memcpy(ps->tail, bytes + got - VERIFY_EDGE, VERIFY_EDGE);
        ps->tn = VERIFY_EDGE;
    } else {
        size_t keep = ps->tn < VERIFY_EDGE - got ? ps->tn : VERIFY_EDGE - got;
        memmove(ps->tail, ps->tail + ps->tn - keep, keep);
        memcpy(ps->tail + keep, bytes, got);
        ps->tn = keep + got;
    }
}

/* Inflates (method 8) or copies (0) one part of csize bytes at offset data
 * through a window into ps, checking its CRC and size.  0 if whole, else
 * -1 with the reason in why. */
static int verify_part(FILE *f, long data, unsigned method, unsigned long csize,
                       unsigned long usize, unsigned long crc, const char *name,
                       part_seen *ps, char *why, size_t cap)
{
    unsigned char *in = malloc(VERIFY_BUF), *out = malloc(VERIFY_BUF);
    z_stream zs;
    int ret = -1, zinit = 0;
    unsigned long left = csize;
    memset(&zs, 0, sizeof zs);
    memset(ps, 0, sizeof *ps);
    ps->sum = crc32(0L, Z_NULL, 0);
    if (!in || !out || (method == 8 && inflateInit2(&zs, -MAX_WBITS) != Z_OK)) {
        snprintf(why, cap, "out of memory reading part %s", name);
        goto done;
    }
    zinit = method == 8;
    if (fseek(f, data, SEEK_SET) != 0) {
        snprintf(why, cap, "part %s is cut short", name);
        goto done;
    }
    for (;;) {
        if (zs.avail_in == 0 && left > 0) {
            size_t k = left < VERIFY_BUF ? left : VERIFY_BUF;
            if (fread(in, 1, k, f) != k) {
                snprintf(why, cap, "part %s is cut short", name);
                goto done;
            }
            left -= k;
            zs.next_in = in;
            zs.avail_in = (uInt)k;
        }
        if (method == 0) {
            part_take(ps, in, zs.avail_in);
            zs.avail_in = 0;
            if (left == 0)
                break;
            continue;
        }
        zs.next_out = out;
        zs.avail_out = VERIFY_BUF;
        int zr = inflate(&zs, Z_NO_FLUSH);
        size_t got = VERIFY_BUF - zs.avail_out;
        part_take(ps, out, got);
        if (zr == Z_STREAM_END)
            break;
        if ((zr != Z_OK && zr != Z_BUF_ERROR) || ps->total > usize ||
            (got == 0 && zs.avail_in == 0 && left == 0)) {
            snprintf(why, cap, "part %s does not inflate", name);
            goto done;
        }
    }
    if (ps->total != usize) {
        snprintf(why, cap, method == 0 ? "part %s has the wrong size"
                                       : "part %s does not inflate", name);
        goto done;
    }
    if (ps->sum != crc) {
        snprintf(why, cap, "part %s fails its checksum", name);
        goto done;
    }
    ret = 0;
done:
    if (zinit)
        inflateEnd(&zs);
    free(in);
    free(out);
    return ret;
}

/* Reads the workbook at path back and checks every part (see the top of
 * this file) through a window, never whole; 0 if whole, else -1 with the
 * reason in why. */
static int xlsx_verify(const char *path, char *why, size_t cap)
{
    unsigned char *dir = NULL, *end = NULL;
    part_seen *ps = malloc(sizeof *ps);
    int ret = -1;
    long len = -1;
    FILE *f = fopen(path, "rb");
    if (!f || !ps) {
        snprintf(why, cap, "cannot read it back: %s", f ? "out of memory" : strerror(errno));
        if (f)
            fclose(f);
        free(ps);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    size_t span = len > 65557 ? 65557 : len > 0 ? (size_t)len : 0;
    end = malloc(span ? span : 1);
    if (!end || len < 22 || read_at(f, len - (long)span, end, span) != 0) {
        snprintf(why, cap, "no zip directory (%ld bytes read back)", len < 0 ? 0 : len);
        goto done;
    }
    size_t eocd = span - 22;
    while (eocd > 0 && memcmp(end + eocd, "PK\x05\x06", 4) != 0)
        eocd--;
    if (memcmp(end + eocd, "PK\x05\x06", 4) != 0) {
        snprintf(why, cap, "no zip directory (%ld bytes read back)", len);
        goto done;
    }
    unsigned count = le16(end + eocd + 10);
    unsigned long dsize = le32(end + eocd + 12), at0 = le32(end + eocd + 16);
    if (at0 + dsize > (unsigned long)len || !(dir = malloc(dsize ? dsize : 1)) ||
        read_at(f, (long)at0, dir, dsize) != 0) {
        snprintf(why, cap, "zip directory entry 0 is damaged");
        goto done;
    }
    size_t at = 0;
    for (unsigned i = 0; i < count; i++) {
        unsigned char local[30];
        if (at + 46 > dsize || memcmp(dir + at, "PK\x01\x02", 4) != 0) {
            snprintf(why, cap, "zip directory entry %u is damaged", i);
            goto done;
        }
        unsigned method = le16(dir + at + 10), nlen = le16(dir + at + 28);
        unsigned long crc = le32(dir + at + 16), csize = le32(dir + at + 20),
                      usize = le32(dir + at + 24), loff = le32(dir + at + 42);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(nlen < 127 ? nlen : 127),
                 at + 46 + nlen <= dsize ? (const char *)dir + at + 46 : "?");
        at += 46 + nlen + le16(dir + at + 30) + le16(dir + at + 32);
        if (loff + 30 > (unsigned long)len || read_at(f, (long)loff, local, 30) != 0 ||
            memcmp(local, "PK\x03\x04", 4) != 0) {
            snprintf(why, cap, "part %s is missing", name);
            goto done;
        }
        unsigned long data = loff + 30 + le16(local + 26) + le16(local + 28);
        if (data + csize > (unsigned long)len || (method != 0 && method != 8)) {
            snprintf(why, cap, "part %s is cut short", name);
            goto done;
        }
        if (method == 0 && csize != usize) {
            snprintf(why, cap, "part %s has the wrong size", name);
            goto done;
        }
        if (verify_part(f, (long)data, method, csize, usize, crc, name, ps, why, cap) != 0)
            goto done;
        size_t nl = strlen(name);
        if (((nl > 4 && strcmp(name + nl - 4, ".xml") == 0) ||
             (nl > 5 && strcmp(name + nl - 5, ".rels") == 0)) &&
            !xml_complete(ps->head, ps->hn, ps->tail, ps->tn, usize)) {
            snprintf(why, cap, "part %s is cut short (%lu bytes)", name, usize);
            goto done;
        }
    }
    ret = count > 0 ? 0 : -1;
    if (ret)
        snprintf(why, cap, "the zip is empty");
done:
    fclose(f);
    free(ps);
    free(dir);
    free(end);
    return ret;
}

/* ---- the interface ----------------------------------------------------------------- */

/* Parses "csv" or "xlsx". */
int kexport_format_parse(const char *name, kexport_format *out)
{
    if (name && strcasecmp(name, "csv") == 0)
        *out = KEXPORT_CSV;
    else if (name && strcasecmp(name, "xlsx") == 0)
        *out = KEXPORT_XLSX;
    else
        return -1;
    return 0;
}

/* The file name extension of a format. */
const char *kexport_format_ext(kexport_format f)
{
    return f == KEXPORT_XLSX ? "xlsx" : "csv";
}

/* Space left on the file system of path, in bytes (-1 if unknown). */
static long long free_bytes(const char *path)
{
    struct statvfs v;
    if (statvfs(path, &v) != 0)
        return -1;
    return (long long)v.f_bavail * (long long)v.f_frsize;
}

/* Writes the CSV of a source to an open stream. */
int kexport_source_csv_stream(const kexport_source *src, const ksurvey *const *surveys,
                              int nsurveys, FILE *stream, kexport_progress_fn fn,
                              void *progress_ctx, kexport_result *res, kerr *err)
{
    xprogress p = {fn, progress_ctx};
    plan pl;
    int ret = 0;
    if (res)
        memset(res, 0, sizeof *res);
    if (!src || !src->next || !stream)
        return kerr_set(err, KERR_INVALID, "kexport_source_csv_stream: a source and a "
                        "stream are required");
    writer *w = calloc(1, sizeof *w);
    if (!w || plan_open(&pl, src, surveys, nsurveys, err) != 0) {
        free(w);
        plan_close(&pl);
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    w->fd = -1;
    w->stream = stream;
    if (csv_write(&pl, &p, w) != 0)
        ret = kerr_set(err, KERR_INVALID, "export cancelled");
    else if (pl.failed)
        ret = pl.failed;
    else if (w->eno || fflush(stream) != 0)
        ret = kerr_set(err, w->eno == ENOSPC ? KERR_FULL : KERR_IO,
                       "cannot write the export: %s", strerror(w->eno ? w->eno : errno));
    if (ret == 0 && res) {
        res->rows = pl.done;
        res->columns = ncolumns(&pl);
        res->bytes = w->bytes;
    }
    if (ret == 0)
        progress(&p, src->nrows + 1, src->nrows + 1);
    free(w);
    plan_close(&pl);
    return ret;
}

/* Writes the CSV into the open partial file fd (closed here on error). */
static int csv_to_fd(plan *pl, const xprogress *p, int fd, const char *partial,
                     const char *path, long long *bytes, kerr *err)
{
    writer *w = calloc(1, sizeof *w);
    int ret = 0;
    if (!w) {
        close(fd);
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    w->fd = fd;
    if (csv_write(pl, p, w) != 0)
        ret = kerr_set(err, KERR_INVALID, "export cancelled; nothing was saved");
    else if (pl->failed)
        ret = pl->failed;
    else if (w->eno)
        ret = file_error(w->eno, "cannot write", partial, path, err);
    *bytes = w->bytes;
    free(w);
    if (ret)
        close(fd);
    return ret;
}

/* Writes the XLSX into partial (fd, open on it, is closed first and the
 * file reopened into *fd when it reads back whole). */
static int xlsx_to_file(plan *pl, const xprogress *p, int *fd, const char *partial,
                        const char *path, long long *bytes, kerr *err)
{
    char dir[PATH_BYTES];
    int ret = 0, eno = 0;
    close(*fd);                                     /* libxlsxwriter opens it again */
    *fd = -1;
    int xe = xlsx_write(pl, p, partial, &eno);
    folder_of(path, dir, sizeof dir);
    long long left = free_bytes(dir);
    if (xe < 0 && pl->failed)
        ret = pl->failed;
    else if (xe < 0)
        ret = kerr_set(err, KERR_INVALID, "export cancelled; nothing was saved");
    else if (xe && (eno == ENOSPC || eno == EDQUOT || (left >= 0 && left < 65536)))
        ret = file_error(ENOSPC, "cannot write", partial, path, err);
    else if (xe)
        ret = kerr_set(err, KERR_IO, "cannot write %s: %s%s%s; nothing was saved "
                       "as %s", partial, lxw_strerror((lxw_error)xe),
                       eno ? ": " : "", eno ? strerror(eno) : "", path);
    char why[200];
    if (ret == 0 && xlsx_verify(partial, why, sizeof why) != 0) {
        long long tmp_free = free_bytes(P_tmpdir);
        if (tmp_free >= 0 && tmp_free < KIOSK_EXPORT_MIN_FREE_BYTES)
            ret = kerr_set(err, KERR_FULL, "cannot write %s: the kiosk's temporary "
                           "folder %s is full (%s); nothing was saved as %s",
                           partial, P_tmpdir, why, path);
        else
            ret = kerr_set(err, KERR_IO, "cannot write %s: it did not read back "
                           "whole (%s); nothing was saved as %s", partial, why, path);
    }
    if (ret == 0) {
        *fd = open(partial, O_RDONLY | O_CLOEXEC);
        if (*fd < 0)
            ret = file_error(errno, "cannot reopen", partial, path, err);
    }
    struct stat sb;
    if (ret == 0 && fstat(*fd, &sb) == 0)
        *bytes = (long long)sb.st_size;
    if (ret && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    return ret;
}

/* Writes the attendance file of a source to path (safe write). */
int kexport_source_write(const kexport_source *src, const ksurvey *const *surveys,
                         int nsurveys, kexport_format f, const char *path,
                         kexport_progress_fn fn, void *progress_ctx, kexport_result *res,
                         kerr *err)
{
    char partial[PATH_BYTES];
    xprogress p = {fn, progress_ctx};
    long long bytes = 0;
    int fd = -1, ret = 0;
    plan pl;
    if (res)
        memset(res, 0, sizeof *res);
    if (!src || !src->next || !path || !*path)
        return kerr_set(err, KERR_INVALID, "kexport_source_write: a source and a file name "
                        "are required");
    if (partial_name(path, partial, sizeof partial) != 0)
        return kerr_set(err, KERR_INVALID, "export file name is too long: %.80s...", path);
    if (plan_open(&pl, src, surveys, nsurveys, err) != 0) {
        plan_close(&pl);
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    if (progress(&p, 0, src->nrows + 1)) {
        plan_close(&pl);
        return kerr_set(err, KERR_INVALID, "export cancelled; nothing was saved");
    }
    fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, KFILE_MODE);
    if (fd < 0) {
        plan_close(&pl);
        return file_error(errno, "cannot create", partial, path, err);
    }
    if (kfile_private_fd(fd, partial, err) != 0) {  /* 0600 whatever the umask */
        close(fd);
        unlink(partial);
        plan_close(&pl);
        return KERR_IO;
    }
    if (f == KEXPORT_CSV)
        ret = csv_to_fd(&pl, &p, fd, partial, path, &bytes, err);
    else
        ret = xlsx_to_file(&pl, &p, &fd, partial, path, &bytes, err);
    if (ret == 0)
        ret = commit_file(fd, partial, path, err);  /* closes fd */
    if (ret != 0) {
        unlink(partial);
        plan_close(&pl);
        return ret;
    }
    progress(&p, src->nrows + 1, src->nrows + 1);
    if (res) {
        res->rows = pl.done;
        res->columns = ncolumns(&pl);
        res->bytes = bytes;
    }
    plan_close(&pl);
    return 0;
}

/* Writes the table's CSV to an open stream. */
int kexport_table_csv_stream(kexport_table *t, FILE *stream, kexport_progress_fn fn,
                             void *progress_ctx, kexport_result *res, kerr *err)
{
    kexport_source src;
    if (res)
        memset(res, 0, sizeof *res);
    if (!t || !stream)
        return kerr_set(err, KERR_INVALID, "kexport_table_csv_stream: a table and a stream "
                        "are required");
    if (table_source(t, &src) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    return kexport_source_csv_stream(&src, t->surveys, t->nsurveys, stream, fn,
                                     progress_ctx, res, err);
}

/* Writes the table's attendance file to path (safe write). */
int kexport_table_write(kexport_table *t, kexport_format f, const char *path,
                        kexport_progress_fn fn, void *progress_ctx, kexport_result *res,
                        kerr *err)
{
    kexport_source src;
    if (res)
        memset(res, 0, sizeof *res);
    if (!t || !path || !*path)
        return kerr_set(err, KERR_INVALID, "kexport_table_write: a table and a file name "
                        "are required");
    if (table_source(t, &src) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    return kexport_source_write(&src, t->surveys, t->nsurveys, f, path, fn, progress_ctx,
                                res, err);
}
