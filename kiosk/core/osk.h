/*
 * osk.h - the on-screen keyboard as data: layouts of keys with stable ids.
 *
 * A layout is rows of keys.  The flow (flow.c) turns a tap on a key id into
 * text or an editing action; the UI draws the same table, so what is drawn
 * and what is typed cannot disagree.  Key ids are "key-" plus the character
 * the key types in lower case ("key-a", "key-7", "key-@", "key-.com"), and
 * key-shift, key-backspace, key-space, key-enter, key-layout, key-telex for
 * the others.
 * A key whose shifted character is not a case pair (Hangul ㄱ -> ㄲ) takes
 * the id of the character it types while shift is on ("key-ㄲ").
 */
#ifndef KIOSK_OSK_H
#define KIOSK_OSK_H

enum kkey_kind {
    KKEY_CHAR,       /* types text (shift_text when shifted) */
    KKEY_SHIFT,
    KKEY_BACKSPACE,
    KKEY_SPACE,
    KKEY_ENTER,
    KKEY_LAYOUT,     /* switches to the next layout for this language */
    KKEY_TELEX       /* key-telex: Telex on or off (the Vietnamese layout) */
};

typedef struct kkey {
    int kind;
    const char *text;        /* what it types; label when label is NULL */
    const char *shift_text;  /* what it types with shift, NULL = no change */
    const char *shift_id;    /* id while shifted, NULL = same id */
    float width;             /* in key units; 0 means 1 */
} kkey;

#define KOSK_ROWS_MAX 6
#define KOSK_KEYS_MAX 14

typedef struct klayout {
    const char *name;        /* "latin", "numeric", "email", ... */
    const char *label;       /* short label on the key-layout key, e.g. "ABC" */
    int compose;             /* KCOMPOSE_ kind the layout types with (0 = none) */
    int nrows;
    int rowlen[KOSK_ROWS_MAX];
    kkey rows[KOSK_ROWS_MAX][KOSK_KEYS_MAX];
} klayout;

/* What a field wants: names and free text, digits for phone and ZIP, or an
 * email address; KOSK_DIGITS a whole number that is never negative (a
 * survey's number question): the ten digits, backspace and enter only. */
enum kosk_purpose { KOSK_TEXT, KOSK_NUMERIC, KOSK_EMAIL, KOSK_URL, KOSK_DIGITS };

/* The layouts offered for a purpose in a language (NULL lang = "en"), in
 * the order key-layout cycles through them; returns how many (>= 1). */
int kosk_layouts(int purpose, const char *lang, const klayout **out, int max);

/* 1 if the keyboard offers a layout for the language's own way of writing
 * (English, Tagalog, Vietnamese Telex, Korean); 0 where people type in
 * Latin letters on screen or use a physical keyboard's input method
 * (Chinese, Japanese, Khmer, Lao). */
int kosk_native(const char *lang);

/* The id of a key as drawn now (shifted or not), written to buf. */
const char *kosk_key_id(const kkey *k, int shifted, char *buf, unsigned cap);

/* The text a key types now; NULL for keys that do not type text. */
const char *kosk_key_text(const kkey *k, int shifted);

/* Finds the key with id in layout l as drawn with shift state shifted. */
const kkey *kosk_find(const klayout *l, const char *id, int shifted);

#endif
