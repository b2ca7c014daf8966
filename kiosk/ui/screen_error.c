/*
 * screen_error.c - the kiosk cannot take sign-ins (no usable database).
 *
 * It speaks to the person at the door, in their language: the kiosk needs
 * a staff member, and nothing they did caused it.  The reason (file and
 * error) is no business of theirs and may name paths: it goes to the log
 * (standard error, where main and the flow write it when it happens) for
 * staff to act on.
 */
#include "screens.h"
#include "widgets.h"

void kscreen_error(kview *v, const kui *u, const kflow *f)
{
    (void)f;
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int g = u->gap;
    int w = u->w - g * 8;
    /* A calm mark, the headline, what to do. */
    int is = u->h / 5;
    krect mark = {(u->w - is) / 2, u->h / 8, is, is};
    kv_frame(v, mark, KC_SURFACE, KC_ACCENT, is / 14 > 3 ? is / 14 : 3, is / 2);
    kv_icon(v, krect_inset(mark, is / 5), KICON_PERSON, KC_ACCENT);
    int y = mark.y + is + g * 3;
    int th = kui_line(u, u->title_px) * 2;
    y += kv_text(v, u, (krect){g * 4, y, w, th},
                 TR(u, "Sorry, this kiosk cannot take sign-ins right now."), u->title_px * 5 / 4,
                 u->title_min, KC_INK, KT_CENTER | KT_TOP | KT_BOLD | KT_WRAP | KT_TITLE) +
         g * 2;
    kv_text(v, u, (krect){g * 4, y, w, u->h - y - g * 4}, TR(u, "Please see a staff member."),
            u->title_px, u->label_min, KC_MUTED, KT_CENTER | KT_TOP | KT_WRAP | KT_BODY);
}
