/*
 * view.c - building views: draw operations, tappable regions, text fitting
 * and the layout checks (see view.h).
 *
 * Text fitting (wrap first, then shrink): a text is tried at its role's
 * size on one line, then wrapped at the break opportunities ICU finds for
 * its language (linebreak.c: spaces, Khmer and Lao words by dictionary,
 * between Han characters but not before 。); only if the wrapped text
 * does not fit either is it tried again a step (1/16) smaller, down to
 * min_px, which is never below its role's floor (kui: min_px, label_min,
 * title_min).  A word wider than a line is cut between grapheme clusters.
 * Limit: one text is at most KV_LINES_MAX lines and KV_TEXT_MAX bytes.
 */
#include "view.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "linebreak.h"

#define KV_LINES_MAX 8
#define KV_TEXT_MAX 2048  /* bytes of one text that are fitted; the rest is cut */

/* Sizes everything from the window size and DPI. */
void kui_metrics(kui *u, int w, int h, double dpi)
{
    u->w = w;
    u->h = h;
    u->dpi = dpi > 0 ? dpi : KIOSK_DEFAULT_DPI;
    u->t = (int)ceil(KIOSK_TOUCH_MM / 25.4 * u->dpi);
    double s = fmin(w / 1280.0, h / 800.0);
    double k = u->dpi / KIOSK_DEFAULT_DPI;   /* the floors scale by density */
    u->min_px = (int)lround(16.0 * k);
    u->label_min = (int)lround(18.0 * k);
    u->title_min = (int)lround(28.0 * k);
    int body = (int)lround(fmax(u->t * 0.44, 24.0 * s));
    if (body < u->label_min + 2)
        body = u->label_min + 2;
    u->body_px = body;
    u->small_px = (int)lround(body * 0.8);
    if (u->small_px < u->label_min)
        u->small_px = u->label_min;
    u->button_px = (int)lround(body * 1.15);
    u->title_px = (int)lround(body * 1.5);
    if (u->title_px < u->title_min + 4)
        u->title_px = u->title_min + 4;
    u->gap = (int)lround(fmax(4.0, u->t * 0.15));
}

int kui_floor_px(const kui *u, int floor)
{
    if (!u->drawn_px)
        return floor;
    /* The screen language's own name is a sample of its script. */
    const char *sample = NULL;
    for (int i = 0; i < u->nlangs && !sample; i++)
        if (u->lang && strcmp(u->langs[i].code, u->lang) == 0)
            sample = u->langs[i].name;
    if (!sample)
        return floor;
    int px = floor;
    while (px > 1 && u->drawn_px(u->measure_ctx, sample, px - 1, u->lang) >= floor)
        px--;
    return px;
}

int kui_line(const kui *u, int px)
{
    int h = u->line_height ? u->line_height(u->measure_ctx, px, u->lang) : 0;
    return h > 0 ? h : px * 7 / 5;
}

void kview_begin(kview *v, const char *screen, int w, int h, const char *lang)
{
    snprintf(v->screen, sizeof v->screen, "%s", screen);
    snprintf(v->lang, sizeof v->lang, "%s", lang ? lang : "en");
    v->w = w;
    v->h = h;
    v->nops = v->nhits = v->arena_len = v->nproblems = v->ntexts = 0;
    v->pressed[0] = '\0';
    v->problems[0] = '\0';
}

const char *kv_subst(char *buf, unsigned cap, const char *tmpl, const char *key,
                     const char *val)
{
    size_t klen = strlen(key), vlen = strlen(val), o = 0;
    if (cap == 0)
        return buf;
    for (const char *p = tmpl; *p && o + 1 < cap;) {
        if (klen && strncmp(p, key, klen) == 0) {
            size_t n = vlen < cap - 1 - o ? vlen : cap - 1 - o;
            memcpy(buf + o, val, n);
            o += n;
            p += klen;
        } else {
            buf[o++] = *p++;
        }
    }
    buf[o] = '\0';
    return buf;
}

void kv_problem(kview *v, const char *fmt, ...)
{
    size_t len = strlen(v->problems);
    if (len + 2 >= sizeof v->problems)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->problems + len, sizeof v->problems - len, fmt, ap);
    va_end(ap);
    len = strlen(v->problems);
    if (len + 1 < sizeof v->problems) {
        v->problems[len] = '\n';
        v->problems[len + 1] = '\0';
    }
    v->nproblems++;
}

/* Reserves a new op, or NULL (and a problem) when the list is full. */
static kop *new_op(kview *v, int kind, krect r)
{
    if (v->nops >= KVIEW_OPS) {
        if (v->nops == KVIEW_OPS)
            kv_problem(v, "too many draw operations on %s", v->screen);
        return NULL;
    }
    kop *op = &v->ops[v->nops++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->r = r;
    op->text = -1;
    return op;
}

/* Copies bytes into the arena; returns their offset or -1. */
static int arena_put(kview *v, const void *data, int len)
{
    if (v->arena_len + len + 1 > KVIEW_ARENA) {
        kv_problem(v, "text arena full on %s", v->screen);
        return -1;
    }
    int off = v->arena_len;
    memcpy(v->arena + off, data, (size_t)len);
    v->arena[off + len] = '\0';
    v->arena_len += len + 1;
    return off;
}

void kv_rect(kview *v, krect r, kcolor fill, int radius)
{
    kop *op = new_op(v, KOP_RECT, r);
    if (op) {
        op->color = fill;
        op->radius = radius;
    }
}

void kv_frame(kview *v, krect r, kcolor fill, kcolor border, int border_w, int radius)
{
    kop *op = new_op(v, KOP_RECT, r);
    if (op) {
        op->color = fill;
        op->border = border;
        op->border_w = border_w;
        op->radius = radius;
    }
}

void kv_icon(kview *v, krect r, int icon, kcolor c)
{
    kop *op = new_op(v, KOP_ICON, r);
    if (op) {
        op->icon = icon;
        op->color = c;
    }
}

void kv_qr(kview *v, krect r, int modules, const unsigned char *bits)
{
    kop *op = new_op(v, KOP_QR, r);
    if (op) {
        op->qr_modules = modules;
        op->text = arena_put(v, bits, modules * modules);
    }
}

/* ---- text fitting ---------------------------------------------------------- */

/* Measures text; 0 width when there is no measurer. */
static int measure(const kui *u, const char *lang, const char *text, int px, int bold, int *w,
                   int *h)
{
    *w = *h = 0;
    if (!u->measure)
        return -1;
    return u->measure(u->measure_ctx, text, px, bold, lang ? lang : u->lang, w, h);
}

/* Measures bytes [at, at+len) of text. */
static int measure_n(const kui *u, const char *lang, const char *text, int at, int len, int px,
                     int bold, int *w, int *h)
{
    char buf[KV_TEXT_MAX];
    if (len >= (int)sizeof buf)
        len = (int)sizeof buf - 1;
    memcpy(buf, text + at, (size_t)len);
    buf[len] = '\0';
    return measure(u, lang, buf, px, bold, w, h);
}

/* A text being fitted: its break opportunities, found once for all sizes. */
typedef struct kv_fitting {
    const kui *u;
    const char *lang, *text;
    int len, bold;
    unsigned char brk[KV_TEXT_MAX + 1];
    int starts[KV_LINES_MAX], lens[KV_LINES_MAX], n;   /* lines of the last try */
    int lh;                                          /* their line height */
} kv_fitting;

/* Length of [at, at+len) without trailing spaces. */
static int trim_len(const char *text, int at, int len)
{
    while (len > 0 && text[at + len - 1] == ' ')
        len--;
    return len;
}

/* Breaks the text into lines no wider than width at size px (greedy, at
 * the break opportunities; a word wider than a line is cut between
 * grapheme clusters, as CSS overflow-wrap does).  Returns the line count,
 * or -1 with more than KV_LINES_MAX lines. */
static int wrap_lines(kv_fitting *F, int px, int width)
{
    const char *t = F->text;
    int n = 0, start = 0, total = F->len, w, h;
    while (start < total) {
        while (start < total && t[start] == ' ')
            start++;
        if (start >= total)
            break;
        if (n == KV_LINES_MAX)
            return -1;
        /* The furthest break opportunity whose line fits.  Widths grow with
         * length, so a binary search over the opportunities finds it. */
        int ops[KV_TEXT_MAX / 2 + 2], nops = 0;
        for (int i = start + 1; i <= total && nops < (int)(sizeof ops / sizeof ops[0]); i++)
            if (F->brk[i] == 2)
                ops[nops++] = i;
        int lo = 0, hi = nops - 1, best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) / 2;
            int len = trim_len(t, start, ops[mid] - start);
            measure_n(F->u, F->lang, t, start, len, px, F->bold, &w, &h);
            if (w <= width) {
                best = ops[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        int end = best;
        if (end < 0) {
            /* Not even one word fits: the most whole clusters that do. */
            int cl[KV_TEXT_MAX + 1], ncl = 0;
            for (int i = start + 1; i <= total; i++)
                if (F->brk[i])
                    cl[ncl++] = i;
            lo = 0;
            hi = ncl - 1;
            while (lo <= hi) {
                int mid = (lo + hi) / 2;
                measure_n(F->u, F->lang, t, start, cl[mid] - start, px, F->bold, &w, &h);
                if (w <= width) {
                    end = cl[mid];
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (end < 0)
                return -1;
        }
        F->starts[n] = start;
        F->lens[n] = trim_len(t, start, end - start);
        n++;
        start = end;
    }
    return n;
}

/* Tries size px: one line, or (wrap) the fewest lines.  1 if it fits the
 * box, with F->starts/lens/n/lh set. */
static int fits_at(kv_fitting *F, krect box, int px, int wrap)
{
    int w, h;
    measure(F->u, F->lang, F->text, px, F->bold, &w, &h);
    if (w <= box.w && h <= box.h) {
        F->n = 1;
        F->starts[0] = 0;
        F->lens[0] = F->len;
        F->lh = h;
        return 1;
    }
    if (!wrap || h > box.h || h <= 0)
        return 0;
    int k = wrap_lines(F, px, box.w);
    if (k <= 0 || k * h > box.h)
        return 0;
    /* Lines of another script may be taller than the whole's measure. */
    int lh = h;
    for (int i = 0; i < k; i++) {
        int lw, lhh;
        measure_n(F->u, F->lang, F->text, F->starts[i], F->lens[i], px, F->bold, &lw, &lhh);
        if (lhh > lh)
            lh = lhh;
    }
    if (k * lh > box.h)
        return 0;
    F->n = k;
    F->lh = lh;
    return 1;
}

/* The floor of a text's role (see view.h). */
static int role_floor(const kui *u, int px, int flags)
{
    if (flags & KT_SMALL)
        return u->min_px;
    if ((flags & KT_TITLE) ||
        (!(flags & KT_BODY) && (flags & KT_BOLD) && px >= u->title_px && u->title_px > 0))
        return u->title_min;
    return u->label_min;
}

/* Finds the largest size from px down to min_px (never below the role's
 * floor) at which the text fits box, wrapping before shrinking.  Returns
 * it, or -1 (F then holds nothing useful). */
static int fit_text(kv_fitting *F, const kui *u, krect box, const char *text, int *px,
                    int *min_px, int flags, const char *lang)
{
    F->u = u;
    F->lang = lang;
    F->text = text;
    F->len = (int)strlen(text);
    if (F->len > KV_TEXT_MAX)
        F->len = KV_TEXT_MAX;
    F->bold = (flags & KT_BOLD) != 0;
    F->n = 0;
    int floor = role_floor(u, *px, flags);
    if (*min_px < floor)
        *min_px = floor;
    if (u->drawn_px && *min_px > 0) {
        /* Floors hold for the size drawn: a script drawn larger than its
         * nominal size (Khmer, Lao) may go as low as reaches the floor. */
        int m = *min_px;
        int d = u->drawn_px(u->measure_ctx, text, m, lang ? lang : u->lang);
        if (d > m)
            *min_px = m * m / d;
        while (*min_px < m && u->drawn_px(u->measure_ctx, text, *min_px, lang ? lang : u->lang) < m)
            (*min_px)++;
    }
    if (*px < *min_px)
        *px = *min_px;
    int wrap = (flags & KT_WRAP) != 0;
    if (wrap)
        klinebreak(text, F->len, lang ? lang : u->lang, F->brk);
    int step = *px / 16 > 1 ? *px / 16 : 1;
    for (int s = *px;; s -= step) {
        if (s < *min_px)
            s = *min_px;
        if (fits_at(F, box, s, wrap))
            return s;
        if (s == *min_px)
            return -1;
    }
}

int kv_fit(const kui *u, krect box, const char *text, int px, int min_px, int flags,
           const char *lang)
{
    kv_fitting F;
    if (!text || !text[0])
        return px;
    return fit_text(&F, u, box, text, &px, &min_px, flags, lang);
}

int kv_pressed(const kui *u, const char *id)
{
    return u->pressed && u->pressed[0] && strcmp(u->pressed, id) == 0;
}

int kv_text(kview *v, const kui *u, krect box, const char *text, int px, int min_px,
            kcolor c, int flags)
{
    return kv_text_in(v, u, box, text, px, min_px, c, flags, NULL);
}

int kv_text_in(kview *v, const kui *u, krect box, const char *text, int px, int min_px,
               kcolor c, int flags, const char *lang)
{
    if (!text || !text[0])
        return 0;
    static kv_fitting F;   /* 4 KB of work space; the view is single-threaded */
    if (u->on_text)
        u->on_text(u->on_text_ctx, v->screen, lang ? lang : v->lang, text, box, px, min_px,
                   flags);
    int bold = (flags & KT_BOLD) != 0;
    char tail[KV_TEXT_MAX];
    int fit_px = fit_text(&F, u, box, text, &px, &min_px, flags, lang);
    int w = 0, h = 0;
    if (fit_px < 0 && (flags & (KT_TAIL | KT_TRIM))) {
        /* A field longer than its box shows its end, where the caret is,
         * after an ellipsis; a hint shows its start and an ellipsis.  The
         * cut is searched by halves (widths grow with length). */
        int len = F.len, lo = 1, hi = len - 1, best = -1;
        while (lo <= hi) {
            int cut = (lo + hi) / 2, at = (flags & KT_TAIL) ? cut : len - cut;
            while (at > 0 && at < len && ((unsigned char)text[at] & 0xc0) == 0x80)
                at += (flags & KT_TAIL) ? 1 : -1;
            if (flags & KT_TAIL)
                snprintf(tail, sizeof tail, "\u2026%s", text + at);
            else
                snprintf(tail, sizeof tail, "%.*s\u2026", at, text);
            measure(u, lang, tail, min_px, bold, &w, &h);
            if (w <= box.w && h <= box.h) {
                best = cut;
                hi = cut - 1;
            } else {
                lo = cut + 1;
            }
        }
        if (best > 0) {
            int at = (flags & KT_TAIL) ? best : len - best;
            while (at > 0 && at < len && ((unsigned char)text[at] & 0xc0) == 0x80)
                at += (flags & KT_TAIL) ? 1 : -1;
            if (flags & KT_TAIL)
                snprintf(tail, sizeof tail, "\u2026%s", text + at);
            else
                snprintf(tail, sizeof tail, "%.*s\u2026", at, text);
            measure(u, lang, tail, min_px, bold, &w, &h);
            fit_px = min_px;
            F.n = 1;
            F.starts[0] = 0;
            F.lens[0] = (int)strlen(tail);
            F.lh = h;
            text = tail;
        }
    }
    if (fit_px < 0) {
        kv_problem(v, "text does not fit %dx%d at %d px: \"%.60s\"", box.w, box.h, min_px,
                   text);
        fit_px = min_px;
        measure(u, lang, text, fit_px, bold, &w, &F.lh);
        F.n = 1;
        F.starts[0] = 0;
        F.lens[0] = (int)strlen(text);
    }
    int n = F.n, lh = F.lh;
    int total_h = n * lh;
    int y = box.y;
    if (flags & KT_MIDDLE)
        y = box.y + (box.h - total_h) / 2;
    else if (flags & KT_BOTTOM)
        y = box.y + box.h - total_h;
    /* What a person sees (before line breaks), for expect text and the
     * replay's texts command. */
    struct kvtext *rec = NULL;
    if (v->ntexts < (int)(sizeof v->texts / sizeof v->texts[0])) {
        int off = arena_put(v, text, (int)strlen(text));
        if (off >= 0) {
            rec = &v->texts[v->ntexts++];
            rec->text = off;
            rec->px = fit_px;
            rec->r = (krect){box.x + box.w, y, 0, total_h};
            snprintf(rec->lang, sizeof rec->lang, "%s", lang ? lang : "");
        }
    }
    for (int i = 0; i < n; i++) {
        char line[KV_TEXT_MAX];
        int len = F.lens[i] < (int)sizeof line - 1 ? F.lens[i] : (int)sizeof line - 1;
        memcpy(line, text + F.starts[i], (size_t)len);
        line[len] = '\0';
        int lw, lhh;
        measure(u, lang, line, fit_px, bold, &lw, &lhh);
        int x = box.x;
        if ((flags & 3) == KT_CENTER)
            x = box.x + (box.w - lw) / 2;
        else if ((flags & 3) == KT_RIGHT)
            x = box.x + box.w - lw;
        if (rec) {
            int right = rec->r.x + rec->r.w > x + lw ? rec->r.x + rec->r.w : x + lw;
            if (x < rec->r.x)
                rec->r.x = x;
            rec->r.w = right - rec->r.x;
        }
        kop *op = new_op(v, KOP_TEXT, (krect){x, y + i * lh, lw, lh});
        if (!op)
            break;
        op->color = c;
        op->px = fit_px;
        op->bold = bold;
        op->text = arena_put(v, line, len);
        if (lang)
            snprintf(op->lang, sizeof op->lang, "%s", lang);
        if ((flags & KT_CARET) && i == n - 1) {
            int cw = fit_px / 12 > 2 ? fit_px / 12 : 2;
            kv_rect(v, (krect){x + lw + 2, y + i * lh + lh / 8, cw, lh * 3 / 4}, c, 0);
        }
    }
    if (rec && rec->r.w < 0)
        rec->r.w = 0;
    return total_h;
}

void kv_hit(kview *v, const kui *u, const char *id, krect r)
{
    if (v->nhits >= KVIEW_HITS) {
        kv_problem(v, "too many tappable regions on %s", v->screen);
        return;
    }
    khit *h = &v->hits[v->nhits++];
    snprintf(h->id, sizeof h->id, "%s", id);
    h->r = r;
    if (u && (r.w + 1 < u->t || r.h + 1 < u->t))
        kv_problem(v, "%s is %dx%d px, smaller than a %.0f mm touch target (%d px)", id,
                   r.w, r.h, KIOSK_TOUCH_MM, u->t);
    if (r.x < 0 || r.y < 0 || r.x + r.w > v->w || r.y + r.h > v->h)
        kv_problem(v, "%s (%d,%d %dx%d) is outside the %dx%d window", id, r.x, r.y, r.w,
                   r.h, v->w, v->h);
}

void kview_finish(kview *v, const kui *u)
{
    (void)u;
    for (int i = 0; i < v->nhits; i++)
        for (int j = i + 1; j < v->nhits; j++)
            if (krect_overlap(v->hits[i].r, v->hits[j].r))
                kv_problem(v, "%s and %s overlap", v->hits[i].id, v->hits[j].id);
    /* Text must stay inside the window. */
    for (int i = 0; i < v->nops; i++) {
        const kop *op = &v->ops[i];
        if (op->kind == KOP_TEXT &&
            (op->r.x < 0 || op->r.y < 0 || op->r.x + op->r.w > v->w ||
             op->r.y + op->r.h > v->h))
            kv_problem(v, "text \"%.40s\" leaves the window", kview_op_text(v, op));
    }
}

const khit *kview_find(const kview *v, const char *id)
{
    for (int i = 0; i < v->nhits; i++)
        if (strcmp(v->hits[i].id, id) == 0)
            return &v->hits[i];
    return NULL;
}

const khit *kview_hit_at(const kview *v, int x, int y)
{
    /* Later regions are drawn on top: search from the end. */
    for (int i = v->nhits - 1; i >= 0; i--)
        if (krect_contains(v->hits[i].r, x, y))
            return &v->hits[i];
    return NULL;
}

const char *kview_op_text(const kview *v, const kop *op)
{
    return op->text >= 0 ? v->arena + op->text : "";
}

int kview_has_text(const kview *v, const char *needle)
{
    for (int i = 0; i < v->ntexts; i++)
        if (strstr(v->arena + v->texts[i].text, needle))
            return 1;
    return 0;
}

krect krect_inset(krect r, int d)
{
    return (krect){r.x + d, r.y + d, r.w - 2 * d, r.h - 2 * d};
}

int krect_contains(krect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

int krect_overlap(krect a, krect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
