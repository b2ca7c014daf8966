/*
 * widgets.c - top bar, buttons, fields, keyboard and prompt (widgets.h).
 *
 * Sizes come from the kui metrics: u->t is the smallest touch target
 * (9 mm at the screen's DPI), u->gap the spacing; no widget hard-codes
 * pixels, so one layout serves 800x480 up to 1920x1080 and portrait.
 */
#include "widgets.h"

#include "utf8.h"

#include <stdio.h>
#include <string.h>
#include "widget_ids.h"

const kcolor KC_BG = {250, 247, 242, 255};
const kcolor KC_INK = {28, 31, 36, 255};
const kcolor KC_MUTED = {78, 85, 96, 255};
const kcolor KC_ACCENT = {8, 94, 90, 255};
const kcolor KC_ON_ACCENT = {255, 255, 255, 255};
const kcolor KC_SURFACE = {255, 255, 255, 255};
const kcolor KC_BORDER = {140, 148, 158, 255};
const kcolor KC_ERROR = {163, 29, 22, 255};
const kcolor KC_ERROR_BG = {253, 236, 234, 255};
const kcolor KC_KEYBOARD = {226, 222, 214, 255};
const kcolor KC_KEY = {255, 255, 255, 255};
const kcolor KC_KEY_SPECIAL = {200, 195, 186, 255};
const kcolor KC_SCRIM = {20, 22, 26, 170};
const kcolor KC_SUCCESS = {30, 110, 50, 255};
const kcolor KC_CHOSEN = {214, 236, 233, 255};
const kcolor KC_PRESSED = {20, 22, 26, 56};

/* Height of the top bar. */
int kw_topbar_height(const kui *u)
{
    int h = u->t + 2 * u->gap;
    int th = kui_line(u, u->title_px) + u->gap;    /* one line of title */
    int bh = kui_line(u, u->label_min) + 4 * u->gap; /* the back button's label */
    h = h > th ? h : th;
    return h > bh ? h : bh;
}

krect kw_topbar(kview *v, const kui *u, const char *title, int with_back)
{
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int h = kw_topbar_height(u);
    kv_rect(v, (krect){0, 0, u->w, h}, KC_SURFACE, 0);
    kv_rect(v, (krect){0, h - 2, u->w, 2}, KC_KEYBOARD, 0);
    int left = u->gap * 2;
    int back_w = 0;
    if (with_back) {
        const char *label = TR(u, "Back");
        int lw = 0, lh = 0;
        if (u->measure)
            u->measure(u->measure_ctx, label, u->button_px, 1, u->lang, &lw, &lh);
        back_w = lw + u->t + u->gap * 3;
        if (back_w < u->t * 2)
            back_w = u->t * 2;
        if (back_w > u->w / 3)
            back_w = u->w / 3;
        kw_button(v, u, KID_BACK, (krect){u->gap, u->gap, back_w, h - 2 * u->gap}, label,
                  KB_QUIET, KICON_BACK);
        left = u->gap * 2 + back_w;
    }
    /* The title is centred on the screen when it fits beside the button. */
    int tw = u->w - 2 * left;
    /* Titles may hold data (a survey's title, a person's name): two lines,
     * then an ellipsis, rather than text off the bar. */
    kv_text(v, u, (krect){left, 0, tw, h}, title, u->title_px, u->small_px, KC_INK,
            KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP | KT_TRIM);
    return (krect){0, h, u->w, u->h - h};
}

void kw_button(kview *v, const kui *u, const char *id, krect r, const char *label,
               int style, int icon)
{
    int trim = style & KB_TRIM ? KT_TRIM : 0;
    style &= ~KB_TRIM;
    kcolor fill = KC_SURFACE, ink = KC_ACCENT, border = KC_ACCENT;
    if (style == KB_PRIMARY) {
        fill = KC_ACCENT;
        ink = KC_ON_ACCENT;
    } else if (style == KB_QUIET) {
        border = fill;
    } else if (style == KB_DANGER) {
        fill = KC_ERROR_BG;
        ink = border = KC_ERROR;
    } else if (style == KB_DANGER_PRIMARY) {
        fill = border = KC_ERROR;
        ink = KC_ON_ACCENT;
    }
    kv_frame(v, r, fill, border, style == KB_QUIET ? 0 : 2, u->gap * 2);
    /* The label may use the button's height but for its border: a
     * two-line label of a tall script still fits a one-target button. */
    krect inner = {r.x + u->gap, r.y + 3, r.w - 2 * u->gap, r.h - 6};
    if (icon >= 0) {
        int is = u->button_px;
        int lw = 0, lh = 0;
        if (u->measure)
            u->measure(u->measure_ctx, label, u->button_px, 1, u->lang, &lw, &lh);
        int total = is + u->gap + lw;
        int x = total < inner.w ? inner.x + (inner.w - total) / 2 : inner.x;
        kv_icon(v, (krect){x, r.y + (r.h - is) / 2, is, is}, icon, ink);
        inner.x = x + is + u->gap;
        inner.w = r.x + r.w - u->gap - inner.x;
        kv_text(v, u, inner, label, u->button_px, u->small_px, ink,
                KT_LEFT | KT_MIDDLE | KT_BOLD | KT_WRAP | trim);
    } else {
        kv_text(v, u, inner, label, u->button_px, u->small_px, ink,
                KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP | trim);
    }
    kv_hit(v, u, id, r);
}

/* Where a choice button puts its icon, title and subtitle inside r: the
 * icon goes first when the button is short. */
static void choice_parts(const kui *u, krect r, int *is, krect *title, krect *sub)
{
    int g = u->gap;
    krect in = krect_inset(r, g * 3);
    int th = kui_line(u, u->title_px) * 2, sh = kui_line(u, u->body_px) * 2;
    int icon = u->title_px * 2;
    if (icon + th + sh + 2 * g > in.h) {
        icon = in.h - th - sh - 2 * g;
        if (icon < u->body_px * 3 / 2)
            icon = 0;
    }
    if (!icon && th + sh + g > in.h) {
        /* Short: the title keeps its two lines, the subtitle what is left. */
        sh = kui_line(u, u->label_min) * 5 / 4;
        th = in.h - sh - g;
        if (th < kui_line(u, u->label_min)) {
            /* No room for both: the title alone (the subtitle only
             * repeats it in other words). */
            th = in.h;
            sh = 0;
        }
    }
    int y = in.y + (in.h - (icon + th + sh + (icon ? 2 * g : g))) / 2;
    *is = icon;
    if (icon)
        y += icon + g;
    *title = (krect){in.x, y, in.w, th};
    *sub = (krect){in.x, y + th + g, in.w, sh};
}

/* Draws one choice button with its texts at the given sizes. */
static void choice_draw(kview *v, const kui *u, const char *id, krect r, const char *title,
                        const char *subtitle, int icon, int primary, int tpx, int spx)
{
    kcolor fill = primary ? KC_ACCENT : KC_SURFACE;
    kcolor ink = primary ? KC_ON_ACCENT : KC_ACCENT;
    kcolor sub = primary ? KC_ON_ACCENT : KC_MUTED;
    int g = u->gap, is;
    krect tr, sr;
    kv_frame(v, r, fill, KC_ACCENT, 3, g * 3);
    choice_parts(u, r, &is, &tr, &sr);
    if (is)
        kv_icon(v, (krect){r.x + (r.w - is) / 2, tr.y - g - is, is, is}, icon, ink);
    kv_text(v, u, tr, title, tpx, tpx, ink, KT_CENTER | KT_BOTTOM | KT_BOLD | KT_WRAP | KT_BODY);
    if (sr.h > 0 && spx > 0)   /* a subtitle with no room is left out */
        kv_text(v, u, sr, subtitle, spx, spx, sub, KT_CENTER | KT_TOP | KT_WRAP);
    kv_hit(v, u, id, r);
}

void kw_choice(kview *v, const kui *u, const char *id, krect r, const char *title,
               const char *subtitle, int icon, int primary)
{
    int is;
    krect tr, sr;
    choice_parts(u, r, &is, &tr, &sr);
    int tpx = kv_fit(u, tr, title, u->title_px * 5 / 4, u->label_min,
                     KT_BOLD | KT_WRAP | KT_BODY, NULL);
    if (tpx < 0)
        tpx = u->label_min;
    int spx = kv_fit(u, sr, subtitle, u->body_px, u->label_min, KT_WRAP, NULL);
    choice_draw(v, u, id, r, title, subtitle, icon, primary, tpx, spx);
}

void kw_choices2(kview *v, const kui *u, const char *id1, krect r1, const char *title1,
                 const char *sub1, int icon1, const char *id2, krect r2, const char *title2,
                 const char *sub2, int icon2)
{
    int is;
    krect tr, sr;
    /* Both buttons are the same size: fit both texts in the first's boxes
     * and draw both at the smaller size, so the pair reads as equals. */
    choice_parts(u, r1, &is, &tr, &sr);
    int t1 = kv_fit(u, tr, title1, u->title_px * 5 / 4, u->label_min,
                    KT_BOLD | KT_WRAP | KT_BODY, NULL);
    int t2 = kv_fit(u, tr, title2, u->title_px * 5 / 4, u->label_min,
                    KT_BOLD | KT_WRAP | KT_BODY, NULL);
    int s1 = kv_fit(u, sr, sub1, u->body_px, u->label_min, KT_WRAP, NULL);
    int s2 = kv_fit(u, sr, sub2, u->body_px, u->label_min, KT_WRAP, NULL);
    int tpx = t1 < 0 || t2 < 0 ? u->label_min : t1 < t2 ? t1 : t2;
    int spx = s1 < 0 || s2 < 0 ? -1 : s1 < s2 ? s1 : s2;
    choice_draw(v, u, id1, r1, title1, sub1, icon1, 1, tpx, spx);
    choice_draw(v, u, id2, r2, title2, sub2, icon2, 0, tpx, spx);
}

/* 1 if a key id types a character (not space, shift, enter...). */
static int key_types_char(const char *id)
{
    static const char *const special[] = {KID_KEY_SPACE, KID_KEY_BACKSPACE, KID_KEY_SHIFT,
                                          KID_KEY_ENTER, KID_KEY_LAYOUT};
    if (!kid_rest(id, KID_KEY_))
        return 0;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(id, special[i]) == 0)
            return 0;
    return 1;
}

void kw_pressed(kview *v, const kui *u)
{
    if (!u->pressed || !u->pressed[0])
        return;
    const khit *h = kview_find(v, u->pressed);
    if (!h)
        return;
    krect k = h->r;
    snprintf(v->pressed, sizeof v->pressed, "%s", h->id);
    int rad = u->gap * 2 < k.h / 4 ? u->gap * 2 : k.h / 4;
    kv_rect(v, k, KC_PRESSED, rad);
    if (!key_types_char(h->id))
        return;
    /* The key's label is the text drawn inside it. */
    const char *label = NULL;
    for (int i = 0; i < v->nops && !label; i++) {
        const kop *op = &v->ops[i];
        if (op->kind == KOP_TEXT && krect_contains(k, op->r.x + op->r.w / 2, op->r.y + op->r.h / 2))
            label = kview_op_text(v, op);
    }
    if (!label || !label[0] || strlen(label) > 16)
        return;
    char text[20];
    snprintf(text, sizeof text, "%s", label);
    /* A bubble above the finger, wider and taller than the key, kept in
     * the window (beside the key on the top row). */
    int g = u->gap;
    int bw = k.w * 3 / 2 > u->t * 3 / 2 ? k.w * 3 / 2 : u->t * 3 / 2;
    int bh = k.h * 3 / 2 > u->t * 3 / 2 ? k.h * 3 / 2 : u->t * 3 / 2;
    krect b = {k.x + (k.w - bw) / 2, k.y - bh - g, bw, bh};
    if (b.y < 0)
        b.y = 0;
    if (b.x < 0)
        b.x = 0;
    if (b.x + b.w > v->w)
        b.x = v->w - b.w;
    kv_rect(v, (krect){b.x + 2, b.y + 3, b.w, b.h}, KC_PRESSED, g * 2);   /* shadow */
    kv_frame(v, b, KC_SURFACE, KC_ACCENT, 2, g * 2);
    kv_text(v, u, krect_inset(b, g), text, u->title_px * 3 / 2, u->title_min, KC_INK,
            KT_CENTER | KT_MIDDLE | KT_TITLE);
}

void kw_split_keyboard(const kui *u, krect area, int rows, krect *content, krect *keyboard)
{
    int g = u->gap;
    if (u->w >= u->h * 6 / 5 && u->w <= KW_WIDE_PX) {
        /* A short landscape screen (the 7" Pi, 800x480): the keyboard on
         * the right, at least 10 keys of u->t wide; along the bottom its
         * five rows of 9 mm keys would leave less than a field's height. */
        int min_w = 10 * u->t + 11 * g;
        int kw = u->w * 11 / 20;
        if (kw < min_w)
            kw = min_w;
        *content = (krect){area.x + 2 * g, area.y + g, area.w - kw - 3 * g, area.h - 2 * g};
        int kh = rows * (kw / 10) + (rows + 1) * g;
        if (kh > area.h - 2 * g)
            kh = area.h - 2 * g;
        *keyboard = (krect){area.x + area.w - kw - g, area.y + area.h - kh - g, kw, kh};
    } else {
        /* Wide landscape and portrait screens: the keyboard spans the
         * width along the bottom, inside the margins, the content above
         * it.  Keys are about half as tall as wide on landscape screens,
         * as tall as an eleventh of the width on portrait ones (at least a touch target), and the
         * keyboard never takes more than half of the area. */
        int kw = area.w - 4 * g;
        int key_h = u->w > u->h ? kw / 22 : kw / 11 - g;
        if (key_h < u->t)
            key_h = u->t;
        if (rows * (key_h + g) + g > area.h / 2 && (area.h / 2 - g) / rows - g >= u->t)
            key_h = (area.h / 2 - g) / rows - g;
        int kh = rows * (key_h + g) + g;
        *keyboard = (krect){area.x + 2 * g, area.y + area.h - kh - 2 * g, kw, kh};
        *content = (krect){area.x + 2 * g, area.y + 2 * g, kw, area.h - kh - 6 * g};
    }
}

/* Label for a special key. */
static const char *special_label(const kui *u, const kflow *f, const kkey *k, int *icon)
{
    *icon = -1;
    switch (k->kind) {
    case KKEY_SHIFT:
        *icon = KICON_SHIFT;
        return "";
    case KKEY_BACKSPACE:
        *icon = KICON_BACKSPACE;
        return "";
    case KKEY_SPACE:
        *icon = KICON_SPACE;
        return "";
    case KKEY_ENTER:
        if (f->screen == KS_FORM && f->visit.focus == KF_COUNT - 1)
            return TR(u, "Done");
        return f->screen == KS_FORM ? TR(u, "Next") : "";
    case KKEY_LAYOUT:
        /* names the layout it switches to */
        return kflow_next_layout(f)->label;
    case KKEY_TELEX:
        return f->visit.telex ? TR(u, "Telex: on") : TR(u, "Telex: off");
    default:
        return NULL;
    }
}

/* The long-press popup: the accented forms of the held key, in a row
 * (or rows) just above it, each as large as a key of the keyboard; the
 * keyboard's own keys stop answering while it shows. */
static void accent_popup(kview *v, const kui *u, const kflow *f, krect r, int hits_before)
{
    int g = u->gap, n = f->visit.nvariants;
    /* the held key's place and size (its hit is still in the list) */
    krect held = {r.x + r.w / 2 - u->t / 2, r.y + r.h / 2, u->t, u->t};
    for (int i = hits_before; i < v->nhits; i++)
        if (strcmp(v->hits[i].id, f->visit.variant_key) == 0)
            held = v->hits[i].r;
    v->nhits = hits_before;
    int kw = held.w > u->t + g ? held.w : u->t + g;
    int kh = held.h > u->t + g ? held.h : u->t + g;
    /* Inside the keyboard (the fields around it keep answering: a tap
     * there closes the popup), above the key, or below it on the top
     * row. */
    int cols = (r.w - 2 * g) / (kw + g);
    if (cols > n)
        cols = n;
    if (cols < 1)
        cols = 1;
    int rows = (n + cols - 1) / cols;
    int pw = cols * (kw + g) + g, ph = rows * (kh + g) + g;
    krect p = {held.x + held.w / 2 - pw / 2, held.y - ph, pw, ph};
    if (p.x + p.w > r.x + r.w - g)
        p.x = r.x + r.w - g - p.w;
    if (p.x < r.x + g)
        p.x = r.x + g;
    /* Above the key; over the keyboard's top edge only where nothing
     * tappable is there (the empty room over a side keyboard). */
    int blocked = p.y < 2 * g;
    for (int i = 0; i < hits_before && !blocked; i++)
        blocked = krect_overlap(krect_inset(p, -g), v->hits[i].r);
    if (blocked && p.y < r.y - g)
        p.y = r.y - g;
    if (p.y + p.h > held.y + held.h / 2)
        p.y = held.y + held.h;   /* no room above (the top row): just under the key */
    if (p.y + p.h > r.y + r.h)
        p.y = r.y + r.h - p.h;
    kv_rect(v, krect_inset(p, -g), KC_SCRIM, g * 2);
    kv_frame(v, p, KC_SURFACE, KC_ACCENT, 2, g * 2);
    for (int i = 0; i < n; i++) {
        krect k = {p.x + g + (i % cols) * (kw + g), p.y + g + (i / cols) * (kh + g), kw, kh};
        char id[48], t[8];
        kflow_variant_id(f, i, id, sizeof id);
        kutf8_put(f->visit.variants[i], t);
        kv_frame(v, k, KC_KEY, KC_BORDER, 1, g);
        kv_text(v, u, krect_inset(k, 2), t, u->title_px, u->label_min, KC_INK,
                KT_CENTER | KT_MIDDLE);
        kv_hit(v, u, id, k);
    }
}

/* Width of a row of keys in key units (the layout key only counts when
 * there is another layout to switch to). */
static float row_units(const klayout *l, int row, int nlayouts)
{
    float units = 0;
    for (int i = 0; i < l->rowlen[row]; i++) {
        const kkey *k = &l->rows[row][i];
        if (k->kind != KKEY_LAYOUT || nlayouts >= 2)
            units += k->width > 0 ? k->width : 1;
    }
    return units;
}

int kw_keyboard_rows(const kflow *f)
{
    const klayout *l = kflow_layout(f, NULL);
    return l->nrows + (l->compose == KCOMPOSE_TELEX ? 1 : 0);
}

/* The suggestion strip over a Telex keyboard: the word as Telex wrote it,
 * and beside it the letters as typed (cand-typed), which a tap puts back,
 * as phone keyboards offer.  Empty while Telex changed nothing. */
static void suggestion_strip(kview *v, const kui *u, const kflow *f, krect r)
{
    char typed[KCOMPOSE_WORD_MAX * 4 + 1], composed[KCOMPOSE_WORD_MAX * 4 + 1];
    if (!kflow_typed_suggestion(f, typed, sizeof typed, composed, sizeof composed))
        return;
    int g = u->gap;
    krect left = {r.x + g, r.y, r.w / 2 - g * 3 / 2, r.h};
    krect right = {r.x + r.w / 2 + g / 2, r.y, r.w / 2 - g * 3 / 2, r.h};
    kv_text(v, u, krect_inset(left, 2), composed, u->button_px, u->small_px * 3 / 4, KC_MUTED,
            KT_CENTER | KT_MIDDLE | KT_TRIM);
    kv_frame(v, right, KC_KEY, KC_ACCENT, 2, g);
    kv_text(v, u, krect_inset(right, 2), typed, u->button_px, u->small_px * 3 / 4, KC_INK,
            KT_CENTER | KT_MIDDLE | KT_BOLD | KT_TRIM);
    kv_hit(v, u, KID_CAND_TYPED, right);
}

void kw_keyboard(kview *v, const kui *u, const kflow *f, krect r)
{
    int hits_before = v->nhits;
    int nlayouts;
    const klayout *l = kflow_layout(f, &nlayouts);
    int g = u->gap;
    kv_rect(v, r, KC_KEYBOARD, g);
    if (l->compose == KCOMPOSE_TELEX && (r.h - g) / (l->nrows + 1) - g >= u->t) {
        /* the top row's room holds the suggestion strip (where the screen
         * gave the keyboard that row: kw_keyboard_rows) */
        int sh = (r.h - g) / (l->nrows + 1);
        suggestion_strip(v, u, f, (krect){r.x, r.y + g, r.w, sh - g});
        r.y += sh;
        r.h -= sh;
    }
    float max_units = 0;
    for (int row = 0; row < l->nrows; row++)
        if (row_units(l, row, nlayouts) > max_units)
            max_units = row_units(l, row, nlayouts);
    if (max_units < 10 && l->nrows > 4)
        max_units = 10;
    float unit = (r.w - g) / max_units;
    /* A numeric pad keeps keys from growing wider than two targets. */
    if (unit > 2.2f * u->t)
        unit = 2.2f * u->t;
    int key_h = (r.h - g) / l->nrows - g;
    for (int row = 0; row < l->nrows; row++) {
        float units = row_units(l, row, nlayouts);
        float x = r.x + g / 2.0f + (r.w - g - units * unit) / 2.0f;
        int y = r.y + g + row * (key_h + g);
        for (int i = 0; i < l->rowlen[row]; i++) {
            const kkey *k = &l->rows[row][i];
            if (k->kind == KKEY_LAYOUT && nlayouts < 2)
                continue;
            float kw = (k->width > 0 ? k->width : 1) * unit;
            krect kr = {(int)(x + g / 2.0f), y, (int)(kw - g), key_h};
            x += kw;
            char id[48];
            kosk_key_id(k, f->visit.shift, id, sizeof id);
            int icon;
            const char *label = special_label(u, f, k, &icon);
            int special = label != NULL;
            if (!label)
                label = kosk_key_text(k, f->visit.shift);
            kcolor fill = special ? KC_KEY_SPECIAL : KC_KEY;
            if ((k->kind == KKEY_SHIFT && f->visit.shift) || (k->kind == KKEY_TELEX && f->visit.telex))
                fill = KC_ACCENT;
            if (k->kind == KKEY_ENTER && f->screen == KS_FORM)
                fill = KC_ACCENT;
            kcolor ink = (fill.r == KC_ACCENT.r && fill.g == KC_ACCENT.g) ? KC_ON_ACCENT : KC_INK;
            kv_rect(v, kr, fill, g);
            if (icon >= 0) {
                int is = key_h / 2 < kr.w / 2 ? key_h / 2 : kr.w / 2;
                kv_icon(v, (krect){kr.x + (kr.w - is) / 2, kr.y + (kr.h - is) / 2, is, is},
                        icon, ink);
            } else if (k->kind == KKEY_ENTER && !label[0]) {
                int is = key_h / 2;
                kv_icon(v, (krect){kr.x + (kr.w - is) / 2, kr.y + (kr.h - is) / 2, is, is},
                        KICON_ENTER, ink);
            } else {
                /* Letters as large as the key allows: jamo and accented
                 * vowels must read at arm's length. */
                int px = special ? u->small_px : u->title_px;
                kv_text(v, u, krect_inset(kr, 2), label, px, u->label_min, ink,
                        KT_CENTER | KT_MIDDLE | (special ? KT_WRAP : 0));
            }
            kv_hit(v, u, id, kr);
        }
    }
    if (f->visit.nvariants > 0)
        accent_popup(v, u, f, r, hits_before);
}

/* Height of a field's label line (and of its message line). */
static int label_h(const kui *u)
{
    int lh = kui_line(u, kui_floor_px(u, u->label_min));
    return lh > u->label_min * 5 / 4 ? lh : u->label_min * 5 / 4;
}

int kw_field_height(const kui *u, int compact)
{
    if (compact) {
        /* A label band a line of the language tall, a value band a Latin
         * line at the label floor (names are typed in Latin letters where
         * the language has no layout). */
        int vh = u->label_min * 7 / 5;
        int lh = kui_line(u, kui_floor_px(u, u->label_min));
        if (vh < lh)
            vh = lh;   /* a name typed in the language's script */
        int h = label_h(u) + vh + 2;
        return h > u->t ? h : u->t;
    }
    return label_h(u) + u->t + u->gap + label_h(u);
}

/* The value of a field as shown: typed text plus any input-method text
 * still being composed. */
static const char *field_display(const char *value, const char *preedit, char *buf,
                                 size_t cap)
{
    snprintf(buf, cap, "%s%s", value ? value : "", preedit ? preedit : "");
    return buf;
}

int kw_field(kview *v, const kui *u, const char *id, krect r, const char *label,
             const char *value, const char *preedit, int focused, const char *msg,
             int compact)
{
    int g = u->gap;
    int lh = label_h(u);
    kcolor border = msg ? KC_ERROR : focused ? KC_ACCENT : KC_BORDER;
    char shown[1024];
    field_display(value, focused ? preedit : NULL, shown, sizeof shown);
    krect box;
    if (compact) {
        /* The label in small print along the top of the box, always (a
         * message does not take its place); a message goes under the box
         * when the caller gave the field more than its box's height. */
        box = (krect){r.x, r.y, r.w, kw_field_height(u, 1)};
        kv_frame(v, box, KC_SURFACE, border, focused || msg ? 3 : 2, g);
        int top = lh;
        int mark = msg ? lh : 0;   /* the "!" mark's room at the right */
        krect lr = {box.x + g * 2, box.y + 2, box.w - g * 4 - mark, top};
        krect vr = {box.x + g * 2, box.y + top, box.w - g * 4, box.h - top - 2};
        kv_text(v, u, lr, label, u->label_min, u->label_min, msg ? KC_ERROR : KC_MUTED,
                KT_LEFT | KT_TOP | KT_TRIM | KT_BOLD);
        if (msg)
            kv_icon(v, (krect){box.x + box.w - g - mark, box.y + 3, mark - 2, mark - 2},
                    KICON_ALERT, KC_ERROR);
        /* A short screen's field is narrow: typed text may take the caption
         * floor before its start is cut. */
        if (shown[0])
            kv_text(v, u, vr, shown, u->body_px, u->min_px, KC_INK,
                    KT_LEFT | KT_MIDDLE | KT_TAIL | KT_SMALL | (focused ? KT_CARET : 0));
        else if (focused)
            kv_rect(v, (krect){vr.x, vr.y + vr.h / 6, 3, vr.h * 2 / 3}, KC_INK, 0);
        kv_hit(v, u, id, box);
        int used = box.h;
        if (msg && r.h - box.h - 1 >= kui_line(u, kui_floor_px(u, u->label_min))) {
            krect mr = {r.x, box.y + box.h + 1, r.w, r.h - box.h - 1};
            used += 1 + kv_text(v, u, mr, msg, u->label_min, u->label_min, KC_ERROR,
                                KT_LEFT | KT_TOP | KT_WRAP);
        }
        return used;
    }
    if (!label[0])
        lh = 0;   /* no label: the box at the top (the question above names it) */
    else
        kv_text(v, u, (krect){r.x, r.y, r.w, lh}, label, u->label_min, u->label_min, KC_MUTED,
                KT_LEFT | KT_BOTTOM | KT_BOLD | KT_TRIM);
    box = (krect){r.x, r.y + lh, r.w, u->t + g};
    kv_frame(v, box, KC_SURFACE, border, focused || msg ? 3 : 2, g);
    krect inner = {box.x + g * 2, box.y, box.w - g * 4, box.h};
    if (msg) {
        /* more than colour: a "!" mark at the box's end */
        int is = box.h / 2;
        kv_icon(v, (krect){box.x + box.w - g * 2 - is, box.y + (box.h - is) / 2, is, is},
                KICON_ALERT, KC_ERROR);
        inner.w -= is + g;
    }
    if (shown[0])
        kv_text(v, u, inner, shown, u->body_px, u->small_px * 3 / 4, KC_INK,
                KT_LEFT | KT_MIDDLE | KT_TAIL | (focused ? KT_CARET : 0));
    else if (focused)
        kv_rect(v, (krect){inner.x, inner.y + inner.h / 4, 3, inner.h / 2}, KC_INK, 0);
    kv_hit(v, u, id, box);
    if (msg)
        kv_text(v, u, (krect){r.x, box.y + box.h + 1, r.w, label_h(u)}, msg, u->small_px,
                u->label_min, KC_ERROR, KT_LEFT | KT_TOP | KT_BOLD | KT_WRAP);
    return lh + box.h + (lh ? lh : 0);
}

int kw_banner(kview *v, const kui *u, krect r, const char *msg)
{
    if (!msg)
        return 0;
    kv_frame(v, r, KC_ERROR_BG, KC_ERROR, 2, u->gap);
    kv_text(v, u, (krect){r.x + u->gap * 2, r.y + 2, r.w - u->gap * 4, r.h - 4}, msg,
            u->body_px, u->label_min, KC_ERROR, KT_CENTER | KT_MIDDLE | KT_BOLD | KT_WRAP);
    return r.h;
}

void kw_still_there(kview *v, const kui *u, const kflow *f)
{
    if (!f->still_there)
        return;
    /* The prompt takes every tap: nothing underneath answers, and what
     * the person typed is hidden behind an opaque backdrop (the next
     * person in line may already be looking). */
    v->nhits = 0;
    /* Nothing underneath shows through the backdrop: dropped, so it is
     * neither drawn (a full-screen draw saved each frame of the
     * countdown) nor read back as on screen (replay's texts, expect). */
    v->nops = 0;
    v->ntexts = 0;
    kv_rect(v, (krect){0, 0, u->w, u->h}, KC_BG, 0);
    int g = u->gap, bh = u->t + g * 3;
    long left = (KIOSK_STILL_THERE_MS - (f->now_ms - f->still_there_since) + 999) / 1000;
    if (left < 0)
        left = 0;
    char msg[512], num[24];
    snprintf(num, sizeof num, "%ld", left);
    kv_subst(msg, sizeof msg,
             TRN(u, "To keep your information private, this screen starts over in {n} second.",
                 "To keep your information private, this screen starts over in {n} seconds.",
                 left),
             "{n}", num);
    int landscape = u->w >= u->h * 6 / 5;
    krect in = {g * 4, g * 3, u->w - g * 8, u->h - g * 6};
    int title_h = kui_line(u, u->title_px) + g;
    /* The buttons: side by side at the two ends of a landscape screen,
     * stacked far apart on a portrait one. */
    krect keep, over;
    if (landscape) {
        int w = in.w * 2 / 5;
        keep = (krect){in.x + in.w - w, in.y + in.h - bh, w, bh};
        over = (krect){in.x, in.y + in.h - bh, w, bh};
    } else {
        keep = (krect){in.x, in.y + in.h - 2 * bh - g * 6, in.w, bh};
        over = (krect){in.x, in.y + in.h - bh, in.w, bh};
    }
    int top_of_buttons = keep.y < over.y ? keep.y : over.y;
    int msg_h = kui_line(u, u->body_px) * 2;
    int room = top_of_buttons - in.y - g * 3;           /* title, ring and message */
    int avail = room - title_h - g - msg_h - g * 2;
    /* The seconds left, as large as the room allows (up to a third of a
     * portrait screen's width more than a landscape one's), in a ring. */
    int d = avail < in.w ? avail : in.w;
    int dmax = landscape ? u->t * 4 : u->t * 6;
    if (d > dmax)
        d = dmax;
    if (d < u->t)
        d = 0;
    /* Title, ring and message as one group, centred in their room. */
    int group = title_h + g + (d ? d + g * 2 : 0) + msg_h;
    int y = in.y + (room - group) / 2;
    if (y < in.y)
        y = in.y;
    kv_text(v, u, (krect){in.x, y, in.w, title_h}, TR(u, "Still there?"), u->title_px * 3 / 2,
            u->title_min, KC_INK, KT_CENTER | KT_MIDDLE | KT_BOLD);
    y += title_h + g;
    if (d) {
        krect ring = {u->w / 2 - d / 2, y, d, d};
        kv_frame(v, ring, KC_SURFACE, KC_ACCENT, d / 14 > 3 ? d / 14 : 3, d / 2);
        kv_text(v, u, krect_inset(ring, d / 6), num, d / 2, u->title_min, KC_ACCENT,
                KT_CENTER | KT_MIDDLE | KT_BOLD | KT_TITLE);
        y += d + g * 2;
    }
    kv_text(v, u, (krect){in.x, y, in.w, msg_h + g}, msg, u->body_px, u->label_min, KC_INK,
            KT_CENTER | KT_TOP | KT_WRAP);
    kw_button(v, u, KID_STILL_HERE, keep, TR(u, "I'm still here"), KB_PRIMARY, -1);
    kw_button(v, u, KID_START_OVER, over, TR(u, "Start over"), KB_SECONDARY, -1);
}
