/*
 * screen_done.c - thank you: the person's first name and the event's.
 *
 * Shown only after the store committed the record.  It returns to welcome
 * by itself after KIOSK_DONE_MS; the button does it at once.
 */
#include <stdio.h>

#include "screens.h"
#include "widgets.h"

void kscreen_done(kview *v, const kui *u, const kflow *f)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int g = u->gap;
    int is = u->h / 5;
    kv_icon(v, (krect){(u->w - is) / 2, g * 4, is, is}, KICON_CHECK, KC_SUCCESS);
    char buf[512];
    const char *title = f->done_kind == KDONE_ALREADY ? TR(u, "Welcome back, {name}!")
                                                      : TR(u, "Thank you, {name}!");
    kv_subst(buf, sizeof buf, title, "{name}", f->done_name);
    int y = g * 6 + is;
    int th = u->title_px * 3;
    kv_text(v, u, (krect){g * 4, y, u->w - g * 8, th}, buf, u->title_px * 3 / 2, u->body_px,
            KC_INK, KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP);
    y += th + g;
    const char *line;
    if (f->done_kind == KDONE_ALREADY)
        line = TR(u, "You are already checked in to {event}. No need to do it again.");
    else if (f->done_kind == KDONE_NEW)
        line = TR(u, "You are signed up and checked in to {event}.");
    else
        line = TR(u, "You are checked in to {event}.");
    kv_subst(buf, sizeof buf, line, "{event}", f->done_event);
    int bh = u->t + g * 2;
    int lh = u->h - y - bh - g * 6;
    kv_text(v, u, (krect){g * 4, y, u->w - g * 8, lh}, buf, u->title_px, u->body_px, KC_MUTED,
            KT_CENTER | KT_TOP | KT_WRAP);
    int bw = u->w / 3 > u->t * 4 ? u->w / 3 : u->t * 4;
    kw_button(v, u, "btn-back", (krect){(u->w - bw) / 2, u->h - bh - g * 4, bw, bh},
              TR(u, "Done"), KB_PRIMARY, -1);
}
