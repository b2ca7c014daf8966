/*
 * cli_export.h - the `kiosk export` command, called by kiosk/main.c.
 *
 *   kiosk export [--event ID|current | --since YYYY-MM-DD] [--format csv|xlsx]
 *                (-o FILE | -o - | --usb) [--survey FILE]...
 *
 *   --event     one event, by id or a unique prefix of >= 4 hex digits, or
 *               "current" for the event check-ins go to now
 *   --since     events whose date is on or after this local date
 *               (neither: every check-in on this kiosk)
 *   --format    csv or xlsx; default: from the extension of -o, else csv
 *   -o FILE     write FILE safely (FILE.partial, fsync, rename; see
 *               kiosk/core/export.h); "-o -" writes CSV to standard output
 *   --usb       write to the first USB drive (or the export.folder
 *               setting) under a generated name, as the staff screen does
 *   --survey    a survey file: its question order and choice types are
 *               used for columns and the XLSX summary (may be repeated)
 *
 * main.c opens the store (system clock) and passes the words after
 * "export": `kiosk --data D export --event 3f2a -o a.csv` becomes
 * kcli_export(s, 3, {"--event", "3f2a", "-o", "a.csv"}) (argv[argc] need
 * not be NULL).  Returns the exit status: 0 done, 1 failed (message on
 * stderr, nothing written), 2 usage.
 */
#ifndef KIOSK_CLI_EXPORT_H
#define KIOSK_CLI_EXPORT_H

#include "store.h"

int kcli_export(kstore *s, int argc, char **argv);

#endif
