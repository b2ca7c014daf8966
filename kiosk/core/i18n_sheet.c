/*
 * i18n_sheet.c - writes the review workbook (see i18n_sheet.h).
 *
 * Row heights: Excel does not grow a row for wrapped text written by a
 * program, so each row is given the height of its longest cell, estimated
 * from the column widths (a Han, Kana or Hangul character counts two
 * columns, a combining mark none).
 */
#include "i18n_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "utf8.h"

enum { COL_KEY, COL_EN, COL_CUR, COL_FIX, COL_NOTE, COL_OK, COL_STATE, COL_SCREENS,
       COL_PLACE, COL_ID, COL_FIT, NCOLS };

static const double col_width[NCOLS] = {26, 40, 40, 40, 26, 9, 16, 18, 24, 10, 10};
static const char *const col_head[NCOLS] = {
    "Key / context", "English", "Current translation", "Your correction (leave empty if right)",
    "Note (optional)", "Right as it is? (x)", "Review state", "Screens where it appears",
    "Widest place at 800x480", "id", "fit"};

/* Columns a UTF-8 text takes in a spreadsheet cell, roughly. */
static int text_columns(const char *s, int *longest_line)
{
    int col = 0, best = 0;
    while (*s) {
        int len = 1;
        long cp = kutf8_decode(s, &len);
        if (len < 1)
            len = 1;
        if (cp == '\n') {
            if (col > best)
                best = col;
            col = 0;
        } else if (cp >= 0x1100 && ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                                    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                                    (cp >= 0xff00 && cp <= 0xff60))) {
            col += 2;
        } else if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x17b4 && cp <= 0x17d3) ||
                   (cp >= 0x0eb1 && cp <= 0x0ecd && cp != 0x0eb2 && cp != 0x0eb3)) {
            /* combining marks and dependent vowels take no column of their own */
        } else {
            col++;
        }
        s += len;
    }
    if (col > best)
        best = col;
    *longest_line = best;
    return best;
}

/* Lines the text needs in a column of width w characters. */
static int lines_in(const char *s, double w)
{
    int lines = 0;
    const char *p = s;
    char buf[4096];
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        int longest;
        int cols = text_columns(buf, &longest);
        lines += cols == 0 ? 1 : (int)((cols * 1.1) / (w - 1)) + 1;
        p = nl ? nl + 1 : p + strlen(p);
    }
    return lines ? lines : 1;
}

void ksheet_places_encode(const kreview_item *it, char *buf, size_t cap)
{
    size_t at = 0;
    if (cap)
        buf[0] = '\0';
    for (int i = 0; i < it->nplaces && at < cap; i++) {
        const kreview_place *p = &it->place[i];
        int n = snprintf(buf + at, cap - at, "%s%d,%d,%d,%d,%d,%s", i ? ";" : "", p->w, p->h,
                         p->px, p->min_px, p->flags, p->screen);
        if (n < 0 || (size_t)n >= cap - at) {
            buf[at] = '\0';
            break;
        }
        at += (size_t)n;
    }
}

/* A person's description of the tightest box. */
static void describe_place(const kreview_item *it, char *buf, size_t cap)
{
    const kreview_place *p = kreview_tightest(it);
    if (!p) {
        snprintf(buf, cap, "not seen in the screen tours");
        return;
    }
    snprintf(buf, cap, "%d px wide, %d px high (%s); text %d px, may shrink to %d px%s", p->w,
             p->h, p->screen, p->px, p->min_px, p->flags & 32 ? ", may wrap" : ", one line");
}

/* The font that draws a language's script, for its cells. */
static const char *font_for(const char *code)
{
    if (strcmp(code, "km") == 0) return "Noto Sans Khmer";
    if (strcmp(code, "lo") == 0) return "Noto Sans Lao";
    if (strcmp(code, "ja") == 0) return "Noto Sans CJK JP";
    if (strcmp(code, "ko") == 0) return "Noto Sans CJK KR";
    if (strcmp(code, "zh-Hans") == 0) return "Noto Sans CJK SC";
    if (strcmp(code, "zh-Hant") == 0) return "Noto Sans CJK TC";
    return NULL;
}

/* 1 for a language written right to left. */
static int rtl(const char *code)
{
    static const char *const r[] = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", NULL};
    for (int i = 0; r[i]; i++)
        if (strncmp(code, r[i], strlen(r[i])) == 0 &&
            (code[strlen(r[i])] == '\0' || code[strlen(r[i])] == '-'))
            return 1;
    return 0;
}

typedef struct fmts {
    lxw_format *title, *head, *text, *tr, *input, *input_tr, *small, *hint, *name_label;
} fmts;

static lxw_format *wrapped(lxw_workbook *wb)
{
    lxw_format *f = workbook_add_format(wb);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static void make_formats(lxw_workbook *wb, const char *code, fmts *f)
{
    const char *font = font_for(code);
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    f->hint = wrapped(wb);
    format_set_italic(f->hint);
    f->name_label = workbook_add_format(wb);
    format_set_bold(f->name_label);
    format_set_align(f->name_label, LXW_ALIGN_RIGHT);
    f->head = wrapped(wb);
    format_set_bold(f->head);
    format_set_bg_color(f->head, 0xD9E2F3);
    format_set_border(f->head, LXW_BORDER_THIN);
    f->text = wrapped(wb);
    f->small = wrapped(wb);
    format_set_font_size(f->small, 9);
    format_set_font_color(f->small, 0x595959);
    f->tr = wrapped(wb);
    f->input = wrapped(wb);
    format_set_bg_color(f->input, 0xFFF2CC);
    format_set_border(f->input, LXW_BORDER_THIN);
    format_set_border_color(f->input, 0xBFBFBF);
    format_set_unlocked(f->input);
    f->input_tr = wrapped(wb);
    format_set_bg_color(f->input_tr, 0xFFF2CC);
    format_set_border(f->input_tr, LXW_BORDER_THIN);
    format_set_border_color(f->input_tr, 0xBFBFBF);
    if (font) {
        format_set_font_name(f->tr, font);
        format_set_font_name(f->input_tr, font);
    }
    if (rtl(code)) {
        format_set_reading_order(f->tr, 2);
        format_set_reading_order(f->input_tr, 2);
    }
}

static int write_lang(lxw_workbook *wb, const ksheet_lang *L, kerr *err)
{
    char name[32];
    snprintf(name, sizeof name, "%.30s", L->code);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return kerr_set(err, KERR_INVALID, "cannot add a sheet named %s", name);
    fmts f;
    make_formats(wb, L->code, &f);
    for (int c = 0; c < NCOLS; c++) {
        lxw_row_col_options hide = {.hidden = 1};
        worksheet_set_column_opt(ws, (lxw_col_t)c, (lxw_col_t)c, col_width[c], NULL,
                                 c >= COL_ID ? &hide : NULL);
    }
    char title[300];
    snprintf(title, sizeof title, "%s (%s): the kiosk's words, for review", L->name, L->code);
    worksheet_write_string(ws, 0, 0, title, f.title);
    worksheet_write_string(ws, 1, 0, "Your name:", f.name_label);
    worksheet_write_blank(ws, 1, 1, f.input);
    char hint[600];
    snprintf(hint, sizeof hint,
             "Read each sentence as a visitor at the door would. If it is wrong or clumsy, write "
             "a better one in column D (keep words in {braces} exactly as they are: the kiosk "
             "fills them in). If it is right, put x in column F. Pictures of the screens are on "
             "the sheet \"%s pictures\". Then send this file back.", L->code);
    worksheet_merge_range(ws, 2, 0, 2, COL_PLACE, hint, f.hint);
    worksheet_set_row(ws, 2, 48, NULL);
    for (int c = 0; c < NCOLS; c++)
        worksheet_write_string(ws, 3, (lxw_col_t)c, col_head[c], f.head);
    worksheet_set_row(ws, 3, 32, NULL);
    worksheet_freeze_panes(ws, 4, 1);
    char fit[KREVIEW_PLACES_MAX * 60], place[200];
    for (int i = 0; i < L->r->n; i++) {
        const kreview_item *it = &L->r->it[i];
        lxw_row_t row = (lxw_row_t)(KSHEET_FIRST_ROW - 1 + i);
        worksheet_write_string(ws, row, COL_KEY, it->label, f.small);
        worksheet_write_string(ws, row, COL_EN, it->english, f.text);
        worksheet_write_string(ws, row, COL_CUR, it->current, f.tr);
        worksheet_write_blank(ws, row, COL_FIX, f.input_tr);
        worksheet_write_blank(ws, row, COL_NOTE, f.input);
        worksheet_write_blank(ws, row, COL_OK, f.input);
        char state[300];
        if (it->state == KI18N_ST_REVIEWED && it->reviewer)
            snprintf(state, sizeof state, "reviewed by %s", it->reviewer);
        else if (it->state == KI18N_ST_STALE)
            snprintf(state, sizeof state, "stale: the English changed, check it");
        else
            snprintf(state, sizeof state, "%s", ki18n_state_name(it->state));
        worksheet_write_string(ws, row, COL_STATE, state, f.small);
        worksheet_write_string(ws, row, COL_SCREENS, it->screens[0] ? it->screens : "-",
                               f.small);
        describe_place(it, place, sizeof place);
        worksheet_write_string(ws, row, COL_PLACE, place, f.small);
        worksheet_write_string(ws, row, COL_ID, it->id, NULL);
        ksheet_places_encode(it, fit, sizeof fit);
        worksheet_write_string(ws, row, COL_FIT, fit, NULL);
        int lines = lines_in(it->english, col_width[COL_EN]);
        int l2 = lines_in(it->current, col_width[COL_CUR]);
        int l3 = lines_in(it->label, col_width[COL_KEY] * 1.2);
        if (l2 > lines)
            lines = l2;
        if (l3 > lines)
            lines = l3;
        /* Khmer and Lao lines are taller than Latin ones. */
        double per = font_for(L->code) && (L->code[0] == 'k' || L->code[0] == 'l') ? 21 : 16;
        worksheet_set_row(ws, row, lines * per + 4, NULL);
    }
    worksheet_autofilter(ws, 3, 0, (lxw_row_t)(3 + L->r->n), COL_PLACE);
    if (rtl(L->code))
        worksheet_right_to_left(ws);
    worksheet_activate(ws);
    return 0;
}

static int write_pictures(lxw_workbook *wb, const ksheet_lang *L, kerr *err)
{
    char name[32];
    snprintf(name, sizeof name, "%.20s pictures", L->code);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return kerr_set(err, KERR_INVALID, "cannot add a sheet named %s", name);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    char title[300];
    snprintf(title, sizeof title, "%s (%s): every screen of the tours at 800x480", L->name,
             L->code);
    worksheet_write_string(ws, 0, 0, title, bold);
    worksheet_set_column(ws, 0, 0, 70, NULL);
    lxw_row_t row = 2;
    for (int i = 0; i < L->nshots; i++) {
        worksheet_write_string(ws, row, 0, L->captions[i], bold);
        lxw_image_options o = {.x_scale = 0.6, .y_scale = 0.6, .x_offset = 4, .y_offset = 4,
                               .description = L->captions[i]};
        lxw_error e = worksheet_insert_image_opt(ws, row + 1, 0, L->shots[i], &o);
        if (e != LXW_NO_ERROR)
            return kerr_set(err, KERR_IO, "%s: %s", L->shots[i], lxw_strerror(e));
        row += 17;   /* 480 * 0.6 = 288 px = 14.4 rows of 20 px, and a caption */
    }
    if (L->nshots == 0)
        worksheet_write_string(ws, row, 0, "(no screenshots: the tours did not run)", NULL);
    return 0;
}

int ksheet_write(const char *path, const ksheet_lang *langs, int nlangs, kerr *err)
{
    lxw_workbook_options wo = {.constant_memory = 0, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &wo);
    if (!wb)
        return kerr_set(err, KERR_IO, "cannot create %s", path);
    int rc = 0;
    for (int i = 0; i < nlangs && !rc; i++)
        rc = write_lang(wb, &langs[i], err);
    for (int i = 0; i < nlangs && !rc; i++)
        rc = write_pictures(wb, &langs[i], err);
    if (nlangs > 0 && !rc) {
        /* The first language's sheet opens first. */
        lxw_worksheet *first = workbook_get_worksheet_by_name(wb, langs[0].code);
        if (first)
            worksheet_activate(first);
    }
    lxw_error e = workbook_close(wb);
    if (!rc && e != LXW_NO_ERROR)
        rc = kerr_set(err, KERR_IO, "cannot write %s: %s", path, lxw_strerror(e));
    return rc;
}
