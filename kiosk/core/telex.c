/*
 * telex.c - Vietnamese Telex for the on-screen keyboard, as Vietnamese
 * phone keyboards (Laban Key, UniKey's Telex) type it.
 *
 * Telex works on the word at the end of the text: the letters since the
 * last space, digit or punctuation.  Each key either changes that word or
 * is added to it:
 *
 *   aa â   aw ă   ee ê   oo ô   ow ơ   uw ư   uow ươ   dd đ
 *   w alone (word start, or after consonants only) types ư: "w" -> "ư",
 *       "tw" -> "tư", "nhwngx" -> "những".
 *   s sắc ´   f huyền `   r hỏi ̉   x ngã ˜   j nặng ̣   z takes the tone off
 *   The same key again undoes and types its letter once: "ooo" -> "oo"
 *   and Telex goes on ("xooongs" -> "xoóng"); if the word is then no
 *   Vietnamese syllable it is given back as typed ("ross", "tiffany").
 *   A tone key right after "qu" waits for the vowel ("qusa" -> "quá").

 * Where a key may come:
 *   - tones, z, w and the second d may come anywhere in the word, also
 *     after the final consonant: "toans" = "toasn" -> "toán", "dinhd" ->
 *     "đinh", "tuongw" -> "tương";
 *   - the doubled vowels aa ee oo must follow the vowel they double
 *     ("nguyeen" -> "nguyên", "nguyeexn" -> "nguyễn"; but "sara" and
 *     "dana" stay as typed, and so does "nguyexen").
 *
 * Where the tone goes (recomputed after every key, so it moves as the word
 * grows: "hoaf" -> "hoà", then "n" -> "hoàn"):
 *   1. on the vowel with a mark (â ă ê ô ơ ư); if there are two (ươ), on
 *      the second: "tiếng", "người", "đường", "thuở", "cứu";
 *   2. else, when a final consonant follows the vowels, on the last vowel:
 *      "toán", "hoàng", "huỳnh";
 *   3. else on a single vowel; on the middle of three ("hoài", "khuỷu");
 *      on the first of two ("mùa", "kìa", "tài") except oa, oe, uy, which
 *      follow the style setting: KCOMPOSE_TONE_NEW "hoà", "hoè", "thuý",
 *      KCOMPOSE_TONE_OLD "hòa", "hòe", "thúy".
 *   The u of "qu" and the i of "gi" before a vowel belong to the initial:
 *   "quá", "già", "giữ" (but "gì", "gìn": there i is the vowel).
 *
 * Vietnamese and other words (the rule chosen for names).  A key changes a
 * word only if the result can still be a Vietnamese syllable:
 *     initial  b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th
 *              tr v x, or none;
 *     vowels   one of the nuclei listed below (a vowel still waiting for
 *              its mark counts: "uye" on the way to "uyê");
 *     final    c ch m n ng nh p t, or none, and only after nuclei that
 *              take one; with c ch p t only sắc and nặng (or no tone).
 * and spelled as Vietnamese spells: k, gh, ngh only before i e ê (and y
 * for k), c, g, ng never; "ua" with a final only after q ("quan", not
 * "suan"); no tone typed before the vowel that would carry it ("ros" ->
 * "ró", then "a" would move it: "rosa" is not Vietnamese).
 * A letter that makes the word impossible as Vietnamese gives the word
 * back exactly as it was typed, and the rest of the word is typed as is:
 * "leslie" -> "lé" on the way, then "lesl" when l comes, and "leslie".
 * So "chris", "john", "kwon", "karen", "susan", "rosa", "ross",
 * "tiffany", "russell", "teresa" all come out as typed.  A tone key typed
 * between the vowels of a syllable is a letter too ("lisa", "gary",
 * "mary": Telex types the tone after the vowels, "mayr" -> "mảy"; see
 * vowel_after_tone).  What the rule cannot save is an English word that is
 * typed exactly as Telex types a Vietnamese syllable: "max" is how "mã" is
 * typed, "luis" "lúi", "los" "ló", "lee" "lê"; for those the keyboard's
 * suggestion strip offers the word as typed (kcompose_typed,
 * kcompose_use_typed).  tests/telex_oracle.c checks
 * every syllable of hunspell-vi against m17n's vi-telex and a list of
 * English, Spanish and Filipino names.

 * Output is precomposed (NFC): one code point per letter, from the tables
 * below (U+00C0..U+01B0 and U+1EA0..U+1EF9).
 *
 * State (kcompose.telex): the word as last written and the keys that made
 * it, so a word that stops being Vietnamese can be given back as typed.
 * If the text no longer ends with that word (backspace, a field cleared),
 * the word is read afresh from the text and its letters count as its keys.
 */
#include "compose.h"

#include <string.h>

/* ---- defines and typedefs ------------------------------------------------ */

enum { MOD_NONE, MOD_HAT, MOD_BREVE, MOD_HORN, MOD_BAR };
enum { TONE_NONE, TONE_ACUTE, TONE_GRAVE, TONE_HOOK, TONE_TILDE, TONE_DOT };

/* One letter: lower-case ASCII base, its vowel mark (or the bar of đ), and
 * whether it is upper case.  Tones belong to the word (txword.tone). */
typedef struct txletter {
    unsigned char base, mod, upper;
} txletter;

typedef struct txword {
    txletter l[KCOMPOSE_WORD_MAX + 2];
    int n;
    int tone;
} txword;

/* A word cut into initial [0, ini), vowels [ini, nuc), final [nuc, n). */
typedef struct txsyl {
    int ini, nuc;
} txsyl;

#define WORD_OUT_MAX (KCOMPOSE_WORD_MAX + 2)

/* ---- static prototypes --------------------------------------------------- */

static int is_word_char(uint32_t cp);
static int is_vowel(int base);
static int form_of(const txletter *l);
static int letter_from_cp(uint32_t cp, txletter *l, int *tone);
static uint32_t letter_to_cp(const txletter *l, int tone);
static int word_from_cps(const uint32_t *cps, int n, txword *w);
static int initial_ok(const txword *w, int ini);
static int final_ok(const txword *w, int from, int *stop);
static int nucleus_ok(const txword *w, int ini, int nuc, int has_final);
static int analyse(const txword *w, txsyl *s);
static int qu_only(const txword *w);
static int spelling_ok(const txword *w, int ini);
static int tone_place(const txword *w, const txsyl *s, int style);
static int tone_jumps(const txword *w, const txword *w2, int style);
static int vowel_after_tone(const txword *w, const txword *w2, int style);
static void normalize_uo(txword *w);
static int render(const txword *w, int style, uint32_t *out);
static int tail_word(const char *text, size_t len, size_t *start,
                     uint32_t *cps, int *n);
static int step(const txword *w, struct kcompose_telex *st, int style,
                uint32_t key, uint32_t *out);

/* ---- tables -------------------------------------------------------------- */

/* The twelve vowel forms a ă â e ê i o ô ơ u ư y, by tone: none, sắc,
 * huyền, hỏi, ngã, nặng; [0] lower case, [1] upper case. */
static const uint16_t vowel_cp[2][12][6] = {
    {
        {0x0061, 0x00E1, 0x00E0, 0x1EA3, 0x00E3, 0x1EA1}, /* a */
        {0x0103, 0x1EAF, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EB7}, /* ă */
        {0x00E2, 0x1EA5, 0x1EA7, 0x1EA9, 0x1EAB, 0x1EAD}, /* â */
        {0x0065, 0x00E9, 0x00E8, 0x1EBB, 0x1EBD, 0x1EB9}, /* e */
        {0x00EA, 0x1EBF, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EC7}, /* ê */
        {0x0069, 0x00ED, 0x00EC, 0x1EC9, 0x0129, 0x1ECB}, /* i */
        {0x006F, 0x00F3, 0x00F2, 0x1ECF, 0x00F5, 0x1ECD}, /* o */
        {0x00F4, 0x1ED1, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED9}, /* ô */
        {0x01A1, 0x1EDB, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EE3}, /* ơ */
        {0x0075, 0x00FA, 0x00F9, 0x1EE7, 0x0169, 0x1EE5}, /* u */
        {0x01B0, 0x1EE9, 0x1EEB, 0x1EED, 0x1EEF, 0x1EF1}, /* ư */
        {0x0079, 0x00FD, 0x1EF3, 0x1EF7, 0x1EF9, 0x1EF5}, /* y */
    },
    {
        {0x0041, 0x00C1, 0x00C0, 0x1EA2, 0x00C3, 0x1EA0}, /* A */
        {0x0102, 0x1EAE, 0x1EB0, 0x1EB2, 0x1EB4, 0x1EB6}, /* Ă */
        {0x00C2, 0x1EA4, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EAC}, /* Â */
        {0x0045, 0x00C9, 0x00C8, 0x1EBA, 0x1EBC, 0x1EB8}, /* E */
        {0x00CA, 0x1EBE, 0x1EC0, 0x1EC2, 0x1EC4, 0x1EC6}, /* Ê */
        {0x0049, 0x00CD, 0x00CC, 0x1EC8, 0x0128, 0x1ECA}, /* I */
        {0x004F, 0x00D3, 0x00D2, 0x1ECE, 0x00D5, 0x1ECC}, /* O */
        {0x00D4, 0x1ED0, 0x1ED2, 0x1ED4, 0x1ED6, 0x1ED8}, /* Ô */
        {0x01A0, 0x1EDA, 0x1EDC, 0x1EDE, 0x1EE0, 0x1EE2}, /* Ơ */
        {0x0055, 0x00DA, 0x00D9, 0x1EE6, 0x0168, 0x1EE4}, /* U */
        {0x01AF, 0x1EE8, 0x1EEA, 0x1EEC, 0x1EEE, 0x1EF0}, /* Ư */
        {0x0059, 0x00DD, 0x1EF2, 0x1EF6, 0x1EF8, 0x1EF4}, /* Y */
    },
};

/* Base letter and mark of each vowel form, in vowel_cp order. */
static const char form_base[12] = {'a', 'a', 'a', 'e', 'e', 'i',
                                   'o', 'o', 'o', 'u', 'u', 'y'};
static const unsigned char form_mod[12] = {
    MOD_NONE, MOD_BREVE, MOD_HAT, MOD_NONE, MOD_HAT,  MOD_NONE,
    MOD_NONE, MOD_HAT,   MOD_HORN, MOD_NONE, MOD_HORN, MOD_NONE};

#define D_BAR_LOWER 0x0111u /* đ */
#define D_BAR_UPPER 0x0110u /* Đ */

/* Initial consonants (đ is d with its bar; "q" alone is allowed while the
 * u of "qu" is still to come). */
static const char *const initials[] = {
    "b", "c", "ch", "d", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
    "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"};

/* Final consonants; the first four are stops (only sắc and nặng). */
static const char *const finals[] = {"c", "ch", "p", "t", "m", "n", "ng", "nh"};
#define NSTOPS 4

/* Vowel nuclei of Vietnamese syllables and whether a final consonant may
 * follow ("an", "iên", but not "ain"). */
static const struct nucleus {
    const char *utf8;
    int takes_final;
} nuclei[] = {
    {"a", 1},   {"ă", 1},   {"â", 1},   {"e", 1},   {"ê", 1},   {"i", 1},
    {"o", 1},   {"ô", 1},   {"ơ", 1},   {"u", 1},   {"ư", 1},   {"y", 1},
    {"ai", 0},  {"ao", 0},  {"au", 0},  {"ay", 0},  {"âu", 0},  {"ây", 0},
    {"eo", 0},  {"êu", 0},  {"ia", 0},  {"iê", 1},  {"iu", 0},  {"oa", 1},
    {"oă", 1},  {"oe", 1},  {"oi", 0},  {"ôi", 0},  {"ơi", 0},  {"oo", 1},
    {"ua", 0},  {"uâ", 1},  {"uê", 1},  {"ui", 0},  {"uô", 1},  {"uơ", 0},
    {"uy", 1},  {"ưa", 0},  {"ưi", 0},  {"ươ", 1},  {"ưu", 0},  {"yê", 1},
    {"iêu", 0}, {"yêu", 0}, {"oai", 0}, {"oay", 0}, {"oao", 0}, {"oeo", 0},
    {"uây", 0}, {"uôi", 0}, {"ươi", 0}, {"ươu", 0}, {"uya", 0}, {"uyê", 1},
    {"uyu", 0},
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* ---- global functions ---------------------------------------------------- */

/* Applies one key to the word at the end of text (rules at the top). */
int kcompose_telex_key(kcompose *c, char *text, size_t cap, size_t max_chars,
                       uint32_t key)
{
    size_t len = strlen(text), start;
    char enc[4];
    uint32_t cps[KCOMPOSE_WORD_MAX];
    int n;

    if (!is_word_char(key) || !tail_word(text, len, &start, cps, &n)) {
        /* A word break, or a word too long to be Vietnamese: as is. */
        int k = kcompose_utf8_put(key, enc);
        if (kcompose_splice(text, cap, max_chars, len, enc, (size_t)k) != 0)
            return -1;
        c->telex.tracked = 0;
        return 0;
    }

    struct kcompose_telex st = c->telex;
    txword w;
    if (!st.tracked || strcmp(st.shown, text + start) != 0) {
        /* Not the word we wrote: take it as it stands. */
        memset(&st, 0, sizeof st);
        memcpy(st.raw, cps, (size_t)n * sizeof cps[0]);
        st.nraw = n;
        st.reread = n > 0;
    }
    if (!word_from_cps(cps, n, &w))
        st.literal = 1;

    uint32_t out[WORD_OUT_MAX];
    int nout;
    if (st.literal) {
        memcpy(out, cps, (size_t)n * sizeof cps[0]);
        out[n] = key;
        nout = n + 1;
    } else {
        nout = step(&w, &st, c->tone_style, key, out);
    }
    if (st.nraw < KCOMPOSE_WORD_MAX)
        st.raw[st.nraw++] = key;
    else
        st.literal = 1;

    char buf[WORD_OUT_MAX * 4 + 1];
    size_t blen = 0;
    for (int i = 0; i < nout; i++)
        blen += (size_t)kcompose_utf8_put(out[i], buf + blen);
    if (kcompose_splice(text, cap, max_chars, start, buf, blen) != 0)
        return -1;
    st.tracked = nout <= KCOMPOSE_WORD_MAX;
    if (st.tracked) {
        memcpy(st.shown, buf, blen);
        st.shown[blen] = '\0';
    }
    c->telex = st;
    return 0;
}

/* Bytes of the word at the end of text while it may still change: a word
 * that can still be Vietnamese. */
size_t kcompose_telex_pending(const kcompose *c, const char *text)
{
    size_t len = strlen(text), start;
    uint32_t cps[KCOMPOSE_WORD_MAX];
    int n;
    txword w;
    txsyl s;
    if (!tail_word(text, len, &start, cps, &n) || n == 0)
        return 0;
    if (c->telex.tracked && strcmp(c->telex.shown, text + start) == 0
        && c->telex.literal)
        return 0;
    if (!word_from_cps(cps, n, &w) || !analyse(&w, &s))
        return 0;
    return len - start;
}

/* The keys that typed the word at the end of text, if Telex changed it
 * (see compose.h). */
size_t kcompose_telex_typed(const kcompose *c, const char *text, char *out,
                            size_t cap)
{
    size_t len = strlen(text), slen = strlen(c->telex.shown), blen = 0;
    if (cap == 0)
        return 0;
    out[0] = '\0';
    if (!c->telex.tracked || slen == 0 || slen > len
        || strcmp(text + len - slen, c->telex.shown) != 0)
        return 0;
    char buf[KCOMPOSE_WORD_MAX * 4 + 1];
    for (int i = 0; i < c->telex.nraw; i++)
        blen += (size_t)kcompose_utf8_put(c->telex.raw[i], buf + blen);
    buf[blen] = '\0';
    if (strcmp(buf, c->telex.shown) == 0 || blen + 1 > cap)
        return 0;
    memcpy(out, buf, blen + 1);
    return blen;
}

/* Puts the keys as typed in place of the composed word (see compose.h). */
int kcompose_telex_use_typed(kcompose *c, char *text, size_t cap,
                             size_t max_chars)
{
    char raw[KCOMPOSE_WORD_MAX * 4 + 1];
    size_t rlen = kcompose_telex_typed(c, text, raw, sizeof raw);
    if (rlen == 0)
        return -1;
    size_t at = strlen(text) - strlen(c->telex.shown);
    if (kcompose_splice(text, cap, max_chars, at, raw, rlen) != 0)
        return -1;
    c->telex.literal = 1;
    memcpy(c->telex.shown, raw, rlen + 1);
    return 0;
}

/* Long-press forms on the Vietnamese layout (see compose.h). */
int kcompose_telex_variants(uint32_t base, uint32_t *out, int max)
{
    txletter l;
    int tone, n = 0;
    if (base == 'd' || base == 'D') {
        out[0] = base == 'd' ? D_BAR_LOWER : D_BAR_UPPER;
        return 1;
    }
    if (!letter_from_cp(base, &l, &tone) || tone != TONE_NONE
        || !is_vowel(l.base))
        return 0;
    int first = form_of(&l);
    for (int f = first; f < 12 && form_base[f] == l.base; f++) {
        if (f != first && l.mod != MOD_NONE)
            break; /* ă gives only ắ ằ ẳ ẵ ặ; a gives every a form */
        for (int t = f == first ? 1 : 0; t < 6 && n < max; t++)
            out[n++] = vowel_cp[l.upper][f][t];
    }
    return n;
}

/* ---- static functions ---------------------------------------------------- */

/* What the next key does to a word that can still be Vietnamese: writes
 * the word's new letters to out and returns how many.  Sets st->literal
 * when the word is to be typed as is from now on, and st->w_vowel. */
static int step(const txword *w, struct kcompose_telex *st, int style,
                uint32_t key, uint32_t *out)
{
    txletter kl;
    int ktone, n = w->n;
    txsyl s;
    txword w2 = *w;

    if (!letter_from_cp(key, &kl, &ktone)) {
        /* A Latin letter Vietnamese has no use for (ñ, ü): as typed. */
        memcpy(out, st->raw, (size_t)st->nraw * sizeof out[0]);
        out[st->nraw] = key;
        st->literal = 1;
        return st->nraw + 1;
    }
    int ok = analyse(w, &s);
    int has_vowels = ok && (s.nuc > s.ini || qu_only(w));
    int tk = key < 0x80 ? kl.base : 0; /* Telex keys are ASCII letters */
    int undo = 0;

    if (!ok || !tk) {
        /* Falls through to a plain letter. */
    } else if (strchr("sfrxj", tk) && has_vowels) {
        int tone = TONE_ACUTE + (int)(strchr("sfrxj", tk) - "sfrxj");
        if (w->tone == tone) {
            w2.tone = TONE_NONE;
            undo = 1;
        } else {
            w2.tone = tone;
            if (analyse(&w2, &s))
                return render(&w2, style, out);
        }
    } else if (tk == 'z' && w->tone != TONE_NONE) {
        w2.tone = TONE_NONE;
        return render(&w2, style, out);
    } else if (tk == 'd' && n > 0 && w->l[0].base == 'd') {
        if (w->l[0].mod == MOD_BAR) {
            w2.l[0].mod = MOD_NONE;
            undo = 1;
        } else {
            w2.l[0].mod = MOD_BAR;
            if (analyse(&w2, &s))
                return render(&w2, style, out);
        }
    } else if (strchr("aeo", tk) && has_vowels && s.nuc == n
               && st->nraw > 0) {
        /* Doubling: only right after the vowel it doubles. */
        txletter prev;
        int pt, i = s.nuc - 1;
        if (letter_from_cp(st->raw[st->nraw - 1], &prev, &pt)
            && prev.base == tk) {
            while (i >= s.ini && w->l[i].base != tk)
                i--;
            if (i >= s.ini && w->l[i].mod == MOD_HAT) {
                w2.l[i].mod = MOD_NONE;
                undo = 1;
            } else if (i >= s.ini) {
                w2.l[i].mod = MOD_HAT;
                normalize_uo(&w2);
                if (analyse(&w2, &s))
                    return render(&w2, style, out);
            }
        }
    } else if (tk == 'w' && !has_vowels) {
        /* A lone w is ư. */
        w2.l[n] = (txletter){'u', MOD_HORN, kl.upper};
        w2.n = n + 1;
        if (analyse(&w2, &s)) {
            st->w_vowel = n + 1;
            return render(&w2, style, out);
        }
    } else if (tk == 'w') {
        int marked = 0, uo_half = -1;
        for (int i = s.ini; i < s.nuc; i++) {
            if (w->l[i].mod == MOD_BREVE || w->l[i].mod == MOD_HORN)
                marked = 1;
            if (i + 1 < s.nuc && w->l[i].base == 'u' && w->l[i + 1].base == 'o'
                && w->l[i].mod == MOD_HORN && w->l[i + 1].mod == MOD_NONE)
                uo_half = i + 1; /* "ưo": w completes it to "ươ" */
        }
        if (uo_half >= 0) {
            w2.l[uo_half].mod = MOD_HORN;
            normalize_uo(&w2);
            if (analyse(&w2, &s))
                return render(&w2, style, out);
        } else if (marked) {
            for (int i = s.ini; i < s.nuc; i++)
                if (w2.l[i].mod == MOD_BREVE || w2.l[i].mod == MOD_HORN)
                    w2.l[i].mod = MOD_NONE;
            int wv = st->w_vowel - 1;
            if (wv >= 0 && wv < n && w2.l[wv].base == 'u') {
                if (wv == n - 1)
                    w2.n = n - 1; /* "ww" -> "w": the ư goes */
                else
                    w2.l[wv].base = 'w'; /* back to the w that typed it */
            }
            undo = 1;
        } else {
            /* uo -> ươ, else the last a, o or u that can take it. */
            for (int i = s.ini; i + 1 < s.nuc; i++) {
                if (w->l[i].base == 'u' && w->l[i + 1].base == 'o') {
                    w2.l[i].mod = w2.l[i + 1].mod = MOD_HORN;
                    normalize_uo(&w2);
                    if (analyse(&w2, &s))
                        return render(&w2, style, out);
                    w2 = *w;
                }
            }
            for (int i = s.nuc - 1; i >= s.ini; i--) {
                int b = w->l[i].base;
                if (b != 'a' && b != 'o' && b != 'u')
                    continue;
                w2 = *w;
                w2.l[i].mod = b == 'a' ? MOD_BREVE : MOD_HORN;
                normalize_uo(&w2);
                if (analyse(&w2, &s))
                    return render(&w2, style, out);
            }
        }
    }

    if (undo) {
        /* The mark comes off and the key is typed once: "xooo" -> "xoo",
         * and Telex goes on ("xooongs" -> "xoóng").  If that is no
         * Vietnamese word, the word as typed ("ross", "tiffany"). */
        w2.l[w2.n] = kl;
        w2.n++;
        if (w2.n <= KCOMPOSE_WORD_MAX && analyse(&w2, &s))
            return render(&w2, style, out);
        st->literal = 1;
        if (st->reread) /* keys unknown (read back): the letters undone */
            return render(&w2, style, out);
        memcpy(out, st->raw, (size_t)st->nraw * sizeof out[0]);
        out[st->nraw] = key;
        st->literal = 1;
        return st->nraw + 1;
    }

    /* A plain letter. */
    w2 = *w;
    w2.l[n] = kl;
    w2.n = n + 1;
    if (ktone != TONE_NONE)
        w2.tone = w->tone == TONE_NONE ? ktone : -1;
    normalize_uo(&w2);
    if (ok && w2.tone >= 0 && analyse(&w2, &s)
        && !tone_jumps(w, &w2, style) && !vowel_after_tone(w, &w2, style))
        return render(&w2, style, out);

    /* Not Vietnamese any more: the word as typed, then as is. */
    memcpy(out, st->raw, (size_t)st->nraw * sizeof out[0]);
    out[st->nraw] = key;
    st->literal = 1;
    return st->nraw + 1;
}

/* True if a letter added to w (giving w2) would take over w's tone: a
 * tone typed before the vowel that would carry it is not how Vietnamese
 * is typed, but it is how "rosa" or "teresa" are ("ros" -> "ró", then "a"
 * would make "roá").  The u of "qu" and the i of "gi" handing the tone on
 * are Telex ("qusa" -> "quá", "gisa" -> "giá"). */
static int tone_jumps(const txword *w, const txword *w2, int style)
{
    txsyl s1, s2;
    if (w->tone == TONE_NONE)
        return 0;
    analyse(w, &s1);
    analyse(w2, &s2);
    int p1 = tone_place(w, &s1, style), p2 = tone_place(w2, &s2, style);
    return p2 == w2->n - 1 && p1 != p2 && p1 >= s2.ini;
}

/* True if a vowel added to w (giving w2) joins the vowels that already
 * carry w's tone: the tone key was typed between the vowels of the
 * syllable ("lisa" -> "lí" then "a", "gary", "mary").  Telex types the
 * tone after the vowels ("liaf", "gayr", "mayr"; hunspell-vi's syllables
 * and UniKey's own lessons type it last), while s and r between two
 * vowels are how English, Spanish and Filipino names are spelled, so such
 * a word is given back as typed.  The u of "qu" and the i of "gi" that
 * held the tone while waiting for the vowel are Telex ("qusa" -> "quá",
 * "gisa" -> "giá"): there the tone moves out of the initial. */
static int vowel_after_tone(const txword *w, const txword *w2, int style)
{
    txsyl s1, s2;
    if (w->tone == TONE_NONE || !is_vowel(w2->l[w2->n - 1].base))
        return 0;
    analyse(w, &s1);
    analyse(w2, &s2);
    int p1 = tone_place(w, &s1, style);
    return p1 >= s2.ini && s2.nuc == w2->n;
}

/* Letters that make up words: ASCII, Latin-1 and Latin Extended letters,
 * Vietnamese precomposed letters.  Anything else ends a word. */
static int is_word_char(uint32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
        return 1;
    if (cp >= 0xC0 && cp <= 0x24F)
        return cp != 0xD7 && cp != 0xF7;
    return cp >= 0x1E00 && cp <= 0x1EFF;
}

/* Vowel letters of Vietnamese (by base). */
static int is_vowel(int base)
{
    return base != 0 && strchr("aeiouy", base) != NULL;
}

/* Index of a vowel letter's form in vowel_cp, -1 if it has none. */
static int form_of(const txletter *l)
{
    for (int f = 0; f < 12; f++)
        if (form_base[f] == l->base && form_mod[f] == l->mod)
            return f;
    return -1;
}

/* Reads a code point as a letter Vietnamese writes (and its tone); 0 for
 * anything else. */
static int letter_from_cp(uint32_t cp, txletter *l, int *tone)
{
    *tone = TONE_NONE;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
        *l = (txletter){(unsigned char)(cp | 0x20), MOD_NONE, cp < 'a'};
        return 1;
    }
    if (cp == D_BAR_LOWER || cp == D_BAR_UPPER) {
        *l = (txletter){'d', MOD_BAR, cp == D_BAR_UPPER};
        return 1;
    }
    for (int u = 0; u < 2; u++)
        for (int f = 0; f < 12; f++)
            for (int t = 0; t < 6; t++)
                if (vowel_cp[u][f][t] == cp) {
                    *l = (txletter){(unsigned char)form_base[f], form_mod[f],
                                    (unsigned char)u};
                    *tone = t;
                    return 1;
                }
    return 0;
}

/* The code point of a letter carrying tone (TONE_NONE for most). */
static uint32_t letter_to_cp(const txletter *l, int tone)
{
    int f = form_of(l);
    if (f >= 0)
        return vowel_cp[l->upper ? 1 : 0][f][tone];
    if (l->mod == MOD_BAR)
        return l->upper ? D_BAR_UPPER : D_BAR_LOWER;
    return l->upper ? (uint32_t)(l->base & ~0x20) : l->base;
}

/* Reads a word of code points; 0 if a letter is not Vietnamese or two
 * letters carry tones. */
static int word_from_cps(const uint32_t *cps, int n, txword *w)
{
    w->n = n;
    w->tone = TONE_NONE;
    for (int i = 0; i < n; i++) {
        int t;
        if (!letter_from_cp(cps[i], &w->l[i], &t))
            return 0;
        if (t != TONE_NONE) {
            if (w->tone != TONE_NONE)
                return 0;
            w->tone = t;
        }
    }
    return 1;
}

/* True if letters [0, ini) are an initial consonant (or none). */
static int initial_ok(const txword *w, int ini)
{
    if (ini == 0)
        return 1;
    for (size_t k = 0; k < COUNT(initials); k++) {
        const char *p = initials[k];
        if ((int)strlen(p) != ini)
            continue;
        int i = 0;
        while (i < ini && w->l[i].base == (unsigned char)p[i])
            i++;
        if (i == ini)
            return 1;
    }
    return 0;
}

/* True if letters [from, n) are a final consonant; *stop says if it is
 * one of c ch p t. */
static int final_ok(const txword *w, int from, int *stop)
{
    int len = w->n - from;
    for (size_t k = 0; k < COUNT(finals); k++) {
        const char *p = finals[k];
        if ((int)strlen(p) != len)
            continue;
        int i = 0;
        while (i < len && w->l[from + i].base == (unsigned char)p[i]
               && w->l[from + i].mod == MOD_NONE)
            i++;
        if (i == len) {
            *stop = k < NSTOPS;
            return 1;
        }
    }
    return 0;
}

/* True if vowels [ini, nuc) are a nucleus, or the start of one, with
 * marks still to come allowed ("uye" -> "uyê"); with a final it must be
 * a whole nucleus that takes one. */
static int nucleus_ok(const txword *w, int ini, int nuc, int has_final)
{
    int k = nuc - ini;
    for (size_t e = 0; e < COUNT(nuclei); e++) {
        txletter v[4];
        int m = 0, t;
        const char *p = nuclei[e].utf8;
        uint32_t cp;
        while (m < 4 && (cp = kcompose_utf8_next(&p)) != 0)
            letter_from_cp(cp, &v[m++], &t);
        if (has_final ? (m != k || !nuclei[e].takes_final) : m < k)
            continue;
        int i = 0;
        while (i < k && v[i].base == w->l[ini + i].base
               && (v[i].mod == w->l[ini + i].mod
                   || w->l[ini + i].mod == MOD_NONE))
            i++;
        if (i == k)
            return 1;
    }
    return 0;
}

/* True for a word that is "qu" and nothing else, which may already take
 * its tone ("qus" -> "qú", then "a" -> "quá", as UniKey types it). */
static int qu_only(const txword *w)
{
    return w->n == 2 && w->l[0].base == 'q' && w->l[1].base == 'u'
        && w->l[1].mod == MOD_NONE;
}

/* Vietnamese spelling: k, gh and ngh come only before i, e, ê (y for k);
 * c, g and ng never do ("ca", "ga", "nga", but "ki", "ghi", "nghe").  So
 * "kwon", "karen", "cindy", "gene" are not Vietnamese. */
static int spelling_ok(const txword *w, int ini)
{
    const txletter *l = w->l;
    int v = l[ini].base;
    int front = v == 'i' || v == 'e' || v == 'y';
    if (ini == 1 && l[0].base == 'k')
        return front;
    if (ini == 1 && l[0].base == 'c')
        return !front;
    if (ini == 1 && l[0].base == 'g')
        return v != 'e' && v != 'y';
    if ((ini == 2 && l[0].base == 'g' && l[1].base == 'h')
        || (ini == 3 && l[0].base == 'n' && l[1].base == 'g' && l[2].base == 'h'))
        return v == 'i' || v == 'e';
    if (ini == 2 && l[0].base == 'n' && l[1].base == 'g')
        return v != 'i' && v != 'e' && v != 'y';
    return 1;
}

/* Cuts a word into initial, vowels and final (always fills s); returns 1
 * if it is a Vietnamese syllable or the start of one. */
static int analyse(const txword *w, txsyl *s)
{
    int n = w->n, ini = 0;
    const txletter *l = w->l;
    if (n > 0 && l[0].base == 'q')
        ini = n >= 2 && l[1].base == 'u' && l[1].mod == MOD_NONE ? 2 : 1;
    else if (n >= 3 && l[0].base == 'g' && l[1].base == 'i'
             && is_vowel(l[2].base))
        ini = 2;
    else
        while (ini < n && !is_vowel(l[ini].base))
            ini++;
    int nuc = ini;
    while (nuc < n && is_vowel(l[nuc].base))
        nuc++;
    s->ini = ini;
    s->nuc = nuc;

    for (int i = 0; i < n; i++)
        if ((l[i].mod == MOD_BAR) != (i == 0 && l[i].base == 'd'
                                      && l[i].mod == MOD_BAR))
            return 0; /* the bar only on a leading d */
    if (!initial_ok(w, ini) && !(n == 1 && l[0].base == 'q'))
        return 0;
    if (nuc == ini) /* consonants only, still waiting for a vowel */
        return nuc == n && (w->tone == TONE_NONE || qu_only(w));
    if (ini == 2 && l[0].base == 'q' && l[2].base == 'u')
        return 0; /* "quu", "quư" */
    if (!spelling_ok(w, ini))
        return 0;
    int stop = 0;
    if (nuc < n && !final_ok(w, nuc, &stop))
        return 0;
    if (!nucleus_ok(w, ini, nuc, nuc < n))
        return 0;
    if (nuc < n && nuc - ini == 2 && l[ini].base == 'u' && l[ini].mod == MOD_NONE
        && l[ini + 1].base == 'a' && l[ini + 1].mod == MOD_NONE)
        return 0; /* "ua" + final only after q ("quan"; "suan" is not) */
    if (stop && w->tone != TONE_NONE && w->tone != TONE_ACUTE
        && w->tone != TONE_DOT)
        return 0;
    return 1;
}

/* Index of the letter that carries the tone (rules at the top), -1 if the
 * word has no vowel. */
static int tone_place(const txword *w, const txsyl *s, int style)
{
    int k = s->nuc - s->ini;
    if (k <= 0)
        return qu_only(w) ? 1 : -1;
    for (int i = s->nuc - 1; i >= s->ini; i--)
        if (w->l[i].mod == MOD_HAT || w->l[i].mod == MOD_BREVE
            || w->l[i].mod == MOD_HORN)
            return i;
    if (s->nuc < w->n)
        return s->nuc - 1;
    if (k == 1)
        return s->ini;
    if (k == 2) {
        int a = w->l[s->ini].base, b = w->l[s->ini + 1].base;
        int pair = (a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y');
        return pair && style == KCOMPOSE_TONE_NEW ? s->ini + 1 : s->ini;
    }
    return s->ini + 1;
}

/* Keeps u+o with a horn consistent: "ươ" when something follows (người,
 * đường), "uơ" when nothing does (thuở, huơ).  The u of "qu" is left. */
static void normalize_uo(txword *w)
{
    int from = w->n > 0 && w->l[0].base == 'q' ? 2 : 0;
    for (int p = from; p + 1 < w->n; p++) {
        txletter *u = &w->l[p], *o = &w->l[p + 1];
        if (u->base != 'u' || o->base != 'o' || o->mod == MOD_HAT)
            continue;
        if (u->mod != MOD_HORN && o->mod != MOD_HORN)
            continue;
        if (p + 2 < w->n)
            u->mod = o->mod = MOD_HORN;
        else if (u->mod == MOD_HORN && o->mod == MOD_HORN)
            u->mod = MOD_NONE;
    }
}

/* Writes a word's code points, its tone in place; returns how many. */
static int render(const txword *w, int style, uint32_t *out)
{
    txsyl s;
    analyse(w, &s);
    int at = w->tone > TONE_NONE ? tone_place(w, &s, style) : -1;
    for (int i = 0; i < w->n; i++)
        out[i] = letter_to_cp(&w->l[i], i == at ? w->tone : TONE_NONE);
    return w->n;
}

/* Finds the word at the end of text[0..len): its start and code points.
 * Returns 0 if it is longer than KCOMPOSE_WORD_MAX. */
static int tail_word(const char *text, size_t len, size_t *start,
                     uint32_t *cps, int *n)
{
    uint32_t rev[KCOMPOSE_WORD_MAX];
    int k = 0;
    size_t at = len;
    while (at > 0) {
        uint32_t cp;
        size_t prev = kcompose_utf8_last(text, at, &cp);
        if (!is_word_char(cp))
            break;
        if (k == KCOMPOSE_WORD_MAX)
            return 0;
        rev[k++] = cp;
        at = prev;
    }
    for (int i = 0; i < k; i++)
        cps[i] = rev[k - 1 - i];
    *n = k;
    *start = at;
    return 1;
}
