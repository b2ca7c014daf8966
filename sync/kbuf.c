/* kbuf.c - growable byte buffer and JSON string escaping (see kbuf.h). */
#include "kbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes plus the NUL. */
static int kbuf_grow(kbuf *b, size_t n)
{
    if (b->oom)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Empties the buffer, keeping its memory. */
void kbuf_reset(kbuf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Releases the buffer's memory. */
void kbuf_free(kbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* Appends n bytes and keeps the NUL. */
int kbuf_add(kbuf *b, const void *data, size_t n)
{
    if (kbuf_grow(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* Appends a C string. */
int kbuf_str(kbuf *b, const char *s)
{
    return kbuf_add(b, s, strlen(s));
}

/* Appends formatted text (measured first, then written in place). */
int kbuf_printf(kbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || kbuf_grow(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Appends s quoted, escaping quotes, backslashes and control bytes. */
int kbuf_json_str(kbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (kbuf_add(b, "\"", 1) != 0)
        return -1;
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        kbuf_add(b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            break;
        }
        kbuf_str(b, esc);
    }
    kbuf_add(b, run, (size_t)(s - run));
    return kbuf_add(b, "\"", 1);
}

/* Appends a decimal integer. */
int kbuf_int(kbuf *b, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return kbuf_add(b, tmp, (size_t)n);
}
