/*
 * hub_html.c - HTML text and form fields for the web page (hub_html.h).
 */
#include "hub_html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void khtml_text(kbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        kbuf_add(b, run, (size_t)(s - run));
        kbuf_str(b, rep);
        run = s + 1;
    }
    kbuf_add(b, run, (size_t)(s - run));
}

void khtml_url(kbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            kbuf_add(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            kbuf_add(b, e, 3);
        }
    }
}

void khtml(kbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        kbuf_add(b, run, (size_t)(p - run));
        switch (*++p) {
        case 's': khtml_text(b, va_arg(ap, const char *)); break;
        case 'S': {
            const char *m = va_arg(ap, const char *);
            if (m)
                kbuf_str(b, m);
            break;
        }
        case 'u': khtml_url(b, va_arg(ap, const char *)); break;
        case 'd': kbuf_printf(b, "%d", va_arg(ap, int)); break;
        case 'D': kbuf_printf(b, "%" PRId64, va_arg(ap, int64_t)); break;
        case '%': kbuf_add(b, "%", 1); break;
        default: kbuf_add(b, p - 1, 2); break;   /* not a directive: kept */
        }
        run = p + 1;
    }
    kbuf_str(b, run);
    va_end(ap);
}

/* The value of a hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int khtml_form_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (hi < 0 || lo < 0)
                return -1;
            char c = (char)(hi * 16 + lo);
            if (c == '\0')
                return -1;
            *o++ = c;
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    for (size_t i = 0; s[i];) {
        int l = 1;
        if (kutf8_decode(s + i, &l) < 0)
            return -1;
        i += (size_t)l;
    }
    return 0;
}

int khtml_form_each(const char *body, size_t len, const char *name,
                    void (*fn)(void *ctx, const char *value), void *ctx)
{
    size_t nlen = strlen(name);
    int count = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end - i > nlen && memcmp(body + i, name, nlen) == 0 && body[i + nlen] == '=') {
            size_t vlen = end - i - nlen - 1;
            char *v = malloc(vlen + 1);
            if (!v)
                return -1;
            memcpy(v, body + i + nlen + 1, vlen);
            v[vlen] = '\0';
            if (khtml_form_decode(v) != 0) {
                free(v);
                return -1;
            }
            if (fn)
                fn(ctx, v);
            free(v);
            count++;
        }
        i = end + 1;
    }
    return count;
}

typedef struct first_value {
    char *out;
    size_t cap;
    int found, too_long;
} first_value;

/* khtml_form_each callback: keeps the first value. */
static void take_first(void *ctx, const char *value)
{
    first_value *f = ctx;
    if (f->found++)
        return;
    if (strlen(value) >= f->cap)
        f->too_long = 1;
    else
        memcpy(f->out, value, strlen(value) + 1);
}

int khtml_form_get(const char *body, size_t len, const char *name, char *out, size_t cap)
{
    first_value f = {out, cap, 0, 0};
    out[0] = '\0';
    int n = khtml_form_each(body ? body : "", body ? len : 0, name, take_first, &f);
    if (n < 0 || f.too_long) {
        out[0] = '\0';
        return -1;
    }
    return n > 0;
}
