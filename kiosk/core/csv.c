/*
 * csv.c - the strict RFC 4180 reader (see csv.h).
 *
 * One function, kcsv_next, reads one field: an optional quoted part, then
 * anything up to a comma, a line end or the end of the data.  Every byte
 * goes through advance(), which keeps line and col in step with pos, so a
 * position taken before reading a byte is that byte's position.  Content
 * is taken a character at a time (take_char), which is where UTF-8 is
 * checked when asked for: a valid sequence is copied whole, a bad byte is
 * reported and copied alone, so reading always moves forward.
 *
 * Record boundaries: a field ending in a comma is always followed by one
 * more field, even at the end of the data ("a," is two fields); a field
 * ending in a line end or at the end of the data ends its record.  At the
 * end of the data with no comma pending, there is no further field, so a
 * final line end does not make an empty last record.
 */
#include "csv.h"

#include <string.h>

/* ---- static functions ---------------------------------------------------- */

/* Moves past data[pos], updating line and column. */
static void advance(kcsv *r)
{
    unsigned char c = (unsigned char)r->data[r->pos++];
    if (c == '\n' ||
        (c == '\r' && (r->pos >= r->len || r->data[r->pos] != '\n'))) {
        r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        r->col++;   /* a continuation byte belongs to the previous column */
    }
}

/* Appends one byte to the field's content, or marks it truncated. */
static void emit(char *out, size_t cap, kcsv_field *f, char c)
{
    if (f->len + 1 < cap)
        out[f->len++] = c;
    else
        f->truncated = 1;
}

/* Records the field's first syntax error at the reader's position. */
static void fail(const kcsv *r, kcsv_field *f, int code, const char *msg)
{
    if (!f->error) {
        f->error = msg;
        f->error_code = code;
        f->error_line = r->line;
        f->error_col = r->col;
    }
}

/* Copies the character at pos into the field, checking it if asked. */
static void take_char(kcsv *r, char *out, size_t cap, kcsv_field *f)
{
    const unsigned char *p = (const unsigned char *)r->data + r->pos;
    int n = 1;

    if (r->check_utf8 && (*p == 0 || *p >= 0x80)) {
        n = kcsv_utf8_len(p, r->len - r->pos);
        if (*p == 0)
            fail(r, f, KCSV_NUL, "nul byte (this is not a text file)");
        else if (n == 0)
            fail(r, f, KCSV_BAD_UTF8, "invalid utf-8 (the file may be in "
                 "another encoding: save it as \"CSV UTF-8\")");
        if (n == 0)
            n = 1;
    }
    while (n-- > 0) {
        emit(out, cap, f, r->data[r->pos]);
        advance(r);
    }
}

/* ---- global functions ---------------------------------------------------- */

/* Starts reading, skipping a UTF-8 byte order mark. */
void kcsv_init(kcsv *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    r->col = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

/* Reads the next field (see csv.h). */
int kcsv_next(kcsv *r, char *out, size_t cap, kcsv_field *f)
{
    memset(f, 0, sizeof *f);
    if (cap > 0)
        out[0] = '\0';
    if (r->pos >= r->len && !r->after_comma)
        return 0;
    r->after_comma = 0;
    f->line = r->line;
    f->col = r->col;

    if (r->pos < r->len && r->data[r->pos] == '"') {
        int closed = 0;
        f->quoted = 1;
        advance(r);
        while (r->pos < r->len) {
            if (r->data[r->pos] == '"') {
                advance(r);
                if (r->pos < r->len && r->data[r->pos] == '"') {
                    emit(out, cap, f, '"');
                    advance(r);
                    continue;
                }
                closed = 1;
                break;
            }
            take_char(r, out, cap, f);
        }
        if (!closed) {
            /* Reported where the quote opened: that is what to fix. */
            f->error = "quoted field is never closed (a \" is missing)";
            f->error_code = KCSV_UNCLOSED;
            f->error_line = f->line;
            f->error_col = f->col;
            f->end_of_record = 1;
            goto done;
        }
    }

    /* The unquoted field, or what follows a closing quote. */
    while (r->pos < r->len) {
        char c = r->data[r->pos];
        if (c == ',' || c == '\n' || c == '\r')
            break;
        if (f->quoted)
            fail(r, f, KCSV_AFTER_QUOTE,
                 "text after the closing quote of a quoted field");
        else if (c == '"')
            fail(r, f, KCSV_QUOTE_INSIDE,
                 "quote inside a field that does not start with one "
                 "(quote the whole field and write the quote twice)");
        take_char(r, out, cap, f);
    }

    if (r->pos >= r->len) {
        f->end_of_record = 1;
    } else if (r->data[r->pos] == ',') {
        advance(r);
        r->after_comma = 1;
    } else if (r->data[r->pos] == '\n') {
        advance(r);
        f->end_of_record = 1;
    } else { /* '\r' */
        if (r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')
            advance(r);
        else
            fail(r, f, KCSV_BARE_CR, "carriage return without a line feed "
                 "(save the file as \"CSV UTF-8\")");
        advance(r);
        f->end_of_record = 1;
    }
done:
    if (cap > 0)
        out[f->len] = '\0';
    return 1;
}

/* Line and column of data[offset], as the reader counts them. */
void kcsv_locate(const char *data, size_t len, size_t offset, int *line,
                 int *col)
{
    kcsv r;
    kcsv_init(&r, data, len);
    if (offset > len)
        offset = len;
    while (r.pos < offset)
        advance(&r);
    *line = r.line;
    *col = r.col;
}

/* Length of the valid UTF-8 sequence at p, or 0 (see csv.h). */
int kcsv_utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c;
    unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the 2nd byte */
    int n;

    if (avail == 0)
        return 0;
    c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F;          /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;          /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (avail < (size_t)n || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}
