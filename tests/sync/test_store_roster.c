/*
 * test_store_roster.c - the kiosk's half of the roster download without a
 * network (issue 12): the page check (sync/roster.c) against hostile
 * pages, the store's apply (kiosk/core/store_roster.c), and the migration
 * of a kiosk database of schema 4 (tests/fixtures/kiosk-schema4.db).
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kbuf.h"
#include "kclock.h"
#include "ktest.h"
#include "roster.h"
#include "store.h"
#include "surveys.h"

#define RID "5d0f6c1e9b2a4c3d8e7f60718293a4b5"
#define P1 "aa000000000000000000000000000001"
#define P2 "aa000000000000000000000000000002"
#define E1 "ee000000000000000000000000000001"

static kclock clk;

/* Copies a file; 0 on success. */
static int copy_file(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    return system(cmd);
}

/* One value of a query on the kiosk database as text ("" if none). */
static void q1(kstore *s, const char *sql, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(kstore_path(s), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
            sqlite3_column_text(st, 0))
            snprintf(out, cap, "%s", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

static long qn(kstore *s, const char *sql)
{
    char b[64];
    q1(s, sql, b, sizeof b);
    return strtol(b, NULL, 10);
}

/* Parses text as a page after since; returns the parse's code. */
static int parse(const char *text, int64_t since, ksync_roster_page *p, kerr *e)
{
    return ksync_roster_parse(text, strlen(text), since, p, e);
}

static void test_page_checks(void)
{
    ksync_roster_page p;
    kerr e = {0};
    const char *good =
        "{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":["
        "{\"seq\":3,\"kind\":\"person\",\"data\":{\"id\":\"" P1 "\",\"given\":\"Hương\","
        "\"family\":\"Nguyễn\",\"hint\":\"95112\"}},"
        "{\"seq\":4,\"kind\":\"event\",\"data\":{\"id\":\"" E1 "\",\"name\":\"Camp\",\"program\":\"youth\","
        "\"date\":\"2026-07-06\",\"survey\":\"\",\"link\":\"\"}},"
        "{\"seq\":5,\"kind\":\"alias\",\"data\":{\"id\":\"" P2 "\",\"to\":\"" P1 "\"}}],"
        "\"cursor\":5,\"more\":false}";
    CHECK_INT(parse(good, 2, &p, &e), 0);
    CHECK_INT(p.n, 3);
    CHECK_INT(p.cursor, 5);
    CHECK_STR(p.changes[0].given, "Hương");
    CHECK_INT(p.changes[2].kind, KROSTER_ALIAS);
    ksync_roster_page_free(&p);

    struct { const char *text, *want; } bad[] = {
        {"not json", "not JSON"},
        {"{\"protocol\":1,\"roster_id\":\"" RID "\",\"changes\":[],\"cursor\":2,\"more\":false}", "protocol"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"person\",\"data\":"
         "{\"id\":\"XYZ\",\"given\":\"A\",\"family\":\"B\",\"hint\":\"\"}}],\"cursor\":3,\"more\":false}",
         "changes[0].data.id: expected 32 lower-case hex digits"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"person\",\"data\":"
         "{\"id\":\"" P1 "\",\"given\":\"A\\u0000B\",\"family\":\"B\",\"hint\":\"\"}}],\"cursor\":3,"
         "\"more\":false}", "\\u0000"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"person\",\"data\":"
         "{\"id\":\"" P1 "\",\"given\":\"A\xff\",\"family\":\"B\",\"hint\":\"\"}}],\"cursor\":3,"
         "\"more\":false}", "UTF-8"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"person\",\"data\":"
         "{\"id\":\"" P1 "\",\"given\":\"A\\nB\",\"family\":\"B\",\"hint\":\"\"}}],\"cursor\":3,"
         "\"more\":false}", "given: expected at most 60 characters"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"person\",\"data\":"
         "{\"id\":\"" P1 "\",\"given\":\"A\",\"family\":\"B\",\"hint\":\"\",\"phone\":1.5}}],\"cursor\":3,"
         "\"more\":false}", "expected an integer"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":2,\"kind\":\"forget\",\"data\":"
         "{\"id\":\"" P1 "\"}}],\"cursor\":2,\"more\":false}", "is not above 2"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"forget\",\"data\":"
         "{\"id\":\"" P1 "\"}}],\"cursor\":9,\"more\":false}", "cursor: 9 is not the last"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"event\",\"data\":"
         "{\"id\":\"" E1 "\",\"name\":\"X\",\"program\":\"\",\"date\":\"2026-02-30\",\"survey\":\"\","
         "\"link\":\"\"}}],\"cursor\":3,\"more\":false}", "date"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"wipe\",\"data\":{}}],"
         "\"cursor\":3,\"more\":false}", "unknown kind"},
        {"{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":[{\"seq\":3,\"kind\":\"forget\",\"data\":"
         "{\"id\":\"00000000000000000000000000000000\"}}],\"cursor\":3,\"more\":false}", "hex"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        int rc = parse(bad[i].text, 2, &p, &e);
        CHECK_INT(rc, KERR_INVALID);
        if (!strstr(e.msg, bad[i].want))
            fprintf(stderr, "  page %zu: message \"%s\" lacks \"%s\"\n", i, e.msg, bad[i].want);
        CHECK(strstr(e.msg, bad[i].want) != NULL);
        CHECK_INT(p.n, 0);
    }
    /* a survey that fails the check is left out, the rest kept */
    const char *sv =
        "{\"protocol\":2,\"roster_id\":\"" RID "\",\"changes\":["
        "{\"seq\":3,\"kind\":\"survey\",\"data\":{\"key\":\"bad\",\"version\":1,\"text\":\"row,key\\n1\"}},"
        "{\"seq\":4,\"kind\":\"forget\",\"data\":{\"id\":\"" P1 "\"}}],\"cursor\":4,\"more\":false}";
    CHECK_INT(parse(sv, 2, &p, &e), 0);
    CHECK_INT(p.n, 1);
    CHECK_INT(p.skipped, 1);
    CHECK(strstr(p.skipped_note, "hub survey bad refused: it fails the survey check") != NULL);
    ksync_roster_page_free(&p);
    /* an oversized page is refused before it is parsed */
    size_t big = KSYNC_ROSTER_MAX_BYTES + 10;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    CHECK_INT(ksync_roster_parse(huge, big, 0, &p, &e), KERR_INVALID);
    CHECK(strstr(e.msg, "more than") != NULL);
    free(huge);
}

/* A person change. */
static kroster_change person(int64_t seq, const char *id, const char *given, const char *family,
                             const char *hint)
{
    kroster_change c;
    memset(&c, 0, sizeof c);
    c.seq = seq;
    c.kind = KROSTER_PERSON;
    c.id = id;
    c.given = given;
    c.family = family;
    c.hint = hint;
    return c;
}

static void test_apply(void)
{
    char dir[64], buf[256];
    ktest_tmpdir(dir, sizeof dir);
    kstore *s = NULL;
    kerr e = {0};
    CHECK_INT(kstore_open(&s, dir, &clk, &e), 0);
    kevent ev;
    CHECK_INT(kstore_event_add(s, "Night", "general", "2026-06-13", &ev, &e), 0);
    kperson me;
    memset(&me, 0, sizeof me);
    snprintf(me.given, sizeof me.given, "Linh");
    snprintf(me.family, sizeof me.family, "Võ");
    snprintf(me.phone, sizeof me.phone, "408-555-0100");
    CHECK_INT(kstore_signup(s, &me, ev.id, &e), 0);

    kroster_change c[6];
    c[0] = person(1, P1, "Hương", "Nguyễn", "95112");
    c[1] = person(2, P2, "Minh", "Trần", "Bootcamp");
    c[2] = person(3, me.id, "Evil", "Overwrite", "");       /* this kiosk's own: untouched */
    memset(&c[3], 0, sizeof c[3]);
    c[3].seq = 4;
    c[3].kind = KROSTER_EVENT;
    c[3].id = E1;
    c[3].name = "Hub Camp";
    c[3].program = "youth";
    c[3].date = "2026-07-06";
    c[3].survey = "";
    c[3].link = "";
    int applied = 0;
    CHECK_INT(kstore_roster_apply(s, RID, 4, c, 4, 3, &applied, &e), 0);
    CHECK_INT(applied, 3);
    kmatch m[6];
    int n = 0, total = 0;
    CHECK_INT(kstore_search_event(s, "huong", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(m[0].person_id, P1);
    CHECK_STR(m[0].hint, "95112");
    CHECK_INT(kstore_search_event(s, "minh tran", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(m[0].hint, "Bootcamp");
    q1(s, "SELECT given || phone FROM people WHERE id = (SELECT id FROM people WHERE given = 'Linh')",
       buf, sizeof buf);
    CHECK_STR(buf, "Linh408-555-0100");
    CHECK_INT(qn(s, "SELECT count(*) FROM people WHERE device_id = '" KSTORE_HUB_DEVICE "'"
                 " AND (phone <> '' OR email <> '' OR zip <> '')"), 0);
    /* check-in of a roster person at the hub's event: this kiosk's record */
    CHECK_INT(kstore_checkin(s, P1, E1, &e), 0);
    q1(s, "SELECT device_id FROM checkins WHERE person_id = '" P1 "'", buf, sizeof buf);
    CHECK_STR(buf, kstore_device_id(s));
    char rid[65];
    int64_t cur = 0;
    CHECK_INT(kstore_roster_state(s, rid, &cur, &e), 0);
    CHECK_STR(rid, RID);
    CHECK_INT(cur, 4);

    /* alias: P2 is P1; P2 leaves search, a check-in under P2 is P1's */
    kroster_change a;
    memset(&a, 0, sizeof a);
    a.seq = 5;
    a.kind = KROSTER_ALIAS;
    a.id = P2;
    a.to = P1;
    CHECK_INT(kstore_roster_apply(s, RID, 5, &a, 1, 3, &applied, &e), 0);
    CHECK_INT(kstore_search_event(s, "minh", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 0);
    CHECK_INT(kstore_checkin(s, P2, E1, &e), KERR_DUP);     /* P1 is checked in there already */
    CHECK_INT(kstore_checkin(s, P2, ev.id, &e), 0);
    CHECK_INT(qn(s, "SELECT count(*) FROM checkins WHERE person_id = '" P2 "'"), 0);
    CHECK_INT(qn(s, "SELECT count(*) FROM checkins WHERE person_id = '" P1 "'"), 2);

    /* a tombstone for a person signed up here that the hub does not hold
     * (acked 0): refused, nothing of the page applied */
    kroster_change t[2];
    t[0] = person(6, "aa000000000000000000000000000009", "New", "One", "");
    memset(&t[1], 0, sizeof t[1]);
    t[1].seq = 7;
    t[1].kind = KROSTER_FORGET;
    t[1].id = me.id;
    CHECK_INT(kstore_roster_apply(s, RID, 7, t, 2, 0, &applied, &e), KERR_INVALID);
    CHECK(strstr(e.msg, "does not hold yet") != NULL);
    CHECK_INT(qn(s, "SELECT count(*) FROM people WHERE given = 'New'"), 0);
    CHECK_INT(kstore_roster_state(s, rid, &cur, &e), 0);
    CHECK_INT(cur, 5);
    q1(s, "SELECT given FROM people WHERE phone = '408-555-0100'", buf, sizeof buf);
    CHECK_STR(buf, "Linh");
    /* once the hub holds it (acked 2 >= her seq), the forget is honoured */
    CHECK_INT(kstore_roster_apply(s, RID, 7, t, 2, 2, &applied, &e), 0);
    q1(s, "SELECT given || family || phone || email || zip FROM people WHERE id = "
       "(SELECT person_id FROM checkins WHERE is_new = 1 LIMIT 1)", buf, sizeof buf);
    CHECK_STR(buf, "");
    CHECK_INT(kstore_search_event(s, "linh", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 0);
    CHECK_INT(qn(s, "SELECT count(*) FROM checkins"), 3);    /* check-ins stay */

    /* a full disk: the page is not applied, earlier ones are kept */
    long pages = qn(s, "PRAGMA page_count");
    CHECK_INT(kstore_limit_pages(s, pages + 2, &e), 0);
    enum { N = 3000 };
    static kroster_change many[N];
    static char ids[N][33], names[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "bb%030d", i);
        snprintf(names[i], sizeof names[i], "Person%d", i);
        many[i] = person(100 + i, ids[i], names[i], "Full", "");
    }
    int rc = kstore_roster_apply(s, RID, 100 + N - 1, many, N, 2, &applied, &e);
    CHECK_INT(rc, KERR_FULL);
    CHECK(strstr(e.msg, "full") != NULL);
    CHECK_INT(qn(s, "SELECT count(*) FROM people WHERE family = 'Full'"), 0);
    CHECK_INT(kstore_roster_state(s, rid, &cur, &e), 0);
    CHECK_INT(cur, 7);
    CHECK_INT(kstore_search_event(s, "huong", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    kstore_close(s);
    /* room again (the cap was this connection's): the same page goes in */
    CHECK_INT(kstore_open(&s, dir, &clk, &e), 0);
    CHECK_INT(kstore_roster_apply(s, RID, 100 + N - 1, many, N, 2, &applied, &e), 0);
    CHECK_INT(qn(s, "SELECT count(*) FROM people WHERE family = 'Full'"), N);
    kstore_close(s);
}

/* A hub survey change as the download hands it over. */
static kroster_change survey_change(int64_t seq, const char *key, int version, const char *text)
{
    kroster_change c;
    memset(&c, 0, sizeof c);
    c.seq = seq;
    c.kind = KROSTER_SURVEY;
    c.id = key;
    c.version = version;
    c.text = text;
    return c;
}

#define HUB_SV(v, q) "row,key,type,required,options,show_if,en\n" \
    "survey,hub-camp,,,version=" #v ",,Hub camp\n" \
    "question,shirt,single,yes,,," q "\n" \
    "choice,s,,,,,Small\nchoice,m,,,,,Medium\n"

/* The hub's surveys in the kiosk's survey set: loaded at start, picked up
 * when a later sync brings them (the kiosk keeps running), a newer version
 * replacing the one in use without freeing it under a visit, and a file
 * that fails the check refused once with a line naming it. */
static void test_hub_surveys(void)
{
    char dir[64];
    ktest_tmpdir(dir, sizeof dir);
    kstore *s = NULL;
    kerr e = {0};
    CHECK_INT(kstore_open(&s, dir, &clk, &e), 0);
    ksurveys *l = ksurveys_new();
    CHECK(l != NULL);
    CHECK_INT(ksurveys_use_hub(l, s, &e), 0);
    CHECK_INT(ksurveys_count(l), 0);
    CHECK(ksurveys_find(l, "hub-camp") == NULL);
    /* a sync while the kiosk runs brings version 1 */
    kroster_change c = survey_change(1, "hub-camp", 1, HUB_SV(1, "Shirt size?"));
    int applied = 0;
    CHECK_INT(kstore_roster_apply(s, RID, 1, &c, 1, 0, &applied, &e), 0);
    const ksurvey *v1 = ksurveys_find(l, "hub-camp");
    CHECK(v1 != NULL);
    CHECK_INT(ksurvey_version(v1), 1);
    CHECK_INT(ksurveys_count(l), 1);
    CHECK(ksurveys_find(l, "hub-camp") == v1);          /* the same one while nothing changed */
    /* version 2: replaces it; version 1 stays readable (a visit may hold it) */
    c = survey_change(2, "hub-camp", 2, HUB_SV(2, "Which shirt size?"));
    CHECK_INT(kstore_roster_apply(s, RID, 2, &c, 1, 0, &applied, &e), 0);
    const ksurvey *v2 = ksurveys_find(l, "hub-camp");
    CHECK(v2 != NULL && v2 != v1);
    CHECK_INT(ksurvey_version(v2), 2);
    CHECK_INT(ksurvey_version(v1), 1);
    CHECK_INT(ksurveys_count(l), 1);
    /* a version 3 that fails the check (a damaged or hostile row): the
     * kiosk keeps version 2 and says why, once */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(kstore_path(s), &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE roster_surveys SET version = 3, body = 'row,key\n1,2\n'",
                           NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK(ksurveys_find(l, "hub-camp") == v2);
    CHECK(strstr(ksurveys_problems(l), "hub survey hub-camp refused: it fails the survey check") != NULL);
    size_t plen = strlen(ksurveys_problems(l));
    CHECK(ksurveys_find(l, "hub-camp") == v2);
    CHECK_INT((long)strlen(ksurveys_problems(l)), (long)plen);  /* not checked nor logged again */
    ksurveys_close(l);
    /* a fresh start with the broken row: no survey, the refusal named */
    l = ksurveys_new();
    CHECK_INT(ksurveys_use_hub(l, s, &e), 0);
    CHECK_INT(ksurveys_count(l), 0);
    CHECK(strstr(ksurveys_problems(l), "hub survey hub-camp refused") != NULL);
    ksurveys_close(l);
    kstore_close(s);
}

static void test_migration(void)
{
    char dir[64], path[128], buf[256];
    ktest_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    CHECK_INT(copy_file(KIOSK_TEST_FIXTURES "/kiosk-schema4.db", path), 0);
    kstore *s = NULL;
    kerr e = {0};
    CHECK_INT(kstore_open(&s, dir, &clk, &e), 0);
    CHECK_INT(kstore_user_version(s), kstore_schema_version());
    CHECK_INT(kstore_schema_version(), 8);
    CHECK_INT(qn(s, "SELECT count(*) FROM people"), 6);
    CHECK_INT(qn(s, "SELECT count(*) FROM people WHERE hint = ''"), 6);
    kmatch m[6];
    int n = 0, total = 0;
    CHECK_INT(kstore_search_event(s, "sokha3", NULL, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(m[0].hint, "Store Night");
    q1(s, "SELECT count(*) FROM roster_aliases", buf, sizeof buf);
    CHECK_STR(buf, "0");
    kstore_close(s);
}

/* Aliases and tombstones take a person out of the name index through the
 * rowid range of their name (kst_person_unindex), also a person whose row
 * went past that range: more than 32,768 people sharing the first 8
 * letters of their name ("anh nguy..."). */
static void test_unindex_spill(void)
{
    char dir[64];
    ktest_tmpdir(dir, sizeof dir);
    kstore *s = NULL;
    kerr e = {0};
    CHECK_INT(kstore_open(&s, dir, &clk, &e), 0);
    kevent ev;
    CHECK_INT(kstore_event_add(s, "Night", "general", "2026-06-13", &ev, &e), 0);
    enum { N = 33000, PG = 1000 };
    static char ids[N][33], fam[N][16];
    static kroster_change c[PG];
    int applied = 0;
    for (int p = 0; p < N / PG; p++) {
        for (int i = 0; i < PG; i++) {
            int k = p * PG + i;
            snprintf(ids[k], sizeof ids[k], "cc%030d", k);
            snprintf(fam[k], sizeof fam[k], "Nguyen%05d", k);
            c[i] = person(k + 1, ids[k], "Anh", fam[k], "");
        }
        CHECK_INT(kstore_roster_apply(s, RID, (p + 1) * PG, c, PG, 0, &applied, &e), 0);
    }
    /* the last ones spilled past their range: found all the same */
    long lo = qn(s, "SELECT min(rowid) FROM people_fts");
    long spilled = qn(s, "SELECT count(*) FROM people_fts WHERE rowid > (SELECT min(rowid) FROM people_fts) + 32767");
    CHECK(lo > 0 && spilled == N - 32768);
    kmatch m[6];
    int n = 0, total = 0;
    CHECK_INT(kstore_search_event(s, "anh nguyen32999", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    CHECK_INT(kstore_search_event(s, "anh nguyen00010", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    /* one in range and one spilled merged away, one of each forgotten */
    kroster_change a[4];
    memset(a, 0, sizeof a);
    a[0].seq = N + 1, a[0].kind = KROSTER_ALIAS, a[0].id = ids[10], a[0].to = ids[11];
    a[1].seq = N + 2, a[1].kind = KROSTER_ALIAS, a[1].id = ids[32999], a[1].to = ids[11];
    a[2].seq = N + 3, a[2].kind = KROSTER_FORGET, a[2].id = ids[20];
    a[3].seq = N + 4, a[3].kind = KROSTER_FORGET, a[3].id = ids[32990];
    CHECK_INT(kstore_roster_apply(s, RID, N + 4, a, 4, 0, &applied, &e), 0);
    const char *gone[] = {"anh nguyen00010", "anh nguyen32999", "anh nguyen00020", "anh nguyen32990"};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(kstore_search_event(s, gone[i], ev.id, m, 6, &n, &total, &e), 0);
        CHECK_INT(n, 0);
    }
    CHECK_INT(kstore_search_event(s, "anh nguyen00011", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    CHECK_INT(kstore_search_event(s, "anh nguyen32998", ev.id, m, 6, &n, &total, &e), 0);
    CHECK_INT(n, 1);
    /* one index row per searchable person (invariant 4 of store.c, less
     * the merged ids, whose rows stay for their check-ins) */
    CHECK_INT(qn(s, "SELECT count(*) FROM people_fts"), N - 4);
    /* an alias of an id already out of the index, or unknown: nothing to do */
    a[0].seq = N + 5, a[1].seq = N + 6, a[1].id = "dd000000000000000000000000000001";
    CHECK_INT(kstore_roster_apply(s, RID, N + 6, a, 2, 0, &applied, &e), 0);
    CHECK_INT(qn(s, "SELECT count(*) FROM people_fts"), N - 4);
    kstore_close(s);
}

/* Rows the attendance file would have for event_id: "person_id," each. */
static int attendance_rows(kstore *s, const char *event_id, char *out, size_t cap)
{
    kscope sc = {0};
    sc.event_id = event_id;
    kattend_cursor *c = NULL;
    kerr e = {0};
    out[0] = '\0';
    if (kstore_attendance_open(s, &sc, &c, &e) != 0)
        return -1;
    kattendance r;
    const kattend_answer *a;
    int na, n = 0, rc;
    while ((rc = kstore_attendance_next(c, &r, &a, &na, &e)) == 1) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s,", r.person_id);
        n++;
    }
    kstore_attendance_close(c);
    return rc == 0 ? n : -1;
}

static int count_row(const kcheckin *c, void *ctx)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

/* Two ids checked in at one event before the hub said they are one
 * person: the staff counts (totals, new people, arrivals) and the
 * attendance file count that person once, the earliest check-in kept;
 * other events and people are untouched; a kiosk store of schema 7 that
 * applied the alias before this rule is recounted by schema step 8. */
static void test_counts_merged(void)
{
    char dir[64], rows[512];
    ktest_tmpdir(dir, sizeof dir);
    kclock c;
    kclock_virtual vc;
    kclock_virtual_init(&c, &vc, 1780000000000LL, "boot-1");
    kstore *s = NULL;
    kerr e = {0};
    CHECK_INT(kstore_open(&s, dir, &c, &e), 0);
    kevent ev, other;
    CHECK_INT(kstore_event_add(s, "Night", "general", "2026-06-13", &ev, &e), 0);
    CHECK_INT(kstore_event_add(s, "Other", "general", "2026-06-14", &other, &e), 0);
    kroster_change p[3] = {person(1, P1, "Minh", "Trần", ""), person(2, P2, "Minh", "Tran", ""),
                           person(3, "aa000000000000000000000000000003", "Lan", "Phạm", "")};
    int applied = 0;
    CHECK_INT(kstore_roster_apply(s, RID, 3, p, 3, 0, &applied, &e), 0);
    /* this kiosk's own sign-up of the same youth, then the roster ids */
    kperson me;
    memset(&me, 0, sizeof me);
    snprintf(me.given, sizeof me.given, "Minh");
    snprintf(me.family, sizeof me.family, "Tran");
    CHECK_INT(kstore_signup(s, &me, ev.id, &e), 0);            /* new, at 0 min */
    vc.now_ms += 5 * 60000;
    CHECK_INT(kstore_checkin(s, P2, ev.id, &e), 0);            /* at 5 min */
    vc.now_ms += 5 * 60000;
    CHECK_INT(kstore_checkin(s, P1, ev.id, &e), 0);            /* at 10 min */
    CHECK_INT(kstore_checkin(s, p[2].id, ev.id, &e), 0);       /* Lan, another person */
    CHECK_INT(kstore_checkin(s, P2, other.id, &e), 0);
    kevent_stats st;
    CHECK_INT(kstore_event_stats(s, ev.id, &st, &e), 0);
    CHECK_INT(st.checkins, 4);
    CHECK_INT(attendance_rows(s, ev.id, rows, sizeof rows), 4);
    /* the hub: P2 and the kiosk's sign-up are P1 */
    kroster_change a[2];
    memset(a, 0, sizeof a);
    a[0].seq = 4, a[0].kind = KROSTER_ALIAS, a[0].id = P2, a[0].to = P1;
    a[1].seq = 5, a[1].kind = KROSTER_ALIAS, a[1].id = me.id, a[1].to = P1;
    CHECK_INT(kstore_roster_apply(s, RID, 5, a, 2, 99, &applied, &e), 0);
    CHECK_INT(kstore_event_stats(s, ev.id, &st, &e), 0);
    CHECK_INT(st.checkins, 2);                 /* Minh once, Lan */
    CHECK_INT(st.new_people, 1);               /* the earliest of Minh's check-ins: the sign-up */
    CHECK_INT(st.returning, 1);
    CHECK_INT(qn(s, "SELECT sum(n) FROM event_arrivals WHERE event_id = (SELECT id FROM events"
                 " WHERE name = 'Night')"), 2);
    CHECK_INT(kstore_event_stats(s, other.id, &st, &e), 0);
    CHECK_INT(st.checkins, 1);                 /* another event: as it was */
    long total = 0;
    kscope sc = {0};
    sc.event_id = ev.id;
    CHECK_INT(kstore_attendance_count(s, &sc, &total, &e), 0);
    CHECK_INT(total, 2);
    CHECK_INT(attendance_rows(s, ev.id, rows, sizeof rows), 2);
    char want[200];
    snprintf(want, sizeof want, "%s,%s,", me.id, p[2].id);
    CHECK_STR(rows, want);                     /* the sign-up kept, Lan */
    /* the staff list too: Lan (newest), then Minh's earliest (the sign-up);
     * paging from a row and the whole list agree */
    kcheckin list[8];
    int got = 0;
    CHECK_INT(kstore_checkins_page(s, ev.id, KSTORE_PAGE_TOP, NULL, list, 8, &got, &e), 0);
    CHECK_INT(got, 2);
    CHECK_STR(list[0].person_id, p[2].id);
    CHECK_STR(list[1].person_id, me.id);
    kcheckin lan = list[0];
    CHECK_INT(kstore_checkins_page(s, ev.id, KSTORE_PAGE_OLDER, &lan, list, 8, &got, &e), 0);
    CHECK_INT(got, 1);
    CHECK_STR(list[0].person_id, me.id);
    kcheckin first = list[0];
    CHECK_INT(kstore_checkins_page(s, ev.id, KSTORE_PAGE_NEWER, &first, list, 8, &got, &e), 0);
    CHECK_INT(got, 1);
    CHECK_STR(list[0].person_id, p[2].id);
    int each = 0;
    CHECK_INT(kstore_checkins_each(s, ev.id, count_row, &each, &e), 0);
    CHECK_INT(each, 2);
    CHECK_INT(attendance_rows(s, other.id, rows, sizeof rows), 1);
    /* later check-ins of that person under any id: refused, counts stay */
    CHECK_INT(kstore_checkin(s, P1, ev.id, &e), KERR_DUP);
    CHECK_INT(kstore_checkin(s, P2, ev.id, &e), KERR_DUP);
    CHECK_INT(kstore_event_stats(s, ev.id, &st, &e), 0);
    CHECK_INT(st.checkins, 2);
    /* the rows stay for the hub (each id's record travels as it was) */
    CHECK_INT(qn(s, "SELECT count(*) FROM checkins WHERE event_id = (SELECT id FROM events"
                 " WHERE name = 'Night')"), 4);
    kstore_close(s);

    /* a store of schema 7 with the alias applied and both counted (as the
     * kiosk left it before step 8): recounted when opened */
    sqlite3 *db = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE event_totals SET checkins = 4, new_people = 1"
                           " WHERE event_id = (SELECT id FROM events WHERE name = 'Night');"
                           "UPDATE event_arrivals SET n = n + 1 WHERE event_id = (SELECT id FROM"
                           " events WHERE name = 'Night') AND minute = (SELECT max(minute) FROM"
                           " event_arrivals);"
                           "PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(kstore_open(&s, dir, &c, &e), 0);
    CHECK_INT(kstore_user_version(s), 8);
    CHECK_INT(kstore_event_stats(s, ev.id, &st, &e), 0);
    CHECK_INT(st.checkins, 2);
    CHECK_INT(st.new_people, 1);
    CHECK_INT(qn(s, "SELECT sum(n) FROM event_arrivals WHERE event_id = (SELECT id FROM events"
                 " WHERE name = 'Night')"), 2);
    CHECK_INT(kstore_event_stats(s, other.id, &st, &e), 0);
    CHECK_INT(st.checkins, 1);
    kstore_close(s);
}

int main(void)
{
    kclock_system(&clk);
    RUN(test_page_checks);
    RUN(test_apply);
    RUN(test_migration);
    RUN(test_hub_surveys);
    RUN(test_unindex_spill);
    RUN(test_counts_merged);
    return ktest_summary();
}
