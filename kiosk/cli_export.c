/*
 * cli_export.c - `kiosk export` (see cli_export.h): parses the words,
 * resolves the event, loads the surveys given, and hands everything to
 * kexport_write / kexport_csv_stream / kexport_to_folder.
 *
 * Output: the file; one line on stderr saying what was written where, and
 * a progress line on a terminal.  Nothing here touches a file itself.
 */
#include "cli_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "survey.h"
#include "usbdrive.h"

#define CLI_SURVEYS_MAX 16

/* Prints usage and returns 2. */
static int usage(void)
{
    fputs("usage: kiosk export [--event ID|current | --since YYYY-MM-DD]\n"
          "                    [--format csv|xlsx] (-o FILE | -o - | --usb)\n"
          "                    [--survey FILE]...\n",
          stderr);
    return 2;
}

/* Progress on a terminal: "export: 40%" redrawn in place. */
static int show_progress(void *ctx, long done, long total)
{
    int *last = ctx;
    int pct = total > 0 ? (int)(done * 100 / total) : 100;
    if (pct != *last) {
        fprintf(stderr, "\rexport: %3d%%", pct);
        fflush(stderr);
        *last = pct;
    }
    return 0;
}

/* Non-zero if name ends with ext (".xlsx"), in any case. */
static int ends_with(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* Runs `kiosk export`. */
int kcli_export(kstore *s, int argc, char **argv)
{
    const char *event = NULL, *since = NULL, *format = NULL, *outfile = NULL;
    const char *survey_files[CLI_SURVEYS_MAX];
    ksurvey *surveys[CLI_SURVEYS_MAX];
    int nsurveys = 0, usb = 0, rc = 0, last_pct = -1;
    kerr err = {0};
    kevent ev;
    kexport_opts o;
    kexport_result res;
    char where[4096] = "";
    memset(&o, 0, sizeof o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(a, "--event") == 0 || strcmp(a, "--since") == 0 ||
                    strcmp(a, "--format") == 0 || strcmp(a, "-o") == 0 ||
                    strcmp(a, "--survey") == 0;
        if (takes && !v) {
            fprintf(stderr, "kiosk export: %s needs a value\n", a);
            return usage();
        }
        if (strcmp(a, "--event") == 0)
            event = v;
        else if (strcmp(a, "--since") == 0)
            since = v;
        else if (strcmp(a, "--format") == 0)
            format = v;
        else if (strcmp(a, "-o") == 0)
            outfile = v;
        else if (strcmp(a, "--survey") == 0) {
            if (nsurveys == CLI_SURVEYS_MAX) {
                fprintf(stderr, "kiosk export: at most %d --survey files\n",
                        CLI_SURVEYS_MAX);
                return 2;
            }
            survey_files[nsurveys++] = v;
        }
        else if (strcmp(a, "--usb") == 0)
            usb = 1;
        else {
            fprintf(stderr, "kiosk export: unexpected '%s'\n", a);
            return usage();
        }
        i += takes;
    }
    if ((event && since) || (!outfile == !usb)) {
        fprintf(stderr, "kiosk export: give --event or --since (not both), and "
                        "-o FILE or --usb\n");
        return usage();
    }
    if (!format)
        format = outfile && ends_with(outfile, ".xlsx") ? "xlsx" : "csv";
    if (kexport_format_parse(format, &o.format) != 0) {
        fprintf(stderr, "kiosk export: --format %s: expected csv or xlsx\n", format);
        return usage();
    }
    if (outfile && strcmp(outfile, "-") == 0 && o.format != KEXPORT_CSV) {
        fprintf(stderr, "kiosk export: xlsx cannot go to standard output: give -o FILE\n");
        return 2;
    }
    if (event) {
        int got = strcmp(event, "current") == 0 ? kstore_event_current(s, &ev, &err)
                                                 : kstore_event_get(s, event, &ev, &err);
        if (got != 0) {
            fprintf(stderr, "kiosk export: --event %s: %s\n", event, err.msg);
            return 1;
        }
        o.scope.event_id = ev.id;
    }
    o.scope.since = since;

    for (int i = 0; i < nsurveys; i++) {
        if (ksurvey_load_file(survey_files[i], &surveys[i], NULL, &err) != 0) {
            fprintf(stderr, "kiosk export: --survey %s\n", err.msg);
            for (int j = 0; j < i; j++)
                ksurvey_free(surveys[j]);
            return 1;
        }
    }
    o.surveys = (const ksurvey *const *)surveys;
    o.nsurveys = nsurveys;
    if (isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_ctx = &last_pct;
    }

    if (usb) {
        kusb_drive d;
        if (kusb_export_folder(s, NULL, &d, &err) == 0)
            rc = kexport_to_folder(s, &o, d.folder, (int64_t)time(NULL) * 1000, where,
                                   sizeof where, &res, &err);
        else
            rc = err.code;
    } else if (strcmp(outfile, "-") == 0) {
        rc = kexport_csv_stream(s, &o, stdout, &res, &err);
        snprintf(where, sizeof where, "standard output");
    } else {
        rc = kexport_write(s, &o, outfile, &res, &err);
        snprintf(where, sizeof where, "%s", outfile);
    }
    if (o.progress && last_pct >= 0)
        fputc('\n', stderr);
    if (rc != 0)
        fprintf(stderr, "kiosk export: %s\n", err.msg);
    else
        fprintf(stderr, "kiosk export: %ld check-ins, %d columns, %lld bytes to %s\n",
                res.rows, res.columns, res.bytes, where);
    for (int i = 0; i < nsurveys; i++)
        ksurvey_free(surveys[i]);
    return rc ? 1 : 0;
}
