/*
 * export.h - attendance files (CSV, XLSX) from the kiosk's store.
 *
 * ROWS AND COLUMNS.  One row per check-in in scope (one event, events on or
 * after a date, or all; see kscope in store.h), in order of event date,
 * event and check-in time, in the columns of export_writer.h:
 *     checked_in   local time of the check-in, "2026-11-29 18:05" (the
 *                  kiosk's clock, in the exporting machine's time zone)
 *     event, program, event_date
 *     given, family, phone, email, zip
 *     status       "new" (signed up there) or "returning"
 *     SURVEY.QUESTION ...  one column per survey question answered in the
 *                  exported events, holding the latest answer (highest
 *                  seq).  Columns follow the order of the survey when it
 *                  is given (opts.surveys), else the order in which
 *                  questions were first answered (lowest seq).
 *
 * FILES.  The CSV (RFC 4180, UTF-8 with a byte-order mark, the apostrophe
 * formula guard), the XLSX (attendance and summary sheets), the safe write
 * and the progress calls are those of export_writer.h, which the hub's
 * merged export shares: its files have the same columns and layout.
 */
#ifndef KIOSK_EXPORT_H
#define KIOSK_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "export_writer.h"
#include "kerr.h"
#include "store.h"
#include "survey.h"
#include "usbdrive.h"                       /* KIOSK_EXPORT_MIN_FREE_BYTES */

typedef struct kexport_opts {
    kexport_format format;
    kscope scope;                      /* which check-ins (all if empty) */
    const ksurvey *const *surveys;     /* optional: question order and types */
    int nsurveys;
    kexport_progress_fn progress;      /* may be NULL */
    void *progress_ctx;
} kexport_opts;

/* Writes the attendance file to path (safe write: export_writer.h); res
 * may be NULL. */
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

#endif
