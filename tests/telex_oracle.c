/*
 * telex_oracle.c - the on-screen keyboard's Telex (kiosk/core/telex.c)
 * against m17n's vi-telex (libm17n, m17n-db) and two word lists:
 *
 *   1. every Vietnamese syllable of hunspell-vi's word list, typed as
 *      Telex keys (marks after their vowel, the tone key last: "nguyễn" ->
 *      "nguyeenx"), must come out as that syllable (goal: 0 broken), and
 *      m17n's engine gets the same keys: where it disagrees with ours, the
 *      difference must be one of the known ones listed in known_m17n[]
 *      (m17n's own rule, not a Vietnamese syllable we break);
 *   2. every name of tests/data/names-en-es-fil.txt, typed letter by
 *      letter (words with a space between), must reach the field exactly
 *      as written with at most one extra tap on the "as typed" suggestion
 *      (kcompose_use_typed, the cand-typed strip) for the whole name.
 *
 * usage: telex_oracle [--bench] DIC NAMES
 *   --bench prints the figures as `bench NAME VALUE UNIT` lines and does
 *   not fail (tests/bench/run.sh); otherwise exits 1 on any failure.
 */
#include <m17n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"

/* The twelve vowel forms by tone (none, sắc, huyền, hỏi, ngã, nặng), with
 * the Telex keys of their mark: Unicode's Vietnamese letters. */
static const struct {
    const char *forms[6];
    const char *keys;
} vowels[] = {
    {{"a", "á", "à", "ả", "ã", "ạ"}, "a"},  {{"ă", "ắ", "ằ", "ẳ", "ẵ", "ặ"}, "aw"},
    {{"â", "ấ", "ầ", "ẩ", "ẫ", "ậ"}, "aa"}, {{"e", "é", "è", "ẻ", "ẽ", "ẹ"}, "e"},
    {{"ê", "ế", "ề", "ể", "ễ", "ệ"}, "ee"}, {{"i", "í", "ì", "ỉ", "ĩ", "ị"}, "i"},
    {{"o", "ó", "ò", "ỏ", "õ", "ọ"}, "o"},  {{"ô", "ố", "ồ", "ổ", "ỗ", "ộ"}, "oo"},
    {{"ơ", "ớ", "ờ", "ở", "ỡ", "ợ"}, "ow"}, {{"u", "ú", "ù", "ủ", "ũ", "ụ"}, "u"},
    {{"ư", "ứ", "ừ", "ử", "ữ", "ự"}, "uw"}, {{"y", "ý", "ỳ", "ỷ", "ỹ", "ỵ"}, "y"},
};
static const char tone_keys[] = " sfrxj";

/* The syllables where m17n's vi-telex and ours differ (with our engine
 * in m17n's tone style), each a place where m17n writes no Vietnamese
 * syllable and we write the one hunspell lists:
 *   giuoocj  m17n "giụôc" (tone on the u of gi-u-ô), ours "giuộc";
 *   quoangf, quoangj, quoawts  m17n puts the tone on the o of the medial
 *            "oa"/"oă" after qu ("quòang", "quóăt"), ours on its main
 *            vowel ("quoàng", "quoắt"). */
static const char *const known_m17n[] = {
    "giuoocj", "quoangf", "quoangj", "quoawts", NULL
};

/* Writes the Telex keys of a syllable; 0 if it has a letter Telex does
 * not type (the list also holds loanwords with f, j, w, z). */
static int to_keys(const char *w, char *out, size_t cap)
{
    size_t len = 0;
    int tone = 0, vowel_runs = 0, in_vowels = 0;
    while (*w) {
        const char *k = NULL;
        size_t adv = 0;
        if (strncmp(w, "đ", 2) == 0) {
            k = "dd";
            adv = 2;
        } else if (strchr("bcdghklmnpqrstvx", *w)) {
            static char one[2];
            one[0] = *w;
            k = one;
            adv = 1;
        }
        for (size_t v = 0; !k && v < sizeof vowels / sizeof vowels[0]; v++)
            for (int t = 0; t < 6 && !k; t++) {
                size_t n = strlen(vowels[v].forms[t]);
                if (strncmp(w, vowels[v].forms[t], n) == 0) {
                    if (t && tone)
                        return 0;
                    if (t)
                        tone = t;
                    k = vowels[v].keys;
                    adv = n;
                }
            }
        int double_o = 0;                   /* "oo", "oó"...: typed "ooo" */
        for (int t = 0; t < 6 && w[0] == 'o'; t++)
            if (strncmp(w + 1, vowels[6].forms[t], strlen(vowels[6].forms[t])) == 0)
                double_o = 1;
        if (k && k[0] && strchr("aeiouy", k[0]))
            vowel_runs += !in_vowels, in_vowels = 1;
        else
            in_vowels = 0;
        if (!k || vowel_runs > 1 || len + strlen(k) + 3 > cap)
            return 0;                       /* not one syllable */
        if (double_o) {
            memcpy(out + len, "ooo", 3);
            len += 3;
            w += 2;
            continue;
        }
        memcpy(out + len, k, strlen(k));
        len += strlen(k);
        w += adv;
    }
    if (tone)
        out[len++] = tone_keys[tone];
    out[len] = '\0';
    return len > 0;
}

/* Types keys with our engine into out (a fresh field), tones on oa, oe,
 * uy in the given style. */
static void ours(const char *keys, char *out, size_t cap, int style)
{
    kcompose c = {0};
    kcompose_set_tone_style(&c, style);
    kcompose_reset(&c, KCOMPOSE_TELEX);
    out[0] = '\0';
    for (const char *k = keys; *k; k++)
        kcompose_key(&c, out, cap, SIZE_MAX, (unsigned char)*k);
}

static MInputContext *m17n_ic;

/* Types keys with m17n's vi-telex into out. */
static void m17n(const char *keys, char *out, size_t cap)
{
    MText *text = mtext();
    minput_reset_ic(m17n_ic);
    for (const char *k = keys; *k; k++) {
        char s[2] = {*k, 0};
        MSymbol key = msymbol(s);
        int taken = minput_filter(m17n_ic, key, NULL);
        MText *got = mtext();
        int asis = minput_lookup(m17n_ic, key, NULL, got);
        mtext_cat(text, got);
        if (!taken && asis)
            mtext_cat_char(text, *k);
        m17n_object_unref(got);
    }
    if (m17n_ic->preedit)
        mtext_cat(text, m17n_ic->preedit);
    int n = mconv_encode_buffer(Mcoding_utf_8, text, (unsigned char *)out,
                                (int)cap - 1);
    out[n > 0 ? n : 0] = '\0';
    m17n_object_unref(text);
}

/* Types a name word by word (a space between), tapping the "as typed"
 * suggestion after a word Telex changed; returns the taps, *out the field. */
static int type_name(const char *name, char *out, size_t cap)
{
    kcompose c = {0};
    kcompose_reset(&c, KCOMPOSE_TELEX);
    int taps = 0;
    char typed[128];
    out[0] = '\0';
    for (const char *k = name;; k++) {
        if (*k == ' ' || *k == '\0') {
            if (kcompose_typed(&c, out, typed, sizeof typed) > 0) {
                kcompose_use_typed(&c, out, cap, SIZE_MAX);
                taps++;
            }
            if (*k == '\0')
                break;
        }
        kcompose_key(&c, out, cap, SIZE_MAX, (unsigned char)*k);
    }
    return taps;
}

static int is_known(const char *keys)
{
    for (int i = 0; known_m17n[i]; i++)
        if (strcmp(known_m17n[i], keys) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int bench = argc > 1 && strcmp(argv[1], "--bench") == 0;
    if (argc != 3 + bench) {
        fprintf(stderr, "usage: telex_oracle [--bench] DIC NAMES\n");
        return 2;
    }
    const char *dic = argv[1 + bench], *names = argv[2 + bench];
    M17N_INIT();
    MInputMethod *im = minput_open_im(msymbol("vi"), msymbol("telex"), NULL);
    if (!im) {
        fprintf(stderr, "telex_oracle: m17n has no vi-telex input method "
                "(install m17n-db)\n");
        return 2;
    }
    m17n_ic = minput_create_ic(im, NULL);

    FILE *f = fopen(dic, "r");
    if (!f) {
        perror(dic);
        return 2;
    }
    char line[256], keys[128], a[256], b[256];
    int syllables = 0, broken = 0, differ = 0, unknown = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "/\r\n")] = '\0';
        if (!to_keys(line, keys, sizeof keys)) {
            if (getenv("TELEX_ORACLE_SKIPPED"))
                printf("skipped: %s\n", line);
            continue;                       /* the count line, loanwords */
        }
        syllables++;
        ours(keys, a, sizeof a, KCOMPOSE_TONE_NEW);  /* hunspell's style */
        m17n(keys, b, sizeof b);
        if (strcmp(a, line) != 0) {
            broken++;
            printf("broken: %s typed as %s gives %s (m17n: %s)\n", line, keys, a, b);
        }
        ours(keys, a, sizeof a, KCOMPOSE_TONE_OLD);  /* m17n's default */
        if (strcmp(a, b) != 0) {
            differ++;
            if (!is_known(keys)) {
                unknown++;
                printf("m17n differs: %s: ours %s, m17n %s\n", keys, a, b);
            }
        }
    }
    fclose(f);

    f = fopen(names, "r");
    if (!f) {
        perror(names);
        return 2;
    }
    int nnames = 0, changed = 0, unreachable = 0, m17n_changed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        nnames++;
        ours(line, a, sizeof a, KCOMPOSE_TONE_NEW);
        m17n(line, b, sizeof b);
        if (strcmp(a, line) != 0)
            changed++;
        if (strcmp(b, line) != 0)
            m17n_changed++;
        int taps = type_name(line, a, sizeof a);
        if (strcmp(a, line) != 0 || taps > 1) {
            unreachable++;
            printf("name %s: field holds %s after %d taps\n", line, a, taps);
        } else if (taps) {
            ours(line, b, sizeof b, KCOMPOSE_TONE_NEW);
            printf("name %s: one tap (Telex alone writes %s)\n", line, b);
        }
    }
    fclose(f);

    printf("syllables %d, broken %d; m17n differs on %d (%d not known)\n",
           syllables, broken, differ, unknown);
    printf("names %d, changed without a tap %d (m17n vi-telex: %d), "
           "not reachable with one tap %d\n", nnames, changed, m17n_changed,
           unreachable);
    if (bench) {
        printf("bench telex_syllables_broken %d count\n", broken);
        printf("bench telex_syllables_total %d count\n", syllables);
        printf("bench telex_names_changed %d count\n", changed);
        printf("bench telex_names_unreachable_one_tap %d count\n", unreachable);
        printf("bench telex_names_total %d count\n", nnames);
        printf("bench telex_names_changed_m17n %d count\n", m17n_changed);
        return 0;
    }
    return broken || unknown || unreachable || syllables < 2000 || nnames < 250;
}
