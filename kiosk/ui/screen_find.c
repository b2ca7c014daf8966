/*
 * screen_find.c - returning people find their name and check in.
 *
 * Results show the given name, the family name's first letter and one
 * hint (ZIP code or last event), never a phone number or email: the
 * person behind in the line can see the screen too.
 */
#include <stdio.h>
#include <string.h>

#include "screens.h"
#include "widgets.h"

/* One result row: "Hương N." and its hint. */
static void result_row(kview *v, const kui *u, int i, const kmatch *m, krect r)
{
    char id[24], name[KIOSK_NAME_BYTES + 16];
    snprintf(id, sizeof id, "result-%d", i + 1);
    if (m->initial[0])
        snprintf(name, sizeof name, "%s %s.", m->first, m->initial);
    else
        snprintf(name, sizeof name, "%s", m->first);
    kv_frame(v, r, KC_SURFACE, KC_BORDER, 2, u->gap);
    krect in = {r.x + u->gap * 2, r.y + u->gap / 2, r.w - u->gap * 4, r.h - u->gap};
    if (m->hint[0]) {
        /* Name on top, the hint under it in small print. */
        int nh = in.h * 3 / 5;
        kv_text(v, u, (krect){in.x, in.y, in.w, nh}, name, u->button_px, u->small_px, KC_INK,
                KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
        kv_text(v, u, (krect){in.x, in.y + nh, in.w, in.h - nh}, m->hint, u->small_px,
                u->small_px * 3 / 4, KC_MUTED, KT_LEFT | KT_TOP | KT_TRIM);
    } else {
        kv_text(v, u, in, name, u->button_px, u->small_px, KC_INK,
                KT_LEFT | KT_MIDDLE | KT_BOLD | KT_TRIM);
    }
    kv_hit(v, u, id, r);
}

void kscreen_find(kview *v, const kui *u, const kflow *f)
{
    krect area = kw_topbar(v, u, TR(u, "Find your name"), 1);
    krect c, kb;
    kw_split_keyboard(u, area, kflow_layout(f, NULL)->nrows, &c, &kb);
    int g = u->gap;
    int y = c.y;
    int fh = kw_field(v, u, "search", (krect){c.x, y, c.w, 0}, TR(u, "Your first or last name"),
                      f->query, f->preedit, 1, NULL, 0);
    y += fh - u->small_px + g;
    int row_h = u->t + g * 2;
    if (row_h < (u->button_px + u->small_px) * 3 / 2 + g)
        row_h = (u->button_px + u->small_px) * 3 / 2 + g;
    int room = c.y + c.h - y;
    if (f->banner) {
        kw_banner(v, u, (krect){c.x, y, c.w, row_h}, TR(u, f->banner));
        y += row_h + g;
        room -= row_h + g;
    }
    if (!f->searched) {
        kv_text(v, u, (krect){c.x, y, c.w, room}, TR(u, "Type at least 2 letters of your name."),
                u->body_px, u->small_px, KC_MUTED, KT_LEFT | KT_TOP | KT_WRAP);
    } else if (f->nresults == 0) {
        int th = room - row_h - g;
        if (th > u->body_px * 6)
            th = u->body_px * 6;
        kv_text(v, u, (krect){c.x, y, c.w, th},
                TR(u, "No one found with that name. Check the spelling, or sign up."),
                u->body_px, u->small_px * 3 / 4, KC_INK, KT_LEFT | KT_TOP | KT_WRAP);
        kw_button(v, u, "btn-new", (krect){c.x, y + th + g, c.w, row_h}, TR(u, "Sign up as new"),
                  KB_SECONDARY, KICON_PLUS);
    } else {
        int shown = 0;
        for (int i = 0; i < f->nresults; i++) {
            if (y + row_h > c.y + c.h)
                break;
            result_row(v, u, i, &f->results[i], (krect){c.x, y, c.w, row_h});
            y += row_h + g;
            shown++;
        }
        if (shown == 0)
            kv_problem(v, "no room for search results in %dx%d", c.w, c.h);
    }
    kw_keyboard(v, u, f, kb);
}
