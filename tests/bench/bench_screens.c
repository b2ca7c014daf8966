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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "app.h"
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

/* n frames of the screen the flow is on, after one to warm up; the
 * screen's name goes to standard output, to check the walk. */
#define FRAMES(name)                             \
    do {                                         \
        kapp_frame(&a, 1, 0);                    \
        CALLGRIND_ZERO_STATS;                    \
        for (int i_ = 0; i_ < n; i_++)           \
            kapp_frame(&a, 1, 0);                \
        CALLGRIND_DUMP_STATS_AT("frames-" name); \
        printf("%s %s\n", name, a.view.screen);  \
    } while (0)

static int frames(const char *data, const char *assets, const char *fonts, int n)
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
    int64_t t = 1;
    FRAMES("welcome");
    kflow_tap(&f, "btn-returning", t++);
    kflow_text(&f, "ng", t++);
    FRAMES("find");
    kflow_tap(&f, "btn-back", t++);
    kflow_tap(&f, "btn-new", t++);
    kflow_text(&f, "Nguyen Thi Huong", t++);
    FRAMES("form");
    kflow_tap(&f, "field-phone", t++);
    FRAMES("form-numpad");
    kflow_tick(&f, t + f.idle_ms);
    FRAMES("still-there");
    t += f.idle_ms + 1;
    kflow_tap(&f, "btn-still-here", t++);
    kflow_tap(&f, "btn-submit", t++);
    /* the demo event's survey, if it has one, else the thank-you screen */
    if (f.screen == KS_SURVEY)
        FRAMES("survey");
    for (int k = 0; k < 20 && f.screen == KS_SURVEY; k++)
        if (!kflow_tap(&f, "btn-skip", t++) && !kflow_tap(&f, "btn-next", t++))
            break;
    if (f.screen == KS_DONE)
        FRAMES("done");
    kapp_close(&a);
    ki18n_close(cat);
    ksurveys_close(sv);
    kstore_close(s);
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
    if (argc == 3 && strcmp(argv[1], "seed") == 0)
        return seed(argv[2]);
    fprintf(stderr, "usage: bench_screens frames DATA ASSETS FONTS FRAMES | seed DATA\n");
    return 2;
}
