/*
 * test_export.c - unit tests of attendance files (kiosk/core/export.c) and
 * of finding the USB drive (kiosk/core/usbdrive.c).
 *
 * CSV: the exact bytes of a small export (byte-order mark, CRLF, quoting,
 * the formula guard on = + - @ TAB CR, Vietnamese and Korean), read back
 * with the strict RFC 4180 reader of kiosk/core/csv.h; scope, column order,
 * latest answers.  XLSX: a valid zip (its cells are compared by
 * tests/export_check.py with openpyxl).  Safe write: cancelled, a folder
 * that cannot exist, a file size limit (always), a full tmpfs and a
 * read-only tmpfs (as root, where mount(2) works; a read-only folder by
 * permissions otherwise): never a file under the final name, never a
 * partial file left.  usbdrive: a fake mount table and /sys/block tree.
 */
#define _GNU_SOURCE                 /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "export.h"
#include "ktest.h"
#include "store.h"
#include "usbdrive.h"

#define BASE_WALL 1700000000000LL           /* 2023-11-14 22:13:20 UTC */

typedef struct world {
    char dir[64];
    char data[128];
    kclock clock;
    kclock_virtual vclock;
    kstore *s;
    kevent ev, other;
    kerr err;
    char pid[6][KIOSK_ID_HEX + 1];
} world;

/* ---- helpers ------------------------------------------------------------------ */

/* Removes a folder tree. */
static void rm_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Signs up one person at event; keeps the id in w->pid[i]. */
static void person(world *w, int i, const char *given, const char *family,
                   const char *phone, const char *email, const char *zip)
{
    kperson p;
    memset(&p, 0, sizeof p);
    snprintf(p.given, sizeof p.given, "%s", given);
    snprintf(p.family, sizeof p.family, "%s", family);
    snprintf(p.phone, sizeof p.phone, "%s", phone);
    snprintf(p.email, sizeof p.email, "%s", email);
    snprintf(p.zip, sizeof p.zip, "%s", zip);
    CHECK_INT(kstore_signup(w->s, &p, w->ev.id, &w->err), 0);
    snprintf(w->pid[i], sizeof w->pid[i], "%s", p.id);
}

/* The small world of the exact-bytes test: one event with hostile names,
 * answers (one changed), and a second, older event with one check-in. */
static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    setenv("TZ", "UTC", 1);
    tzset();
    ktest_tmpdir(w->dir, sizeof w->dir);
    snprintf(w->data, sizeof w->data, "%s/data", w->dir);
    kclock_virtual_init(&w->clock, &w->vclock, BASE_WALL, NULL);
    if (kstore_open(&w->s, w->data, &w->clock, &w->err) != 0) {
        fprintf(stderr, "open: %s\n", w->err.msg);
        exit(1);
    }
    kevent_spec older = {"Summer kickoff", "summer bootcamp", "2023-06-01", NULL, NULL};
    CHECK_INT(kstore_event_add2(w->s, &older, &w->other, &w->err), 0);
    kevent_spec spec = {"Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
                        "pw", NULL};
    CHECK_INT(kstore_event_add2(w->s, &spec, &w->ev, &w->err), 0);
    person(w, 0, "=1+1", "Nguyễn", "+63 917 555 0101", "a@b.org", "98118");
    w->vclock.now_ms += 60000;
    person(w, 1, "@SUM(A1)", "-x", "", "", "");
    w->vclock.now_ms += 60000;
    person(w, 2, "\tTab", "\rCR", "", "", "");
    w->vclock.now_ms += 60000;
    person(w, 3, "Kim, Min-jun", "한국 \"Han\"", "010-1234", "", "");
    w->vclock.now_ms += 60000;
    person(w, 4, "Line\nBreak", "O'Neil", "", "", "");
    CHECK_INT(kstore_checkin(w->s, w->pid[0], w->other.id, &w->err), 0);
    CHECK_INT(kstore_answer_add(w->s, w->pid[0], w->ev.id, "pw", 1, "grades", "k;1", "vi",
                                &w->err), 0);
    CHECK_INT(kstore_answer_add(w->s, w->pid[0], w->ev.id, "pw", 1, "note",
                                "=HYPERLINK(\"x\")", "vi", &w->err), 0);
    CHECK_INT(kstore_answer_add(w->s, w->pid[3], w->ev.id, "pw", 1, "grades",
                                "other:ăn, uống", "ko", &w->err), 0);
    CHECK_INT(kstore_answer_add(w->s, w->pid[0], w->ev.id, "pw", 1, "grades", "k;3", "vi",
                                &w->err), 0);
}

/* Closes the store and removes the folder. */
static void world_close(world *w)
{
    kstore_close(w->s);
    rm_tree(w->dir);
}

/* Whole file into a NUL-terminated buffer; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* True if path exists. */
static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Number of entries (besides . and ..) in a folder. */
static int entries(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
    return system(cmd) == 0 ? 0 : 1;
}

/* Adds n more people at the event (one batch), for big exports. */
static void many_people(world *w, int n)
{
    CHECK_INT(kstore_batch_begin(w->s, &w->err), 0);
    for (int i = 0; i < n; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "Người %d", i);
        snprintf(p.family, sizeof p.family, "Phạm-%d", i);
        snprintf(p.phone, sizeof p.phone, "+1 206 555 %04d", i);
        snprintf(p.email, sizeof p.email, "p%d@example.org", i);
        CHECK_INT(kstore_signup(w->s, &p, w->ev.id, &w->err), 0);
        CHECK_INT(kstore_answer_add(w->s, p.id, w->ev.id, "pw", 1, "grades",
                                    i % 2 ? "k" : "k;1", "en", &w->err), 0);
    }
    CHECK_INT(kstore_batch_commit(w->s, &w->err), 0);
}

/* ---- CSV ------------------------------------------------------------------------ */

static const char expected_csv[] =
    "\xEF\xBB\xBF"
    "checked_in,event,program,event_date,given,family,phone,email,zip,status,"
    "pw.grades,pw.note\r\n"
    "2023-11-14 22:13,\"Parent Night, \"\"Fall\"\"\",parent organizing,2023-11-14,"
    "'=1+1,Nguyễn,'+63 917 555 0101,a@b.org,98118,new,k;3,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
    "2023-11-14 22:14,\"Parent Night, \"\"Fall\"\"\",parent organizing,2023-11-14,"
    "'@SUM(A1),'-x,,,,new,,\r\n"
    "2023-11-14 22:15,\"Parent Night, \"\"Fall\"\"\",parent organizing,2023-11-14,"
    "'\tTab,\"'\rCR\",,,,new,,\r\n"
    "2023-11-14 22:16,\"Parent Night, \"\"Fall\"\"\",parent organizing,2023-11-14,"
    "\"Kim, Min-jun\",\"한국 \"\"Han\"\"\",010-1234,,,new,\"other:ăn, uống\",\r\n"
    "2023-11-14 22:17,\"Parent Night, \"\"Fall\"\"\",parent organizing,2023-11-14,"
    "\"Line\nBreak\",O'Neil,,,,new,,\r\n";

/* The cells expected after reading the CSV back (the guard's apostrophe is
 * part of the cell; the text after it is the original). */
static const char *const expected_cells[6][12] = {
    {"checked_in", "event", "program", "event_date", "given", "family", "phone", "email",
     "zip", "status", "pw.grades", "pw.note"},
    {"2023-11-14 22:13", "Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
     "'=1+1", "Nguyễn", "'+63 917 555 0101", "a@b.org", "98118", "new", "k;3",
     "'=HYPERLINK(\"x\")"},
    {"2023-11-14 22:14", "Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
     "'@SUM(A1)", "'-x", "", "", "", "new", "", ""},
    {"2023-11-14 22:15", "Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
     "'\tTab", "'\rCR", "", "", "", "new", "", ""},
    {"2023-11-14 22:16", "Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
     "Kim, Min-jun", "한국 \"Han\"", "010-1234", "", "", "new", "other:ăn, uống", ""},
    {"2023-11-14 22:17", "Parent Night, \"Fall\"", "parent organizing", "2023-11-14",
     "Line\nBreak", "O'Neil", "", "", "", "new", "", ""},
};

/* The exact bytes of one event's CSV, and the strict reader agrees. */
static void test_csv_bytes(void)
{
    world w;
    char path[200];
    size_t len;
    kexport_result res;
    world_open(&w);
    snprintf(path, sizeof path, "%s/a.csv", w.dir);
    kexport_opts o = {.format = KEXPORT_CSV, .scope = {w.ev.id, NULL}};
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    CHECK_INT(res.rows, 5);
    CHECK_INT(res.columns, 12);
    char *got = slurp(path, &len);
    CHECK(got != NULL);
    CHECK_INT(res.bytes, (long long)len);
    CHECK_INT(len, sizeof expected_csv - 1);
    CHECK(got && memcmp(got, expected_csv, sizeof expected_csv - 1) == 0);
    if (got && (len != sizeof expected_csv - 1 || memcmp(got, expected_csv, len) != 0))
        fprintf(stderr, "got:\n%s\nexpected:\n%s\n", got, expected_csv);

    /* the strict reader: no error, the same cells, 6 records of 12 */
    kcsv r;
    kcsv_field f;
    char cellbuf[512];
    int rec = 0, col = 0, errors = 0;
    kcsv_init(&r, got ? got : "", got ? len : 0);
    r.check_utf8 = 1;
    while (kcsv_next(&r, cellbuf, sizeof cellbuf, &f)) {
        errors += f.error != NULL;
        if (rec < 6 && col < 12)
            CHECK_STR(cellbuf, expected_cells[rec][col]);
        col++;
        if (f.end_of_record) {
            CHECK_INT(col, 12);
            rec++;
            col = 0;
        }
    }
    CHECK_INT(errors, 0);
    CHECK_INT(rec, 6);
    free(got);

    /* the same bytes to a stream (-o -) */
    char spath[200];
    snprintf(spath, sizeof spath, "%s/stream.csv", w.dir);
    FILE *sf = fopen(spath, "wb");
    CHECK_INT(kexport_csv_stream(w.s, &o, sf, &res, &w.err), 0);
    fclose(sf);
    got = slurp(spath, &len);
    CHECK(got && len == sizeof expected_csv - 1 && memcmp(got, expected_csv, len) == 0);
    free(got);
    CHECK(!exists(spath + 0) || 1);
    char partial[220];
    snprintf(partial, sizeof partial, "%s.partial", path);
    CHECK(!exists(partial));
    world_close(&w);
}

/* The guard: exactly the six characters, first position only. */
static void test_guard(void)
{
    const char *yes[] = {"=1+1", "+63 917", "-x", "@SUM(A1)", "\tx", "\rx", "=", "-"};
    const char *no[] = {"", "x=1", " =1", "'=1", "0-1", "Nguyễn", "＝1", "\nx"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(kexport_needs_guard(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!kexport_needs_guard(no[i]));
    CHECK(!kexport_needs_guard(NULL));
}

/* Scope (all, one event, since), order, and column order from a survey. */
static void test_scope_and_columns(void)
{
    world w;
    char path[200];
    size_t len;
    kexport_result res;
    world_open(&w);
    snprintf(path, sizeof path, "%s/all.csv", w.dir);
    kexport_opts o = {.format = KEXPORT_CSV};
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    CHECK_INT(res.rows, 6);
    char *got = slurp(path, &len);
    /* the older event comes first; the person is "returning" there? no: the
     * check-in at the older event came later, so it is returning */
    CHECK(got && strstr(got, "\r\n2023-11-14 22:17,Summer kickoff,summer bootcamp,"
                             "2023-06-01,'=1+1,Nguyễn,'+63 917 555 0101,a@b.org,98118,"
                             "returning,,\r\n") != NULL);
    free(got);

    o.scope.since = "2023-11-01";
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    CHECK_INT(res.rows, 5);
    o.scope.since = "2023-11-15";
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    CHECK_INT(res.rows, 0);
    got = slurp(path, &len);
    CHECK(got && strcmp(got, "\xEF\xBB\xBF" "checked_in,event,program,event_date,given,"
                             "family,phone,email,zip,status\r\n") == 0);
    free(got);
    o.scope.since = "2023-02-30";
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), KERR_INVALID);

    /* with the survey loaded, its order wins: note before grades */
    static const char survey[] =
        "row,key,type,required,options,show_if,en\n"
        "survey,pw,,,version=1,,Parent workshop\n"
        "question,note,text,no,max=100,,Anything else?\n"
        "question,grades,multiple,no,,,Grades?\n"
        "choice,k,,,,,Kindergarten\n"
        "choice,g1,,,,,Grade 1\n";
    ksurvey *sv = NULL;
    ksurvey_diags *d = calloc(1, sizeof *d);
    int lrc = ksurvey_load_buffer("pw.csv", survey, sizeof survey - 1, &sv, d, &w.err);
    if (lrc != 0)
        for (int i = 0; i < d->n; i++)
            fprintf(stderr, "  %s\n", d->diag[i].msg);
    free(d);
    CHECK_INT(lrc, 0);
    const ksurvey *list[1] = {sv};
    o.scope.since = NULL;
    o.scope.event_id = w.ev.id;
    o.surveys = list;
    o.nsurveys = sv ? 1 : 0;
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    got = slurp(path, &len);
    CHECK(got && strstr(got, ",status,pw.note,pw.grades\r\n") != NULL);
    free(got);
    ksurvey_free(sv);
    world_close(&w);
}

/* Progress: from 0 to total, total only at the end; cancelling leaves
 * nothing behind, not even an older file's replacement. */
typedef struct prog {
    long calls, last_done, total;
    int monotonic;
    long cancel_at;
} prog;

/* Records progress calls; cancels when done reaches cancel_at. */
static int on_progress(void *ctx, long done, long total)
{
    prog *p = ctx;
    if (done < p->last_done)
        p->monotonic = 0;
    p->calls++;
    p->last_done = done;
    p->total = total;
    return p->cancel_at >= 0 && done >= p->cancel_at;
}

/* Progress reports and cancelling. */
static void test_progress_and_cancel(void)
{
    world w;
    char path[200], partial[220];
    size_t len;
    world_open(&w);
    many_people(&w, 700);
    snprintf(path, sizeof path, "%s/p.xlsx", w.dir);
    snprintf(partial, sizeof partial, "%s.partial", path);
    for (int fmt = 0; fmt < 2; fmt++) {
        prog p = {0, 0, 0, 1, -1};
        kexport_opts o = {.format = fmt ? KEXPORT_XLSX : KEXPORT_CSV,
                          .progress = on_progress, .progress_ctx = &p};
        CHECK_INT(kexport_write(w.s, &o, path, NULL, &w.err), 0);
        CHECK(p.calls >= 4);
        CHECK(p.monotonic);
        CHECK_INT(p.total, 706 + 1);
        CHECK_INT(p.last_done, p.total);

        FILE *f = fopen(path, "wb");                /* an older file of that name */
        fputs("OLD", f);
        fclose(f);
        prog c = {0, 0, 0, 1, 300};
        o.progress_ctx = &c;
        CHECK_INT(kexport_write(w.s, &o, path, NULL, &w.err), KERR_INVALID);
        CHECK(strstr(w.err.msg, "cancelled") != NULL);
        char *got = slurp(path, &len);
        CHECK(got && strcmp(got, "OLD") == 0);
        free(got);
        CHECK(!exists(partial));
    }
    world_close(&w);
}

/* The XLSX is a zip (local header first, end-of-directory record last). */
static void test_xlsx_zip(void)
{
    world w;
    char path[200];
    size_t len;
    kexport_result res;
    world_open(&w);
    snprintf(path, sizeof path, "%s/a.xlsx", w.dir);
    kexport_opts o = {.format = KEXPORT_XLSX};
    CHECK_INT(kexport_write(w.s, &o, path, &res, &w.err), 0);
    CHECK_INT(res.rows, 6);
    char *got = slurp(path, &len);
    CHECK(got && len > 1000);
    CHECK(got && memcmp(got, "PK\x03\x04", 4) == 0);
    CHECK(got && len > 22 && memcmp(got + len - 22, "PK\x05\x06", 4) == 0);
    CHECK(got && memmem(got, len, "xl/worksheets/sheet2.xml", 24) != NULL);
    CHECK_INT(res.bytes, (long long)len);
    free(got);
    kexport_format f;
    CHECK_INT(kexport_format_parse("XLSX", &f), 0);
    CHECK_INT(f, KEXPORT_XLSX);
    CHECK_INT(kexport_format_parse("ods", &f), -1);
    world_close(&w);
}

/* ---- safe write: failures -------------------------------------------------------- */

/* Exports both formats to dir/out.EXT and expects code; nothing may be
 * left under the final or the partial name. */
static void expect_failure(world *w, const char *dir, int code, const char *words,
                           const char *xlsx_words, const char *label)
{
    for (int fmt = 0; fmt < 2; fmt++) {
        char path[300], partial[320];
        snprintf(path, sizeof path, "%s/out.%s", dir, fmt ? "xlsx" : "csv");
        snprintf(partial, sizeof partial, "%s.partial", path);
        kexport_opts o = {.format = fmt ? KEXPORT_XLSX : KEXPORT_CSV};
        int rc = kexport_write(w->s, &o, path, NULL, &w->err);
        const char *want = fmt && xlsx_words ? xlsx_words : words;
        CHECK_INT(rc, code);
        if (rc != code || !strstr(w->err.msg, want))
            fprintf(stderr, "   %s (%s): %s\n", label, fmt ? "xlsx" : "csv", w->err.msg);
        CHECK(strstr(w->err.msg, want) != NULL);
        CHECK(strstr(w->err.msg, "out.") != NULL);          /* names the file */
        CHECK(!exists(path));
        CHECK(!exists(partial));
        fprintf(stderr, "   %s (%s): %s\n", label, fmt ? "xlsx" : "csv", w->err.msg);
    }
}

/* A target folder that cannot exist, and a file size limit mid-write. */
static void test_write_failures(void)
{
    world w;
    char blocker[200], limited[200];
    world_open(&w);
    many_people(&w, 2000);
    snprintf(blocker, sizeof blocker, "%s/a-file", w.dir);
    FILE *f = fopen(blocker, "w");
    fclose(f);
    snprintf(limited, sizeof limited, "%s/a-file/sub", w.dir);
    expect_failure(&w, limited, KERR_IO, "Not a directory", NULL, "folder under a file");

    /* RLIMIT_FSIZE: writes past 16 KiB fail with EFBIG (SIGXFSZ ignored) */
    snprintf(limited, sizeof limited, "%s/limited", w.dir);
    mkdir(limited, 0700);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 16384;
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) == 0) {
        /* libxlsxwriter's own temporary files are cut too: the read-back
         * check finds the cut part */
        expect_failure(&w, limited, KERR_IO, "File too large", "did not read back whole",
                       "file size limit");
        setrlimit(RLIMIT_FSIZE, &old);
    }
    signal(SIGXFSZ, SIG_DFL);
    CHECK_INT(entries(limited), 0);
    world_close(&w);
}

/* A full drive and a read-only drive: tmpfs mounts as root, else a
 * read-only folder by permissions. */
static void test_full_and_readonly(void)
{
    world w;
    char mnt[200];
    world_open(&w);
    many_people(&w, 2000);                           /* about 200 KB of CSV */
    snprintf(mnt, sizeof mnt, "%s/drive", w.dir);
    mkdir(mnt, 0700);
    if (geteuid() == 0 && mount("tmpfs", mnt, "tmpfs", 0, "size=64k") == 0) {
        expect_failure(&w, mnt, KERR_FULL, "the drive is full", NULL, "full tmpfs");
        CHECK_INT(entries(mnt), 0);
        umount(mnt);
        CHECK_INT(mount("tmpfs", mnt, "tmpfs", MS_RDONLY, "size=1m"), 0);
        expect_failure(&w, mnt, KERR_IO, "read-only", NULL, "read-only tmpfs");
        kusb_drive d;
        CHECK_INT(kusb_check_folder(mnt, NULL, &d, &w.err), KERR_IO);
        CHECK(strstr(w.err.msg, "read-only") != NULL);
        umount(mnt);
    } else {
        fprintf(stderr, "   cannot mount tmpfs here (not root?): read-only folder by "
                        "permissions instead; the full drive case needs root\n");
        chmod(mnt, 0500);
        expect_failure(&w, mnt, KERR_IO, "read-only", NULL, "read-only folder");
        chmod(mnt, 0700);
    }
    world_close(&w);
}

/* ---- file names and folders ----------------------------------------------------- */

/* Generated names and kexport_to_folder. */
static void test_file_names(void)
{
    world w;
    char name[256], path[600];
    kexport_result res;
    world_open(&w);
    int64_t at = BASE_WALL + 3600000;                /* 23:13 UTC */
    kscope one = {w.ev.id, NULL}, since = {NULL, "2023-11-01"}, all = {NULL, NULL};
    CHECK_INT(kexport_file_name(w.s, &one, KEXPORT_CSV, at, name, sizeof name), 0);
    CHECK_STR(name, "attendance-2023-11-14-parent-night-fall-2313.csv");
    CHECK_INT(kexport_file_name(w.s, &since, KEXPORT_XLSX, at, name, sizeof name), 0);
    CHECK_STR(name, "attendance-since-2023-11-01-20231114-2313.xlsx");
    CHECK_INT(kexport_file_name(w.s, &all, KEXPORT_CSV, at, name, sizeof name), 0);
    CHECK_STR(name, "attendance-all-20231114-2313.csv");
    CHECK_INT(kexport_file_name(w.s, &all, KEXPORT_CSV, at, name, 10), -1);
    kevent k;
    kevent_spec ks = {"청소년 모임", "", "2023-12-01", NULL, NULL};
    CHECK_INT(kstore_event_add2(w.s, &ks, &k, &w.err), 0);
    kscope ko = {k.id, NULL};
    CHECK_INT(kexport_file_name(w.s, &ko, KEXPORT_CSV, at, name, sizeof name), 0);
    CHECK_STR(name, "attendance-2023-12-01-event-2313.csv");

    kexport_opts o = {.format = KEXPORT_XLSX, .scope = one};
    CHECK_INT(kexport_to_folder(w.s, &o, w.dir, at, path, sizeof path, &res, &w.err), 0);
    char want[600];
    snprintf(want, sizeof want, "%s/attendance-2023-11-14-parent-night-fall-2313.xlsx", w.dir);
    CHECK_STR(path, want);
    CHECK(exists(want));
    CHECK_INT(res.rows, 5);
    world_close(&w);
}

/* ---- USB drives ------------------------------------------------------------------- */

/* Writes text to root/rel, making folders on the way. */
static void put(const char *root, const char *rel, const char *text)
{
    char path[600], cmd[700];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    CHECK_INT(system(cmd), 0);
    if (text) {
        FILE *f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
    } else {
        mkdir(path, 0755);
    }
}

/* The first usable drive from a fake mount table and /sys/block tree. */
static void test_usbdrive(void)
{
    char root[64], mounts[200], sys[200], roots[300], table[2000], want[300];
    kusb_drive d;
    kerr err;
    ktest_tmpdir(root, sizeof root);
    snprintf(mounts, sizeof mounts, "%s/mounts", root);
    snprintf(sys, sizeof sys, "%s/sys/block", root);
    snprintf(roots, sizeof roots, "%s/media/:%s/mnt", root, root);
    put(root, "sys/block/sda/removable", "0\n");
    put(root, "sys/block/sda/sda1", NULL);
    put(root, "sys/block/sdb/removable", "1\n");
    put(root, "sys/block/sdb/sdb1", NULL);
    put(root, "sys/block/sdc/removable", "1\n");
    put(root, "media/kiosk/RO STICK", NULL);
    put(root, "elsewhere/usb", NULL);
    put(root, "data", NULL);
    put(root, "mnt/stick", NULL);
    kusb_env env = {mounts, sys, roots, 4096};

    /* the read-only stick first: skipped; the removable sdb1 is chosen */
    snprintf(table, sizeof table,
             "/dev/sda1 / ext4 rw,relatime 0 0\n"
             "proc /proc proc rw 0 0\n"
             "tmpfs %s/media/tmp tmpfs rw 0 0\n"
             "/dev/sda1 %s/data ext4 rw 0 0\n"
             "/dev/sdc %s/media/kiosk/RO\\040STICK vfat ro,relatime 0 0\n"
             "/dev/sdb1 %s/elsewhere/usb vfat rw,relatime 0 0\n",
             root, root, root, root);
    put(root, "mounts", table);
    CHECK_INT(kusb_find(&env, &d, &err), 0);
    snprintf(want, sizeof want, "%s/elsewhere/usb", root);
    CHECK_STR(d.folder, want);
    CHECK_STR(d.device, "/dev/sdb1");
    CHECK_STR(d.label, "usb");
    CHECK_STR(d.fstype, "vfat");
    CHECK_INT(d.removable, 1);
    CHECK(d.free_bytes > 4096);

    /* only the read-only stick: its problem is the answer */
    snprintf(table, sizeof table, "/dev/sdc %s/media/kiosk/RO\\040STICK vfat ro 0 0\n", root);
    put(root, "mounts", table);
    CHECK_INT(kusb_find(&env, &d, &err), KERR_IO);
    CHECK(strstr(err.msg, "read-only") != NULL);
    CHECK(strstr(err.msg, "RO STICK") != NULL);
    fprintf(stderr, "   %s\n", err.msg);

    /* a stick under /mnt by mount point alone (sda is not removable);
     * "remount-ro" inside another option is not "ro" */
    snprintf(table, sizeof table, "/dev/sda1 %s/mnt/stick vfat rw,errors=remount-ro 0 0\n",
             root);
    put(root, "mounts", table);
    CHECK_INT(kusb_find(&env, &d, &err), 0);
    CHECK_INT(d.removable, 0);

    /* a damaged table: short and blank lines are skipped, the good line
     * after them still counts */
    snprintf(table, sizeof table, "/dev/sdq\n\n   \n/dev/sdb1 %s/elsewhere/usb vfat ro\n"
             "/dev/sda1 %s/mnt/stick vfat rw 0 0\n", root, root);
    put(root, "mounts", table);
    CHECK_INT(kusb_find(&env, &d, &err), 0);
    snprintf(want, sizeof want, "%s/mnt/stick", root);
    CHECK_STR(d.folder, want);

    /* a full one */
    snprintf(table, sizeof table, "/dev/sda1 %s/mnt/stick vfat rw 0 0\n", root);
    put(root, "mounts", table);
    env.min_free = 1LL << 62;
    CHECK_INT(kusb_find(&env, &d, &err), KERR_FULL);
    CHECK(strstr(err.msg, "is full") != NULL);
    env.min_free = 4096;

    /* none at all */
    snprintf(table, sizeof table, "/dev/sda1 / ext4 rw 0 0\n/dev/sda1 %s/data ext4 rw 0 0\n",
             root);
    put(root, "mounts", table);
    CHECK_INT(kusb_find(&env, &d, &err), KERR_NOTFOUND);
    CHECK_STR(err.msg, "no USB drive found: plug one in");
    env.mounts = "/nonexistent/mounts";
    CHECK_INT(kusb_find(&env, &d, &err), KERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/mounts") != NULL);

    /* the real machine: whatever it has, a known answer and no crash */
    int rc = kusb_find(NULL, &d, &err);
    CHECK(rc == 0 || rc == KERR_NOTFOUND || rc == KERR_IO || rc == KERR_FULL);

    /* the export.folder setting wins */
    world w;
    world_open(&w);
    env.mounts = mounts;
    CHECK_INT(kstore_setting_set(w.s, "export.folder", w.dir, &w.err), 0);
    CHECK_INT(kusb_export_folder(w.s, &env, &d, &w.err), 0);
    CHECK_STR(d.folder, w.dir);
    CHECK_INT(d.configured, 1);
    CHECK_INT(kstore_setting_set(w.s, "export.folder", "/nonexistent/folder", &w.err), 0);
    CHECK_INT(kusb_export_folder(w.s, &env, &d, &w.err), KERR_NOTFOUND);
    CHECK(strstr(w.err.msg, "/nonexistent/folder") != NULL);
    CHECK_INT(kstore_setting_set(w.s, "export.folder", "", &w.err), 0);
    CHECK_INT(kusb_export_folder(w.s, &env, &d, &w.err), KERR_NOTFOUND);
    CHECK_STR(w.err.msg, "no USB drive found: plug one in");
    world_close(&w);
    rm_tree(root);
}

/* Runs every test. */
int main(void)
{
    RUN(test_csv_bytes);
    RUN(test_guard);
    RUN(test_scope_and_columns);
    RUN(test_progress_and_cancel);
    RUN(test_xlsx_zip);
    RUN(test_write_failures);
    RUN(test_full_and_readonly);
    RUN(test_file_names);
    RUN(test_usbdrive);
    return ktest_summary();
}
