/*
 * test_staff_store.c - the staff screen's reads and the export's cursor
 * (kiosk/core/store_staff.c), against answers computed here by brute
 * force, and schema 3's migration of a store written by the kiosk before
 * it (tests/fixtures/kiosk-schema2.db, made by `kiosk demo seed --people
 * 30 --checkins 80 --events 3` and `kiosk event add` at schema 2).
 *
 * What a person would check: the counts on the staff screen are the
 * check-ins there are, however they were written (kiosk, raw insert,
 * delete); paging down and back up shows every check-in once, newest
 * first, and the same pages; the arrivals chart counts what a person
 * counting the check-ins per quarter hour would; nothing stored before the
 * upgrade is lost, and an upgraded store counts and pages like a new one.
 */
#include <sqlite3.h>
#include <time.h>

#include "flow.h"
#include "ktest.h"
#include "store.h"

#define BASE_WALL 1765000000000LL

typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vc;
    kstore *s;
    kerr err;
    kevent ev, other;
} world;

static void rm_tree(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* One integer from SQL on the store's file, through a connection of its
 * own (as another program would read it). */
static long long raw(const char *dir, const char *sql)
{
    char path[128];
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

/* Runs SQL on the store's file through a connection of its own. */
static int raw_exec(const char *dir, const char *sql)
{
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}

/* A store with n check-ins at one event, arrivals at uneven gaps (some at
 * the same ms, as a batch would write them), and a second event. */
static void open_world(world *w, int n)
{
    memset(w, 0, sizeof *w);
    setenv("TZ", "Pacific/Honolulu", 1);
    tzset();
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vc, BASE_WALL, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "open: %s\n", w->err.msg);
        exit(1);
    }
    CHECK_INT(kstore_event_add(w->s, "Bootcamp", "youth", NULL, &w->ev, &w->err), 0);
    CHECK_INT(kstore_event_add(w->s, "Other", "general", NULL, &w->other, &w->err), 0);
    CHECK_INT(kstore_batch_begin(w->s, &w->err), 0);
    for (int i = 0; i < n; i++) {
        kperson p;
        memset(&p, 0, sizeof p);
        snprintf(p.given, sizeof p.given, "P%d", i);
        snprintf(p.family, sizeof p.family, "Lê");
        w->vc.now_ms += (i % 5 == 0) ? 0 : (i * 7919) % 170000;   /* ties included */
        CHECK_INT(kstore_signup(w->s, &p, i % 4 == 3 ? w->other.id : w->ev.id, &w->err), 0);
    }
    CHECK_INT(kstore_batch_commit(w->s, &w->err), 0);
}

static void close_world(world *w)
{
    kstore_close(w->s);
    rm_tree(w->dir);
}

/* Checks counts, paging and arrivals of event against SQL by brute force. */
static void check_event(world *w, const char *event_id, int page)
{
    char sql[512];
    int checkins = -1, fresh = -1;
    CHECK_INT(kstore_event_counts(w->s, event_id, &checkins, &fresh, &w->err), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM checkins WHERE event_id = '%s'", event_id);
    long long total = raw(w->dir, sql);
    CHECK_INT(checkins, total);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM checkins WHERE event_id = '%s' AND is_new",
             event_id);
    CHECK_INT(fresh, raw(w->dir, sql));

    /* down through every page, then back up: each row once, newest first */
    kcheckin rows[64], prev, last_first;
    int n = 0, seen = 0, pages = 0, ordered = 1;
    kstore_page_from from = KSTORE_PAGE_TOP;
    int64_t first_seq[256];
    memset(&prev, 0, sizeof prev);
    for (;;) {
        CHECK_INT(kstore_checkins_page(w->s, event_id, from, &prev, rows, page, &n, &w->err), 0);
        if (n == 0)
            break;
        if (pages < 256)
            first_seq[pages] = rows[0].seq;
        last_first = rows[0];
        for (int i = 0; i < n; i++) {
            if (seen > 0 && (rows[i].wall_ms > prev.wall_ms ||
                             (rows[i].wall_ms == prev.wall_ms && rows[i].seq >= prev.seq)))
                ordered = 0;
            prev = rows[i];
            seen++;
        }
        pages++;
        from = KSTORE_PAGE_OLDER;
    }
    CHECK_INT(seen, total);
    CHECK(ordered);
    /* back up from the last page: the same pages, in reverse */
    kcheckin top = total > 0 ? last_first : prev;
    int back = pages - 1, same = 1;
    CHECK_INT(kstore_checkins_page(w->s, event_id, KSTORE_PAGE_AT, &top, rows, 1, &n, &w->err),
              0);
    while (back > 0) {
        CHECK_INT(kstore_checkins_page(w->s, event_id, KSTORE_PAGE_NEWER, &top, rows, page, &n,
                                       &w->err), 0);
        CHECK(n > 0);
        if (n == 0)
            break;
        back--;
        if (back < 256 && n == page && rows[0].seq != first_seq[back])
            same = 0;
        top = rows[0];
    }
    CHECK(same);
    /* the newest row, as the top page shows it */
    snprintf(sql, sizeof sql, "SELECT seq FROM checkins WHERE event_id = '%s' "
             "ORDER BY wall_ms DESC, seq DESC LIMIT 1", event_id);
    CHECK_INT(kstore_checkins_page(w->s, event_id, KSTORE_PAGE_TOP, NULL, rows, 1, &n, &w->err),
              0);
    if (total > 0)
        CHECK_INT(rows[0].seq, raw(w->dir, sql));

    /* arrivals per quarter hour and per 7 s (not whole minutes), as
     * counted here; the latest 48 and 5 buckets */
    static const int64_t buckets[] = {15 * 60000, 7000, 3600000};
    static const int maxes[] = {48, 5, 2};
    for (int k = 0; k < 3; k++) {
        int counts[64], nb = -1, ok = 1;
        int64_t start = -1, b = buckets[k];
        CHECK_INT(kstore_arrivals(w->s, event_id, b, &start, counts, maxes[k], &nb, &w->err), 0);
        if (total == 0) {
            CHECK_INT(nb, 0);
            continue;
        }
        CHECK(nb >= 1 && nb <= maxes[k]);
        for (int i = 0; i < nb; i++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM checkins WHERE event_id = '%s' "
                     "AND wall_ms >= %lld AND wall_ms < %lld", event_id,
                     (long long)(start + i * b), (long long)(start + (i + 1) * b));
            if (counts[i] != raw(w->dir, sql))
                ok = 0;
        }
        CHECK(ok);
        CHECK(start % b == 0);
        /* the last bucket holds the last check-in; nothing later */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM checkins WHERE event_id = '%s' "
                 "AND wall_ms >= %lld", event_id, (long long)(start + nb * b));
        CHECK_INT(raw(w->dir, sql), 0);
        CHECK(counts[nb - 1] > 0);
    }
}

static void test_counts_pages_arrivals(void)
{
    world w;
    open_world(&w, 700);
    check_event(&w, w.ev.id, 7);
    check_event(&w, w.other.id, 40);
    /* a returning visit through the kiosk, a record written by another
     * program, one deleted: the totals follow every way */
    char pid[KIOSK_ID_HEX + 1];
    kcheckin r[1];
    int n = 0;
    CHECK_INT(kstore_checkins_page(w.s, w.other.id, KSTORE_PAGE_TOP, NULL, r, 1, &n, &w.err), 0);
    snprintf(pid, sizeof pid, "%s", r[0].person_id);
    w.vc.now_ms += 3600000;
    CHECK_INT(kstore_checkin(w.s, pid, w.ev.id, &w.err), 0);
    char sql[600];
    snprintf(sql, sizeof sql, "DELETE FROM checkins WHERE event_id = '%s' AND seq = (SELECT "
             "min(seq) FROM checkins WHERE event_id = '%s')", w.ev.id, w.ev.id);
    CHECK_INT(raw_exec(w.dir, sql), SQLITE_OK);
    check_event(&w, w.ev.id, 6);
    kevent empty;
    CHECK_INT(kstore_event_add(w.s, "Empty", "general", NULL, &empty, &w.err), 0);
    check_event(&w, empty.id, 6);
    CHECK_INT(kstore_checkins_page(w.s, "ffffffffffffffffffffffffffffffff", KSTORE_PAGE_TOP,
                                   NULL, r, 1, &n, &w.err), KERR_NOTFOUND);
    CHECK_INT(kstore_checkins_page(w.s, w.ev.id, KSTORE_PAGE_OLDER, NULL, r, 1, &n, &w.err),
              KERR_INVALID);
    close_world(&w);
}

/* The export's cursor: every check-in in scope once, in the order of
 * kstore_attendance_each, each with its visit's answers. */
static void test_cursor(void)
{
    world w;
    open_world(&w, 120);
    kcheckin r[4];
    int n = 0;
    CHECK_INT(kstore_checkins_page(w.s, w.ev.id, KSTORE_PAGE_TOP, NULL, r, 2, &n, &w.err), 0);
    CHECK_INT(kstore_answer_add(w.s, r[0].person_id, w.ev.id, "s", 1, "q1", "a", "en", &w.err),
              0);
    CHECK_INT(kstore_answer_add(w.s, r[0].person_id, w.ev.id, "s", 1, "q1", "b", "en", &w.err),
              0);
    CHECK_INT(kstore_answer_add(w.s, r[1].person_id, w.ev.id, "s", 1, "q2", "c", "en", &w.err),
              0);
    kscope scopes[3] = {{NULL, NULL}, {w.ev.id, NULL}, {NULL, "2000-01-01"}};
    for (int k = 0; k < 3; k++) {
        kattend_cursor *c = NULL;
        kattendance row;
        const kattend_answer *ans;
        int nans, got = 0, answers = 0;
        long count = -1;
        CHECK_INT(kstore_attendance_count(w.s, &scopes[k], &count, &w.err), 0);
        CHECK_INT(kstore_attendance_open(w.s, &scopes[k], &c, &w.err), 0);
        int rc;
        char last_event[KIOSK_ID_HEX + 1] = "";
        int64_t last_wall = 0;
        int ordered = 1, events = 0;
        while ((rc = kstore_attendance_next(c, &row, &ans, &nans, &w.err)) == 1) {
            if (strcmp(last_event, row.event_id) != 0) {
                events++;
                snprintf(last_event, sizeof last_event, "%s", row.event_id);
            } else if (row.wall_ms < last_wall) {
                ordered = 0;
            }
            last_wall = row.wall_ms;
            got++;
            answers += nans;
        }
        CHECK_INT(rc, 0);
        CHECK_INT(got, count);
        CHECK_INT(got, k == 1 ? 90 : 120);
        CHECK_INT(answers, 3);
        CHECK(ordered);
        CHECK_INT(events, k == 1 ? 1 : 2);
        kstore_attendance_close(c);
    }
    close_world(&w);
}

/* Schema 2 -> 3 on a store written by the kiosk before this change. */
static void test_migrate_fixture(void)
{
    world w;
    char cmd[512];
    memset(&w, 0, sizeof w);
    ktest_tmpdir(w.dir, sizeof w.dir);
    snprintf(cmd, sizeof cmd, "cp '%s/kiosk-schema2.db' '%s/kiosk.db'", KIOSK_TEST_FIXTURES,
             w.dir);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(raw(w.dir, "PRAGMA user_version"), 2);
    long long people = raw(w.dir, "SELECT count(*) FROM people");
    long long checkins = raw(w.dir, "SELECT count(*) FROM checkins");
    long long events = raw(w.dir, "SELECT count(*) FROM events");
    long long fts = raw(w.dir, "SELECT count(*) FROM people_fts");
    CHECK_INT(people, 30);
    CHECK_INT(checkins, 80);
    kclock_virtual_init(&w.clock, &w.vc, BASE_WALL, NULL);
    CHECK_INT(kstore_open(&w.s, w.dir, &w.clock, &w.err), 0);
    if (!w.s) {
        fprintf(stderr, "open: %s\n", w.err.msg);
        rm_tree(w.dir);
        return;
    }
    CHECK_INT(kstore_user_version(w.s), kstore_schema_version());
    CHECK_INT(raw(w.dir, "SELECT count(*) FROM people"), people);
    CHECK_INT(raw(w.dir, "SELECT count(*) FROM checkins"), checkins);
    CHECK_INT(raw(w.dir, "SELECT count(*) FROM events"), events);
    CHECK_INT(raw(w.dir, "SELECT count(*) FROM people_fts"), fts);
    CHECK_INT(raw(w.dir, "SELECT sum(checkins) FROM event_totals"), checkins);
    CHECK_INT(raw(w.dir, "SELECT sum(n) FROM event_arrivals"), checkins);
    CHECK_INT(raw(w.dir, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check "
                         "<> 'ok'"), 0);
    /* every old event counts and pages like a new one, and new check-ins
     * add to what was there */
    sqlite3 *db;
    sqlite3_stmt *st;
    char path[128], ids[8][KIOSK_ID_HEX + 1];
    int nids = 0;
    snprintf(path, sizeof path, "%s/kiosk.db", w.dir);
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, "SELECT id FROM events ORDER BY date DESC", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && nids < 8)
        snprintf(ids[nids++], sizeof ids[0], "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK_INT(nids, 4);
    for (int i = 0; i < nids; i++)
        check_event(&w, ids[i], 5);
    kcheckin r[1];
    int n = 0;
    CHECK_INT(kstore_checkins_page(w.s, ids[0], KSTORE_PAGE_TOP, NULL, r, 1, &n, &w.err), 0);
    CHECK_INT(n, 1);
    CHECK_INT(kstore_checkin(w.s, r[0].person_id, ids[3], &w.err), 0);   /* the empty one */
    check_event(&w, ids[3], 5);
    kstore_close(w.s);
    /* opened again: nothing migrates twice */
    CHECK_INT(kstore_open(&w.s, w.dir, &w.clock, &w.err), 0);
    CHECK_INT(raw(w.dir, "SELECT sum(checkins) FROM event_totals"), checkins + 1);
    close_world(&w);
}

/* The staff screen's list through the flow: down every page and back up,
 * each check-in once, newest first; a check-in arriving meanwhile is on
 * the first page when staff page back up to it; choosing another event
 * starts its list from the top. */
static void test_flow_pages(void)
{
    world w;
    open_world(&w, 27);                 /* 21 at the event, 6 at the other */
    CHECK_INT(kstore_event_use(w.s, w.ev.id, &w.err), 0);
    kflow f;
    kflow_init(&f, w.s, 0, NULL);
    f.staff.page_rows = 6;
    kflow_staff_open(&f);
    f.screen = KS_STAFF_EVENTS;         /* as after the right PIN, then back home */
    CHECK(kflow_staff_tap(&f, "btn-back"));
    CHECK_INT(f.screen, KS_STAFF);
    CHECK_INT(f.staff.stats.checkins, 21);
    kcheckin all[32];
    int n = 0, pages = 0;
    CHECK_INT(kstore_checkins_page(w.s, w.ev.id, KSTORE_PAGE_TOP, NULL, all, 32, &n, &w.err), 0);
    CHECK_INT(n, 21);
    int pos = 0, same = 1;
    for (;;) {
        for (int i = 0; i < f.staff.nrows; i++, pos++)
            if (pos >= n || strcmp(f.staff.rows[i].person_id, all[pos].person_id) != 0)
                same = 0;
        pages++;
        if (!f.staff.more)
            break;
        CHECK(kflow_staff_tap(&f, "btn-page-down"));
        CHECK_INT(f.staff.page, pages);
    }
    CHECK(same);
    CHECK_INT(pos, 21);
    CHECK_INT(pages, 4);
    CHECK_INT(f.staff.nrows, 3);
    /* someone signs up while staff look at the last page */
    kperson p;
    memset(&p, 0, sizeof p);
    snprintf(p.given, sizeof p.given, "Newest");
    w.vc.now_ms += 60000;
    CHECK_INT(kstore_signup(w.s, &p, w.ev.id, &w.err), 0);
    while (f.staff.page > 0)
        CHECK(kflow_staff_tap(&f, "btn-page-up"));
    CHECK_STR(f.staff.rows[0].person_id, p.id);
    CHECK_INT(f.staff.nrows, 6);
    CHECK_INT(f.staff.stats.checkins, 22);
    /* another event: its list from the top */
    CHECK(kflow_staff_tap(&f, "btn-page-down"));
    CHECK(kflow_staff_tap(&f, "btn-events"));
    int k = 0;
    while (k < f.staff.nevents && strcmp(f.staff.events[k].id, w.other.id) != 0)
        k++;
    char id[32];
    snprintf(id, sizeof id, "event-%d", k + 1);
    CHECK(kflow_staff_tap(&f, id));
    CHECK_INT(f.staff.page, 0);
    CHECK_INT(f.staff.nrows, 6);
    CHECK_INT(f.staff.more, 0);
    CHECK_INT(f.staff.stats.checkins, 6);
    kflow_reset(&f);
    close_world(&w);
}

int main(void)
{
    RUN(test_counts_pages_arrivals);
    RUN(test_flow_pages);
    RUN(test_cursor);
    RUN(test_migrate_fixture);
    return ktest_summary();
}
