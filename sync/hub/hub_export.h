/*
 * hub_export.h - merged attendance of an event across kiosks
 * (sync/PROTOCOL.md section 7), as CSV or XLSX.
 */
#ifndef KHUB_EXPORT_H
#define KHUB_EXPORT_H

#include <stdio.h>

#include "hub_store.h"

/* Lists the events the hub holds: id, date, name, device, check-ins. */
int khub_events_list(khub *h, FILE *out, kerr *err);

/* Writes the attendance of event (id or unique prefix of >= 4 hex digits)
 * to path in format "csv" or "xlsx"; *rows gets the number of people. */
int khub_export(khub *h, const char *event, const char *format, const char *path, int *rows,
                kerr *err);

#endif
