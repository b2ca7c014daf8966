/*
 * screen_survey.c - one survey question per screen, in the person's
 * language: choices as big buttons (choice-KEY), yes/no, a consent
 * statement, five faces for a 1-5 scale, or a typed answer with the
 * keyboard; progress dots; Skip for optional questions, Next.
 *
 * Many choices flow into up to four columns; where they still do not fit
 * at the label floor they take pages (arrows and "1–6 of 10" under them).
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

/* Progress dots: one per question shown so far or still to come. */
static int progress_dots(kview *v, const kui *u, const kflow *f, krect area)
{
    int total = 0, at = 0;
    for (int k = 0; k < ksurvey_count(f->visit.survey); k++) {
        if (!ksurvey_visible(ksurvey_question_at(f->visit.survey, k), &f->visit.answers) && k != f->visit.sq)
            continue;
        if (k < f->visit.sq)
            at++;
        total++;
    }
    int d = u->gap * 3 / 2, h = d + u->gap * 3 / 2;
    int w = total * d + (total - 1) * d;
    int x = area.x + (area.w - w) / 2;
    for (int i = 0; i < total; i++) {
        krect r = {x + i * 2 * d, area.y + u->gap * 3 / 4, d, d};
        if (i == at)
            kv_rect(v, r, KC_ACCENT, d / 2);
        else
            kv_frame(v, r, i < at ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 2, d / 2);
    }
    return h;
}

/* The message under the question, with {min}/{max} filled in. */
static const char *survey_message(const kui *u, const kflow *f, const ksurvey_question *q,
                                  char *buf, size_t cap)
{
    if (!f->visit.survey_msg)
        return NULL;
    char a[32], b[32], tmp[512];
    snprintf(a, sizeof a, "%ld", ksurvey_q_min(q));
    snprintf(b, sizeof b, "%ld", ksurvey_q_max(q));
    kv_subst(tmp, sizeof tmp, TR(u, f->visit.survey_msg), "{min}", a);
    return kv_subst(buf, (unsigned)cap, tmp, "{max}", b);
}

/* Next (or Finish) and, for optional questions, Skip, along r. */
static void nav_buttons(kview *v, const kui *u, const kflow *f, const ksurvey_question *q,
                        krect r, int last)
{
    int g = u->gap;
    const char *next = f->visit.other_editing ? TR(u, "OK") : last ? TR(u, "Finish") : TR(u, "Next");
    if (!ksurvey_q_required(q) && !f->visit.other_editing) {
        int w = (r.w - g * 2) / 2;
        kw_button(v, u, KID_SKIP, (krect){r.x, r.y, w, r.h}, TR(u, "Skip"), KB_SECONDARY, -1);
        kw_button(v, u, KID_NEXT, (krect){r.x + w + g * 2, r.y, r.w - w - g * 2, r.h}, next,
                  KB_PRIMARY, -1);
    } else {
        kw_button(v, u, KID_NEXT, r, next, KB_PRIMARY, -1);
    }
}

/* 1 if no question would follow this one with the answer as it stands. */
static int is_last(const kflow *f)
{
    for (int k = f->visit.sq + 1; k < ksurvey_count(f->visit.survey); k++) {
        const ksurvey_question *q = ksurvey_question_at(f->visit.survey, k);
        const char *key, *val;
        /* A question that depends on this one may appear: not last. */
        if (ksurvey_q_condition(q, &key, &val) &&
            strcmp(key, ksurvey_q_key(ksurvey_question_at(f->visit.survey, f->visit.sq))) == 0)
            return 0;
        if (ksurvey_visible(q, &f->visit.answers))
            return 0;
    }
    return 1;
}

/* A choices layout: columns, rows, their sizes and the labels' shared
 * pixel size (-1 when some label fits at no size). */
typedef struct choice_grid {
    int cols, rows, row_h, cw, px;
    int rows_fit;   /* the rows, a touch target high or more, fit the room */
    int nfail;      /* labels that fit at no size */
} choice_grid;

/* Lays per choices (a page of them) out in cols columns over r and fits
 * the labels of all the question's choices to that cell, so that every
 * page shares one size. */
static choice_grid grid_for(const kui *u, const kflow *f, const ksurvey_question *q, krect r,
                            int cols, int per, int small)
{
    int g = u->gap, n = ksurvey_q_nchoices(q);
    choice_grid G = {cols, (per + cols - 1) / cols, u->t + g * 2, 0, u->button_px, 0, 0};
    /* Rows share the room, from a touch target up to one and a half
     * buttons high. */
    G.row_h = (r.h - (G.rows - 1) * g) / G.rows;
    if (G.row_h > (u->t + g * 2) * 3 / 2)
        G.row_h = (u->t + g * 2) * 3 / 2;
    if (G.row_h < u->t)
        G.row_h = u->t;
    G.cw = (r.w - (cols - 1) * g * 2) / cols;
    int is = u->label_min;
    krect tb = {0, 0, G.cw - (g * 2 + is + g * 2) - g, G.row_h - 2};
    for (int i = 0; i < n; i++) {
        int p = kv_fit(u, tb, ksurvey_choice_text(q, i, f->visit.lang), u->button_px,
                       small ? u->min_px : u->label_min,
                       KT_WRAP | KT_BOLD | (small ? KT_SMALL : KT_BODY), NULL);
        if (p < 0)
            G.nfail++;
        else if (p < G.px)
            G.px = p;
    }
    if (G.nfail)
        G.px = -1;
    G.rows_fit = G.rows * G.row_h + (G.rows - 1) * g <= r.h;
    return G;
}

/* The best columns for per choices a page over r: rows that fit first,
 * then the larger labels, else more columns (shorter rows) while nothing
 * fits; fewer columns on a tie. */
static choice_grid best_grid(const kui *u, const kflow *f, const ksurvey_question *q, krect r,
                             int per, int max_cols, int small)
{
    choice_grid G = grid_for(u, f, q, r, 1, per, small);
    for (int c = 2; c <= max_cols && c <= per; c++) {
        choice_grid H = grid_for(u, f, q, r, c, per, small);
        if (H.rows_fit > G.rows_fit ||
            (H.rows_fit == G.rows_fit &&
             (H.nfail < G.nfail || (H.nfail == G.nfail && H.px > G.px))))
            G = H;
    }
    return G;
}

/* Choice buttons in rows, left to right, all labels at one size: a radio
 * mark for a single choice, a check box for a multiple one; selected ones
 * filled, with the mark checked.  Where the choices do not all fit at the
 * label floor (many long ones on a short screen: ten issues in Khmer or
 * Lao at 800x480), they take pages of as many as fit, with arrows and
 * "1–6 of 10" under them (btn-choices-prev, btn-choices-next); only when
 * even two a page do not fit do labels take the caption floor. */
static void choices(kview *v, const kui *u, const kflow *f, const ksurvey_question *q, krect r)
{
    int g = u->gap, n = ksurvey_q_nchoices(q);
    int multiple = ksurvey_q_type(q) == KSURVEY_MULTIPLE;
    /* The column count whose labels read largest (fewer columns on a tie),
     * while a column stays wide enough for a short label. */
    int max_cols = r.w / (u->t * 7 / 2);
    if (max_cols < 1)
        max_cols = 1;
    if (max_cols > 4)
        max_cols = 4;
    int small = 0, per = n;
    krect area = r;
    int pager_h = u->t;
    choice_grid G = best_grid(u, f, q, r, n, max_cols, 0);
    if (!(G.px > 0 && G.rows_fit)) {
        /* Pages: the most choices a page whose labels fit at the floor. */
        krect rr = {r.x, r.y, r.w, r.h - pager_h - g};
        per = 0;
        for (int k = n - 1; k >= 2 && rr.h > u->t; k--) {
            choice_grid H = best_grid(u, f, q, rr, k, max_cols, 0);
            if (H.px > 0 && H.rows_fit) {
                G = H;
                per = k;
                area = rr;
                break;
            }
        }
        if (!per) {
            /* Not even two a page: one page at the caption floor. */
            per = n;
            small = 1;
            G = best_grid(u, f, q, r, n, max_cols, 1);
        }
    }
    int pages = (n + per - 1) / per;
    if (pages > 1 && (n + pages - 1) / pages < per) {
        /* as even as the pages can be: 5 and 4 of 9, not 8 and 1 */
        per = (n + pages - 1) / pages;
        G = best_grid(u, f, q, area, per, max_cols, 0);
    }
    int page = f->visit.choice_page;
    if (page >= pages)
        page = pages - 1;
    if (page < 0)
        page = 0;
    int cols = G.cols, row_h = G.row_h, cw = G.cw;
    int px = G.px > 0 ? G.px : small ? u->min_px : u->label_min;
    int is = u->label_min;
    int first = page * per, last = first + per < n ? first + per : n;
    for (int i = first; i < last; i++) {
        /* Read in rows, left to right, as text is. */
        int col = (i - first) % cols, row = (i - first) / cols;
        krect b = {area.x + col * (cw + g * 2), area.y + row * (row_h + g), cw, row_h};
        int on = f->visit.sel[i];
        char id[64], label[KIOSK_SURVEY_TEXT_MAX * 4 + KIOSK_SURVEY_ANSWER_MAX * 4 + 8];
        snprintf(id, sizeof id, KID_CHOICE_ "%s", ksurvey_choice_key(q, i));
        const char *text = ksurvey_choice_text(q, i, f->visit.lang);
        if (ksurvey_choice_is_other(q, i) && on && f->visit.answer[0])
            snprintf(label, sizeof label, "%s: %s", text, f->visit.answer);
        else
            snprintf(label, sizeof label, "%s", text);
        kv_frame(v, b, on ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 2, g * 2);
        krect box = {b.x + g * 2, b.y + (b.h - is) / 2, is, is};
        if (multiple) {
            kv_frame(v, box, KC_SURFACE, on ? KC_ON_ACCENT : KC_ACCENT, 2, 3);
            if (on)
                kv_icon(v, krect_inset(box, 2), KICON_CHECK, KC_ACCENT);
        } else {
            kv_frame(v, box, KC_SURFACE, on ? KC_ON_ACCENT : KC_ACCENT, 2, is / 2);
            if (on)
                kv_rect(v, krect_inset(box, is / 4), KC_ACCENT, is / 4);
        }
        krect tr = {box.x + is + g * 2, b.y + 1, b.x + b.w - (box.x + is + g * 2) - g, b.h - 2};
        kv_text(v, u, tr, label, px, small ? u->min_px : u->label_min,
                on ? KC_ON_ACCENT : KC_INK,
                KT_LEFT | KT_MIDDLE | KT_WRAP | KT_BOLD | (small ? KT_SMALL : KT_BODY));
        kv_hit(v, u, id, b);
    }
    if (pages > 1) {
        /* Under the choices: "1–6 of 10" between the arrows, each arrow
         * only where there is a page that way. */
        int py = r.y + r.h - pager_h, pw = u->t * 2;
        char a[16], b2[16], c[16], t1[128], t2[128], where[160];
        snprintf(a, sizeof a, "%d", first + 1);
        snprintf(b2, sizeof b2, "%d", last);
        snprintf(c, sizeof c, "%d", n);
        kv_subst(t1, sizeof t1, TR(u, "{first}\u2013{last} of {total}"), "{first}", a);
        kv_subst(t2, sizeof t2, t1, "{last}", b2);
        kv_subst(where, sizeof where, t2, "{total}", c);
        kv_text(v, u, (krect){r.x + pw + g * 2, py, r.w - 2 * (pw + g * 2), pager_h}, where,
                u->label_min, u->label_min, KC_MUTED, KT_CENTER | KT_MIDDLE);
        if (page > 0)
            kw_button(v, u, KID_CHOICES_PREV, (krect){r.x, py, pw, pager_h}, "", KB_SECONDARY,
                      KICON_UP);
        if (page < pages - 1)
            kw_button(v, u, KID_CHOICES_NEXT, (krect){r.x + r.w - pw, py, pw, pager_h}, "",
                      KB_SECONDARY, KICON_DOWN);
    }
}

/* Two big answers side by side (yes/no, agree/do not agree). */
static void two_answers(kview *v, const kui *u, const kflow *f, krect r, const char *yes,
                        const char *no)
{
    int g = u->gap;
    int h = u->t * 2 < r.h ? u->t * 2 : r.h;
    int w = (r.w - g * 4) / 2;
    const char *labels[2] = {yes, no}, *keys[2] = {"yes", "no"};
    for (int i = 0; i < 2; i++) {
        krect b = {r.x + i * (w + g * 4), r.y + (r.h - h) / 2, w, h};
        int on = strcmp(f->visit.answer, keys[i]) == 0;
        char id[16];
        snprintf(id, sizeof id, KID_CHOICE_ "%s", keys[i]);
        kv_frame(v, b, on ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 3, g * 2);
        kv_text(v, u, krect_inset(b, g * 2), labels[i], u->title_px, u->body_px,
                on ? KC_ON_ACCENT : KC_ACCENT, KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP);
        kv_hit(v, u, id, b);
    }
}

/* Five faces from sad (1) to happy (5). */
static void faces(kview *v, const kui *u, const kflow *f, const ksurvey_question *q, krect r)
{
    /* Words under the faces: the survey's own (five choice rows keyed 1
     * to 5 under a scale question), else the language's defaults. */
    static const char *const defaults[5] = {
        N_("Very unhappy"), N_("Unhappy"), N_("Okay"), N_("Happy"), N_("Very happy"),
    };
    const char *words[5];
    for (int i = 0; i < 5; i++) {
        words[i] = ksurvey_scale_word(q, i, f->visit.lang);
        if (!words[i])
            words[i] = TR(u, defaults[i]);
    }
    int g = u->gap;
    int wh = kui_line(u, kui_floor_px(u, u->label_min)) * 2;   /* two lines of words */
    int s = (r.w - g * 8) / 5;
    if (s > r.h - wh - g)
        s = r.h - wh - g;
    if (s > u->t * 3)
        s = u->t * 3;
    if (s < u->t)
        s = u->t;
    int cw = (r.w - g * 8) / 5;    /* a word may be wider than its face */
    /* the five words share one size */
    int px = u->body_px;
    for (int i = 0; i < 5; i++) {
        int p = kv_fit(u, (krect){0, 0, cw, wh}, words[i], u->body_px, u->label_min, KT_WRAP,
                       NULL);
        if (p > 0 && p < px)
            px = p;
    }
    int x0 = r.x + (r.w - (5 * cw + 4 * g * 2)) / 2;
    int y0 = r.y + (r.h - (s + g + wh)) / 2;
    for (int i = 0; i < 5; i++) {
        int cx = x0 + i * (cw + g * 2);
        krect b = {cx + (cw - s) / 2, y0, s, s};
        char key[2] = {(char)('1' + i), 0}, id[16];
        int on = strcmp(f->visit.answer, key) == 0;
        snprintf(id, sizeof id, KID_CHOICE_ "%s", key);
        kv_frame(v, b, on ? KC_ACCENT : KC_SURFACE, KC_ACCENT, 3, s / 2);
        kv_icon(v, krect_inset(b, s / 6), KICON_FACE1 + i, on ? KC_ON_ACCENT : KC_ACCENT);
        kv_text(v, u, (krect){cx, y0 + s + g, cw, wh}, words[i], px, px,
                on ? KC_ACCENT : KC_INK, KT_CENTER | KT_TOP | KT_WRAP | (on ? KT_BOLD : 0));
        /* the face and its words are one target */
        kv_hit(v, u, id, (krect){cx, y0, cw, s + g + wh});
    }
}

void kscreen_survey(kview *v, const kui *u, const kflow *f)
{
    const ksurvey_question *q = kflow_question(f);
    /* Short screens: the progress dots take the survey's title's place in
     * the top bar (the question says what matters), the choices its room. */
    int short_screen = u->h < u->t * 12;
    krect area = kw_topbar(v, u, short_screen ? "" : ksurvey_title(f->visit.survey, f->visit.lang), 1);
    if (!q)
        return;
    int g = u->gap;
    if (short_screen) {
        int bar = kw_topbar_height(u);
        progress_dots(v, u, f, (krect){area.x, (bar - u->gap * 3) / 2 - u->gap * 3 / 4, area.w,
                                       u->gap * 3});
    } else {
        int dots = progress_dots(v, u, f, area);
        area.y += dots;
        area.h -= dots;
    }
    int bh = u->t + g * (short_screen ? 1 : 2);
    char msgbuf[600];
    const char *msg = survey_message(u, f, q, msgbuf, sizeof msgbuf);
    const char *qtext = ksurvey_q_text(q, f->visit.lang);
    ksurvey_type t = ksurvey_q_type(q);
    int last = is_last(f);

    if (kflow_survey_typing(f)) {
        krect c, kb;
        kw_split_keyboard(u, area, kflow_layout(f, NULL)->nrows, &c, &kb);
        int y = c.y;
        /* "Other: ___" keeps its question on screen; the field's own
         * label says which answer is being written. */
        const char *label = qtext;
        char other[KIOSK_SURVEY_TEXT_MAX * 4 + 8] = "";
        if (f->visit.other_editing) {
            int n = ksurvey_q_nchoices(q);
            snprintf(other, sizeof other, "%s:", ksurvey_choice_text(q, n - 1, f->visit.lang));
        }
        /* The question keeps its place on screen while the answer is typed:
         * across the top, over the keyboard, where the keyboard sits at the
         * right and leaves room above it; else above the field. */
        int field_h = u->t + g;            /* kw_field without its label line */
        if (other[0])
            field_h += kui_line(u, kui_floor_px(u, u->label_min));
        /* A text answer may be long: a box of up to three lines, which
         * wraps what is typed (its end shows when it is longer still). */
        int multi = t == KSURVEY_TEXT && !other[0];
        if (multi)
            field_h = kui_line(u, u->body_px) * 3 + g * 2;
        int msg_room = msg ? kui_line(u, u->body_px) * 2 : 0;
        if (kb.x > c.x && kb.y - c.y >= kui_line(u, u->label_min) * 2) {
            kv_text(v, u, (krect){c.x, c.y, area.w - 4 * g, kb.y - c.y - g}, label, u->title_px,
                    u->label_min, KC_INK, KT_LEFT | KT_MIDDLE | KT_BOLD | KT_WRAP | KT_BODY);
            y = kb.y;
        } else {
            int th = c.h - field_h - bh - msg_room - g * 3;
            if (th > kui_line(u, u->title_px) * 4)
                th = kui_line(u, u->title_px) * 4;
            kv_text(v, u, (krect){c.x, y, c.w, th}, label, u->title_px, u->label_min, KC_INK,
                    KT_LEFT | KT_BOTTOM | KT_BOLD | KT_WRAP | KT_BODY);
            y += th + g;
        }
        if (multi) {
            int room = c.y + c.h - bh - g - msg_room - y;
            int h = field_h < room ? field_h : room;
            if (h < u->t + g)
                h = u->t + g;
            krect box = {c.x, y, c.w, h};
            char shown[KIOSK_SURVEY_ANSWER_MAX * 4 + 64];
            snprintf(shown, sizeof shown, "%s%s", f->visit.answer, f->visit.preedit);
            kv_frame(v, box, KC_SURFACE, KC_ACCENT, 3, g);
            krect in = {box.x + g * 2, box.y + g, box.w - g * 4, box.h - g * 2};
            if (shown[0])
                kv_text(v, u, in, shown, u->body_px, u->label_min, KC_INK,
                        KT_LEFT | KT_TOP | KT_WRAP | KT_TAIL | KT_CARET);
            else
                kv_rect(v, (krect){in.x, in.y + 2, 3, kui_line(u, u->body_px) - 4}, KC_INK, 0);
            kv_hit(v, u, KID_FIELD_ANSWER, box);
            y += h + g;
        } else {
            y += kw_field(v, u, KID_FIELD_ANSWER, (krect){c.x, y, c.w, 0}, other, f->visit.answer,
                          f->visit.preedit, 1, NULL, 0) + g;
        }
        /* The message under the field, with room to wrap. */
        int mh = c.y + c.h - bh - g - y;
        if (msg && mh > 0)
            kv_text(v, u, (krect){c.x, y, c.w, mh}, msg, u->body_px, u->label_min, KC_ERROR,
                    KT_LEFT | KT_TOP | KT_BOLD | KT_WRAP);
        nav_buttons(v, u, f, q, (krect){c.x, c.y + c.h - bh, c.w, bh}, last);
        kw_keyboard(v, u, f, kb);
        return;
    }

    krect c = {area.x + g * 3, area.y, area.w - g * 6, area.h - g * (short_screen ? 1 : 3)};
    int qh = kui_line(u, u->title_px) * 2;
    if (t == KSURVEY_CONSENT)
        qh = c.h / 3;
    /* The question takes the lines it needs (two at most, or a third of
     * the screen for a consent statement); the choices get the rest. */
    int sg = short_screen ? g / 2 : g;   /* spacing: tighter on short screens */
    int used = kv_text(v, u, (krect){c.x, c.y + sg, c.w, qh}, qtext,
                       short_screen ? u->title_min : u->title_px,
                       t == KSURVEY_CONSENT ? u->label_min : u->title_min, KC_INK,
                       KT_CENTER | (t == KSURVEY_CONSENT ? KT_MIDDLE | KT_BODY : KT_TOP) |
                           KT_BOLD | KT_WRAP);
    int y = c.y + sg + (t == KSURVEY_CONSENT ? qh : used) + sg * 2;
    int hint_h = 0;
    krect nav = {c.x, c.y + c.h - bh, c.w, bh};
    if (t == KSURVEY_MULTIPLE) {
        long max = ksurvey_q_max(q);
        char hint[256], num[16];
        snprintf(num, sizeof num, "%ld", max);
        if (max > 0 && max < ksurvey_q_nchoices(q))
            kv_subst(hint, sizeof hint, TRN(u, "Choose up to {n}.", "Choose up to {n}.", max),
                     "{n}", num);
        else
            snprintf(hint, sizeof hint, "%s", TR(u, "Choose all that apply."));
        if (short_screen) {
            /* Short screens: the hint beside the buttons, the choices get
             * its line. */
            int hw = nav.w / 3;
            kv_text(v, u, (krect){nav.x, nav.y, hw - g, nav.h}, hint, u->small_px, u->label_min,
                    KC_MUTED, KT_LEFT | KT_MIDDLE | KT_WRAP);
            nav.x += hw;
            nav.w -= hw;
        } else {
            hint_h = kui_line(u, u->small_px);
            kv_text(v, u, (krect){c.x, y, c.w, hint_h}, hint, u->small_px, u->label_min,
                    KC_MUTED, KT_CENTER | KT_MIDDLE);
            y += hint_h;
        }
    }
    int msg_h = msg || f->visit.banner ? kui_line(u, u->body_px) : 0;
    krect body = {c.x, y, c.w, c.y + c.h - bh - sg * 2 - msg_h - y};
    switch (t) {
    case KSURVEY_SINGLE:
    case KSURVEY_MULTIPLE:
        choices(v, u, f, q, body);
        break;
    case KSURVEY_YESNO:
        two_answers(v, u, f, body, TR(u, "Yes"), TR(u, "No"));
        break;
    case KSURVEY_CONSENT:
        two_answers(v, u, f, body, TR(u, "I agree"), TR(u, "I do not agree"));
        break;
    case KSURVEY_SCALE:
        faces(v, u, f, q, body);
        break;
    default:
        break;
    }
    if (msg_h)
        kv_text(v, u, (krect){c.x, body.y + body.h + g, c.w, msg_h},
                msg ? msg : TR(u, f->visit.banner), u->body_px, u->label_min, KC_ERROR,
                KT_CENTER | KT_MIDDLE | KT_BOLD);
    nav_buttons(v, u, f, q, nav, last);
}
