/*
 * test_fold.c - unit tests of the search-key fold (kiosk/core/fold.c).
 *
 * The fold decides whether a person at the door finds their own name, so
 * these tests walk its tables: every Vietnamese vowel with every tone, in
 * precomposed and decomposed form; Hawaiian and Samoan ʻokina and macrons;
 * the letters without decomposition (đ ø æ ß ł); CJK spacing; scripts that
 * must stay as they are; invalid UTF-8; truncation at a code point; and a
 * property test (the fold of a fold is itself, output always clean).
 */
#include <stdint.h>

#include "fold.h"
#include "ktest.h"

/* Folds s into a static buffer (one result at a time). */
static const char *F(const char *s)
{
    static char buf[1024];
    kfold(s, buf, sizeof buf);
    return buf;
}

/* Appends the UTF-8 of cp to buf at *len. */
static void put_utf8(char *buf, size_t *len, uint32_t cp)
{
    if (cp < 0x80) {
        buf[(*len)++] = (char)cp;
    } else if (cp < 0x800) {
        buf[(*len)++] = (char)(0xC0 | (cp >> 6));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[(*len)++] = (char)(0xE0 | (cp >> 12));
        buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        buf[(*len)++] = (char)(0xF0 | (cp >> 18));
        buf[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    }
    buf[*len] = '\0';
}

/* True if s is valid UTF-8 with single inner spaces, none at the ends. */
static int clean_key(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (strlen(s) != len)
        return 0;
    if (len && (s[0] == ' ' || s[len - 1] == ' ' || strstr(s, "  ")))
        return 0;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
              : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* The examples of fold.h. */
static void test_contract_examples(void)
{
    CHECK_STR(F("Hương"), "huong");
    CHECK_STR(F("Nguyễn"), "nguyen");
    CHECK_STR(F("đ Đ ñ Ñ"), "d d n n");
    CHECK_STR(F("O'Connor"), "oconnor");
    CHECK_STR(F("Hawaiʻi"), "hawaii");
    CHECK_STR(F("Jean-Luc"), "jean luc");
    CHECK_STR(F("陈美玲"), "陈 美 玲");
    CHECK_STR(F("  Nguyễn   Thị  Hương  "), "nguyen thi huong");
    CHECK_STR(F("HUONG"), "huong");
    CHECK_STR(F(""), "");
    CHECK_STR(F(NULL), "");
}

/* Every Vietnamese vowel with each of the six tones, both cases, precomposed. */
static void test_vietnamese_precomposed(void)
{
    static const struct { const char *in, *out; } rows[] = {
        {"a à á ả ã ạ", "a a a a a a"},
        {"ă ằ ắ ẳ ẵ ặ", "a a a a a a"},
        {"â ầ ấ ẩ ẫ ậ", "a a a a a a"},
        {"e è é ẻ ẽ ẹ", "e e e e e e"},
        {"ê ề ế ể ễ ệ", "e e e e e e"},
        {"i ì í ỉ ĩ ị", "i i i i i i"},
        {"o ò ó ỏ õ ọ", "o o o o o o"},
        {"ô ồ ố ổ ỗ ộ", "o o o o o o"},
        {"ơ ờ ớ ở ỡ ợ", "o o o o o o"},
        {"u ù ú ủ ũ ụ", "u u u u u u"},
        {"ư ừ ứ ử ữ ự", "u u u u u u"},
        {"y ỳ ý ỷ ỹ ỵ", "y y y y y y"},
        {"A À Á Ả Ã Ạ", "a a a a a a"},
        {"Ă Ằ Ắ Ẳ Ẵ Ặ", "a a a a a a"},
        {"Â Ầ Ấ Ẩ Ẫ Ậ", "a a a a a a"},
        {"E È É Ẻ Ẽ Ẹ", "e e e e e e"},
        {"Ê Ề Ế Ể Ễ Ệ", "e e e e e e"},
        {"I Ì Í Ỉ Ĩ Ị", "i i i i i i"},
        {"O Ò Ó Ỏ Õ Ọ", "o o o o o o"},
        {"Ô Ồ Ố Ổ Ỗ Ộ", "o o o o o o"},
        {"Ơ Ờ Ớ Ở Ỡ Ợ", "o o o o o o"},
        {"U Ù Ú Ủ Ũ Ụ", "u u u u u u"},
        {"Ư Ừ Ứ Ử Ữ Ự", "u u u u u u"},
        {"Y Ỳ Ý Ỷ Ỹ Ỵ", "y y y y y y"},
        {"Đặng Đức Bùi Lực Dương Thuận Huỳnh Quỳnh Phượng Ngọc Hằng",
         "dang duc bui luc duong thuan huynh quynh phuong ngoc hang"},
        {"Trần Văn Đức", "tran van duc"},
        {"Nguyễn Thị Hương", "nguyen thi huong"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_STR(F(rows[i].in), rows[i].out);
}

/* The same letters decomposed (NFD): base + U+0306/0302/031B + tone mark. */
static void test_vietnamese_decomposed(void)
{
    static const uint32_t tones[] = {0, 0x0300, 0x0301, 0x0309, 0x0303, 0x0323};
    static const struct { char base; uint32_t mark; } vowels[] = {
        {'a', 0}, {'a', 0x0306}, {'a', 0x0302}, {'e', 0}, {'e', 0x0302},
        {'i', 0}, {'o', 0}, {'o', 0x0302}, {'o', 0x031B}, {'u', 0},
        {'u', 0x031B}, {'y', 0}, {'A', 0x0306}, {'O', 0x031B}, {'U', 0x031B},
    };
    for (size_t v = 0; v < sizeof vowels / sizeof vowels[0]; v++) {
        for (size_t t = 0; t < sizeof tones / sizeof tones[0]; t++) {
            char in[32], want[4];
            size_t len = 0;
            put_utf8(in, &len, 'x');
            put_utf8(in, &len, (uint32_t)vowels[v].base);
            if (vowels[v].mark)
                put_utf8(in, &len, vowels[v].mark);
            if (tones[t])
                put_utf8(in, &len, tones[t]);
            put_utf8(in, &len, 'n');
            want[0] = 'x';
            want[1] = (char)(vowels[v].base | 0x20);
            want[2] = 'n';
            want[3] = '\0';
            CHECK_STR(F(in), want);
        }
    }
    CHECK_STR(F("Nguye\xcc\x82\xcc\x83n"), "nguyen");      /* e + ^ + ~ */
    CHECK_STR(F("Hu\xcc\x9bo\xcc\x9bng"), "huong");        /* u + horn */
}

/* Hawaiian, Samoan, Tongan: ʻokina, apostrophes, macrons. */
static void test_pacific(void)
{
    CHECK_STR(F("ʻŌlelo Hawaiʻi"), "olelo hawaii");
    CHECK_STR(F("Keʻala Kahananui"), "keala kahananui");
    CHECK_STR(F("Kaʻuhane"), "kauhane");
    CHECK_STR(F("ʻAhoia"), "ahoia");
    CHECK_STR(F("ā ē ī ō ū Ā Ē Ī Ō Ū"), "a e i o u a e i o u");
    CHECK_STR(F("Mālia Nāone Pāhoa Soʻoalo"), "malia naone pahoa sooalo");
    /* the same word with every apostrophe-like mark people type */
    CHECK_STR(F("O'Connor"), "oconnor");
    CHECK_STR(F("O\xe2\x80\x99" "Connor"), "oconnor");      /* U+2019 */
    CHECK_STR(F("O\xe2\x80\x98" "Connor"), "oconnor");      /* U+2018 */
    CHECK_STR(F("O\xca\xbc" "Connor"), "oconnor");          /* U+02BC */
    CHECK_STR(F("O\xca\xbb" "Connor"), "oconnor");          /* U+02BB */
    CHECK_STR(F("O`Connor"), "oconnor");
    CHECK_STR(F("O\xc2\xb4" "Connor"), "oconnor");          /* U+00B4 */
}

/* Letters without a decomposition, ligatures, other Latin. */
static void test_latin_specials(void)
{
    CHECK_STR(F("ø Ø æ Æ ß ẞ œ Œ ł Ł ħ ı"), "o o ae ae ss ss oe oe l l h i");
    CHECK_STR(F("Søren Kjærgaard"), "soren kjaergaard");
    CHECK_STR(F("Jürgen Weiß"), "jurgen weiss");
    CHECK_STR(F("Łukasz Wróbel"), "lukasz wrobel");
    CHECK_STR(F("Ayşe Yılmaz"), "ayse yilmaz");
    CHECK_STR(F("Siobhán Ó Briain"), "siobhan o briain");
    CHECK_STR(F("José Núñez Muñoz"), "jose nunez munoz");
    CHECK_STR(F("Ștefan Țurcanu"), "stefan turcanu");
    CHECK_STR(F("Þóra Guðmundsdóttir"), "thora gudmundsdottir");
    CHECK_STR(F("ǅ ǈ ǋ"), "dz lj nj");
    CHECK_STR(F("Zoë Chloé Ángel"), "zoe chloe angel");
    CHECK_STR(F("ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ"), "a i o u u u u u");       /* pinyin */
    CHECK_STR(F("ＡＢＣ１２３"), "abc123");                       /* fullwidth */
}

/* Second spellings of ä ö ü ø å, and the letters of African and Pacific
 * names that fold to their base. */
static void test_alt_spellings(void)
{
    char buf[128];
    kfold_alt("Müller-Lüdenscheidt Øster Åse", buf, sizeof buf);
    CHECK_STR(buf, "mueller luedenscheidt oester aase");
    CHECK_STR(F("Müller-Lüdenscheidt Øster Åse"), "muller ludenscheidt oster ase");
    kfold_alt("Nguyễn Thị Hương", buf, sizeof buf);
    CHECK_STR(buf, "nguyen thi huong");                /* no second spelling */
    CHECK_STR(F("Ɛfua Ɔsei ɛ ɔ Ŋugi ŋ Ƣ ƣ ɓ ɗ"), "efua osei e o ngugi ng oi oi b d");
}

/* Separators do not matter: suffix tokens and joined queries. */
static void test_suffixes(void)
{
    char buf[128];
    kfold_suffixes("de la cruz", buf, sizeof buf);
    CHECK_STR(buf, "delacruz lacruz cruz");
    kfold_suffixes("mary jane", buf, sizeof buf);
    CHECK_STR(buf, "maryjane jane");
    kfold_suffixes("nguyen", buf, sizeof buf);
    CHECK_STR(buf, "nguyen");
    kfold_suffixes("", buf, sizeof buf);
    CHECK_STR(buf, "");
    kfold_suffixes("陈 美 玲", buf, sizeof buf);
    CHECK_STR(buf, "陈美玲 美玲 玲");
    kfold_suffixes("ab cd ef", buf, 12);           /* "abcdef cdef" + NUL */
    CHECK_STR(buf, "abcdef cdef");
    kfold_suffixes("ab cd ef", buf, 11);           /* whole tokens only */
    CHECK_STR(buf, "abcdef");
    kfold_join("dela cruz", buf, sizeof buf);
    CHECK_STR(buf, "delacruz");
    kfold_join("陈 美", buf, 5);                    /* cut on a character */
    CHECK_STR(buf, "陈");
    CHECK_STR(F("Mary-Jane Mary.Jane Mary\xe2\x80\x91Jane"), "mary jane mary jane mary jane");
}

/* Punctuation becomes spaces; spaces collapse. */
static void test_punctuation(void)
{
    CHECK_STR(F("Ma. Lourdes"), "ma lourdes");
    CHECK_STR(F("Smith, John"), "smith john");
    CHECK_STR(F("García-López"), "garcia lopez");
    CHECK_STR(F("a_b/c\\d(e)[f]{g}<h>|i"), "a b c d e f g h i");
    CHECK_STR(F("\"quoted\" *star* NEAR(x)"), "quoted star near x");
    CHECK_STR(F("!!! ... ---"), "");
    CHECK_STR(F("a\tb\nc\r\nd"), "a b c d");
    CHECK_STR(F("a\xc2\xa0" "b"), "a b");                      /* nbsp */
    CHECK_STR(F("a\xe2\x80\x94" "b"), "a b");                  /* em dash */
    CHECK_STR(F("a\xe3\x80\x80" "b"), "a b");                  /* ideographic sp */
    CHECK_STR(F("a\xe2\x80\x8d" "b"), "ab");                   /* ZWJ dropped */
    CHECK_STR(F("x \xf0\x9f\x98\x80 y"), "x y");               /* emoji */
    CHECK_STR(F("\xc2\xad" "soft\xc2\xad" "hyphen"), "softhyphen");
}

/* Han, Kana and Hangul become one-character words. */
static void test_cjk(void)
{
    CHECK_STR(F("陈美玲"), "陈 美 玲");
    CHECK_STR(F("김민준"), "김 민 준");
    CHECK_STR(F("한국진"), "한 국 진");
    CHECK_STR(F("Amy陈美玲Lee"), "amy 陈 美 玲 lee");
    CHECK_STR(F("佐々木 優子"), "佐 々 木 優 子");
    CHECK_STR(F("さくら・エミ"), "さ く ら エ ミ");               /* ・ separates */
    CHECK_STR(F("陈，美。玲"), "陈 美 玲");                      /* CJK punctuation */
    CHECK_STR(F("\xf0\xa0\x80\x80"), "\xf0\xa0\x80\x80");      /* U+20000 */
    CHECK_STR(F("\xe3\x90\x80"), "\xe3\x90\x80");              /* U+3400 */
    CHECK_STR(F("\xef\xa4\x80"), "\xef\xa4\x80");              /* U+F900 */
    /* decomposed Hangul (conjoining jamo) composes: ㄱ+ㅏ+ㄱ = 각 */
    CHECK_STR(F("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"), "각");
    CHECK_STR(F("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xae"
                "\xe1\x86\xa8"), "한 국");
    CHECK(kfold_has_cjk("Amy 陈"));
    CHECK(kfold_has_cjk("김"));
    CHECK(kfold_has_cjk("さ"));
    CHECK(!kfold_has_cjk("Nguyễn"));
    CHECK(!kfold_has_cjk("សុខ"));
    CHECK(!kfold_has_cjk(""));
}

/* Other scripts are kept, lower-cased where simple. */
static void test_other_scripts(void)
{
    CHECK_STR(F("សុខ ចាន់"), "សុខ ចាន់");
    CHECK_STR(F("ສົມພອນ ສີສຸພັນ"), "ສົມພອນ ສີສຸພັນ");
    CHECK_STR(F("สมชาย ใจดี"), "สมชาย ใจดี");
    CHECK_STR(F("नेहा शर्मा"), "नेहा शर्मा");
    CHECK_STR(F("សុខ។"), "សុខ");                                /* khan */
    CHECK_STR(F("ПЕТРОВ Ёлка"), "петров ёлка");
    CHECK_STR(F("ΣΟΦΙΑ Άννα"), "σοφια αννα");
    CHECK_STR(F("ԱՐԱՄ"), "արամ");
}

/* Invalid UTF-8 bytes are dropped, the rest kept. */
static void test_invalid_utf8(void)
{
    CHECK_STR(F("ab\xff" "cd"), "abcd");
    CHECK_STR(F("a\x80" "b"), "ab");                           /* stray continuation */
    CHECK_STR(F("a\xc0\xaf" "b"), "ab");                       /* overlong '/' */
    CHECK_STR(F("a\xed\xa0\x80" "b"), "ab");                   /* surrogate */
    CHECK_STR(F("a\xf4\x90\x80\x80" "b"), "ab");               /* > U+10FFFF */
    CHECK_STR(F("Nguy\xe1\xbb" "n"), "nguyn");                 /* cut sequence */
    CHECK_STR(F("huong\xc3"), "huong");                        /* cut at the end */
    CHECK_STR(F("\xfe\xfe\xfe"), "");
}

/* Output never exceeds cap, ends at a code point, has no trailing space. */
static void test_truncation(void)
{
    char out[16];
    memset(out, 'x', sizeof out);
    CHECK_INT(kfold("anything", out, 0), 0);
    CHECK(out[0] == 'x');                                      /* untouched */
    CHECK_INT(kfold("abc", out, 1), 0);
    CHECK_STR(out, "");
    CHECK_INT(kfold("nguyễn", out, 4), 3);
    CHECK_STR(out, "ngu");
    CHECK_INT(kfold("陈美玲", out, 6), 3);                      /* " 美" needs 4 more */
    CHECK_STR(out, "陈");
    CHECK_INT(kfold("陈美玲", out, 8), 7);
    CHECK_STR(out, "陈 美");
    CHECK_INT(kfold("ab 陈", out, 5), 2);                       /* no trailing space */
    CHECK_STR(out, "ab");
    CHECK_INT(kfold("жжж", out, 4), 2);                         /* 2-byte letters */
    CHECK_STR(out, "ж");
    CHECK_INT(kfold("ßß", out, 4), 3);                          /* "ss" + "s" */
    CHECK_STR(out, "sss");
    CHECK_INT(kfold("abc", out, 4), 3);                         /* exactly fits */
    CHECK_STR(out, "abc");
}

/* Counting characters and first letters. */
static void test_len_and_initial(void)
{
    char b[8];
    CHECK_INT(kfold_len(""), 0);
    CHECK_INT(kfold_len("nguyen thi"), 9);
    CHECK_INT(kfold_len("陈 美 玲"), 3);
    CHECK_INT(kfold_len("សុខ"), 3);
    CHECK_INT(kfold_len(F("H")), 1);
    CHECK_INT(kfold_initial("O'Connor", b, sizeof b), 1);
    CHECK_STR(b, "O");
    kfold_initial("ʻAhoia", b, sizeof b);
    CHECK_STR(b, "A");
    kfold_initial("đặng", b, sizeof b);
    CHECK_STR(b, "Đ");
    kfold_initial("ơn", b, sizeof b);
    CHECK_STR(b, "Ơ");
    kfold_initial("ễ", b, sizeof b);
    CHECK_STR(b, "Ễ");
    kfold_initial("ünal", b, sizeof b);
    CHECK_STR(b, "Ü");
    kfold_initial("김", b, sizeof b);
    CHECK_STR(b, "김");
    kfold_initial("陈", b, sizeof b);
    CHECK_STR(b, "陈");
    kfold_initial("សុខ", b, sizeof b);
    CHECK_STR(b, "ស");
    kfold_initial("петров", b, sizeof b);                      /* not Latin: as is */
    CHECK_STR(b, "п");
    CHECK_INT(kfold_initial("", b, sizeof b), 0);
    CHECK_STR(b, "");
    CHECK_INT(kfold_initial(" - '", b, sizeof b), 0);
    CHECK_INT(kfold_initial("陈", b, 3), 0);                    /* does not fit */
    CHECK_STR(b, "");
}

/* A small deterministic generator for the property test. */
static uint32_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* Random text (valid code points from every block we handle, plus random
 * bytes): the output is clean, within cap, and folding it again changes
 * nothing. */
static void test_properties(void)
{
    static const uint32_t ranges[][2] = {
        {0x20, 0x7E}, {0xA0, 0x24F}, {0x250, 0x36F}, {0x370, 0x52F},
        {0x530, 0x58F}, {0x900, 0x97F}, {0xE00, 0xEFF}, {0x1100, 0x11FF},
        {0x1780, 0x17FF}, {0x1E00, 0x1EFF}, {0x2000, 0x206F}, {0x3000, 0x30FF},
        {0x3130, 0x318F}, {0x4E00, 0x4E50}, {0xAC00, 0xAC50}, {0xFF00, 0xFFEF},
        {0x1F600, 0x1F64F}, {0x20000, 0x20010},
    };
    uint64_t st = 42;
    int bad_clean = 0, bad_idem = 0, bad_cap = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char in[256], a[128], b[128];
        size_t len = 0;
        int n = (int)(lcg(&st) % 24);
        for (int i = 0; i < n; i++) {
            if (lcg(&st) % 16 == 0) {
                in[len++] = (char)(lcg(&st) & 0xFF ? lcg(&st) & 0xFF : 'x');
                in[len] = '\0';
                continue;
            }
            const uint32_t *r = ranges[lcg(&st) % (sizeof ranges / sizeof ranges[0])];
            put_utf8(in, &len, r[0] + lcg(&st) % (r[1] - r[0] + 1));
        }
        in[len] = '\0';
        size_t cap = 1 + lcg(&st) % sizeof a;
        size_t la = kfold(in, a, cap);
        if (la >= cap)
            bad_cap++;
        if (!clean_key(a, la))
            bad_clean++;
        kfold(a, b, sizeof b);
        if (cap == sizeof a && strcmp(a, b) != 0) {
            if (bad_idem++ < 3)
                fprintf(stderr, "not idempotent: [%s] -> [%s]\n", a, b);
        }
    }
    CHECK_INT(bad_cap, 0);
    CHECK_INT(bad_clean, 0);
    CHECK_INT(bad_idem, 0);
}

int main(void)
{
    RUN(test_contract_examples);
    RUN(test_vietnamese_precomposed);
    RUN(test_vietnamese_decomposed);
    RUN(test_pacific);
    RUN(test_latin_specials);
    RUN(test_alt_spellings);
    RUN(test_suffixes);
    RUN(test_punctuation);
    RUN(test_cjk);
    RUN(test_other_scripts);
    RUN(test_invalid_utf8);
    RUN(test_truncation);
    RUN(test_len_and_initial);
    RUN(test_properties);
    return ktest_summary();
}
