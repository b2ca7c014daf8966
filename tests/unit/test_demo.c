/*
 * test_demo.c - `kiosk demo seed` underneath (kdemo_fill, kiosk/core/demo.c):
 * what it promises a person trying a kiosk with a year of data, checked in
 * the database itself: the counts asked for, each person signed up once at
 * the first event they came to and at most once an event, events dated
 * back over a year with the last one today and current, every check-in
 * within its event's day, the same names for the same seed, and clear
 * refusals of counts that cannot be.
 */
#include <sqlite3.h>
#include <time.h>

#include "demo.h"
#include "ktest.h"
#include "store.h"

#define NOW_MS 1765000000000LL              /* 2025-12-06 05:46:40 UTC */

typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vc;
    kstore *s;
    sqlite3 *db;
    kerr err;
} world;

/* A store whose clock stands a year before NOW_MS. */
static void open_world(world *w)
{
    memset(w, 0, sizeof *w);
    setenv("TZ", "America/Los_Angeles", 1);
    tzset();
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vc, NOW_MS - 366LL * 86400000, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "open: %s\n", w->err.msg);
        exit(1);
    }
}

/* The database, read by SQLite itself. */
static sqlite3 *reader(world *w)
{
    char path[128];
    snprintf(path, sizeof path, "%s/kiosk.db", w->dir);
    if (!w->db && sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    return w->db;
}

/* One integer from a query. */
static long long q(world *w, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(reader(w), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(reader(w)));
    sqlite3_finalize(st);
    return v;
}

static void close_world(world *w)
{
    sqlite3_close(w->db);
    kstore_close(w->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", w->dir);
}

/* Local YYYY-MM-DD of a time in ms. */
static void local_date(int64_t ms, char out[11])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_year(void)
{
    world w;
    open_world(&w);
    kdemo_fill_opts o = {.people = 300, .checkins = 900, .events = 5, .seed = 1,
                         .vclock = &w.vc, .now_ms = NOW_MS};
    kdemo_fill_result res;
    CHECK_INT(kdemo_fill(w.s, &o, &res, &w.err), 0);
    CHECK_INT(res.people, 300);
    CHECK_INT(res.checkins, 900);
    CHECK_INT(res.events, 5);
    CHECK_INT(q(&w, "SELECT count(*) FROM people"), 300);
    CHECK_INT(q(&w, "SELECT count(*) FROM checkins"), 900);
    CHECK_INT(q(&w, "SELECT count(*) FROM events"), 5);
    CHECK_INT(q(&w, "SELECT count(*) FROM people_fts"), 300);   /* all findable */
    /* everyone signed up exactly once, at the first event they came to */
    CHECK_INT(q(&w, "SELECT count(*) FROM (SELECT person_id FROM checkins GROUP BY person_id "
                    "HAVING sum(is_new) = 1)"), 300);
    CHECK_INT(q(&w, "SELECT count(*) FROM checkins c WHERE c.is_new = 1 AND EXISTS (SELECT 1 "
                    "FROM checkins d WHERE d.person_id = c.person_id AND d.wall_ms < c.wall_ms)"),
              0);
    /* each check-in on its event's day, in the event's four hours */
    CHECK_INT(q(&w, "SELECT count(*) FROM checkins c JOIN events e ON e.id = c.event_id "
                    "WHERE date(c.wall_ms / 1000, 'unixepoch', 'localtime') <> e.date"), 0);
    CHECK(q(&w, "SELECT max(wall_ms) - min(wall_ms) FROM checkins GROUP BY event_id "
                "ORDER BY 1 DESC LIMIT 1") <= 4 * 3600 * 1000LL);
    CHECK(q(&w, "SELECT max(wall_ms) FROM checkins") <= NOW_MS);
    /* a year: the first event about a year back, the last today and current */
    char today[11], first[11];
    local_date(NOW_MS, today);
    local_date(NOW_MS - 292LL * 86400000, first);          /* 4 * 365 / 5 days back */
    kevent cur;
    CHECK_INT(kstore_event_current(w.s, &cur, &w.err), 0);
    CHECK_STR(cur.date, today);
    CHECK_STR(cur.id, res.current.id);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(reader(&w), "SELECT min(date) FROM events", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), first);
    sqlite3_finalize(st);
    /* the events share the check-ins evenly */
    CHECK_INT(q(&w, "SELECT min(n) FROM (SELECT count(*) n FROM checkins GROUP BY event_id)"),
              180);
    close_world(&w);
}

/* The names of a store, in the order they were written. */
static void names(world *w, char *out, size_t cap)
{
    sqlite3_stmt *st;
    size_t n = 0;
    out[0] = '\0';
    sqlite3_prepare_v2(reader(w), "SELECT given || ' ' || family FROM people ORDER BY seq",
                       -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && n + 80 < cap)
        n += (size_t)snprintf(out + n, cap - n, "%s|", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void test_same_seed_same_names(void)
{
    static char a[16384], b[16384];
    world w;
    for (int run = 0; run < 2; run++) {
        open_world(&w);
        kdemo_fill_opts o = {.people = 60, .checkins = 60, .seed = 9, .vclock = &w.vc,
                             .now_ms = NOW_MS};
        kdemo_fill_result res;
        CHECK_INT(kdemo_fill(w.s, &o, &res, &w.err), 0);
        CHECK_INT(res.events, 1);               /* as few events as the check-ins need */
        names(&w, run ? b : a, sizeof a);
        close_world(&w);
    }
    CHECK(a[0] != '\0');
    CHECK_STR(a, b);
}

static void test_refused(void)
{
    world w;
    open_world(&w);
    kdemo_fill_opts o = {.people = 100, .checkins = 50, .vclock = &w.vc, .now_ms = NOW_MS};
    CHECK_INT(kdemo_fill(w.s, &o, NULL, &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "--checkins 50 is less than --people 100") != NULL);
    o.checkins = 301;
    o.events = 3;
    CHECK_INT(kdemo_fill(w.s, &o, NULL, &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "once an event") != NULL);
    o.people = 0;
    CHECK_INT(kdemo_fill(w.s, &o, NULL, &w.err), KERR_INVALID);
    CHECK_INT(q(&w, "SELECT count(*) FROM people"), 0);     /* nothing written */
    CHECK_INT(q(&w, "SELECT count(*) FROM events"), 0);
    /* without an event count: as many as the check-ins need */
    o.people = 10;
    o.checkins = 25;
    o.events = 0;
    kdemo_fill_result res;
    CHECK_INT(kdemo_fill(w.s, &o, &res, &w.err), 0);
    CHECK_INT(res.events, 3);
    CHECK_INT(q(&w, "SELECT count(*) FROM checkins"), 25);
    close_world(&w);
}

int main(void)
{
    RUN(test_year);
    RUN(test_same_seed_same_names);
    RUN(test_refused);
    return ktest_summary();
}
