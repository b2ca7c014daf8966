/*
 * bench_kiosk.c - speed figures of the walk-up sign-in and the staff
 * screen, printed, never pass/fail (a busy machine must not fail a build).
 * Every figure is measured in RUNS runs and printed as its median with
 * the run-to-run spread (lowest-highest), and once more as one line
 * `bench NAME VALUE UNIT` (the median; NAME_spread the highest minus the
 * lowest) for scripts that compare runs:
 *   1. time to build and draw each screen at 1280x800 with the software
 *      renderer, p99 over many frames, as the thread's own CPU time
 *      (CLOCK_THREAD_CPUTIME_ID: what the kiosk costs) beside wall time
 *      (what a person waits, which on a shared machine is mostly the
 *      scheduler);
 *   2. search time per keystroke with PEOPLE people in the store;
 *   3. the cost of one durable sign-in (kstore_signup: person, index and
 *      check-in in one transaction, WAL, synchronous=FULL) as a ratio to a
 *      bare one-row INSERT with the same settings into a table of as many
 *      rows, interleaved one for one, on a store of PEOPLE people, after
 *      the disk settled (sync, then no dirty pages left to write back);
 *   4. languages: time to the first frame of welcome with every language's
 *      greeting against English alone (fonts load lazily), resident memory
 *      with every script drawn once (offscreen here; tests/bench/run.sh
 *      also runs `bench_kiosk memory` in a real window under Xvfb), and the
 *      form with the keyboard in each layout;
 *   5. surveys: moving from one question to the next;
 *   6. staff: a tap on the staff screen (page down, page up, back to the
 *      first page: the flow's reads and the frame) with CHECKINS check-ins
 *      in the store, the current event holding a tenth of them (made by
 *      kdemo_fill, as `kiosk demo seed` makes them).
 * Idle CPU is measured by tests/bench/idle_cpu.sh under Xvfb.
 *
 *   bench_kiosk [FRAMES] [PEOPLE] [CHECKINS]   everything
 *   bench_kiosk staff CHECKINS                 only 6 (the --scale point)
 *   bench_kiosk signup PEOPLE                  only 3
 *   bench_kiosk memory                         resident memory, in a window
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "demo.h"
#include "flow.h"
#include "i18n.h"
#include "screens.h"
#include "store.h"
#include "surveys.h"

/* Milliseconds of a monotonic clock. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns the p-th percentile (0..100). */
static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p / 100.0 * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* This thread's CPU time in ms (what the kiosk itself spends). */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

#define RUNS 5                      /* runs of each figure, for its spread */

/* Prints one figure measured in n runs: median and spread (lowest to
 * highest), then the machine-readable lines `bench NAME VALUE UNIT` and
 * `bench NAME_spread VALUE UNIT`. */
static void figure(const char *label, const char *name, const char *unit, const double *runs,
                   int n)
{
    double v[64];
    if (n > 64)
        n = 64;
    memcpy(v, runs, (size_t)n * sizeof *v);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("  %-44s %9.3f %-3s (%.3f-%.3f over %d runs)\n", label, med, unit, v[0], v[n - 1],
           n);
    printf("bench %s %.3f %s\n", name, med, unit);
    printf("bench %s_spread %.3f %s\n", name, v[n - 1] - v[0], unit);
    fflush(stdout);
}

/* The temporary folders this run made (a store of 100,000 people is
 * ~90 MB): removed at exit. */
enum { TMPDIRS_MAX = 32 };
static char tmpdirs[TMPDIRS_MAX][64];
static int ntmpdirs;

/* Removes one file or folder for nftw. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes every temporary folder (atexit). */
static void remove_tmpdirs(void)
{
    for (int i = 0; i < ntmpdirs; i++)
        nftw(tmpdirs[i], remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Makes a temporary folder, removed when the benchmark ends. */
static char *tmpdir(void)
{
    if (ntmpdirs == TMPDIRS_MAX) {
        fprintf(stderr, "bench: too many temporary folders\n");
        exit(2);
    }
    char *buf = tmpdirs[ntmpdirs];
    snprintf(buf, 64, "/tmp/kiosk-bench-XXXXXX");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(2);
    }
    if (ntmpdirs++ == 0)
        atexit(remove_tmpdirs);
    return buf;
}

/* Draws the current screen frames times in each of RUNS runs, forcing a
 * full rebuild each time; prints the p99 per run as thread CPU time and as
 * wall time. */
static void bench_screen(kapp *a, const char *label, const char *name, int frames)
{
    double *t = calloc((size_t)frames, sizeof *t), *c = calloc((size_t)frames, sizeof *c);
    double pw[RUNS], pc[RUNS];
    char l[96], n[96];
    kapp_frame(a, 1, 0);   /* warm the text cache, as the kiosk's first frame does */
    for (int r = 0; r < RUNS; r++) {
        for (int i = 0; i < frames; i++) {
            double t0 = now_ms(), c0 = cpu_ms();
            kapp_frame(a, 1, 0);
            c[i] = cpu_ms() - c0;
            t[i] = now_ms() - t0;
        }
        pw[r] = pct(t, frames, 99);
        pc[r] = pct(c, frames, 99);
    }
    snprintf(l, sizeof l, "%s, p99 CPU", label);
    snprintf(n, sizeof n, "render_p99_cpu_%s", name);
    figure(l, n, "ms", pc, RUNS);
    snprintf(l, sizeof l, "%s, p99 wall", label);
    snprintf(n, sizeof n, "render_p99_wall_%s", name);
    figure(l, n, "ms", pw, RUNS);
    free(t);
    free(c);
}

/* 1. render time per screen. */
static void bench_render(int frames)
{
    kclock clock;
    kclock_virtual vc;
    kclock_virtual_init(&clock, &vc, 1780000000000LL, NULL);
    kstore *s;
    kerr err = {0};
    char *dir = tmpdir();
    if (kstore_open(&s, dir, &clock, &err) != 0 || kdemo_seed(s, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kflow f;
    kapp a;
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 1280, .h = 800, .offscreen = 1,
                   .software = 1};
    if (kapp_open(&a, &f, &o, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kflow_init(&f, s, 0, NULL);
    printf("render, 1280x800, software renderer, %d runs of %d frames each (full rebuild + "
           "draw):\n", RUNS, frames);
    bench_screen(&a, "welcome", "welcome", frames);
    kflow_tap(&f, "btn-returning", 1);
    kflow_text(&f, "ng", 2);
    bench_screen(&a, "find (results)", "find", frames);
    kflow_tap(&f, "btn-back", 3);
    kflow_tap(&f, "btn-new", 4);
    kflow_text(&f, "Nguyễn Thị Hương", 5);
    bench_screen(&a, "form (keyboard)", "form", frames);
    kflow_tap(&f, "field-phone", 6);
    bench_screen(&a, "form (number pad)", "numpad", frames);
    kflow_tick(&f, 6 + f.idle_ms);
    bench_screen(&a, "still there? prompt", "still_there", frames);
    kflow_tap(&f, "btn-still-here", 7 + f.idle_ms);
    kflow_tap(&f, "btn-submit", 8 + f.idle_ms);
    bench_screen(&a, "done", "done", frames);
    kapp_close(&a);
    kstore_close(s);
}

/* 2. search per keystroke with many people. */
static void bench_search(int people)
{
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    kerr err = {0};
    char *dir = tmpdir();
    double t0 = now_ms();
    if (kstore_open(&s, dir, &clock, &err) != 0 || kdemo_seed(s, &err) != 0 ||
        kdemo_people(s, people, 7, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    printf("search, %d people (+ demo), made in %.1f s:\n", people, (now_ms() - t0) / 1000);
    static const char *const typed[] = {
        "nguyen thi huong", "tran van duc", "kim min", "oconnor", "santos maria",
        "le", "chan", "keala", "sok", "park ji", "huong", "vang", "sione",
        "phan", "lee", "wong", "dela cruz", "pham", "ho", "tanaka",
    };
    enum { MAXN = 4096 };
    static double t[MAXN];
    double p99[RUNS], med[RUNS];
    kmatch m[KIOSK_SEARCH_RESULTS];
    int n = 0;
    for (int rep = 0; rep < RUNS; rep++) {
        n = 0;
        for (size_t q = 0; q < sizeof typed / sizeof typed[0]; q++) {
            char buf[64];
            size_t len = strlen(typed[q]);
            for (size_t k = 1; k <= len && n < MAXN; k++) {
                memcpy(buf, typed[q], k);
                buf[k] = '\0';
                int got;
                double s0 = now_ms();
                kstore_search(s, buf, m, KIOSK_SEARCH_RESULTS, &got, &err);
                t[n++] = now_ms() - s0;
            }
        }
        med[rep] = pct(t, n, 50);
        p99[rep] = pct(t, n, 99);
    }
    char l[96], nm[96];
    snprintf(l, sizeof l, "per keystroke (%d a run), p99", n);
    snprintf(nm, sizeof nm, "search_p99_%dk", people / 1000);
    figure(l, nm, "ms", p99, RUNS);
    snprintf(l, sizeof l, "per keystroke (%d a run), median", n);
    snprintf(nm, sizeof nm, "search_median_%dk", people / 1000);
    figure(l, nm, "ms", med, RUNS);
    kstore_close(s);
}

/* Waits until the kernel has written back what earlier steps left dirty
 * (seeding writes ~100 MB), so that fsync times measure this step only:
 * sync, then until Dirty in /proc/meminfo is under 4 MB (at most 30 s). */
static void settle_disk(void)
{
    sync();
    for (int i = 0; i < 300; i++) {
        FILE *f = fopen("/proc/meminfo", "r");
        char line[128];
        long kb = 0;
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "Dirty:", 6) == 0)
                kb = atol(line + 6);
        if (f)
            fclose(f);
        if (kb < 4096)
            return;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
}

/* KB this process has written with write(2) and friends so far
 * (/proc/self/io wchar): the WAL frames and checkpoints of a commit. */
static double written_kb(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "wchar:", 6) == 0)
            kb = atof(line + 6) / 1024;
    if (f)
        fclose(f);
    return kb;
}

/* 3. durable sign-in vs bare INSERT, on a store of people people and a
 * bare table of as many rows, interleaved one for one so that both see
 * the same disk (fsync time varies a lot on a shared machine); RUNS runs
 * of n pairs each. */
static void bench_durable(int n, int people)
{
    char *dir = tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/bare.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t(id TEXT PRIMARY KEY, given TEXT, family TEXT, phone TEXT,"
                     " email TEXT, zip TEXT) WITHOUT ROWID",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?,?,?,?,?,?)", -1, &st, NULL);
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    kerr err = {0};
    kevent ev;
    if (kstore_open(&s, dir, &clock, &err) != 0 ||
        kstore_event_add(s, "Bench", "general", "", &ev, &err) != 0 ||
        kstore_event_use(s, ev.id, &err) != 0 || kdemo_people(s, people, 11, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; i < people; i++) {
        char id[33];
        krandom_id(id);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        for (int k = 2; k <= 6; k++)
            sqlite3_bind_text(st, k, "Nguyễn Thị", -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    settle_disk();
    double *bare = calloc((size_t)n, sizeof *bare), *kiosk = calloc((size_t)n, sizeof *kiosk);
    double *bc = calloc((size_t)n, sizeof *bc), *kc = calloc((size_t)n, sizeof *kc);
    double *bw = calloc((size_t)n, sizeof *bw), *kw = calloc((size_t)n, sizeof *kw);
    double ratio[RUNS], mb[RUNS], mk[RUNS], cratio[RUNS], wb[RUNS], wk[RUNS];
    for (int r = 0; r < RUNS; r++) {
        for (int i = 0; i < n; i++) {
            char id[33];
            krandom_id(id);
            double w0 = written_kb(), c0 = cpu_ms(), t0 = now_ms();
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, "Hương", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, "Nguyễn", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, "408 555 0101", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, "huong@example.org", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, "95112", -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
            bare[i] = now_ms() - t0;
            bc[i] = cpu_ms() - c0;
            bw[i] = written_kb() - w0;
            kperson p = {0};
            snprintf(p.given, sizeof p.given, "Hương");
            snprintf(p.family, sizeof p.family, "Nguyễn");
            snprintf(p.phone, sizeof p.phone, "408 555 0101");
            snprintf(p.email, sizeof p.email, "huong@example.org");
            snprintf(p.zip, sizeof p.zip, "95112");
            w0 = written_kb();
            c0 = cpu_ms();
            t0 = now_ms();
            if (kstore_signup(s, &p, ev.id, &err) != 0) {
                fprintf(stderr, "bench: %s\n", err.msg);
                exit(2);
            }
            kiosk[i] = now_ms() - t0;
            kc[i] = cpu_ms() - c0;
            kw[i] = written_kb() - w0;
        }
        mb[r] = pct(bare, n, 50);
        mk[r] = pct(kiosk, n, 50);
        ratio[r] = mk[r] / mb[r];
        double sb = 0, sk = 0, sbw = 0, skw = 0;
        for (int i = 0; i < n; i++)
            sb += bc[i], sk += kc[i], sbw += bw[i], skw += kw[i];
        cratio[r] = sk / sb;
        wb[r] = sbw / n;
        wk[r] = skw / n;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    kstore_close(s);
    printf("durable sign-in, %d people stored, disk settled, %d runs of %d pairs interleaved, "
           "WAL + synchronous=FULL:\n", people, RUNS, n);
    char nm[64];
    figure("bare one-row INSERT, median", "bare_insert_median", "ms", mb, RUNS);
    figure("kstore_signup, median", "signup_median", "ms", mk, RUNS);
    snprintf(nm, sizeof nm, "signup_ratio_%dk", people / 1000);
    figure("ratio of the medians", nm, "x", ratio, RUNS);
    /* the parts a shared disk does not blur: CPU and bytes written, as
     * means (checkpoints and index merges included) */
    snprintf(nm, sizeof nm, "signup_cpu_ratio_%dk", people / 1000);
    figure("ratio of the CPU times (mean)", nm, "x", cratio, RUNS);
    snprintf(nm, sizeof nm, "bare_insert_written_%dk", people / 1000);
    figure("bare INSERT, KB written (mean)", nm, "KB", wb, RUNS);
    snprintf(nm, sizeof nm, "signup_written_%dk", people / 1000);
    figure("kstore_signup, KB written (mean)", nm, "KB", wk, RUNS);
    free(bare);
    free(kiosk);
    free(bc);
    free(kc);
    free(bw);
    free(kw);
}

/* Resident memory of this process, in MB. */
static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atof(line + 6);
    if (f)
        fclose(f);
    return kb / 1024;
}

/* An app on a fresh store, with the catalogs; languages: all, or English. */
static void open_app(kapp *a, kflow *f, kstore **s, ki18n *cat, int all_langs, kclock *clock,
                     kclock_virtual *vc)
{
    kerr err = {0};
    kclock_virtual_init(clock, vc, 1780000000000LL, NULL);
    if (kstore_open(s, tmpdir(), clock, &err) != 0 || kdemo_seed(*s, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 1280, .h = 800, .offscreen = 1,
                   .software = 1};
    if (kapp_open(a, f, &o, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kapp_use_catalog(a, cat, all_langs ? KUI_LANGS_MAX : 1);
    kflow_init(f, *s, 0, NULL);
    f->staff.page_rows = kscreen_staff_rows(&a->ui);
}

/* Draws welcome, the form and the search in every language once. */
static void draw_every_script(kapp *a, kflow *f)
{
    static const char *const langs[] = {"en", "vi", "zh-Hans", "zh-Hant", "ko", "tl", "km",
                                        "lo", "ja"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        char id[32];
        snprintf(id, sizeof id, "lang-%s", langs[i]);
        kflow_reset(f);
        kflow_tap(f, id, 1);
        kapp_frame(a, 1, 0);
        kflow_tap(f, "btn-new", 2);
        kapp_frame(a, 1, 0);
        kflow_tap(f, "btn-returning", 3);
        kapp_frame(a, 1, 0);
    }
}

/* Peak resident memory of this process (VmHWM), in MB. */
static double hwm_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atof(line + 6);
    if (f)
        fclose(f);
    return kb / 1024;
}

/* `bench_kiosk memory`: a fresh process, a window (a real one under Xvfb
 * when DISPLAY is set, else SDL's offscreen driver) with the software
 * renderer, every script drawn; prints its resident and peak memory. */
static int bench_memory(void)
{
    kerr err = {0};
    ki18n *cat;
    kclock clock;
    kclock_virtual vc;
    kstore *s;
    kapp a;
    kflow f;
    if (ki18n_open(&cat, KIOSK_ASSETS_DIR "/po", &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    kclock_virtual_init(&clock, &vc, 1780000000000LL, NULL);
    if (kstore_open(&s, tmpdir(), &clock, &err) != 0 || kdemo_seed(s, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    int window = getenv("DISPLAY") != NULL;
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 1280, .h = 800, .windowed = 1,
                   .offscreen = !window, .software = 1};
    if (kapp_open(&a, &f, &o, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    kapp_use_catalog(&a, cat, KUI_LANGS_MAX);
    kflow_init(&f, s, 0, NULL);
    for (int i = 0; i < 3; i++)
        draw_every_script(&a, &f);
    const char *drv = window ? "x11" : "offscreen";
    char label[128], name[64];
    double rss = rss_mb(), hwm = hwm_mb();
    snprintf(label, sizeof label, "resident memory, every script drawn (%s, software)",
             drv ? drv : "?");
    snprintf(name, sizeof name, "rss_%s", drv ? drv : "unknown");
    figure(label, name, "MB", &rss, 1);
    snprintf(label, sizeof label, "peak resident memory (%s, software)", drv ? drv : "?");
    snprintf(name, sizeof name, "rss_peak_%s", drv ? drv : "unknown");
    figure(label, name, "MB", &hwm, 1);
    kapp_close(&a);
    kstore_close(s);
    ki18n_close(cat);
    return 0;
}

/* 4. languages. */
static void bench_languages(int frames)
{
    kerr err = {0};
    ki18n *cat;
    if (ki18n_open(&cat, KIOSK_ASSETS_DIR "/po", &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    printf("languages, 1280x800:\n");
    double first[2] = {0, 0}, fe[RUNS], fa[RUNS], fr[RUNS];
    for (int rep = 0; rep < RUNS; rep++)
        for (int all = 0; all < 2; all++) {
            kapp a;
            kflow f;
            kstore *s;
            kclock clock;
            kclock_virtual vc;
            open_app(&a, &f, &s, cat, all, &clock, &vc);
            /* From a text layer with no font open to the first frame. */
            ktext_close(a.text);
            kerr e2 = {0};
            double t0 = now_ms();
            ktext_open(&a.text, KIOSK_FONTS_DIR, a.ren, &e2);
            a.ui.measure_ctx = a.text;
            kapp_frame(&a, 1, 0);
            double t = now_ms() - t0;
            first[all] = t;
            if (all) {
                fe[rep] = first[0];
                fa[rep] = first[1];
                fr[rep] = first[1] / first[0];
            }
            kapp_close(&a);
            kstore_close(s);
        }
    figure("first frame of welcome, English only (text layer)", "first_frame_en", "ms", fe,
           RUNS);
    figure("first frame of welcome, every greeting (text layer)", "first_frame_all", "ms", fa,
           RUNS);
    figure("ratio every greeting / English only", "first_frame_ratio", "x", fr, RUNS);
    /* The same from the program's start: SDL, the store (already made), the
     * catalogs (none for English alone), fonts, the first frame. */
    char *dir = tmpdir();
    {
        kclock clock;
        kstore *s;
        kclock_system(&clock);
        if (kstore_open(&s, dir, &clock, &err) != 0 || kdemo_seed(s, &err) != 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(2);
        }
        kstore_close(s);
    }
    double start[2] = {0, 0}, se[RUNS], sa[RUNS], sr[RUNS];
    for (int rep = 0; rep < RUNS; rep++)
        for (int all = 0; all < 2; all++) {
            double t0 = now_ms();
            kclock clock;
            kclock_system(&clock);
            kstore *s;
            kapp a;
            kflow f;
            ki18n *c2 = NULL;
            kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 1280, .h = 800, .offscreen = 1,
                           .software = 1};
            if (kstore_open(&s, dir, &clock, &err) != 0 || kapp_open(&a, &f, &o, &err) != 0) {
                fprintf(stderr, "bench: %s\n", err.msg);
                exit(2);
            }
            if (all && ki18n_open(&c2, KIOSK_ASSETS_DIR "/po", &err) == 0)
                kapp_use_catalog(&a, c2, KUI_LANGS_MAX);
            kflow_init(&f, s, 0, NULL);
            kapp_frame(&a, 1, 0);
            double t = now_ms() - t0;
            start[all] = t;
            if (all) {
                se[rep] = start[0];
                sa[rep] = start[1];
                sr[rep] = start[1] / start[0];
            }
            kapp_close(&a);
            ki18n_close(c2);
            kstore_close(s);
        }
    figure("first frame from the start, English only", "start_frame_en", "ms", se, RUNS);
    figure("first frame from the start, every language", "start_frame_all", "ms", sa, RUNS);
    figure("ratio every language / English only", "start_frame_ratio", "x", sr, RUNS);

    kapp a;
    kflow f;
    kstore *s;
    kclock clock;
    kclock_virtual vc;
    open_app(&a, &f, &s, cat, 1, &clock, &vc);
    draw_every_script(&a, &f);
    ktext_stats ts;
    ktext_stats_get(a.text, &ts);
    printf("  resident memory, every script drawn   %6.1f MB (this process, after the "
           "benchmarks above; `bench_kiosk memory` measures a fresh one)\n", rss_mb());
    /* The form with the keyboard in each layout. */
    static const struct { const char *lang, *field, *label; } forms[] = {
        {"en", "field-given", "en letters"},   {"vi", "field-given", "vi Telex"},
        {"ko", "field-given", "ko 2-set"},     {"tl", "field-given", "tl letters + ñ"},
        {"en", "field-phone", "number pad"},   {"en", "field-email", "email keys"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char id[32], label[64];
        kflow_reset(&f);
        snprintf(id, sizeof id, "lang-%s", forms[i].lang);
        kflow_tap(&f, id, 1);
        kflow_tap(&f, "btn-new", 2);
        kflow_tap(&f, forms[i].field, 3);
        char name[64];
        size_t k = 0;
        snprintf(label, sizeof label, "form, %s", forms[i].label);
        for (const char *c = forms[i].label; *c && k + 1 < sizeof name; c++)
            if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
                name[k++] = *c;
            else if (*c == ' ' && k > 0 && name[k - 1] != '_')
                name[k++] = '_';
        name[k] = '\0';
        char full[80];
        snprintf(full, sizeof full, "form_%s", name);
        bench_screen(&a, label, full, frames);
    }
    kapp_close(&a);
    kstore_close(s);
    ki18n_close(cat);
}

/* 5. surveys: from one question to the next, render of each new question. */
static void bench_survey_next(int frames)
{
    kerr err = {0};
    ki18n *cat;
    ksurveys *sv;
    if (ki18n_open(&cat, KIOSK_ASSETS_DIR "/po", &err) != 0 ||
        ksurveys_open(&sv, KIOSK_ASSETS_DIR "/surveys", tmpdir(), &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kapp a;
    kflow f;
    kstore *s;
    kclock clock;
    kclock_virtual vc;
    open_app(&a, &f, &s, cat, 1, &clock, &vc);
    f.surveys = sv;
    kevent ev;
    kevent_spec spec = {"Survey night", "general", "", "general-interest", ""};
    kstore_event_add2(s, &spec, &ev, &err);
    kstore_event_use(s, ev.id, &err);
    double *t = calloc((size_t)frames, sizeof *t), *c = calloc((size_t)frames, sizeof *c);
    double pw[RUNS], pc[RUNS];
    for (int r = 0; r < RUNS; r++) {
        int n = 0;
        while (n < frames) {
            kflow_reset(&f);
            kflow_tap(&f, "btn-new", 1);
            kflow_text(&f, "Bench", 2);
            kflow_tap(&f, "btn-submit", 3);
            kapp_frame(&a, 1, 0);
            for (int q = 0; q < 20 && f.screen == KS_SURVEY && n < frames; q++) {
                /* Answer with the first choice (or skip), then time the next
                 * question's frame. */
                const ksurvey_question *qq = kflow_question(&f);
                if (ksurvey_q_nchoices(qq) > 0) {
                    char id[64];
                    snprintf(id, sizeof id, "choice-%s", ksurvey_choice_key(qq, 0));
                    kflow_tap(&f, id, 4);
                }
                if (ksurvey_q_required(qq) && ksurvey_q_nchoices(qq) == 0)
                    kflow_text(&f, "14", 5);
                kflow_tap(&f, ksurvey_q_required(qq) ? "btn-next" : "btn-skip", 6);
                double t0 = now_ms(), c0 = cpu_ms();
                kapp_frame(&a, 0, 0);
                c[n] = cpu_ms() - c0;
                t[n++] = now_ms() - t0;
            }
        }
        pw[r] = pct(t, n, 99);
        pc[r] = pct(c, n, 99);
    }
    printf("surveys, 1280x800, general-interest, %d runs of %d questions:\n", RUNS, frames);
    figure("next question, p99 CPU", "survey_next_p99_cpu", "ms", pc, RUNS);
    figure("next question, p99 wall", "survey_next_p99_wall", "ms", pw, RUNS);
    free(c);
    free(t);
    kapp_close(&a);
    kstore_close(s);
    ksurveys_close(sv);
    ki18n_close(cat);
}

/* A name for a count in a figure's name: 100k, 1m. */
static void count_name(long n, char *out, size_t cap)
{
    if (n >= 1000000 && n % 1000000 == 0)
        snprintf(out, cap, "%ldm", n / 1000000);
    else if (n >= 1000)
        snprintf(out, cap, "%ldk", n / 1000);
    else
        snprintf(out, cap, "%ld", n);
}

/* 6. staff: checkins check-ins in the store (kdemo_fill: a tenth as many
 * people, ten events, the current one holding a tenth of the check-ins);
 * taps on the staff screen: down through the list, back up, and back to
 * the first page from another screen; each tap timed with its frame. */
static void bench_staff(int frames, long checkins)
{
    kerr err = {0};
    ki18n *cat;
    if (ki18n_open(&cat, KIOSK_ASSETS_DIR "/po", &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kapp a;
    kflow f;
    kstore *s;
    kclock clock;
    kclock_virtual vc;
    double t0 = now_ms();
    kclock_virtual_init(&clock, &vc, 1780000000000LL - 366LL * 86400000, NULL);
    if (kstore_open(&s, tmpdir(), &clock, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    long people = checkins / 10 > 0 ? checkins / 10 : 1;
    kdemo_fill_opts fo = {.people = people, .checkins = checkins, .events = 10, .seed = 3,
                          .vclock = &vc, .now_ms = 1780000000000LL};
    kdemo_fill_result res;
    if (kdemo_fill(s, &fo, &res, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    double made = (now_ms() - t0) / 1000;
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 1280, .h = 800, .offscreen = 1,
                   .software = 1};
    if (kapp_open(&a, &f, &o, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    kapp_use_catalog(&a, cat, KUI_LANGS_MAX);
    kflow_init(&f, s, 0, NULL);
    f.staff.page_rows = kscreen_staff_rows(&a.ui);
    settle_disk();
    kflow_staff_open(&f);
    f.screen = KS_STAFF;   /* as after the right PIN */
    kflow_staff_tap(&f, "btn-events");
    kflow_staff_tap(&f, "event-1");
    kapp_frame(&a, 1, 0);
    double *t = calloc((size_t)frames, sizeof *t), *c = calloc((size_t)frames, sizeof *c);
    double *q = calloc((size_t)frames, sizeof *q);
    double pw[RUNS], pc[RUNS], pq[RUNS];
    for (int r = 0; r < RUNS; r++) {
        for (int i = 0; i < frames; i++) {
            /* down a third, up a third, then out to the events and back */
            int phase = i % 30;
            const char *id = phase < 14 ? "btn-page-down" : phase < 28 ? "btn-page-up"
                           : phase == 28 ? "btn-events" : "event-1";
            double w0 = now_ms(), c0 = cpu_ms();
            kflow_staff_tap(&f, id);
            q[i] = now_ms() - w0;
            kapp_frame(&a, 0, 0);
            c[i] = cpu_ms() - c0;
            t[i] = now_ms() - w0;
        }
        pw[r] = pct(t, frames, 99);
        pc[r] = pct(c, frames, 99);
        pq[r] = pct(q, frames, 99);
    }
    char cn[32], nm[64];
    count_name(checkins, cn, sizeof cn);
    printf("staff, 1280x800, %ld check-ins in the store (%ld at the current event; made in "
           "%.1f s), %d runs of %d taps:\n", checkins, checkins / 10, made, RUNS, frames);
    snprintf(nm, sizeof nm, "staff_tap_p99_%s", cn);
    figure("tap, p99 wall (the flow's reads + frame)", nm, "ms", pw, RUNS);
    snprintf(nm, sizeof nm, "staff_tap_p99_cpu_%s", cn);
    figure("tap, p99 CPU (the flow's reads + frame)", nm, "ms", pc, RUNS);
    snprintf(nm, sizeof nm, "staff_reads_p99_%s", cn);
    figure("tap, p99 wall of the flow's reads alone", nm, "ms", pq, RUNS);
    free(t);
    free(c);
    free(q);
    kapp_close(&a);
    kstore_close(s);
    ki18n_close(cat);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "memory") == 0) {
        setenv("SDL_VIDEODRIVER", getenv("DISPLAY") ? "x11" : "offscreen", 0);
        return bench_memory();
    }
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    if (argc > 2 && strcmp(argv[1], "staff") == 0) {
        bench_staff(300, atol(argv[2]));
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "signup") == 0) {
        bench_durable(200, atoi(argv[2]));
        return 0;
    }
    int frames = argc > 1 ? atoi(argv[1]) : 300;
    int people = argc > 2 ? atoi(argv[2]) : 100000;
    long checkins = argc > 3 ? atol(argv[3]) : 100000;
    bench_render(frames);
    bench_search(people);
    bench_durable(200, people);
    bench_languages(frames);
    bench_survey_next(frames);
    bench_staff(frames, checkins);
    return 0;
}
