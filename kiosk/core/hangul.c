/*
 * hangul.c - Korean 2-set (dubeolsik) composition for the on-screen
 * keyboard.
 *
 * Keys are Hangul compatibility jamo, one per key as printed on the
 * keyboard: consonants U+3131..U+314E (ㄲ ㄸ ㅃ ㅆ ㅉ are keys of their
 * own, shifted on the real layout) and vowels U+314F..U+3163 (ㅒ ㅖ too).
 * They build precomposed syllables
 *
 *     U+AC00 + (L * 21 + V) * 28 + T
 *
 * with L the initial (19 choseong), V the vowel (21 jungseong, in the
 * same order as the compatibility vowels) and T the final (27 jongseong,
 * 0 for none).  The syllable being built, or a lone jamo, is "open": it
 * is the last code point of the text, and the next key may still change
 * it.  All of the state is whether a unit is open and which code point it
 * is (to notice the text changing behind our back); everything else is
 * read from that code point, so backspace can undo a jamo without a
 * history: in 2-set every compound (ㅘ, ㄺ) is made of exactly two keys
 * and ㄲ ㅆ are single keys, so the structure tells which key came last.
 *
 * The open unit moves through these states (C = consonant key, V = vowel
 * key, BS = backspace; "commit" leaves the unit behind, closed, and opens
 * a new one after it):
 *
 *                    C                          V
 *     +-------+ -----------> +-----+ -----------------> +----+
 *     | EMPTY |              |  L  |                    | LV |
 *     +-------+ <----------- +-----+ <----------------- +----+
 *       |   ^       BS                      BS           |  ^  ^
 *     V |   | BS                                       C |  |  |
 *       v   |                                            |  |BS|  V: the final
 *     +-------+                                          v  |  |  moves on
 *     |   V   |                                     +-----+ |  |  (닭+ㅏ = 달가,
 *     +-------+                                     | LVT |-+  |   간+ㅏ = 가나)
 *                                                   +-----+    |
 *                                                      |       |
 *                                                      +-------+
 *
 *   L   + C  commit, new L (lone consonants are not joined into ㄳ).
 *   V   + V  compound vowel if the pair makes one (ㅗ+ㅏ ㅗ+ㅐ ㅗ+ㅣ ㅜ+ㅓ
 *            ㅜ+ㅔ ㅜ+ㅣ ㅡ+ㅣ), else commit, new V.  A vowel with no
 *            consonant before it stays a lone jamo, as in real IMEs (no
 *            silent ㅇ is added).
 *   V   + C  commit, new L.
 *   LV  + V  compound vowel (고+ㅏ = 과), else commit, new V.
 *   LV  + C  the consonant becomes the final (LVT) if it can be one;
 *            ㄸ ㅃ ㅉ cannot: commit, new L.
 *   LVT + C  double final if one exists (달+ㄱ = 닭, 갑+ㅅ = 값), else
 *            commit, new L.
 *   LVT + V  commit the syllable without its final (or without the second
 *            half of a double final) and open LV with it: 닭+ㅏ = 달가.
 *   BS takes off the last jamo typed: a double final's second half (닭 ->
 *            달), the final (한 -> 하), a compound vowel's second half
 *            (과 -> 고, ㅘ -> ㅗ), the vowel (하 -> ㅎ); on L or a lone V the
 *            unit is deleted and composition ends.
 *   Any other key (space, digit, Latin letter, a double-final jamo such as
 *   ㄳ, which no 2-set key types), kcompose_reset(), and BS with nothing
 *   open close the unit; BS then deletes whole characters.
 *
 * Invariants:
 *   1. c->hangul.composing implies the text ends with c->hangul.open; if it
 *      does not (the field was cleared or edited), nothing is open.
 *   2. The open unit is a syllable U+AC00..U+D7A3, a compatibility
 *      consonant that is a valid initial, or a compatibility vowel.
 *   3. A key changes at most the open unit and appends at most one unit.
 */
#include "compose.h"

#include <assert.h>
#include <string.h>

/* ---- defines ------------------------------------------------------------- */

#define SYL_FIRST 0xAC00u
#define SYL_LAST 0xD7A3u
#define CONS_FIRST 0x3131u  /* ㄱ */
#define CONS_LAST 0x314Eu   /* ㅎ */
#define VOWEL_FIRST 0x314Fu /* ㅏ */
#define VOWEL_LAST 0x3163u  /* ㅣ */
#define NJUNG 21
#define NJONG 28

/* ---- typedefs ------------------------------------------------------------ */

/* An open unit, decomposed: cho = initial index (0..18) or -1, jung =
 * vowel index (0..20) or -1, jong = final index (1..27) or 0. */
typedef struct hgunit {
    int cho, jung, jong;
} hgunit;

/* ---- static prototypes --------------------------------------------------- */

static int cons_to_cho(uint32_t cp);
static int cons_to_jong(uint32_t cp);
static int jong_to_cho(int jong);
static int compound_jong(int a, int b);
static int split_jong(int jong, int *first, int *second);
static int compound_jung(int a, int b);
static int split_jung(int jung);
static int unit_from_cp(uint32_t cp, hgunit *u);
static uint32_t unit_to_cp(hgunit u);
static int write_units(kcompose *c, char *text, size_t cap, size_t max_chars,
                       size_t at, const hgunit *units, int n);

/* ---- tables -------------------------------------------------------------- */

/* Compatibility jamo (offset from U+3131) of each initial, in choseong
 * order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ. */
static const unsigned char cho_cons[19] = {
    0, 1, 3, 6, 7, 8, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};

/* Compatibility jamo (offset from U+3131) of each final, in jongseong
 * order from 1: ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ
 * ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ (index 0, no final, is unused). */
static const unsigned char jong_cons[NJONG] = {
    0xFF, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29};

/* Double finals as jongseong indices: first + second = result. */
static const unsigned char jong_pairs[][3] = {
    {1, 19, 3},   /* ㄱ+ㅅ=ㄳ */
    {4, 22, 5},   /* ㄴ+ㅈ=ㄵ */
    {4, 27, 6},   /* ㄴ+ㅎ=ㄶ */
    {8, 1, 9},    /* ㄹ+ㄱ=ㄺ */
    {8, 16, 10},  /* ㄹ+ㅁ=ㄻ */
    {8, 17, 11},  /* ㄹ+ㅂ=ㄼ */
    {8, 19, 12},  /* ㄹ+ㅅ=ㄽ */
    {8, 25, 13},  /* ㄹ+ㅌ=ㄾ */
    {8, 26, 14},  /* ㄹ+ㅍ=ㄿ */
    {8, 27, 15},  /* ㄹ+ㅎ=ㅀ */
    {17, 19, 18}, /* ㅂ+ㅅ=ㅄ */
};

/* Compound vowels as jungseong indices: first + second = result. */
static const unsigned char jung_pairs[][3] = {
    {8, 0, 9},    /* ㅗ+ㅏ=ㅘ */
    {8, 1, 10},   /* ㅗ+ㅐ=ㅙ */
    {8, 20, 11},  /* ㅗ+ㅣ=ㅚ */
    {13, 4, 14},  /* ㅜ+ㅓ=ㅝ */
    {13, 5, 15},  /* ㅜ+ㅔ=ㅞ */
    {13, 20, 16}, /* ㅜ+ㅣ=ㅟ */
    {18, 20, 19}, /* ㅡ+ㅣ=ㅢ */
};

#define NPAIRS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- global functions ---------------------------------------------------- */

/* Applies one key (see the state machine above). */
int kcompose_hangul_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                        uint32_t key)
{
    size_t len = strlen(text);
    uint32_t last;
    size_t last_at = kcompose_utf8_last(text, len, &last);
    hgunit u = {-1, -1, 0};
    int open = c->hangul.composing && len > 0 && last == c->hangul.open
            && unit_from_cp(last, &u);
    hgunit out[2];
    int n = 0, replace = 0;

    if (key >= CONS_FIRST && key <= CONS_LAST && cons_to_cho(key) >= 0) {
        int cho = cons_to_cho(key), jong = cons_to_jong(key);
        int both = open && u.cho >= 0 && u.jung >= 0;
        if (both && u.jong == 0 && jong > 0) {
            out[n++] = (hgunit){u.cho, u.jung, jong};          /* LV -> LVT */
            replace = 1;
        } else if (both && u.jong > 0 && compound_jong(u.jong, jong) > 0) {
            out[n++] = (hgunit){u.cho, u.jung, compound_jong(u.jong, jong)};
            replace = 1;                                      /* 달+ㄱ=닭 */
        } else {
            out[n++] = (hgunit){cho, -1, 0};                  /* new L */
        }
    } else if (key >= VOWEL_FIRST && key <= VOWEL_LAST) {
        int v = (int)(key - VOWEL_FIRST);
        if (open && u.jung < 0) {
            out[n++] = (hgunit){u.cho, v, 0};                 /* L -> LV */
            replace = 1;
        } else if (open && u.jong == 0 && compound_jung(u.jung, v) >= 0) {
            out[n++] = (hgunit){u.cho, compound_jung(u.jung, v), 0};
            replace = 1;                                      /* ㅗ+ㅏ=ㅘ */
        } else if (open && u.jong > 0) {
            int keep, move;                                   /* 닭+ㅏ=달가 */
            if (!split_jong(u.jong, &keep, &move)) {
                keep = 0;
                move = u.jong;
            }
            out[n++] = (hgunit){u.cho, u.jung, keep};
            out[n++] = (hgunit){jong_to_cho(move), v, 0};
            replace = 1;
        } else {
            out[n++] = (hgunit){-1, v, 0};                    /* lone V */
        }
    } else {
        /* Not a 2-set jamo: typed as is, and the open unit is closed. */
        char enc[4];
        int k = kcompose_utf8_put(key, enc);
        if (kcompose_splice(text, cap, max_chars, len, enc, (size_t)k) != 0)
            return -1;
        c->hangul.composing = 0;
        return 0;
    }
    return write_units(c, text, cap, max_chars, replace ? last_at : len, out,
                       n);
}

/* Backspace: one jamo off the open unit, else one whole character. */
int kcompose_hangul_backspace(kcompose *c, char *text, size_t cap)
{
    size_t len = strlen(text);
    uint32_t last;
    size_t last_at = kcompose_utf8_last(text, len, &last);
    hgunit u;
    if (!c->hangul.composing || len == 0 || last != c->hangul.open
        || !unit_from_cp(last, &u)) {
        c->hangul.composing = 0;
        return kcompose_delete_char(text);
    }
    int first, second;
    if (u.jong > 0) {
        u.jong = split_jong(u.jong, &first, &second) ? first : 0;
    } else if (u.jung >= 0 && split_jung(u.jung) >= 0) {
        u.jung = split_jung(u.jung);
    } else if (u.jung >= 0 && u.cho >= 0) {
        u.jung = -1;
    } else {
        text[last_at] = '\0';
        c->hangul.composing = 0;
        return 0;
    }
    return write_units(c, text, cap, SIZE_MAX, last_at, &u, 1);
}

/* Long-press forms on the Korean layout: the shifted jamo of a key. */
int kcompose_hangul_variants(uint32_t base, uint32_t *out, int max)
{
    static const uint32_t shifted[][2] = {
        {0x3131, 0x3132}, /* ㄱ ㄲ */
        {0x3137, 0x3138}, /* ㄷ ㄸ */
        {0x3142, 0x3143}, /* ㅂ ㅃ */
        {0x3145, 0x3146}, /* ㅅ ㅆ */
        {0x3148, 0x3149}, /* ㅈ ㅉ */
        {0x3150, 0x3152}, /* ㅐ ㅒ */
        {0x3154, 0x3156}, /* ㅔ ㅖ */
    };
    for (size_t i = 0; i < NPAIRS(shifted); i++) {
        if (shifted[i][0] == base && max > 0) {
            out[0] = shifted[i][1];
            return 1;
        }
    }
    return 0;
}

/* ---- static functions ---------------------------------------------------- */

/* Initial index of a compatibility consonant, -1 if it cannot begin a
 * syllable (the double finals ㄳ ㄵ ㄶ ㄺ..ㅀ ㅄ). */
static int cons_to_cho(uint32_t cp)
{
    if (cp < CONS_FIRST || cp > CONS_LAST)
        return -1;
    for (int i = 0; i < 19; i++)
        if (cho_cons[i] == cp - CONS_FIRST)
            return i;
    return -1;
}

/* Final index of a compatibility consonant, 0 if it cannot end one
 * (ㄸ ㅃ ㅉ). */
static int cons_to_jong(uint32_t cp)
{
    if (cp < CONS_FIRST || cp > CONS_LAST)
        return 0;
    for (int i = 1; i < NJONG; i++)
        if (jong_cons[i] == cp - CONS_FIRST)
            return i;
    return 0;
}

/* Initial index of the consonant a single final is written with. */
static int jong_to_cho(int jong)
{
    return cons_to_cho(CONS_FIRST + jong_cons[jong]);
}

/* The double final a + b, or 0 if there is none. */
static int compound_jong(int a, int b)
{
    for (size_t i = 0; i < NPAIRS(jong_pairs); i++)
        if (jong_pairs[i][0] == a && jong_pairs[i][1] == b)
            return jong_pairs[i][2];
    return 0;
}

/* Splits a double final into its halves; 0 if jong is a single final. */
static int split_jong(int jong, int *first, int *second)
{
    for (size_t i = 0; i < NPAIRS(jong_pairs); i++) {
        if (jong_pairs[i][2] == jong) {
            *first = jong_pairs[i][0];
            *second = jong_pairs[i][1];
            return 1;
        }
    }
    return 0;
}

/* The compound vowel a + b, or -1 if there is none. */
static int compound_jung(int a, int b)
{
    for (size_t i = 0; i < NPAIRS(jung_pairs); i++)
        if (jung_pairs[i][0] == a && jung_pairs[i][1] == b)
            return jung_pairs[i][2];
    return -1;
}

/* The first vowel of a compound vowel, -1 if jung is simple. */
static int split_jung(int jung)
{
    for (size_t i = 0; i < NPAIRS(jung_pairs); i++)
        if (jung_pairs[i][2] == jung)
            return jung_pairs[i][0];
    return -1;
}

/* Decomposes a unit that may be open; 0 if cp cannot be one. */
static int unit_from_cp(uint32_t cp, hgunit *u)
{
    if (cp >= SYL_FIRST && cp <= SYL_LAST) {
        uint32_t s = cp - SYL_FIRST;
        u->cho = (int)(s / (NJUNG * NJONG));
        u->jung = (int)(s / NJONG % NJUNG);
        u->jong = (int)(s % NJONG);
        return 1;
    }
    if (cp >= VOWEL_FIRST && cp <= VOWEL_LAST) {
        *u = (hgunit){-1, (int)(cp - VOWEL_FIRST), 0};
        return 1;
    }
    if (cons_to_cho(cp) >= 0) {
        *u = (hgunit){cons_to_cho(cp), -1, 0};
        return 1;
    }
    return 0;
}

/* The code point of a unit: a syllable, or a lone compatibility jamo. */
static uint32_t unit_to_cp(hgunit u)
{
    if (u.cho >= 0 && u.jung >= 0)
        return SYL_FIRST + (uint32_t)((u.cho * NJUNG + u.jung) * NJONG + u.jong);
    if (u.cho >= 0)
        return CONS_FIRST + cho_cons[u.cho];
    assert(u.jung >= 0 && u.jong == 0);
    return VOWEL_FIRST + (uint32_t)u.jung;
}

/* Writes units over text[at..]; the last one becomes the open unit. */
static int write_units(kcompose *c, char *text, size_t cap, size_t max_chars,
                       size_t at, const hgunit *units, int n)
{
    char buf[8];
    size_t blen = 0;
    uint32_t cp = 0;
    for (int i = 0; i < n; i++) {
        cp = unit_to_cp(units[i]);
        blen += (size_t)kcompose_utf8_put(cp, buf + blen);
    }
    if (kcompose_splice(text, cap, max_chars, at, buf, blen) != 0)
        return -1;
    c->hangul.composing = 1;
    c->hangul.open = cp;
    return 0;
}
