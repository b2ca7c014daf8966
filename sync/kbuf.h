/*
 * kbuf.h - a growable byte buffer for building request bodies, JSON and CSV.
 *
 * Invariant: p is NUL-terminated whenever it is not NULL, len excludes the
 * NUL.  An allocation failure sets oom and makes every later append a no-op,
 * so a caller builds a whole text and checks once at the end.
 */
#ifndef KSYNC_KBUF_H
#define KSYNC_KBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct kbuf {
    char *p;
    size_t len, cap;
    int oom;
} kbuf;

/* Empties the buffer without freeing (p stays valid). */
void kbuf_reset(kbuf *b);
/* Frees the memory; the buffer may be reused after. */
void kbuf_free(kbuf *b);
/* Appends n bytes; -1 (and oom set) if memory ran out. */
int kbuf_add(kbuf *b, const void *data, size_t n);
/* Appends a NUL-terminated string. */
int kbuf_str(kbuf *b, const char *s);
/* Appends printf-style text. */
int kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string with quotes and escapes. */
int kbuf_json_str(kbuf *b, const char *s);
/* Appends a decimal integer. */
int kbuf_int(kbuf *b, int64_t v);

#endif
