/*
 * kerr.h - the error report every fallible core function fills in.
 *
 * A function returns 0 on success or one of the KERR_ codes, and writes a
 * message a person can act on into the caller's kerr: lower case, the
 * failing call or thing first, naming the file, field or line
 * ("cannot open /data/kiosk.db: permission denied").  Callers may pass
 * NULL when they do not want the text.
 */
#ifndef KIOSK_KERR_H
#define KIOSK_KERR_H

enum {
    KERR_OK = 0,
    KERR_IO,        /* cannot read or write a file or folder */
    KERR_FULL,      /* disk (or database size limit) full */
    KERR_NEWER,     /* database written by a newer kiosk */
    KERR_CORRUPT,   /* file is not a kiosk database, or damaged */
    KERR_DUP,       /* already exists (e.g. checked in twice) */
    KERR_NOTFOUND,
    KERR_INVALID,   /* bad argument or input */
    KERR_INTERNAL
};

typedef struct kerr {
    int code;
    char msg[512];
} kerr;

/* Sets err->code and formats err->msg (printf style); returns code. */
int kerr_set(kerr *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
