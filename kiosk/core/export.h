/*
 * export.h - attendance files (CSV, XLSX) from the kiosk's store.
 *
 * ROWS AND COLUMNS.  One row per check-in in scope (one event, events on or
 * after a date, or all; see kscope in store.h), in order of event date,
 * event and check-in time.  Columns:
 *     checked_in   local time of the check-in, "2026-11-29 18:05" (the
 *                  kiosk's clock, in the exporting machine's time zone)
 *     event, program, event_date
 *     given, family, phone, email, zip
 *     status       "new" (signed up there) or "returning"
 *     SURVEY.QUESTION ...  one column per survey question answered in the
 *                  exported events, headed by survey key and question key
 *                  ("parent-workshop.grades"), holding the latest answer as
 *                  stored (survey.h: choice keys joined by ';', "other:TEXT",
 *                  yes/no, numbers, text).  Columns follow the order of the
 *                  survey when it is given (opts.surveys), else the order in
 *                  which questions were first answered.
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
 * question (single, multiple, yes/no; taken from opts.surveys, or without
 * them any question whose every answer is a list of keys), the number of
 * people per choice key ("other" for write-ins).  Text a spreadsheet cannot
 * hold (invalid UTF-8) is replaced by U+FFFD; a CR is stored as "_x000D_"
 * and a literal "_x0041_" as "_x005F_x0041_" (the OOXML escapes, which
 * Excel and LibreOffice undo; openpyxl leaves them to
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
 * PROGRESS.  opts.progress is called with (done, total) where total is the
 * number of rows + 1: done goes 0 .. rows as rows are written, and reaches
 * total only when the file is safely on the drive.  It runs on the caller's
 * thread (a UI may draw its bar from it); returning non-zero cancels the
 * export (KERR_INVALID "export cancelled", nothing left behind).
 */
#ifndef KIOSK_EXPORT_H
#define KIOSK_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "kerr.h"
#include "store.h"
#include "survey.h"
#include "usbdrive.h"                       /* KIOSK_EXPORT_MIN_FREE_BYTES */

#ifndef KIOSK_EXPORT_WIDTH_MAX
#define KIOSK_EXPORT_WIDTH_MAX 60           /* widest XLSX column, characters */
#endif

typedef enum kexport_format { KEXPORT_CSV, KEXPORT_XLSX } kexport_format;

typedef struct kexport_opts {
    kexport_format format;
    kscope scope;                      /* which check-ins (all if empty) */
    const ksurvey *const *surveys;     /* optional: question order and types */
    int nsurveys;
    int (*progress)(void *ctx, long done, long total);   /* may be NULL */
    void *progress_ctx;
} kexport_opts;

typedef struct kexport_result {
    long rows;                         /* check-ins written */
    int columns;                       /* of the attendance sheet */
    long long bytes;                   /* size of the file written */
} kexport_result;

/* Parses "csv" or "xlsx" (any case); -1 if neither. */
int kexport_format_parse(const char *name, kexport_format *out);
const char *kexport_format_ext(kexport_format f);    /* "csv" or "xlsx" */

/* Writes the attendance file to path (safe write, see above).  res may be
 * NULL. */
int kexport_write(kstore *s, const kexport_opts *o, const char *path,
                  kexport_result *res, kerr *err);

/* Writes the CSV to an open stream (standard output): no safe write, no
 * partial file; the caller closes the stream. */
int kexport_csv_stream(kstore *s, const kexport_opts *o, FILE *out,
                       kexport_result *res, kerr *err);

/* A file name for an export made at wall_ms (the kiosk's clock, local
 * time): "attendance-2026-11-29-parent-night-1805.csv" for one event (its
 * date and its folded name in a-z, 0-9 and '-'), "attendance-since-
 * 2026-11-01-20261129-1805.xlsx", or "attendance-all-20261129-1805.csv".
 * Returns 0, or -1 if cap is too small. */
int kexport_file_name(kstore *s, const kscope *scope, kexport_format f,
                      int64_t wall_ms, char *out, size_t cap);

/* Writes the export into folder under kexport_file_name's name; path (may
 * be NULL) gets the full path written.  What the staff screen calls after
 * kusb_export_folder (usbdrive.h). */
int kexport_to_folder(kstore *s, const kexport_opts *o, const char *folder,
                      int64_t wall_ms, char *path, size_t cap,
                      kexport_result *res, kerr *err);

/* Non-zero if a CSV cell with this text gets the apostrophe guard. */
int kexport_needs_guard(const char *text);

#endif
