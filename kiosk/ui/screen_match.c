/*
 * screen_match.c - "Is this you?": before a sign-up that may repeat
 * someone already stored (same name and phone, e-mail or ZIP), the match
 * is shown as search results show people (given name, initial, hint) and
 * the person chooses: btn-its-me checks that person in, btn-not-me signs
 * up a new person as typed, btn-back returns to the form as it was.
 * Nothing is shown that search would not show.
 */
#include <stdio.h>

#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

void kscreen_match(kview *v, const kui *u, const kflow *f)
{
    krect area = kw_topbar(v, u, TR(u, "Is this you?"), 1);
    int g = u->gap;
    int landscape = u->w >= u->h * 6 / 5;
    int cw = landscape ? area.w * 3 / 5 : area.w - 8 * g;
    krect c = {area.x + (area.w - cw) / 2, area.y + 2 * g, cw, area.h - 4 * g};
    int bh = u->t + g * 2;
    int row_h = (u->button_px + u->small_px) * 3 / 2 + g;
    if (row_h < bh)
        row_h = bh;
    int y = c.y;
    int th = kv_text(v, u, (krect){c.x, y, c.w, u->body_px * 4},
                     TR(u, "Someone with this name and the same phone, email or ZIP code has "
                           "signed up before."),
                     u->body_px, u->small_px * 3 / 4, KC_INK, KT_LEFT | KT_TOP | KT_WRAP);
    y += th + 2 * g;

    /* the match, as a search result shows it */
    char name[KIOSK_NAME_BYTES + 16];
    kflow_masked_name(f->visit.lang, f->visit.match.first, f->visit.match.initial, name, sizeof name);
    krect card = {c.x, y, c.w, row_h};
    kv_frame(v, card, KC_SURFACE, KC_BORDER, 2, g);
    krect in = {card.x + g * 2, card.y + g / 2, card.w - g * 4, card.h - g};
    if (f->visit.match.hint[0]) {
        int nh = in.h * 3 / 5;
        kv_text(v, u, (krect){in.x, in.y, in.w, nh}, name, u->button_px, u->small_px, KC_INK,
                KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
        kv_text(v, u, (krect){in.x, in.y + nh, in.w, in.h - nh}, f->visit.match.hint, u->small_px,
                u->small_px * 3 / 4, KC_MUTED, KT_LEFT | KT_TOP | KT_TRIM);
    } else {
        kv_text(v, u, in, name, u->button_px, u->small_px, KC_INK,
                KT_LEFT | KT_MIDDLE | KT_BOLD | KT_TRIM);
    }
    y += row_h + 3 * g;

    if (f->visit.banner) {
        kw_banner(v, u, (krect){c.x, y, c.w, bh}, TR(u, f->visit.banner));
        y += bh + g;
    }
    int bottom = c.y + c.h;
    if (y + 2 * bh + g > bottom)
        y = bottom - 2 * bh - g;
    kw_button(v, u, KID_ITS_ME, (krect){c.x, y, c.w, bh}, TR(u, "Yes, that's me"),
              KB_PRIMARY, KICON_CHECK);
    kw_button(v, u, KID_NOT_ME, (krect){c.x, y + bh + g, c.w, bh},
              TR(u, "No, sign me up as new"), KB_SECONDARY, KICON_PLUS);
}
