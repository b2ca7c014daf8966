/*
 * csv.h - a strict RFC 4180 reader that knows where every field starts.
 *
 * The reader walks a buffer that the caller keeps alive and hands out one
 * field at a time, unescaped into the caller's buffer, with the line and
 * column where it starts and whether it ends its record.  It never
 * allocates and never stops at the first problem: a syntax error is
 * reported on the field it was found in (first error only), the field is
 * read as well as can be, and reading goes on, so a checker can list every
 * problem of a file in one pass.
 *
 * What it accepts (RFC 4180, plus what spreadsheets really write):
 *   - fields separated by commas, records ended by CRLF or LF; the last
 *     record may lack its line end;
 *   - a field in double quotes may hold commas, line ends and quotes
 *     written twice (""); its content is returned without the quotes and
 *     with "" turned into ", line ends kept as they were written;
 *   - a UTF-8 byte order mark at the very start (Excel's "CSV UTF-8") is
 *     skipped.
 * What it reports (field.error, at field.error_line:error_col):
 *   - a quote inside a field that does not start with one;
 *   - text after the closing quote of a quoted field;
 *   - a quoted field that is never closed (it runs to the end of the data);
 *   - a carriage return that is not followed by a line feed (it still ends
 *     the record, as old Mac spreadsheets meant it to);
 *   - if the caller sets check_utf8: bytes that are not valid UTF-8, and
 *     NUL bytes (the byte is still copied).
 *
 * Positions: lines count from 1 (LF, CRLF and a lone CR each end a line);
 * columns count characters (UTF-8 code points, so a Khmer or Chinese
 * character is one column, as in an editor) from 1 within the line.  A
 * field that spans lines starts where its quote is.  Invariant: line and
 * col always describe data[pos].
 */
#ifndef KIOSK_CSV_H
#define KIOSK_CSV_H

#include <stddef.h>

typedef struct kcsv {
    const char *data;
    size_t len;
    size_t pos;         /* next byte to read */
    int line, col;      /* position of data[pos] */
    int after_comma;    /* the previous field ended with a comma */
    int check_utf8;     /* set after kcsv_init to report invalid UTF-8 */
} kcsv;

/* What kcsv_field.error is about, for callers that treat some differently. */
enum kcsv_error {
    KCSV_OK,
    KCSV_QUOTE_INSIDE,     /* a quote in a field that does not start with one */
    KCSV_AFTER_QUOTE,      /* text after a closing quote */
    KCSV_UNCLOSED,         /* quoted field never closed */
    KCSV_BARE_CR,          /* carriage return without line feed */
    KCSV_BAD_UTF8,
    KCSV_NUL
};

typedef struct kcsv_field {
    size_t len;          /* bytes written to out, without the NUL */
    int line, col;       /* where the field starts (its quote if quoted) */
    int quoted;
    int end_of_record;   /* the last field of its record */
    int truncated;       /* out was too small; content cut at cap - 1 */
    const char *error;   /* first syntax problem in this field, or NULL */
    int error_code;      /* its enum kcsv_error */
    int error_line, error_col;
} kcsv_field;

/* Starts reading data[0..len); data must outlive the reader. */
void kcsv_init(kcsv *r, const char *data, size_t len);

/* Reads the next field into out (always NUL-terminated if cap > 0) and
 * describes it in *f.  Returns 1 if a field was read, 0 at the end of the
 * data.  An empty line is a record of one empty field. */
int kcsv_next(kcsv *r, char *out, size_t cap, kcsv_field *f);

/* Line and column of data[offset] (offset <= len), counted as the reader
 * counts them. */
void kcsv_locate(const char *data, size_t len, size_t offset, int *line,
                 int *col);

/* Length (1-4) of the valid UTF-8 sequence at p, of which avail bytes may
 * be read, or 0 if p does not start one (overlong forms, surrogates, code
 * points past U+10FFFF and truncated sequences are invalid; NUL is valid
 * here, callers that refuse it check for it). */
int kcsv_utf8_len(const unsigned char *p, size_t avail);

#endif
