/*
 * app.c - window, loop and input routing (see app.h).
 *
 * Touch and mouse: a tap is a press and a release on the same widget, as on
 * phones, so a finger sliding off a button cancels it (and its long press);
 * sliding back on restores it.  While the finger is on a widget the view
 * shows it pressed.  Finger events (KMSDRM gives only these, from evdev)
 * are taken directly, with their normalised coordinates scaled to the
 * window; the first finger down is the pointer until it lifts, others are
 * ignored.  The mouse events SDL synthesises from touch are ignored, so a
 * tap counts once.
 */
#include "app.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "display.h"
#include "screens.h"
#include "render.h"

/* Measures text for the layout through the text layer. */
static int measure_cb(void *ctx, const char *text, int px, int bold, const char *lang, int *w,
                      int *h)
{
    return ktext_measure(ctx, text, px, lang, bold, w, h);
}

/* Drawn size through the text layer. */
static int drawn_px_cb(void *ctx, const char *text, int px, const char *lang)
{
    return ktext_drawn_px(ctx, text, px, lang);
}

/* Line height through the text layer. */
static int line_height_cb(void *ctx, int px, const char *lang)
{
    return ktext_line_height(ctx, px, lang);
}

/* Wall-clock milliseconds of a monotonic clock, for frame timing. */
static double now_ms_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The display's DPI, or the default where it reports none (or an
 * implausibly low one, as X servers often do): a target is never smaller
 * than 9 mm on the screen the kiosk was made for. */
static double display_dpi(void)
{
    float ddpi = 0, hdpi = 0, vdpi = 0;
    if (SDL_GetDisplayDPI(0, &ddpi, &hdpi, &vdpi) == 0 && hdpi > KIOSK_DEFAULT_DPI &&
        hdpi < 600)
        return hdpi;
    return KIOSK_DEFAULT_DPI;
}

void kapp_use_catalog(kapp *a, ki18n *cat, int max_langs)
{
    a->ui.tr = ki18n_tr_cb;
    a->ui.trn = ki18n_trn_cb;
    a->ui.tr_ctx = cat;
    a->ui.nlangs = 0;
    for (int i = 0; i < ki18n_count(cat) && i < KUI_LANGS_MAX && i < max_langs; i++) {
        const ki18n_lang *l = ki18n_lang_at(cat, i);
        a->ui.langs[a->ui.nlangs++] =
            (struct kui_lang){l->code, l->name, l->greeting, ki18n_review_word(cat, l->code)};
    }
}

void kapp_resize(kapp *a, int w, int h)
{
    a->w = w;
    a->h = h;
    kui_metrics(&a->ui, w, h, a->dpi);
    if (a->flow)
        a->flow->staff.page_rows = kscreen_staff_rows(&a->ui);
    a->need_draw = 1;
}

int kapp_open(kapp *a, kflow *flow, const kapp_opts *o, kerr *err)
{
    memset(a, 0, sizeof *a);
    a->flow = flow;
    a->traced_screen = -1;
    a->fonts_dir = o->fonts_dir;
    /* Input methods (Chinese, Japanese, Korean...) send their composition
     * to us to draw inside the field, where the person is looking. */
    SDL_SetHint(SDL_HINT_IME_INTERNAL_EDITING, "1");
    if (SDL_Init(o->offscreen ? 0 : SDL_INIT_VIDEO) != 0)
        return o->offscreen ? kerr_set(err, KERR_IO, "SDL_Init: %s", SDL_GetError())
                            : kdisplay_init_failed(err);
    if (!o->offscreen && kdisplay_check(err) != 0)   /* no invisible kiosk */
        return err ? err->code : KERR_IO;
    int w = o->w > 0 ? o->w : 1280, h = o->h > 0 ? o->h : 800;
    if (o->offscreen) {
        a->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_XRGB8888);
        if (!a->surface)
            return kerr_set(err, KERR_IO, "SDL_CreateRGBSurface: %s", SDL_GetError());
        a->ren = SDL_CreateSoftwareRenderer(a->surface);
        a->dpi = o->dpi > 0 ? o->dpi : KIOSK_DEFAULT_DPI;
    } else {
        Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
        if (o->windowed)
            flags |= SDL_WINDOW_RESIZABLE;
        else
            flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        a->win = SDL_CreateWindow("Sign in", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                                  flags);
        if (!a->win)
            return kerr_set(err, KERR_IO, "SDL_CreateWindow: %s", SDL_GetError());
        a->ren = SDL_CreateRenderer(a->win, -1,
                                    o->software ? SDL_RENDERER_SOFTWARE
                                                : SDL_RENDERER_ACCELERATED |
                                                      SDL_RENDERER_PRESENTVSYNC);
        if (!a->ren && !o->software)
            a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
        SDL_GetRendererOutputSize(a->ren, &w, &h);
        kdisplay_log_renderer(a->ren);
        a->dpi = o->dpi > 0 ? o->dpi : display_dpi();
        if (!o->windowed)
            SDL_ShowCursor(SDL_DISABLE);
        SDL_StartTextInput();
    }
    if (!a->ren)
        return kerr_set(err, KERR_IO, "SDL_CreateRenderer: %s", SDL_GetError());
    if (ktext_open(&a->text, o->fonts_dir, a->ren, err) != 0)
        return err ? err->code : KERR_IO;
    a->ui.measure = measure_cb;
    a->ui.line_height = line_height_cb;
    a->ui.drawn_px = drawn_px_cb;
    a->ui.measure_ctx = a->text;
    kapp_resize(a, w, h);
    return 0;
}

void kapp_close(kapp *a)
{
    ktext_close(a->text);
    if (a->ren)
        SDL_DestroyRenderer(a->ren);
    if (a->surface)
        SDL_FreeSurface(a->surface);
    if (a->win)
        SDL_DestroyWindow(a->win);
    SDL_Quit();
    memset(a, 0, sizeof *a);
}

void kapp_pointer_down(kapp *a, int x, int y, int64_t now_ms)
{
    const khit *h = kview_hit_at(&a->view, x, y);
    a->pressed = 1;
    a->press_over = h != NULL;
    a->hold_fired = 0;
    a->press_at = now_ms;
    snprintf(a->press_id, sizeof a->press_id, "%s", h ? h->id : "");
    a->need_draw = 1;
    kflow_tick(a->flow, now_ms);
}

void kapp_pointer_move(kapp *a, int x, int y, int64_t now_ms)
{
    if (!a->pressed || !a->press_id[0])
        return;
    const khit *h = kview_hit_at(&a->view, x, y);
    int over = h && strcmp(h->id, a->press_id) == 0;
    if (over != a->press_over) {
        a->press_over = over;
        a->need_draw = 1;
        if (!over && !a->hold_fired)
            a->press_at = -1;   /* off the widget: no long press from this touch */
    }
    (void)now_ms;
}

void kapp_pointer_up(kapp *a, int x, int y, int64_t now_ms)
{
    if (!a->pressed)
        return;
    a->pressed = 0;
    a->press_over = 0;
    a->need_draw = 1;
    const khit *h = kview_hit_at(&a->view, x, y);
    if (a->hold_fired)
        kflow_tick(a->flow, now_ms);
    else if (h && a->press_id[0] && strcmp(h->id, a->press_id) == 0)
        kflow_tap(a->flow, h->id, now_ms);
    else if (!h && a->flow->visit.nvariants > 0)
        kflow_tap(a->flow, "", now_ms);   /* a tap beside the accent popup closes it */
    else
        kflow_tick(a->flow, now_ms);
    a->press_id[0] = '\0';
}

void kapp_text(kapp *a, const char *utf8, int64_t now_ms)
{
    kflow_text(a->flow, utf8, now_ms);
}

void kapp_key(kapp *a, SDL_Keycode key, int64_t now_ms)
{
    switch (key) {
    case SDLK_BACKSPACE: kflow_key(a->flow, KKEYC_BACKSPACE, now_ms); break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: kflow_key(a->flow, KKEYC_ENTER, now_ms); break;
    case SDLK_TAB: kflow_key(a->flow, KKEYC_TAB, now_ms); break;
    case SDLK_ESCAPE: kflow_key(a->flow, KKEYC_ESCAPE, now_ms); break;
    default: kflow_tick(a->flow, now_ms); break;
    }
}

void kapp_tick(kapp *a, int64_t now_ms)
{
    /* A replay runs on virtual time: work the flow left on another thread
     * (the PIN's hash) is waited for, so results never depend on the
     * machine's speed; the "checking" screen was drawn before this tick. */
    if (a->surface)
        kflow_settle(a->flow);
    if (a->pressed && !a->hold_fired && a->press_id[0] && a->press_at >= 0) {
        int need = kflow_hold_ms(a->flow, a->press_id);
        if (need >= 0 && now_ms - a->press_at >= need) {
            a->hold_fired = 1;
            kflow_hold(a->flow, a->press_id, now_ms);
        }
    }
    if (kflow_tick(a->flow, now_ms))
        a->need_draw = 1;
}

void kapp_editing(kapp *a, const char *utf8, int64_t now_ms)
{
    kflow_preedit(a->flow, utf8, now_ms);
}

int64_t kapp_deadline(const kapp *a)
{
    int64_t d = kflow_deadline(a->flow);
    if (a->pressed && !a->hold_fired && a->press_id[0] && a->press_at >= 0) {
        int need = kflow_hold_ms(a->flow, a->press_id);
        if (need >= 0 && (d < 0 || a->press_at + need < d))
            d = a->press_at + need;
    }
    return d;
}

void kapp_trace(kapp *a)
{
    const kflow *f = a->flow;
    if (!a->trace || f->screen == a->traced_screen)
        return;
    if (f->screen == KS_DONE)
        printf("done %s %s\n", f->visit.done_person, f->visit.done_name);
    printf("screen %s\n", kflow_screen_name(f->screen));
    fflush(stdout);
    a->traced_screen = f->screen;
}

int kapp_frame(kapp *a, int force, int present)
{
    if (!force && !a->need_draw && a->drawn_version == a->flow->version)
        return 0;
    double t0 = now_ms_real();
    a->ui.lang = a->flow->visit.lang;
    a->ui.pressed = a->pressed && a->press_over ? a->press_id : NULL;
    kscreens_build(&a->view, &a->ui, a->flow);
    krender_view(a->ren, a->text, &a->view);
    /* Welcome shows no one's data: what it measured and drew may be kept
     * on disk for the next start's first frame (ktext_cache_open). */
    ktext_frame_done(a->text, strcmp(a->view.screen, "welcome") == 0);
    a->frame_ms = now_ms_real() - t0;
    if (present)
        SDL_RenderPresent(a->ren);
    a->drawn_version = a->flow->version;
    a->drawn_at = a->flow->now_ms;
    a->need_draw = 0;
    return 1;
}

/* A finger's normalised coordinate (0..1) in pixels of a side of n. */
static int finger_px(float f, int n)
{
    int p = (int)(f * (float)n);
    return p < 0 ? 0 : p >= n ? n - 1 : p;
}

void kapp_event(kapp *a, const SDL_Event *e, int64_t now)
{
    switch (e->type) {
    case SDL_QUIT:
        a->quit = 1;
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            int w, h;
            SDL_GetRendererOutputSize(a->ren, &w, &h);
            kapp_resize(a, w, h);
            ktext_flush(a->text);
        } else if (e->window.event == SDL_WINDOWEVENT_EXPOSED) {
            a->need_draw = 1;
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT &&
            !a->finger_down)
            kapp_pointer_down(a, e->button.x, e->button.y, now);
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT &&
            !a->finger_down)
            kapp_pointer_up(a, e->button.x, e->button.y, now);
        break;
    case SDL_MOUSEMOTION:
        if (e->motion.which != SDL_TOUCH_MOUSEID && (e->motion.state & SDL_BUTTON_LMASK) &&
            !a->finger_down)
            kapp_pointer_move(a, e->motion.x, e->motion.y, now);
        break;
    case SDL_FINGERDOWN:
        if (a->finger_down)
            break;   /* a second finger: the first one is the pointer */
        a->finger_down = 1;
        a->finger_id = e->tfinger.fingerId;
        kapp_pointer_down(a, finger_px(e->tfinger.x, a->w), finger_px(e->tfinger.y, a->h), now);
        break;
    case SDL_FINGERMOTION:
        if (a->finger_down && e->tfinger.fingerId == a->finger_id)
            kapp_pointer_move(a, finger_px(e->tfinger.x, a->w), finger_px(e->tfinger.y, a->h),
                              now);
        break;
    case SDL_FINGERUP:
        if (!a->finger_down || e->tfinger.fingerId != a->finger_id)
            break;
        a->finger_down = 0;
        kapp_pointer_up(a, finger_px(e->tfinger.x, a->w), finger_px(e->tfinger.y, a->h), now);
        break;
    case SDL_TEXTINPUT:
        kapp_text(a, e->text.text, now);
        break;
    case SDL_TEXTEDITING:
        kapp_editing(a, e->edit.text, now);
        break;
    case SDL_KEYDOWN:
        kapp_key(a, e->key.keysym.sym, now);
        break;
    default:
        break;
    }
}

int kapp_run(kapp *a)
{
    kapp_frame(a, 1, 1);
    kapp_trace(a);      /* the first screen, before any event (the start's
                         * check may have taken the window's first ones) */
    while (!a->quit) {
        int64_t now = (int64_t)SDL_GetTicks64();
        int64_t deadline = kapp_deadline(a);
        int timeout = -1;
        if (deadline >= 0) {
            int64_t d = deadline - now;
            timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
        }
        SDL_Event e;
        int got = timeout < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeout);
        now = (int64_t)SDL_GetTicks64();
        if (got) {
            kapp_event(a, &e, now);
            while (SDL_PollEvent(&e))
                kapp_event(a, &e, now);
        }
        kapp_tick(a, now);
        kapp_trace(a);
        kapp_frame(a, 0, 1);
        if (a->flow->quit)
            a->quit = 1;
    }
    return 0;
}
