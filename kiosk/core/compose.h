/*
 * compose.h - keyboard composition: what one key of the on-screen keyboard
 * does to the end of a text field, for Vietnamese Telex and Korean 2-set
 * (dubeolsik) Hangul.
 *
 * The field's text is owned by the caller (a NUL-terminated UTF-8 buffer);
 * the engine only ever rewrites its tail: the word being typed (Telex) or
 * the syllable being composed (Hangul).  The engine state in kcompose is
 * fixed size, allocates nothing, and is checked against the text on every
 * key, so a field cleared or edited behind the engine's back (idle reset,
 * a search box refilled) is simply taken as it now is.
 *
 *   kcompose c = {0};                      // NONE, new tone style
 *   kcompose_reset(&c, KCOMPOSE_TELEX);    // field focused, layout chosen
 *   kcompose_key(&c, buf, sizeof buf, KIOSK_NAME_MAX, 'h');
 *   ...                                    // "hoaf" -> "hoà"
 *   kcompose_backspace(&c, buf, sizeof buf);
 *
 * Engines (each file explains its rules at its top):
 *   KCOMPOSE_NONE    keys are appended as they are.
 *   KCOMPOSE_TELEX   Vietnamese Telex as on phone keyboards (telex.c):
 *                    aa â, aw ă, ee ê, oo ô, ow ơ, uw ư, uow ươ, dd đ,
 *                    w alone ư; tones s f r x j, z removes the tone; the
 *                    same key again undoes ("xooo" -> "xoo").  Keys change
 *                    a word only while it can still be a Vietnamese
 *                    syllable, and a word that stops being one is given
 *                    back exactly as typed, double letters included, so
 *                    "chris", "ross", "tiffany", "susan" stay English.
 *   KCOMPOSE_HANGUL  Korean 2-set (hangul.c): compatibility jamo keys
 *                    (U+3131..U+3163) compose syllables U+AC00..U+D7A3;
 *                    backspace takes off one jamo of the open syllable.
 *
 * Limits: a key is refused (-1, text and state unchanged) if the result
 * would need more than cap - 1 bytes or more than max_chars code points;
 * pass SIZE_MAX for no character limit.  Text already over a limit may
 * still shrink or be rewritten at the same length.
 */
#ifndef KIOSK_COMPOSE_H
#define KIOSK_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

enum { KCOMPOSE_NONE, KCOMPOSE_TELEX, KCOMPOSE_HANGUL };

/* Where Telex puts the tone on "oa", "oe", "uy" with nothing after them.
 * Every other syllable has one right place, the same in both styles. */
enum {
    KCOMPOSE_TONE_NEW,  /* on the second vowel: "hoà", "hoè", "thuý" */
    KCOMPOSE_TONE_OLD   /* on the first vowel:  "hòa", "hòe", "thúy" */
};

/* Longest Telex word the engine follows, in code points.  A longer run of
 * letters is typed literally (no Vietnamese syllable comes near it). */
#define KCOMPOSE_WORD_MAX 24

typedef struct kcompose {
    int kind;        /* KCOMPOSE_NONE, _TELEX or _HANGUL */
    int tone_style;  /* KCOMPOSE_TONE_NEW (0) or _OLD; kept by reset */

    /* Telex: the word at the end of the text as the engine last wrote it.
     * Valid only while the text still ends with exactly `shown`. */
    struct kcompose_telex {
        int tracked;     /* the fields below describe the text's last word */
        int literal;     /* the word is no longer Vietnamese: typed as is */
        int w_vowel;     /* 1 + index of the ư a lone w typed, 0 if none */
        int reread;      /* raw[] was read back from the text, not typed */
        int nraw;
        uint32_t raw[KCOMPOSE_WORD_MAX];       /* the word's keys as typed */
        char shown[KCOMPOSE_WORD_MAX * 4 + 1]; /* the word as written */
    } telex;

    /* Hangul: the syllable (or lone jamo) still open for composition is
     * the last code point of the text and equals `open`. */
    struct kcompose_hangul {
        int composing;
        uint32_t open;
    } hangul;
} kcompose;

/* Ends any composition and switches engine (field focused, layout switched,
 * or a space/field change).  Keeps the tone style setting. */
void kcompose_reset(kcompose *c, int kind);

/* Chooses where Telex puts the tone on oa/oe/uy (KCOMPOSE_TONE_NEW/OLD). */
void kcompose_set_tone_style(kcompose *c, int style);

/* Applies one key (a character typed or tapped) to the end of text (UTF-8,
 * NUL-terminated, buffer of cap bytes, at most max_chars code points).
 * Returns 0, or -1 if the result would not fit or key is not a character
 * one can type (NUL, control, surrogate, beyond U+10FFFF); on -1 text and
 * engine state are unchanged. */
int kcompose_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                 uint32_t key);

/* Backspace.  Hangul: takes one jamo off the open syllable (한 -> 하 ->
 * ㅎ -> ""); otherwise deletes the last character (a code point with any
 * combining marks after it; Vietnamese letters are single precomposed code
 * points).  Returns 0, or -1 if text was empty. */
int kcompose_backspace(kcompose *c, char *text, size_t cap);

/* How many bytes at the end of text the next key may still rewrite (the
 * open Hangul syllable, the Vietnamese word being typed), for the UI to
 * underline; 0 when nothing is being composed. */
size_t kcompose_pending(const kcompose *c, const char *text);

/* The letters as typed, for the suggestion strip: if Telex changed the
 * word at the end of text ("susan" never, "max" -> "mã"), writes the
 * keys that typed it ("lisa") to out and returns their length; else 0
 * (and out is ""). */
size_t kcompose_typed(const kcompose *c, const char *text, char *out,
                      size_t cap);

/* Puts the letters as typed in place of the composed word at the end of
 * text; the keys after it are then typed as they are.  Returns 0, or -1
 * if there is nothing to put back or it would not fit. */
int kcompose_use_typed(kcompose *c, char *text, size_t cap, size_t max_chars);

/* Long-press variants of a base letter in a keyboard layout, in the order
 * the popup shows them; upper-case base gives upper-case forms.
 *   "vi": every tone and vowel form of a ă â e ê i o ô ơ u ư y, and d -> đ
 *         ("a" gives á à ả ã ạ ă ắ ằ ẳ ẵ ặ â ấ ầ ẩ ẫ ậ, "ơ" gives ớ ờ ở ỡ ợ);
 *   "ko": the shifted jamo (ㄱ -> ㄲ, ㅐ -> ㅒ, ...);
 *   any other layout ("tl", "haw", "sm", "to", "mi", "ch", "en", NULL):
 *         Pacific and Filipino first - macrons ā ē ī ō ū, ñ, the ʻokina
 *         (U+02BB) on the apostrophe key - then common Latin accents.
 * Writes at most max code points to out; returns how many were written
 * (0 if the letter has no variants). */
int kcompose_variants(const char *layout, uint32_t base, uint32_t *out,
                      int max);

/* ---- shared by compose.c, telex.c and hangul.c ------------------------- */

/* Encodes cp as UTF-8 into out (4 bytes room); returns the length. */
int kcompose_utf8_put(uint32_t cp, char *out);

/* Decodes the code point at *s and moves *s past it (a stray byte decodes
 * as itself); 0 at the end of the string. */
uint32_t kcompose_utf8_next(const char **s);

/* Start of the code point that ends text[0..len) (0 if len is 0); its value
 * goes to *cp (a stray byte decodes as itself, one byte long). */
size_t kcompose_utf8_last(const char *text, size_t len, uint32_t *cp);

/* Number of code points in s[0..len). */
size_t kcompose_utf8_count(const char *s, size_t len);

/* Replaces text[at..] with repl[0..rlen) if the result fits cap bytes and
 * max_chars code points (or is no longer than before); 0 or -1. */
int kcompose_splice(char *text, size_t cap, size_t max_chars, size_t at,
                    const char *repl, size_t rlen);

/* Deletes the last character of text (code point plus combining marks). */
int kcompose_delete_char(char *text);

/* The engines, called by the dispatcher in compose.c. */
int kcompose_telex_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                       uint32_t key);
size_t kcompose_telex_pending(const kcompose *c, const char *text);
int kcompose_telex_variants(uint32_t base, uint32_t *out, int max);
size_t kcompose_telex_typed(const kcompose *c, const char *text, char *out,
                            size_t cap);
int kcompose_telex_use_typed(kcompose *c, char *text, size_t cap,
                             size_t max_chars);
int kcompose_hangul_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                        uint32_t key);
int kcompose_hangul_backspace(kcompose *c, char *text, size_t cap);
int kcompose_hangul_variants(uint32_t base, uint32_t *out, int max);

#endif
