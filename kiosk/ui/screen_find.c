/*
 * screen_find.c - returning people find their name and check in.
 *
 * Results show the given name, the family name's first letter and one
 * hint (ZIP code or last event), never a phone number or email: the
 * person behind in the line can see the screen too.  The name is in the
 * language's order ("Hương N.", "N. Hương" in Chinese, Japanese, Korean).
 * A person already checked in at this event is marked so in their row
 * (tapping them still says "already checked in").  When more people match
 * than the rows that fit, a last line (results-more) says how many more
 * and asks for another letter.  The hint is never cut inside a word: it
 * shrinks, then loses whole words behind an ellipsis.
 */
#include <stdio.h>
#include <string.h>

#include "fold.h"
#include "screens.h"
#include "widgets.h"
#include "widget_ids.h"

/* Writes text cut after its last whole word that fits width at px, with an
 * ellipsis, into out; text itself when it fits or has no space to cut at
 * (scripts without spaces are left to the text layer). */
static const char *fit_words(const kui *u, const char *text, int px, int width, char *out,
                             size_t cap)
{
    int w = 0, h = 0;
    if (!u->measure || u->measure(u->measure_ctx, text, px, 0, u->lang, &w, &h) != 0 ||
        w <= width)
        return text;
    snprintf(out, cap, "%s", text);
    for (;;) {
        char *sp = strrchr(out, ' ');
        if (!sp)
            return text;
        while (sp > out && (sp[-1] == ' ' || sp[-1] == ',' || sp[-1] == '-'))
            sp--;
        if (sp == out)
            return text;
        if ((size_t)(sp - out) + 4 > cap)
            return text;
        memcpy(sp, "\u2026", 4);                 /* "…" and its NUL */
        if (u->measure(u->measure_ctx, out, px, 0, u->lang, &w, &h) == 0 && w <= width)
            return out;
        *sp = '\0';
    }
}

/* One result row: "Hương N." on top; under it the checked-in mark and
 * the hint ("Already checked in · 98108"), whole words only. */
static void result_row(kview *v, const kui *u, const kflow *f, int i, const kmatch *m, krect r)
{
    char id[24], name[KIOSK_NAME_BYTES + 16], line[KIOSK_HINT_BYTES + 128];
    char fitted[KIOSK_HINT_BYTES + 128];
    snprintf(id, sizeof id, KID_RESULT_ "%d", i + 1);
    kflow_masked_name(f->visit.lang, m->first, m->initial, name, sizeof name);
    kv_frame(v, r, KC_SURFACE, m->checked_in ? KC_SUCCESS : KC_BORDER, 2, u->gap);
    krect in = {r.x + u->gap * 2, r.y + u->gap / 2, r.w - u->gap * 4, r.h - u->gap};
    if (m->checked_in && m->hint[0])
        snprintf(line, sizeof line, "%s · %s", TR(u, "Already checked in"), m->hint);
    else
        snprintf(line, sizeof line, "%s", m->checked_in ? TR(u, "Already checked in") : m->hint);
    if (line[0]) {
        /* Name on top, the second line under it in small print (a caption,
         * down to the 16 px floor).  Where "Already checked in" and the
         * hint do not both fit, a check mark stands for the words (the
         * green frame says it too) and the hint keeps its place. */
        int nh = in.h * 3 / 5, hpx = u->min_px;
        krect hr = {in.x, in.y + nh, in.w, in.h - nh};
        int lw = 0, lh = 0, nw = 0;
        if (u->measure)
            u->measure(u->measure_ctx, line, hpx, m->checked_in, u->lang, &lw, &lh);
        if (m->checked_in && m->hint[0] && lw > in.w && u->measure) {
            /* Both do not fit one line: the hint goes up beside the name,
             * "Already checked in" keeps the second line. */
            u->measure(u->measure_ctx, name, u->button_px, 1, u->lang, &nw, &lh);
            if (nw <= in.w * 3 / 5) {
                kv_text(v, u, (krect){in.x, in.y, nw, nh}, name, u->button_px, u->small_px,
                        KC_INK, KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
                krect side = {in.x + nw + u->gap, in.y, in.w - nw - u->gap, nh};
                kv_text(v, u, side, fit_words(u, m->hint, hpx, side.w, fitted, sizeof fitted),
                        u->small_px, hpx, KC_MUTED, KT_RIGHT | KT_BOTTOM | KT_TRIM | KT_SMALL);
            } else {
                /* A long name keeps the whole row: a person must be able
                 * to read their own name; the hint gives way. */
                kv_text(v, u, (krect){in.x, in.y, in.w, nh}, name, u->button_px, u->small_px,
                        KC_INK, KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
            }
            snprintf(line, sizeof line, "%s", TR(u, "Already checked in"));
        } else {
            kv_text(v, u, (krect){in.x, in.y, in.w, nh}, name, u->button_px, u->small_px, KC_INK,
                    KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
        }
        kv_text(v, u, hr, fit_words(u, line, hpx, hr.w, fitted, sizeof fitted), u->small_px,
                hpx, m->checked_in ? KC_SUCCESS : KC_MUTED,
                KT_LEFT | KT_TOP | KT_TRIM | KT_SMALL | (m->checked_in ? KT_BOLD : 0));
    } else {
        kv_text(v, u, in, name, u->button_px, u->small_px, KC_INK,
                KT_LEFT | KT_MIDDLE | KT_BOLD | KT_TRIM);
    }
    kv_hit(v, u, id, r);
}

/* The sentence of results_more for shown rows into text. */
static const char *more_text(const kui *u, const kflow *f, int shown, char *text, size_t cap)
{
    char n[16];
    int more = f->visit.nmatches - shown;
    if (f->visit.nmatches >= KIOSK_SEARCH_COUNT_MAX) {
        snprintf(n, sizeof n, "%d", KIOSK_SEARCH_COUNT_MAX);
        kv_subst(text, (unsigned)cap,
                 TRN(u, "More than {n} person matches. Type another letter.",
                     "More than {n} people match. Type another letter.", KIOSK_SEARCH_COUNT_MAX),
                 "{n}", n);
    } else {
        snprintf(n, sizeof n, "%d", more);
        kv_subst(text, (unsigned)cap,
                 TRN(u, "{n} more person matches. Type another letter.",
                     "{n} more people match. Type another letter.", more),
                 "{n}", n);
    }
    return text;
}

/* Height of the results_more row in width w: the lines its sentence needs
 * at the label floor (a row of results at least). */
static int more_height(const kui *u, const kflow *f, int shown, int w, int row_h)
{
    char text[256];
    more_text(u, f, shown, text, sizeof text);
    int line = kui_line(u, kui_floor_px(u, u->label_min));
    for (int k = 1; k <= 4; k++) {
        int h = k * line + 8;
        if (kv_fit(u, (krect){0, 0, w - 2 * u->gap, h - 4}, text, u->body_px, u->label_min,
                   KT_WRAP | KT_BODY, NULL) > 0)
            return h > row_h ? h : row_h;
    }
    return 4 * line + 8 > row_h ? 4 * line + 8 : row_h;
}

/* The last line when more match than are shown: how many, and what to do. */
static void results_more(kview *v, const kui *u, const kflow *f, int shown, krect r)
{
    char text[256];
    more_text(u, f, shown, text, sizeof text);
    kv_rect(v, r, KC_KEY, u->gap);
    /* A message: at the label floor at least (its row is as tall as the
     * sentence needs, more_height). */
    kv_text(v, u, (krect){r.x + u->gap, r.y + 2, r.w - 2 * u->gap, r.h - 4}, text, u->body_px,
            u->label_min, KC_INK, KT_CENTER | KT_MIDDLE | KT_WRAP | KT_BODY);
    kv_hit(v, u, KID_RESULTS_MORE, r);
}

void kscreen_find(kview *v, const kui *u, const kflow *f)
{
    krect area = kw_topbar(v, u, TR(u, "Find your name"), 1);
    krect c, kb;
    kw_split_keyboard(u, area, kw_keyboard_rows(f), &c, &kb);
    int g = u->gap;
    int y = c.y;
    int fh = kw_field(v, u, KID_SEARCH, (krect){c.x, y, c.w, 0}, TR(u, "Your first or last name"),
                      f->visit.query, f->visit.preedit, 1, NULL, 0);
    y += fh - u->small_px + g;
    int row_h = u->t + g * 2;
    if (row_h < (u->button_px + u->small_px) * 3 / 2 + g)
        row_h = (u->button_px + u->small_px) * 3 / 2 + g;
    int room = c.y + c.h - y;
    if (f->visit.banner) {
        kw_banner(v, u, (krect){c.x, y, c.w, row_h}, TR(u, f->visit.banner));
        y += row_h + g;
        room -= row_h + g;
    }
    if (!f->visit.searched) {
        kv_text(v, u, (krect){c.x, y, c.w, room}, TR(u, "Type at least 2 letters of your name."),
                u->body_px, u->small_px, KC_MUTED, KT_LEFT | KT_TOP | KT_WRAP);
    } else if (f->visit.nresults == 0) {
        int th = room - row_h - g;
        if (th > u->body_px * 6)
            th = u->body_px * 6;
        kv_text(v, u, (krect){c.x, y, c.w, th},
                TR(u, "No one found with that name. Check the spelling, or sign up."),
                u->body_px, u->small_px * 3 / 4, KC_INK, KT_LEFT | KT_TOP | KT_WRAP);
        kw_button(v, u, KID_NEW, (krect){c.x, y + th + g, c.w, row_h}, TR(u, "Sign up as new"),
                  KB_SECONDARY, KICON_PLUS);
    } else {
        /* Rows that fit; on a wide screen with the keyboard below, two
         * columns of them, read in rows (result-1 left, result-2 right).
         * The last place goes to results-more when more match. */
        int cols = c.w >= u->t * 12 && kb.y > c.y ? 2 : 1;
        int cw = cols == 2 ? (c.w - 2 * g) / 2 : c.w;
        int fit = (c.y + c.h - y + g) / (row_h + g);
        int total = f->visit.nmatches > f->visit.nresults ? f->visit.nmatches : f->visit.nresults;
        int slots = fit * cols;
        int rows = f->visit.nresults < slots ? f->visit.nresults : slots;
        if (total > rows && rows == slots)
            rows--;
        /* The line saying how many more takes the height its sentence
         * needs: a row of results less where it does not fit. */
        int more_h = row_h;
        while (total > rows && rows > 0) {
            int i = rows;
            int w = cols == 2 && i % cols == 0 ? c.w : cw;
            more_h = more_height(u, f, rows, w, row_h);
            if (y + (i / cols) * (row_h + g) + more_h <= c.y + c.h)
                break;
            rows--;
        }
        if (rows < 1 && f->visit.nresults > 0) {
            kv_problem(v, "no room for search results in %dx%d", c.w, c.h);
            rows = 0;
        }
        for (int i = 0; i < rows; i++) {
            krect r = {c.x + (i % cols) * (cw + 2 * g), y + (i / cols) * (row_h + g), cw, row_h};
            result_row(v, u, f, i, &f->visit.results[i], r);
        }
        if (total > rows && rows > 0) {
            int i = rows;
            krect r = {c.x + (i % cols) * (cw + 2 * g), y + (i / cols) * (row_h + g), cw, more_h};
            if (cols == 2 && i % cols == 0)
                r.w = c.w;   /* a line of its own */
            results_more(v, u, f, rows, r);
        }
    }
    kw_keyboard(v, u, f, kb);
}
