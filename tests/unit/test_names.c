/*
 * test_names.c - every name found the way its owner writes it (issue 10):
 * search with separators ignored both ways and second spellings, the
 * count of matches and the already-checked-in mark, the possible-match
 * check before a sign-up, and the migration of a store made by the kiosk
 * of schema 2 (tests/data/store-v2.sql), whose name index is rebuilt.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kclock.h"
#include "ktest.h"
#include "store.h"

#define BASE_WALL 1700000000000LL

typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vclock;
    kstore *s;
    kerr err;
    kevent ev;
} world;

/* Removes a test folder and what is in it. */
static void rm_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "   could not remove %s\n", dir);
}

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vclock, BASE_WALL, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "cannot open store: %s\n", w->err.msg);
        exit(1);
    }
    CHECK_INT(kstore_event_add(w->s, "Youth Night", "youth", "2023-11-14", &w->ev, &w->err), 0);
    CHECK_INT(kstore_event_use(w->s, w->ev.id, &w->err), 0);
}

static void world_close(world *w)
{
    kstore_close(w->s);
    rm_dir(w->dir);
}

/* Signs someone up at the world's event; their id goes to id (may be NULL). */
static void add(world *w, const char *given, const char *family, const char *phone,
                const char *email, const char *zip, char *id)
{
    kperson p;
    memset(&p, 0, sizeof p);
    snprintf(p.given, sizeof p.given, "%s", given);
    snprintf(p.family, sizeof p.family, "%s", family);
    snprintf(p.phone, sizeof p.phone, "%s", phone);
    snprintf(p.email, sizeof p.email, "%s", email);
    snprintf(p.zip, sizeof p.zip, "%s", zip);
    CHECK_INT(kstore_signup(w->s, &p, w->ev.id, &w->err), 0);
    if (id)
        strcpy(id, p.id);
}

/* True if a search for q finds the person with given name first. */
static int finds(kstore *s, const char *q, const char *first)
{
    kmatch m[16];
    int n = 0;
    kerr err;
    if (kstore_search_event(s, q, NULL, m, 16, &n, NULL, &err) != 0)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(m[i].first, first) == 0)
            return 1;
    return 0;
}

#define FINDS(s, q, first)                                                    \
    do {                                                                      \
        if (!finds(s, q, first))                                              \
            fprintf(stderr, "   \"%s\" does not find %s\n", q, first);       \
        CHECK(finds(s, q, first));                                            \
    } while (0)
#define MISSES(s, q, first)                                                   \
    do {                                                                      \
        if (finds(s, q, first))                                               \
            fprintf(stderr, "   \"%s\" finds %s\n", q, first);               \
        CHECK(!finds(s, q, first));                                           \
    } while (0)

/* Item 1: spaces, hyphens (every dash), periods, apostrophes and the
 * ʻokina do not matter, in the names or the query; any word's start. */
static void test_separators(void)
{
    world w;
    world_open(&w);
    add(&w, "Mary-Jane", "Smith", "", "", "", NULL);
    add(&w, "Maria", "De la Cruz", "", "", "", NULL);
    add(&w, "Jose", "Dela Cruz", "", "", "", NULL);
    add(&w, "Ma. Lourdes", "Santos", "", "", "", NULL);
    add(&w, "Kaʻiulani", "Keʻalohi", "", "", "", NULL);
    add(&w, "Anne\xe2\x80\x91Marie", "O'Neil", "", "", "", NULL);   /* U+2011 */
    static const char *const mj[] = {"maryjane", "mary jane", "mary-jane", "Mary.Jane",
                                      "MARY\xe2\x80\x94JANE", "jane", "mary", "maryj"};
    for (size_t i = 0; i < sizeof mj / sizeof mj[0]; i++)
        FINDS(w.s, mj[i], "Mary-Jane");
    static const char *const dlc[] = {"delacruz", "dela cruz", "de la cruz", "De-La-Cruz",
                                      "cruz", "dela", "de la", "delac"};
    for (size_t i = 0; i < sizeof dlc / sizeof dlc[0]; i++) {
        FINDS(w.s, dlc[i], "Maria");
        FINDS(w.s, dlc[i], "Jose");
    }
    FINDS(w.s, "lacruz", "Maria");                  /* "la cruz" run together */
    FINDS(w.s, "malourdes", "Ma. Lourdes");
    FINDS(w.s, "ma lourdes santos", "Ma. Lourdes");
    FINDS(w.s, "lourdes", "Ma. Lourdes");
    FINDS(w.s, "kaiulani", "Kaʻiulani");
    FINDS(w.s, "keʻalohi", "Kaʻiulani");
    FINDS(w.s, "annemarie", "Anne\xe2\x80\x91Marie");
    FINDS(w.s, "anne marie oneil", "Anne\xe2\x80\x91Marie");
    FINDS(w.s, "o neil", "Anne\xe2\x80\x91Marie");
    FINDS(w.s, "smith mary", "Mary-Jane");          /* words in any order */
    MISSES(w.s, "maryjanes", "Mary-Jane");
    MISSES(w.s, "janemary", "Mary-Jane");
    MISSES(w.s, "delacruzz", "Maria");
    MISSES(w.s, "cruz maria x", "Maria");
    MISSES(w.s, "ruz", "Maria");                    /* starts of words only */
    /* the longest queries, of one-letter words and of second spellings,
     * still make an expression (no "search is not working") */
    {
        char q[KIOSK_QUERY_BYTES];
        kmatch m[6];
        int n = -1, total = -1;
        static const char *const units[] = {"a ", "\xc3\xbc ", "\xe9\x99\x88 ", "\" ", "- "};
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            size_t len = 0, ul = strlen(units[u]);
            while (len + ul < sizeof q && len / ul * 2 < KIOSK_QUERY_MAX) {
                memcpy(q + len, units[u], ul);
                len += ul;
            }
            q[len] = '\0';
            CHECK_INT(kstore_search_event(w.s, q, w.ev.id, m, 6, &n, &total, &w.err), 0);
            CHECK(n >= 0 && n <= total);
        }
    }
    /* FTS5 syntax in a query is only text */
    MISSES(w.s, "\"mary\" OR jose", "Jose");
    MISSES(w.s, "NEAR(mary jose)", "Jose");
    world_close(&w);
}

/* Item 2: ü ö ä also as ue oe ae, ø as o and oe, å as a and aa, æ as
 * ae, ß as ss, ɛ ɔ ŋ Ƣ to their base; both ways. */
static void test_second_spellings(void)
{
    world w;
    world_open(&w);
    add(&w, "Jürgen", "Müller", "", "", "", NULL);
    add(&w, "Søren", "Kjærgaard", "", "", "", NULL);
    add(&w, "Åsa", "Strauß", "", "", "", NULL);
    add(&w, "Ama", "Ɔsɛi", "", "", "", NULL);
    add(&w, "Ŋima", "Ƣaza", "", "", "", NULL);
    add(&w, "Lukas", "Mueller", "", "", "", NULL);
    static const char *const muller[] = {"muller", "mueller", "müller", "MUELLER", "jurgen",
                                         "juergen", "jürgen"};
    for (size_t i = 0; i < sizeof muller / sizeof muller[0]; i++)
        FINDS(w.s, muller[i], "Jürgen");
    FINDS(w.s, "müller", "Lukas");                  /* the other way round */
    FINDS(w.s, "mueller", "Lukas");
    MISSES(w.s, "muller", "Lukas");                 /* ue is not u */
    FINDS(w.s, "soren", "Søren");
    FINDS(w.s, "soeren", "Søren");
    FINDS(w.s, "kjaergaard", "Søren");
    FINDS(w.s, "kjærgaard", "Søren");
    FINDS(w.s, "asa", "Åsa");
    FINDS(w.s, "aasa", "Åsa");
    FINDS(w.s, "strauss", "Åsa");
    FINDS(w.s, "osei", "Ama");
    FINDS(w.s, "ɔsɛi", "Ama");
    FINDS(w.s, "ngima", "Ŋima");
    FINDS(w.s, "ŋima", "Ŋima");
    FINDS(w.s, "oiaza", "Ŋima");
    world_close(&w);
}

/* Item 3: how many match, and who is already checked in. */
static void test_count_and_mark(void)
{
    world w;
    kmatch m[KIOSK_SEARCH_RESULTS];
    int n = 0, total = 0;
    char first_id[KIOSK_ID_HEX + 1];
    world_open(&w);
    for (int i = 0; i < 30; i++) {
        char given[16];
        snprintf(given, sizeof given, "Anh%02d", i);
        add(&w, given, "Nguyen", "", "", "", i == 0 ? first_id : NULL);
    }
    add(&w, "Bao", "Tran", "", "", "", NULL);
    CHECK_INT(kstore_search_event(w.s, "ng", w.ev.id, m, KIOSK_SEARCH_RESULTS, &n, &total,
                                  &w.err), 0);
    CHECK_INT(n, KIOSK_SEARCH_RESULTS);
    CHECK_INT(total, 30);
    CHECK_INT(kstore_search_event(w.s, "anh0", w.ev.id, m, KIOSK_SEARCH_RESULTS, &n, &total,
                                  &w.err), 0);
    CHECK_INT(n, 6);
    CHECK_INT(total, 10);
    CHECK_INT(kstore_search_event(w.s, "bao", w.ev.id, m, KIOSK_SEARCH_RESULTS, &n, &total,
                                  &w.err), 0);
    CHECK_INT(n, 1);
    CHECK_INT(total, 1);
    CHECK(m[0].checked_in);                         /* signed up here just now */

    /* at another event nobody is checked in yet, until they are */
    kevent other;
    CHECK_INT(kstore_event_add(w.s, "Bootcamp", "youth", "2023-11-15", &other, &w.err), 0);
    CHECK_INT(kstore_search_event(w.s, "anh00", other.id, m, 4, &n, &total, &w.err), 0);
    CHECK_INT(n, 1);
    CHECK(!m[0].checked_in);
    CHECK_INT(kstore_checkin(w.s, first_id, other.id, &w.err), 0);
    CHECK_INT(kstore_search_event(w.s, "anh00", other.id, m, 4, &n, &total, &w.err), 0);
    CHECK(m[0].checked_in);
    CHECK_INT(kstore_search_event(w.s, "anh00", NULL, m, 4, &n, &total, &w.err), 0);
    CHECK(!m[0].checked_in);
    world_close(&w);
}

/* Item 4: a new sign-up that may repeat someone stored. */
static void test_possible_match(void)
{
    world w;
    char mj[KIOSK_ID_HEX + 1], huong[KIOSK_ID_HEX + 1];
    kmatch m;
    int found = -1;
    world_open(&w);
    add(&w, "Mary-Jane", "Smith", "503-555-0100", "MJ@example.org", "97201", mj);
    add(&w, "Hương", "Nguyễn", "", "huong@example.org", "", huong);
    add(&w, "Jürgen", "Müller", "", "", "10115", NULL);

    static const struct {
        const char *given, *family, *phone, *email, *zip;
        int found;
    } cases[] = {
        {"MaryJane", "Smith", "+1 (503) 555 0100", "", "", 1},  /* phone digits */
        {"Mary Jane", "SMITH", "", "mj@EXAMPLE.org", "", 1},    /* e-mail, case aside */
        {"mary-jane", "smith", "", "", "97201", 1},             /* full name and ZIP */
        {"Mary-Jane", "Smith", "503-555-0199", "", "", 0},      /* another phone */
        {"Mary-Jane", "Smith", "", "", "97202", 0},             /* another ZIP */
        {"Mary-Jane", "Smith", "555-010", "", "", 0},           /* 6 digits */
        {"Mary-Jane", "Smith", "", "", "", 0},                  /* the name alone */
        {"Mary", "Smith", "503-555-0100", "", "", 0},           /* another name */
        {"Mary-Jane", "Smithson", "503-555-0100", "", "", 0},   /* a longer one */
        {"Huong", "Nguyen", "", "huong@example.org", "", 1},    /* accents aside */
        {"Juergen", "Mueller", "", "", "10115", 1},             /* second spelling */
        {"Jurgen", "Muller", "", "", "10 115", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "%s", cases[i].given);
        snprintf(p.family, sizeof p.family, "%s", cases[i].family);
        snprintf(p.phone, sizeof p.phone, "%s", cases[i].phone);
        snprintf(p.email, sizeof p.email, "%s", cases[i].email);
        snprintf(p.zip, sizeof p.zip, "%s", cases[i].zip);
        CHECK_INT(kstore_possible_match(w.s, &p, &m, &found, &w.err), 0);
        if (found != cases[i].found)
            fprintf(stderr, "   case %zu (%s %s): found %d\n", i, p.given, p.family, found);
        CHECK_INT(found, cases[i].found);
    }
    /* what the check shows is what search shows, nothing more */
    kperson p;
    memset(&p, 0, sizeof p);
    strcpy(p.given, "Mary Jane");
    strcpy(p.family, "Smith");
    strcpy(p.phone, "5035550100");
    CHECK_INT(kstore_possible_match(w.s, &p, &m, &found, &w.err), 0);
    CHECK_INT(found, 1);
    CHECK_STR(m.person_id, mj);
    CHECK_STR(m.first, "Mary-Jane");
    CHECK_STR(m.initial, "S");
    CHECK_STR(m.hint, "97201");
    world_close(&w);
}

/* Old data: a store made by the kiosk of schema 2 is migrated on first
 * start, its records untouched and its name index rebuilt. */
static void test_migrate_v2_fixture(void)
{
    char dir[64], path[128];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    FILE *fx = fopen(KIOSK_TEST_DATA "/store-v2.sql", "r");
    CHECK(fx != NULL);
    if (!fx)
        return;
    static char sql[1 << 16];
    size_t len = fread(sql, 1, sizeof sql - 1, fx);
    fclose(fx);
    sql[len] = '\0';
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    kclock c;
    kclock_virtual v;
    kstore *s = NULL;
    kerr err;
    kclock_virtual_init(&c, &v, BASE_WALL, NULL);
    CHECK_INT(kstore_open(&s, dir, &c, &err), 0);
    if (!s) {
        fprintf(stderr, "   open fixture: %s\n", err.msg);
        rm_dir(dir);
        return;
    }
    CHECK_INT(kstore_user_version(s), kstore_schema_version());
    CHECK_INT(kstore_schema_version(), 8);   /* 7: the hub's roster, 8: its merged ids counted once (issue 12) */
    /* found the new ways, which schema 2's index could not */
    FINDS(s, "delacruz", "Maria");
    FINDS(s, "de la cruz", "Jose");
    FINDS(s, "dela cruz", "Maria");
    FINDS(s, "maryjane", "Mary-Jane");
    FINDS(s, "mueller", "Jürgen");
    FINDS(s, "osei", "Ama");
    FINDS(s, "soeren", "Søren");
    FINDS(s, "oedegaard", "Søren");
    /* and as before */
    FINDS(s, "huong", "Hương");
    FINDS(s, "陈美玲", "美玲");
    FINDS(s, "美玲", "美玲");
    FINDS(s, "oconnor", "Siobhán");
    FINDS(s, "kaiulani", "Kaʻiulani");
    kstore_close(s);

    /* the records are those of the fixture, one index row each */
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    const char *q = "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM people_fts), "
                    "(SELECT count(*) FROM checkins), "
                    "(SELECT group_concat(given || '|' || family, ';') FROM "
                    " (SELECT given, family FROM people ORDER BY seq))";
    CHECK_INT(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 10);
    CHECK_INT(sqlite3_column_int(st, 1), 10);
    CHECK_INT(sqlite3_column_int(st, 2), 10);
    CHECK_STR((const char *)sqlite3_column_text(st, 3),
              "Mary-Jane|Smith;Maria|De la Cruz;Jose|Dela Cruz;Jürgen|Müller;Hương|Nguyễn;"
              "美玲|陈;Ama|Ɔsei;Siobhán|O'Connor;Kaʻiulani|Kealoha;Søren|Ødegaard");
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_exec(db, "PRAGMA integrity_check", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    /* opening again changes nothing more */
    CHECK_INT(kstore_open(&s, dir, &c, &err), 0);
    if (s) {
        FINDS(s, "delacruz", "Jose");
        kstore_close(s);
    }
    rm_dir(dir);
}

/* Old data: a store made by the kiosk of schema 4 (suffix tokens, prefix
 * indexes 1-3, given names in the family names' term space) is migrated on
 * first start: its index made anew, given-name terms marked, and every
 * way of finding someone still finds them, in the same order. */
static void test_migrate_v4_fixture(void)
{
    char dir[64], path[128];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    FILE *fx = fopen(KIOSK_TEST_DATA "/store-v4.sql", "r");
    CHECK(fx != NULL);
    if (!fx)
        return;
    static char sql[1 << 16];
    size_t len = fread(sql, 1, sizeof sql - 1, fx);
    fclose(fx);
    sql[len] = '\0';
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    /* the fixture is what it says: schema 4, given names unmarked */
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT (SELECT user_version FROM pragma_user_version), "
                                     "(SELECT count(*) FROM people_fts WHERE given_key "
                                     "LIKE char(57344) || '%')", -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 4);
    CHECK_INT(sqlite3_column_int(st, 1), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);

    kclock c;
    kclock_virtual v;
    kstore *s = NULL;
    kerr err;
    kclock_virtual_init(&c, &v, BASE_WALL, NULL);
    CHECK_INT(kstore_open(&s, dir, &c, &err), 0);
    if (!s) {
        fprintf(stderr, "   open fixture: %s\n", err.msg);
        rm_dir(dir);
        return;
    }
    CHECK_INT(kstore_user_version(s), kstore_schema_version());
    FINDS(s, "delacruz", "Maria");
    FINDS(s, "de la cruz", "Jose");
    FINDS(s, "cruz", "Jose");
    FINDS(s, "maryjane", "Mary-Jane");
    FINDS(s, "jane", "Mary-Jane");
    FINDS(s, "mary smith", "Mary-Jane");
    FINDS(s, "smith mary", "Mary-Jane");
    FINDS(s, "mueller", "Jürgen");
    FINDS(s, "juergen mu", "Jürgen");
    FINDS(s, "huong", "Hương");
    FINDS(s, "nguyen huong", "Hương");
    FINDS(s, "陈美玲", "美玲");
    FINDS(s, "美玲", "美玲");
    FINDS(s, "oconnor", "Siobhán");
    FINDS(s, "kaiulani", "Kaʻiulani");
    FINDS(s, "oedegaard", "Søren");
    MISSES(s, "smithx", "Mary-Jane");
    /* given-name matches, in name order: "ma" begins Maria's and
     * Mary-Jane's given names and no family name */
    kmatch m[8];
    int n = 0, total = 0;
    CHECK_INT(kstore_search_event(s, "ma", NULL, m, 8, &n, &total, &err), 0);
    CHECK_INT(n, 2);
    CHECK_INT(total, 2);
    if (n == 2) {
        CHECK_STR(m[0].first, "Maria");
        CHECK_STR(m[1].first, "Mary-Jane");
    }
    /* a family name only: "ke" begins Kealoha, no given name */
    CHECK_INT(kstore_search_event(s, "ke", NULL, m, 8, &n, &total, &err), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(m[0].first, "Kaʻiulani");
    /* the duplicate check asks the new index for whole name parts */
    kperson p;
    memset(&p, 0, sizeof p);
    strcpy(p.given, "Mary Jane");
    strcpy(p.family, "Smith");
    strcpy(p.phone, "503 555 0100");
    int found = 0;
    CHECK_INT(kstore_possible_match(s, &p, &m[0], &found, &err), 0);
    CHECK_INT(found, 1);
    kstore_close(s);

    /* the records are those of the fixture, one marked index row each */
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM people), "
                                     "(SELECT count(*) FROM people_fts), "
                                     "(SELECT count(*) FROM people_fts WHERE given_key "
                                     "LIKE char(57344) || '%'), (SELECT count(*) FROM checkins)",
                                 -1, &st, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 10);
    CHECK_INT(sqlite3_column_int(st, 1), 10);
    CHECK_INT(sqlite3_column_int(st, 2), 10);
    CHECK_INT(sqlite3_column_int(st, 3), 10);
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_exec(db, "PRAGMA integrity_check; "
                               "INSERT INTO people_fts(people_fts) VALUES ('integrity-check')",
                           NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    rm_dir(dir);
}

int main(void)
{
    RUN(test_separators);
    RUN(test_second_spellings);
    RUN(test_count_and_mark);
    RUN(test_possible_match);
    RUN(test_migrate_v2_fixture);
    RUN(test_migrate_v4_fixture);
    return ktest_summary();
}
