/* kerr.c - filling in error reports (see kerr.h). */
#include "kerr.h"

#include <stdarg.h>
#include <stdio.h>

int kerr_set(kerr *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
