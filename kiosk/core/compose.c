/*
 * compose.c - the composition dispatcher and the UTF-8 editing helpers the
 * engines share (see compose.h for the contract).
 *
 * Design:
 *   - Every change to the text goes through kcompose_splice(), which is the
 *     one place that enforces the byte and character limits, and only
 *     writes when the whole result fits: a refused key leaves the text as
 *     it was, byte for byte.
 *   - The dispatcher checks the key is a character one can type, then hands
 *     it to the engine of c->kind; KCOMPOSE_NONE (and any unknown kind)
 *     appends it.  Backspace is the engine's for Hangul (one jamo at a
 *     time) and one character for everyone else.
 *   - Long-press variants for layouts other than "vi" and "ko" come from
 *     the small Latin table below (Pacific and Filipino letters first).
 *
 * Limits: texts are walked from the start to count characters, O(length)
 * per key; fields are at most a few hundred bytes (config.h).
 */
#include "compose.h"

#include "utf8.h"

#include <string.h>

/* ---- static prototypes --------------------------------------------------- */

static int key_is_typable(uint32_t key);
static int is_combining(uint32_t cp);
static int layout_is(const char *layout, const char *code);
static int latin_variants(uint32_t base, uint32_t *out, int max);

/* ---- global functions ---------------------------------------------------- */

/* Ends composition and selects the engine; the tone style stays. */
void kcompose_reset(kcompose *c, int kind)
{
    int style = c->tone_style == KCOMPOSE_TONE_OLD ? KCOMPOSE_TONE_OLD
                                                   : KCOMPOSE_TONE_NEW;
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->tone_style = style;
}

/* Sets the Telex tone placement style for oa/oe/uy. */
void kcompose_set_tone_style(kcompose *c, int style)
{
    c->tone_style = style == KCOMPOSE_TONE_OLD ? KCOMPOSE_TONE_OLD
                                               : KCOMPOSE_TONE_NEW;
}

/* Applies one key to the end of text through the current engine. */
int kcompose_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                 uint32_t key)
{
    if (!text || cap == 0 || !key_is_typable(key))
        return -1;
    switch (c->kind) {
    case KCOMPOSE_TELEX:
        return kcompose_telex_key(c, text, cap, max_chars, key);
    case KCOMPOSE_HANGUL:
        return kcompose_hangul_key(c, text, cap, max_chars, key);
    default: {
        char enc[4];
        int n = kcompose_utf8_put(key, enc);
        return kcompose_splice(text, cap, max_chars, strlen(text), enc,
                               (size_t)n);
    }
    }
}

/* Backspace: one jamo of an open Hangul syllable, else one character. */
int kcompose_backspace(kcompose *c, char *text, size_t cap)
{
    if (!text || cap == 0 || !text[0])
        return -1;
    if (c->kind == KCOMPOSE_HANGUL)
        return kcompose_hangul_backspace(c, text, cap);
    c->telex.tracked = 0; /* the next key reads the word from the text */
    return kcompose_delete_char(text);
}

/* Bytes at the end of text that are still being composed. */
/* The word as typed, if Telex changed it (see compose.h). */
size_t kcompose_typed(const kcompose *c, const char *text, char *out,
                      size_t cap)
{
    if (out && cap)
        out[0] = '\0';
    if (!c || !text || !out || cap == 0 || c->kind != KCOMPOSE_TELEX)
        return 0;
    return kcompose_telex_typed(c, text, out, cap);
}

/* Puts the word as typed back in place of the composed one. */
int kcompose_use_typed(kcompose *c, char *text, size_t cap, size_t max_chars)
{
    if (!c || !text || c->kind != KCOMPOSE_TELEX)
        return -1;
    return kcompose_telex_use_typed(c, text, cap, max_chars);
}

size_t kcompose_pending(const kcompose *c, const char *text)
{
    if (!text || !text[0])
        return 0;
    if (c->kind == KCOMPOSE_TELEX)
        return kcompose_telex_pending(c, text);
    if (c->kind == KCOMPOSE_HANGUL && c->hangul.composing) {
        size_t len = strlen(text);
        uint32_t cp;
        size_t at = kcompose_utf8_last(text, len, &cp);
        return cp == c->hangul.open ? len - at : 0;
    }
    return 0;
}

/* Long-press variants of base in layout (see compose.h). */
int kcompose_variants(const char *layout, uint32_t base, uint32_t *out,
                      int max)
{
    if (!out || max <= 0)
        return 0;
    if (layout_is(layout, "vi"))
        return kcompose_telex_variants(base, out, max);
    if (layout_is(layout, "ko"))
        return kcompose_hangul_variants(base, out, max);
    return latin_variants(base, out, max);
}

/* Encodes one code point as UTF-8 (no NUL after it; 4 bytes of room). */
int kcompose_utf8_put(uint32_t cp, char *out)
{
    char buf[5];
    int n = kutf8_put(cp, buf);
    memcpy(out, buf, (size_t)n);
    return n;
}

/* Decodes one code point forwards. */
uint32_t kcompose_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned char b = p[0];
    if (b == 0)
        return 0;
    size_t want = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2
                : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    uint32_t v = want == 2 ? (b & 0x1Fu) : want == 3 ? (b & 0x0Fu)
               : want == 4 ? (b & 0x07u) : b;
    for (size_t k = 1; k < want; k++) {
        if ((p[k] & 0xC0) != 0x80) { /* truncated: the lead byte alone */
            want = 0;
            break;
        }
        v = (v << 6) | (p[k] & 0x3Fu);
    }
    if (want == 0) {
        *s += 1;
        return b;
    }
    *s += want;
    return v;
}

/* Finds and decodes the last code point of text[0..len). */
size_t kcompose_utf8_last(const char *text, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    *cp = 0;
    if (len == 0)
        return 0;
    size_t i = len - 1;
    while (i > 0 && len - i < 4 && (s[i] & 0xC0) == 0x80)
        i--;
    size_t n = len - i;
    unsigned char b = s[i];
    size_t want = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2
                : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (want != n) { /* a stray byte stands for itself */
        *cp = s[len - 1];
        return len - 1;
    }
    uint32_t v = want == 1 ? b : want == 2 ? (b & 0x1Fu)
               : want == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (size_t k = 1; k < n; k++)
        v = (v << 6) | (s[i + k] & 0x3Fu);
    *cp = v;
    return i;
}

/* Counts code points (bytes that do not continue a sequence). */
size_t kcompose_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Replaces the tail text[at..] with repl when the result fits. */
int kcompose_splice(char *text, size_t cap, size_t max_chars, size_t at,
                    const char *repl, size_t rlen)
{
    size_t old_len = strlen(text);
    if (at > old_len)
        return -1;
    size_t new_len = at + rlen;
    if (new_len >= cap && new_len > old_len)
        return -1;
    size_t old_chars = kcompose_utf8_count(text, old_len);
    size_t new_chars = kcompose_utf8_count(text, at)
                     + kcompose_utf8_count(repl, rlen);
    if (new_chars > max_chars && new_chars > old_chars)
        return -1;
    memcpy(text + at, repl, rlen);
    text[new_len] = '\0';
    return 0;
}

/* Deletes the last code point and the combining marks that followed it. */
int kcompose_delete_char(char *text)
{
    size_t len = strlen(text);
    if (len == 0)
        return -1;
    for (;;) {
        uint32_t cp;
        len = kcompose_utf8_last(text, len, &cp);
        if (len == 0 || !is_combining(cp))
            break;
    }
    text[len] = '\0';
    return 0;
}

/* ---- static functions ---------------------------------------------------- */

/* A key is a character that can stand in a field: no NUL, no control
 * characters (C0, DEL, C1), no surrogates, nothing past U+10FFFF. */
static int key_is_typable(uint32_t key)
{
    if (key < 0x20 || (key >= 0x7F && key < 0xA0))
        return 0;
    if (key >= 0xD800 && key <= 0xDFFF)
        return 0;
    return key <= 0x10FFFF;
}

/* Marks that belong to the character before them (deleted together with
 * it): combining diacritics, the zero-width joiner, variation selectors. */
static int is_combining(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF)
        || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF)
        || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F)
        || cp == 0x200D;
}

/* True if layout is code, or code followed by a region ("vi-VN", "ko_KR"). */
static int layout_is(const char *layout, const char *code)
{
    if (!layout)
        return 0;
    size_t n = strlen(code);
    return strncmp(layout, code, n) == 0
        && (layout[n] == '\0' || layout[n] == '-' || layout[n] == '_');
}

/* Long-press forms for Latin layouts other than Vietnamese: what Pacific
 * (Hawaiian, Samoan, Tongan, Māori, Chamorro, Marshallese) and Filipino
 * names need first, then the accents of common European names. */
static const struct latin_row {
    uint32_t lower, upper;
    uint32_t lo[8], up[8]; /* 0-terminated */
} latin_rows[] = {
    {'a', 'A', {0x0101, 0xE1, 0xE0, 0xE2, 0xE4, 0xE3, 0xE5},
               {0x0100, 0xC1, 0xC0, 0xC2, 0xC4, 0xC3, 0xC5}},  /* ā á à â ä ã å */
    {'e', 'E', {0x0113, 0xE9, 0xE8, 0xEA, 0xEB},
               {0x0112, 0xC9, 0xC8, 0xCA, 0xCB}},              /* ē é è ê ë */
    {'i', 'I', {0x012B, 0xED, 0xEC, 0xEE, 0xEF},
               {0x012A, 0xCD, 0xCC, 0xCE, 0xCF}},              /* ī í ì î ï */
    {'o', 'O', {0x014D, 0xF3, 0xF2, 0xF4, 0xF6, 0xF5, 0xF8},
               {0x014C, 0xD3, 0xD2, 0xD4, 0xD6, 0xD5, 0xD8}},  /* ō ó ò ô ö õ ø */
    {'u', 'U', {0x016B, 0xFA, 0xF9, 0xFB, 0xFC},
               {0x016A, 0xDA, 0xD9, 0xDB, 0xDC}},              /* ū ú ù û ü */
    {'n', 'N', {0xF1, 0x0146}, {0xD1, 0x0145}},                /* ñ ņ */
    {'l', 'L', {0x013C}, {0x013B}},                            /* ļ */
    {'c', 'C', {0xE7}, {0xC7}},                                /* ç */
    {'y', 'Y', {0xFD, 0xFF}, {0xDD, 0x0178}},                  /* ý ÿ */
    {'\'', '\'', {0x02BB, 0x2019, 0x02BC},
                 {0x02BB, 0x2019, 0x02BC}},                    /* ʻ ’ ʼ */
};

/* Copies the Latin variants of base into out. */
static int latin_variants(uint32_t base, uint32_t *out, int max)
{
    for (size_t r = 0; r < sizeof latin_rows / sizeof latin_rows[0]; r++) {
        const struct latin_row *row = &latin_rows[r];
        const uint32_t *forms = base == row->lower ? row->lo
                              : base == row->upper ? row->up : NULL;
        if (!forms)
            continue;
        int n = 0;
        while (n < 8 && n < max && forms[n]) {
            out[n] = forms[n];
            n++;
        }
        return n;
    }
    return 0;
}
