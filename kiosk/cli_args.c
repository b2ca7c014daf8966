/*
 * cli_args.c - strict numbers on the command line (see cli_args.h).
 *
 * strtoll/strtod alone are not strict: they skip leading white space,
 * accept a '+', stop quietly at the first non-digit ("4x" is 4), and
 * strtod reads "1e3", "0x10", "inf" and "nan".  So the text's characters
 * are checked first, then converted with the end pointer and ERANGE
 * checked, then the range.
 */
#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Non-zero if text is [-]digits (the '-' only when negative is allowed). */
static int digits_only(const char *text, int negative)
{
    const char *p = text;
    if (negative && *p == '-')
        p++;
    return *p && strspn(p, "0123456789") == strlen(p);
}

/* Non-zero if text is digits with at most one '.' and a digit somewhere. */
static int decimal_only(const char *text)
{
    size_t n = strlen(text), d = strspn(text, "0123456789.");
    const char *dot = strchr(text, '.');
    return n > 0 && d == n && strcspn(text, "0123456789") < n && (!dot || !strchr(dot + 1, '.'));
}

/* Parses a whole number from min to max. */
int kcli_parse_int(FILE *err, const char *prog, const char *opt, const char *what,
                   const char *text, long long min, long long max, long long *out)
{
    if (text && digits_only(text, min < 0)) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (errno == 0 && end && *end == '\0' && v >= min && v <= max) {
            *out = v;
            return 0;
        }
    }
    if (err)
        fprintf(err, "%s: %s: expected a whole number%s%s from %lld to %lld, got '%s'\n", prog,
                opt, what ? " of " : "", what ? what : "", min, max, text ? text : "");
    return -1;
}

/* Parses a decimal number from min to max. */
int kcli_parse_real(FILE *err, const char *prog, const char *opt, const char *what,
                    const char *text, double min, double max, double *out)
{
    if (text && decimal_only(text)) {
        char *end = NULL;
        errno = 0;
        double v = strtod(text, &end);
        if (errno == 0 && end && *end == '\0' && isfinite(v) && v >= min && v <= max) {
            *out = v;
            return 0;
        }
    }
    if (err)
        fprintf(err, "%s: %s: expected a number%s%s from %g to %g, got '%s'\n", prog, opt,
                what ? " of " : "", what ? what : "", min, max, text ? text : "");
    return -1;
}

/* Parses "WxH". */
int kcli_parse_size(FILE *err, const char *prog, const char *opt, const char *text, int min,
                    int max, int *w, int *h)
{
    const char *x = text ? strchr(text, 'x') : NULL;
    if (x && x > text && x - text < 16) {
        char left[16];
        long long a = 0, b = 0;
        memcpy(left, text, (size_t)(x - text));
        left[x - text] = '\0';
        if (kcli_parse_int(NULL, prog, opt, NULL, left, min, max, &a) == 0 &&
            kcli_parse_int(NULL, prog, opt, NULL, x + 1, min, max, &b) == 0) {
            *w = (int)a;
            *h = (int)b;
            return 0;
        }
    }
    if (err)
        fprintf(err, "%s: %s: expected WxH such as 1280x800, each from %d to %d, got '%s'\n",
                prog, opt, min, max, text ? text : "");
    return -1;
}
