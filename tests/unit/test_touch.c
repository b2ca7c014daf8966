/*
 * test_touch.c - touch input as KMSDRM delivers it (SDL finger events from
 * evdev, no mouse emulation), fed to the kiosk's event router on synthetic
 * events: the pressed state, taps, long presses, a finger sliding off and
 * back, a second finger, and the mouse events SDL makes from touch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "kclock.h"
#include "ktest.h"
#include "store.h"

static char dir[256];
static kclock clock_;
static kclock_virtual vclock;
static kstore *store;
static kflow flow;
static kapp app;

enum { W = 800, H = 480 };

static void setup(void)
{
    kerr err = {0};
    kevent event;
    ktest_tmpdir(dir, sizeof dir);
    kclock_virtual_init(&clock_, &vclock, 1780000000000LL, "boot-1");
    CHECK_INT(kstore_open(&store, dir, &clock_, &err), 0);
    CHECK_INT(kstore_event_add(store, "Parent Night", "parent organizing", "2026-11-29", &event,
                               &err), 0);
    CHECK_INT(kstore_event_use(store, event.id, &err), 0);
    kapp_opts o = {.fonts_dir = KIOSK_FONTS_DIR, .w = W, .h = H, .offscreen = 1, .software = 1};
    CHECK_INT(kapp_open(&app, &flow, &o, &err), 0);
    kflow_init(&flow, store, 0, NULL);
    kapp_frame(&app, 1, 0);
}

static void teardown(void)
{
    kapp_close(&app);
    kstore_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

/* The centre of widget id on the last frame, in pixels. */
static void centre(const char *id, int *x, int *y)
{
    const khit *h = kview_find(&app.view, id);
    CHECK(h != NULL);
    *x = h ? h->r.x + h->r.w / 2 : 0;
    *y = h ? h->r.y + h->r.h / 2 : 0;
}

/* A finger event at pixel (x, y), normalised as SDL gives it. */
static void finger(Uint32 type, SDL_FingerID id, int x, int y, int64_t now)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = id;
    e.tfinger.x = (x + 0.5f) / W;
    e.tfinger.y = (y + 0.5f) / H;
    kapp_event(&app, &e, now);
    kapp_tick(&app, now);
    kapp_frame(&app, 0, 0);
}

/* A mouse button event at (x, y); which is SDL_TOUCH_MOUSEID for the
 * events SDL makes from touch. */
static void mouse(Uint32 type, Uint32 which, int x, int y, int64_t now)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.button.which = which;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    kapp_event(&app, &e, now);
    kapp_tick(&app, now);
    kapp_frame(&app, 0, 0);
}

static const char *screen(void) { return kflow_screen_name(flow.screen); }

static void test_finger_tap_shows_pressed_then_taps(void)
{
    setup();
    int x, y;
    centre("btn-new", &x, &y);
    finger(SDL_FINGERDOWN, 7, x, y, 1000);
    CHECK_STR(app.view.pressed, "btn-new");   /* drawn pressed while down */
    CHECK_STR(screen(), "welcome");           /* no tap before the lift */
    finger(SDL_FINGERUP, 7, x, y, 1080);
    CHECK_STR(screen(), "form");
    CHECK_STR(app.view.pressed, "");
    teardown();
}

static void test_finger_sliding_off_cancels_and_back_restores(void)
{
    setup();
    int x, y, ox, oy;
    centre("btn-new", &x, &y);
    centre("btn-returning", &ox, &oy);
    finger(SDL_FINGERDOWN, 3, x, y, 1000);
    finger(SDL_FINGERMOTION, 3, ox, oy, 1050);   /* onto another button */
    CHECK_STR(app.view.pressed, "");              /* neither shows pressed */
    finger(SDL_FINGERUP, 3, ox, oy, 1100);
    CHECK_STR(screen(), "welcome");               /* and nothing was tapped */

    finger(SDL_FINGERDOWN, 4, x, y, 2000);
    finger(SDL_FINGERMOTION, 4, ox, oy, 2050);
    finger(SDL_FINGERMOTION, 4, x + 2, y + 2, 2100);   /* back on */
    CHECK_STR(app.view.pressed, "btn-new");
    finger(SDL_FINGERUP, 4, x + 2, y + 2, 2150);
    CHECK_STR(screen(), "form");
    teardown();
}

static void test_finger_long_press_opens_staff_pin(void)
{
    setup();
    int x, y;
    centre("staff-corner", &x, &y);
    finger(SDL_FINGERDOWN, 1, x, y, 1000);
    CHECK(kapp_deadline(&app) == 1000 + kflow_hold_ms(&flow, "staff-corner"));
    kapp_tick(&app, 2500);
    CHECK_STR(screen(), "welcome");    /* not yet */
    kapp_tick(&app, 4000);
    kapp_frame(&app, 0, 0);
    CHECK_STR(screen(), "staff-pin");  /* the hold fired with the finger down */
    finger(SDL_FINGERUP, 1, x, y, 4100);
    CHECK_STR(screen(), "staff-pin");  /* the lift is no second action */
    teardown();
}

static void test_finger_long_press_cancelled_by_sliding_off(void)
{
    setup();
    int x, y, ox, oy;
    centre("staff-corner", &x, &y);
    centre("btn-new", &ox, &oy);
    finger(SDL_FINGERDOWN, 1, x, y, 1000);
    finger(SDL_FINGERMOTION, 1, ox, oy, 1500);
    kapp_tick(&app, 4500);
    CHECK_STR(screen(), "welcome");
    finger(SDL_FINGERUP, 1, ox, oy, 4600);
    CHECK_STR(screen(), "welcome");
    teardown();
}

static void test_second_finger_is_ignored(void)
{
    setup();
    int x, y, ox, oy;
    centre("btn-new", &x, &y);
    centre("btn-returning", &ox, &oy);
    finger(SDL_FINGERDOWN, 1, x, y, 1000);
    finger(SDL_FINGERDOWN, 2, ox, oy, 1010);   /* a palm, a second hand */
    CHECK_STR(app.view.pressed, "btn-new");
    finger(SDL_FINGERUP, 2, ox, oy, 1050);
    CHECK_STR(screen(), "welcome");
    finger(SDL_FINGERUP, 1, x, y, 1090);
    CHECK_STR(screen(), "form");
    teardown();
}

static void test_touch_mouse_is_ignored_real_mouse_taps(void)
{
    setup();
    int x, y;
    centre("btn-new", &x, &y);
    mouse(SDL_MOUSEBUTTONDOWN, SDL_TOUCH_MOUSEID, x, y, 1000);
    CHECK_STR(app.view.pressed, "");
    mouse(SDL_MOUSEBUTTONUP, SDL_TOUCH_MOUSEID, x, y, 1080);
    CHECK_STR(screen(), "welcome");
    mouse(SDL_MOUSEBUTTONDOWN, 0, x, y, 2000);
    CHECK_STR(app.view.pressed, "btn-new");
    mouse(SDL_MOUSEBUTTONUP, 0, x, y, 2080);
    CHECK_STR(screen(), "form");
    teardown();
}

static void test_finger_at_the_edge_stays_in_the_window(void)
{
    setup();
    /* evdev may report 1.0 exactly at the far edge: no pixel W. */
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_FINGERDOWN;
    e.tfinger.fingerId = 9;
    e.tfinger.x = 1.0f;
    e.tfinger.y = 1.0f;
    kapp_event(&app, &e, 1000);
    CHECK(app.pressed);
    e.type = SDL_FINGERUP;
    kapp_event(&app, &e, 1080);
    CHECK(!app.pressed);
    CHECK_STR(screen(), "welcome");
    teardown();
}

int main(void)
{
    RUN(test_finger_tap_shows_pressed_then_taps);
    RUN(test_finger_sliding_off_cancels_and_back_restores);
    RUN(test_finger_long_press_opens_staff_pin);
    RUN(test_finger_long_press_cancelled_by_sliding_off);
    RUN(test_second_finger_is_ignored);
    RUN(test_touch_mouse_is_ignored_real_mouse_taps);
    RUN(test_finger_at_the_edge_stays_in_the_window);
    return ktest_summary();
}
