/*
 * bench_pi.c - figures for a Raspberry Pi (issue 16), printed, never
 * pass/fail.  Two modes, both driven by tests/bench/pi.sh:
 *
 *   bench_pi frames DATA ASSETS FONTS
 *       under callgrind (--collect-atstart=yes): what the kiosk does from
 *       its start to the first welcome frame at 800x480 (the store, the
 *       surveys, SDL and the software renderer, the catalogs, the fonts, the
 *       frame; as kiosk/main.c does it), dumped as "cold-start"; then the
 *       first frame of each main screen, each counted alone (zeroed before
 *       the tap, dumped after the frame) as "screen-NAME".  Outside
 *       callgrind the requests do nothing and it only draws.
 *   bench_pi first DATA ASSETS FONTS all|en
 *       under callgrind: the same start to the first welcome frame, with
 *       every catalog (every greeting and language button, nine scripts)
 *       or with none (English only), for issue 11's "every greeting ÷
 *       English only" in instructions; dumped as "first-all"/"first-en".
 *   bench_pi seed DATA [PEOPLE]
 *       a store with the demo event and people (and PEOPLE more, as
 *       kdemo_people makes them), for the modes here (a kiosk's cold start
 *       opens an existing store).
 *   bench_pi slow DATA RUNS
 *       wall-clock time of what runs off the screen's thread (issue 16,
 *       item 7): the staff PIN's check (kstaff_check_pin on a right PIN:
 *       Argon2id at 64 MiB, as the PIN pad does it), the store's open at a
 *       start after a clean stop, and after an unclean one (the clean-stop
 *       record removed first: PRAGMA quick_check of the whole file, what
 *       the "checking" screen covers); median, min and max of RUNS.  Run
 *       natively and under qemu by pi.sh.
 *   bench_pi pin | check DATA
 *       one PIN check, or one open after an unclean stop, alone (for
 *       callgrind's instruction counts in pi.sh).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "app.h"
#include "demo.h"
#include "flow.h"
#include "i18n.h"
#include "screens.h"
#include "staff.h"
#include "store.h"
#include "linebreak.h"
#include "store_guard.h"
#include "text.h"

#define BENCH_PIN "24681357"    /* the staff PIN seed sets */
#include "surveys.h"

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

static void die(const char *what, const kerr *e)
{
    fprintf(stderr, "bench_pi: %s: %s\n", what, e->msg);
    exit(2);
}

/* The disk cache of what welcome measured and drew, as kiosk/main.c opens
 * it (DATA/text-cache); with $BENCH_NO_TEXT_CACHE set, none (every start is
 * a first start). */
static void use_text_cache(kapp *a, const char *data, const char *fonts)
{
    char path[4200];
    if (getenv("BENCH_NO_TEXT_CACHE"))
        return;
    snprintf(path, sizeof path, "%s/text-cache", data);
    ktext_cache_open(a->text, path, fonts);
    klinebreak_memo(ktext_breaks_get, ktext_breaks_put, a->text);
}

/* The first frame of the screen the flow is on, counted alone. */
#define STEP(name, action)                     \
    do {                                       \
        CALLGRIND_ZERO_STATS;                  \
        action;                                \
        kapp_frame(&a, 1, 0);                  \
        CALLGRIND_DUMP_STATS_AT("screen-" name); \
    } while (0)

static int frames(const char *data, const char *assets, const char *fonts)
{
    kerr err = {0};
    char po[4096], surveys_dir[4096], keep[4096];
    snprintf(po, sizeof po, "%s/po", assets);
    snprintf(surveys_dir, sizeof surveys_dir, "%s/surveys", assets);
    snprintf(keep, sizeof keep, "%s/surveys-good", data);
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    if (kstore_open(&s, data, &clock, &err) != 0)
        die("store", &err);
    ksurveys *sv = NULL;
    if (ksurveys_open(&sv, surveys_dir, keep, &err) != 0)
        die("surveys", &err);
    kapp a;
    kflow f;
    kapp_opts o = {.fonts_dir = fonts, .w = 800, .h = 480, .offscreen = 1, .software = 1};
    if (kapp_open(&a, &f, &o, &err) != 0)
        die("app", &err);
    use_text_cache(&a, data, fonts);
    ki18n *cat;
    if (ki18n_open(&cat, po, &err) != 0)
        die("catalogs", &err);
    kapp_use_catalog(&a, cat, KUI_LANGS_MAX);
    kflow_init(&f, s, 0, NULL);
    f.surveys = sv;
    f.clock = &clock;
    f.staff.page_rows = kscreen_staff_rows(&a.ui);
    for (int i = 0; i < ki18n_count(cat) && i < 24; i++)
        f.langs[f.nlangs++] = ki18n_lang_at(cat, i)->code;
    kapp_frame(&a, 1, 0);
    CALLGRIND_DUMP_STATS_AT("cold-start");

    STEP("find", kflow_tap(&f, "btn-returning", 1));
    STEP("find-results", kflow_text(&f, "ng", 2));
    kflow_tap(&f, "btn-back", 3);
    STEP("form", kflow_tap(&f, "btn-new", 4));
    kflow_text(&f, "Nguyen Thi Huong", 5);
    STEP("form-numpad", kflow_tap(&f, "field-phone", 6));
    STEP("done", kflow_tap(&f, "btn-submit", 7));
    kflow_reset(&f);
    kapp_frame(&a, 1, 0);
    STEP("welcome-vi", kflow_tap(&f, "lang-vi", 8));
    STEP("find-vi", kflow_tap(&f, "btn-returning", 9));
    kflow_reset(&f);
    kapp_frame(&a, 1, 0);
    STEP("welcome-km", kflow_tap(&f, "lang-km", 10));
    STEP("form-km", kflow_tap(&f, "btn-new", 11));
    kflow_reset(&f);
    kapp_frame(&a, 1, 0);
    STEP("welcome-zh-Hans", kflow_tap(&f, "lang-zh-Hans", 12));
    STEP("form-zh-Hans", kflow_tap(&f, "btn-new", 13));

    klinebreak_memo(NULL, NULL, NULL);
    kapp_close(&a);
    ki18n_close(cat);
    ksurveys_close(sv);
    kstore_close(s);
    return 0;
}

/* From the start to the first welcome frame, with every catalog or none. */
static int first(const char *data, const char *assets, const char *fonts, int all)
{
    kerr err = {0};
    char po[4096];
    snprintf(po, sizeof po, "%s/po", assets);
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    if (kstore_open(&s, data, &clock, &err) != 0)
        die("store", &err);
    kapp a;
    kflow f;
    kapp_opts o = {.fonts_dir = fonts, .w = 800, .h = 480, .offscreen = 1, .software = 1};
    if (kapp_open(&a, &f, &o, &err) != 0)
        die("app", &err);
    use_text_cache(&a, data, fonts);
    ki18n *cat = NULL;
    if (all) {
        if (ki18n_open(&cat, po, &err) != 0)
            die("catalogs", &err);
        kapp_use_catalog(&a, cat, KUI_LANGS_MAX);
    }
    kflow_init(&f, s, 0, NULL);
    for (int i = 0; cat && i < ki18n_count(cat) && i < 24; i++)
        f.langs[f.nlangs++] = ki18n_lang_at(cat, i)->code;
    kapp_frame(&a, 1, 0);
    CALLGRIND_DUMP_STATS_AT(all ? "first-all" : "first-en");
    klinebreak_memo(NULL, NULL, NULL);
    kapp_close(&a);
    ki18n_close(cat);
    kstore_close(s);
    return 0;
}

static int seed(const char *data, int people)
{
    kerr err = {0};
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    if (kstore_open(&s, data, &clock, &err) != 0 || kdemo_seed(s, &err) != 0 ||
        (people > 0 && kdemo_people(s, people, 16, &err) != 0))
        die("seed", &err);
    kstaff_set_pin(s, NULL, BENCH_PIN, &err);
    kstore_close(s);
    return 0;
}

/* One right PIN through the kiosk's own check (ms). */
static double pin_once(const char *data)
{
    kerr err = {0};
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    if (kstore_open(&s, data, &clock, &err) != 0)
        die("store", &err);
    kstaff st;
    kstaff_init(&st, s);
    kstaff_result r;
    double t0 = now_ms();
    if (kstaff_check_pin(&st, BENCH_PIN, 0, &r, &err) != 0 || r.status != KSTAFF_OK)
        die("pin", &err);
    double t = now_ms() - t0;
    kstore_close(s);
    return t;
}

/* One open of the store (ms); after an unclean stop if crashed. */
static double open_once(const char *data, int crashed)
{
    kerr err = {0};
    kclock clock;
    kclock_system(&clock);
    kstore *s;
    char path[4200];
    snprintf(path, sizeof path, "%s/kiosk.db", data);
    if (crashed)
        kstore_guard_forget(path);
    double t0 = now_ms();
    if (kstore_open(&s, data, &clock, &err) != 0)
        die("store", &err);
    double t = now_ms() - t0;
    kstore_close(s);
    return t;
}

static void report(const char *name, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    printf("%-34s median %8.1f ms   min %8.1f   max %8.1f   (%d runs)\n", name, v[n / 2], v[0],
           v[n - 1], n);
    printf("bench %s %.1f ms\n", name, v[n / 2]);
}

static int slow(const char *data, int runs)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "bench_pi: sodium_init failed\n");
        return 2;
    }
    double *t = calloc((size_t)runs, sizeof *t);
    for (int i = 0; i < runs; i++)
        t[i] = pin_once(data);
    report("pin_check_argon2id_64mib", t, runs);
    for (int i = 0; i < runs; i++)
        t[i] = open_once(data, 0);
    report("store_open_at_start", t, runs);
    for (int i = 0; i < runs; i++)
        t[i] = open_once(data, 1);
    report("store_open_after_crash", t, runs);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "frames") == 0)
        return frames(argv[2], argv[3], argv[4]);
    if (argc == 6 && strcmp(argv[1], "first") == 0)
        return first(argv[2], argv[3], argv[4], strcmp(argv[5], "all") == 0);
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "seed") == 0)
        return seed(argv[2], argc == 4 ? atoi(argv[3]) : 0);
    if (argc == 3 && strcmp(argv[1], "pin") == 0)
        return pin_once(argv[2]) < 0;
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return open_once(argv[2], 1) < 0;
    if (argc == 4 && strcmp(argv[1], "slow") == 0)
        return slow(argv[2], atoi(argv[3]) > 0 ? atoi(argv[3]) : 5);
    fprintf(stderr, "usage: bench_pi frames DATA ASSETS FONTS | first DATA ASSETS FONTS all|en"
                    " | seed DATA [PEOPLE] | slow DATA RUNS"
                    " | pin DATA | check DATA\n");
    return 2;
}
