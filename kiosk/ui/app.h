/*
 * app.h - the SDL shell: a window (or an off-screen surface for replay),
 * the flow, the text layer, and the loop that joins them.
 *
 * Inputs from SDL (or from the replay driver, which calls the same
 * kapp_pointer_*, kapp_text and kapp_key functions) go to the flow; the
 * view is rebuilt and drawn only when the flow's version changed, the
 * window changed, or a countdown is showing.  Between inputs the loop
 * sleeps in SDL_WaitEventTimeout until the flow's next deadline.
 */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <SDL2/SDL.h>

#include "flow.h"
#include "i18n.h"
#include "text.h"
#include "view.h"

typedef struct kapp_opts {
    const char *fonts_dir;
    int w, h;              /* window size (0 = full screen's size) */
    int windowed;          /* a window instead of full screen */
    int offscreen;         /* replay: draw into a surface, no window */
    double dpi;            /* 0 = ask the display, else KIOSK_DEFAULT_DPI */
    int software;          /* force the software renderer */
} kapp_opts;

typedef struct kapp {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface;  /* offscreen target */
    ktext *text;
    const char *fonts_dir;
    kflow *flow;
    kui ui;
    kview view;            /* the last frame drawn */
    double dpi;
    int w, h;
    unsigned drawn_version;
    int need_draw;
    int64_t drawn_at;      /* flow time of the last frame */
    /* pointer */
    int pressed;
    char press_id[48];
    int64_t press_at;
    int hold_fired;        /* the long-press action ran: the release is no tap */
    int press_over;        /* the pointer is on the pressed widget (shown pressed) */
    int finger_down;       /* a touch is the pointer (other fingers are ignored) */
    SDL_FingerID finger_id;
    /* the last frame's build + draw time, for benchmarks */
    double frame_ms;
    int quit;
    int trace;             /* print screen changes on stdout (tests) */
    int traced_screen;
} kapp;

/* Opens the window (or surface), renderer and fonts. */
int kapp_open(kapp *a, kflow *flow, const kapp_opts *o, kerr *err);
void kapp_close(kapp *a);

/* Inputs at flow time now_ms. */
void kapp_pointer_down(kapp *a, int x, int y, int64_t now_ms);
void kapp_pointer_up(kapp *a, int x, int y, int64_t now_ms);
/* The pointer moved while down: off the pressed widget the press shows no
 * more and can no longer become a tap or a long press; back on, it can. */
void kapp_pointer_move(kapp *a, int x, int y, int64_t now_ms);
/* Routes one SDL event (mouse, finger, text, keys, window) at flow time now. */
void kapp_event(kapp *a, const SDL_Event *e, int64_t now_ms);
void kapp_text(kapp *a, const char *utf8, int64_t now_ms);
void kapp_key(kapp *a, SDL_Keycode key, int64_t now_ms);
void kapp_tick(kapp *a, int64_t now_ms);
void kapp_editing(kapp *a, const char *utf8, int64_t now_ms);

/* When the app next needs a tick: the flow's deadline or the end of a
 * long press in progress; -1 if none. */
int64_t kapp_deadline(const kapp *a);

/* Rebuilds and draws the frame if anything changed; returns 1 if drawn.
 * present = 0 leaves the frame unpresented (for a screenshot). */
int kapp_frame(kapp *a, int force, int present);

/* Gives the screens the catalogs' translations and their first max_langs
 * languages for the welcome screen's buttons and greetings. */
void kapp_use_catalog(kapp *a, ki18n *cat, int max_langs);

/* Resizes (window events, replay). */
void kapp_resize(kapp *a, int w, int h);

/* With a->trace set, prints "screen NAME" when the screen changed, and
 * "done PERSON-ID NAME" when the thank-you screen appears, flushed at once
 * (a test may kill the process right after). */
void kapp_trace(kapp *a);

/* The event loop of the real kiosk; returns when asked to quit. */
int kapp_run(kapp *a);

/* Until done(ctx) is non-zero (work on another thread), answers the window
 * and, after show_after_ms, draws the "checking" screen in lang
 * (app_checking.c); a close request sets a->quit.  Returns frames drawn. */
int kapp_checking_wait(kapp *a, const char *lang, int (*done)(void *ctx), void *ctx,
                       int show_after_ms);

#endif
