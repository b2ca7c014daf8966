/*
 * screen_error.c - the kiosk cannot take sign-ins (no usable database).
 *
 * People at the door see a short, calm message; staff see the reason
 * (file and error) in small print to act on it.
 */
#include "screens.h"
#include "widgets.h"

void kscreen_error(kview *v, const kui *u, const kflow *f)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int g = u->gap;
    krect r = {g * 4, g * 4, u->w - g * 8, u->h / 3};
    kv_text(v, u, r, TR(u, "Sorry, this kiosk cannot take sign-ins right now."),
            u->title_px * 3 / 2, u->body_px, KC_INK, KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP);
    r.y += r.h;
    r.h = u->h / 6;
    kv_text(v, u, r, TR(u, "Please see a staff member."), u->title_px, u->body_px, KC_MUTED,
            KT_CENTER | KT_MIDDLE | KT_WRAP);
    r.y += r.h + g * 2;
    r.h = u->h - r.y - g * 4;
    kv_frame(v, r, KC_ERROR_BG, KC_ERROR, 2, g);
    kv_text(v, u, krect_inset(r, g * 2), f->error, u->body_px, u->small_px * 3 / 4, KC_ERROR,
            KT_LEFT | KT_TOP | KT_WRAP);
}
