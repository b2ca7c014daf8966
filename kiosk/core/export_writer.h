/*
 * export_writer.h - the attendance table and its files (CSV, XLSX), shared
 * by the kiosk's own export (export.h: the check-ins of its store) and the
 * hub's merged export (sync/hub/hub_export.c: one row per person across
 * kiosks), so that both write the same columns, bytes and layout.
 *
 * THE TABLE.  The caller adds rows in the order they are to be written,
 * each with the ten fixed cells (KEXPORT_COL_*, below), the event id the
 * summary groups it under and whether it was a sign-up; then visits (event
 * id, person id) -> row, which say whose answers go into which row; then
 * answers.  Columns:
 *     checked_in   local time of the check-in, "2026-11-29 18:05"
 *                  (kexport_time_cell)
 *     event, program, event_date
 *     given, family, phone, email, zip
 *     status       "new" (signed up there) or "returning"
 *     SURVEY.QUESTION ...  one column per survey question answered in the
 *                  rows, headed by survey key and question key
 *                  ("parent-workshop.grades"), holding the answer of
 *                  highest rank as stored (survey.h: choice keys joined by
 *                  ';', "other:TEXT", yes/no, numbers, text).  Columns are
 *                  grouped by survey (the survey answered first first);
 *                  within one, the survey's order when it is given
 *                  (kexport_table_new's surveys), else the order in which
 *                  questions were first answered.  "Rank" and "first" are
 *                  the caller's: the kiosk gives the record's seq for both;
 *                  the hub, which merges kiosks, its own (hub_export.c).
 *
 * CSV.  RFC 4180: fields separated by commas, records ended by CRLF, a field
 * holding a comma, quote, CR or LF in double quotes with quotes doubled.
 * UTF-8 with a byte-order mark, so that Excel shows "Nguyễn" and "한국"
 * (without it, Excel reads a CSV in the legacy code page).
 *
 * FORMULA INJECTION.  A spreadsheet runs a CSV cell that starts with '=',
 * '+', '-' or '@' (and, in some, TAB or CR) as a formula.  Every CSV cell
 * that starts with one of those six characters is written with an
 * apostrophe in front (the OWASP advice): "=1+1" -> "'=1+1".  This is
 * applied to every column, phone numbers included ("+63 917 555 0101" ->
 * "'+63 917 555 0101"): a phone number that Excel read as a formula or a
 * number would lose its '+' and leading zeros anyway, and the apostrophe
 * makes Excel and LibreOffice keep the cell as text.  Nothing is removed:
 * the original text is the cell minus its first character.  XLSX needs no
 * apostrophe: every cell is written as a string (worksheet_write_string,
 * never a formula), which no spreadsheet evaluates, so XLSX cells hold the
 * text exactly.
 *
 * XLSX (libxlsxwriter).  Sheet "Attendance": the same rows and columns as
 * the CSV (all cells text), bold header row frozen, an autofilter, column
 * widths from the longest cell (East Asian wide characters count 2; at
 * most KIOSK_EXPORT_WIDTH_MAX).  Sheet "Summary": check-ins, new and
 * returning per event, per program and in all; and for each choice
 * question (single, multiple, yes/no; taken from the surveys given, or
 * without them any question whose every answer is a list of keys), the
 * number of people per choice key ("other" for write-ins).  Text a
 * spreadsheet cannot hold (invalid UTF-8) is replaced by U+FFFD; a CR is
 * stored as "_x000D_" and a literal "_x0041_" as "_x005F_x0041_" (the OOXML
 * escapes, which Excel and LibreOffice undo; openpyxl leaves them to
 * openpyxl.utils.escape.unescape).
 *
 * SAFE WRITE.  A file is written to PATH.partial in the target folder,
 * flushed (fflush, fsync), renamed to PATH, then the folder is fsynced and
 * the file system synced (syncfs): after 0 is returned the drive may be
 * pulled.  On any failure the partial file is removed and nothing appears
 * under PATH (an older file of that name is left as it was).  Errors:
 * KERR_FULL for a full drive (ENOSPC, EDQUOT), KERR_IO for a read-only
 * drive (the message says "read-only") or any other failure; the message
 * names the file and the failed call.
 *
 * PROGRESS.  progress is called with (done, total) where total is the
 * number of rows + 1: done goes 0 .. rows as rows are written, and reaches
 * total only when the file is safely on the drive.  It runs on the caller's
 * thread (a UI may draw its bar from it); returning non-zero cancels the
 * export (KERR_INVALID "export cancelled", nothing left behind).
 */
#ifndef KIOSK_EXPORT_WRITER_H
#define KIOSK_EXPORT_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "kerr.h"
#include "survey.h"

#ifndef KIOSK_EXPORT_WIDTH_MAX
#define KIOSK_EXPORT_WIDTH_MAX 60           /* widest XLSX column, characters */
#endif

typedef enum kexport_format { KEXPORT_CSV, KEXPORT_XLSX } kexport_format;

/* The fixed columns, in the order they are written. */
enum {
    KEXPORT_COL_CHECKED_IN, KEXPORT_COL_EVENT, KEXPORT_COL_PROGRAM,
    KEXPORT_COL_EVENT_DATE, KEXPORT_COL_GIVEN, KEXPORT_COL_FAMILY,
    KEXPORT_COL_PHONE, KEXPORT_COL_EMAIL, KEXPORT_COL_ZIP, KEXPORT_COL_STATUS,
    KEXPORT_NFIXED
};

typedef struct kexport_result {
    long rows;                         /* check-ins written */
    int columns;                       /* of the attendance sheet */
    long long bytes;                   /* size of the file written */
} kexport_result;

/* Called as rows are written (see PROGRESS); non-zero cancels. */
typedef int (*kexport_progress_fn)(void *ctx, long done, long total);

typedef struct kexport_table kexport_table;

/* ---- rows as a stream ---------------------------------------------------------- */

/* STREAM.  The writer pulls rows one at a time from a source and keeps
 * none after the next is asked for: memory does not grow with the rows
 * (XLSX through libxlsxwriter's constant-memory mode).  The source says
 * its survey columns up front (survey, question, and the lowest "first" of
 * their answers: the writer orders them as in THE TABLE above), then
 * gives each row with its answers, one per column in the source's order
 * (NULL: no answer).  Texts handed over in a row stay valid until next is
 * called again. */
typedef struct kexport_column {
    const char *survey, *question;
    int64_t first;
} kexport_column;

typedef struct kexport_row {
    const char *cell[KEXPORT_NFIXED];   /* KEXPORT_COL_ order */
    const char *event_id;               /* the summary groups rows by it */
    int is_new;
    const char *const *answers;         /* ncols values, or NULL for none */
} kexport_row;

typedef struct kexport_source {
    long nrows;                         /* rows next will give (progress) */
    int ncols;
    const kexport_column *cols;
    /* Fills row: 1 if there is one, 0 at the end, or a KERR_ code with err
     * set (the export then fails with it, nothing left behind). */
    int (*next)(void *ctx, kexport_row *row, kerr *err);
    void *ctx;
} kexport_source;

/* Writes the rows of src to path (safe write); surveys (may be NULL) give
 * question order and types; progress and res may be NULL. */
int kexport_source_write(const kexport_source *src, const ksurvey *const *surveys,
                         int nsurveys, kexport_format f, const char *path,
                         kexport_progress_fn progress, void *progress_ctx,
                         kexport_result *res, kerr *err);

/* Writes the CSV of src to an open stream (no safe write). */
int kexport_source_csv_stream(const kexport_source *src, const ksurvey *const *surveys,
                              int nsurveys, FILE *out, kexport_progress_fn progress,
                              void *progress_ctx, kexport_result *res, kerr *err);

/* ---- the table: rows in memory, for the hub's merged export --------------------- */

/* Parses "csv" or "xlsx" (any case); -1 if neither. */
int kexport_format_parse(const char *name, kexport_format *out);
const char *kexport_format_ext(kexport_format f);    /* "csv" or "xlsx" */

/* Non-zero if a CSV cell with this text gets the apostrophe guard. */
int kexport_needs_guard(const char *text);

/* Formats ms (Unix time) as the local "YYYY-MM-DD HH:MM" of a checked_in
 * cell ("?" if the time cannot be shown). */
void kexport_time_cell(int64_t ms, char out[32]);

/* A new empty table, or NULL if out of memory.  surveys (may be NULL; kept,
 * not copied) give question order and types. */
kexport_table *kexport_table_new(const ksurvey *const *surveys, int nsurveys);
void kexport_table_free(kexport_table *t);

/* Appends a row: cells in KEXPORT_COL_ order (copied), event_id groups it
 * in the summary, is_new counts it as a sign-up there.  Returns the row's
 * index, or -1 if out of memory. */
long kexport_table_add_row(kexport_table *t, const char *const cells[KEXPORT_NFIXED],
                           const char *event_id, int is_new);

/* Says that person_id's answers at event_id go into row.  A row may have
 * several visits (the hub's merged people); 0, or -1 if out of memory. */
int kexport_table_add_visit(kexport_table *t, const char *event_id, const char *person_id,
                            long row);

/* The row of a visit, -1 if there is none, -2 if out of memory. */
long kexport_table_find_visit(kexport_table *t, const char *event_id, const char *person_id);

/* Adds an answer to row's cell of (survey_key, question_key): of the
 * answers to one cell the highest rank is written (the first added of
 * equal ranks); first orders columns (lowest first).  0, or -1 if out of
 * memory. */
int kexport_table_add_answer(kexport_table *t, long row, const char *survey_key,
                             const char *question_key, const char *value, int64_t rank,
                             int64_t first);

/* Writes the file to path (safe write, see above); progress may be NULL;
 * res may be NULL. */
int kexport_table_write(kexport_table *t, kexport_format f, const char *path,
                        kexport_progress_fn progress, void *progress_ctx,
                        kexport_result *res, kerr *err);

/* Writes the CSV to an open stream (standard output): no safe write, no
 * partial file; the caller closes the stream. */
int kexport_table_csv_stream(kexport_table *t, FILE *out, kexport_progress_fn progress,
                             void *progress_ctx, kexport_result *res, kerr *err);

#endif
