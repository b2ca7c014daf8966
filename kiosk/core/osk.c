/*
 * osk.c - the on-screen keyboard layouts (see osk.h).
 *
 * Layouts are static tables: nothing is allocated and ids are stable.
 * A layout must fit the narrowest screen we support (800x480, keys of at
 * least 9 mm beside the form): at most 10 key units per row, 5 rows.
 */
#include "osk.h"

#include <stdio.h>
#include <string.h>

#include "compose.h"

#define K(t) {KKEY_CHAR, t, NULL, NULL, 0}
#define KS(t, s) {KKEY_CHAR, t, s, NULL, 0}
#define KW(t, w) {KKEY_CHAR, t, NULL, NULL, w}
#define SHIFT(w) {KKEY_SHIFT, "shift", NULL, NULL, w}
#define BKSP(w) {KKEY_BACKSPACE, "backspace", NULL, NULL, w}
#define SPACE(w) {KKEY_SPACE, " ", NULL, NULL, w}
#define ENTER(w) {KKEY_ENTER, "enter", NULL, NULL, w}
#define LAYOUT(w) {KKEY_LAYOUT, "layout", NULL, NULL, w}
#define TELEX(w) {KKEY_TELEX, "telex", NULL, NULL, w}

#define DIGITS K("1"), K("2"), K("3"), K("4"), K("5"), K("6"), K("7"), K("8"), K("9"), K("0")
#define QWERTY KS("q", "Q"), KS("w", "W"), KS("e", "E"), KS("r", "R"), KS("t", "T"), \
               KS("y", "Y"), KS("u", "U"), KS("i", "I"), KS("o", "O"), KS("p", "P")
#define ASDF KS("a", "A"), KS("s", "S"), KS("d", "D"), KS("f", "F"), KS("g", "G"), \
             KS("h", "H"), KS("j", "J"), KS("k", "K"), KS("l", "L")
#define ZXCV KS("z", "Z"), KS("x", "X"), KS("c", "C"), KS("v", "V"), KS("b", "B"), \
             KS("n", "N"), KS("m", "M")

/* Names: letters, digits, the apostrophe and hyphen that names carry
 * (O'Connor, Jean-Luc), and a dot for initials. */
static const klayout latin = {
    "latin", "ABC", 0, 5, {10, 10, 10, 10, 4},
    {
        {DIGITS},
        {QWERTY},
        {ASDF, K("'")},
        {SHIFT(1.0f), ZXCV, K("-"), BKSP(1.0f)},
        {LAYOUT(1.5f), SPACE(5.0f), K("."), ENTER(2.5f)},
    }};

/* Vietnamese: the same keys, typed through Telex composition
 * ("nguyeenx" -> "nguyễn") while key-telex has it on; long-press offers
 * every accented vowel. */
static const klayout vi_telex = {
    "vi-telex", "Telex", KCOMPOSE_TELEX, 5, {10, 10, 10, 10, 5},
    {
        {DIGITS},
        {QWERTY},
        {ASDF, K("'")},
        {SHIFT(1.0f), ZXCV, K("-"), BKSP(1.0f)},
        {LAYOUT(1.5f), TELEX(1.5f), SPACE(3.5f), K("."), ENTER(2.5f)},
    }};

/* Tagalog and Pacific names: ñ has a key of its own; the ʻokina and
 * macrons are on long-press (kcompose_variants). */
static const klayout tl_latin = {
    "tl-latin", "ABC", 0, 5, {10, 10, 10, 10, 5},
    {
        {DIGITS},
        {QWERTY},
        {ASDF, KS("ñ", "Ñ")},
        {SHIFT(1.0f), ZXCV, K("'"), BKSP(1.0f)},
        {LAYOUT(1.5f), K("-"), SPACE(4.0f), K("."), ENTER(2.5f)},
    }};

/* Korean 2-set (dubeolsik): compatibility jamo composed into syllables
 * (hangul.c).  Shift gives the tense consonants and ㅒ ㅖ, keys of their
 * own ids ("key-ㄲ"). */
#define J(t) {KKEY_CHAR, t, NULL, NULL, 0}
#define JS(t, s) {KKEY_CHAR, t, s, s, 0}
static const klayout ko_hangul = {
    "ko-2set", "한글", KCOMPOSE_HANGUL, 5, {10, 10, 9, 9, 4},
    {
        {DIGITS},
        {JS("ㅂ", "ㅃ"), JS("ㅈ", "ㅉ"), JS("ㄷ", "ㄸ"), JS("ㄱ", "ㄲ"), JS("ㅅ", "ㅆ"),
         J("ㅛ"), J("ㅕ"), J("ㅑ"), JS("ㅐ", "ㅒ"), JS("ㅔ", "ㅖ")},
        {J("ㅁ"), J("ㄴ"), J("ㅇ"), J("ㄹ"), J("ㅎ"), J("ㅗ"), J("ㅓ"), J("ㅏ"), J("ㅣ")},
        {SHIFT(1.5f), J("ㅋ"), J("ㅌ"), J("ㅊ"), J("ㅍ"), J("ㅠ"), J("ㅜ"), J("ㅡ"), BKSP(1.5f)},
        {LAYOUT(1.5f), SPACE(5.0f), K("."), ENTER(2.5f)},
    }};

/* Phone numbers and ZIP codes: a pad of big keys; key-layout goes to
 * letters for postal codes that have them (Canada, the UK). */
static const klayout numeric = {
    "numeric", "123", 0, 5, {4, 4, 4, 4, 2},
    {
        {K("1"), K("2"), K("3"), K("(")},
        {K("4"), K("5"), K("6"), K(")")},
        {K("7"), K("8"), K("9"), K("-")},
        {K("+"), K("0"), SPACE(1.0f), BKSP(1.0f)},
        {LAYOUT(1.0f), ENTER(3.0f)},
    }};

/* A survey's number question (an age, a count): digits only, no other
 * layout to switch to. */
static const klayout digits = {
    "digits", "123", 0, 4, {3, 3, 3, 3},
    {
        {K("1"), K("2"), K("3")},
        {K("4"), K("5"), K("6")},
        {K("7"), K("8"), K("9")},
        {BKSP(1.0f), K("0"), ENTER(1.0f)},
    }};

/* Email: letters and digits plus the characters addresses use. */
static const klayout email = {
    "email", "@", 0, 5, {10, 10, 10, 10, 5},
    {
        {DIGITS},
        {QWERTY},
        {ASDF, K("_")},
        {SHIFT(1.0f), ZXCV, K("-"), BKSP(1.0f)},
        {K("@"), K("."), KW(".com", 2.0f), K("+"), ENTER(2.5f)},
    }};

/* Links (an event's group chat or slides): the characters of a URL. */
static const klayout url = {
    "url", "/", 0, 5, {10, 10, 10, 10, 6},
    {
        {DIGITS},
        {QWERTY},
        {ASDF, K("_")},
        {SHIFT(1.0f), ZXCV, K("-"), BKSP(1.0f)},
        {K("/"), K(":"), K("."), KW(".com", 2.0f), K("?"), ENTER(2.0f)},
    }};

/* Lists the layouts for a purpose and language: the language's own layout
 * first where there is one, then plain Latin letters, then digits. */
int kosk_layouts(int purpose, const char *lang, const klayout **out, int max)
{
    int n = 0;
    if (!lang)
        lang = "en";
    switch (purpose) {
    case KOSK_NUMERIC:
        if (n < max) out[n++] = &numeric;
        if (n < max) out[n++] = &latin;
        break;
    case KOSK_DIGITS:
        if (n < max) out[n++] = &digits;
        break;
    case KOSK_EMAIL:
        if (n < max) out[n++] = &email;
        break;
    case KOSK_URL:
        if (n < max) out[n++] = &url;
        break;
    default:
        if (strcmp(lang, "vi") == 0 && n < max)
            out[n++] = &vi_telex;
        else if (strcmp(lang, "ko") == 0 && n < max)
            out[n++] = &ko_hangul;
        if (strcmp(lang, "tl") == 0) {
            if (n < max) out[n++] = &tl_latin;
        } else if (n < max) {
            out[n++] = &latin;
        }
        if (n < max) out[n++] = &numeric;
        break;
    }
    return n;
}

int kosk_native(const char *lang)
{
    static const char *const native[] = {"en", "tl", "vi", "ko"};
    for (size_t i = 0; i < sizeof native / sizeof native[0]; i++)
        if (lang && strcmp(lang, native[i]) == 0)
            return 1;
    return lang == NULL;
}

/* Writes the id a key has now. */
const char *kosk_key_id(const kkey *k, int shifted, char *buf, unsigned cap)
{
    const char *t = k->text;
    if (k->kind == KKEY_CHAR && shifted && k->shift_id)
        t = k->shift_id;
    snprintf(buf, cap, "key-%s", k->kind == KKEY_SPACE ? "space" : t);
    return buf;
}

/* The text a key types, or NULL. */
const char *kosk_key_text(const kkey *k, int shifted)
{
    if (k->kind == KKEY_SPACE)
        return " ";
    if (k->kind != KKEY_CHAR)
        return NULL;
    return (shifted && k->shift_text) ? k->shift_text : k->text;
}

/* Finds a key by id. */
const kkey *kosk_find(const klayout *l, const char *id, int shifted)
{
    char buf[48];
    for (int r = 0; r < l->nrows; r++)
        for (int i = 0; i < l->rowlen[r]; i++) {
            const kkey *k = &l->rows[r][i];
            if (strcmp(kosk_key_id(k, shifted, buf, sizeof buf), id) == 0)
                return k;
        }
    return NULL;
}
