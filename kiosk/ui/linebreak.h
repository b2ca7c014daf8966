/*
 * linebreak.h - where a line of text may break, by ICU's rules.
 *
 * ICU's line break iterator (UAX #14 with its dictionaries for Khmer, Lao,
 * Thai and Burmese, and the rules for Chinese and Japanese punctuation)
 * finds the break opportunities; its character iterator finds grapheme
 * cluster boundaries, where a word too long for any line may be cut
 * without splitting a letter from its marks.  No SDL here: the view uses
 * it while fitting text.
 *
 * Iterators are opened once per language and kept (opening one with the
 * dictionaries costs about a millisecond); not thread-safe.
 */
#ifndef KIOSK_UI_LINEBREAK_H
#define KIOSK_UI_LINEBREAK_H

/* Fills brk[0..len] for the UTF-8 text s of len bytes: brk[i] = 2 where a
 * line may break before byte i (a break opportunity), 1 where only a
 * grapheme cluster starts, 0 inside a cluster.  brk[0] and brk[len] are
 * 2.  lang is a BCP 47 tag ("km", "zh-Hans"); NULL means "en".  Returns 0,
 * or -1 when ICU fails (brk then marks every code point start as 1 and
 * spaces as breaks, a safe fallback). */
int klinebreak(const char *s, int len, const char *lang, unsigned char *brk);

/* A memo of results (the text layer's disk cache, ktext_breaks_get/put):
 * get returns 1 and fills brk[0..n-1] when it knows key, else 0; put is
 * given each result ICU computed.  key is "ENGINE\nLANG\nTEXT" (ENGINE
 * the ICU version, so an upgrade never reuses an older answer).  NULLs
 * end it; end it before ctx goes away. */
typedef int (*klinebreak_get_fn)(void *ctx, const char *key, unsigned char *brk, int n);
typedef void (*klinebreak_put_fn)(void *ctx, const char *key, const unsigned char *brk, int n);
void klinebreak_memo(klinebreak_get_fn get, klinebreak_put_fn put, void *ctx);

/* Closes the kept iterators (at exit; optional). */
void klinebreak_close(void);

#endif
