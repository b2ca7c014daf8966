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
#include <string.h>

#include "i18n.h"
#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

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
    /* The room over a side keyboard (short landscape screens): the note
     * on Latin letters, or a field's message that has no room under it. */
    int nh = u->small_px * 5 / 2;
    int has_above = kb.x > c.x && kb.y - area.y >= nh + 2 * g;
    krect above = {kb.x, area.y + g, kb.w, kb.y - area.y - 2 * g};
    const char *note = NULL, *above_msg = NULL;
    if (!kosk_native(f->visit.lang)) {
        /* Above the keyboard where it leaves room (landscape), else above
         * the fields. */
        note = TR(u, "You can write your name in Latin letters (A-Z).");
        if (!has_above) {
            kv_text(v, u, (krect){c.x, y, c.w, nh}, note, u->small_px, u->small_px * 3 / 4,
                    KC_INK, KT_LEFT | KT_MIDDLE | KT_WRAP);
            y += nh + g;
        }
    }
    if (f->visit.banner) {
        kw_banner(v, u, (krect){c.x, y, c.w, bh}, TR(u, f->visit.banner));
        y += bh + g;
    }
    /* One column of full fields where the screen is tall enough; on a
     * wide screen with the keyboard below, two columns (the submit button
     * in the last cell); compact fields where even that is short. */
    int avail = c.y + c.h - y - bh - g;
    int cols = 1;
    if (avail < KF_COUNT * (kw_field_height(u, 0) + g) && c.w >= u->t * 12 && kb.y > c.y) {
        cols = 2;
        avail = c.y + c.h - y;
    }
    int rows = cols == 2 ? (KF_COUNT + 2) / 2 : KF_COUNT;
    int compact = cols == 2 ? avail < rows * (kw_field_height(u, 0) + g) - g
                            : avail < KF_COUNT * (kw_field_height(u, 0) + g);
    int fh = kw_field_height(u, compact);
    int order[KF_COUNT];
    kflow_field_order(f, order);
    /* A message says what is wrong and what is expected, with an example
     * in the person's language. */
    static const char *const examples[KF_COUNT] = {
        N_("Example: Lan"), NULL, N_("Example: 206-555-0123"), N_("Example: name@example.com"),
        N_("Example: 98108"),
    };
    char msgs[KF_COUNT][512];
    int nmsg = 0, shown_msg = -1;   /* the message that gets its example on short screens */
    for (int i = 0; i < KF_COUNT; i++) {
        msgs[i][0] = '\0';
        if (!f->visit.field_msg[i])
            continue;
        nmsg++;
        if (examples[i]) {
            char tmp[512];
            /* TRANSLATORS: a field's message and its example, as two
             * sentences: "Check the ZIP code. Example: 98108" (use your
             * language's full stop: "。", "។"). */
            kv_subst(tmp, sizeof tmp, TR(u, "{message}. {example}"), "{message}",
                     TR(u, f->visit.field_msg[i]));
            kv_subst(msgs[i], sizeof msgs[i], tmp, "{example}", TR(u, examples[i]));
        } else {
            snprintf(msgs[i], sizeof msgs[i], "%s", TR(u, f->visit.field_msg[i]));
        }
        if (f->visit.focus == i)
            shown_msg = i;
    }
    for (int k = 0; k < KF_COUNT && shown_msg < 0; k++)   /* else the first in reading order */
        if (msgs[order[k]][0])
            shown_msg = order[k];
    /* Compact fields (short screens): every message takes a line under its
     * field; the focused (or first) one two, with its example, where the
     * room allows; the others say what is wrong without it. */
    int fg = compact ? g / 2 : g;
    int msg_h[KF_COUNT] = {0};
    if (compact && nmsg) {
        /* room for the messages: tighter gaps, a submit button of one
         * touch target */
        fg = 2;
        avail += bh - u->t;
        bh = u->t;
        int line = kui_line(u, kui_floor_px(u, u->label_min)) + 1;
        int room = avail - rows * fh - (rows - 1) * fg;
        /* the lines each message needs without its example */
        int cw1 = cols == 2 ? (c.w - 2 * g) / 2 : c.w, need = 0;
        for (int i = 0; i < KF_COUNT; i++) {
            if (!msgs[i][0])
                continue;
            const char *m = TR(u, f->visit.field_msg[i]);
            int k = 1;
            while (k < 3 && kv_fit(u, (krect){0, 0, cw1, k * line - 1}, m, u->label_min,
                                   u->label_min, KT_WRAP, NULL) < 0)
                k++;
            msg_h[i] = k * line;
            need += k * line;
        }
        if (room >= need) {
            if (room - need >= line && shown_msg >= 0)
                msg_h[shown_msg] += line;   /* room for its example */
        } else if (shown_msg >= 0 && has_above) {
            /* no room under every field: the focused (or first) message
             * over the keyboard, with its example; every field with a
             * problem keeps its red frame and "!" mark */
            memset(msg_h, 0, sizeof msg_h);
            above_msg = msgs[shown_msg];
        } else if (shown_msg >= 0) {
            int keep = msg_h[shown_msg];
            memset(msg_h, 0, sizeof msg_h);
            msg_h[shown_msg] = room < keep ? room : keep;
        }
        /* Without its example where the message with it does not fit. */
        int cw0 = cols == 2 ? (c.w - 2 * g) / 2 : c.w;
        for (int i = 0; i < KF_COUNT; i++)
            if (msgs[i][0] && examples[i] && !(above_msg && i == shown_msg) &&
                (msg_h[i] < line ||
                 kv_fit(u, (krect){0, 0, cw0, msg_h[i] - 1}, msgs[i], u->label_min,
                        u->label_min, KT_WRAP, NULL) < 0))
                snprintf(msgs[i], sizeof msgs[i], "%s", TR(u, f->visit.field_msg[i]));
    }
    int step = cols == 2 ? (avail + g) / rows : avail / KF_COUNT;
    if (compact)
        step = fh + fg;
    if (step > fh + g * 3)
        step = fh + g * 3;
    int cw = cols == 2 ? (c.w - 2 * g) / 2 : c.w;
    int fy = y, row_extra = 0;
    for (int k = 0; k < KF_COUNT; k++) {
        int i = order[k];
        if (k % cols == 0) {
            if (k)
                fy += step + row_extra;
            row_extra = 0;
            for (int j = k; j < k + cols && j < KF_COUNT; j++)
                if (msg_h[order[j]] > row_extra)
                    row_extra = msg_h[order[j]];
        }
        int x = c.x + (k % cols) * (cw + 2 * g);
        /* full fields: the message may use the whole step */
        int h = compact ? fh + msg_h[i] : step - g > fh ? step - g : fh;
        kw_field(v, u, kflow_field_id(i), (krect){x, fy, cw, h}, TR(u, labels[i]), f->visit.field[i],
                 f->visit.preedit, f->visit.focus == i, msgs[i][0] ? msgs[i] : NULL, compact);
    }
    krect sb;
    if (cols == 2) {
        /* the last cell, level with the last field's box */
        if (compact)   /* the height of a compact field (a touch target or more) */
            sb = (krect){c.x + cw + 2 * g, fy, c.w - cw - 2 * g, fh};
        else
            sb = (krect){c.x + cw + 2 * g, fy + (fh - u->t - g) / 2 - g / 2, c.w - cw - 2 * g,
                         bh};
    } else {
        y = fy + step + row_extra;
        if (y + bh > c.y + c.h)
            y = c.y + c.h - bh;
        sb = (krect){c.x, y, c.w, bh};
    }
    if (has_above && above_msg)
        kv_text(v, u, above, above_msg, u->body_px, u->label_min, KC_ERROR,
                KT_LEFT | KT_MIDDLE | KT_WRAP | KT_BOLD);
    else if (has_above && note)
        kv_text(v, u, above, note, u->body_px, u->small_px * 3 / 4, KC_INK,
                KT_LEFT | KT_MIDDLE | KT_WRAP);
    kw_button(v, u, KID_SUBMIT, sb, TR(u, "Sign me up"), KB_PRIMARY, KICON_CHECK);
    kw_keyboard(v, u, f, kb);
}
