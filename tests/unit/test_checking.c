/*
 * test_checking.c - the screen draws while slow work runs on another
 * thread (issue 16, item 7; kiosk/ui/app_checking.c, screen_checking.c).
 *
 * The work here is a thread that will not finish until the screen's thread
 * has drawn the "checking" screen three times: if kapp_checking_wait
 * blocked instead of drawing, the work would never end (it gives up after
 * 20 s and the test fails).  Asserted by order of events, never by time.
 * Then the flow's "checking" screen (the PIN being hashed) is built with
 * its back button, and both layouts fit at 800x480 and 800x1280.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "kclock.h"
#include "ktest.h"
#include "screens.h"
#include "store.h"

typedef struct work {
    kapp *app;
    atomic_int drawn;       /* "checking" frames the screen's thread showed */
    atomic_int done;
    atomic_int gave_up;
    int said, problems;     /* what those frames showed */
} work;

/* Called by kapp_checking_wait on the screen's thread, before and between
 * frames: counts each new "checking" frame once (the view's name is wiped
 * after it was seen, so only a frame drawn since sets it again). */
static int work_done(void *ctx)
{
    work *w = ctx;
    kview *v = &w->app->view;
    if (strcmp(v->screen, "checking") == 0) {
        w->said += kview_has_text(v, "Checking the sign-in records") != 0;
        if (v->nproblems) {
            fprintf(stderr, "%s\n", v->problems);
            w->problems++;
        }
        v->screen[0] = '\0';
        atomic_store(&w->drawn, atomic_load(&w->drawn) + 1);
    }
    return atomic_load(&w->done);
}

/* The slow work: ends only once three frames were drawn meanwhile. */
static void *work_thread(void *arg)
{
    work *w = arg;
    struct timespec nap = {0, 5000000};
    for (int i = 0; i < 4000 && atomic_load(&w->drawn) < 3; i++)
        nanosleep(&nap, NULL);
    if (atomic_load(&w->drawn) < 3)
        atomic_store(&w->gave_up, 1);
    atomic_store(&w->done, 1);
    return NULL;
}

static void test_draws_while_work_runs(int width, int height)
{
    kflow flow;
    kapp app;
    kerr err = {0};
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = width, .h = height, .offscreen = 1,
                   .software = 1};
    CHECK_INT(kapp_open(&app, &flow, &o, &err), 0);
    memset(&flow, 0, sizeof flow);
    work w = {.app = &app};
    atomic_init(&w.drawn, 0);
    atomic_init(&w.done, 0);
    atomic_init(&w.gave_up, 0);
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, work_thread, &w), 0);
    int frames = kapp_checking_wait(&app, "en", work_done, &w, 0);
    pthread_join(t, NULL);
    CHECK(!atomic_load(&w.gave_up));
    CHECK(frames >= 3);
    CHECK(atomic_load(&w.drawn) >= 3);
    CHECK_INT(w.said, atomic_load(&w.drawn));
    CHECK_INT(w.problems, 0);
    kapp_close(&app);
}

static void test_start_800x480(void) { test_draws_while_work_runs(800, 480); }
static void test_start_800x1280(void) { test_draws_while_work_runs(800, 1280); }

/* A start that ends at once shows nothing (no flash of "checking"). */
static int at_once(void *ctx)
{
    (void)ctx;
    return 1;
}

static void test_quick_start_draws_nothing(void)
{
    kflow flow;
    kapp app;
    kerr err = {0};
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 800, .h = 480, .offscreen = 1,
                   .software = 1};
    CHECK_INT(kapp_open(&app, &flow, &o, &err), 0);
    CHECK_INT(kapp_checking_wait(&app, "en", at_once, NULL, 250), 0);
    kapp_close(&app);
}

/* The flow's "checking" (a PIN being hashed): words, dots, a way back. */
static void test_flow_screen(void)
{
    char dir[256];
    kclock clock_;
    kclock_virtual vclock;
    kstore *store;
    kflow flow;
    kapp app;
    kerr err = {0};
    ktest_tmpdir(dir, sizeof dir);
    kclock_virtual_init(&clock_, &vclock, 1780000000000LL, "boot-1");
    CHECK_INT(kstore_open(&store, dir, &clock_, &err), 0);
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = 800, .h = 480, .offscreen = 1,
                   .software = 1};
    CHECK_INT(kapp_open(&app, &flow, &o, &err), 0);
    kflow_init(&flow, store, 0, NULL);
    flow.screen = KS_CHECKING;
    flow.version++;
    kapp_frame(&app, 1, 0);
    CHECK_STR(app.view.screen, "checking");
    CHECK(kview_find(&app.view, "btn-back") != NULL);
    CHECK(kview_has_text(&app.view, "Checking the PIN"));
    CHECK_INT(app.view.nproblems, 0);
    kapp_close(&app);
    kstore_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_start_800x480);
    RUN(test_start_800x1280);
    RUN(test_quick_start_draws_nothing);
    RUN(test_flow_screen);
    return ktest_summary();
}
