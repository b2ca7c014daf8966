/*
 * test_i18n.c - translation catalogs: the Plural-Forms evaluator, the strict
 * PO reader, lookup and fallback, the coverage check, and the shipped
 * catalogs themselves (complete, current, placeholders intact).
 *
 *   test_i18n [PO_DIR]     (default: the source tree's assets/po)
 *
 * Plural rules are checked against the gettext manual's rules for several
 * language families, each compared with the same rule written in C for n
 * from 0 to 1000, so the evaluator is proven on more than a few values.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in ktest.h */

#include "ktest.h"

#include <stdint.h>
#include <sys/stat.h>

#include "core/i18n.h"
#include "core/i18n_review.h"
#include "core/plural.h"
#include "core/po.h"

#ifndef KIOSK_SOURCE_PO
#define KIOSK_SOURCE_PO "assets/po"
#endif

static const char *po_dir = KIOSK_SOURCE_PO;

/* ---- helpers ------------------------------------------------------------- */

/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Removes dir/name. */
static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    remove(path);
}

/* Parses text as file "t.po"; returns the error code, message in err. */
static int parse(kpo *po, const char *text, kerr *err)
{
    memset(err, 0, sizeof *err);
    return kpo_parse(po, "t.po", text, strlen(text), err);
}

/* Checks that text fails to parse with a message containing want. */
static void expect_po_error(const char *text, const char *want, int line)
{
    kpo po;
    kerr err;
    int rc = parse(&po, text, &err);
    CHECK_INT(rc, KERR_INVALID);
    if (!strstr(err.msg, want)) {
        fprintf(stderr, "  (test line %d) error \"%s\" lacks \"%s\"\n", line, err.msg, want);
        CHECK(strstr(err.msg, want) != NULL);
    }
    CHECK_INT(po.n, 0);
    CHECK(po.header == NULL);
    kpo_free(&po);
}
#define EXPECT_PO_ERROR(text, want) expect_po_error(text, want, __LINE__)

static const char header_en[] =
    "msgid \"\"\nmsgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
    "\"X-Review-Status: source\\n\"\n\n";

/* ---- plural rules ---------------------------------------------------------- */

static unsigned long rule_russian(unsigned long n)
{
    return n % 10 == 1 && n % 100 != 11 ? 0
           : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 1 : 2;
}

static unsigned long rule_polish(unsigned long n)
{
    return n == 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 1 : 2;
}

static unsigned long rule_arabic(unsigned long n)
{
    return n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3
           : n % 100 >= 11 ? 4 : 5;
}

static unsigned long rule_slovenian(unsigned long n)
{
    return n % 100 == 1 ? 0 : n % 100 == 2 ? 1 : n % 100 == 3 || n % 100 == 4 ? 2 : 3;
}

static unsigned long rule_tagalog(unsigned long n)
{
    return n % 10 == 4 || n % 10 == 6 || n % 10 == 9;
}

/* Parses spec, expecting success and nplurals. */
static void parse_rule(kplural *p, const char *spec, int nplurals)
{
    char why[160] = "";
    int rc = kplural_parse(p, spec, why, sizeof why);
    if (rc != 0)
        fprintf(stderr, "  %s: %s\n", spec, why);
    CHECK_INT(rc, 0);
    CHECK_INT(p->nplurals, nplurals);
}

static void test_plural_known_values(void)
{
    static const unsigned long ns[] = {0, 1, 2, 5, 11, 21, 101};
    static const struct {
        const char *spec;
        int nplurals;
        unsigned long want[7];   /* for ns[] */
    } rules[] = {
        {"nplurals=2; plural=(n != 1);", 2, {1, 0, 1, 1, 1, 1, 1}},          /* English */
        {"nplurals=2; plural=(n > 1);", 2, {0, 0, 1, 1, 1, 1, 1}},           /* French */
        {"nplurals=1; plural=0;", 1, {0, 0, 0, 0, 0, 0, 0}},                 /* Vietnamese */
        {"nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
         "(n%100<10 || n%100>=20) ? 1 : 2);", 3, {2, 0, 1, 2, 2, 0, 0}},    /* Russian */
        {"nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
         "(n%100<10 || n%100>=20) ? 1 : 2);", 3, {2, 0, 1, 2, 2, 2, 2}},    /* Polish */
        {"nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
         ": n%100>=11 ? 4 : 5);", 6, {0, 1, 2, 3, 4, 4, 5}},                /* Arabic */
        {"nplurals=2; plural=(n % 10 == 4 || n % 10 == 6 || n % 10 == 9);", 2,
         {0, 0, 0, 0, 0, 0, 0}},                                            /* Tagalog */
    };
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        kplural p;
        parse_rule(&p, rules[r].spec, rules[r].nplurals);
        for (int i = 0; i < 7; i++) {
            unsigned long got = kplural_eval(&p, ns[i]);
            if (got != rules[r].want[i])
                fprintf(stderr, "  rule %zu, n=%lu: %lu, expected %lu\n", r, ns[i], got,
                        rules[r].want[i]);
            CHECK_INT(got, rules[r].want[i]);
        }
    }
}

static void test_plural_against_c(void)
{
    static const struct {
        const char *spec;
        unsigned long (*rule)(unsigned long);
    } rules[] = {
        {"nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
         "(n%100<10 || n%100>=20) ? 1 : 2);", rule_russian},
        {"nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? "
         "1 : 2);", rule_polish},
        {"nplurals=6;\n plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
         ": n%100>=11 ? 4 : 5);", rule_arabic},
        {"nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
         rule_slovenian},
        {"nplurals=2; plural=(n % 10 == 4 || n % 10 == 6 || n % 10 == 9);", rule_tagalog},
    };
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        kplural p;
        char why[160];
        CHECK_INT(kplural_parse(&p, rules[r].spec, why, sizeof why), 0);
        int bad = 0;
        for (unsigned long n = 0; n <= 1000; n++)
            if (kplural_eval(&p, n) != rules[r].rule(n) && bad++ == 0)
                fprintf(stderr, "  rule %zu differs from C at n=%lu\n", r, n);
        CHECK_INT(bad, 0);
    }
}

static void test_plural_syntax(void)
{
    kplural p;
    /* No spaces, reversed order, arithmetic, unary operators. */
    parse_rule(&p, "plural=n==1?0:1;nplurals=2", 2);
    CHECK_INT(kplural_eval(&p, 1), 0);
    CHECK_INT(kplural_eval(&p, 7), 1);
    parse_rule(&p, "nplurals=3; plural=((n + 1) * 2 - 4) / 2 % 3;", 3);
    CHECK_INT(kplural_eval(&p, 5), (unsigned long)(((5 + 1) * 2 - 4) / 2 % 3));
    parse_rule(&p, "nplurals=2; plural=!(n == 1);", 2);
    CHECK_INT(kplural_eval(&p, 1), 0);
    CHECK_INT(kplural_eval(&p, 3), 1);
    parse_rule(&p, "nplurals=2; plural=n<=1 ? 0 : n>=10 ? 0 : n<5 ? 1 : n>7;", 2);
    CHECK_INT(kplural_eval(&p, 0), 0);
    CHECK_INT(kplural_eval(&p, 3), 1);
    CHECK_INT(kplural_eval(&p, 6), 0);
    CHECK_INT(kplural_eval(&p, 8), 1);
    CHECK_INT(kplural_eval(&p, 12), 0);
    /* Right-associative ?: and precedence of && over ||. */
    parse_rule(&p, "nplurals=3; plural=n==0 || n==1 && 0 ? 2 : n==1 ? 1 : 0;", 3);
    CHECK_INT(kplural_eval(&p, 0), 2);
    CHECK_INT(kplural_eval(&p, 1), 1);
    CHECK_INT(kplural_eval(&p, 2), 0);
    /* Division by zero is 0, not a crash; -n wraps as unsigned. */
    parse_rule(&p, "nplurals=2; plural=n / (n - n) + n % 0;", 2);
    CHECK_INT(kplural_eval(&p, 9), 0);
    parse_rule(&p, "nplurals=2; plural=-n + n;", 2);
    CHECK_INT(kplural_eval(&p, 9), 0);
    /* An out-of-range value picks form 0, as gettext does. */
    parse_rule(&p, "nplurals=2; plural=n;", 2);
    CHECK_INT(kplural_index(&p, 5), 0);
    CHECK_INT(kplural_index(&p, 1), 1);
    /* The default is English. */
    kplural_default(&p);
    CHECK_INT(kplural_index(&p, 1), 0);
    CHECK_INT(kplural_index(&p, 0), 1);
}

static void test_plural_errors(void)
{
    static const struct { const char *spec, *want; } bad[] = {
        {"nplurals=2; plural=(n != 1;", "expected ')'"},
        {"nplurals=2; plural=n != ;", "expression ends too soon"},
        {"nplurals=0; plural=0;", "nplurals must be 1 to 6"},
        {"nplurals=7; plural=0;", "nplurals must be 1 to 6"},
        {"nplurals=x; plural=0;", "nplurals must be a number"},
        {"plural=(n != 1);", "nplurals= missing"},
        {"nplurals=2;", "plural= missing"},
        {"nplurals=2; plural=m;", "unexpected 'm'"},
        {"nplurals=2; plural=nn;", "unknown name"},
        {"nplurals=2; plural=n ? 1;", "expected ':'"},
        {"nplurals=2; plural=n 1;", "expected ';'"},
        {"nplurals=2; plural=99999999999999999999999;", "number too large"},
        {"nplurals=2; plural=n = 1;", "expected ';'"},
        {"nplurals=INTEGER; plural=EXPRESSION;", "nplurals must be a number"},
        {"Plural: 2", "expected nplurals= or plural="},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kplural p;
        char why[160] = "";
        CHECK_INT(kplural_parse(&p, bad[i].spec, why, sizeof why), -1);
        if (!strstr(why, bad[i].want))
            fprintf(stderr, "  \"%s\": \"%s\" lacks \"%s\"\n", bad[i].spec, why, bad[i].want);
        CHECK(strstr(why, bad[i].want) != NULL);
        CHECK(strstr(why, "column") != NULL);
        /* A failed parse leaves a usable English rule. */
        CHECK_INT(p.nplurals, 2);
        CHECK_INT(kplural_index(&p, 1), 0);
    }
    /* Nesting and length are bounded: no stack overflow on hostile input. */
    char deep[600] = "nplurals=2; plural=";
    for (int i = 0; i < 200; i++)
        strcat(deep, "(");
    kplural p;
    char why[160] = "";
    CHECK_INT(kplural_parse(&p, deep, why, sizeof why), -1);
    CHECK(strstr(why, "nested deeper") != NULL);
    char longx[2000] = "nplurals=2; plural=n";
    for (int i = 0; i < 200; i++)
        strcat(longx, "+n");
    CHECK_INT(kplural_parse(&p, longx, why, sizeof why), -1);
    CHECK(strstr(why, "nodes") != NULL);
}

/* ---- the PO reader --------------------------------------------------------- */

static void test_po_parse(void)
{
    const char *text =
        "\xef\xbb\xbf# a translator comment\r\n"
        "msgid \"\"\r\n"
        "msgstr \"\"\r\n"
        "\"Content-Type: text/plain; charset=UTF-8\\n\"\r\n"
        "\"Plural-Forms:  nplurals=1; plural=0; \\n\"\r\n"
        "\r\n"
        "#. extracted\n"
        "#: kiosk/ui/a.c:1 kiosk/ui/b.c:2\n"
        "#, c-format\n"
        "msgid \"\"\n"
        "\"multi-\"\n"
        "\"line\"\n"
        "msgstr \"mehr\"\n"
        "\"zeilig\"\n"
        "\n"
        "msgid \"esc \\\"q\\\" \\\\ \\t \\n end\"\n"
        "msgstr \"\\a\\b\\f\\v\\r ok\"\n"
        "#, fuzzy, c-format\n"
        "#| msgid \"old\"\n"
        "msgctxt \"language name\"\n"
        "msgid \"English\"\n"
        "msgstr \"Tiếng Việt\"\n"
        "\n"
        "msgid \"{n} second\"\n"
        "msgid_plural \"{n} seconds\"\n"
        "msgstr[0] \"{n} giây\"\n"
        "\n"
        "#~ msgid \"gone\"\n"
        "#~ msgstr \"đi rồi\"\n"
        "msgid \"English\"\n"
        "msgstr \"\"\n";
    kpo po;
    kerr err;
    int rc = parse(&po, text, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_INT(rc, 0);
    CHECK_INT(po.n, 5);
    CHECK_INT(po.header_line, 2);
    char v[64];
    CHECK_INT(kpo_header_field(&po, "plural-forms", v, sizeof v), 1);
    CHECK_STR(v, "nplurals=1; plural=0;");
    CHECK_INT(kpo_header_field(&po, "X-Nothing", v, sizeof v), 0);
    if (po.n == 5) {
        CHECK_STR(po.e[0].id, "multi-line");
        CHECK_STR(po.e[0].str[0], "mehrzeilig");
        CHECK_INT(po.e[0].line, 10);
        CHECK_INT(po.e[0].fuzzy, 0);
        CHECK_STR(po.e[1].id, "esc \"q\" \\ \t \n end");
        CHECK_STR(po.e[1].str[0], "\a\b\f\v\r ok");
        CHECK_STR(po.e[2].ctx, "language name");
        CHECK_INT(po.e[2].fuzzy, 1);
        CHECK_INT(po.e[2].line, 20);
        CHECK_STR(po.e[3].id_plural, "{n} seconds");
        CHECK_INT(po.e[3].nstr, 1);
        CHECK_STR(po.e[3].str[0], "{n} giây");
        /* Same msgid, no context: a different message from e[2]. */
        CHECK(po.e[4].ctx == NULL);
        CHECK_INT(po.e[4].fuzzy, 0);
    }
    kpo_free(&po);

    /* An empty file and a header-only file are fine. */
    CHECK_INT(parse(&po, "", &err), 0);
    CHECK_INT(po.n, 0);
    kpo_free(&po);
    CHECK_INT(parse(&po, header_en, &err), 0);
    CHECK(po.header != NULL);
    kpo_free(&po);
}

static void test_po_errors(void)
{
    EXPECT_PO_ERROR("msgid \"a\\qb\"\nmsgstr \"\"\n", "t.po:1: bad escape \\q");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"x\\\n", "t.po:2: unterminated string");
    EXPECT_PO_ERROR("\nmsgstr \"x\"\n", "t.po:2: msgstr without msgid");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"x\"\n\nmsgstr \"y\"\n", "t.po:4: msgstr without msgid");
    EXPECT_PO_ERROR("msgid \"a\nmsgstr \"x\"\n", "t.po:1: unterminated string");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"\xff\"\n", "t.po:2: invalid UTF-8 at column 9");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"\xc0\x80\"\n", "t.po:2: invalid UTF-8");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"\xed\xa0\x80\"\n", "t.po:2: invalid UTF-8");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"\xe1\x80\"\n", "t.po:2: invalid UTF-8");
    EXPECT_PO_ERROR("msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"\"\n",
                    "t.po:3: msgid without msgstr (entry starts at line 1)");
    EXPECT_PO_ERROR("msgid \"a\"\n", "t.po:1: file ends inside an entry: msgid without msgstr");
    EXPECT_PO_ERROR("msgid \"a\"\n# comment\nmsgstr \"\"\n", "t.po:2: msgid without msgstr");
    EXPECT_PO_ERROR("msgctxt \"c\"\nmsgstr \"\"\n", "t.po:2: msgstr without msgid");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr \"x\"\n",
                    "t.po:3: plain msgstr after msgid_plural");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[1] \"x\"\n",
                    "t.po:3: msgstr[1] out of order (expected msgstr[0])");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr[0] \"x\"\n", "t.po:2: msgstr[0] without msgid_plural");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"x\"\nmsgstr[0] \"y\"\n",
                    "t.po:4: msgstr[0] out of order");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n"
                    "msgstr[2] \"\"\nmsgstr[3] \"\"\nmsgstr[4] \"\"\nmsgstr[5] \"\"\n"
                    "msgstr[6] \"\"\n", "t.po:9: msgstr[6]: at most 6 plural forms");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"x\"\nmsgstr \"y\"\n", "t.po:3: second msgstr");
    EXPECT_PO_ERROR("\"floating\"\n", "t.po:1: string outside an entry");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"x\"\n# c\n\"more\"\n", "t.po:4: string outside");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgtsr \"x\"\n", "t.po:2: unknown keyword 'msgtsr'");
    EXPECT_PO_ERROR("msgid \"a\" x\nmsgstr \"\"\n", "t.po:1: unexpected text after the closing");
    EXPECT_PO_ERROR("msgid a\nmsgstr \"\"\n", "t.po:1: expected a string in double quotes");
    EXPECT_PO_ERROR("msgid \"a\tb\x01\"\nmsgstr \"\"\n", "t.po:1: control character 0x01");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr \"x\"\n\nmsgid \"b\"\nmsgstr \"y\"\n\n"
                    "msgid \"a\"\nmsgstr \"z\"\n",
                    "t.po:7: duplicate message \"a\" (first at line 1)");
    EXPECT_PO_ERROR("msgid \"\"\nmsgstr \"A: b\\n\"\n\nmsgid \"\"\nmsgstr \"\"\n",
                    "t.po:4: second header");
    EXPECT_PO_ERROR("msgid \"a\"\nmsgstr[x] \"\"\n", "t.po:2: bad plural index");
    /* The same msgid in two contexts is not a duplicate. */
    kpo po;
    kerr err;
    CHECK_INT(parse(&po, "msgctxt \"a\"\nmsgid \"x\"\nmsgstr \"\"\nmsgctxt \"b\"\nmsgid \"x\"\n"
                         "msgstr \"\"\nmsgid \"x\"\nmsgstr \"\"\n", &err), 0);
    CHECK_INT(po.n, 3);
    kpo_free(&po);
    /* A missing file names itself. */
    CHECK_INT(kpo_load(&po, "/nonexistent/xx.po", &err), KERR_IO);
    CHECK(strstr(err.msg, "cannot open /nonexistent/xx.po") != NULL);
}

/* Reads a whole file into a malloc'd buffer. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

/* Damaged catalogs (bytes flipped, cut short, lines doubled) must give an
 * error or a catalog, never a crash or a leak (run under ASan in CI). */
static void test_po_mutations(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/km.po", po_dir);
    size_t len = 0;
    char *orig = read_all(path, &len);
    CHECK(orig != NULL);
    if (!orig)
        return;
    char *buf = malloc(len * 2 + 1);
    uint32_t rng = 12345;
    int ok = 0, failed = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, orig, len);
        size_t n = len;
        int edits = 1 + round % 4;
        for (int k = 0; k < edits; k++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 8) % n;
            rng = rng * 1103515245u + 12345u;
            switch ((rng >> 16) % 4) {
            case 0: buf[at] = (char)(rng >> 3); break;                 /* any byte */
            case 1: buf[at] = "\"\\\n#[]01 "[(rng >> 5) % 9]; break;   /* syntax */
            case 2: n = at + 1; break;                                 /* cut */
            default:                                                   /* repeat */
                if (n + 200 < len * 2) {
                    memmove(buf + at + 100, buf + at, n - at);
                    n += 100;
                }
            }
        }
        kpo po;
        kerr err;
        memset(&err, 0, sizeof err);
        if (kpo_parse(&po, "m.po", buf, n, &err) == 0) {
            ok++;
            char v[200];
            kpo_header_field(&po, "Plural-Forms", v, sizeof v);
            kplural p;
            char why[160];
            kplural_parse(&p, v, why, sizeof why);
        } else {
            failed++;
            CHECK(strncmp(err.msg, "m.po:", 5) == 0);
        }
        kpo_free(&po);
    }
    fprintf(stderr, "  %d parsed, %d refused\n", ok, failed);
    CHECK(ok > 0 && failed > 0);
    free(buf);
    free(orig);
}

/* ---- catalogs in a folder -------------------------------------------------- */

static const char fake_pot[] =
    "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=CHARSET\\n\"\n"
    "\"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n\"\n\n"
    "msgctxt \"language name\"\nmsgid \"English\"\nmsgstr \"\"\n\n"
    "msgid \"Welcome!\"\nmsgstr \"\"\n\n"
    "msgid \"Thank you, {name}!\"\nmsgstr \"\"\n\n"
    "msgid \"Back\"\nmsgstr \"\"\n\n"
    "msgid \"Next\"\nmsgstr \"\"\n\n"
    "msgid \"Done\"\nmsgstr \"\"\n\n"
    "msgid \"{n} file\"\nmsgid_plural \"{n} files\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n";

/* A Russian-like catalog "xx" with one problem of each kind. */
static const char fake_xx[] =
    "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=utf-8\\n\"\n"
    "\"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
    "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n\"\n\n"
    "msgctxt \"language name\"\nmsgid \"English\"\nmsgstr \"Iksian\"\n\n"
    "msgid \"Welcome!\"\nmsgstr \"Zdravo!\"\n\n"
    "msgid \"Thank you, {name}!\"\nmsgstr \"Hvala, {nmae}!\"\n\n"   /* placeholder typo */
    "#, fuzzy\nmsgid \"Back\"\nmsgstr \"Nazad\"\n\n"                 /* fuzzy */
    "msgid \"Next\"\nmsgstr \"\"\n\n"                                /* empty; Done absent */
    "msgid \"{n} file\"\nmsgid_plural \"{n} files\"\n"
    "msgstr[0] \"{n} fajl\"\nmsgstr[1] \"{n} fajla\"\nmsgstr[2] \"{n} fajlova\"\n\n"
    "msgid \"Old text\"\nmsgstr \"Stari\"\n";                        /* stale */

static const char fake_en[] =
    "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\"X-Review-Status: source\\n\"\n\n"
    "msgid \"Back\"\nmsgstr \"Go back\"\n\n"
    "msgid \"Next\"\nmsgstr \"\"\n";

typedef struct counts {
    int kind[KI18N_GLOSSARY + 1];
    int total;
    char last_detail[200];
} counts;

/* Counts issues by kind. */
static void count_issue(void *ctx, const ki18n_issue *is)
{
    counts *c = ctx;
    c->kind[is->kind]++;
    c->total++;
    snprintf(c->last_detail, sizeof c->last_detail, "%s", is->detail);
}

/* A font chain that draws everything but 'Z' and the e with acute accent. */
static int covers_fake(void *ctx, uint32_t cp, const char *lang)
{
    (void)ctx;
    (void)lang;
    return cp != 'Z' && cp != 0xE9;
}

/* Opens dir, expecting success. */
static ki18n *open_ok(const char *dir)
{
    ki18n *cat = NULL;
    kerr err = {0};
    int rc = ki18n_open(&cat, dir, &err);
    if (rc)
        fprintf(stderr, "  ki18n_open: %s\n", err.msg);
    CHECK_INT(rc, 0);
    return cat;
}

static void test_catalog_lookup(void)
{
    char dir[64];
    ktest_tmpdir(dir, sizeof dir);
    write_file(dir, "kiosk.pot", fake_pot);
    write_file(dir, "xx.po", fake_xx);
    write_file(dir, "en.po", fake_en);
    write_file(dir, "LINGUAS", "# order of the buttons\nxx en  # trailing comment\n");
    ki18n *cat = open_ok(dir);
    if (!cat)
        return;
    CHECK_INT(ki18n_count(cat), 2);
    CHECK_STR(ki18n_lang_at(cat, 0)->code, "xx");
    CHECK_STR(ki18n_lang_at(cat, 0)->name, "Iksian");
    CHECK_STR(ki18n_lang_at(cat, 0)->greeting, "Zdravo!");
    CHECK_STR(ki18n_lang_at(cat, 0)->review, "");
    CHECK_INT(ki18n_lang_at(cat, 0)->nplurals, 3);
    CHECK_STR(ki18n_lang_at(cat, 1)->name, "English");
    CHECK_STR(ki18n_lang_at(cat, 1)->greeting, "Welcome!");
    CHECK_STR(ki18n_lang_at(cat, 1)->review, "source");
    CHECK(ki18n_lang_at(cat, 2) == NULL);

    CHECK_STR(ki18n_tr(cat, "xx", "Welcome!"), "Zdravo!");
    CHECK_STR(ki18n_tr(cat, "XX", "Welcome!"), "Zdravo!");
    CHECK_STR(ki18n_tr(cat, "xx-Latn_RS", "Welcome!"), "Zdravo!");
    CHECK_INT(ki18n_has(cat, "xx-Latn-RS"), 1);
    CHECK_INT(ki18n_has(cat, "yy"), 0);
    CHECK_INT(ki18n_has(cat, "x"), 0);
    /* Fallbacks: fuzzy, empty, absent, unknown language, no catalog. */
    CHECK_STR(ki18n_tr(cat, "xx", "Back"), "Back");
    CHECK_STR(ki18n_tr(cat, "xx", "Next"), "Next");
    CHECK_STR(ki18n_tr(cat, "xx", "Done"), "Done");
    CHECK_STR(ki18n_tr(cat, "xx", "Never seen"), "Never seen");
    CHECK_STR(ki18n_tr(cat, "yy", "Welcome!"), "Welcome!");
    CHECK_STR(ki18n_tr(NULL, "xx", "Welcome!"), "Welcome!");
    CHECK_STR(ki18n_tr(cat, "xx", NULL), "");
    CHECK_STR(ki18n_tr(cat, "xx", ""), "");
    /* English may reword; NULL language is the source. */
    CHECK_STR(ki18n_tr(cat, "en", "Back"), "Go back");
    CHECK_STR(ki18n_tr(cat, NULL, "Back"), "Go back");
    CHECK_STR(ki18n_tr(cat, "en", "Next"), "Next");
    /* Context tells two messages apart. */
    CHECK_STR(ki18n_trc(cat, "xx", "language name", "English"), "Iksian");
    CHECK_STR(ki18n_tr(cat, "xx", "English"), "English");
    /* Plurals by the catalog's own rule. */
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 1), "{n} fajl");
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 21), "{n} fajl");
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 3), "{n} fajla");
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 5), "{n} fajlova");
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 11), "{n} fajlova");
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", -2), "{n} fajla");
    CHECK_STR(ki18n_trn(cat, "en", "{n} file", "{n} files", 1), "{n} file");
    CHECK_STR(ki18n_trn(cat, "en", "{n} file", "{n} files", 0), "{n} files");
    CHECK_STR(ki18n_trn(cat, "yy", "{n} file", "{n} files", 2), "{n} files");
    CHECK_STR(ki18n_trn(NULL, "xx", "{n} file", "{n} files", 1), "{n} file");
    /* The kui callbacks are the same lookups. */
    CHECK_STR(ki18n_tr_cb(cat, "xx", "Welcome!"), "Zdravo!");
    CHECK_STR(ki18n_trn_cb(cat, "xx", "{n} file", "{n} files", 2), "{n} fajla");

    /* The check: one problem of each kind in xx, none in the source. */
    counts c;
    memset(&c, 0, sizeof c);
    int n = ki18n_check(cat, count_issue, &c);
    CHECK_INT(n, c.total);
    CHECK_INT(c.kind[KI18N_UNTRANSLATED], 2);   /* Next (empty), Done (absent) */
    CHECK_INT(c.kind[KI18N_FUZZY], 1);
    CHECK_INT(c.kind[KI18N_STALE], 1);
    CHECK_INT(c.kind[KI18N_PLACEHOLDERS], 1);
    CHECK_INT(c.kind[KI18N_NO_REVIEW], 1);
    CHECK_INT(c.kind[KI18N_PLURAL_FORMS], 0);
    CHECK_INT(c.kind[KI18N_UNLISTED], 0);
    CHECK_INT(c.kind[KI18N_NO_TEMPLATE], 0);
    CHECK_INT(n, 6);
    CHECK_INT(ki18n_template_count(cat), 7);

    /* The report: the same problems as lines, and the fonts. */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int pr = ki18n_check_report(cat, covers_fake, NULL, out);
    fclose(out);
    CHECK_INT(pr, 6 + 1);   /* 'Z' of "Zdravo!" (once, though used twice) */
    CHECK(strstr(buf, "xx: untranslated: \"Done\"\n") != NULL);
    CHECK(strstr(buf, "xx: untranslated: \"Next\" (") != NULL);
    CHECK(strstr(buf, "xx: fuzzy: \"Back\" (") != NULL);
    CHECK(strstr(buf, "xx: stale: \"Old text\" (") != NULL);
    CHECK(strstr(buf, "xx: placeholders differ: \"Thank you, {name}!\" -> \"Hvala, {nmae}!\"") !=
          NULL);
    CHECK(strstr(buf, "missing {name}") != NULL);
    CHECK(strstr(buf, "xx: no font for U+005A 'Z' in \"Zdravo!\"") != NULL);
    CHECK(strstr(buf, "xx: no X-Review-Status") != NULL);
    CHECK(strstr(buf, "\nen: ") == NULL);   /* nothing wrong in English */
    CHECK(strstr(buf, "i18n check: 2 languages, 7 strings in kiosk.pot, 7 problems") != NULL);
    free(buf);
    ki18n_close(cat);

    /* Fixed: no problems left, and a report without fonts says so. */
    write_file(dir, "xx.po",
               "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
               "\"Plural-Forms: nplurals=1; plural=0;\\n\"\n\"X-Review-Status: ok\\n\"\n"
               "msgctxt \"language name\"\nmsgid \"English\"\nmsgstr \"Iksian\"\n"
               "msgid \"Welcome!\"\nmsgstr \"Dobro došli!\"\n"
               "msgid \"Thank you, {name}!\"\nmsgstr \"{name}, hvala!\"\n"
               "msgid \"Back\"\nmsgstr \"Nazad\"\nmsgid \"Next\"\nmsgstr \"Dalje\"\n"
               "msgid \"Done\"\nmsgstr \"Gotovo\"\n"
               "msgid \"{n} file\"\nmsgid_plural \"{n} files\"\nmsgstr[0] \"{n} fajlova\"\n");
    cat = open_ok(dir);
    memset(&c, 0, sizeof c);
    CHECK_INT(ki18n_check(cat, count_issue, &c), 0);
    out = open_memstream(&buf, &len);
    CHECK_INT(ki18n_check_report(cat, NULL, NULL, out), 0);
    fclose(out);
    CHECK(strstr(buf, "0 problems (fonts not checked)") != NULL);
    free(buf);
    out = open_memstream(&buf, &len);
    CHECK_INT(ki18n_check_report(cat, covers_fake, NULL, out), 0);   /* no Z, no é */
    fclose(out);
    free(buf);
    CHECK_STR(ki18n_trn(cat, "xx", "{n} file", "{n} files", 1), "{n} fajlova");
    ki18n_close(cat);

    /* A catalog LINGUAS leaves out, and no template. */
    write_file(dir, "LINGUAS", "en\n");
    remove_file(dir, "kiosk.pot");
    cat = open_ok(dir);
    CHECK_INT(ki18n_count(cat), 1);
    CHECK_INT(ki18n_has(cat, "xx"), 0);
    memset(&c, 0, sizeof c);
    ki18n_check(cat, count_issue, &c);
    CHECK_INT(c.kind[KI18N_UNLISTED], 1);
    CHECK_INT(c.kind[KI18N_NO_TEMPLATE], 1);
    CHECK_INT(c.total, 2);
    ki18n_close(cat);

    /* No LINGUAS: every catalog, in name order. */
    remove_file(dir, "LINGUAS");
    cat = open_ok(dir);
    CHECK_INT(ki18n_count(cat), 2);
    CHECK_STR(ki18n_lang_at(cat, 0)->code, "en");
    CHECK_STR(ki18n_lang_at(cat, 1)->code, "xx");
    ki18n_close(cat);
    remove_file(dir, "xx.po");
    remove_file(dir, "en.po");
    rmdir(dir);
}

/* Expects ki18n_open of dir to fail with a message containing want. */
static void expect_open_error(const char *dir, const char *want, int line)
{
    ki18n *cat = (ki18n *)1;
    kerr err = {0};
    CHECK(ki18n_open(&cat, dir, &err) != 0);
    CHECK(cat == NULL);
    if (!strstr(err.msg, want)) {
        fprintf(stderr, "  (test line %d) error \"%s\" lacks \"%s\"\n", line, err.msg, want);
        CHECK(strstr(err.msg, want) != NULL);
    }
}

static void test_catalog_errors(void)
{
    char dir[64], want[256];
    ktest_tmpdir(dir, sizeof dir);
    expect_open_error("/nonexistent-po", "cannot open catalog folder /nonexistent-po", __LINE__);
    write_file(dir, "en.po", fake_en);
    write_file(dir, "LINGUAS", "en\nvi\n");
    snprintf(want, sizeof want, "%s/LINGUAS:2: no catalog vi.po", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "LINGUAS", "en\nen\n");
    snprintf(want, sizeof want, "%s/LINGUAS:2: en is listed twice", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "LINGUAS", "en\n\nzh/Hans\n");
    snprintf(want, sizeof want, "%s/LINGUAS:3: 'zh/Hans' is not a language code", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "LINGUAS", "# nothing\n");
    expect_open_error(dir, "LINGUAS: names no language", __LINE__);
    write_file(dir, "LINGUAS", "en\n");

    /* A syntax error in a catalog names its file and line. */
    write_file(dir, "en.po", "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=1; plural=0;\\n\"\n"
                             "\nmsgid \"a\\z\"\nmsgstr \"\"\n");
    snprintf(want, sizeof want, "%s/en.po:4: bad escape \\z", dir);
    expect_open_error(dir, want, __LINE__);
    /* Headers: present, UTF-8, with a valid Plural-Forms. */
    write_file(dir, "en.po", "msgid \"a\"\nmsgstr \"\"\n");
    snprintf(want, sizeof want, "%s/en.po:1: no header", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "en.po", "\nmsgid \"\"\nmsgstr \"Content-Type: text/plain; "
                             "charset=ISO-8859-1\\nPlural-Forms: nplurals=1; plural=0;\\n\"\n");
    snprintf(want, sizeof want, "%s/en.po:2: charset is 'ISO-8859-1'", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "en.po", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n");
    snprintf(want, sizeof want, "%s/en.po:1: header has no Plural-Forms", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "en.po", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                             "\"Plural-Forms: nplurals=2; plural=(n != 1;\\n\"\n");
    snprintf(want, sizeof want, "%s/en.po:1: Plural-Forms: plural: expected ')'", dir);
    expect_open_error(dir, want, __LINE__);
    write_file(dir, "en.po", fake_en);
    /* A broken template fails too: the check could not trust it. */
    write_file(dir, "kiosk.pot", "msgid \"a\"\n");
    snprintf(want, sizeof want, "%s/kiosk.pot:1: file ends inside an entry", dir);
    expect_open_error(dir, want, __LINE__);
    remove_file(dir, "kiosk.pot");
    /* A file name that is no language code. */
    write_file(dir, "my lang.po", fake_en);
    expect_open_error(dir, "'my lang' is not a language code", __LINE__);
    remove_file(dir, "my lang.po");
    /* Still good after all that. */
    ki18n *cat = open_ok(dir);
    ki18n_close(cat);
    ki18n_close(NULL);
    remove_file(dir, "en.po");
    remove_file(dir, "LINGUAS");
    rmdir(dir);
}

static void test_placeholders(void)
{
    char d[200];
    CHECK_INT(ki18n_placeholders_match("Hi {name}", NULL, "Chào {name}", d, sizeof d), 1);
    CHECK_INT(ki18n_placeholders_match("{a} {b}", NULL, "{b}, {a} {a}", d, sizeof d), 1);
    CHECK_INT(ki18n_placeholders_match("Hi {name}", NULL, "Chào", d, sizeof d), 0);
    CHECK_STR(d, "missing {name}");
    CHECK_INT(ki18n_placeholders_match("Hi", NULL, "Chào {name}", d, sizeof d), 0);
    CHECK(strstr(d, "unknown {name}") == d);
    CHECK_INT(ki18n_placeholders_match("{n} second", "{n} seconds", "{n} giây", d, sizeof d),
              1);
    /* Braces that are no placeholder are text. */
    CHECK_INT(ki18n_placeholders_match("a { b } {}", NULL, "x", d, sizeof d), 1);
}

/* ---- the shipped catalogs -------------------------------------------------- */

typedef struct lang_expect { const char *code, *name; } lang_expect;

/* Prints an issue of the shipped catalogs (there should be none). */
static void print_issue(void *ctx, const ki18n_issue *is)
{
    counts *c = ctx;
    c->kind[is->kind]++;
    c->total++;
    fprintf(stderr, "  %s: kind %d: %s%s%s (%s:%d)\n", is->lang, is->kind,
            is->msgid ? is->msgid : "", is->msgid ? ": " : "", is->detail, is->file, is->line);
}

typedef struct shipped_walk {
    const ki18n *cat;
    int strings, simplified_in_hant, traditional_in_hans;
} shipped_walk;

/* Looks for characters of the other Chinese script in each Chinese catalog. */
static int scan_string(void *ctx, const char *lang, const char *text, const char *file, int line)
{
    /* Pairs whose Simplified and Traditional forms differ, all used by the kiosk's strings. */
    static const char *const pairs[][2] = {
        {"签", "簽"}, {"这", "這"}, {"请", "請"}, {"电", "電"}, {"话", "話"}, {"号", "號"},
        {"码", "碼"}, {"邮", "郵"}, {"为", "為"}, {"个", "個"}, {"护", "護"}, {"记", "記"},
        {"还", "還"}, {"来", "來"}, {"输", "輸"}, {"员", "員"}, {"后", "後"}, {"开", "開"},
        {"钟", "鐘"}, {"欢", "歡"}, {"谢", "謝"}, {"经", "經"}, {"无", "無"}, {"让", "讓"},
        {"帮", "幫"}, {"写", "寫"}, {"项", "項"}, {"资", "資"},
    };
    shipped_walk *w = ctx;
    w->strings++;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (strcmp(lang, "zh-Hant") == 0 && strstr(text, pairs[i][0])) {
            fprintf(stderr, "  %s:%d: Simplified %s in a Traditional string\n", file, line,
                    pairs[i][0]);
            w->simplified_in_hant++;
        }
        if (strcmp(lang, "zh-Hans") == 0 && strstr(text, pairs[i][1])) {
            fprintf(stderr, "  %s:%d: Traditional %s in a Simplified string\n", file, line,
                    pairs[i][1]);
            w->traditional_in_hans++;
        }
    }
    return 0;
}

static void test_shipped_catalogs(void)
{
    static const lang_expect langs[] = {
        {"en", "English"}, {"vi", "Tiếng Việt"}, {"zh-Hans", "简体中文"},
        {"zh-Hant", "繁體中文"}, {"ko", "한국어"}, {"tl", "Tagalog"}, {"km", "ខ្មែរ"},
        {"lo", "ລາວ"}, {"ja", "日本語"},
    };
    const int nlangs = (int)(sizeof langs / sizeof langs[0]);
    ki18n *cat = open_ok(po_dir);
    if (!cat)
        return;
    CHECK_INT(ki18n_count(cat), nlangs);
    for (int i = 0; i < nlangs && i < ki18n_count(cat); i++) {
        const ki18n_lang *l = ki18n_lang_at(cat, i);
        CHECK_STR(l->code, langs[i].code);
        CHECK_STR(l->name, langs[i].name);
        CHECK(l->review[0] != '\0');
        if (strcmp(l->code, "en") != 0)
            CHECK(strcmp(l->greeting, "Welcome!") != 0);   /* greets in its own words */
    }
    CHECK(ki18n_template_count(cat) >= 25);

    /* The test that keeps translations complete: nothing untranslated,
     * fuzzy or stale against kiosk.pot, placeholders intact, plural
     * forms as the header says, in every language. */
    counts c;
    memset(&c, 0, sizeof c);
    int n = ki18n_check(cat, print_issue, &c);
    CHECK_INT(n, 0);
    CHECK_INT(c.kind[KI18N_UNTRANSLATED], 0);
    CHECK_INT(c.kind[KI18N_FUZZY], 0);
    CHECK_INT(c.kind[KI18N_STALE], 0);
    CHECK_INT(c.kind[KI18N_PLACEHOLDERS], 0);
    CHECK_INT(c.kind[KI18N_PLURAL_FORMS], 0);
    CHECK_INT(c.kind[KI18N_NO_TEMPLATE], 0);

    /* Simplified and Traditional Chinese each in their own characters. */
    shipped_walk w = {cat, 0, 0, 0};
    CHECK_INT(ki18n_foreach_string(cat, scan_string, &w), 0);
    CHECK(w.strings > nlangs * 20);
    CHECK_INT(w.simplified_in_hant, 0);
    CHECK_INT(w.traditional_in_hans, 0);

    /* A few lookups a person would see. */
    CHECK_STR(ki18n_tr(cat, "vi", "Welcome!"), "Xin chào!");
    CHECK_STR(ki18n_tr(cat, "zh-Hans", "Find your name and check in"), "查找名字并签到");
    CHECK_STR(ki18n_tr(cat, "zh-Hant", "Find your name and check in"), "尋找名字並簽到");
    CHECK_STR(ki18n_tr(cat, "zh-Hant-TW", "Back"), "返回");
    const char *one = "To keep your information private, this screen starts over in {n} second.";
    const char *many = "To keep your information private, this screen starts over in {n} seconds.";
    CHECK_STR(ki18n_trn(cat, "en", one, many, 1), one);
    CHECK_STR(ki18n_trn(cat, "en", one, many, 5), many);
    CHECK(strstr(ki18n_trn(cat, "ja", one, many, 5), "{n}秒") != NULL);
    CHECK(strstr(ki18n_trn(cat, "tl", one, many, 4), "{n} segundo") != NULL);

    /* English in another catalog is a sign of a missed string: at most a
     * few words stay the same ("Email", "ZIP code"). */
    for (int i = 1; i < ki18n_count(cat); i++) {
        const char *code = ki18n_lang_at(cat, i)->code;
        static const char *const probes[] = {
            "Welcome!", "Sign up", "I'm new", "Back", "Next", "Done", "Start over",
            "Find your name", "Please see a staff member.", "Still there?",
        };
        for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++)
            if (strcmp(ki18n_tr(cat, code, probes[k]), probes[k]) == 0) {
                fprintf(stderr, "  %s: \"%s\" is still English\n", code, probes[k]);
                CHECK(0);
            }
    }
    ki18n_close(cat);
}

/* The template holds the language-name entry with its translator comment. */
static void test_template(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/kiosk.pot", po_dir);
    kpo pot;
    kerr err = {0};
    int rc = kpo_load(&pot, path, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_INT(rc, 0);
    int found = 0;
    for (int i = 0; i < pot.n; i++)
        found += pot.e[i].ctx && strcmp(pot.e[i].ctx, KI18N_NAME_CTX) == 0 &&
                 strcmp(pot.e[i].id, KI18N_NAME_MSGID) == 0;
    CHECK_INT(found, 1);
    kpo_free(&pot);
}

/* ---- review state, glossary, review items (issue 17) ----------------------- */

static const char review_pot[] =
    "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
    "msgid \"Find your name and check in\"\nmsgstr \"\"\n\n"
    "msgid \"Sign up\"\nmsgstr \"\"\n\n"
    "msgid \"You are checked in to {event}.\"\nmsgstr \"\"\n\n"
    "msgid \"{n} second\"\nmsgid_plural \"{n} seconds\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n";

static const char review_vi[] =
    "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=1; plural=0;\\n\"\n\"X-Review-Status: partly\\n\"\n\n"
    "# a translator's own note\n# reviewed by Lan Nguyen, 2026-12-06\n#: kiosk/ui/x.c:1\n"
    "msgid \"Find your name and check in\"\nmsgstr \"T\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\"\n\n"
    "# reviewed by Lan Nguyen, 2026-12-01\n#, fuzzy\n#| msgid \"Sign me up\"\n"
    "msgid \"Sign up\"\nmsgstr \"\xc4\x90\xc4\x83ng k\xc3\xbd\"\n\n"
    "msgid \"You are checked in to {event}.\"\nmsgstr \"\xc4\x90\xc3\xa3 \xc4\x91i\xe1\xbb\x83m danh t\xe1\xba\xa1i {event}.\"\n\n"
    "msgid \"{n} second\"\nmsgid_plural \"{n} seconds\"\nmsgstr[0] \"{n} gi\xc3\xa2y\"\n\n"
    "# reviewed by Someone Else, 2020-01-01\n"
    "#~ msgid \"Gone\"\n#~ msgstr \"\xc4\x90\xc3\xa3 \xc4\x91i\"\n";

static void test_review_state(void)
{
    char dir[64], sub[128];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/glossary", dir);
    CHECK_INT(mkdir(sub, 0755), 0);
    write_file(dir, "kiosk.pot", review_pot);
    write_file(dir, "vi.po", review_vi);
    write_file(dir, "en.po", fake_en);
    write_file(dir, "LINGUAS", "en\nvi\n");
    write_file(dir, "glossary/vi.csv",
               "english,translation,note\n"
               "check in|checked in|check-in,\xc4\x91i\xe1\xbb\x83m danh,not ghi danh\n"
               "sign up,\xc4\x91\xc4\x83ng k\xc3\xbd,\n"
               "event,s\xe1\xbb\xb1 ki\xe1\xbb\x87n,\n");
    ki18n *cat = open_ok(dir);
    if (!cat)
        return;
    /* The review mark belongs to its entry, never to the next one or an
     * obsolete entry's neighbour. */
    const kpo_entry *find = ki18n_entry(cat, "vi", NULL, "Find your name and check in");
    const kpo_entry *sign = ki18n_entry(cat, "vi", NULL, "Sign up");
    const kpo_entry *ev = ki18n_entry(cat, "vi", NULL, "You are checked in to {event}.");
    CHECK(find && find->reviewed && strcmp(find->reviewed, "Lan Nguyen, 2026-12-06") == 0);
    CHECK(ev && ev->reviewed == NULL);
    CHECK_INT(ki18n_entry_state(find), KI18N_ST_REVIEWED);
    CHECK_INT(ki18n_entry_state(sign), KI18N_ST_STALE);       /* fuzzy after review */
    CHECK_INT(ki18n_entry_state(ev), KI18N_ST_MACHINE);
    CHECK_INT(ki18n_entry_state(NULL), KI18N_ST_UNTRANSLATED);
    ki18n_counts n;
    CHECK_INT(ki18n_review_counts(cat, "vi", &n), 0);
    CHECK_INT(n.total, 4);
    CHECK_INT(n.reviewed, 1);
    CHECK_INT(n.stale, 1);
    CHECK_INT(n.machine, 2);
    CHECK_STR(ki18n_review_word(cat, "vi"), "partly reviewed");
    CHECK(ki18n_review_word(cat, "en") == NULL);               /* the source */
    /* Glossary: "ghi danh" where the glossary says "điểm danh" is reported;
     * {event} is a placeholder, not the word "event". */
    CHECK_INT(ki18n_glossary_count(cat, "vi"), 3);
    char detail[200];
    CHECK(ki18n_glossary_check(cat, "vi", "Find your name and check in",
                               "T\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh", detail, sizeof detail) > 0);
    CHECK(strstr(detail, "\"check in\" should be") != NULL);
    CHECK_INT(ki18n_glossary_check(cat, "vi", "Check-in code", "M\xc3\xa3 \xc4\x90I\xe1\xbb\x82M DANH",
                                   detail, sizeof detail), 0);   /* any case */
    CHECK_INT(ki18n_glossary_check(cat, "vi", "You are checked in to {event}.",
                                   "\xc4\x90\xc3\xa3 \xc4\x91i\xe1\xbb\x83m danh t\xe1\xba\xa1i {event}.",
                                   detail, sizeof detail), 0);
    CHECK_INT(ki18n_glossary_check(cat, "vi", "Checkout", "x", detail, sizeof detail), 0);
    counts c = {0};
    ki18n_check(cat, count_issue, &c);
    CHECK_INT(c.kind[KI18N_GLOSSARY], 1);
    CHECK_INT(c.kind[KI18N_FUZZY], 1);
    ki18n_close(cat);
    /* A broken glossary never stops the kiosk; the check names it. */
    write_file(dir, "glossary/vi.csv", "english,translation\nstaff\n");
    cat = open_ok(dir);
    if (cat) {
        counts c2 = {0};
        ki18n_check(cat, count_issue, &c2);
        CHECK(c2.kind[KI18N_GLOSSARY] >= 1);
        ki18n_close(cat);
    }
}

static void test_review_items(void)
{
    CHECK(kreview_pattern_match("Thank you, {name}!", "Thank you, Lan!"));
    CHECK(kreview_pattern_match("{n} seconds", "15 seconds"));
    CHECK(!kreview_pattern_match("{n} seconds", " seconds"));     /* a placeholder is not empty */
    CHECK(!kreview_pattern_match("Back", "Back home"));
    CHECK(kreview_pattern_match("a {x} b {y}", "a 1 b 2 b 3"));
    char dir[64];
    ktest_tmpdir(dir, sizeof dir);
    write_file(dir, "kiosk.pot", review_pot);
    write_file(dir, "vi.po", review_vi);
    write_file(dir, "en.po", fake_en);
    write_file(dir, "LINGUAS", "en\nvi\n");
    write_file(dir, "places.tsv",
               "welcome\tvi\t316\t58\t40\t21\t57\tT\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\n"
               "find\tvi\t200\t30\t20\t12\t32\tT\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\n"
               "done\tvi\t700\t80\t30\t20\t33\t\xc4\x90\xc3\xa3 \xc4\x91i\xe1\xbb\x83m danh t\xe1\xba\xa1i Parent Night.\n"
               "done\tko\t700\t80\t30\t20\t33\tT\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\n"
               "idle\tvi\t300\t40\t20\t14\t33\t15 gi\xc3\xa2y\n"
               "finder\tvi\t300\t40\t20\t14\t33\tT\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\n"
               "fin\tvi\t300\t40\t20\t14\t33\tT\xc3\xacm t\xc3\xaan v\xc3\xa0 ghi danh\n");
    ki18n *cat = open_ok(dir);
    if (!cat)
        return;
    kreview r;
    kerr err = {0};
    CHECK_INT(kreview_build(&r, cat, "vi", dir, NULL, &err), 0);
    CHECK_INT(r.n, 4);                           /* one plural form in Vietnamese */
    char path[128];
    snprintf(path, sizeof path, "%s/places.tsv", dir);
    CHECK_INT(kreview_add_places(&r, path, &err), 0);
    kreview_item *find = NULL, *ev = NULL, *secs = NULL, *sign = NULL;
    for (int i = 0; i < r.n; i++) {
        if (strcmp(r.it[i].english, "Find your name and check in") == 0) find = &r.it[i];
        if (strcmp(r.it[i].english, "You are checked in to {event}.") == 0) ev = &r.it[i];
        if (r.it[i].form == 0) secs = &r.it[i];
        if (strcmp(r.it[i].english, "Sign up") == 0) sign = &r.it[i];
    }
    CHECK(find && strcmp(find->screens, "welcome, find, finder, fin") == 0);
    CHECK(find && find->nplaces == 3 && kreview_tightest(find)->w == 200);
    CHECK(ev && strcmp(ev->screens, "done") == 0);
    CHECK(secs && strcmp(secs->screens, "idle") == 0 && secs->nforms == 1);
    CHECK(sign && sign->nplaces == 0 && sign->state == KI18N_ST_STALE);
    CHECK(find && find->reviewer && strcmp(find->reviewer, "Lan Nguyen, 2026-12-06") == 0);
    CHECK(find && kreview_find(&r, find->id) == find);
    kreview_free(&r);
    write_file(dir, "places.tsv", "welcome\tvi\t316\n");
    CHECK_INT(kreview_build(&r, cat, "vi", dir, NULL, &err), 0);
    CHECK(kreview_add_places(&r, path, &err) != 0 && strstr(err.msg, "places.tsv:1") != NULL);
    kreview_free(&r);
    ki18n_close(cat);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        po_dir = argv[1];
    RUN(test_plural_known_values);
    RUN(test_plural_against_c);
    RUN(test_plural_syntax);
    RUN(test_plural_errors);
    RUN(test_po_parse);
    RUN(test_po_errors);
    RUN(test_po_mutations);
    RUN(test_placeholders);
    RUN(test_catalog_lookup);
    RUN(test_catalog_errors);
    RUN(test_template);
    RUN(test_shipped_catalogs);
    RUN(test_review_state);
    RUN(test_review_items);
    return ktest_summary();
}
