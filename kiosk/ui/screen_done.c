/*
 * screen_done.c - thank you: the person's first name and the event's, and
 * for a first sign-up the code to check in faster next time.
 *
 * Shown only after the store committed the record.  It returns to welcome
 * by itself (KIOSK_DONE_MS, or KIOSK_DONE_QR_MS while a code is shown, to
 * leave time for a photo); the button does it at once.  Codes are drawn
 * module by module in whole pixels, on white with a quiet zone, so a phone
 * reads them at any screen size.
 */
#include <stdio.h>

#include "qr.h"
#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

/* A QR code of text in r (square, centred), with a caption under it. */
static void qr_block(kview *v, const kui *u, krect r, const char *text, const char *caption)
{
    unsigned char modules[KQR_MAX_SIDE * KQR_MAX_SIDE];
    int side = 0;
    kerr err = {0};
    if (kqr_encode(text, modules, (int)sizeof modules, &side, &err) != 0)
        return;
    int cap_h = kui_line(u, u->body_px) * 2 + u->gap;
    int s = r.w < r.h - cap_h ? r.w : r.h - cap_h;
    /* The quiet zone is four modules wide on every side. */
    int m = s / (side + 8);
    if (m < 1)
        m = 1;
    int total = m * (side + 8);
    krect box = {r.x + (r.w - total) / 2, r.y, total, total};
    kv_rect(v, box, KC_SURFACE, 0);
    kv_qr(v, (krect){box.x + 4 * m, box.y + 4 * m, side * m, side * m}, side, modules);
    kv_text(v, u, (krect){r.x, box.y + total + u->gap, r.w, cap_h}, caption, u->body_px,
            u->label_min, KC_INK, KT_CENTER | KT_TOP | KT_WRAP | KT_BOLD);
}

void kscreen_done(kview *v, const kui *u, const kflow *f)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int g = u->gap;
    int codes = (f->visit.done_token[0] ? 1 : 0) + (f->visit.done_link[0] ? 1 : 0);
    int landscape = u->w >= u->h;
    krect text_area = {g * 4, g * 4, u->w - g * 8, u->h - g * 8};
    krect code_area = {0, 0, 0, 0};
    if (codes && landscape) {
        code_area = (krect){u->w * 11 / 20, g * 4, u->w * 9 / 20 - g * 4, u->h - g * 8};
        text_area.w = u->w * 11 / 20 - g * 6;
    } else if (codes) {
        code_area = (krect){g * 4, u->h * 9 / 20, u->w - g * 8, u->h * 11 / 20 - g * 4};
        text_area.h = u->h * 9 / 20 - g * 6;
    }
    int bh = u->t + g * 2;
    int is = text_area.h / 5;
    kv_icon(v, (krect){text_area.x + (text_area.w - is) / 2, text_area.y, is, is}, KICON_CHECK,
            KC_SUCCESS);
    char buf[512];
    kv_subst(buf, sizeof buf, TR(u, "Thank you, {name}!"), "{name}", f->visit.done_name);
    int y = text_area.y + is + g * 2;
    int th = u->title_px * 3;
    if (th < text_area.h / 3)
        th = text_area.h / 3;
    /* A title; a name too long for any title size (a scanner's garbage, a
     * 60-letter name) is shown whole at body size rather than cut. */
    krect tb = {text_area.x, y, text_area.w, th};
    int flags = KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP;
    if (kv_fit(u, tb, buf, u->title_px * 3 / 2, u->title_min, flags | KT_TITLE, NULL) > 0)
        kv_text(v, u, tb, buf, u->title_px * 3 / 2, u->title_min, KC_INK, flags | KT_TITLE);
    else
        kv_text(v, u, tb, buf, u->body_px, u->label_min, KC_INK, flags | KT_BODY | KT_TRIM);
    y += th + g;
    const char *line;
    if (f->visit.done_kind == KDONE_ALREADY)
        line = TR(u, "You are already checked in to {event}. No need to do it again.");
    else if (f->visit.done_kind == KDONE_NEW)
        line = TR(u, "You are signed up and checked in to {event}.");
    else
        line = TR(u, "You are checked in to {event}.");
    kv_subst(buf, sizeof buf, line, "{event}", f->visit.done_event);
    int lh = text_area.y + text_area.h - y - bh - g * 2;
    kv_text(v, u, (krect){text_area.x, y, text_area.w, lh}, buf, u->title_px, u->small_px,
            KC_MUTED, KT_CENTER | KT_TOP | KT_WRAP);
    int bw = text_area.w / 2 > u->t * 4 ? text_area.w / 2 : u->t * 4;
    kw_button(v, u, KID_BACK,
              (krect){text_area.x + (text_area.w - bw) / 2, text_area.y + text_area.h - bh, bw, bh},
              TR(u, "Done"), KB_PRIMARY, -1);
    if (!codes)
        return;
    /* Codes side by side (or one above the other when the area is tall). */
    krect a = code_area, b = code_area;
    if (codes == 2) {
        if (code_area.w > code_area.h) {
            a.w = b.w = (code_area.w - g * 2) / 2;
            b.x = a.x + a.w + g * 2;
        } else {
            a.h = b.h = (code_area.h - g * 2) / 2;
            b.y = a.y + a.h + g * 2;
        }
    }
    if (f->visit.done_token[0]) {
        qr_block(v, u, a, f->visit.done_token,
                 TR(u, "Take a photo of this to check in faster next time."));
        a = b;
    }
    if (f->visit.done_link[0])
        qr_block(v, u, a, f->visit.done_link, TR(u, "Scan this for the event's group chat or slides."));
}
