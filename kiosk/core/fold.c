/*
 * fold.c - turning names into search keys (see fold.h for the contract).
 *
 * Why our own tables: the kiosk must find "Nguyễn" when someone types
 * "nguyen" and "Hawaiʻi" for "hawaii", on a Raspberry Pi without ICU.  The
 * SQLite tokenizer removes most Latin diacritics by itself, but not the
 * ʻokina, not đ/ø/ß, and it does not split Han or Hangul into characters;
 * so both the names we index and the queries we run pass through this one
 * function first, and the tokenizer only sees already-folded text.
 *
 * How it works: one pass over the UTF-8 input, one code point at a time.
 * Each code point is classified (fold_cp) into one of
 *   - a replacement: ASCII letters for Latin letters ("ễ" -> "e",
 *     "ß" -> "ss"), the lower case for Greek, Cyrillic, Armenian;
 *   - a CJK word: Han, Kana and Hangul characters, written with a space on
 *     each side so that each is a word of its own;
 *   - a separator (space, punctuation, symbols) or nothing (apostrophes,
 *     the ʻokina, combining marks, invisible format characters);
 *   - itself (every other script: Khmer, Lao, Thai, Devanagari, ...).
 * The output sink (struct sink) collapses separators, never writes a leading
 * or trailing space, and stops at the last whole code point that fits.
 *
 * The Latin tables (U+00A0..U+024F and U+1E00..U+1EFF) hold one marker per
 * code point, sixteen per line; they were derived from the Unicode
 * decompositions (base letter with marks dropped) and checked by hand for
 * the letters that have none (đ, ø, ł, ħ, æ, ß, þ, ...).  Conjoining Hangul
 * jamo (decomposed syllables, as some systems send them) are composed back
 * into syllables so that they match the precomposed names.
 *
 * Limits: no full Unicode case folding or normalisation outside the blocks
 * listed here; a symbol from a block we do not list is kept as it is (the
 * tokenizer then treats it as a separator on both sides alike).
 */
#include "fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- tables ---------------------------------------------------------------
 * Markers: a-z, 0-9  the ASCII replacement
 *          '.'       a separator (becomes a space)
 *          '-'       dropped
 *          '='       kept as it is
 *          '^'       upper case whose lower case is the next code point
 *          '*'       see fold_special[] */

/* U+00A0..U+024F: Latin-1 Supplement, Latin Extended-A and -B. */
static const char latin_a0[] =
    "........-.a..-.-" /* 00A0  nbsp ¡¢£¤¥¦§¨©ª«¬ shy ®¯ */
    "..23-*..-1o....." /* 00B0  °±²³´µ¶·¸¹º»¼½¾¿ */
    "aaaaaa*ceeeeiiii" /* 00C0  ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ */
    "dnooooo.ouuuuy**" /* 00D0  ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß */
    "aaaaaa*ceeeeiiii" /* 00E0  àáâãäåæçèéêëìíîï */
    "dnooooo.ouuuuy*y" /* 00F0  ðñòóôõö÷øùúûüýþÿ */
    "aaaaaaccccccccdd" /* 0100  ĀāĂăĄąĆćĈĉĊċČčĎď */
    "ddeeeeeeeeeegggg" /* 0110  ĐđĒēĔĕĖėĘęĚěĜĝĞğ */
    "gggghhhhiiiiiiii" /* 0120  ĠġĢģĤĥĦħĨĩĪīĬĭĮį */
    "ii**jjkkqlllllll" /* 0130  İıĲĳĴĵĶķĸĹĺĻļĽľĿ */
    "lllnnnnnnn**oooo" /* 0140  ŀŁłŃńŅņŇňŉŊŋŌōŎŏ */
    "oo**rrrrrrssssss" /* 0150  ŐőŒœŔŕŖŗŘřŚśŜŝŞş */
    "ssttttttuuuuuuuu" /* 0160  ŠšŢţŤťŦŧŨũŪūŬŭŮů */
    "uuuuwwyyyzzzzzzs" /* 0170  ŰűŲųŴŵŶŷŸŹźŻżŽžſ */
    "bbbb^=*ccdddd=**" /* 0180  ƀƁƂƃƄƅƆƇƈƉƊƋƌƍƎƏ */
    "*ffg***ikkl=*nno" /* 0190  ƐƑƒƓƔƕƖƗƘƙƚƛƜƝƞƟ */
    "oo**pp*^=*=ttttu" /* 01A0  ƠơƢƣƤƥƦƧƨƩƪƫƬƭƮƯ */
    "u*vyyzz*^===^===" /* 01B0  ưƱƲƳƴƵƶƷƸƹƺƻƼƽƾƿ */
    "====*********aai" /* 01C0  ǀǁǂǃǄǅǆǇǈǉǊǋǌǍǎǏ */
    "ioouuuuuuuuuu=aa" /* 01D0  ǐǑǒǓǔǕǖǗǘǙǚǛǜǝǞǟ */
    "aa**ggggkkoooo**" /* 01E0  ǠǡǢǣǤǥǦǧǨǩǪǫǬǭǮǯ */
    "j***gg**nnaa**oo" /* 01F0  ǰǱǲǳǴǵǶǷǸǹǺǻǼǽǾǿ */
    "aaaaeeeeiiiioooo" /* 0200  ȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏ */
    "rrrruuuusstt^=hh" /* 0210  ȐȑȒȓȔȕȖȗȘșȚțȜȝȞȟ */
    "nd^=zzaaeeoooooo" /* 0220  ȠȡȢȣȤȥȦȧȨȩȪȫȬȭȮȯ */
    "ooyylntj**acclts" /* 0230  ȰȱȲȳȴȵȶȷȸȹȺȻȼȽȾȿ */
    "z^=bu*eejjqqrryy" /* 0240  ɀɁɂɃɄɅɆɇɈɉɊɋɌɍɎɏ */
    ;

/* U+1E00..U+1EFF: Latin Extended Additional (all Vietnamese letters with
 * tones live in U+1EA0..U+1EF9). */
static const char latin_1e00[] =
    "aabbbbbbccdddddd" /* 1E00  ḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏ */
    "ddddeeeeeeeeeeff" /* 1E10  ḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟ */
    "gghhhhhhhhhhiiii" /* 1E20  ḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯ */
    "kkkkkkllllllllmm" /* 1E30  ḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿ */
    "mmmmnnnnnnnnoooo" /* 1E40  ṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏ */
    "oooopppprrrrrrrr" /* 1E50  ṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟ */
    "sssssssssstttttt" /* 1E60  ṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯ */
    "ttuuuuuuuuuuvvvv" /* 1E70  ṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿ */
    "wwwwwwwwwwxxxxyy" /* 1E80  ẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏ */
    "zzzzzzhtwyasss*=" /* 1E90  ẐẑẒẓẔẕẖẗẘẙẚẛẜẝẞẟ */
    "aaaaaaaaaaaaaaaa" /* 1EA0  ẠạẢảẤấẦầẨẩẪẫẬậẮắ */
    "aaaaaaaaeeeeeeee" /* 1EB0  ẰằẲẳẴẵẶặẸẹẺẻẼẽẾế */
    "eeeeeeeeiiiioooo" /* 1EC0  ỀềỂểỄễỆệỈỉỊịỌọỎỏ */
    "oooooooooooooooo" /* 1ED0  ỐốỒồỔổỖỗỘộỚớỜờỞở */
    "oooouuuuuuuuuuuu" /* 1EE0  ỠỡỢợỤụỦủỨứỪừỬửỮữ */
    "uuyyyyyyyy**vvyy" /* 1EF0  ỰựỲỳỴỵỶỷỸỹỺỻỼỽỾỿ */
    ;

/* Code points whose replacement is more than one letter or not ASCII,
 * sorted by code point for bsearch. */
typedef struct fold_pair {
    uint32_t cp;
    const char *to;
} fold_pair;

static const fold_pair fold_special[] = {
    {0x00B5, "μ"},  {0x00C6, "ae"}, {0x00DE, "th"}, {0x00DF, "ss"},
    {0x00E6, "ae"}, {0x00FE, "th"}, {0x0132, "ij"}, {0x0133, "ij"},
    {0x014A, "ng"}, {0x014B, "ng"}, {0x0152, "oe"}, {0x0153, "oe"},
    {0x0186, "o"},  {0x018E, "ǝ"},  {0x018F, "ə"},  {0x0190, "e"},
    {0x0194, "ɣ"},  {0x0195, "hv"}, {0x0196, "i"},  {0x019C, "ɯ"},
    {0x01A2, "oi"}, {0x01A3, "oi"}, {0x01A6, "ʀ"},  {0x01A9, "ʃ"},  {0x01B1, "ʊ"},  {0x01B7, "ʒ"},
    {0x01C4, "dz"}, {0x01C5, "dz"}, {0x01C6, "dz"}, {0x01C7, "lj"},
    {0x01C8, "lj"}, {0x01C9, "lj"}, {0x01CA, "nj"}, {0x01CB, "nj"},
    {0x01CC, "nj"}, {0x01E2, "ae"}, {0x01E3, "ae"}, {0x01EE, "ʒ"},
    {0x01EF, "ʒ"},  {0x01F1, "dz"}, {0x01F2, "dz"}, {0x01F3, "dz"},
    {0x01F6, "hv"}, {0x01F7, "ƿ"},  {0x01FC, "ae"}, {0x01FD, "ae"},
    {0x0238, "db"}, {0x0239, "qp"}, {0x0245, "ʌ"},
    /* Greek letters with tonos or dialytika, and final sigma */
    {0x0386, "α"},  {0x0388, "ε"},  {0x0389, "η"},  {0x038A, "ι"},
    {0x038C, "ο"},  {0x038E, "υ"},  {0x038F, "ω"},  {0x0390, "ι"},
    {0x03AA, "ι"},  {0x03AB, "υ"},  {0x03AC, "α"},  {0x03AD, "ε"},
    {0x03AE, "η"},  {0x03AF, "ι"},  {0x03B0, "υ"},  {0x03C2, "σ"},
    {0x03CA, "ι"},  {0x03CB, "υ"},  {0x03CC, "ο"},  {0x03CD, "υ"},
    {0x03CE, "ω"},
    {0x1E9E, "ss"}, {0x1EFA, "ll"}, {0x1EFB, "ll"},
};

/* ---- classification ------------------------------------------------------- */

enum fold_kind {
    FK_DROP,    /* nothing */
    FK_SPACE,   /* a separator */
    FK_KEEP,    /* the code point itself (possibly re-mapped in cp) */
    FK_TEXT,    /* the UTF-8 text in text */
    FK_WORD     /* a character that is a word of its own (Han, Kana, Hangul) */
};

typedef struct fold_out {
    enum fold_kind kind;
    uint32_t cp;
    const char *text;
} fold_out;

/* Orders fold_pair entries by code point, for bsearch. */
static int pair_cmp(const void *key, const void *elem)
{
    uint32_t k = *(const uint32_t *)key, e = ((const fold_pair *)elem)->cp;
    return k < e ? -1 : k > e;
}

/* Looks up a '*' entry; NULL if the tables disagree (a bug). */
static const char *special(uint32_t cp)
{
    const fold_pair *p = bsearch(&cp, fold_special,
                                 sizeof fold_special / sizeof fold_special[0],
                                 sizeof fold_special[0], pair_cmp);
    return p ? p->to : NULL;
}

/* True for Han, Kana and Hangul: each becomes a one-character word. */
static int is_cjk(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF)       /* Hangul jamo */
        || (cp >= 0x3005 && cp <= 0x3007)       /* 々 〆 〇 */
        || (cp >= 0x3040 && cp <= 0x30FA)       /* Hiragana, Katakana */
        || (cp >= 0x30FC && cp <= 0x30FF)       /* ー ヽ ヾ ヿ (not ・) */
        || (cp >= 0x3130 && cp <= 0x318F)       /* Hangul compatibility jamo */
        || (cp >= 0x31F0 && cp <= 0x31FF)       /* Katakana extension */
        || (cp >= 0x3400 && cp <= 0x4DBF)       /* Han extension A */
        || (cp >= 0x4E00 && cp <= 0x9FFF)       /* Han */
        || (cp >= 0xA960 && cp <= 0xA97F)       /* Hangul jamo extended-A */
        || (cp >= 0xAC00 && cp <= 0xD7A3)       /* Hangul syllables */
        || (cp >= 0xD7B0 && cp <= 0xD7FF)       /* Hangul jamo extended-B */
        || (cp >= 0xF900 && cp <= 0xFAFF)       /* Han compatibility */
        || (cp >= 0xFF66 && cp <= 0xFF9F)       /* half-width Katakana */
        || (cp >= 0xFFA0 && cp <= 0xFFDC)       /* half-width Hangul */
        || (cp >= 0x1B000 && cp <= 0x1B16F)     /* Kana supplement, extended */
        || (cp >= 0x20000 && cp <= 0x3FFFF);    /* Han extensions B.. */
}

/* Marks that disappear: apostrophes and the ʻokina (inside a word they join
 * its parts), combining diacritics (decomposed input), invisible format
 * characters. */
static int is_dropped(uint32_t cp)
{
    switch (cp) {
    case 0x0027: case 0x0060:                   /* ' ` */
    case 0x02B9: case 0x02BB: case 0x02BC: case 0x02BD: /* ʹ ʻ ʼ ʽ */
    case 0x2018: case 0x2019: case 0x201B: case 0x2032: /* ‘ ’ ‛ ′ */
    case 0xFF07:                                /* fullwidth ' */
    case 0x200C: case 0x200D: case 0x2060: case 0xFEFF: /* ZWNJ ZWJ WJ BOM */
        return 1;
    default:
        break;
    }
    return (cp >= 0x02B0 && cp <= 0x02FF)       /* other modifier letters */
        || (cp >= 0x0300 && cp <= 0x036F)       /* combining diacritics */
        || (cp >= 0x1AB0 && cp <= 0x1AFF)
        || (cp >= 0x1DC0 && cp <= 0x1DFF)
        || (cp >= 0x20D0 && cp <= 0x20FF)
        || (cp >= 0xFE00 && cp <= 0xFE0F)      /* variation selectors */
        || (cp >= 0xFE20 && cp <= 0xFE2F)
        || (cp >= 0x2061 && cp <= 0x206F)
        || (cp >= 0xE0000 && cp <= 0xE01EF);    /* tags, selectors */
}

/* Punctuation, spaces and symbols outside ASCII and Latin-1. */
static int is_separator(uint32_t cp)
{
    return (cp >= 0x0080 && cp <= 0x009F)       /* C1 controls */
        || cp == 0x037E || cp == 0x0387         /* Greek ; and · */
        || (cp >= 0x055A && cp <= 0x055F) || cp == 0x0589  /* Armenian */
        || cp == 0x058A || cp == 0x05BE || cp == 0x1400    /* dashes: */
        || cp == 0x1806 || cp == 0x30A0 || cp == 0x10EAD   /* every Pd */
        || cp == 0x0964 || cp == 0x0965         /* danda */
        || cp == 0x0E4F || cp == 0x0E5A || cp == 0x0E5B    /* Thai */
        || (cp >= 0x17D4 && cp <= 0x17D6)       /* Khmer khan etc. */
        || (cp >= 0x17D8 && cp <= 0x17DA)
        || (cp >= 0x2000 && cp <= 0x205F)       /* spaces, dashes, quotes */
        || (cp >= 0x20A0 && cp <= 0x20CF)       /* currency */
        || (cp >= 0x2100 && cp <= 0x214F)       /* letterlike symbols */
        || (cp >= 0x2190 && cp <= 0x2BFF)       /* arrows .. symbols */
        || (cp >= 0x2E00 && cp <= 0x2E7F)       /* more punctuation */
        || (cp >= 0x3000 && cp <= 0x303F)       /* CJK punctuation */
        || cp == 0x30FB                         /* katakana middle dot */
        || (cp >= 0xFE10 && cp <= 0xFE1F)
        || (cp >= 0xFE30 && cp <= 0xFE6F)       /* CJK compatibility forms */
        || (cp >= 0xFF01 && cp <= 0xFF0F)       /* fullwidth punctuation, */
        || (cp >= 0xFF1A && cp <= 0xFF20)       /* not letters or digits */
        || (cp >= 0xFF3B && cp <= 0xFF40)
        || (cp >= 0xFF5B && cp <= 0xFF65)
        || (cp >= 0x1F000 && cp <= 0x1FAFF);    /* emoji, pictographs */
}

/* Folds a Latin table marker into out. */
static void from_marker(char m, uint32_t cp, fold_out *out)
{
    switch (m) {
    case '.': out->kind = FK_SPACE; break;
    case '-': out->kind = FK_DROP; break;
    case '=': out->kind = FK_KEEP; out->cp = cp; break;
    case '^': out->kind = FK_KEEP; out->cp = cp + 1; break;
    case '*':
        out->text = special(cp);
        out->kind = out->text ? FK_TEXT : FK_KEEP;
        out->cp = cp;
        break;
    default:
        out->kind = FK_KEEP;
        out->cp = (unsigned char)m;
        break;
    }
}

/* Lower case of Greek, Cyrillic, Armenian and fullwidth Latin letters and
 * digits; cp if none. */
static uint32_t lower_other(uint32_t cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2)
        return cp + 0x20;                       /* Greek */
    if (cp >= 0x0400 && cp <= 0x040F)
        return cp + 0x50;                       /* Ѐ..Џ */
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 0x20;                       /* А..Я */
    if (((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF) ||
         (cp >= 0x04D0 && cp <= 0x052F)) && cp % 2 == 0)
        return cp + 1;
    if (cp == 0x04C0)
        return 0x04CF;
    if (cp >= 0x04C1 && cp <= 0x04CE && cp % 2 == 1)
        return cp + 1;
    if (cp >= 0x0531 && cp <= 0x0556)
        return cp + 0x30;                       /* Armenian */
    if (cp >= 0xFF21 && cp <= 0xFF3A)
        return 'a' + (cp - 0xFF21);             /* fullwidth A..Z */
    if (cp >= 0xFF41 && cp <= 0xFF5A)
        return 'a' + (cp - 0xFF41);
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return '0' + (cp - 0xFF10);
    return cp;
}

/* Classifies one code point: what it becomes in a search key. */
static void fold_cp(uint32_t cp, fold_out *out)
{
    out->kind = FK_KEEP;
    out->cp = cp;
    out->text = NULL;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            out->cp = cp + 32;
        else if (cp == '\'' || cp == '`')
            out->kind = FK_DROP;
        else if (!((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')))
            out->kind = FK_SPACE;
        return;
    }
    if (cp >= 0x00A0 && cp <= 0x024F) {
        from_marker(latin_a0[cp - 0x00A0], cp, out);
        return;
    }
    if (cp >= 0x1E00 && cp <= 0x1EFF) {
        from_marker(latin_1e00[cp - 0x1E00], cp, out);
        return;
    }
    switch (cp) {                               /* letters of African */
    case 0x0253: out->cp = 'b'; return;         /* ɓ   and Pacific names */
    case 0x0254: out->cp = 'o'; return;         /* ɔ   outside the Latin */
    case 0x0256: case 0x0257: out->cp = 'd'; return; /* ɖ ɗ  tables */
    case 0x025B: out->cp = 'e'; return;         /* ɛ */
    default: break;
    }
    if (is_dropped(cp)) {
        out->kind = FK_DROP;
        return;
    }
    if (cp == 0x200B) {                         /* zero width space: Khmer, */
        out->kind = FK_SPACE;                   /* Lao, Thai word breaks */
        return;
    }
    if (is_cjk(cp) && cp != 0x30A0) {          /* ゠ is a dash */
        out->kind = FK_WORD;
        return;
    }
    if (is_separator(cp)) {
        out->kind = FK_SPACE;
        return;
    }
    if (cp >= 0x0370 && cp <= 0x03FF) {
        const char *t = special(cp);
        if (t) {
            out->kind = FK_TEXT;
            out->text = t;
            return;
        }
    }
    out->cp = lower_other(cp);
    if (out->cp < 0x80 && !((out->cp >= 'a' && out->cp <= 'z') ||
                            (out->cp >= '0' && out->cp <= '9')))
        out->kind = FK_SPACE;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Decodes one code point at s; returns its length in bytes, or 0 if the
 * bytes there are not valid UTF-8 (overlong, surrogate, truncated, too
 * large) or s is at the terminating NUL. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v, min;
    if (c == 0)
        return 0;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Encodes cp into buf (at least 4 bytes); returns the length. */
static size_t utf8_encode(uint32_t cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads the next code point of valid UTF-8 at *p, skipping invalid bytes,
 * and composes conjoining Hangul jamo (L V [T], or LV T) into a syllable.
 * Returns 0 at the end of the text. */
static int next_cp(const unsigned char **p, uint32_t *cp)
{
    size_t n;
    while (**p && (n = utf8_decode(*p, cp)) == 0)
        (*p)++;                                 /* invalid byte: dropped */
    if (!**p)
        return 0;
    *p += n;

    uint32_t next;
    size_t m;
    if (*cp >= 0x1100 && *cp <= 0x1112 && (m = utf8_decode(*p, &next)) > 0 &&
        next >= 0x1161 && next <= 0x1175) {
        *cp = 0xAC00 + ((*cp - 0x1100) * 21 + (next - 0x1161)) * 28;
        *p += m;
    }
    if (*cp >= 0xAC00 && *cp <= 0xD7A3 && (*cp - 0xAC00) % 28 == 0 &&
        (m = utf8_decode(*p, &next)) > 0 && next >= 0x11A8 && next <= 0x11C2) {
        *cp += next - 0x11A7;
        *p += m;
    }
    return 1;
}

/* ---- output --------------------------------------------------------------- */

/* Where folded text goes: collapses spaces, stops at the last whole code
 * point that fits with its NUL. */
typedef struct sink {
    char *out;
    size_t cap, len;
    int space;      /* a separator is pending (written before the next char) */
    int full;       /* a character did not fit: stop */
} sink;

/* Notes a separator; written only if a character follows. */
static void put_space(sink *o)
{
    if (o->len > 0)
        o->space = 1;
}

/* Appends the n bytes of one character (with a pending space before it). */
static void put_bytes(sink *o, const char *b, size_t n)
{
    size_t need = n + (o->space ? 1 : 0);
    if (o->full || o->len + need + 1 > o->cap) {
        o->full = 1;
        return;
    }
    if (o->space)
        o->out[o->len++] = ' ';
    o->space = 0;
    for (size_t i = 0; i < n; i++)
        o->out[o->len++] = b[i];
}

/* Appends one code point. */
static void put_cp(sink *o, uint32_t cp)
{
    char b[4];
    put_bytes(o, b, utf8_encode(cp, b));
}

/* Appends a UTF-8 string character by character (so truncation stays on a
 * code point boundary). */
static void put_text(sink *o, const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    uint32_t cp;
    while (next_cp(&p, &cp))
        put_cp(o, cp);
}

/* Writes what one classified code point becomes. */
static void put_folded(sink *o, const fold_out *f)
{
    switch (f->kind) {
    case FK_DROP: break;
    case FK_SPACE: put_space(o); break;
    case FK_KEEP: put_cp(o, f->cp); break;
    case FK_TEXT: put_text(o, f->text); break;
    case FK_WORD:
        put_space(o);
        put_cp(o, f->cp);
        put_space(o);
        break;
    }
}

/* ---- public --------------------------------------------------------------- */

/* The second spelling of a letter that names are also written without
 * (kfold_alt): German and Nordic vowels.  NULL for every other letter. */
static const char *alt_spelling(uint32_t cp)
{
    switch (cp) {
    case 0x00C4: case 0x00E4: return "ae";      /* Ä ä */
    case 0x00D6: case 0x00F6: return "oe";      /* Ö ö */
    case 0x00DC: case 0x00FC: return "ue";      /* Ü ü */
    case 0x00D8: case 0x00F8: return "oe";      /* Ø ø */
    case 0x00C5: case 0x00E5: return "aa";      /* Å å */
    default: return NULL;
    }
}

/* One fold loop for kfold and kfold_alt. */
static size_t fold_into(const char *in, char *out, size_t cap, int alt)
{
    if (!out || cap == 0)
        return 0;
    sink o = {out, cap, 0, 0, 0};
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    uint32_t cp;
    while (!o.full && next_cp(&p, &cp)) {
        fold_out f;
        const char *t = alt ? alt_spelling(cp) : NULL;
        if (t) {
            f.kind = FK_TEXT;
            f.text = t;
            f.cp = cp;
        } else {
            fold_cp(cp, &f);
        }
        put_folded(&o, &f);
    }
    out[o.len] = '\0';
    return o.len;
}

/* Folds in into out (see fold.h). */
size_t kfold(const char *in, char *out, size_t cap)
{
    return fold_into(in, out, cap, 0);
}

/* Folds in with the second spellings of ä ö ü ø å (see fold.h). */
size_t kfold_alt(const char *in, char *out, size_t cap)
{
    return fold_into(in, out, cap, 1);
}

/* Writes the word-start suffixes of a folded key, run together (see
 * fold.h): "de la cruz" -> "delacruz lacruz cruz". */
size_t kfold_suffixes(const char *folded, char *out, size_t cap)
{
    size_t len = 0;
    if (!out || cap == 0)
        return 0;
    out[0] = '\0';
    const char *w = folded ? folded : "";
    while (*w == ' ')
        w++;
    while (*w) {
        size_t need = 0;
        for (const char *q = w; *q; q++)
            need += *q != ' ';
        if (len + (len ? 1 : 0) + need + 1 > cap)
            break;                              /* whole tokens only */
        if (len)
            out[len++] = ' ';
        for (const char *q = w; *q; q++)
            if (*q != ' ')
                out[len++] = *q;
        out[len] = '\0';
        w += strcspn(w, " ");
        while (*w == ' ')
            w++;
    }
    return len;
}

/* Copies a folded key without its spaces: "mary jane" -> "maryjane". */
size_t kfold_join(const char *folded, char *out, size_t cap)
{
    size_t len = 0;
    if (!out || cap == 0)
        return 0;
    const unsigned char *q = (const unsigned char *)(folded ? folded : "");
    while (*q) {
        size_t n = *q >= 0xF0 ? 4 : *q >= 0xE0 ? 3 : *q >= 0xC0 ? 2 : 1;
        if (*q != ' ') {
            if (len + n + 1 > cap)
                break;                          /* whole characters only */
            for (size_t i = 0; i < n && q[i]; i++)
                out[len++] = (char)q[i];
        }
        for (size_t i = 0; i < n && *q; i++)
            q++;
    }
    out[len] = '\0';
    return len;
}

/* Counts the code points of a folded key, spaces not counted. */
size_t kfold_len(const char *folded)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)folded; p && *p; p++)
        if ((*p & 0xC0) != 0x80 && *p != ' ')
            n++;
    return n;
}

/* True if text holds a character kfold makes a word of its own. */
int kfold_has_cjk(const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    uint32_t cp;
    while (next_cp(&p, &cp))
        if (is_cjk(cp))
            return 1;
    return 0;
}

/* Upper case of a lower-case Latin letter (ASCII, Latin-1, Extended-A,
 * the Vietnamese ơ ư, pinyin ǎ ǐ ǒ ǔ ǖ.., Romanian ș ț, Extended
 * Additional); cp itself otherwise. */
static uint32_t latin_upper(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp >= 0x00E0 && cp <= 0x00FE && cp != 0x00F7)
        return cp - 0x20;
    if (cp == 0x00FF)
        return 0x0178;
    if (((cp >= 0x0100 && cp <= 0x0137) || (cp >= 0x014A && cp <= 0x0177)) &&
        cp % 2 == 1)
        return cp - 1;
    if (((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E)) &&
        cp % 2 == 0)
        return cp - 1;
    if (cp == 0x0131)
        return 'I';
    if (cp == 0x01A1 || cp == 0x01B0)
        return cp - 1;                          /* ơ ư */
    if (cp >= 0x01CE && cp <= 0x01DC && cp % 2 == 0)
        return cp - 1;                          /* ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ */
    if (cp >= 0x0200 && cp <= 0x021F && cp % 2 == 1)
        return cp - 1;                          /* ȁ .. ș ț .. */
    if (((cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF)) &&
        cp % 2 == 1)
        return cp - 1;
    return cp;
}

/* The first letter of a name, as written (upper-cased if Latin). */
size_t kfold_initial(const char *name, char *out, size_t cap)
{
    if (!out || cap == 0)
        return 0;
    out[0] = '\0';
    const unsigned char *p = (const unsigned char *)(name ? name : "");
    uint32_t cp;
    while (next_cp(&p, &cp)) {
        fold_out f;
        fold_cp(cp, &f);
        if (f.kind == FK_DROP || f.kind == FK_SPACE)
            continue;
        char b[4];
        size_t n = utf8_encode(latin_upper(cp), b);
        if (n + 1 > cap)
            return 0;
        for (size_t i = 0; i < n; i++)
            out[i] = b[i];
        out[n] = '\0';
        return n;
    }
    return 0;
}
