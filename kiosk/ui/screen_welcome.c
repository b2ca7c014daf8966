/*
 * screen_welcome.c - the first screen: a greeting in every language, two
 * big choices (returning or new), and a button per language.
 *
 * Each language button carries the language's own name in its own script
 * (drawn with that language's fonts, so 日本語 takes Japanese glyph forms);
 * the chosen one is filled.  Landscape screens put the two choices side by
 * side, portrait ones one above the other.
 */
#include <stdio.h>
#include <string.h>

#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

/* A button's rectangle of size w x h at the origin (for fitting). */
static krect b_rect(int w, int h)
{
    return (krect){0, 0, w, h};
}

/* Rows of language buttons needed for n buttons at least min_w wide. */
static int lang_rows(const kui *u, int n, int width, int min_w)
{
    int per_row = width / (min_w + u->gap);
    if (per_row < 1)
        per_row = 1;
    return (n + per_row - 1) / per_row;
}

/* The language buttons, in rows filling r from the top; returns the height.
 * The chosen language is marked (a tinted button with a check and a thick
 * border), unlike the filled main action above it. */
static int lang_buttons(kview *v, const kui *u, const kflow *f, krect r)
{
    int n = u->nlangs, g = u->gap;
    if (n <= 1)
        return 0;
    int min_w = u->t * 2;
    int rows = lang_rows(u, n, r.w, min_w);
    int per_row = (n + rows - 1) / rows;
    int bh = u->t + g;
    int bw = (r.w - (per_row - 1) * g) / per_row;
    /* One size for every name (the group reads as one row of equals). */
    int px = u->body_px;
    for (int i = 0; i < n; i++) {
        int p = kv_fit(u, krect_inset(b_rect(bw, bh), g), u->langs[i].name, u->body_px,
                       u->label_min, KT_CENTER | KT_MIDDLE | KT_BOLD, u->langs[i].code);
        if (p > 0 && p < px)
            px = p;
    }
    for (int i = 0; i < n; i++) {
        int row = i / per_row, col = i % per_row;
        int in_row = row == rows - 1 ? n - row * per_row : per_row;
        int x0 = r.x + (r.w - (in_row * bw + (in_row - 1) * g)) / 2;
        krect b = {x0 + col * (bw + g), r.y + row * (bh + g), bw, bh};
        int chosen = strcmp(u->langs[i].code, f->visit.lang) == 0;
        if (chosen)
            kv_frame(v, b, KC_CHOSEN, KC_ACCENT, 4, g * 2);
        else
            kv_frame(v, b, KC_SURFACE, KC_BORDER, 2, g * 2);
        krect in = krect_inset(b, g);
        if (chosen) {
            /* A check before the name, when the name leaves room for it. */
            int is = px * 3 / 4, nw = 0, nh = 0;
            if (u->measure)
                u->measure(u->measure_ctx, u->langs[i].name, px, 1, u->langs[i].code, &nw, &nh);
            if (nw + is + g <= in.w) {
                int x = in.x + (in.w - (nw + is + g)) / 2;
                kv_icon(v, (krect){x, b.y + (b.h - is) / 2, is, is}, KICON_CHECK, KC_ACCENT);
                in = (krect){x + is + g, in.y, nw + 1, in.h};
            }
        }
        kv_text_in(v, u, in, u->langs[i].name, px, px, chosen ? KC_INK : KC_ACCENT,
                   KT_CENTER | KT_MIDDLE | KT_BOLD, u->langs[i].code);
        char id[40];
        snprintf(id, sizeof id, KID_LANG_ "%s", u->langs[i].code);
        kv_hit(v, u, id, b);
    }
    return rows * bh + (rows - 1) * g;
}

void kscreen_welcome(kview *v, const kui *u, const kflow *f)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    /* Staff hold this corner for 3 seconds; nothing shows it. */
    kv_hit(v, u, KID_STAFF_CORNER, (krect){0, 0, u->t, u->t});
    int g = u->gap;
    int x = g * 4, w = u->w - g * 8;
    int y = g * 2;
    int short_screen = u->h < u->t * 12;
    /* The title beside the staff corner, never under the finger's hold. */
    int th = kui_line(u, u->title_px * (short_screen ? 1 : 3) / (short_screen ? 1 : 2));
    kv_text(v, u, (krect){x + u->t, y, w - 2 * u->t, th}, TR(u, "Welcome!"),
            u->title_px * 3 / 2, u->title_min, KC_INK, KT_CENTER | KT_MIDDLE | KT_BOLD);
    y += th;
    /* Every language's greeting, so people see their own before choosing:
     * a caption that may wrap to two lines. */
    if (u->nlangs > 1) {
        char line[1024] = "";
        size_t o = 0;
        for (int i = 0; i < u->nlangs && o + 8 < sizeof line; i++)
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? "  \u00b7  " : "",
                                  u->langs[i].greeting);
        int lw = 0, lh = 0;
        if (u->measure)
            u->measure(u->measure_ctx, line, u->min_px, 0, u->lang, &lw, &lh);
        int gh = (lh > 0 ? lh : kui_line(u, u->min_px)) * 2;
        y += kv_text(v, u, (krect){x, y, w, gh}, line, u->small_px, u->min_px, KC_MUTED,
                     KT_CENTER | KT_TOP | KT_WRAP | KT_SMALL) + g;
    }
    if (f->visit.banner) {
        /* A scanned code we cannot use: say so where the eyes are. */
        int bh = kui_line(u, u->body_px) * 2 + g * 2;
        kw_banner(v, u, (krect){x, y, w, bh}, TR(u, f->visit.banner));
        y += bh + g * 2;
    } else {
        int ph = kui_line(u, u->body_px);
        if (!short_screen)
            ph = ph * 2;
        y += kv_text(v, u, (krect){x, y, w, ph}, TR(u, "Please sign in. Tap one of the two buttons."),
                     u->body_px, u->label_min, KC_INK, KT_CENTER | KT_MIDDLE | KT_WRAP) + g * 2;
    }

    int rows = u->nlangs > 1 ? lang_rows(u, u->nlangs, w, u->t * 2) : 0;
    int langs_h = rows ? rows * (u->t + g) + (rows - 1) * g : 0;
    krect area = {x, y, w, u->h - y - langs_h - g * 5};
    krect a, b;
    if (u->w >= u->h) {
        int cw = (area.w - g * 4) / 2;
        a = (krect){area.x, area.y, cw, area.h};
        b = (krect){area.x + cw + g * 4, area.y, cw, area.h};
    } else {
        int ch = (area.h - g * 4) / 2;
        a = (krect){area.x, area.y, area.w, ch};
        b = (krect){area.x, area.y + ch + g * 4, area.w, ch};
    }
    kw_choices2(v, u, KID_RETURNING, a, TR(u, "I've been here before"),
                TR(u, "Find your name and check in"), KICON_SEARCH, KID_NEW, b,
                TR(u, "I'm new"), TR(u, "Sign up in one minute"), KICON_PLUS);
    lang_buttons(v, u, f, (krect){x, u->h - langs_h - g * 2, w, langs_h});
}
