/*
 * app_checking.c - the screen keeps drawing and answering while work that
 * takes seconds runs on another thread (issue 16, item 7).
 *
 * At start the store is opened and, after an unclean stop, checked whole
 * (PRAGMA quick_check: 2.6 s at 100k people on a PC, several times that on
 * a Pi 3) before the flow can exist.  main.c runs that on a thread and
 * calls kapp_checking_wait, which sleeps in the event loop in steps of
 * KSCREEN_CHECKING_STEP_MS: a window that is closed, resized or uncovered
 * is answered at once, and once the work has taken longer than
 * show_after_ms (so that a quick start does not flash) the "checking"
 * screen (screen_checking.c) is drawn with its moving dots.  The flow's own
 * slow work (the staff PIN) has the flow's screen KS_CHECKING instead.
 */
#include "app.h"

#include "render.h"
#include "screens.h"

int kapp_checking_wait(kapp *a, const char *lang, int (*done)(void *ctx), void *ctx,
                       int show_after_ms)
{
    uint64_t t0 = SDL_GetTicks64();
    int frames = 0;
    while (!done(ctx)) {
        /* short naps while a quick start may still end at any moment, then
         * in step with the dots */
        int nap = SDL_GetTicks64() - t0 < (uint64_t)show_after_ms ? 10
                                                                   : KSCREEN_CHECKING_STEP_MS / 3;
        if (a->win) {
            SDL_Event e;
            if (SDL_WaitEventTimeout(&e, nap)) {
                do {
                    if (e.type == SDL_QUIT)
                        a->quit = 1;     /* honoured once the work is done */
                    else if (e.type == SDL_WINDOWEVENT &&
                             e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                        int w, h;
                        SDL_GetRendererOutputSize(a->ren, &w, &h);
                        kapp_resize(a, w, h);
                        ktext_flush(a->text);
                    }
                    /* taps and keys: nothing on this screen takes them */
                } while (SDL_PollEvent(&e));
            }
        } else {
            SDL_Delay((Uint32)nap);     /* offscreen: no events to answer */
        }
        uint64_t ms = SDL_GetTicks64() - t0;
        if (done(ctx) || ms < (uint64_t)show_after_ms)
            continue;
        a->ui.lang = lang;
        a->ui.pressed = NULL;
        kscreen_checking_start(&a->view, &a->ui, (int64_t)ms);
        krender_view(a->ren, a->text, &a->view);
        if (a->win)
            SDL_RenderPresent(a->ren);
        frames++;
    }
    a->need_draw = 1;
    return frames;
}
