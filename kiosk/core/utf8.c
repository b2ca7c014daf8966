/* utf8.c - decoding, encoding and Latin lower case (see utf8.h). */
#include "utf8.h"

#include <string.h>

long kutf8_decode(const char *str, int *len)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    int n;
    long cp;
    if (c < 0x80) {
        *len = 1;
        return (long)c;
    }
    if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
    else { *len = 1; return -1; }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *len = 1;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *len = n;
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        *len = 1;
        return -1;
    }
    return cp;
}

int kutf8_put(uint32_t c, char out[5])
{
    int n = 0;
    if (c < 0x80) {
        out[n++] = (char)c;
    } else if (c < 0x800) {
        out[n++] = (char)(0xc0 | (c >> 6));
        out[n++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out[n++] = (char)(0xe0 | (c >> 12));
        out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[n++] = (char)(0x80 | (c & 0x3f));
    } else {
        out[n++] = (char)(0xf0 | (c >> 18));
        out[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[n++] = (char)(0x80 | (c & 0x3f));
    }
    out[n] = '\0';
    return n;
}

uint32_t kutf8_lower(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
        return c + 32;
    if (c >= 0x100 && c <= 0x17f) {
        /* Pairs are upper-even, except two runs that are upper-odd. */
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
        return odd_upper ? ((c & 1) ? c + 1 : c) : ((c & 1) ? c : c + 1);
    }
    if (c >= 0x1ea0 && c <= 0x1ef9)
        return (c & 1) ? c : c + 1;
    return c;
}

int kutf8_printable(const char *s, size_t max_bytes)
{
    size_t n = strlen(s);
    if (n < 1 || n > max_bytes)
        return 0;
    for (size_t i = 0; i < n;) {
        int l = 1;
        long cp = kutf8_decode(s + i, &l);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return 0;
        i += (size_t)l;
    }
    return 1;
}
