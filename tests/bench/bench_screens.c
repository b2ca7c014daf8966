/*
 * bench_screens.c - instructions per frame of each main screen at 800x480
 * (the 7" Pi touchscreen), under callgrind, as the stand-in for a
 * Raspberry Pi's CPU (issue 11, "Speed").  Printed, never pass/fail;
 * driven by tests/bench/screens_callgrind.sh.
 *
 *   bench_screens frames DATA ASSETS FONTS FRAMES
 *
 * For each screen (welcome, find with results, the form with its letter
 * keyboard, the form with the number pad, "Still there?", the demo event's
 * survey when it has one, done): one frame to warm the text cache (as the
 * kiosk's first frame of a screen does), then FRAMES full
 * rebuilds and draws (the view built from the flow, every text looked up,
 * the anti-aliased shapes drawn, the software renderer's blits), counted
 * together between CALLGRIND_ZERO_STATS and a dump named "frames-NAME".
 * The first frame of each screen is counted by tests/bench/pi.sh.  Outside
 * callgrind the requests do nothing and it only draws.
 *   bench_screens seed DATA
 * makes the store: the demo event and people.
 *   bench_screens render DATA ASSETS FONTS FRAMES
 * the render time of each screen at 1280x800 (issue 11, "Speed": goal
 * p99 under 4 ms) with the anti-aliased shapes, as drawn at rest and with
 * a finger down on its main widget (the pressed state, and a key's
 * preview): p99 over FRAMES full rebuilds and draws, in 5 runs, as the
 * drawing thread's own CPU time (CLOCK_THREAD_CPUTIME_ID, what the kiosk
 * costs) beside wall time (what a person waits: on a shared machine,
 * mostly the scheduler).  Median and spread of the runs, and `bench NAME
 * VALUE ms` lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "app.h"
#include "bench_util.h"
#include "demo.h"
#include "flow.h"
#include "i18n.h"
#include "screens.h"
#include "store.h"
#include "surveys.h"

static void die(const char *what, const kerr *e)
{
    fprintf(stderr, "bench_screens: %s: %s\n", what, e->msg);
    exit(2);
}

/* One kiosk as the app runs it (store, surveys, catalogs, a w x h window
 * offscreen with the software renderer), for both figures. */
typedef struct bench_kiosk {
    kclock clock;
    kstore *s;
    ksurveys *sv;
    ki18n *cat;
    kapp a;
    kflow f;
} bench_kiosk;

static bench_kiosk *kiosk_open(const char *data, const char *assets, const char *fonts,
                               int w, int h)
{
    kerr err = {0};
    char po[4096], surveys_dir[4096], keep[4096];
    snprintf(po, sizeof po, "%s/po", assets);
    snprintf(surveys_dir, sizeof surveys_dir, "%s/surveys", assets);
    snprintf(keep, sizeof keep, "%s/surveys-good", data);
    bench_kiosk *k = calloc(1, sizeof *k);
    if (!k) {
        fprintf(stderr, "bench_screens: out of memory\n");
        exit(2);
    }
    kclock_system(&k->clock);
    if (kstore_open(&k->s, data, &k->clock, &err) != 0)
        die("store", &err);
    if (ksurveys_open(&k->sv, surveys_dir, keep, &err) != 0)
        die("surveys", &err);
    kapp_opts o = {.fonts_dir = fonts, .w = w, .h = h, .offscreen = 1, .software = 1};
    if (kapp_open(&k->a, &k->f, &o, &err) != 0)
        die("app", &err);
    if (ki18n_open(&k->cat, po, &err) != 0)
        die("catalogs", &err);
    kapp_use_catalog(&k->a, k->cat, KUI_LANGS_MAX);
    kflow_init(&k->f, k->s, 0, NULL);
    k->f.surveys = k->sv;
    k->f.clock = &k->clock;
    k->f.staff.page_rows = kscreen_staff_rows(&k->a.ui);
    for (int i = 0; i < ki18n_count(k->cat) && i < 24; i++)
        k->f.langs[k->f.nlangs++] = ki18n_lang_at(k->cat, i)->code;
    return k;
}

static void kiosk_close(bench_kiosk *k)
{
    kapp_close(&k->a);
    ki18n_close(k->cat);
    ksurveys_close(k->sv);
    kstore_close(k->s);
    free(k);
}

/* n frames of the screen the flow is on, after one to warm up; the
 * screen's name goes to standard output, to check the walk. */
#define FRAMES(name)                             \
    do {                                         \
        kapp_frame(a, 1, 0);                     \
        CALLGRIND_ZERO_STATS;                    \
        for (int i_ = 0; i_ < n; i_++)           \
            kapp_frame(a, 1, 0);                 \
        CALLGRIND_DUMP_STATS_AT("frames-" name); \
        printf("%s %s\n", name, a->view.screen); \
    } while (0)

static int frames(const char *data, const char *assets, const char *fonts, int n)
{
    bench_kiosk *bk = kiosk_open(data, assets, fonts, 800, 480);
    kapp *a = &bk->a;
    kflow *f = &bk->f;
    int64_t t = 1;
    FRAMES("welcome");
    kflow_tap(f, "btn-returning", t++);
    kflow_text(f, "ng", t++);
    FRAMES("find");
    kflow_tap(f, "btn-back", t++);
    kflow_tap(f, "btn-new", t++);
    kflow_text(f, "Nguyen Thi Huong", t++);
    FRAMES("form");
    kflow_tap(f, "field-phone", t++);
    FRAMES("form-numpad");
    kflow_tick(f, t + f->idle_ms);
    FRAMES("still-there");
    t += f->idle_ms + 1;
    kflow_tap(f, "btn-still-here", t++);
    kflow_tap(f, "btn-submit", t++);
    /* the demo event's survey, if it has one, else the thank-you screen */
    if (f->screen == KS_SURVEY)
        FRAMES("survey");
    for (int k = 0; k < 20 && f->screen == KS_SURVEY; k++)
        if (!kflow_tap(f, "btn-skip", t++) && !kflow_tap(f, "btn-next", t++))
            break;
    if (f->screen == KS_DONE)
        FRAMES("done");
    kiosk_close(bk);
    return 0;
}

#define RENDER_RUNS 5

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Prints a figure of RENDER_RUNS runs: median, spread, bench line. */
static void render_figure(const char *label, const char *name, double *runs)
{
    double m = bench_median(runs, RENDER_RUNS);
    printf("  %-40s %7.3f ms (%.3f-%.3f over %d runs)\n", label, m, runs[0],
           runs[RENDER_RUNS - 1], RENDER_RUNS);
    printf("bench %s %.3f ms\n", name, m);
    printf("bench %s_spread %.3f ms\n", name, runs[RENDER_RUNS - 1] - runs[0]);
    fflush(stdout);
}

/* p99 of n full rebuilds and draws of the current screen, RENDER_RUNS
 * times; with press (a widget id) a finger is down on that widget. */
static void render_screen(kapp *a, const char *name, const char *press, int n, int64_t t)
{
    double *cpu = calloc((size_t)n, sizeof *cpu), *wall = calloc((size_t)n, sizeof *wall);
    double pc[RENDER_RUNS], pw[RENDER_RUNS];
    if (!cpu || !wall) {
        fprintf(stderr, "bench_screens: out of memory\n");
        exit(2);
    }
    kapp_frame(a, 1, 0);        /* warm the text cache, as a screen's first frame does */
    if (press) {
        const khit *h = kview_find(&a->view, press);
        if (!h) {
            fprintf(stderr, "bench_screens: no %s on %s\n", press, a->view.screen);
            exit(2);
        }
        kapp_pointer_down(a, h->r.x + h->r.w / 2, h->r.y + h->r.h / 2, t);
        kapp_frame(a, 1, 0);
        if (!a->ui.pressed) {
            fprintf(stderr, "bench_screens: %s does not show pressed\n", press);
            exit(2);
        }
    }
    for (int r = 0; r < RENDER_RUNS; r++) {
        for (int i = 0; i < n; i++) {
            double w0 = bench_now_s(), c0 = thread_cpu_ms();
            kapp_frame(a, 1, 0);
            cpu[i] = thread_cpu_ms() - c0;
            wall[i] = (bench_now_s() - w0) * 1000.0;
        }
        qsort(cpu, (size_t)n, sizeof *cpu, bench_cmp_double);
        qsort(wall, (size_t)n, sizeof *wall, bench_cmp_double);
        pc[r] = bench_percentile(cpu, n, 99);
        pw[r] = bench_percentile(wall, n, 99);
    }
    if (press) {                /* lift the finger off the window: no tap */
        kapp_pointer_move(a, -1, -1, t);
        kapp_pointer_up(a, -1, -1, t);
    }
    char label[96], bname[96];
    snprintf(label, sizeof label, "%s%s, p99 CPU", name, press ? " pressed" : "");
    snprintf(bname, sizeof bname, "render_1280_%s%s_p99_cpu", name, press ? "_pressed" : "");
    render_figure(label, bname, pc);
    snprintf(label, sizeof label, "%s%s, p99 wall", name, press ? " pressed" : "");
    snprintf(bname, sizeof bname, "render_1280_%s%s_p99_wall", name, press ? "_pressed" : "");
    render_figure(label, bname, pw);
    free(cpu);
    free(wall);
}

static int render(const char *data, const char *assets, const char *fonts, int n)
{
    bench_kiosk *bk = kiosk_open(data, assets, fonts, 1280, 800);
    kapp *a = &bk->a;
    kflow *f = &bk->f;
    printf("render, 1280x800, software renderer, anti-aliased shapes, %d runs of %d frames "
           "(full rebuild + draw), at rest and with a finger down:\n", RENDER_RUNS, n);
    int64_t t = 1;
    render_screen(a, "welcome", NULL, n, t);
    render_screen(a, "welcome", "btn-new", n, t);
    kflow_tap(f, "btn-returning", t++);
    kflow_text(f, "ng", t++);
    render_screen(a, "find", NULL, n, t);
    render_screen(a, "find", "result-1", n, t);
    kflow_tap(f, "btn-back", t++);
    kflow_tap(f, "btn-new", t++);
    kflow_text(f, "Nguyen Thi Huong", t++);
    render_screen(a, "form", NULL, n, t);
    render_screen(a, "form", "key-a", n, t);
    kflow_tap(f, "field-phone", t++);
    render_screen(a, "numpad", NULL, n, t);
    render_screen(a, "numpad", "key-5", n, t);
    kflow_tick(f, t + f->idle_ms);
    render_screen(a, "still_there", NULL, n, t + f->idle_ms);
    render_screen(a, "still_there", "btn-still-here", n, t + f->idle_ms);
    t += f->idle_ms + 1;
    kflow_tap(f, "btn-still-here", t++);
    kflow_tap(f, "btn-submit", t++);
    if (f->screen == KS_SURVEY) {
        render_screen(a, "survey", NULL, n, t);
        render_screen(a, "survey", "btn-next", n, t);
    }
    for (int k = 0; k < 20 && f->screen == KS_SURVEY; k++)
        if (!kflow_tap(f, "btn-skip", t++) && !kflow_tap(f, "btn-next", t++))
            break;
    if (f->screen == KS_DONE)
        render_screen(a, "done", NULL, n, t);
    kiosk_close(bk);
    return 0;
}

static int seed(const char *data)
{
    kerr err = {0};
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    if (kstore_open(&s, data, &clock, &err) != 0 || kdemo_seed(s, &err) != 0)
        die("seed", &err);
    kstore_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "frames") == 0)
        return frames(argv[2], argv[3], argv[4], atoi(argv[5]) > 0 ? atoi(argv[5]) : 20);
    if (argc == 6 && strcmp(argv[1], "render") == 0)
        return render(argv[2], argv[3], argv[4], atoi(argv[5]) > 0 ? atoi(argv[5]) : 300);
    if (argc == 3 && strcmp(argv[1], "seed") == 0)
        return seed(argv[2]);
    fprintf(stderr, "usage: bench_screens frames|render DATA ASSETS FONTS FRAMES | seed DATA\n");
    return 2;
}
