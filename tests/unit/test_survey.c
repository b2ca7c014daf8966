/*
 * test_survey.c - unit tests of the survey loader, checker and answers
 * (kiosk/core/survey.c) and of the CSV reader under it (csv.c).
 *
 * The default surveys in assets/surveys must load with no diagnostic at
 * all (every text translated).  Each file in tests/unit/survey-bad has a
 * .expected file beside it holding exactly the lines the checker prints
 * for it (file named by its base name); a new bad case is two new files,
 * no code.  Everything else is built in memory here.
 *
 * SURVEY_ASSETS_DIR and SURVEY_BAD_DIR come from the build (CMake).
 */
#define _POSIX_C_SOURCE 200809L
#include "ktest.h"

#include <errno.h>
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "csv.h"
#include "survey.h"

#ifndef SURVEY_ASSETS_DIR
#define SURVEY_ASSETS_DIR "assets/surveys"
#endif
#ifndef SURVEY_BAD_DIR
#define SURVEY_BAD_DIR "tests/unit/survey-bad"
#endif

static const char *const default_surveys[] = {
    "general-interest.csv", "youth-bootcamp-daily.csv", "parent-workshop.csv",
    "example.csv"
};
#define NDEFAULTS (int)(sizeof default_surveys / sizeof default_surveys[0])

/* The header of every in-memory survey below. */
#define HEAD "row,key,type,required,options,show_if,en,vi,zh-Hans,zh-Hant," \
             "ko,tl,km,lo,ja\n"
/* Nine texts for a row (test data: only that they are present matters). */
#define TX(s) s "," s "," s "," s "," s "," s "," s "," s "," s

/* ---- helpers ------------------------------------------------------------- */

/* Reads a whole file into a new NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

/* Writes text to path. */
static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

/* All kept diagnostics as printed lines, into out. */
static void diags_text(const ksurvey_diags *d, char *out, size_t cap)
{
    FILE *f = fmemopen(out, cap, "w");
    ksurvey_diags_print(d, f);
    fclose(f);
}

/* Loads a survey from a string. */
static int load_str(const char *text, ksurvey **s, ksurvey_diags *d)
{
    return ksurvey_load_buffer("mem.csv", text, strlen(text), s, d, NULL);
}

/* Non-zero if some kept diagnostic contains needle. */
static int has_diag(const ksurvey_diags *d, const char *needle)
{
    for (int i = 0; i < d->n; i++)
        if (strstr(d->diag[i].msg, needle))
            return 1;
    return 0;
}

static ksurvey_diags diags;   /* big: kept out of the stack */

/* ---- the default surveys ------------------------------------------------- */

/* Every default survey loads with no diagnostic, every text in every
 * language present and different from the key. */
static void test_defaults_clean(void)
{
    for (int f = 0; f < NDEFAULTS; f++) {
        char path[512];
        ksurvey *s = NULL;
        snprintf(path, sizeof path, "%s/%s", SURVEY_ASSETS_DIR,
                 default_surveys[f]);
        CHECK_INT(ksurvey_load_file(path, &s, &diags, NULL), KERR_OK);
        CHECK_INT(diags.errors, 0);
        CHECK_INT(diags.warnings, 0);
        CHECK_INT(diags.n, 0);
        if (diags.n)
            ksurvey_diags_print(&diags, stderr);
        if (!s)
            continue;
        CHECK(ksurvey_version(s) >= 1);
        for (int l = 0; l < ksurvey_lang_count(); l++) {
            const char *lang = ksurvey_lang_code(l);
            CHECK(*ksurvey_title(s, lang));
            for (int i = 0; i < ksurvey_count(s); i++) {
                const ksurvey_question *q = ksurvey_question_at(s, i);
                CHECK(*ksurvey_q_text(q, lang));
                for (int c = 0; c < ksurvey_q_nchoices(q); c++)
                    CHECK(*ksurvey_choice_text(q, c, lang));
            }
        }
        ksurvey_free(s);
    }
}

/* The general survey has the questions the issue asks for. */
static void test_general_interest_shape(void)
{
    ksurvey *s = NULL;
    const ksurvey_question *q;
    const char *k, *v;
    CHECK_INT(ksurvey_load_file(SURVEY_ASSETS_DIR "/general-interest.csv", &s,
                                NULL, NULL), KERR_OK);
    if (!s)
        return;
    CHECK_STR(ksurvey_key(s), "general-interest");
    q = ksurvey_find(s, "issues");
    CHECK(q && ksurvey_q_type(q) == KSURVEY_MULTIPLE);
    if (q) {
        CHECK_INT(ksurvey_q_max(q), 3);
        CHECK_INT(ksurvey_q_min(q), 1);
        CHECK(ksurvey_choice_is_other(q, ksurvey_q_nchoices(q) - 1));
        CHECK_STR(ksurvey_choice_key(q, 0), "education");
        CHECK_STR(ksurvey_choice_text(q, 1, "vi"), "Nhà ở");
        CHECK_STR(ksurvey_choice_text(q, 1, "zh-Hant"), "住屋");
    }
    q = ksurvey_find(s, "school");
    CHECK(q && ksurvey_q_condition(q, &k, &v));
    if (q && ksurvey_q_condition(q, &k, &v)) {
        CHECK_STR(k, "student");
        CHECK_STR(v, "yes");
    }
    q = ksurvey_find(s, "age");
    CHECK(q && ksurvey_q_type(q) == KSURVEY_NUMBER);
    if (q) {
        CHECK_INT(ksurvey_q_min(q), 5);
        CHECK_INT(ksurvey_q_max(q), 110);
    }
    q = ksurvey_find(s, "contact_ok");
    CHECK(q && ksurvey_q_type(q) == KSURVEY_CONSENT && !ksurvey_q_required(q));
    CHECK(ksurvey_find(s, "contact_lang") != NULL);
    ksurvey_free(s);
}

/* The bootcamp check-in asks for the face scale first, required. */
static void test_bootcamp_shape(void)
{
    ksurvey *s = NULL;
    const ksurvey_question *q;
    CHECK_INT(ksurvey_load_file(SURVEY_ASSETS_DIR "/youth-bootcamp-daily.csv",
                                &s, NULL, NULL), KERR_OK);
    if (!s)
        return;
    q = ksurvey_question_at(s, 0);
    CHECK(q && ksurvey_q_type(q) == KSURVEY_SCALE && ksurvey_q_required(q));
    if (q) {
        CHECK_INT(ksurvey_q_min(q), 1);
        CHECK_INT(ksurvey_q_max(q), 5);
    }
    q = ksurvey_find(s, "learn");
    CHECK(q && ksurvey_q_type(q) == KSURVEY_TEXT);
    ksurvey_free(s);
}

/* Words under the faces: a survey may give its own (five choice rows keyed
 * 1 to 5 under the scale question); the bootcamp survey gives none (the
 * kiosk's catalogs speak then).  The answer stays a number either way.
 * Bad rows: tests/unit/survey-bad/scale-words.csv. */
static void test_scale_words(void)
{
    ksurvey *s = NULL;
    const char *good =
        HEAD "survey,faces,,,version=1,," TX("Faces") "\n"
        "question,mood,scale,no,,," TX("How do you feel?") "\n"
        "choice,1,,,,,Awful,Tệ lắm,糟透了,糟透了,최악이에요,Ang pangit,អាក្រក់ណាស់,ແຍ່ຫຼາຍ,最悪\n"
        "choice,2,,,,,Meh,Không vui,不太好,不太好,별로예요,Hindi masaya,មិនសូវល្អ,ບໍ່ຄ່ອຍດີ,いまいち\n"
        "choice,3,,,,,Okay,Bình thường,一般,一般,보통이에요,Okay lang,ធម្មតា,ທຳມະດາ,ふつう\n"
        "choice,4,,,,,Good,Vui,好,好,좋아요,Masaya,ល្អ,ດີ,いい\n"
        "choice,5,,,,,Great,Rất vui,很好,很好,최고예요,Napakasaya,ល្អណាស់,,最高\n";
    CHECK_INT(load_str(good, &s, NULL), KERR_OK);
    const ksurvey_question *q = s ? ksurvey_find(s, "mood") : NULL;
    CHECK(q && ksurvey_q_type(q) == KSURVEY_SCALE);
    if (q) {
        CHECK_INT(ksurvey_q_nchoices(q), 0);        /* faces are not choices */
        CHECK_STR(ksurvey_scale_word(q, 0, "en"), "Awful");
        CHECK_STR(ksurvey_scale_word(q, 4, "vi"), "Rất vui");
        CHECK_STR(ksurvey_scale_word(q, 2, "km"), "ធម្មតា");
        CHECK_STR(ksurvey_scale_word(q, 4, "lo"), "Great");    /* empty cell: English */
        CHECK(ksurvey_scale_word(q, 5, "en") == NULL);
        CHECK(ksurvey_scale_word(q, -1, "en") == NULL);
        kerr err = {0};
        CHECK_INT(ksurvey_answer_check(q, "5", &err), KERR_OK);
        CHECK_INT(ksurvey_answer_check(q, "6", &err), KERR_INVALID);
    }
    ksurvey_free(s);
    s = NULL;
    CHECK_INT(ksurvey_load_file(SURVEY_ASSETS_DIR "/youth-bootcamp-daily.csv", &s, NULL, NULL),
              KERR_OK);
    q = s ? ksurvey_find(s, "feeling") : NULL;
    CHECK(q && ksurvey_scale_word(q, 0, "en") == NULL);
    ksurvey_free(s);
}

/* A survey file saved with CRLF line ends (Excel's "CSV UTF-8") reads the
 * same as the LF original; so does one without a byte order mark. */
static void test_crlf_bom(void)
{
    size_t len = 0, n = 0;
    char *lf = slurp(SURVEY_ASSETS_DIR "/parent-workshop.csv", &len);
    char *crlf = malloc(2 * len + 4);
    ksurvey *a = NULL, *b = NULL;

    CHECK(lf != NULL && crlf != NULL);
    if (!lf || !crlf)
        return;
    memcpy(crlf, "\xEF\xBB\xBF", 3);
    n = 3;
    for (size_t i = memcmp(lf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; i < len; i++) {
        if (lf[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = lf[i];
    }
    CHECK_INT(ksurvey_load_buffer("lf", lf, len, &a, &diags, NULL), KERR_OK);
    CHECK_INT(ksurvey_load_buffer("crlf", crlf, n, &b, &diags, NULL), KERR_OK);
    CHECK_INT(diags.n, 0);
    ksurvey_free(b);
    b = NULL;
    CHECK_INT(ksurvey_load_buffer("crlf", crlf + 3, n - 3, &b, &diags, NULL),
              KERR_OK);
    CHECK_INT(diags.n, 0);
    if (a && b) {
        CHECK_INT(ksurvey_count(a), ksurvey_count(b));
        for (int i = 0; i < ksurvey_count(a); i++) {
            const ksurvey_question *qa = ksurvey_question_at(a, i);
            const ksurvey_question *qb = ksurvey_question_at(b, i);
            CHECK_STR(ksurvey_q_key(qa), ksurvey_q_key(qb));
            CHECK_STR(ksurvey_q_text(qa, "km"), ksurvey_q_text(qb, "km"));
            CHECK_INT(ksurvey_q_nchoices(qa), ksurvey_q_nchoices(qb));
        }
    }
    ksurvey_free(a);
    ksurvey_free(b);
    free(lf);
    free(crlf);
}

/* ---- bad files ----------------------------------------------------------- */

/* Compares strings for qsort. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every bad file gives exactly the diagnostics in its .expected file. */
static void test_bad_files(void)
{
    DIR *dir = opendir(SURVEY_BAD_DIR);
    struct dirent *e;
    char *names[256];
    int n = 0, nexpected = 0;
    static char got[65536];

    CHECK(dir != NULL);
    if (!dir)
        return;
    while ((errno = 0, e = readdir(dir)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".csv") == 0)
            names[n++] = strdup(e->d_name);
        else if (l > 9 && strcmp(e->d_name + l - 9, ".expected") == 0)
            nexpected++;
    }
    CHECK_INT(errno, 0);   /* NULL from readdir was the end, not an error */
    closedir(dir);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    CHECK(n >= 20);
    CHECK_INT(nexpected, n);   /* one .expected per .csv, no strays */

    for (int i = 0; i < n; i++) {
        char path[512], epath[512];
        size_t len = 0, elen = 0;
        char *data, *want;
        ksurvey *s = NULL;
        int rc;

        snprintf(path, sizeof path, "%s/%s", SURVEY_BAD_DIR, names[i]);
        snprintf(epath, sizeof epath, "%.*s.expected", (int)strlen(path) - 4,
                 path);
        data = slurp(path, &len);
        want = slurp(epath, &elen);
        CHECK(data != NULL);
        CHECK(want != NULL);
        if (!data || !want) {
            fprintf(stderr, "  missing %s or its .expected\n", names[i]);
            free(data);
            free(want);
            continue;
        }
        rc = ksurvey_load_buffer(names[i], data, len, &s, &diags, NULL);
        diags_text(&diags, got, sizeof got);
        if (strcmp(got, want) != 0) {
            ktest_fail++;
            fprintf(stderr, "%s: diagnostics differ\n--- expected\n%s--- got\n"
                    "%s---\n", names[i], want, got);
        } else {
            ktest_pass++;
        }
        /* Refused exactly when there is an error, not only warnings. */
        CHECK_INT(rc == KERR_OK, diags.errors == 0);
        CHECK_INT(s != NULL, diags.errors == 0);
        CHECK(diags.errors + diags.warnings > 0);
        ksurvey_free(s);
        free(data);
        free(want);
        free(names[i]);
    }
}

/* The command-line check prints each file's problems or "ok" and counts
 * every problem; a file that is not there is one problem. */
static void test_check_files(void)
{
    char *paths[3] = {
        SURVEY_ASSETS_DIR "/youth-bootcamp-daily.csv",
        SURVEY_BAD_DIR "/empty-choices.csv",
        SURVEY_BAD_DIR "/no-such-file.csv"
    };
    static char out[8192];
    FILE *f = fmemopen(out, sizeof out, "w");
    int problems = ksurvey_check_files(3, paths, f);
    fclose(f);
    CHECK_INT(problems, 3);
    CHECK_STR(out,
        SURVEY_ASSETS_DIR "/youth-bootcamp-daily.csv: ok, survey "
        "\"youth-bootcamp-daily\" version 1, 3 questions\n"
        SURVEY_BAD_DIR "/empty-choices.csv:3:1: question \"pick\" has no "
        "choices (add choice rows below it)\n"
        SURVEY_BAD_DIR "/empty-choices.csv:5:1: question \"many\" has no "
        "choices (add choice rows below it)\n"
        SURVEY_BAD_DIR "/no-such-file.csv: cannot read the file: no such "
        "file or directory\n");

    paths[0] = SURVEY_ASSETS_DIR "/general-interest.csv";
    f = fmemopen(out, sizeof out, "w");
    CHECK_INT(ksurvey_check_files(1, paths, f), 0);
    fclose(f);
}

/* ---- limits -------------------------------------------------------------- */

/* Appends printf output to a growing buffer. */
static void cat(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *len += (size_t)vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
}

/* Files over the size limit, with too many questions, choices or text too
 * long are refused with the place where the limit is passed. */
static void test_limits(void)
{
    size_t cap = (size_t)KIOSK_SURVEY_FILE_MAX_BYTES + 64, len = 0;
    char *buf = malloc(cap);
    ksurvey *s = NULL;
    kerr err;

    /* The size limit: one error where the limit is passed, nothing else. */
    memset(buf, 'a', cap);
    for (size_t i = 99; i < cap; i += 100)
        buf[i] = '\n';
    CHECK_INT(ksurvey_load_buffer("big.csv", buf,
                                  KIOSK_SURVEY_FILE_MAX_BYTES + 1, &s, &diags,
                                  &err), KERR_INVALID);
    CHECK_INT(diags.errors, 1);
    CHECK_INT(diags.n, 1);
    CHECK_INT(diags.diag[0].line, KIOSK_SURVEY_FILE_MAX_BYTES / 100 + 1);
    CHECK_INT(diags.diag[0].col, KIOSK_SURVEY_FILE_MAX_BYTES % 100 + 1);
    CHECK(strstr(diags.diag[0].msg, "over the limit of") != NULL);
    CHECK(strncmp(err.msg, "big.csv:", 8) == 0);

    /* Exactly the limit of questions passes; one more does not. */
    for (int extra = 0; extra <= 1; extra++) {
        len = 0;
        cat(buf, cap, &len, HEAD "survey,many,,,version=1,,%s\n", TX("Many"));
        for (int i = 0; i < KIOSK_SURVEY_QUESTIONS_MAX + extra; i++)
            cat(buf, cap, &len, "question,q%d,yesno,,,,%s\n", i, TX("Q?"));
        CHECK_INT(ksurvey_load_buffer("many.csv", buf, len, &s, &diags, NULL),
                  extra ? KERR_INVALID : KERR_OK);
        CHECK_INT(diags.errors, extra);
        if (extra) {
            CHECK(has_diag(&diags, "too many questions"));
            CHECK_INT(diags.diag[0].line, KIOSK_SURVEY_QUESTIONS_MAX + 3);
        } else if (s) {
            CHECK_INT(ksurvey_count(s), KIOSK_SURVEY_QUESTIONS_MAX);
        }
        ksurvey_free(s);
        s = NULL;
    }

    /* Choices. */
    len = 0;
    cat(buf, cap, &len, HEAD "survey,many,,,version=1,,%s\n", TX("Many"));
    cat(buf, cap, &len, "question,q,single,,,,%s\n", TX("Q?"));
    for (int i = 0; i < KIOSK_SURVEY_CHOICES_MAX + 2; i++)
        cat(buf, cap, &len, "choice,c%d,,,,,%s\n", i, TX("C"));
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK_INT(diags.errors, 1);   /* said once */
    CHECK(has_diag(&diags, "too many choices for question \"q\""));

    /* Text length, in characters (Khmer: 3 bytes each). */
    len = 0;
    cat(buf, cap, &len, HEAD "survey,long,,,version=1,,%s\n", TX("Long"));
    cat(buf, cap, &len, "question,q,yesno,,,,Q?,Q?,Q?,Q?,Q?,Q?,");
    for (int i = 0; i < KIOSK_SURVEY_TEXT_MAX; i++)
        cat(buf, cap, &len, "ក");
    cat(buf, cap, &len, ",Q?,Q?\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_OK);   /* exactly the limit */
    ksurvey_free(s);
    buf[len - 7] = '\0';
    len -= 7;
    cat(buf, cap, &len, "ក,Q?,Q?\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK(has_diag(&diags, "text is 601 characters long, over the limit of "
                           "600"));
    CHECK_INT(diags.diag[0].line, 3);
    CHECK_INT(diags.diag[0].col, 39);   /* the km cell */
    free(buf);
}

/* More problems than are kept: all are counted, the rest are announced. */
static void test_many_problems(void)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    static char out[65536];
    ksurvey *s = NULL;
    int rows = KIOSK_SURVEY_DIAGS_MAX / 2 + 9;   /* two problems a row */
    char more[64];

    cat(buf, cap, &len, HEAD "survey,bad,,,version=1,,%s\n", TX("Bad"));
    for (int i = 0; i < rows; i++)
        cat(buf, cap, &len, "question,q%d,dropdown,maybe,,,%s\n", i, TX("Q?"));
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK_INT(diags.errors, 2 * rows);
    CHECK_INT(diags.n, KIOSK_SURVEY_DIAGS_MAX);
    diags_text(&diags, out, sizeof out);
    snprintf(more, sizeof more, "mem.csv: %d more problems not shown\n",
             2 * rows - KIOSK_SURVEY_DIAGS_MAX);
    CHECK(strstr(out, more) != NULL);
    free(buf);
}

/* ---- the format's details ------------------------------------------------ */

/* Header names, kinds, types and yes/no are read without regard to case;
 * keys are folded to lower case; note columns and comments are ignored;
 * quoted cells keep commas, quotes and line breaks. */
static void test_format_details(void)
{
    const char *text =
        "# a comment before the header, with, commas\n"
        "Row,Key,Type,Required,Options,Show_If,EN,VI,ZH-HANS,zh-hant,KO,TL,"
        "KM,LO,JA,Note\n"
        "Survey,My-Survey,,,Version=7,,My survey,Khảo sát,调查,調查,설문,"
        "Survey,ការស្ទង់មតិ,ແບບສອບຖາມ,アンケート,for translators\n"
        "\n"
        ",,,,,,,,,,,,,,,\n"
        "QUESTION,Likes,Multiple,YES,MAX=2,,\"Red, green \"\"or\"\"\nblue?\","
        "Đỏ?,红?,紅?,빨강?,Pula?,ក្រហម?,ແດງ?,赤?,\n"
        "Choice,Red,,,,,Red,Đỏ,红,紅,빨강,Pula,ក្រហម,ແດງ,赤,\n"
        "choice,OTHER,Other,,,,Other,Khác,其他,其他,기타,Iba pa,ផ្សេងៗ,ອື່ນໆ,"
        "その他,\n"
        "question,why,text,True,,LIKES=Red,  Why?  ,Tại sao?,为什么?,為什麼?,"
        "왜요?,Bakit?,ហេតុអ្វី?,ເປັນຫຍັງ?,なぜ?,\n";
    ksurvey *s = NULL;
    const ksurvey_question *q;
    const char *k, *v;

    CHECK_INT(load_str(text, &s, &diags), KERR_OK);
    CHECK_INT(diags.n, 0);
    if (diags.n)
        ksurvey_diags_print(&diags, stderr);
    if (!s)
        return;
    CHECK_STR(ksurvey_key(s), "my-survey");
    CHECK_INT(ksurvey_version(s), 7);
    CHECK_STR(ksurvey_name(s), "mem.csv");
    q = ksurvey_find(s, "likes");
    CHECK(q != NULL);
    if (q) {
        CHECK_STR(ksurvey_q_text(q, "en"), "Red, green \"or\"\nblue?");
        CHECK_INT(ksurvey_q_required(q), 1);
        CHECK_INT(ksurvey_q_max(q), 2);
        CHECK_INT(ksurvey_q_nchoices(q), 2);
        CHECK(ksurvey_choice_is_other(q, 1));
        CHECK(!ksurvey_choice_is_other(q, 0));
        CHECK(!ksurvey_choice_is_other(q, 2));
        CHECK(ksurvey_choice_key(q, 2) == NULL);
    }
    q = ksurvey_find(s, "why");
    CHECK(q != NULL);
    if (q) {
        CHECK_STR(ksurvey_q_text(q, NULL), "Why?");
        CHECK_INT(ksurvey_q_index(q), 1);
        CHECK(ksurvey_q_condition(q, &k, &v));
        CHECK_STR(k, "likes");
        CHECK_STR(v, "red");
        CHECK_INT(ksurvey_q_max(q), KIOSK_SURVEY_ANSWER_MAX);
    }
    CHECK(ksurvey_find(s, "Likes") == NULL);   /* lookups take stored keys */
    CHECK(ksurvey_question_at(s, 2) == NULL);
    CHECK(ksurvey_question_at(s, -1) == NULL);
    ksurvey_free(s);
}

/* A missing translation falls back to English and is a warning, not an
 * error; the survey is still usable. */
static void test_fallback(void)
{
    const char *text =
        HEAD
        "survey,fb,,,version=1,,Title,Tiêu đề,标题,標題,제목,Pamagat,ចំណងជើង,"
        "ຫົວຂໍ້,タイトル\n"
        "question,q,yesno,,,,Ready?,,准备好了吗？,準備好了嗎？,준비됐나요?,"
        "Handa na?,រួចរាល់ហើយឬនៅ?,ພ້ອມແລ້ວບໍ?,\n";
    ksurvey *s = NULL;
    const ksurvey_question *q;
    char line[512];

    CHECK_INT(load_str(text, &s, &diags), KERR_OK);
    CHECK_INT(diags.errors, 0);
    CHECK_INT(diags.warnings, 2);
    CHECK_INT(diags.n, 2);
    ksurvey_diag_format(&diags, 0, line, sizeof line);
    CHECK_STR(line, "mem.csv:3:28: warning: missing vi text; english will be "
                    "shown");
    ksurvey_diag_format(&diags, 1, line, sizeof line);
    CHECK_STR(line, "mem.csv:3:87: warning: missing ja text; english will be "
                    "shown");
    CHECK_INT(diags.diag[0].lang, ksurvey_lang_index("vi"));
    if (!s)
        return;
    q = ksurvey_question_at(s, 0);
    CHECK_STR(ksurvey_q_text(q, "vi"), "Ready?");
    CHECK_STR(ksurvey_q_text(q, "ja"), "Ready?");
    CHECK_STR(ksurvey_q_text(q, "ko"), "준비됐나요?");
    CHECK_STR(ksurvey_q_text(q, "zh-hans"), "准备好了吗？");
    CHECK_STR(ksurvey_q_text(q, "fr"), "Ready?");
    CHECK_STR(ksurvey_q_text(q, NULL), "Ready?");
    CHECK_STR(ksurvey_title(s, "vi"), "Tiêu đề");
    CHECK_STR(ksurvey_title(s, "xx"), "Title");
    ksurvey_free(s);

    CHECK_INT(ksurvey_lang_index("zh-Hant"), 3);
    CHECK_INT(ksurvey_lang_index("ZH-HANT"), 3);
    CHECK_INT(ksurvey_lang_index("zh"), -1);
    CHECK_INT(ksurvey_lang_index(NULL), -1);
    CHECK_STR(ksurvey_lang_code(8), "ja");
    CHECK(ksurvey_lang_code(9) == NULL);
}

/* ---- conditions and answers ---------------------------------------------- */

static const char cond_survey[] =
    HEAD
    "survey,cond,,,version=1,," TX("Conditions") "\n"
    "question,role,single,yes,,," TX("Role?") "\n"
    "choice,student,,,,," TX("Student") "\n"
    "choice,parent,,,,," TX("Parent") "\n"
    "choice,other,other,,,," TX("Other") "\n"
    "question,school,text,yes,max=10,role=student," TX("School?") "\n"
    "question,club,yesno,no,,role=student," TX("Club?") "\n"
    "question,club_name,text,no,,club=yes," TX("Club name?") "\n"
    "question,what,text,no,,role=other," TX("What?") "\n"
    "question,topics,multiple,no,max=2,," TX("Topics?") "\n"
    "choice,art,,,,," TX("Art") "\n"
    "choice,math,,,,," TX("Math") "\n"
    "choice,music,,,,," TX("Music") "\n"
    "choice,other,other,,,," TX("Other") "\n"
    "question,math_level,number,no,min=1;max=12,topics=math," TX("Level?") "\n"
    "question,senior,yesno,no,,math_level=12," TX("Senior?") "\n"
    "question,mood,scale,no,,," TX("Mood?") "\n"
    "question,help,yesno,no,,mood=1," TX("Help?") "\n"
    "question,agree,consent,yes,,," TX("I agree.") "\n"
    "question,more,text,no,,agree=yes," TX("More?") "\n";

/* show_if against answers: each type, chains, and hidden parents. */
static void test_conditions(void)
{
    ksurvey *s = NULL;
    static ksurvey_answers a;
    const ksurvey_question *school, *club, *club_name, *what, *level,
        *senior, *help, *more;

    CHECK_INT(load_str(cond_survey, &s, &diags), KERR_OK);
    if (diags.n)
        ksurvey_diags_print(&diags, stderr);
    if (!s)
        return;
    school = ksurvey_find(s, "school");
    club = ksurvey_find(s, "club");
    club_name = ksurvey_find(s, "club_name");
    what = ksurvey_find(s, "what");
    level = ksurvey_find(s, "math_level");
    senior = ksurvey_find(s, "senior");
    help = ksurvey_find(s, "help");
    more = ksurvey_find(s, "more");

    memset(&a, 0, sizeof a);
    CHECK(ksurvey_visible(ksurvey_find(s, "role"), &a));
    CHECK(!ksurvey_visible(school, &a));
    CHECK(!ksurvey_visible(club_name, &a));

    ksurvey_answers_set(&a, "role", "parent");
    CHECK(!ksurvey_visible(school, &a));
    CHECK(!ksurvey_visible(what, &a));
    ksurvey_answers_set(&a, "role", "student");
    CHECK(ksurvey_visible(school, &a));
    CHECK(ksurvey_visible(club, &a));
    CHECK(!ksurvey_visible(club_name, &a));
    ksurvey_answers_set(&a, "club", "yes");
    CHECK(ksurvey_visible(club_name, &a));
    /* The parent of a chain hidden: the whole chain is hidden, even with
     * the middle answer still stored. */
    ksurvey_answers_set(&a, "role", "other:grandparent");
    CHECK(!ksurvey_visible(club, &a));
    CHECK(!ksurvey_visible(club_name, &a));
    CHECK(ksurvey_visible(what, &a));

    /* multiple: shown when the choice is among those chosen */
    ksurvey_answers_set(&a, "topics", "art");
    CHECK(!ksurvey_visible(level, &a));
    ksurvey_answers_set(&a, "topics", "art;math");
    CHECK(ksurvey_visible(level, &a));
    ksurvey_answers_set(&a, "topics", "math;other:mathematics; really");
    CHECK(ksurvey_visible(level, &a));
    /* number equality */
    ksurvey_answers_set(&a, "math_level", "11");
    CHECK(!ksurvey_visible(senior, &a));
    ksurvey_answers_set(&a, "math_level", "12");
    CHECK(ksurvey_visible(senior, &a));
    /* scale */
    ksurvey_answers_set(&a, "mood", "2");
    CHECK(!ksurvey_visible(help, &a));
    ksurvey_answers_set(&a, "mood", "1");
    CHECK(ksurvey_visible(help, &a));
    /* consent */
    CHECK(!ksurvey_visible(more, &a));
    ksurvey_answers_set(&a, "agree", "yes");
    CHECK(ksurvey_visible(more, &a));
    ksurvey_free(s);
}

/* Numbers past 2^31 from a file or a person: refused on every build.  On a
 * 32-bit one (armhf) a long is 32 bits, and 4294967346 = 2^32 + 50 once
 * wrapped to 50, so "show_if age=4294967346" was accepted as age=50. */
static void test_wide_numbers(void)
{
    ksurvey *s = NULL;
    static ksurvey_answers a;
    static const char base[] =
        HEAD
        "survey,wide,,,version=1,," TX("Wide") "\n"
        "question,age,number,no,min=0;max=120,," TX("Age?") "\n";
    static char buf[8192];

    snprintf(buf, sizeof buf, "%s%s", base,
             "question,senior,yesno,no,,age=4294967346," TX("Senior?") "\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK(s == NULL);
    CHECK(has_diag(&diags, "condition value \"4294967346\" is not a whole number from 0 to 120"));
    ksurvey_free(s);
    s = NULL;

    snprintf(buf, sizeof buf, "%s%s", base,
             "question,n,number,no,min=-4294967296;max=4294967346,," TX("N?") "\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK(has_diag(&diags, "max=4294967346 is outside -1000000 to 1000000"));
    CHECK(has_diag(&diags, "min=-4294967296 is outside -1000000 to 1000000"));
    ksurvey_free(s);
    s = NULL;

    snprintf(buf, sizeof buf, "%s%s", base,
             "question,topics,multiple,no,max=4294967297,," TX("Topics?") "\n"
             "choice,art,,,,," TX("Art") "\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK(has_diag(&diags, "max=4294967297 but question"));
    ksurvey_free(s);
    s = NULL;

    snprintf(buf, sizeof buf, "%s", HEAD "survey,wide,,,version=4294967297,," TX("Wide") "\n"
                                    "question,age,number,no,,," TX("Age?") "\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_INVALID);
    CHECK(has_diag(&diags, "version must be a whole number"));
    ksurvey_free(s);
    s = NULL;

    /* A good file; then the person's answers. */
    snprintf(buf, sizeof buf, "%s%s", base,
             "question,fifty,yesno,no,,age=50," TX("Fifty?") "\n");
    CHECK_INT(load_str(buf, &s, &diags), KERR_OK);
    if (!s)
        return;
    const ksurvey_question *age = ksurvey_find(s, "age");
    const ksurvey_question *fifty = ksurvey_find(s, "fifty");
    kerr err = {0};
    CHECK_INT(ksurvey_answer_check(age, "50", &err), KERR_OK);
    CHECK_INT(ksurvey_answer_check(age, "4294967346", &err), KERR_INVALID);
    CHECK_INT(ksurvey_answer_check(age, "4294967296", &err), KERR_INVALID);
    CHECK_INT(ksurvey_answer_check(age, "-4294967246", &err), KERR_INVALID);
    CHECK_INT(ksurvey_answer_check(age, "999999999999", &err), KERR_INVALID);
    CHECK_INT(ksurvey_answer_check(age, "9999999999999", &err), KERR_INVALID);
    memset(&a, 0, sizeof a);
    ksurvey_answers_set(&a, "age", "4294967346");
    CHECK(!ksurvey_visible(fifty, &a));
    ksurvey_answers_set(&a, "age", "50");
    CHECK(ksurvey_visible(fifty, &a));
    ksurvey_free(s);
}

/* What still needs an answer, and pruning hidden answers before storing. */
static void test_next_missing_and_prune(void)
{
    ksurvey *s = NULL;
    static ksurvey_answers a;

    CHECK_INT(load_str(cond_survey, &s, &diags), KERR_OK);
    if (!s)
        return;
    memset(&a, 0, sizeof a);
    CHECK_INT(ksurvey_next_missing(s, &a), 0);                 /* role */
    ksurvey_answers_set(&a, "role", "student");
    CHECK_INT(ksurvey_next_missing(s, &a), 1);                 /* school */
    ksurvey_answers_set(&a, "school", "Lincoln High School");  /* too long */
    CHECK_INT(ksurvey_next_missing(s, &a), 1);
    ksurvey_answers_set(&a, "school", "Lincoln");
    CHECK_INT(ksurvey_next_missing(s, &a),
              ksurvey_q_index(ksurvey_find(s, "agree")));
    ksurvey_answers_set(&a, "agree", "no");                    /* must agree */
    CHECK_INT(ksurvey_next_missing(s, &a),
              ksurvey_q_index(ksurvey_find(s, "agree")));
    ksurvey_answers_set(&a, "agree", "yes");
    CHECK_INT(ksurvey_next_missing(s, &a), -1);

    /* Changing role hides school and club; prune drops their answers and,
     * through the chain, club_name's; it keeps the rest. */
    ksurvey_answers_set(&a, "club", "yes");
    ksurvey_answers_set(&a, "club_name", "Robotics");
    ksurvey_answers_set(&a, "not_in_survey", "x");
    ksurvey_answers_set(&a, "role", "parent");
    ksurvey_answers_prune(s, &a);
    CHECK(ksurvey_answers_get(&a, "school") == NULL);
    CHECK(ksurvey_answers_get(&a, "club") == NULL);
    CHECK(ksurvey_answers_get(&a, "club_name") == NULL);
    CHECK(ksurvey_answers_get(&a, "not_in_survey") == NULL);
    CHECK_STR(ksurvey_answers_get(&a, "role"), "parent");
    CHECK_STR(ksurvey_answers_get(&a, "agree"), "yes");
    CHECK_INT(a.n, 2);
    CHECK_INT(ksurvey_next_missing(s, &a), -1);
    ksurvey_free(s);
}

/* Encoded answers: what passes and what does not, per type. */
static void test_answer_check(void)
{
    ksurvey *s = NULL;
    const ksurvey_question *role, *school, *topics, *level, *mood, *agree,
        *club;
    char big[KIOSK_SURVEY_ANSWER_MAX + 10];
    kerr err;

    CHECK_INT(load_str(cond_survey, &s, &diags), KERR_OK);
    if (!s)
        return;
    role = ksurvey_find(s, "role");
    school = ksurvey_find(s, "school");
    topics = ksurvey_find(s, "topics");
    level = ksurvey_find(s, "math_level");
    mood = ksurvey_find(s, "mood");
    agree = ksurvey_find(s, "agree");
    club = ksurvey_find(s, "club");

#define OK(q, v) CHECK_INT(ksurvey_answer_check((q), (v), NULL), KERR_OK)
#define BAD(q, v) CHECK_INT(ksurvey_answer_check((q), (v), NULL), KERR_INVALID)
    BAD(role, NULL);            /* required */
    BAD(role, "");
    OK(club, NULL);             /* optional */
    OK(role, "student");
    OK(role, "other:grandparent");
    BAD(role, "other:");
    BAD(role, "other");
    BAD(role, "teacher");
    BAD(role, "student;parent");
    BAD(role, "Student");

    OK(topics, "art");
    OK(topics, "art;music");
    OK(topics, "math;other:a; b");
    BAD(topics, "art;math;music");      /* max=2 */
    BAD(topics, "music;art");           /* order */
    BAD(topics, "art;art");
    BAD(topics, "art;;math");
    OK(topics, "other:x;art");          /* the write-in takes the rest */

    OK(level, "1");
    OK(level, "12");
    BAD(level, "0");
    BAD(level, "13");
    BAD(level, "07");
    BAD(level, "+7");
    BAD(level, "7.5");
    BAD(level, "seven");
    OK(mood, "5");
    BAD(mood, "6");
    BAD(mood, "-1");

    OK(club, "yes");
    OK(club, "no");
    BAD(club, "maybe");
    OK(agree, "yes");
    BAD(agree, "no");
    BAD(agree, NULL);

    OK(school, "Lincoln");
    OK(school, "Trường Lê");            /* 9 characters, more bytes */
    BAD(school, "Lincoln High");
    BAD(school, "a\tb");
    BAD(school, "caf\xe9");
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    BAD(ksurvey_find(s, "what"), big);
    big[KIOSK_SURVEY_ANSWER_MAX] = '\0';
    OK(ksurvey_find(s, "what"), big);
#undef OK
#undef BAD

    CHECK_INT(ksurvey_answer_check(level, "13", &err), KERR_INVALID);
    CHECK_STR(err.msg, "answer to \"math_level\" must be from 1 to 12");
    CHECK_INT(ksurvey_answer_check(topics, "music;art", &err), KERR_INVALID);
    CHECK_STR(err.msg, "choices of \"topics\" must be in the survey's order, "
                       "each once");
    ksurvey_free(s);
}

/* Building encoded answers from selections. */
static void test_encode(void)
{
    ksurvey *s = NULL;
    const ksurvey_question *role, *topics;
    unsigned char sel[4];
    char out[64];

    CHECK_INT(load_str(cond_survey, &s, &diags), KERR_OK);
    if (!s)
        return;
    role = ksurvey_find(s, "role");
    topics = ksurvey_find(s, "topics");

    memcpy(sel, "\0\1\0", 3);
    CHECK_INT(ksurvey_encode_choices(role, sel, NULL, out, sizeof out), 0);
    CHECK_STR(out, "parent");
    memcpy(sel, "\0\0\1", 3);
    CHECK_INT(ksurvey_encode_choices(role, sel, "aunt", out, sizeof out), 0);
    CHECK_STR(out, "other:aunt");
    CHECK_STR(ksurvey_answer_other(out), "aunt");
    memcpy(sel, "\1\1\0", 3);
    CHECK_INT(ksurvey_encode_choices(role, sel, NULL, out, sizeof out),
              KERR_INVALID);
    memcpy(sel, "\0\0\0", 3);
    CHECK_INT(ksurvey_encode_choices(role, sel, NULL, out, sizeof out),
              KERR_INVALID);

    memcpy(sel, "\1\0\1\1", 4);
    CHECK_INT(ksurvey_encode_choices(topics, sel, "chess; go", out,
                                     sizeof out), 0);
    CHECK_STR(out, "art;music;other:chess; go");
    CHECK_INT(ksurvey_answer_check(topics, out, NULL), KERR_INVALID); /* 3 */
    CHECK(ksurvey_answer_has(out, "art"));
    CHECK(ksurvey_answer_has(out, "music"));
    CHECK(ksurvey_answer_has(out, "other"));
    CHECK(!ksurvey_answer_has(out, "math"));
    CHECK(!ksurvey_answer_has(out, "go"));
    CHECK(!ksurvey_answer_has(out, "mus"));
    CHECK_STR(ksurvey_answer_other(out), "chess; go");
    CHECK(ksurvey_answer_other("art;math") == NULL);
    CHECK_INT(ksurvey_encode_choices(topics, sel, "chess", out, 10),
              KERR_FULL);
    memcpy(sel, "\0\1\1\0", 4);
    CHECK_INT(ksurvey_encode_choices(topics, sel, NULL, out, sizeof out), 0);
    CHECK_STR(out, "math;music");
    CHECK_INT(ksurvey_answer_check(topics, out, NULL), KERR_OK);
    CHECK_INT(ksurvey_encode_choices(ksurvey_find(s, "mood"), sel, NULL, out,
                                     sizeof out), KERR_INVALID);
    ksurvey_free(s);
}

/* The answers store: set, replace, remove, and a full pool. */
static void test_answers_store(void)
{
    static ksurvey_answers a;
    static char big[KIOSK_SURVEY_ANSWERS_BYTES];
    char key[16];

    ksurvey_answers_clear(&a);
    CHECK_INT(ksurvey_answers_set(&a, "a", "one"), 0);
    CHECK_INT(ksurvey_answers_set(&a, "b", "two"), 0);
    CHECK_INT(ksurvey_answers_set(&a, "c", "three"), 0);
    CHECK_INT(ksurvey_answers_set(&a, "a", "uno"), 0);
    CHECK_STR(ksurvey_answers_get(&a, "a"), "uno");
    CHECK_STR(ksurvey_answers_get(&a, "b"), "two");
    CHECK_STR(ksurvey_answers_get(&a, "c"), "three");
    CHECK_INT(ksurvey_answers_set(&a, "b", ""), 0);
    CHECK(ksurvey_answers_get(&a, "b") == NULL);
    CHECK_STR(ksurvey_answers_get(&a, "c"), "three");
    CHECK_INT(ksurvey_answers_set(&a, "c", NULL), 0);
    CHECK_INT(a.n, 1);
    CHECK_INT(a.used, 4);
    CHECK_INT(ksurvey_answers_set(&a, "", "x"), KERR_INVALID);
    CHECK_INT(ksurvey_answers_set(&a, NULL, "x"), KERR_INVALID);

    /* A value that does not fit leaves the old one in place; the old
     * one's room counts as free.  Pool: "uno\0" + "hello\0". */
    CHECK_INT(ksurvey_answers_set(&a, "b", "hello"), 0);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 6] = '\0';   /* 6 + its length + 1 is one too many */
    CHECK_INT(ksurvey_answers_set(&a, "a", big), KERR_FULL);
    CHECK_STR(ksurvey_answers_get(&a, "a"), "uno");
    big[sizeof big - 7] = '\0';
    CHECK_INT(ksurvey_answers_set(&a, "a", big), 0);
    CHECK_INT(a.used, sizeof a.pool);
    CHECK_INT(ksurvey_answers_set(&a, "z", "zz"), KERR_FULL);
    CHECK_INT(ksurvey_answers_set(&a, "a", "small"), 0);
    CHECK_INT(ksurvey_answers_set(&a, "z", "zz"), 0);

    /* At most one answer per question of the largest survey. */
    ksurvey_answers_clear(&a);
    for (int i = 0; i < KIOSK_SURVEY_QUESTIONS_MAX; i++) {
        snprintf(key, sizeof key, "q%d", i);
        CHECK_INT(ksurvey_answers_set(&a, key, "1"), 0);
    }
    CHECK_INT(ksurvey_answers_set(&a, "one_more", "1"), KERR_FULL);
    CHECK_INT(ksurvey_answers_set(&a, "q7", "2"), 0);
    CHECK_STR(ksurvey_answers_get(&a, "q7"), "2");
}

/* ---- keeping the last good version --------------------------------------- */

/* A good file is used and kept; a later bad edit falls back to the kept
 * copy and says why; an unchanged version after a change is warned. */
static void test_load_keep(void)
{
    char dir[64], keep[128], path[160], kept_path[200];
    const char *good =
        HEAD "survey,k,,,version=1,," TX("Kept") "\n"
        "question,q,yesno,,,," TX("Q?") "\n";
    const char *changed =
        HEAD "survey,k,,,version=1,," TX("Kept") "\n"
        "question,q,yesno,,,," TX("Question?") "\n";
    const char *bad =
        HEAD "survey,k,,,version=2,," TX("Kept") "\n"
        "question,q,dropdown,,,," TX("Q?") "\n";
    ksurvey *s = NULL;
    int kept = -1;
    kerr err;
    struct stat st;

    ktest_tmpdir(dir, sizeof dir);
    snprintf(keep, sizeof keep, "%s/keep", dir);
    mkdir(keep, 0755);
    snprintf(path, sizeof path, "%s/survey.csv", dir);
    snprintf(kept_path, sizeof kept_path, "%s/survey.csv", keep);

    /* No file and nothing kept: nothing to use. */
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err), KERR_IO);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "no good version of it is kept") != NULL);

    spit(path, good);
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err), 0);
    CHECK(s != NULL);
    CHECK_INT(kept, 0);
    CHECK_INT(stat(kept_path, &st), 0);
    ksurvey_free(s);

    spit(path, bad);
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err),
              KERR_INVALID);
    CHECK_INT(kept, 1);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(ksurvey_version(s), 1);
        CHECK_STR(ksurvey_q_text(ksurvey_question_at(s, 0), "en"), "Q?");
    }
    CHECK_INT(diags.errors, 1);
    CHECK(has_diag(&diags, "unknown question type \"dropdown\""));
    CHECK(strstr(err.msg, "using its last good version 1") != NULL);
    ksurvey_free(s);

    /* The file vanishes: the kept copy is still used. */
    unlink(path);
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err), KERR_IO);
    CHECK_INT(kept, 1);
    CHECK(s != NULL);
    ksurvey_free(s);

    /* Changed, version not raised: used, kept, and warned. */
    spit(path, changed);
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err), 0);
    CHECK_INT(kept, 0);
    CHECK_INT(diags.warnings, 1);
    CHECK(has_diag(&diags, "raise the version"));
    if (s)
        CHECK_STR(ksurvey_q_text(ksurvey_question_at(s, 0), "ko"),
                  "Question?");
    ksurvey_free(s);
    /* Loaded again unchanged: no warning. */
    CHECK_INT(ksurvey_load_keep(path, keep, &s, &kept, &diags, &err), 0);
    CHECK_INT(diags.warnings, 0);
    ksurvey_free(s);

    unlink(path);
    unlink(kept_path);
    rmdir(keep);
    rmdir(dir);
}

/* ---- the CSV reader ------------------------------------------------------ */

/* Reads every field of text into got (as "[field]" with "|" after the
 * last of a record) and returns the number of fields. */
static int csv_fields(const char *text, char *got, size_t cap)
{
    kcsv r;
    kcsv_field f;
    char field[256];
    size_t len = 0;
    int n = 0;
    kcsv_init(&r, text, strlen(text));
    got[0] = '\0';
    while (kcsv_next(&r, field, sizeof field, &f)) {
        len += (size_t)snprintf(got + len, cap - len, "[%s]%s", field,
                                f.end_of_record ? "|" : "");
        n++;
    }
    return n;
}

/* Fields, records and positions as RFC 4180 (and spreadsheets) mean them. */
static void test_csv(void)
{
    char got[512], field[64];
    kcsv r;
    kcsv_field f;
    int line, col;

    CHECK_INT(csv_fields("", got, sizeof got), 0);
    CHECK_INT(csv_fields("a,b\n", got, sizeof got), 2);
    CHECK_STR(got, "[a][b]|");
    CHECK_INT(csv_fields("a,b", got, sizeof got), 2);
    CHECK_INT(csv_fields("a,\n", got, sizeof got), 2);
    CHECK_STR(got, "[a][]|");
    CHECK_INT(csv_fields("a,", got, sizeof got), 2);
    CHECK_INT(csv_fields("\n\nx\r\n", got, sizeof got), 3);
    CHECK_STR(got, "[]|[]|[x]|");
    CHECK_INT(csv_fields("\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\"\r\nz",
                         got, sizeof got), 4);
    CHECK_STR(got, "[a,b][say \"hi\"][x\r\ny]|[z]|");
    CHECK_INT(csv_fields("\xEF\xBB\xBFh1,h2\n", got, sizeof got), 2);
    CHECK_STR(got, "[h1][h2]|");
    CHECK_INT(csv_fields("\"\"", got, sizeof got), 1);
    CHECK_STR(got, "[]|");

    /* Positions: lines from 1, columns in characters from 1; a quoted
     * field spanning lines moves the next field's line. */
    kcsv_init(&r, "ក,ខ\n\"x\ny\",z", strlen("ក,ខ\n\"x\ny\",z"));
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.line, 1);
    CHECK_INT(f.col, 1);
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_STR(field, "ខ");
    CHECK_INT(f.col, 3);
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.line, 2);
    CHECK(f.quoted);
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_STR(field, "z");
    CHECK_INT(f.line, 3);
    CHECK_INT(f.col, 4);
    CHECK(!kcsv_next(&r, field, sizeof field, &f));
    kcsv_locate("ab\ncd\r\nef\rg", 11, 10, &line, &col);
    CHECK_INT(line, 4);
    CHECK_INT(col, 1);

    /* Errors and truncation. */
    kcsv_init(&r, "ab\"c,\"d\"e,\"f", 12);
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.error_code, KCSV_QUOTE_INSIDE);
    CHECK_INT(f.error_col, 3);
    CHECK_STR(field, "ab\"c");
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.error_code, KCSV_AFTER_QUOTE);
    CHECK_STR(field, "de");
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.error_code, KCSV_UNCLOSED);
    CHECK_INT(f.error_col, 11);
    CHECK_STR(field, "f");
    kcsv_init(&r, "abcdef", 6);
    kcsv_next(&r, field, 4, &f);
    CHECK(f.truncated);
    CHECK_STR(field, "abc");
    kcsv_init(&r, "a\xC3(,\xF0\x9F\x98\x80", 8);
    r.check_utf8 = 1;
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.error_code, KCSV_BAD_UTF8);
    CHECK_INT(f.error_col, 2);
    kcsv_next(&r, field, sizeof field, &f);
    CHECK_INT(f.error_code, KCSV_OK);
    CHECK_STR(field, "\xF0\x9F\x98\x80");

    /* The UTF-8 decoder's edges. */
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xC2\x80", 2), 2);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xC1\xBF", 2), 0);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xE0\x9F\x80", 3), 0);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xED\xA0\x80", 3), 0);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xEF\xBF\xBF", 3), 3);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xF4\x8F\xBF\xBF", 4), 4);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xF4\x90\x80\x80", 4), 0);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\xE1\x80", 2), 0);
    CHECK_INT(kcsv_utf8_len((const unsigned char *)"\x80", 1), 0);
}

/* A survey column for a language the kiosk offers (LINGUAS) is read with
 * no change to the code; one it does not offer is refused, naming the
 * kiosk's languages; the list itself is checked. */
static void test_languages_from_linguas(void)
{
    static const char file[] =
        "row,key,type,required,options,show_if,en,es,vi\n"
        "survey,lang,,,version=1,,Languages,Idiomas,Ngôn ngữ\n"
        "question,q1,yesno,no,,,Coming back?,¿Vuelves?,\n";
    ksurvey *s = NULL;
    ksurvey_diags d;
    kerr err = {0};
    /* The built-in nine: "es" is no column of this kiosk. */
    CHECK_INT(load_str(file, &s, &d), KERR_INVALID);
    CHECK(has_diag(&d, "unknown column \"es\""));
    CHECK(has_diag(&d, "a language of this kiosk: en, vi, zh-Hans, zh-Hant, ko, tl, km, lo, ja"));
    /* LINGUAS gains Spanish: English need not come first in it. */
    const char *langs[] = { "vi", "en", "es" };
    CHECK_INT(ksurvey_set_languages(langs, 3, &err), 0);
    CHECK_INT(ksurvey_lang_count(), 3);
    CHECK_STR(ksurvey_lang_code(0), "en");
    CHECK_INT(ksurvey_lang_index("ES"), 2);
    CHECK_INT(load_str(file, &s, &d), KERR_OK);
    CHECK_INT(d.errors, 0);
    CHECK(has_diag(&d, "missing vi text"));       /* the empty cell is still a warning */
    CHECK(!has_diag(&d, "no ko column"));          /* ko is not offered any more */
    if (s) {
        const ksurvey_question *q = ksurvey_question_at(s, 0);
        CHECK_STR(ksurvey_title(s, "es"), "Idiomas");
        CHECK_STR(ksurvey_q_text(q, "es"), "¿Vuelves?");
        CHECK_STR(ksurvey_q_text(q, "vi"), "Coming back?");   /* empty: English */
        CHECK_STR(ksurvey_q_text(q, "ko"), "Coming back?");   /* not offered */
        CHECK_INT(ksurvey_lang_index("ko"), -1);
        ksurvey_free(s);
    }
    /* Bad lists leave the languages as they were. */
    const char *no_en[] = { "vi", "es" };
    const char *twice[] = { "en", "es", "ES" };
    const char *bad[] = { "en", "e s" };
    const char *slash[] = { "en", "../x" };
    CHECK_INT(ksurvey_set_languages(no_en, 2, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "must include en") != NULL);
    CHECK_INT(ksurvey_set_languages(twice, 3, &err), KERR_INVALID);
    CHECK(strstr(err.msg, "listed twice") != NULL);
    CHECK_INT(ksurvey_set_languages(bad, 2, &err), KERR_INVALID);
    CHECK_INT(ksurvey_set_languages(slash, 2, &err), KERR_INVALID);
    CHECK_INT(ksurvey_set_languages(langs, KSURVEY_LANGS_MAX + 1, &err), KERR_INVALID);
    CHECK_INT(ksurvey_lang_count(), 3);
    ksurvey_reset_languages();
    CHECK_INT(ksurvey_lang_count(), 9);
    CHECK_STR(ksurvey_lang_code(8), "ja");
}

int main(void)
{
    RUN(test_defaults_clean);
    RUN(test_general_interest_shape);
    RUN(test_bootcamp_shape);
    RUN(test_scale_words);
    RUN(test_crlf_bom);
    RUN(test_bad_files);
    RUN(test_check_files);
    RUN(test_limits);
    RUN(test_many_problems);
    RUN(test_format_details);
    RUN(test_fallback);
    RUN(test_conditions);
    RUN(test_wide_numbers);
    RUN(test_next_missing_and_prune);
    RUN(test_answer_check);
    RUN(test_encode);
    RUN(test_answers_store);
    RUN(test_load_keep);
    RUN(test_csv);
    RUN(test_languages_from_linguas);
    return ktest_summary();
}
