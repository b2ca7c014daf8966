/*
 * test_compose.c - the keyboard composition engines (compose.h): tables of
 * key sequences and the text they must leave, for Vietnamese Telex in both
 * tone styles, Korean 2-set Hangul, backspace, limits, long-press variants.
 *
 * Keys are written as UTF-8 strings and fed one code point at a time, as
 * the on-screen keyboard does; '\b' in a key string means backspace.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in ktest.h */
#include "compose.h"
#include "ktest.h"

#include <stdint.h>

/* ---- helpers ------------------------------------------------------------- */

struct kcase {
    const char *keys;
    const char *want;
};

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* Types keys (UTF-8, '\b' = backspace) at the end of buf; returns how many
 * keys were refused. */
static int type_keys(kcompose *c, char *buf, size_t cap, size_t max_chars,
                     const char *keys)
{
    int refused = 0;
    uint32_t cp;
    while ((cp = kcompose_utf8_next(&keys)) != 0) {
        int rc = cp == '\b' ? kcompose_backspace(c, buf, cap)
                            : kcompose_key(c, buf, cap, max_chars, cp);
        if (rc != 0)
            refused++;
    }
    return refused;
}

/* Runs a table in a fresh field per row with the given engine and style. */
static void run_table(int kind, int style, const struct kcase *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kcompose c = {0};
        kcompose_set_tone_style(&c, style);
        kcompose_reset(&c, kind);
        char buf[256] = "";
        type_keys(&c, buf, sizeof buf, SIZE_MAX, t[i].keys);
        if (strcmp(buf, t[i].want) != 0)
            fprintf(stderr, "  keys \"%s\" (style %d):\n", t[i].keys, style);
        CHECK_STR(buf, t[i].want);
    }
}

/* True if s is well-formed UTF-8. */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2
              : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            return 0;
        for (int k = 1; k < n; k++)
            if ((p[k] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* ---- Telex --------------------------------------------------------------- */

/* Same in both tone styles. */
static const struct kcase telex_cases[] = {
    /* each tone, and z */
    {"as", "á"}, {"af", "à"}, {"ar", "ả"}, {"ax", "ã"}, {"aj", "ạ"},
    {"asz", "a"}, {"asf", "à"}, {"mas", "má"}, {"maf", "mà"},
    {"mar", "mả"}, {"max", "mã"}, {"maj", "mạ"},
    /* each vowel modifier */
    {"aa", "â"}, {"aw", "ă"}, {"ee", "ê"}, {"oo", "ô"}, {"ow", "ơ"},
    {"uw", "ư"}, {"dd", "đ"}, {"aaw", "ă"}, {"caau", "câu"},
    {"trawng", "trăng"}, {"tranwg", "trăng"},
    /* w alone is ư */
    {"w", "ư"}, {"tw", "tư"}, {"nhwngx", "những"}, {"W", "Ư"},
    /* ươ, uơ */
    {"dduowngf", "đường"}, {"thuowngf", "thường"}, {"nguowif", "người"},
    {"nguoiwf", "người"}, {"tuongw", "tương"}, {"uwow", "uơ"}, {"uwown", "ươn"},
    {"thuowr", "thuở"}, {"muwa", "mưa"}, {"cuwus", "cứu"},
    /* gi and qu initials */
    {"giaf", "già"}, {"gif", "gì"}, {"ginf", "gìn"}, {"giuwx", "giữ"},
    {"gieengs", "giếng"}, {"quas", "quá"}, {"quys", "quý"},
    {"quoocs", "quốc"}, {"quyeenf", "quyền"}, {"quynhf", "quỳnh"},
    /* tone with a final, typed before or after it */
    {"toans", "toán"}, {"toasn", "toán"}, {"hoafng", "hoàng"},
    {"huynhf", "huỳnh"}, {"tieengs", "tiếng"}, {"tieesng", "tiếng"},
    {"vieetj", "việt"}, {"nguyeenx", "nguyễn"}, {"nguyeexn", "nguyễn"},
    {"chuyeenj", "chuyện"}, {"hoaif", "hoài"}, {"khuyur", "khuỷu"},
    {"muaf", "mùa"}, {"kiaf", "kìa"}, {"taif", "tài"},
    /* a stop final takes only sắc and nặng */
    {"cacs", "các"}, {"hocj", "học"}, {"cacf", "cacf"},
    /* dd anywhere in the word, for the initial */
    {"ddinh", "đinh"}, {"dinhd", "đinh"}, {"ddoongf", "đồng"},
    /* upper case kept */
    {"NGUYEENX", "NGUYỄN"}, {"Nguyeenx", "Nguyễn"}, {"DDinh", "Đinh"},
    {"Ddinh", "Đinh"}, {"TRAANF", "TRẦN"}, {"Lee", "Lê"},
    {"HUOWNGF", "HƯỜNG"}, {"Aa", "Â"},
    /* the same key again undoes; a word that is then no Vietnamese is
     * given back as typed, double letters included */
    {"ass", "ass"}, {"asss", "asss"}, {"aaa", "aaa"}, {"ddd", "ddd"},
    {"ww", "ww"}, {"uww", "uww"}, {"aww", "aww"}, {"tww", "tww"},
    {"nguyeenxx", "nguyeenxx"}, {"liss", "liss"}, {"lissa", "lissa"},
    {"larrry", "larrry"},
    /* ... and Telex goes on after an undo that leaves a Vietnamese word */
    {"xooongs", "xoóng"}, {"booong", "boong"}, {"cooongf", "coòng"},
    /* a tone key right after qu; ua + final only after q */
    {"qusa", "quá"}, {"qufa", "quà"}, {"qusan", "quán"}, {"quan", "quan"},
    {"suan", "suan"}, {"tuaans", "tuấn"}, {"xuaan", "xuân"},
    /* k, gh, ngh before i e ê y only; c, g, ng never */
    {"kis", "kí"}, {"kyf", "kỳ"}, {"ghees", "ghế"}, {"nghix", "nghĩ"},
    {"kwon", "kwon"}, {"karen", "karen"}, {"cindy", "cindy"},
    {"gene", "gene"}, {"ngi", "ngi"}, {"ghan", "ghan"},
    /* word by word */
    {"nguyeenx vawn anh", "nguyễn văn anh"}, {"anh-ddaof", "anh-đào"},
    {"a1s", "a1s"}, {"Traanf Thij Mai", "Trần Thị Mai"},
    /* a precomposed letter typed as a key (long-press popup) */
    {"\xc6\xb0s", "ứ"}, {"ng\xc6\xb0\xc6\xa1if", "người"},
};

/* Where oa, oe, uy put the tone in each style (and all else agrees). */
static const struct kcase telex_new[] = {
    {"hoaf", "hoà"}, {"hoef", "hoè"}, {"thuys", "thuý"},
    {"khoer", "khoẻ"}, {"thuyr", "thuỷ"}, {"hoaj", "hoạ"},
    {"hoafn", "hoàn"}, {"hoaif", "hoài"}, {"quys", "quý"},
};
static const struct kcase telex_old[] = {
    {"hoaf", "hòa"}, {"hoef", "hòe"}, {"thuys", "thúy"},
    {"khoer", "khỏe"}, {"thuyr", "thủy"}, {"hoaj", "họa"},
    {"hoafn", "hoàn"}, {"hoaif", "hoài"}, {"quys", "quý"},
};

/* Names that are not Vietnamese: the rule in telex.c keeps these ... */
static const struct kcase english_kept[] = {
    {"chris", "chris"}, {"john", "john"}, {"mike", "mike"},
    {"smith", "smith"}, {"leslie", "leslie"}, {"david", "david"},
    {"kevin", "kevin"}, {"jessica", "jessica"}, {"michael", "michael"},
    {"sarah", "sarah"}, {"sara", "sara"}, {"aaron", "aaron"},
    {"henry", "henry"}, {"will", "will"}, {"wendy", "wendy"},
    {"emily", "emily"}, {"howard", "howard"}, {"dwight", "dwight"},
    {"peter", "peter"}, {"brian", "brian"}, {"dana", "dana"},
    {"tiffany", "tiffany"}, {"russell", "russell"}, {"ross", "ross"},
    {"susan", "susan"}, {"rosa", "rosa"}, {"rose", "rose"},
    {"larry", "larry"}, {"teresa", "teresa"}, {"Kwon", "Kwon"},
    {"Chris Smith", "Chris Smith"}, {"O'Connor", "O'Connor"},
    {"Jean-Luc", "Jean-Luc"},
    /* a tone key between the vowels is a letter of the name: "lí" + a,
     * "gả" + y; the same syllables typed the Telex way (tone last)
     * compose, and qu, gi hand their waiting tone on */
    {"lisa", "lisa"}, {"Lisa", "Lisa"}, {"mary", "mary"}, {"Mary", "Mary"},
    {"gary", "gary"}, {"Gary", "Gary"}, {"mary-ann", "mary-ann"},
    {"mayr", "mảy"}, {"gayr", "gảy"}, {"muaf", "mùa"}, {"mufa", "mufa"},
    {"hoaif", "hoài"}, {"hoafi", "hoafi"}, {"qusa", "quá"}, {"gisa", "giá"},
    {"gisua", "gisua"}, {"maria", "maria"}, {"isabel", "isabel"},
};
/* ... and changes these, which end up Vietnamese syllables: the
 * suggestion strip (kcompose_typed) offers them as typed. */
static const struct kcase english_changed[] = {
    {"max", "mã"}, {"luis", "lúi"}, {"los", "ló"}, {"lee", "lê"},
    {"did", "đi"}, {"max-ann", "mã-ann"},
};

/* Backspace takes one code point; the next key reads the word anew. */
static const struct kcase telex_backspace[] = {
    {"nguyeenx\b", "nguyễ"}, {"nguyeenx\bn", "nguyễn"},
    {"toans\b", "toá"}, {"toans\b\bn", "ton"}, {"ass\bs", "ass"},
    {"hoaf\b", "ho"}, {"leslie\b\b\b", "les"}, {"les\bes", "lé"},
    {"ddi\bd", "dd"}, {"tieeng\b\bngs", "tiếng"}, {"a\b\b", ""},
};

static void test_telex_tables(void)
{
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_NEW, telex_cases,
              NCASES(telex_cases));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_OLD, telex_cases,
              NCASES(telex_cases));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_NEW, telex_new,
              NCASES(telex_new));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_OLD, telex_old,
              NCASES(telex_old));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_NEW, english_kept,
              NCASES(english_kept));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_NEW, english_changed,
              NCASES(english_changed));
    run_table(KCOMPOSE_TELEX, KCOMPOSE_TONE_NEW, telex_backspace,
              NCASES(telex_backspace));
}

/* The tone style survives kcompose_reset; a zeroed struct is new style. */
static void test_telex_style_setting(void)
{
    kcompose c = {0};
    char buf[32] = "";
    kcompose_reset(&c, KCOMPOSE_TELEX);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "hoaf");
    CHECK_STR(buf, "hoà");

    kcompose_set_tone_style(&c, KCOMPOSE_TONE_OLD);
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    kcompose_reset(&c, KCOMPOSE_TELEX);
    CHECK_INT(c.tone_style, KCOMPOSE_TONE_OLD);
    buf[0] = '\0';
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "hoaf");
    CHECK_STR(buf, "hòa");

    kcompose_set_tone_style(&c, 42); /* nonsense falls back to new */
    CHECK_INT(c.tone_style, KCOMPOSE_TONE_NEW);
}

/* Text the engine did not write (prefilled, cleared, edited) is taken as
 * it stands. */
static void test_telex_foreign_text(void)
{
    kcompose c = {0};
    kcompose_reset(&c, KCOMPOSE_TELEX);
    char buf[64] = "Ti\xc3\xaa"; /* "Tiê" */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ngs");
    CHECK_STR(buf, "Tiếng");

    buf[0] = '\0'; /* the field was cleared behind the engine's back */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "as");
    CHECK_STR(buf, "á");

    snprintf(buf, sizeof buf, "Pe\xc3\xb1"); /* "Peñ": not Vietnamese */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "as");
    CHECK_STR(buf, "Peñas");

    snprintf(buf, sizeof buf, "abcdefghijklmnopqrstuvwxyz"); /* too long */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "as");
    CHECK_STR(buf, "abcdefghijklmnopqrstuvwxyzas");
}

/* ---- Hangul -------------------------------------------------------------- */

static const struct kcase hangul_cases[] = {
    {"ㅎㅏㄴㄱㅜㄱ", "한국"}, {"ㄱㅏㄴㅏ", "가나"}, {"ㄷㅏㄹㄱㅏ", "달가"},
    {"ㄱㅏㅂㅅ", "값"}, {"ㅇㅓㅂㅅㅇㅓ", "없어"}, {"ㅇㅣㄹㄱㄷㅏ", "읽다"},
    {"ㅎㅏㄴㄱㅡㄹ", "한글"}, {"ㄱㅣㅁㅁㅣㄴㅈㅜㄴ", "김민준"},
    {"ㅂㅏㄱㅅㅓㅇㅎㅜㄴ", "박성훈"}, {"ㅊㅗㅣㅇㅠㄴㅎㅡㅣ", "최윤희"},
    /* compound vowels */
    {"ㄱㅗㅏ", "과"}, {"ㅇㅗㅐ", "왜"}, {"ㅎㅗㅣ", "회"}, {"ㅁㅜㅓ", "뭐"},
    {"ㄱㅜㅔ", "궤"}, {"ㄱㅜㅣ", "귀"}, {"ㅇㅡㅣ", "의"},
    {"ㄱㅗㅏㄴ", "관"}, {"ㅇㅜㅓㄴㅇㅡㅣ", "원의"},
    /* double finals, and only their second half moving on */
    {"ㅇㅏㄴㅈ", "앉"}, {"ㅁㅏㄴㅎ", "많"}, {"ㅅㅏㄹㅁ", "삶"},
    {"ㅂㅏㄹㅂ", "밟"}, {"ㄱㅗㄹㅅ", "곬"}, {"ㅎㅏㄹㅌ", "핥"},
    {"ㅇㅡㄹㅍ", "읊"}, {"ㅇㅏㄹㅎ", "앓"}, {"ㄴㅓㄱㅅ", "넋"},
    {"ㅇㅏㄴㅈㅇㅏ", "앉아"}, {"ㄷㅏㄹㄱㄱ", "닭ㄱ"},
    /* shifted keys of their own */
    {"ㄲㅗㅊ", "꽃"}, {"ㄸㅏㄹ", "딸"}, {"ㅃㅏㅇ", "빵"}, {"ㅉㅏㅁ", "짬"},
    {"ㅇㅣㅆㅇㅓ", "있어"}, {"ㅇㅣㅆㅓ", "이써"}, {"ㅇㅒ", "얘"},
    {"ㅇㅖ", "예"}, {"ㄸㅏㄸ", "따ㄸ"}, {"ㄱㅏㄲ", "갂"},
    /* lone vowels and consonants */
    {"ㅏ", "ㅏ"}, {"ㅗㅏ", "ㅘ"}, {"ㅏㅏ", "ㅏㅏ"}, {"ㅏㄴㅏ", "ㅏ나"},
    {"ㄱ", "ㄱ"}, {"ㄱㄴ", "ㄱㄴ"}, {"ㄱㅅ", "ㄱㅅ"}, {"ㅡㅣ", "ㅢ"},
    /* other keys close the syllable */
    {"ㅎㅏ1ㅏ", "하1ㅏ"}, {"ㅎㅏㄴ ㄱㅜㄱ", "한 국"}, {"ㄱㅏ ㅏ", "가 ㅏ"},
    {"ㄱㅏnㅏ", "가nㅏ"}, {"ㄱㅏㄳ", "가ㄳ"},
    /* backspace: one jamo of the open syllable, then whole characters */
    {"ㅎㅏㄴ\b", "하"}, {"ㅎㅏㄴ\b\b", "ㅎ"}, {"ㅎㅏㄴ\b\b\b", ""},
    {"ㄱㅗㅏ\b", "고"}, {"ㄱㅗㅏㄴ\b\b", "고"}, {"ㅇㅡㅣ\b", "으"},
    {"ㅗㅏ\b", "ㅗ"}, {"ㅗㅏ\b\b", ""}, {"ㄷㅏㄹㄱ\b", "달"},
    {"ㄱㅏㅂㅅ\b", "갑"}, {"ㅇㅓㅂㅅ\b\b", "어"}, {"ㅇㅣㅆ\b", "이"},
    {"ㄲ\b", ""}, {"ㄱㅏㄴㅏ\b", "가ㄴ"}, {"ㄱㅏㄴㅏ\b\b", "가"},
    {"ㄱㅏㄴㅏ\b\b\b", ""}, {"ㅎㅏㄴ \b", "한"}, {"ㅎㅏㄴ \b\b", ""},
    {"ㅎㅏㄴㄱㅜㄱ\b\b\b", "한"}, {"ㅎㅏㄴㄱㅜㄱ\b\b\b\b", ""}, {"ㅎㅏㄴ\bㄴㅏ", "하나"},
    {"ㅎㅏㄴ \bㅏ", "한ㅏ"}, {"\b", ""},
};

static void test_hangul_tables(void)
{
    run_table(KCOMPOSE_HANGUL, KCOMPOSE_TONE_NEW, hangul_cases,
              NCASES(hangul_cases));
}

/* After kcompose_reset (a field or layout change) nothing is open:
 * backspace deletes whole syllables and a vowel does not join. */
static void test_hangul_reset(void)
{
    kcompose c = {0};
    char buf[64] = "";
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㅎㅏㄴ");
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    CHECK_INT(kcompose_pending(&c, buf), 0);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㅏ");
    CHECK_STR(buf, "한ㅏ");
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "\b\b");
    CHECK_STR(buf, "");

    /* the field cleared while a syllable was open */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㄱㅏ");
    buf[0] = '\0';
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㅏ");
    CHECK_STR(buf, "ㅏ");

    /* a prefilled field is not reopened */
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    snprintf(buf, sizeof buf, "가");
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㄴ");
    CHECK_STR(buf, "가ㄴ");
}

/* ---- limits -------------------------------------------------------------- */

/* Keys that would not fit are refused and leave the text as it was. */
static void test_limits(void)
{
    kcompose c = {0};
    char buf[64] = "";

    /* max_chars: tones and marks still work at the limit */
    kcompose_reset(&c, KCOMPOSE_TELEX);
    CHECK_INT(type_keys(&c, buf, sizeof buf, 3, "tie"), 0);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 3, 'e'), 0);
    CHECK_STR(buf, "tiê");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 3, 'n'), -1);
    CHECK_STR(buf, "tiê");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 3, 's'), 0);
    CHECK_STR(buf, "tiế");

    /* the undo and the give-back grow the word: refused at the limit */
    buf[0] = '\0';
    kcompose_reset(&c, KCOMPOSE_TELEX);
    CHECK_INT(type_keys(&c, buf, sizeof buf, 1, "as"), 0);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 1, 's'), -1);
    CHECK_STR(buf, "á");
    buf[0] = '\0';
    CHECK_INT(type_keys(&c, buf, sizeof buf, 3, "les"), 0);
    CHECK_STR(buf, "lé");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 3, 'l'), -1);
    CHECK_STR(buf, "lé");

    /* cap bytes: "ấ" is 3 bytes and needs cap 4 */
    char small[4] = "";
    kcompose_reset(&c, KCOMPOSE_TELEX);
    CHECK_INT(type_keys(&c, small, sizeof small, SIZE_MAX, "aas"), 0);
    CHECK_STR(small, "ấ");
    CHECK_INT(kcompose_key(&c, small, sizeof small, SIZE_MAX, 'b'), -1);
    CHECK_STR(small, "ấ");

    /* Hangul: joining a jamo costs nothing, a new syllable one character */
    buf[0] = '\0';
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    CHECK_INT(type_keys(&c, buf, sizeof buf, 1, "ㄱㅏㄴ"), 0);
    CHECK_STR(buf, "간");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 1, 0x314F), -1); /* ㅏ */
    CHECK_STR(buf, "간");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 1, 0x3131), -1); /* ㄱ */
    CHECK_STR(buf, "간");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, 1, 0x3148), 0);  /* ㅈ: ㄵ */
    CHECK_STR(buf, "갅");
    small[0] = '\0';
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    CHECK_INT(type_keys(&c, small, sizeof small, SIZE_MAX, "ㅎㅏㄴ"), 0);
    CHECK_INT(kcompose_key(&c, small, sizeof small, SIZE_MAX, 0x314F), -1);
    CHECK_STR(small, "한");

    /* no engine */
    buf[0] = '\0';
    kcompose_reset(&c, KCOMPOSE_NONE);
    CHECK_INT(type_keys(&c, buf, sizeof buf, 2, "abc"), 1);
    CHECK_STR(buf, "ab");

    /* keys that are not characters */
    kcompose_reset(&c, KCOMPOSE_TELEX);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, 0), -1);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, '\n'), -1);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, 0x85), -1);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, 0xD800), -1);
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, 0x110000), -1);
    CHECK_STR(buf, "ab");
    CHECK_INT(kcompose_key(&c, buf, sizeof buf, SIZE_MAX, 0x1F600), 0);
    CHECK_STR(buf, "ab\xf0\x9f\x98\x80");
}

/* Random keys and backspaces in small fields: the text is always valid
 * UTF-8 within cap and max_chars. */
static void test_limits_random(void)
{
    static const uint32_t keys[] = {
        'a', 'e', 'o', 'u', 'i', 'y', 'd', 'w', 's', 'f', 'r', 'x', 'j',
        'z', 'n', 'g', 'h', 't', 'q', 'A', 'D', 'W', ' ', '-', '\b',
        0x3131, 0x3132, 0x3134, 0x3139, 0x3142, 0x3145, 0x3147, 0x3148,
        0x314E, 0x314F, 0x3153, 0x3157, 0x315C, 0x3161, 0x3163, 0x3150,
        0x01B0, 0x1EA1, 0x0301, '\b', '\b'};
    uint32_t seed = 12345;
    int bad = 0;
    for (int round = 0; round < 400 && !bad; round++) {
        kcompose c = {0};
        kcompose_set_tone_style(&c, round & 1);
        kcompose_reset(&c, round % 3);
        char buf[24];
        size_t cap = 4 + (size_t)(round % 20), max_chars = 1 + round % 9;
        memset(buf, 0x55, sizeof buf);
        buf[0] = '\0';
        for (int k = 0; k < 60; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t key = keys[(seed >> 16) % (sizeof keys / sizeof keys[0])];
            if (round % 7 == 0 && k == 30)
                kcompose_reset(&c, (round + k) % 3);
            int rc = key == '\b' ? kcompose_backspace(&c, buf, cap)
                                 : kcompose_key(&c, buf, cap, max_chars, key);
            size_t len = strlen(buf);
            size_t chars = kcompose_utf8_count(buf, len);
            if (len >= cap || chars > max_chars || !utf8_ok(buf)
                || (rc != 0 && rc != -1)) {
                fprintf(stderr, "  round %d key %d U+%04X: \"%s\"\n", round,
                        k, (unsigned)key, buf);
                bad = 1;
                break;
            }
        }
    }
    CHECK(!bad);
}

/* ---- backspace, pending, variants --------------------------------------- */

/* Without Hangul composition backspace takes one whole character. */
static void test_backspace_chars(void)
{
    kcompose c = {0};
    char buf[64];
    snprintf(buf, sizeof buf, "Nguy\xe1\xbb\x85n"); /* "Nguyễn" */
    kcompose_reset(&c, KCOMPOSE_NONE);
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "Nguyễ");
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "Nguy");

    snprintf(buf, sizeof buf, "Jose\xcc\x81"); /* e + combining acute */
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "Jos");

    snprintf(buf, sizeof buf, "\xcc\x81"); /* a lone combining mark */
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), -1);

    snprintf(buf, sizeof buf, "ab\xff"); /* a stray byte goes alone */
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "ab");

    snprintf(buf, sizeof buf, "한국");
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    CHECK_INT(kcompose_backspace(&c, buf, sizeof buf), 0);
    CHECK_STR(buf, "한");
}

/* kcompose_pending: the tail the next key may still rewrite. */
static void test_pending(void)
{
    kcompose c = {0};
    char buf[64] = "";
    kcompose_reset(&c, KCOMPOSE_HANGUL);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "ㅎㅏㄴㄱ");
    CHECK_INT(kcompose_pending(&c, buf), 3);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, " ");
    CHECK_INT(kcompose_pending(&c, buf), 0);

    buf[0] = '\0';
    kcompose_reset(&c, KCOMPOSE_TELEX);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "anh vie");
    CHECK_INT(kcompose_pending(&c, buf), 3);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "e");
    CHECK_INT(kcompose_pending(&c, buf), 4); /* "viê" */
    type_keys(&c, buf, sizeof buf, SIZE_MAX, " chris");
    CHECK_INT(kcompose_pending(&c, buf), 0);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, " ass");
    CHECK_INT(kcompose_pending(&c, buf), 0);

    kcompose_reset(&c, KCOMPOSE_NONE);
    CHECK_INT(kcompose_pending(&c, buf), 0);
}

/* Long-press popups. */
static void test_variants(void)
{
    uint32_t v[32];
    int n = kcompose_variants("vi", 'a', v, 32);
    CHECK_INT(n, 17);
    CHECK_INT(v[0], 0x00E1);  /* á */
    CHECK_INT(v[4], 0x1EA1);  /* ạ */
    CHECK_INT(v[5], 0x0103);  /* ă */
    CHECK_INT(v[11], 0x00E2); /* â */
    CHECK_INT(v[16], 0x1EAD); /* ậ */
    n = kcompose_variants("vi", 'A', v, 32);
    CHECK_INT(n, 17);
    CHECK_INT(v[0], 0x00C1);  /* Á */
    CHECK_INT(v[16], 0x1EAC); /* Ậ */
    CHECK_INT(kcompose_variants("vi", 'o', v, 32), 17);
    CHECK_INT(kcompose_variants("vi", 'u', v, 32), 11);
    CHECK_INT(v[5], 0x01B0);  /* ư */
    CHECK_INT(kcompose_variants("vi", 'e', v, 32), 11);
    CHECK_INT(kcompose_variants("vi", 'i', v, 32), 5);
    CHECK_INT(kcompose_variants("vi", 'y', v, 32), 5);
    CHECK_INT(v[4], 0x1EF5);  /* ỵ */
    CHECK_INT(kcompose_variants("vi", 0x01A1, v, 32), 5); /* ơ */
    CHECK_INT(v[0], 0x1EDB);  /* ớ */
    CHECK_INT(kcompose_variants("vi", 0x0102, v, 32), 5); /* Ă */
    CHECK_INT(v[4], 0x1EB6);  /* Ặ */
    CHECK_INT(kcompose_variants("vi", 'd', v, 32), 1);
    CHECK_INT(v[0], 0x0111);
    CHECK_INT(kcompose_variants("vi-VN", 'D', v, 32), 1);
    CHECK_INT(v[0], 0x0110);
    CHECK_INT(kcompose_variants("vi", 'b', v, 32), 0);
    CHECK_INT(kcompose_variants("vi", 'a', v, 3), 3);

    CHECK_INT(kcompose_variants("tl", 'n', v, 32), 2);
    CHECK_INT(v[0], 0x00F1);  /* ñ */
    CHECK_INT(kcompose_variants("tl", 'N', v, 32), 2);
    CHECK_INT(v[0], 0x00D1);  /* Ñ */
    CHECK_INT(kcompose_variants("haw", 'a', v, 32), 7);
    CHECK_INT(v[0], 0x0101);  /* ā */
    CHECK_INT(kcompose_variants("sm", 'U', v, 32), 5);
    CHECK_INT(v[0], 0x016A);  /* Ū */
    CHECK_INT(kcompose_variants("tl", '\'', v, 32), 3);
    CHECK_INT(v[0], 0x02BB);  /* ʻokina */
    CHECK_INT(kcompose_variants(NULL, 'e', v, 32), 5);
    CHECK_INT(v[0], 0x0113);  /* ē */
    CHECK_INT(kcompose_variants("tl", 'b', v, 32), 0);

    CHECK_INT(kcompose_variants("ko", 0x3131, v, 32), 1);
    CHECK_INT(v[0], 0x3132);  /* ㄲ */
    CHECK_INT(kcompose_variants("ko", 0x3154, v, 32), 1);
    CHECK_INT(v[0], 0x3156);  /* ㅖ */
    CHECK_INT(kcompose_variants("ko", 0x3134, v, 32), 0);
    CHECK_INT(kcompose_variants("vi", 'a', v, 0), 0);
}

/* The suggestion strip: the word as typed while Telex changed it, and
 * tapping it puts those letters back; after that the word stays as is. */
static void test_telex_typed(void)
{
    kcompose c = {0};
    char buf[64] = "", typed[64];
    kcompose_reset(&c, KCOMPOSE_TELEX);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "Luis");
    CHECK_STR(buf, "Lúi");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 4);
    CHECK_STR(typed, "Luis");
    CHECK(kcompose_use_typed(&c, buf, sizeof buf, SIZE_MAX) == 0);
    CHECK_STR(buf, "Luis");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 0);
    CHECK_STR(typed, "");
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "s");        /* no tone now */
    CHECK_STR(buf, "Luiss");

    /* unchanged words offer nothing; the strip follows the last word */
    kcompose_reset(&c, KCOMPOSE_TELEX);
    strcpy(buf, "");
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "susan");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 0);
    type_keys(&c, buf, sizeof buf, SIZE_MAX, " nguyeenx");
    CHECK_STR(buf, "susan nguyễn");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 8);
    CHECK_STR(typed, "nguyeenx");
    CHECK(kcompose_use_typed(&c, buf, sizeof buf, SIZE_MAX) == 0);
    CHECK_STR(buf, "susan nguyeenx");

    /* a field changed behind the engine's back: nothing to offer */
    kcompose_reset(&c, KCOMPOSE_TELEX);
    strcpy(buf, "");
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "max");
    strcpy(buf, "other");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 0);
    CHECK(kcompose_use_typed(&c, buf, sizeof buf, SIZE_MAX) == -1);
    CHECK_STR(buf, "other");

    /* not Telex: never */
    kcompose_reset(&c, KCOMPOSE_NONE);
    strcpy(buf, "");
    type_keys(&c, buf, sizeof buf, SIZE_MAX, "lisa");
    CHECK(kcompose_typed(&c, buf, typed, sizeof typed) == 0);

    /* the typed letters must fit the field's limit */
    kcompose_reset(&c, KCOMPOSE_TELEX);
    strcpy(buf, "");
    type_keys(&c, buf, sizeof buf, 3, "aas");              /* "ấ": 1 char */
    CHECK_STR(buf, "ấ");
    CHECK(kcompose_use_typed(&c, buf, sizeof buf, 2) == -1);
    CHECK_STR(buf, "ấ");
}

/* Every vowel form round-trips through the Telex keys that type it. */
static void test_telex_all_forms(void)
{
    static const char *const vowel_keys[12] = {
        "a", "aw", "aa", "e", "ee", "i", "o", "oo", "ow", "u", "uw", "y"};
    static const char tone_keys[6] = {0, 's', 'f', 'r', 'x', 'j'};
    uint32_t forms[20];
    for (int v = 0; v < 12; v++) {
        for (int upper = 0; upper < 2; upper++) {
            char keys[8];
            snprintf(keys, sizeof keys, "%s", vowel_keys[v]);
            if (upper)
                keys[0] = (char)(keys[0] - 32);
            /* the popup for the marked vowel gives its five tone forms */
            kcompose c = {0};
            char base[8] = "";
            kcompose_reset(&c, KCOMPOSE_TELEX);
            type_keys(&c, base, sizeof base, SIZE_MAX, keys);
            const char *p = base;
            uint32_t b = kcompose_utf8_next(&p);
            int n = kcompose_variants("vi", b, forms, 20);
            for (int t = 1; t < 6; t++) {
                char typed[8] = "", want[8];
                size_t kl = strlen(keys);
                keys[kl] = tone_keys[t];
                keys[kl + 1] = '\0';
                kcompose_reset(&c, KCOMPOSE_TELEX);
                type_keys(&c, typed, sizeof typed, SIZE_MAX, keys);
                keys[kl] = '\0';
                want[kcompose_utf8_put(forms[t - 1], want)] = '\0';
                if (n < 5 || strcmp(typed, want) != 0)
                    fprintf(stderr, "  form %d upper %d tone %d\n", v, upper, t);
                CHECK_STR(typed, want);
            }
        }
    }
}

int main(void)
{
    RUN(test_telex_tables);
    RUN(test_telex_style_setting);
    RUN(test_telex_foreign_text);
    RUN(test_telex_all_forms);
    RUN(test_telex_typed);
    RUN(test_hangul_tables);
    RUN(test_hangul_reset);
    RUN(test_limits);
    RUN(test_limits_random);
    RUN(test_backspace_chars);
    RUN(test_pending);
    RUN(test_variants);
    return ktest_summary();
}
