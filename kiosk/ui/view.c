/*
 * view.c - building views: draw operations, tappable regions, text fitting
 * and the layout checks (see view.h).
 *
 * Text fitting: a text is measured at its size; if too wide it is shrunk in
 * steps of 1/12 down to min_px; if still too wide and wrapping is allowed,
 * it is broken into lines at spaces, or between characters where a script
 * has no spaces (Han, Kana, Khmer, Lao), never inside a cluster (before a
 * combining mark or after a Khmer coeng).  The largest size whose lines all
 * fit the box wins.  Limit: one text is at most KV_LINES_MAX lines.
 */
#include "view.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "utf8.h"

#define KV_LINES_MAX 8

/* Sizes everything from the window size and DPI. */
void kui_metrics(kui *u, int w, int h, double dpi)
{
    u->w = w;
    u->h = h;
    u->dpi = dpi > 0 ? dpi : KIOSK_DEFAULT_DPI;
    u->t = (int)ceil(KIOSK_TOUCH_MM / 25.4 * u->dpi);
    double s = fmin(w / 1280.0, h / 800.0);
    int body = (int)lround(fmax(u->t * 0.44, 24.0 * s));
    if (body < 16)
        body = 16;
    u->body_px = body;
    u->small_px = (int)lround(body * 0.8);
    u->button_px = (int)lround(body * 1.15);
    u->title_px = (int)lround(body * 1.5);
    u->gap = (int)lround(fmax(4.0, u->t * 0.15));
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

/* The code point at s (U+FFFD for an invalid byte); *len gets its length. */
static unsigned cp_at(const char *s, int *len)
{
    long cp = kutf8_decode(s, len);
    return cp < 0 ? 0xfffd : (unsigned)cp;
}

/* Scripts written without spaces between words: a line may break between
 * any two of their characters. */
static int breaks_anywhere(unsigned cp)
{
    return (cp >= 0x1780 && cp <= 0x17ff) ||   /* Khmer */
           (cp >= 0x0e80 && cp <= 0x0eff) ||   /* Lao */
           (cp >= 0x0e00 && cp <= 0x0e7f) ||   /* Thai */
           (cp >= 0x3000 && cp <= 0x30ff) ||   /* CJK punctuation, Kana */
           (cp >= 0x3400 && cp <= 0x9fff) ||   /* Han */
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) ||
           (cp >= 0x20000 && cp <= 0x2ffff);
}

/* Characters that belong to the one before them (no break before). */
static int clings_to_previous(unsigned cp)
{
    return (cp >= 0x0300 && cp <= 0x036f) ||   /* combining diacritics */
           (cp >= 0x17b4 && cp <= 0x17d3) ||   /* Khmer vowels and signs, coeng */
           cp == 0x17dd ||
           cp == 0x0eb1 || (cp >= 0x0eb3 && cp <= 0x0ebc) ||
           (cp >= 0x0ec8 && cp <= 0x0ecd) ||   /* Lao vowels and tones */
           cp == 0x0e31 || (cp >= 0x0e33 && cp <= 0x0e3a) || (cp >= 0x0e47 && cp <= 0x0e4e) ||
           (cp >= 0x3001 && cp <= 0x3002) || (cp >= 0xff01 && cp <= 0xff1f && cp != 0xff08) ||
           cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/* Measures text; 0 width when there is no measurer. */
static int measure(const kui *u, const char *lang, const char *text, int px, int bold, int *w,
                   int *h)
{
    *w = *h = 0;
    if (!u->measure)
        return -1;
    return u->measure(u->measure_ctx, text, px, bold, lang ? lang : u->lang, w, h);
}

/* Breaks text into lines no wider than width at size px.  Fills starts[] and
 * lens[] (byte ranges), returns the line count, or -1 if some piece cannot
 * fit or there are more than KV_LINES_MAX lines. */
static int wrap_lines_exact(const kui *u, const char *lang, const char *text, int px, int bold,
                            int width, int starts[KV_LINES_MAX], int lens[KV_LINES_MAX])
{
    int n = 0, start = 0, total = (int)strlen(text);
    char buf[1024];
    while (start < total) {
        while (text[start] == ' ')
            start++;
        if (start >= total)
            break;
        if (n == KV_LINES_MAX)
            return -1;
        /* Grow the line break point by break point while it fits. */
        int best = -1, pos = start;
        unsigned prev = 0;
        while (pos <= total) {
            int len = 1;
            unsigned cp = pos < total ? cp_at(text + pos, &len) : 0;
            int can_break = pos == total || (pos > start && !clings_to_previous(cp) &&
                                             (cp == ' ' || breaks_anywhere(cp) ||
                                              breaks_anywhere(prev)) &&
                                             prev != 0x17d2);
            if (can_break) {
                int blen = pos - start;
                while (blen > 0 && text[start + blen - 1] == ' ')
                    blen--;
                if (blen >= (int)sizeof buf)
                    break;
                memcpy(buf, text + start, (size_t)blen);
                buf[blen] = '\0';
                int w, h;
                measure(u, lang, buf, px, bold, &w, &h);
                if (w <= width)
                    best = blen;
                else
                    break;
            }
            if (pos == total)
                break;
            prev = cp;
            pos += len;
        }
        if (best <= 0) {
            /* One word wider than the line: break it between characters
             * (never inside a cluster), as CSS overflow-wrap does. */
            int p2 = start, prev_ok = -1;
            unsigned pc = 0;
            while (p2 < total) {
                int len = 1;
                unsigned cp = cp_at(text + p2, &len);
                if (p2 > start && !clings_to_previous(cp) && pc != 0x17d2) {
                    int blen = p2 - start, w, h;
                    if (blen >= (int)sizeof buf)
                        break;
                    memcpy(buf, text + start, (size_t)blen);
                    buf[blen] = '\0';
                    measure(u, lang, buf, px, bold, &w, &h);
                    if (w > width)
                        break;
                    prev_ok = blen;
                }
                pc = cp;
                p2 += len;
            }
            best = prev_ok;
            if (best <= 0)
                return -1;
        }
        starts[n] = start;
        lens[n] = best;
        n++;
        start += best;
    }
    return n;
}

/* 1 if a line may break before the code point at pos (prev is the one
 * before it): before a space run's end... see wrap_lines_exact. */
static int may_break(unsigned prev, unsigned cp)
{
    if (clings_to_previous(cp) || prev == 0x17d2)
        return 0;
    return prev == ' ' ? cp != ' ' : (breaks_anywhere(cp) || breaks_anywhere(prev));
}

/* The same as wrap_lines_exact, fast: every segment between two break
 * opportunities is measured once and lines are filled by adding widths
 * (a line's width is then checked once); -1 when a segment alone is too
 * wide or the sums were off, for the exact way to decide. */
static int wrap_lines(const kui *u, const char *lang, const char *text, int px, int bold,
                      int width, int starts[KV_LINES_MAX], int lens[KV_LINES_MAX])
{
    enum { SEG_MAX = 256 };
    int seg_at[SEG_MAX + 1], seg_w[SEG_MAX], nseg = 0, total = (int)strlen(text);
    char buf[1024];
    unsigned prev = 0;
    int pos = 0;
    seg_at[0] = 0;
    while (pos < total) {
        int len = 1;
        unsigned cp = cp_at(text + pos, &len);
        if (pos > 0 && may_break(prev, cp)) {
            if (nseg == SEG_MAX)
                return wrap_lines_exact(u, lang, text, px, bold, width, starts, lens);
            seg_at[++nseg] = pos;
        }
        prev = cp;
        pos += len;
    }
    seg_at[++nseg] = total;
    for (int i = 0; i < nseg; i++) {
        int blen = seg_at[i + 1] - seg_at[i], h;
        if (blen >= (int)sizeof buf)
            return wrap_lines_exact(u, lang, text, px, bold, width, starts, lens);
        memcpy(buf, text + seg_at[i], (size_t)blen);
        buf[blen] = '\0';
        measure(u, lang, buf, px, bold, &seg_w[i], &h);
    }
    int n = 0, i = 0;
    while (i < nseg) {
        while (i < nseg && text[seg_at[i]] == ' ')
            i++;   /* a line never starts with spaces */
        if (i >= nseg)
            break;
        if (n == KV_LINES_MAX)
            return -1;
        int w = 0, j = i;
        while (j < nseg && w + seg_w[j] <= width)
            w += seg_w[j++];
        if (j == i)
            return wrap_lines_exact(u, lang, text, px, bold, width, starts, lens);
        int blen = seg_at[j] - seg_at[i];
        while (blen > 0 && text[seg_at[i] + blen - 1] == ' ')
            blen--;
        starts[n] = seg_at[i];
        lens[n] = blen;
        /* Shaping across segments can differ a little from the sum. */
        int lw, lh;
        if (blen >= (int)sizeof buf)
            return wrap_lines_exact(u, lang, text, px, bold, width, starts, lens);
        memcpy(buf, text + seg_at[i], (size_t)blen);
        buf[blen] = '\0';
        measure(u, lang, buf, px, bold, &lw, &lh);
        if (lw > width)
            return wrap_lines_exact(u, lang, text, px, bold, width, starts, lens);
        n++;
        i = j;
    }
    return n;
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
    if (u->on_text)
        u->on_text(u->on_text_ctx, v->screen, lang ? lang : v->lang, text, box, px, min_px,
                   flags);
    int bold = (flags & KT_BOLD) != 0;
    char tail[1024];
    if (min_px > px)
        min_px = px;
    int starts[KV_LINES_MAX], lens[KV_LINES_MAX], n = 0, lh = 0, fit_px = -1;
    int w = 0, h = 0;
    /* Try sizes from px down, one line first; then wrapped from px down. */
    for (int pass = 0; pass < 2 && fit_px < 0; pass++) {
        if (pass == 1 && !(flags & KT_WRAP))
            break;
        for (int s = px; s >= min_px; s -= (px / 12 > 1 ? px / 12 : 1)) {
            measure(u, lang, text, s, bold, &w, &h);
            if (pass == 0) {
                if (w <= box.w && h <= box.h) {
                    fit_px = s;
                    n = 1;
                    starts[0] = 0;
                    lens[0] = (int)strlen(text);
                    lh = h;
                    break;
                }
                /* Width grows with size: jump near the size that fits. */
                int step = px / 12 > 1 ? px / 12 : 1;
                if (h <= box.h && w > box.w && s > min_px) {
                    int guess = (int)((long)s * box.w / w);
                    if (guess < s - step)
                        s = (guess > min_px ? guess : min_px) + step;
                }
            } else {
                int k = wrap_lines(u, lang, text, s, bold, box.w, starts, lens);
                if (k > 0 && k * h <= box.h) {
                    fit_px = s;
                    n = k;
                    lh = h;
                    break;
                }
            }
            if (s == min_px)
                break;
            if (s - (px / 12 > 1 ? px / 12 : 1) < min_px)
                s = min_px + (px / 12 > 1 ? px / 12 : 1);
        }
    }
    if (fit_px < 0 && (flags & (KT_TAIL | KT_TRIM))) {
        /* A field longer than its box shows its end, where the caret is,
         * after an ellipsis; a hint shows its start and an ellipsis. */
        size_t len = strlen(text);
        for (size_t cut = 1; cut < len; cut++) {
            size_t at = (flags & KT_TAIL) ? cut : len - cut;
            if (((unsigned char)text[at] & 0xc0) == 0x80)
                continue;
            if (flags & KT_TAIL)
                snprintf(tail, sizeof tail, "\u2026%s", text + at);
            else
                snprintf(tail, sizeof tail, "%.*s\u2026", (int)at, text);
            measure(u, lang, tail, min_px, bold, &w, &h);
            if (w <= box.w) {
                fit_px = min_px;
                n = 1;
                starts[0] = 0;
                lens[0] = (int)strlen(tail);
                lh = h;
                text = tail;
                break;
            }
        }
    }
    if (fit_px < 0) {
        kv_problem(v, "text does not fit %dx%d at %d px: \"%.60s\"", box.w, box.h, min_px,
                   text);
        fit_px = min_px;
        measure(u, lang, text, fit_px, bold, &w, &lh);
        n = 1;
        starts[0] = 0;
        lens[0] = (int)strlen(text);
    }
    /* What a person sees (before line breaks), for expect text. */
    if (v->ntexts < (int)(sizeof v->texts / sizeof v->texts[0])) {
        int off = arena_put(v, text, (int)strlen(text));
        if (off >= 0)
            v->texts[v->ntexts++] = off;
    }
    int total_h = n * lh;
    int y = box.y;
    if (flags & KT_MIDDLE)
        y = box.y + (box.h - total_h) / 2;
    else if (flags & KT_BOTTOM)
        y = box.y + box.h - total_h;
    for (int i = 0; i < n; i++) {
        char line[1024];
        int len = lens[i] < (int)sizeof line - 1 ? lens[i] : (int)sizeof line - 1;
        memcpy(line, text + starts[i], (size_t)len);
        line[len] = '\0';
        int lw, lhh;
        measure(u, lang, line, fit_px, bold, &lw, &lhh);
        int x = box.x;
        if ((flags & 3) == KT_CENTER)
            x = box.x + (box.w - lw) / 2;
        else if ((flags & 3) == KT_RIGHT)
            x = box.x + box.w - lw;
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
        if (strstr(v->arena + v->texts[i], needle))
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
