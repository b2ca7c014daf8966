/*
 * hub_export.h - merged attendance of an event across kiosks
 * (sync/PROTOCOL.md section 7), as CSV or XLSX in the columns, bytes and
 * layout of the kiosk's own export (kiosk/core/export_writer.h).
 */
#ifndef KHUB_EXPORT_H
#define KHUB_EXPORT_H

#include <stdio.h>

#include "hub_store.h"

typedef struct khub_export_opts {
    const char *event;                 /* id, or unique prefix of >= 4 hex digits */
    const char *format;                /* "csv" or "xlsx" (any case) */
    const char *path;                  /* the file, or "-": CSV on standard output */
    const char *const *survey_files;   /* optional: question order and types */
    int nsurveys;
} khub_export_opts;

/* Lists the events the hub holds: id, date, name, device, check-ins. */
int khub_events_list(khub *h, FILE *out, kerr *err);

/* Writes the merged attendance of o->event; *rows gets the number of
 * people (rows written). */
int khub_export(khub *h, const khub_export_opts *o, long *rows, kerr *err);

/* The same CSV bytes written to an open stream (o->format must be csv;
 * o->path is not used): the web page's download (hub_web.c). */
int khub_export_csv_stream(khub *h, const khub_export_opts *o, FILE *out, long *rows, kerr *err);

#endif
