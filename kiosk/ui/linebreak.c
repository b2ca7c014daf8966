/*
 * linebreak.c - break opportunities from ICU (see linebreak.h).
 *
 * ICU works on UTF-16: the text is converted once per call, with a table
 * from UTF-16 index to UTF-8 byte offset to map the iterators' answers
 * back.  One line iterator per language (up to LB_LANGS, least recently
 * opened replaced first) and one character iterator serve every call.
 */
#include "linebreak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

#define LB_LANGS 12
#define LB_STACK 512   /* UTF-16 units converted without malloc */

typedef struct lb_iter {
    char lang[24];
    UBreakIterator *it;
} lb_iter;

static lb_iter lb_line[LB_LANGS];
static int lb_next;
static UBreakIterator *lb_char;
static klinebreak_get_fn lb_get;
static klinebreak_put_fn lb_put;
static void *lb_ctx;

void klinebreak_memo(klinebreak_get_fn get, klinebreak_put_fn put, void *ctx)
{
    lb_get = get;
    lb_put = put;
    lb_ctx = ctx;
}

/* The memo's key for (lang, s[0..len)) in a malloc'd string, or NULL. */
static char *memo_key(const char *s, int len, const char *lang)
{
    size_t n = strlen(U_ICU_VERSION) + strlen(lang) + (size_t)len + 3;
    char *k = malloc(n);
    if (k) {
        int head = snprintf(k, n, "%s\n%s\n", U_ICU_VERSION, lang);
        memcpy(k + head, s, (size_t)len);
        k[head + len] = '\0';
    }
    return k;
}

/* The line iterator for lang, opened on first use; NULL if ICU fails. */
static UBreakIterator *line_iter(const char *lang)
{
    for (int i = 0; i < LB_LANGS; i++)
        if (lb_line[i].it && strcmp(lb_line[i].lang, lang) == 0)
            return lb_line[i].it;
    char loc[24];
    /* ICU locales spell subtags with '_': zh-Hans -> zh_Hans. */
    size_t n = strlen(lang) < sizeof loc - 1 ? strlen(lang) : sizeof loc - 1;
    for (size_t i = 0; i < n; i++)
        loc[i] = lang[i] == '-' ? '_' : lang[i];
    loc[n] = '\0';
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_open(UBRK_LINE, loc, NULL, 0, &st);
    if (U_FAILURE(st))
        return NULL;
    lb_iter *slot = &lb_line[lb_next];
    lb_next = (lb_next + 1) % LB_LANGS;
    if (slot->it)
        ubrk_close(slot->it);
    slot->it = it;
    memcpy(slot->lang, lang, n);
    slot->lang[n] = '\0';
    return it;
}

/* A fallback without ICU: code point starts are clusters, spaces breaks. */
static int fallback(const char *s, int len, unsigned char *brk)
{
    for (int i = 0; i <= len; i++)
        brk[i] = (i == 0 || i == len) ? 2 : ((unsigned char)s[i] & 0xc0) != 0x80;
    for (int i = 1; i < len; i++)
        if (s[i - 1] == ' ' && s[i] != ' ')
            brk[i] = 2;
    return -1;
}

int klinebreak(const char *s, int len, const char *lang, unsigned char *brk)
{
    if (!lang || !*lang)
        lang = "en";
    if (len <= 0) {
        brk[0] = 2;
        return 0;
    }
    /* A text with a NUL inside is not a key: no memo for it. */
    char *key = (lb_get || lb_put) && !memchr(s, '\0', (size_t)len) ? memo_key(s, len, lang)
                                                                     : NULL;
    if (key && lb_get && lb_get(lb_ctx, key, brk, len + 1)) {
        free(key);
        return 0;
    }
    UChar stack_u[LB_STACK];
    int stack_map[LB_STACK + 1];
    UChar *u = stack_u;
    int *map = stack_map;
    int cap = len + 1;   /* a UTF-8 byte never makes more than one UTF-16 unit */
    if (cap > LB_STACK) {
        u = malloc((size_t)cap * sizeof *u);
        map = malloc((size_t)(cap + 1) * sizeof *map);
        if (!u || !map) {
            free(u == stack_u ? NULL : u);
            free(map == stack_map ? NULL : map);
            free(key);
            return fallback(s, len, brk);
        }
    }
    /* Convert by hand to keep the offsets (invalid bytes become U+FFFD). */
    int n = 0;
    for (int i = 0; i < len;) {
        UChar32 c;
        int start = i;
        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0)
            c = 0xfffd;
        if (c > 0xffff) {
            map[n] = start;
            u[n++] = U16_LEAD(c);
            map[n] = start;
            u[n++] = U16_TRAIL(c);
        } else {
            map[n] = start;
            u[n++] = (UChar)c;
        }
    }
    map[n] = len;
    memset(brk, 0, (size_t)len + 1);
    int rc = 0;
    UErrorCode st = U_ZERO_ERROR;
    if (!lb_char)
        lb_char = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &st);
    UBreakIterator *li = line_iter(lang);
    if (U_FAILURE(st) || !lb_char || !li) {
        rc = fallback(s, len, brk);
    } else {
        st = U_ZERO_ERROR;
        ubrk_setText(lb_char, u, n, &st);
        for (int32_t p = ubrk_first(lb_char); p != UBRK_DONE && U_SUCCESS(st);
             p = ubrk_next(lb_char))
            brk[map[p]] = 1;
        ubrk_setText(li, u, n, &st);
        for (int32_t p = ubrk_first(li); p != UBRK_DONE && U_SUCCESS(st); p = ubrk_next(li))
            brk[map[p]] = 2;
        if (U_FAILURE(st))
            rc = fallback(s, len, brk);
        /* Leave ICU holding no pointer to our buffer. */
        st = U_ZERO_ERROR;
        ubrk_setText(lb_char, NULL, 0, &st);
        st = U_ZERO_ERROR;
        ubrk_setText(li, NULL, 0, &st);
    }
    brk[0] = brk[len] = 2;
    if (u != stack_u)
        free(u);
    if (map != stack_map)
        free(map);
    if (key && rc == 0 && lb_put)
        lb_put(lb_ctx, key, brk, len + 1);
    free(key);
    return rc;
}

void klinebreak_close(void)
{
    for (int i = 0; i < LB_LANGS; i++) {
        if (lb_line[i].it)
            ubrk_close(lb_line[i].it);
        memset(&lb_line[i], 0, sizeof lb_line[i]);
    }
    if (lb_char)
        ubrk_close(lb_char);
    lb_char = NULL;
}
