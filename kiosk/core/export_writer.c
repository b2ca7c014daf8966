/*
 * export_writer.c - the attendance table in memory and its files, CSV and
 * XLSX (see export_writer.h for the columns, the formula guard and the safe
 * write).  Used by the kiosk's export (export.c) and the hub's merged export
 * (sync/hub/hub_export.c): whatever fills the table, the bytes come from
 * here.
 *
 * Steps: the caller adds rows, visits and answers; on writing, the survey
 * columns are ordered and the answer grid built (build_grid); then CSV goes
 * through a buffered write(2) writer, or XLSX through libxlsxwriter, both
 * into NAME.partial, then fsync, rename, fsync the folder, syncfs.
 *
 * Memory: every text of the table lives in one arena of 64 KiB chunks; the
 * answers go into a rows x columns grid of pointers into it.  10,000
 * check-ins with 8 answers each take a few MB.
 *
 * Matching answers to rows: the caller looks each answer's row up through a
 * hash table of visits (event id, person id) -> row, O(1), built on the
 * first look-up after visits were added; of the answers to one cell the one
 * of highest rank wins.  On the kiosk a visit is one check-in (one row); on
 * the hub a row (a person merged across kiosks) has one visit per check-in
 * merged into it.
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
#define PROGRESS_EVERY 256          /* rows between progress calls */
#define CHOICE_KEYS_MAX (KIOSK_SURVEY_CHOICES_MAX + 4)

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

static const char *const fixed_names[KEXPORT_NFIXED] = {
    "checked_in", "event", "program", "event_date", "given", "family", "phone",
    "email", "zip", "status",
};

typedef struct xrow {
    const char *cell[KEXPORT_NFIXED];
    const char *event_id;
    int is_new;
} xrow;

typedef struct xvisit {
    const char *event_id, *person_id;
    long row;
} xvisit;

typedef struct xcol {
    const char *survey, *question;
    char header[2 * KIOSK_SURVEY_KEY_MAX + 2];
    int64_t first;                  /* lowest "first" of its answers */
    int64_t survey_first;           /* the same for its whole survey */
    int order;                      /* index in the loaded survey, or -1 */
    const ksurvey_question *q;      /* when the survey is loaded */
} xcol;

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
    xcol *cols;
    int ncols, capcols, lastcol;
    struct { long row; int col; const char *value; int64_t rank; } *ans;
    long nans, capans;
    const char **grid;              /* nrows x ncols answers, NULL = none */
    int64_t *grank;                 /* rank of each grid cell's answer */
    int *perm;                      /* output column i -> cols[perm[i]] */
    int built;                      /* grid and perm match the answers */
};

typedef struct xprogress {
    kexport_progress_fn fn;
    void *ctx;
} xprogress;

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

/* The loaded survey with this key, or NULL. */
static const ksurvey *find_survey(const kexport_table *t, const char *key)
{
    for (int i = 0; i < t->nsurveys; i++)
        if (t->surveys[i] && strcmp(ksurvey_key(t->surveys[i]), key) == 0)
            return t->surveys[i];
    return NULL;
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
    xcol *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->survey = arena_dup(&t->a, survey);
    c->question = arena_dup(&t->a, question);
    if (t->a.oom)
        return -1;
    snprintf(c->header, sizeof c->header, "%s.%s", survey, question);
    c->first = first;
    c->order = -1;
    const ksurvey *sv = find_survey(t, survey);
    c->q = sv ? ksurvey_find(sv, question) : NULL;
    if (c->q)
        c->order = ksurvey_q_index(c->q);
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

/* Builds the answer grid and the column order (once per change). */
static int build_grid(kexport_table *t)
{
    if (t->built)
        return 0;
    free(t->perm);
    free(t->grid);
    free(t->grank);
    for (int i = 0; i < t->ncols; i++) {
        t->cols[i].survey_first = t->cols[i].first;
        for (int j = 0; j < t->ncols; j++)
            if (strcmp(t->cols[j].survey, t->cols[i].survey) == 0 &&
                t->cols[j].first < t->cols[i].survey_first)
                t->cols[i].survey_first = t->cols[j].first;
    }
    t->perm = malloc((size_t)(t->ncols ? t->ncols : 1) * sizeof *t->perm);
    size_t cells = (size_t)(t->nrows && t->ncols ? t->nrows * t->ncols : 1);
    t->grid = calloc(cells, sizeof *t->grid);
    t->grank = calloc(cells, sizeof *t->grank);
    if (!t->perm || !t->grid || !t->grank)
        return -1;
    for (int i = 0; i < t->ncols; i++) {            /* insertion sort: few columns */
        int j = i;
        while (j > 0 && cmp_col(&t->cols[i], &t->cols[t->perm[j - 1]]) < 0) {
            t->perm[j] = t->perm[j - 1];
            j--;
        }
        t->perm[j] = i;
    }
    for (long i = 0; i < t->nans; i++) {    /* the highest rank wins its cell */
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
    free(t->perm);
    arena_free(&t->a);
    free(t);
}

/* Number of output columns. */
static int ncolumns(const kexport_table *t)
{
    return KEXPORT_NFIXED + t->ncols;
}

/* Header of output column c. */
static const char *header(const kexport_table *t, int c)
{
    return c < KEXPORT_NFIXED ? fixed_names[c] : t->cols[t->perm[c - KEXPORT_NFIXED]].header;
}

/* Cell of row r, output column c ("" if none). */
static const char *cell(const kexport_table *t, long r, int c)
{
    if (c < KEXPORT_NFIXED)
        return t->rows[r].cell[c];
    const char *v = t->grid[r * t->ncols + t->perm[c - KEXPORT_NFIXED]];
    return v ? v : "";
}

/* Calls the progress callback; non-zero if the caller cancels. */
static int progress(const xprogress *p, long done, long total)
{
    return p->fn ? p->fn(p->ctx, done, total) : 0;
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

/* Writes the whole CSV; -1 if cancelled, else 0 (w->eno tells of errors). */
static int csv_write(const kexport_table *t, const xprogress *p, writer *w)
{
    int nc = ncolumns(t);
    out_put(w, "\xEF\xBB\xBF", 3);                  /* UTF-8 byte-order mark */
    for (int c = 0; c < nc; c++)
        csv_field(w, header(t, c), c == 0);
    out_put(w, "\r\n", 2);
    for (long r = 0; r < t->nrows && w->eno == 0; r++) {
        if (r % PROGRESS_EVERY == 0 && progress(p, r, t->nrows + 1))
            return -1;
        for (int c = 0; c < nc; c++)
            csv_field(w, cell(t, r, c), c == 0);
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

/* Counts for one event or program in the summary. */
typedef struct tally {
    const char *name, *program, *date, *event_id;
    long checkins, fresh;
} tally;

/* Adds a row to the tally list keyed by key (event id or program). */
static int tally_add(tally **list, long *n, long *cap, const char *key, const xrow *r,
                     int by_program)
{
    for (long i = *n - 1; i >= 0; i--) {
        const char *k = by_program ? (*list)[i].program : (*list)[i].event_id;
        if (strcmp(k, key) == 0) {
            (*list)[i].checkins++;
            (*list)[i].fresh += r->is_new;
            return 0;
        }
    }
    if (grow((void **)list, cap, *n, sizeof **list) != 0)
        return -1;
    (*list)[(*n)++] = (tally){r->cell[KEXPORT_COL_EVENT], r->cell[KEXPORT_COL_PROGRAM], r->cell[KEXPORT_COL_EVENT_DATE],
                              r->event_id, 1, r->is_new};
    return 0;
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

/* Fills ch with the answers of output column c if it is a choice question
 * (see export.h); 0 if it is, -1 if not. */
static int choice_column(const kexport_table *t, int c, choices *ch)
{
    const xcol *col = &t->cols[t->perm[c - KEXPORT_NFIXED]];
    memset(ch, 0, sizeof *ch);
    if (col->q) {
        ksurvey_type ty = ksurvey_q_type(col->q);
        if (ty == KSURVEY_YESNO) {
            ch->key[0] = "yes";
            ch->key[1] = "no";
            ch->n = 2;
        } else if (ty == KSURVEY_SINGLE || ty == KSURVEY_MULTIPLE) {
            for (int i = 0; i < ksurvey_q_nchoices(col->q) && ch->n < CHOICE_KEYS_MAX; i++)
                ch->key[ch->n++] = ksurvey_choice_key(col->q, i);
        } else {
            return -1;
        }
    }
    for (long r = 0; r < t->nrows; r++) {
        const char *v = cell(t, r, c);
        if (*v && choice_tally(ch, v) != 0 && !col->q)
            return -1;          /* not keys: a text or number question */
    }
    return 0;
}

/* Writes the summary sheet. */
static lxw_error xl_summary(const kexport_table *t, lxw_worksheet *ws, lxw_format *bold)
{
    tally *ev = NULL, *pg = NULL;
    long nev = 0, capev = 0, npg = 0, cappg = 0, fresh = 0;
    lxw_error e = LXW_NO_ERROR;
    long r = 0;
    for (long i = 0; i < t->nrows; i++) {
        if (tally_add(&ev, &nev, &capev, t->rows[i].event_id, &t->rows[i], 0) != 0 ||
            tally_add(&pg, &npg, &cappg, t->rows[i].cell[KEXPORT_COL_PROGRAM], &t->rows[i], 1) != 0) {
            e = LXW_ERROR_MEMORY_MALLOC_FAILED;
            goto done;
        }
        fresh += t->rows[i].is_new;
    }
    static const char *const ev_head[] = {"event", "program", "event_date",
                                          "checked_in", "new", "returning"};
    for (int c = 0; c < 6 && !e; c++)
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, ev_head[c], bold);
    for (long i = 0; i < nev && !e; i++) {
        r++;
        if (!(e = xl_string(ws, r, 0, ev[i].name, NULL)) &&
            !(e = xl_string(ws, r, 1, ev[i].program, NULL)) &&
            !(e = xl_string(ws, r, 2, ev[i].date, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)ev[i].checkins, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 4, (double)ev[i].fresh, NULL)))
            e = worksheet_write_number(ws, (lxw_row_t)r, 5,
                                       (double)(ev[i].checkins - ev[i].fresh), NULL);
    }
    r++;
    if (!e && !(e = worksheet_write_string(ws, (lxw_row_t)r, 0, "all events", bold)) &&
        !(e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)t->nrows, bold)) &&
        !(e = worksheet_write_number(ws, (lxw_row_t)r, 4, (double)fresh, bold)))
        e = worksheet_write_number(ws, (lxw_row_t)r, 5, (double)(t->nrows - fresh), bold);

    r += 2;
    static const char *const pg_head[] = {"program", "checked_in", "new", "returning"};
    for (int c = 0; c < 4 && !e; c++)
        e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, pg_head[c], bold);
    for (long i = 0; i < npg && !e; i++) {
        r++;
        if (!(e = xl_string(ws, r, 0, pg[i].program, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 1, (double)pg[i].checkins, NULL)) &&
            !(e = worksheet_write_number(ws, (lxw_row_t)r, 2, (double)pg[i].fresh, NULL)))
            e = worksheet_write_number(ws, (lxw_row_t)r, 3,
                                       (double)(pg[i].checkins - pg[i].fresh), NULL);
    }

    r += 2;
    static const char *const ch_head[] = {"survey", "question", "answer", "people"};
    for (int c = 0; c < 4 && !e; c++)
        e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, ch_head[c], bold);
    for (int c = KEXPORT_NFIXED; c < ncolumns(t) && !e; c++) {
        choices *ch = malloc(sizeof *ch);
        if (!ch) {
            e = LXW_ERROR_MEMORY_MALLOC_FAILED;
            break;
        }
        const xcol *col = &t->cols[t->perm[c - KEXPORT_NFIXED]];
        if (choice_column(t, c, ch) == 0)
            for (int k = 0; k < ch->n && !e; k++) {
                r++;
                if (!(e = xl_string(ws, r, 0, col->survey, NULL)) &&
                    !(e = xl_string(ws, r, 1, col->question, NULL)) &&
                    !(e = xl_string(ws, r, 2, ch->key[k], NULL)))
                    e = worksheet_write_number(ws, (lxw_row_t)r, 3, (double)ch->count[k],
                                               NULL);
            }
        free(ch);
    }
    if (!e)
        e = worksheet_set_column(ws, 0, 1, 28, NULL);
    if (!e)
        e = worksheet_set_column(ws, 2, 5, 14, NULL);
done:
    free(ev);
    free(pg);
    return e;
}

/* Writes the workbook to path; -1 if cancelled, else an lxw_error (the
 * errno of a failed write is left in *eno). */
static int xlsx_write(const kexport_table *t, const xprogress *p, const char *path, int *eno)
{
    int nc = ncolumns(t), cancelled = 0;
    lxw_error e = LXW_NO_ERROR;
    int *width = calloc((size_t)nc, sizeof *width);
    lxw_workbook_options wo = {.constant_memory = LXW_FALSE, .tmpdir = NULL,
                               .use_zip64 = LXW_FALSE};
    lxw_workbook *wb = width ? workbook_new_opt(path, &wo) : NULL;
    *eno = 0;
    if (!wb) {
        e = width ? LXW_ERROR_CREATING_XLSX_FILE : LXW_ERROR_MEMORY_MALLOC_FAILED;
        goto done;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Attendance");
    lxw_worksheet *sum = workbook_add_worksheet(wb, "Summary");
    lxw_format *bold = workbook_add_format(wb);
    if (!ws || !sum || !bold) {
        e = LXW_ERROR_MEMORY_MALLOC_FAILED;
        goto close;
    }
    format_set_bold(bold);
    for (int c = 0; c < nc && !e; c++) {
        width[c] = text_width(header(t, c)) + 1;
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, header(t, c), bold);
    }
    for (long r = 0; r < t->nrows && !e; r++) {
        if (r % PROGRESS_EVERY == 0 && progress(p, r, t->nrows + 1)) {
            cancelled = 1;
            goto close;
        }
        for (int c = 0; c < nc && !e; c++) {
            const char *v = cell(t, r, c);
            int w = text_width(v);
            if (w > width[c])
                width[c] = w;
            e = xl_string(ws, r + 1, c, v, NULL);
        }
    }
    for (int c = 0; c < nc && !e; c++) {
        int w = width[c] + 2;
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                 w > KIOSK_EXPORT_WIDTH_MAX ? KIOSK_EXPORT_WIDTH_MAX : w, NULL);
    }
    if (!e) {
        worksheet_freeze_panes(ws, 1, 0);
        e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)t->nrows, (lxw_col_t)(nc - 1));
    }
    if (!e)
        e = xl_summary(t, sum, bold);
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
 * self-closed root). */
static int xml_complete(const char *x, size_t n)
{
    while (n > 0 && (x[n - 1] == ' ' || x[n - 1] == '\r' || x[n - 1] == '\n'))
        n--;
    const char *p = x, *end = x + n;
    while (p < end) {                       /* the first element, past <?...?> */
        p = memchr(p, '<', (size_t)(end - p));
        if (!p || p + 1 >= end)
            return 0;
        if (p[1] != '?' && p[1] != '!')
            break;
        p++;
    }
    const char *name = p + 1;
    size_t len = strcspn(name, " \t\r\n/>");
    if (len == 0 || name + len >= end)
        return 0;
    const char *gt = memchr(name, '>', (size_t)(end - name));
    if (gt && gt == end - 1 && gt[-1] == '/')
        return 1;                           /* <root ... /> alone */
    return n >= len + 3 && memcmp(end - len - 3, "</", 2) == 0 &&
           memcmp(end - len - 1, name, len) == 0 && end[-1] == '>';
}

/* Reads the workbook at path back and checks every part (see the top of
 * this file); 0 if whole, else -1 with the reason in why. */
static int xlsx_verify(const char *path, char *why, size_t cap)
{
    size_t len = 0;
    unsigned char *z = NULL, *part = NULL;
    int ret = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, cap, "cannot read it back: %s", strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && n < (1L << 30) && (z = malloc((size_t)n)) != NULL &&
            fseek(f, 0, SEEK_SET) == 0 && fread(z, 1, (size_t)n, f) == (size_t)n)
            len = (size_t)n;
    }
    fclose(f);
    size_t eocd = len >= 22 ? len - 22 : 0;
    while (len >= 22 && eocd > 0 && memcmp(z + eocd, "PK\x05\x06", 4) != 0 &&
           len - eocd < 65557)
        eocd--;
    if (len < 22 || memcmp(z + eocd, "PK\x05\x06", 4) != 0) {
        snprintf(why, cap, "no zip directory (%zu bytes read back)", len);
        goto done;
    }
    unsigned count = le16(z + eocd + 10);
    size_t at = le32(z + eocd + 16);
    for (unsigned i = 0; i < count; i++) {
        if (at + 46 > len || memcmp(z + at, "PK\x01\x02", 4) != 0) {
            snprintf(why, cap, "zip directory entry %u is damaged", i);
            goto done;
        }
        unsigned method = le16(z + at + 10), nlen = le16(z + at + 28);
        unsigned long crc = le32(z + at + 16), csize = le32(z + at + 20),
                      usize = le32(z + at + 24), local = le32(z + at + 42);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(nlen < 127 ? nlen : 127),
                 (const char *)z + at + 46);
        at += 46 + nlen + le16(z + at + 30) + le16(z + at + 32);
        if (local + 30 > len || memcmp(z + local, "PK\x03\x04", 4) != 0) {
            snprintf(why, cap, "part %s is missing", name);
            goto done;
        }
        size_t data = local + 30 + le16(z + local + 26) + le16(z + local + 28);
        if (data + csize > len || (method != 0 && method != 8)) {
            snprintf(why, cap, "part %s is cut short", name);
            goto done;
        }
        free(part);
        part = malloc(usize + 1);
        if (!part) {
            snprintf(why, cap, "out of memory reading part %s", name);
            goto done;
        }
        if (method == 0) {
            if (csize != usize) {
                snprintf(why, cap, "part %s has the wrong size", name);
                goto done;
            }
            memcpy(part, z + data, usize);
        } else {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            zs.next_in = z + data;
            zs.avail_in = (uInt)csize;
            zs.next_out = part;
            zs.avail_out = (uInt)usize + 1;
            int zr = inflateInit2(&zs, -MAX_WBITS) == Z_OK ? inflate(&zs, Z_FINISH) : Z_MEM_ERROR;
            inflateEnd(&zs);
            if (zr != Z_STREAM_END || zs.total_out != usize) {
                snprintf(why, cap, "part %s does not inflate", name);
                goto done;
            }
        }
        if (crc32(0L, part, (uInt)usize) != crc) {
            snprintf(why, cap, "part %s fails its checksum", name);
            goto done;
        }
        size_t nl = strlen(name);
        if (((nl > 4 && strcmp(name + nl - 4, ".xml") == 0) ||
             (nl > 5 && strcmp(name + nl - 5, ".rels") == 0)) &&
            !xml_complete((const char *)part, usize)) {
            snprintf(why, cap, "part %s is cut short (%lu bytes)", name, usize);
            goto done;
        }
    }
    ret = count > 0 ? 0 : -1;
    if (ret)
        snprintf(why, cap, "the zip is empty");
done:
    free(part);
    free(z);
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

/* Writes the CSV to an open stream. */
int kexport_table_csv_stream(kexport_table *t, FILE *stream, kexport_progress_fn fn,
                             void *progress_ctx, kexport_result *res, kerr *err)
{
    xprogress p = {fn, progress_ctx};
    int ret = 0;
    if (res)
        memset(res, 0, sizeof *res);
    if (!t || !stream)
        return kerr_set(err, KERR_INVALID, "kexport_table_csv_stream: a table and a stream "
                        "are required");
    if (build_grid(t) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    writer *w = calloc(1, sizeof *w);
    if (!w)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    w->fd = -1;
    w->stream = stream;
    if (csv_write(t, &p, w) != 0)
        ret = kerr_set(err, KERR_INVALID, "export cancelled");
    else if (w->eno || fflush(stream) != 0)
        ret = kerr_set(err, w->eno == ENOSPC ? KERR_FULL : KERR_IO,
                       "cannot write the export: %s", strerror(w->eno ? w->eno : errno));
    if (ret == 0 && res) {
        res->rows = t->nrows;
        res->columns = ncolumns(t);
        res->bytes = w->bytes;
    }
    if (ret == 0)
        progress(&p, t->nrows + 1, t->nrows + 1);
    free(w);
    return ret;
}

/* Writes the CSV into the open partial file fd (closed here on error). */
static int csv_to_fd(const kexport_table *t, const xprogress *p, int fd, const char *partial,
                     const char *path, long long *bytes, kerr *err)
{
    writer *w = calloc(1, sizeof *w);
    int ret = 0;
    if (!w) {
        close(fd);
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    }
    w->fd = fd;
    if (csv_write(t, p, w) != 0)
        ret = kerr_set(err, KERR_INVALID, "export cancelled; nothing was saved");
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
static int xlsx_to_file(kexport_table *t, const xprogress *p, int *fd, const char *partial,
                        const char *path, long long *bytes, kerr *err)
{
    char dir[PATH_BYTES];
    int ret = 0, eno = 0;
    close(*fd);                                     /* libxlsxwriter opens it again */
    *fd = -1;
    int xe = xlsx_write(t, p, partial, &eno);
    folder_of(path, dir, sizeof dir);
    long long left = free_bytes(dir);
    if (xe < 0)
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

/* Writes the attendance file to path (safe write). */
int kexport_table_write(kexport_table *t, kexport_format f, const char *path,
                        kexport_progress_fn fn, void *progress_ctx, kexport_result *res,
                        kerr *err)
{
    char partial[PATH_BYTES];
    xprogress p = {fn, progress_ctx};
    long long bytes = 0;
    int fd = -1, ret = 0;
    if (res)
        memset(res, 0, sizeof *res);
    if (!t || !path || !*path)
        return kerr_set(err, KERR_INVALID, "kexport_table_write: a table and a file name "
                        "are required");
    if (partial_name(path, partial, sizeof partial) != 0)
        return kerr_set(err, KERR_INVALID, "export file name is too long: %.80s...", path);
    if (build_grid(t) != 0)
        return kerr_set(err, KERR_INTERNAL, "export: out of memory");
    if (progress(&p, 0, t->nrows + 1))
        return kerr_set(err, KERR_INVALID, "export cancelled; nothing was saved");
    fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, KFILE_MODE);
    if (fd < 0)
        return file_error(errno, "cannot create", partial, path, err);
    if (kfile_private_fd(fd, partial, err) != 0) {  /* 0600 whatever the umask */
        close(fd);
        unlink(partial);
        return KERR_IO;
    }
    if (f == KEXPORT_CSV)
        ret = csv_to_fd(t, &p, fd, partial, path, &bytes, err);
    else
        ret = xlsx_to_file(t, &p, &fd, partial, path, &bytes, err);
    if (ret == 0)
        ret = commit_file(fd, partial, path, err);  /* closes fd */
    if (ret != 0) {
        unlink(partial);
        return ret;
    }
    progress(&p, t->nrows + 1, t->nrows + 1);
    if (res) {
        res->rows = t->nrows;
        res->columns = ncolumns(t);
        res->bytes = bytes;
    }
    return 0;
}
