/*
 * replay.c - the replay driver (see replay.h and tests/README.md).
 *
 * Inputs go through the same kapp_* functions as SDL events do: a tap is a
 * pointer press and release at the centre of the widget's region, so hit
 * testing is exercised too.  Time is virtual: `wait` advances the clock from
 * deadline to deadline (idle prompt, countdown, done screen), drawing the
 * frames a person would see, without real waiting.  Every frame drawn is
 * checked against the layout rules of view.h.
 */
#include "replay.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render.h"
#include "utf8.h"

#define TAP_MS 80       /* a finger rests this long on a tap */
#define STEP_MS 300     /* virtual time between commands */

typedef struct rp {
    kapp *a;
    int down_x, down_y;   /* where `down ID` put the finger */
    int down;
    kclock_virtual *vc;
    const kreplay_opts *o;
    const char *file;
    int line;
    int failed;
    int expectations;
} rp;

/* Reports a failure at the current line. */
static void fail(rp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(rp *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", r->file, r->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    r->failed = 1;
}

/* Draws the frame if it changed and checks its layout. */
static void frame(rp *r)
{
    kapp_trace(r->a);
    if (!kapp_frame(r->a, 0, 0))
        return;
    const kview *v = &r->a->view;
    if (r->o->layout_check && v->nproblems > 0)
        fail(r, "layout problems on %s at %dx%d:\n%s", v->screen, v->w, v->h, v->problems);
    else if (v->nproblems > 0)   /* exploring: say so, go on */
        fprintf(stderr, "%s:%d: warning: layout problems on %s at %dx%d:\n%s", r->file,
                r->line, v->screen, v->w, v->h, v->problems);
}

/* Advances virtual time by ms, stopping at every deadline on the way. */
static void advance(rp *r, int64_t ms)
{
    int64_t target = r->vc->now_ms + ms;
    while (r->vc->now_ms < target && !r->failed) {
        int64_t d = kapp_deadline(r->a);
        int64_t next = (d > r->vc->now_ms && d < target) ? d : target;
        r->vc->now_ms = next;
        kapp_tick(r->a, next);
        frame(r);
    }
}

/* Taps at a point: press, rest, release. */
static void tap_at(rp *r, int x, int y, int64_t hold_ms)
{
    kapp_pointer_down(r->a, x, y, r->vc->now_ms);
    advance(r, hold_ms);
    kapp_pointer_up(r->a, x, y, r->vc->now_ms);
    frame(r);
}

/* Taps the widget with id; 0 if it is on screen. */
static int tap_id(rp *r, const char *id, int64_t hold_ms)
{
    kapp_frame(r->a, 0, 0);
    const khit *h = kview_find(&r->a->view, id);
    if (!h)
        return -1;
    tap_at(r, h->r.x + h->r.w / 2, h->r.y + h->r.h / 2, hold_ms);
    return 0;
}

/* Lists the ids on screen into buf (for messages). */
static const char *ids_list(const kview *v, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < v->nhits && o + 2 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", v->hits[i].id);
    return buf;
}

/* Lists every text drawn (for messages). */
static const char *texts_list(const kview *v, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < v->ntexts && o + 4 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s\"%s\"", i ? ", " : "", v->arena + v->texts[i].text);
    return buf;
}

/* osk TEXT: presses the key for each character of text. */
static void cmd_osk(rp *r, const char *text)
{
    while (*text && !r->failed) {
        int len;
        long dec = kutf8_decode(text, &len);
        uint32_t cp = dec < 0 ? 0xfffd : (uint32_t)dec;
        char chr[8], id[48];
        memcpy(chr, text, (size_t)len);
        chr[len] = '\0';
        text += len;
        uint32_t lo = cp == ' ' ? ' ' : kutf8_lower(cp);
        if (cp == ' ')
            snprintf(id, sizeof id, "key-space");
        else {
            char l[8];
            kutf8_put(lo, l);
            snprintf(id, sizeof id, "key-%s", l);
        }
        int upper = lo != cp;
        if (upper && !r->a->flow->visit.shift && tap_id(r, "key-shift", TAP_MS) != 0) {
            fail(r, "osk: no key-shift on screen %s for '%s'", r->a->view.screen, chr);
            return;
        }
        if (tap_id(r, id, TAP_MS) == 0) {
            advance(r, TAP_MS);
            continue;
        }
        /* Not on this layout: a shifted key (ㄲ), or another layout. */
        int found = 0;
        if (!upper && !r->a->flow->visit.shift && kview_find(&r->a->view, "key-shift")) {
            tap_id(r, "key-shift", TAP_MS);
            if (tap_id(r, id, TAP_MS) == 0)
                found = 1;
            else
                tap_id(r, "key-shift", TAP_MS);
        }
        for (int tries = 0; !found && tries < 4 && kview_find(&r->a->view, "key-layout"); tries++) {
            tap_id(r, "key-layout", TAP_MS);
            if (upper && !r->a->flow->visit.shift)
                tap_id(r, "key-shift", TAP_MS);
            if (tap_id(r, id, TAP_MS) == 0)
                found = 1;
        }
        /* Last, the accented forms behind a long-press. */
        for (int i = 0; !found && i < r->a->view.nhits; i++) {
            uint32_t var[32];
            char key_id[48];
            snprintf(key_id, sizeof key_id, "%s", r->a->view.hits[i].id);
            int nv = kflow_key_variants(r->a->flow, key_id, var, 32);
            for (int j = 0; j < nv && !found; j++)
                if (var[j] == cp) {
                    tap_id(r, key_id, KFLOW_HOLD_MS + 100);
                    found = tap_id(r, id, TAP_MS) == 0;
                }
        }
        if (!found) {
            char buf[4096];
            fail(r, "osk: no key %s for '%s' on screen %s (ids: %s)", id, chr, r->a->view.screen,
                 ids_list(&r->a->view, buf, sizeof buf));
            return;
        }
        advance(r, TAP_MS);
    }
}

/* type TEXT: text from a physical keyboard, in SDL's 31-byte pieces. */
static void cmd_type(rp *r, const char *text)
{
    size_t n = strlen(text);
    size_t i = 0;
    while (i < n) {
        size_t take = n - i < 31 ? n - i : 31;
        while (take > 0 && i + take < n && ((unsigned char)text[i + take] & 0xc0) == 0x80)
            take--;
        char piece[32];
        memcpy(piece, text + i, take);
        piece[take] = '\0';
        kapp_text(r->a, piece, r->vc->now_ms);
        frame(r);
        advance(r, 20);
        i += take;
    }
}

/* key NAME: one key of a physical keyboard, by SDL key name. */
static void cmd_key(rp *r, const char *name)
{
    SDL_Keycode k = SDL_GetKeyFromName(name);
    if (k == SDLK_UNKNOWN) {
        fail(r, "key: unknown key name '%s' (use SDL names: Return, BackSpace, Tab, Escape)",
             name);
        return;
    }
    kapp_key(r->a, k, r->vc->now_ms);
    frame(r);
}

/* shot FILE.png: a screenshot of the current frame. */
static void cmd_shot(rp *r, const char *name)
{
    char path[4096];
    if (r->o->shots_dir && name[0] != '/') {
        mkdir(r->o->shots_dir, 0777);
        snprintf(path, sizeof path, "%s/%s", r->o->shots_dir, name);
    } else {
        snprintf(path, sizeof path, "%s", name);
    }
    kapp_frame(r->a, 1, 0);
    kerr err = {0};
    if (krender_png(r->a->ren, r->a->w, r->a->h, path, &err) != 0)
        fail(r, "shot: %s", err.msg);
}

/* texts: every text of the last frame as `text PX X Y W H TEXT`, PX the
 * pixel size drawn (after fitting and script scaling). */
static void cmd_texts(rp *r)
{
    kapp *a = r->a;
    kapp_frame(a, 0, 0);
    const kview *v = &a->view;
    for (int i = 0; i < v->ntexts; i++) {
        const struct kvtext *t = &v->texts[i];
        const char *s = v->arena + t->text;
        int px = ktext_drawn_px(a->text, s, t->px, t->lang[0] ? t->lang : v->lang);
        printf("text %d %d %d %d %d ", px, t->r.x, t->r.y, t->r.w, t->r.h);
        for (; *s; s++)
            putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
        putchar('\n');
    }
    fflush(stdout);
}

/* Runs one command line. */
static void run_line(rp *r, char *s)
{
    char *cmd = s, *arg = strchr(s, ' ');
    if (arg)
        *arg++ = '\0';
    else
        arg = s + strlen(s);
    kapp *a = r->a;
    char buf[8192];
    if (strcmp(cmd, "tap") == 0) {
        int x, y;
        char extra;
        if (sscanf(arg, "%d %d %c", &x, &y, &extra) == 2)
            tap_at(r, x, y, TAP_MS);
        else if (tap_id(r, arg, TAP_MS) != 0)
            fail(r, "tap: no widget '%s' on screen %s (ids: %s)", arg, a->view.screen,
                 ids_list(&a->view, buf, sizeof buf));
    } else if (strcmp(cmd, "hold") == 0) {
        char id[64];
        long ms;
        if (sscanf(arg, "%63s %ld", id, &ms) != 2 || ms < 0)
            fail(r, "hold: expected 'hold ID MS'");
        else if (tap_id(r, id, ms) != 0)
            fail(r, "hold: no widget '%s' on screen %s (ids: %s)", id, a->view.screen,
                 ids_list(&a->view, buf, sizeof buf));
    } else if (strcmp(cmd, "down") == 0) {
        kapp_frame(a, 0, 0);
        const khit *h = kview_find(&a->view, arg);
        if (r->down)
            fail(r, "down: a finger is already down (on %s); 'up' first", a->press_id);
        else if (!h)
            fail(r, "down: no widget '%s' on screen %s (ids: %s)", arg, a->view.screen,
                 ids_list(&a->view, buf, sizeof buf));
        else {
            r->down = 1;
            r->down_x = h->r.x + h->r.w / 2;
            r->down_y = h->r.y + h->r.h / 2;
            kapp_pointer_down(a, r->down_x, r->down_y, r->vc->now_ms);
            frame(r);
        }
    } else if (strcmp(cmd, "up") == 0) {
        if (!r->down)
            fail(r, "up: no finger is down (use 'down ID' first)");
        else {
            r->down = 0;
            kapp_pointer_up(a, r->down_x, r->down_y, r->vc->now_ms);
            frame(r);
        }
    } else if (strcmp(cmd, "texts") == 0) {
        cmd_texts(r);
    } else if (strcmp(cmd, "type") == 0) {
        cmd_type(r, arg);
    } else if (strcmp(cmd, "osk") == 0) {
        cmd_osk(r, arg);
    } else if (strcmp(cmd, "key") == 0) {
        cmd_key(r, arg);
    } else if (strcmp(cmd, "scan") == 0) {
        cmd_type(r, arg);
        cmd_key(r, "Return");
    } else if (strcmp(cmd, "wait") == 0) {
        char *end;
        long ms = strtol(arg, &end, 10);
        if (end == arg || *end || ms < 0)
            fail(r, "wait: expected milliseconds, got '%s'", arg);
        else
            advance(r, ms);
    } else if (strcmp(cmd, "expect") == 0) {
        char *what = arg, *val = strchr(arg, ' ');
        if (val)
            *val++ = '\0';
        else
            val = arg + strlen(arg);
        kapp_frame(a, 0, 0);
        r->expectations++;
        if (strcmp(what, "screen") == 0) {
            if (strcmp(a->view.screen, val) != 0)
                fail(r, "expected screen %s, saw %s", val, a->view.screen);
        } else if (strcmp(what, "text") == 0) {
            if (!kview_has_text(&a->view, val))
                fail(r, "expected text \"%s\" on screen %s; drawn: %s", val, a->view.screen,
                     texts_list(&a->view, buf, sizeof buf));
        } else if (strcmp(what, "no-text") == 0) {
            if (kview_has_text(&a->view, val))
                fail(r, "expected no text \"%s\" on screen %s; drawn: %s", val,
                     a->view.screen, texts_list(&a->view, buf, sizeof buf));
        } else {
            fail(r, "expect: unknown kind '%s' (screen, text, no-text)", what);
        }
    } else if (strcmp(cmd, "shot") == 0) {
        cmd_shot(r, arg);
    } else if (strcmp(cmd, "ids") == 0) {
        kapp_frame(a, 0, 0);
        for (int i = 0; i < a->view.nhits; i++) {
            const khit *h = &a->view.hits[i];
            printf("%s %d %d %d %d\n", h->id, h->r.x, h->r.y, h->r.w, h->r.h);
        }
        fflush(stdout);
    } else if (strcmp(cmd, "size") == 0) {
        int w, h;
        if (sscanf(arg, "%dx%d", &w, &h) != 2 || w < 200 || h < 200 || w > 8192 || h > 8192) {
            fail(r, "size: expected WxH, got '%s'", arg);
        } else {
            SDL_FreeSurface(a->surface);
            SDL_DestroyRenderer(a->ren);
            a->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_XRGB8888);
            a->ren = SDL_CreateSoftwareRenderer(a->surface);
            ktext_close(a->text);
            kerr err = {0};
            if (!a->ren || ktext_open(&a->text, a->fonts_dir, a->ren, &err) != 0)
                fail(r, "size: cannot make a %dx%d surface: %s", w, h, err.msg);
            a->ui.measure_ctx = a->text;
            kapp_resize(a, w, h);
            frame(r);
        }
    } else {
        fail(r, "unknown command '%s'", cmd);
    }
    if (!r->failed)
        advance(r, STEP_MS);
}

int kreplay_run(kapp *a, kclock_virtual *vc, const kreplay_opts *o)
{
    rp r = {.a = a, .vc = vc, .o = o, .file = o->script};
    a->trace = o->trace;
    FILE *f = strcmp(o->script, "-") == 0 ? stdin : fopen(o->script, "r");
    if (!f) {
        fprintf(stderr, "kiosk: cannot open replay script %s: %s\n", o->script, strerror(errno));
        return 1;
    }
    frame(&r);
    char line[8192];
    int commands = 0;
    while (!r.failed && !a->flow->quit && fgets(line, sizeof line, f)) {
        r.line++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        run_line(&r, s);
        commands++;
    }
    if (f != stdin)
        fclose(f);
    if (r.failed)
        return 1;
    if (a->flow->quit)
        fprintf(stderr, "%s:%d: the kiosk was shut down by staff\n", o->script, r.line);
    fprintf(stderr, "%s: %d commands, %d expectations held\n", o->script, commands,
            r.expectations);
    return 0;
}
