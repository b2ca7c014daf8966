/*
 * fold.h - turning names into search keys.
 *
 * The same fold is applied to names when they are indexed and to what a
 * person types when they search, so the two always agree:
 *   - lower case (Latin, Greek, Cyrillic, Latin Extended, Vietnamese);
 *   - Latin letters to ASCII as ICU's "Latin-ASCII" transliteration does,
 *     with the differences listed in tests/data/fold-icu-differences.tsv
 *     (ŋ -> "ng", ɔ -> "o", ǝ ə kept, ...), checked by tests/fold_icu.py;
 *   - diacritics removed: "Hương" -> "huong", "Nguyễn" -> "nguyen",
 *     "đ" -> "d", "ñ" -> "n", macrons -> plain vowels;
 *   - apostrophes, the Hawaiian/Samoan ʻokina (U+02BB), U+2018/U+2019 and
 *     similar marks removed inside words: "O'Connor" -> "oconnor",
 *     "Hawaiʻi" -> "hawaii";
 *   - hyphens, dots and other punctuation become spaces: "Jean-Luc" ->
 *     "jean luc";
 *   - each Han, Kana or Hangul character becomes a word of its own
 *     ("陈美玲" -> "陈 美 玲") so that a name typed in part is found by a
 *     phrase match of consecutive characters;
 *   - runs of spaces collapse to one, no leading or trailing space.
 * Invalid UTF-8 bytes are dropped.  Output is always NUL-terminated and
 * truncated at a character boundary if cap is too small.
 */
#ifndef KIOSK_FOLD_H
#define KIOSK_FOLD_H

#include <stddef.h>

/* Returns the length of the folded text written to out. */
size_t kfold(const char *in, char *out, size_t cap);

/* The same fold with the second spelling of the letters that names are
 * also written without: ä ö ü -> ae oe ue, ø -> oe, å -> aa ("Müller" ->
 * "mueller", "Søren" -> "soeren").  kfold gives their first spelling (u, o,
 * a, as ICU's Latin-ASCII does); a name is indexed under both, so "muller",
 * "mueller" and "müller" all find it.  Equal to kfold for other text. */
size_t kfold_alt(const char *in, char *out, size_t cap);

/* Separators do not matter: writes, for each word of a folded key, that
 * word and every word after it run together, one token each ("de la cruz"
 * -> "delacruz lacruz cruz"; "mary jane" -> "maryjane jane").  A prefix of
 * any token is a prefix of a word of the name, or a run of its words typed
 * with or without their spaces, hyphens or dots.  Whole tokens only: stops
 * at the last that fits cap (with its NUL).  Returns the length. */
size_t kfold_suffixes(const char *folded, char *out, size_t cap);

/* A folded key without its spaces ("dela cruz" -> "delacruz"), cut at a
 * code point if cap is short.  Returns the length. */
size_t kfold_join(const char *folded, char *out, size_t cap);

/* Number of code points in a folded key, not counting spaces. */
size_t kfold_len(const char *folded);

/* Non-zero if text holds a Han, Kana or Hangul character (the characters
 * kfold turns into words of their own). */
int kfold_has_cjk(const char *text);

/* Writes the first letter of name as written, upper-cased if it is Latin,
 * skipping what kfold drops or separates ("ʻAhoia" -> "A", "đặng" -> "Đ",
 * "김" -> "김"); "" if there is none or it does not fit.  Returns its length
 * in bytes. */
size_t kfold_initial(const char *name, char *out, size_t cap);

#endif
