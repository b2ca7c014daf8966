/*
 * cli_args.h - strict parsing of the numbers given on the command line.
 *
 * One place for every numeric option of `kiosk` and its commands, so that
 * "--idle 4x", "--idle ''", "--idle 1e3", "--idle 99999999999999999999" and
 * "--idle ' 45'" are all refused with a message naming the option, what it
 * expects and what it got, instead of being read as 4, 0, 1 or LONG_MAX as
 * atol() would.  The whole text must be the number: optional '-' (only
 * when min < 0), then digits; for real numbers, digits with at most one
 * '.', never an exponent, "inf" or "nan".
 */
#ifndef KIOSK_CLI_ARGS_H
#define KIOSK_CLI_ARGS_H

#include <stdio.h>

/* Parses text as a whole number from min to max into *out.  Returns 0, or
 * -1 after printing "PROG: OPT: expected WHAT from MIN to MAX, got 'TEXT'"
 * on err (what: "seconds", "pages", ...; may be NULL). */
int kcli_parse_int(FILE *err, const char *prog, const char *opt, const char *what,
                   const char *text, long long min, long long max, long long *out);

/* The same for a decimal number ("133", "96.5") from min to max. */
int kcli_parse_real(FILE *err, const char *prog, const char *opt, const char *what,
                    const char *text, double min, double max, double *out);

/* Parses "WxH" (e.g. 1280x800), each from min to max.  Returns 0 or -1
 * after a message as above. */
int kcli_parse_size(FILE *err, const char *prog, const char *opt, const char *text, int min,
                    int max, int *w, int *h);

#endif
