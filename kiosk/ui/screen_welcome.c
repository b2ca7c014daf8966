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

/* Rows of language buttons needed for n buttons at least min_w wide. */
static int lang_rows(const kui *u, int n, int width, int min_w)
{
    int per_row = width / (min_w + u->gap);
    if (per_row < 1)
        per_row = 1;
    return (n + per_row - 1) / per_row;
}

/* The language buttons, in rows filling r from the top; returns the height. */
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
    for (int i = 0; i < n; i++) {
        int row = i / per_row, col = i % per_row;
        int in_row = row == rows - 1 ? n - row * per_row : per_row;
        int x0 = r.x + (r.w - (in_row * bw + (in_row - 1) * g)) / 2;
        krect b = {x0 + col * (bw + g), r.y + row * (bh + g), bw, bh};
        int chosen = strcmp(u->langs[i].code, f->lang) == 0;
        kv_frame(v, b, chosen ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 2, g * 2);
        kv_text_in(v, u, krect_inset(b, g), u->langs[i].name, u->body_px, u->small_px * 2 / 3,
                   chosen ? KC_ON_ACCENT : KC_ACCENT, KT_CENTER | KT_MIDDLE | KT_BOLD,
                   u->langs[i].code);
        char id[40];
        snprintf(id, sizeof id, "lang-%s", u->langs[i].code);
        kv_hit(v, u, id, b);
    }
    return rows * bh + (rows - 1) * g;
}

void kscreen_welcome(kview *v, const kui *u, const kflow *f)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    /* Staff hold this corner for 3 seconds; nothing shows it. */
    kv_hit(v, u, "staff-corner", (krect){0, 0, u->t, u->t});
    int g = u->gap;
    int x = g * 4, w = u->w - g * 8;
    int y = g * 3;
    int th = u->title_px * 2;
    kv_text(v, u, (krect){x, y, w, th}, TR(u, "Welcome!"), u->title_px * 3 / 2, u->title_px,
            KC_INK, KT_CENTER | KT_MIDDLE | KT_BOLD);
    y += th;
    /* Every language's greeting, so people see their own before choosing. */
    if (u->nlangs > 1) {
        char line[1024] = "";
        size_t o = 0;
        for (int i = 0; i < u->nlangs && o + 8 < sizeof line; i++)
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? "  \u00b7  " : "",
                                  u->langs[i].greeting);
        int gh = u->small_px * 3;
        kv_text(v, u, (krect){x, y, w, gh}, line, u->small_px, u->small_px * 3 / 4, KC_MUTED,
                KT_CENTER | KT_MIDDLE | KT_WRAP);
        y += gh;
    }
    if (f->banner) {
        /* A scanned code we cannot use: say so where the eyes are. */
        int bh = u->body_px * 3;
        kw_banner(v, u, (krect){x, y, w, bh}, TR(u, f->banner));
        y += bh + g * 2;
    } else {
        kv_text(v, u, (krect){x, y, w, u->body_px * 3 / 2},
                TR(u, "Please sign in. Tap one of the two buttons."), u->body_px, u->small_px,
                KC_INK, KT_CENTER | KT_MIDDLE | KT_WRAP);
        y += u->body_px * 3 / 2 + g * 2;
    }

    int rows = u->nlangs > 1 ? lang_rows(u, u->nlangs, w, u->t * 2) : 0;
    int langs_h = rows ? rows * (u->t + g) + (rows - 1) * g : 0;
    krect area = {x, y, w, u->h - y - langs_h - g * 6};
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
    kw_choice(v, u, "btn-returning", a, TR(u, "I've been here before"),
              TR(u, "Find your name and check in"), KICON_SEARCH, 1);
    kw_choice(v, u, "btn-new", b, TR(u, "I'm new"), TR(u, "Sign up in one minute"),
              KICON_PLUS, 0);
    lang_buttons(v, u, f, (krect){x, u->h - langs_h - g * 3, w, langs_h});
}
