/*
 * screen_form.c - new people sign up: five fields, one required.
 *
 * Validation messages appear under the field they concern, in words that
 * say what to do, never in a pop-up.  If the screen is too short for all
 * five fields at full size the fields share the height evenly down to the
 * touch target, which the layout check enforces.  Chinese, Japanese and
 * Korean ask the family name first (kflow_field_order).
 */
#include <stdio.h>

#include "i18n.h"
#include "screens.h"
#include "widgets.h"

void kscreen_form(kview *v, const kui *u, const kflow *f)
{
    krect area = kw_topbar(v, u, TR(u, "Sign up"), 1);
    krect c, kb;
    kw_split_keyboard(u, area, kw_keyboard_rows(f), &c, &kb);
    static const char *const labels[KF_COUNT] = {
        N_("First name (required)"), N_("Last name"), N_("Phone"), N_("Email"), N_("ZIP code"),
    };
    int g = u->gap;
    int bh = u->t + g * 2;
    int y = c.y;
    if (!kosk_native(f->lang)) {
        /* Above the keyboard where it leaves room (landscape), else above
         * the fields. */
        int nh = u->small_px * 5 / 2;
        const char *note = TR(u, "You can write your name in Latin letters (A-Z).");
        if (kb.y - area.y >= nh + 2 * g && kb.x > c.x) {
            kv_text(v, u, (krect){kb.x, area.y + g, kb.w, kb.y - area.y - 2 * g}, note,
                    u->body_px, u->small_px * 3 / 4, KC_INK, KT_LEFT | KT_MIDDLE | KT_WRAP);
        } else {
            kv_text(v, u, (krect){c.x, y, c.w, nh}, note, u->small_px, u->small_px * 3 / 4,
                    KC_INK, KT_LEFT | KT_MIDDLE | KT_WRAP);
            y += nh + g;
        }
    }
    if (f->banner) {
        kw_banner(v, u, (krect){c.x, y, c.w, bh}, TR(u, f->banner));
        y += bh + g;
    }
    /* Full fields where the screen is tall enough, compact ones otherwise. */
    int avail = c.y + c.h - y - bh - g;
    int compact = avail < KF_COUNT * (kw_field_height(u, 0) + g);
    int fh = kw_field_height(u, compact);
    int step = avail / KF_COUNT;
    if (step > fh + g * 3)
        step = fh + g * 3;
    int order[KF_COUNT];
    kflow_field_order(f, order);
    for (int k = 0; k < KF_COUNT; k++) {
        int i = order[k];
        const char *msg = f->field_msg[i] ? TR(u, f->field_msg[i]) : NULL;
        kw_field(v, u, kflow_field_id(i), (krect){c.x, y, c.w, fh}, TR(u, labels[i]),
                 f->field[i], f->preedit, f->focus == i, msg, compact);
        y += step;
    }
    if (y + bh > c.y + c.h)
        y = c.y + c.h - bh;
    kw_button(v, u, "btn-submit", (krect){c.x, y, c.w, bh}, TR(u, "Sign me up"), KB_PRIMARY,
              KICON_CHECK);
    kw_keyboard(v, u, f, kb);
}
