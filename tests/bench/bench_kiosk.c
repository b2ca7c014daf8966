/*
 * bench_kiosk.c - speed figures of the walk-up sign-in, printed, never
 * pass/fail (a busy machine must not fail a build):
 *   1. time to build and draw each screen at 1280x800 with the software
 *      renderer (median and 99th percentile over many frames);
 *   2. search time per keystroke with 100,000 people in the store;
 *   3. the cost of one durable sign-in (kstore_signup: person, index and
 *      check-in in one transaction, WAL, synchronous=FULL) as a ratio to a
 *      bare one-row INSERT with the same settings.
 *   4. languages: time to the first frame of welcome with every language's
 *      greeting against English alone (fonts load lazily), resident memory
 *      with every script drawn once, and the form with the keyboard in each
 *      layout;
 *   5. surveys: moving from one question to the next;
 *   6. staff: paging through 2,000 check-ins of today.
 * Idle CPU is measured by tests/bench/idle_cpu.sh under Xvfb.
 *
 *   bench_kiosk [FRAMES] [PEOPLE]
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* Draws the current screen frames times, forcing a full rebuild each time;
 * prints median and p99. */
static void bench_screen(kapp *a, const char *label, int frames)
{
    double *t = calloc((size_t)frames, sizeof *t);
    kapp_frame(a, 1, 0);   /* warm the text cache, as the kiosk's first frame does */
    for (int i = 0; i < frames; i++) {
        double t0 = now_ms();
        kapp_frame(a, 1, 0);
        t[i] = now_ms() - t0;
    }
    printf("  %-28s median %6.2f ms   p99 %6.2f ms\n", label, pct(t, frames, 50),
           pct(t, frames, 99));
    free(t);
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
    printf("render, 1280x800, software renderer, %d frames each (full rebuild + draw):\n",
           frames);
    bench_screen(&a, "welcome", frames);
    kflow_tap(&f, "btn-returning", 1);
    kflow_text(&f, "ng", 2);
    bench_screen(&a, "find (results)", frames);
    kflow_tap(&f, "btn-back", 3);
    kflow_tap(&f, "btn-new", 4);
    kflow_text(&f, "Nguyễn Thị Hương", 5);
    bench_screen(&a, "form (keyboard)", frames);
    kflow_tap(&f, "field-phone", 6);
    bench_screen(&a, "form (number pad)", frames);
    kflow_tick(&f, 6 + f.idle_ms);
    bench_screen(&a, "still there? prompt", frames);
    kflow_tap(&f, "btn-still-here", 7 + f.idle_ms);
    kflow_tap(&f, "btn-submit", 8 + f.idle_ms);
    bench_screen(&a, "done", frames);
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
    int n = 0;
    kmatch m[KIOSK_SEARCH_RESULTS];
    for (int rep = 0; rep < 3; rep++)
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
    printf("  per keystroke (%d)          median %6.3f ms   p99 %6.3f ms\n", n, pct(t, n, 50),
           pct(t, n, 99));
    kstore_close(s);
}

/* 3. durable sign-in vs bare INSERT, interleaved one for one so that both
 * see the same disk (fsync time varies a lot on a shared machine). */
static void bench_durable(int n)
{
    char *dir = tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/bare.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t(id TEXT PRIMARY KEY, given TEXT, family TEXT, phone TEXT,"
                     " email TEXT, zip TEXT)",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?,?,?,?,?,?)", -1, &st, NULL);
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    kerr err = {0};
    kevent ev;
    if (kstore_open(&s, dir, &clock, &err) != 0 ||
        kstore_event_add(s, "Bench", "general", "", &ev, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(2);
    }
    double *bare = calloc((size_t)n, sizeof *bare), *kiosk = calloc((size_t)n, sizeof *kiosk);
    for (int i = 0; i < n; i++) {
        char id[33];
        krandom_id(id);
        double t0 = now_ms();
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, "Hương", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, "Nguyễn", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "408 555 0101", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, "huong@example.org", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, "95112", -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
        bare[i] = now_ms() - t0;
        kperson p = {0};
        snprintf(p.given, sizeof p.given, "Hương");
        snprintf(p.family, sizeof p.family, "Nguyễn");
        snprintf(p.phone, sizeof p.phone, "408 555 0101");
        snprintf(p.email, sizeof p.email, "huong@example.org");
        snprintf(p.zip, sizeof p.zip, "95112");
        t0 = now_ms();
        if (kstore_signup(s, &p, ev.id, &err) != 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(2);
        }
        kiosk[i] = now_ms() - t0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    kstore_close(s);
    double mb = pct(bare, n, 50), mk = pct(kiosk, n, 50);
    printf("durable sign-in, %d each, interleaved, WAL + synchronous=FULL:\n", n);
    printf("  bare one-row INSERT          median %6.3f ms   p99 %6.3f ms\n", mb, pct(bare, n, 99));
    printf("  kstore_signup                median %6.3f ms   p99 %6.3f ms\n", mk,
           pct(kiosk, n, 99));
    printf("  ratio (medians)              %.2f\n", mk / mb);
    free(bare);
    free(kiosk);
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
    double first[2] = {0, 0};
    for (int rep = 0; rep < 5; rep++)
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
            if (rep == 0 || t < first[all])
                first[all] = t;
            kapp_close(&a);
            kstore_close(s);
        }
    printf("  first frame of welcome       English only %6.1f ms   every greeting %6.1f ms"
           "   ratio %.2f (best of 5; text layer only)\n", first[0], first[1],
           first[1] / first[0]);
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
    double start[2] = {0, 0};
    for (int rep = 0; rep < 5; rep++)
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
            if (rep == 0 || t < start[all])
                start[all] = t;
            kapp_close(&a);
            ki18n_close(c2);
            kstore_close(s);
        }
    printf("  first frame from the start   English only %6.1f ms   every language %6.1f ms"
           "   ratio %.2f (best of 5; SDL, store, catalogs, fonts, frame)\n", start[0],
           start[1], start[1] / start[0]);

    kapp a;
    kflow f;
    kstore *s;
    kclock clock;
    kclock_virtual vc;
    open_app(&a, &f, &s, cat, 1, &clock, &vc);
    static const char *const langs[] = {"en", "vi", "zh-Hans", "zh-Hant", "ko", "tl", "km",
                                        "lo", "ja"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        char id[32];
        snprintf(id, sizeof id, "lang-%s", langs[i]);
        kflow_reset(&f);
        kflow_tap(&f, id, 1);
        kapp_frame(&a, 1, 0);
        kflow_tap(&f, "btn-new", 2);
        kapp_frame(&a, 1, 0);
        kflow_tap(&f, "btn-returning", 3);
        kapp_frame(&a, 1, 0);
    }
    ktext_stats ts;
    ktext_stats_get(a.text, &ts);
    printf("  resident memory, every script drawn   %6.1f MB (text textures %.1f MB, %d faces)\n",
           rss_mb(), ts.texture_bytes / 1048576.0, ts.faces_open);
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
        snprintf(label, sizeof label, "form, %s", forms[i].label);
        bench_screen(&a, label, frames);
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
    double *t = calloc((size_t)frames, sizeof *t);
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
            double t0 = now_ms();
            kapp_frame(&a, 0, 0);
            t[n++] = now_ms() - t0;
        }
    }
    printf("surveys, 1280x800, general-interest:\n");
    printf("  next question (%d)           median %6.2f ms   p99 %6.2f ms\n", n,
           pct(t, n, 50), pct(t, n, 99));
    free(t);
    kapp_close(&a);
    kstore_close(s);
    ksurveys_close(sv);
    ki18n_close(cat);
}

/* 6. staff: 2,000 check-ins today, paging through the list. */
static void bench_staff(int frames)
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
    open_app(&a, &f, &s, cat, 1, &clock, &vc);
    kevent ev;
    kstore_event_current(s, &ev, &err);
    kstore_batch_begin(s, &err);
    for (int i = 0; i < 2000; i++) {
        kperson p = {0};
        snprintf(p.given, sizeof p.given, "Person %d", i);
        snprintf(p.family, sizeof p.family, "Nguyễn");
        vc.now_ms += 9000;   /* arrivals spread over five hours */
        kstore_signup(s, &p, ev.id, &err);
    }
    kstore_batch_commit(s, &err);
    kflow_staff_open(&f);
    f.screen = KS_STAFF;   /* as after the right PIN */
    kflow_staff_tap(&f, "btn-events");
    kflow_staff_tap(&f, "event-1");
    double *t = calloc((size_t)frames, sizeof *t);
    int n = 0;
    while (n < frames) {
        const char *id = f.staff.more ? "btn-page-down" : "btn-page-up";
        if (!f.staff.more && f.staff.page == 0)
            break;
        double t0 = now_ms();
        kflow_staff_tap(&f, id);
        kapp_frame(&a, 0, 0);
        t[n++] = now_ms() - t0;
        if (!f.staff.more)
            while (f.staff.page > 0 && n < frames) {
                double t1 = now_ms();
                kflow_staff_tap(&f, "btn-page-up");
                kapp_frame(&a, 0, 0);
                t[n++] = now_ms() - t1;
            }
    }
    printf("staff, 1280x800, 2,000 check-ins today:\n");
    printf("  page of check-ins (%d)       median %6.2f ms   p99 %6.2f ms (query + frame)\n", n,
           pct(t, n, 50), pct(t, n, 99));
    free(t);
    kapp_close(&a);
    kstore_close(s);
    ki18n_close(cat);
}

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 300;
    int people = argc > 2 ? atoi(argv[2]) : 100000;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    bench_render(frames);
    bench_search(people);
    bench_durable(400);
    bench_languages(frames);
    bench_survey_next(frames);
    bench_staff(frames);
    return 0;
}
