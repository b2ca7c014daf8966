/*
 * utf8.h - the few UTF-8 operations the kiosk needs, in one place.
 *
 * Strict decoding (no overlong forms, no surrogates, nothing past
 * U+10FFFF), encoding, and the lower case of the Latin letters the
 * keyboards type in two cases.  No locale, no allocation.
 */
#ifndef KIOSK_UTF8_H
#define KIOSK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s; *len gets its length in bytes (1 for an
 * invalid byte).  Returns the code point, or -1 if s does not start with a
 * valid one.  s must be NUL-terminated. */
long kutf8_decode(const char *s, int *len);

/* Encodes cp into out (room for 5 bytes) with a NUL after it; returns the
 * length without the NUL. */
int kutf8_put(uint32_t cp, char out[5]);

/* 1 if s is 1..max_bytes bytes of valid UTF-8 without control characters
 * (C0, DEL, C1): a name that is printed in logs, lists and files. */
int kutf8_printable(const char *s, size_t max_bytes);

/* The lower case of a letter of Basic Latin, Latin-1, Latin Extended-A and
 * the Vietnamese block (U+1EA0-1EF9); other code points as they are. */
uint32_t kutf8_lower(uint32_t cp);

#endif
