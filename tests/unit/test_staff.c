/*
 * test_staff.c - unit tests of staff rights (kiosk/core/staff.c): the PIN
 * stored only as an Argon2id hash, verification, the back-off (rounds of
 * KIOSK_PIN_TRIES, a lock that doubles, capped) on an injected monotonic
 * clock, the back-off surviving a restart, and the list of programs.
 *
 * Each hash check costs about 0.2 s (crypto_pwhash INTERACTIVE), so the
 * tests count their checks; the whole file takes a few seconds.
 */
#include <sqlite3.h>
#include <sys/stat.h>

#include "ktest.h"
#include "staff.h"
#include "store.h"

#define BASE_WALL 1700000000000LL
#define PIN "258013"

/* One test's world: folder, clock, store, back-off state. */
typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vclock;
    kstore *s;
    kstaff st;
    kerr err;
} world;

/* Opens a fresh store with a virtual clock. */
static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vclock, BASE_WALL, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "cannot open store: %s\n", w->err.msg);
        exit(1);
    }
    kstaff_init(&w->st, w->s);
}

/* Closes and reopens the store: what a restart of the kiosk does. */
static void world_restart(world *w)
{
    kstore_close(w->s);
    CHECK_INT(kstore_open(&w->s, w->dir, &w->clock, &w->err), 0);
    kstaff_init(&w->st, w->s);
}

/* Closes the store and removes the folder. */
static void world_close(world *w)
{
    char cmd[128];
    kstore_close(w->s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", w->dir);
}

/* Tries pin at now; returns the status (-1 on a store error). */
static int try_pin(world *w, const char *pin, int64_t now, kstaff_result *r)
{
    int rc = kstaff_check_pin(&w->st, pin, now, r, &w->err);
    if (rc != 0) {
        fprintf(stderr, "check_pin: %s\n", w->err.msg);
        return -1;
    }
    return (int)r->status;
}

/* Every text in the database's meta table joined, to look for the PIN. */
static void meta_dump(world *w, char *buf, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    sqlite3_open_v2(kstore_path(w->s), &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT key || '=' || value FROM meta", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        strncat(buf, (const char *)sqlite3_column_text(st, 0), cap - strlen(buf) - 2);
        strncat(buf, "\n", cap - strlen(buf) - 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* No PIN, then set: only a hash is stored; right and wrong PINs. */
static void test_pin_hash_and_verify(void)
{
    world w;
    kstaff_result r;
    char dump[4096], hash[256];
    world_open(&w);
    CHECK(!kstaff_pin_is_set(w.s));
    CHECK_INT(try_pin(&w, PIN, 0, &r), KSTAFF_NO_PIN);

    CHECK_INT(kstaff_set_pin(w.s, &w.st, "12", &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "6 to 8 digits") != NULL);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, "123456789", &w.err), KERR_INVALID);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, "12a4", &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "digits only") != NULL);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, "", &w.err), KERR_INVALID);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, NULL, &w.err), KERR_INVALID);
    CHECK(!kstaff_pin_is_set(w.s));

    CHECK_INT(kstaff_set_pin(w.s, &w.st, PIN, &w.err), 0);
    CHECK(kstaff_pin_is_set(w.s));
    CHECK_INT(kstore_setting_get(w.s, "staff.pin_hash", hash, sizeof hash, &w.err), 0);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    meta_dump(&w, dump, sizeof dump);
    CHECK(strstr(dump, "staff.pin_hash=$argon2id$") != NULL);
    CHECK(strstr(dump, "=" PIN "\n") == NULL);              /* never in clear */

    CHECK_INT(try_pin(&w, PIN, 1000, &r), KSTAFF_OK);
    CHECK_INT(try_pin(&w, "258014", 2000, &r), KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);
    CHECK_INT(try_pin(&w, "abcd", 3000, &r), KSTAFF_WRONG);   /* counts too */
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 2);
    CHECK_INT(try_pin(&w, PIN, 4000, &r), KSTAFF_OK);         /* resets */
    CHECK_INT(try_pin(&w, "", 5000, &r), KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);

    /* a second setting replaces the first; the old PIN stops working */
    CHECK_INT(kstaff_set_pin(w.s, &w.st, "97531864", &w.err), 0);
    CHECK_INT(try_pin(&w, PIN, 6000, &r), KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);             /* set-pin reset */
    CHECK_INT(try_pin(&w, "97531864", 7000, &r), KSTAFF_OK);

    /* a damaged hash is an error, not an eternal "wrong PIN" */
    CHECK_INT(kstore_setting_set(w.s, "staff.pin_hash", "garbage", &w.err), 0);
    CHECK(kstaff_check_pin(&w.st, PIN, 8000, &r, &w.err) == KERR_CORRUPT);
    CHECK(strstr(w.err.msg, "set-pin") != NULL);
    world_close(&w);
}

/* Rounds of wrong PINs: 30 s, then 60 s; nothing is checked while locked;
 * a lock that ran out opens a new round; a right PIN ends it all. */
static void test_backoff_doubling(void)
{
    world w;
    kstaff_result r;
    int64_t t = 100000;
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, PIN, &w.err), 0);
    for (int i = 1; i < KIOSK_PIN_TRIES; i++) {
        CHECK_INT(try_pin(&w, "0000", t += 1000, &r), KSTAFF_WRONG);
        CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - i);
    }
    CHECK_INT(try_pin(&w, "0000", t += 1000, &r), KSTAFF_LOCKED);
    CHECK_INT(r.lock_ms, KIOSK_PIN_LOCK_MS);
    int64_t locked_at = t;
    CHECK_INT(kstaff_lock_remaining(&w.st, t + 10000), KIOSK_PIN_LOCK_MS - 10000);
    /* the right PIN during the lock is not even checked */
    CHECK_INT(try_pin(&w, PIN, t + 10000, &r), KSTAFF_LOCKED);
    CHECK_INT(r.lock_ms, KIOSK_PIN_LOCK_MS - 10000);
    CHECK_INT(kstaff_lock_remaining(&w.st, locked_at + KIOSK_PIN_LOCK_MS), 0);

    /* second round: the lock doubles */
    t = locked_at + KIOSK_PIN_LOCK_MS;
    for (int i = 1; i < KIOSK_PIN_TRIES; i++)
        CHECK_INT(try_pin(&w, "1111", t += 1000, &r), KSTAFF_WRONG);
    CHECK_INT(try_pin(&w, "1111", t += 1000, &r), KSTAFF_LOCKED);
    CHECK_INT(r.lock_ms, 2 * KIOSK_PIN_LOCK_MS);
    t += 2 * KIOSK_PIN_LOCK_MS;

    /* a right PIN on the last try of a round opens, with no lock */
    for (int i = 1; i < KIOSK_PIN_TRIES; i++)
        CHECK_INT(try_pin(&w, "2222", t += 1000, &r), KSTAFF_WRONG);
    CHECK_INT(try_pin(&w, PIN, t += 1000, &r), KSTAFF_OK);
    CHECK_INT(kstaff_lock_remaining(&w.st, t), 0);
    CHECK_INT(try_pin(&w, "3333", t += 1000, &r), KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);

    /* after many rounds the lock stops growing at KIOSK_PIN_LOCK_MAX_MS */
    CHECK_INT(kstore_setting_set(w.s, "staff.pin_rounds", "12", &w.err), 0);
    CHECK_INT(kstore_setting_set(w.s, "staff.pin_failures", "0", &w.err), 0);
    world_restart(&w);
    for (int i = 1; i < KIOSK_PIN_TRIES; i++)
        CHECK_INT(try_pin(&w, "4444", t += 1000, &r), KSTAFF_WRONG);
    CHECK_INT(try_pin(&w, "4444", t += 1000, &r), KSTAFF_LOCKED);
    CHECK_INT(r.lock_ms, KIOSK_PIN_LOCK_MAX_MS);

    /* kiosk staff unlock */
    CHECK_INT(kstaff_reset_backoff(w.s, &w.st, &w.err), 0);
    CHECK_INT(kstaff_lock_remaining(&w.st, t), 0);
    CHECK_INT(try_pin(&w, PIN, t += 1000, &r), KSTAFF_OK);
    world_close(&w);
}

/* A restart keeps the lock: the remainder saved when the lock started or a
 * PIN was last tried, counted on the new run's clock (which starts again
 * near 0 after a reboot); wall-clock jumps change nothing. */
static void test_backoff_survives_restart(void)
{
    world w;
    kstaff_result r;
    int64_t t = 500000;
    char buf[32];
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, PIN, &w.err), 0);
    for (int i = 1; i < KIOSK_PIN_TRIES; i++)
        CHECK_INT(try_pin(&w, "0000", t += 100, &r), KSTAFF_WRONG);
    world_restart(&w);                                  /* tries are kept */
    CHECK_INT(try_pin(&w, "0000", 50, &r), KSTAFF_LOCKED);
    CHECK_INT(r.lock_ms, KIOSK_PIN_LOCK_MS);
    CHECK_INT(kstore_setting_get(w.s, "staff.pin_lock_left_ms", buf, sizeof buf, &w.err), 0);
    CHECK_STR(buf, "30000");

    world_restart(&w);                                  /* a reboot: clock near 0 */
    w.vclock.base_wall_ms -= 3LL * 365 * 86400 * 1000; /* and a wall clock years off */
    CHECK_INT(kstaff_lock_remaining(&w.st, 7), KIOSK_PIN_LOCK_MS);
    CHECK_INT(try_pin(&w, PIN, 7 + 12000, &r), KSTAFF_LOCKED);      /* saves 18 s */
    CHECK_INT(r.lock_ms, KIOSK_PIN_LOCK_MS - 12000);
    world_restart(&w);
    CHECK_INT(kstaff_lock_remaining(&w.st, 900000), KIOSK_PIN_LOCK_MS - 12000);
    CHECK_INT(try_pin(&w, PIN, 900000 + KIOSK_PIN_LOCK_MS - 12000, &r), KSTAFF_OK);
    world_restart(&w);
    CHECK_INT(kstaff_lock_remaining(&w.st, 0), 0);
    CHECK_INT(try_pin(&w, "0000", 10, &r), KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);
    world_close(&w);
}

/* The try is saved before its hash is checked: a wrong PIN shows in the
 * settings at once (a power cut in the 0.2 s check wins nothing). */
static void test_try_saved_first(void)
{
    world w;
    kstaff_result r;
    char buf[32];
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, &w.st, PIN, &w.err), 0);
    CHECK_INT(try_pin(&w, "0000", 1, &r), KSTAFF_WRONG);
    CHECK_INT(kstore_setting_get(w.s, "staff.pin_failures", buf, sizeof buf, &w.err), 0);
    CHECK_STR(buf, "1");
    CHECK_INT(try_pin(&w, PIN, 2, &r), KSTAFF_OK);
    CHECK_INT(kstore_setting_get(w.s, "staff.pin_failures", buf, sizeof buf, &w.err), 0);
    CHECK_STR(buf, "0");
    world_close(&w);
}

/* The programs: defaults, a list of one's own, checks, back to defaults. */
static void test_programs(void)
{
    world w;
    char names[KIOSK_PROGRAMS_MAX][KIOSK_PROGRAM_BYTES];
    int n = -1;
    world_open(&w);
    CHECK_INT(kstaff_programs(w.s, names, KIOSK_PROGRAMS_MAX, &n, &w.err), 0);
    CHECK_INT(n, 6);
    CHECK_STR(names[0], "youth organizing");
    CHECK_STR(names[1], "summer bootcamp");
    CHECK_STR(names[2], "parent organizing");
    CHECK_STR(names[3], "college students");
    CHECK_STR(names[4], "family advocacy");
    CHECK_STR(names[5], "general");
    CHECK_INT(kstaff_programs(w.s, names, 2, &n, &w.err), 0);
    CHECK_INT(n, 2);

    const char *mine[] = {"  Lớp tiếng Anh  ", "청소년", "general"};
    CHECK_INT(kstaff_programs_set(w.s, mine, 3, &w.err), 0);
    world_restart(&w);
    CHECK_INT(kstaff_programs(w.s, names, KIOSK_PROGRAMS_MAX, &n, &w.err), 0);
    CHECK_INT(n, 3);
    CHECK_STR(names[0], "Lớp tiếng Anh");                  /* trimmed */
    CHECK_STR(names[1], "청소년");

    const char *dup[] = {"General", "general"};
    CHECK_INT(kstaff_programs_set(w.s, dup, 2, &w.err), KERR_INVALID);
    CHECK(strstr(w.err.msg, "twice") != NULL);
    const char *empty[] = {"ok", "   "};
    CHECK_INT(kstaff_programs_set(w.s, empty, 2, &w.err), KERR_INVALID);
    const char *newline[] = {"a\nb"};
    CHECK_INT(kstaff_programs_set(w.s, newline, 1, &w.err), KERR_INVALID);
    char longname[KIOSK_PROGRAM_MAX + 2];
    memset(longname, 'p', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *toolong[] = {longname};
    CHECK_INT(kstaff_programs_set(w.s, toolong, 1, &w.err), KERR_INVALID);
    CHECK_INT(kstaff_programs_set(w.s, mine, KIOSK_PROGRAMS_MAX + 1, &w.err), KERR_INVALID);
    CHECK_INT(kstaff_programs(w.s, names, KIOSK_PROGRAMS_MAX, &n, &w.err), 0);
    CHECK_INT(n, 3);                                        /* unchanged */

    CHECK_INT(kstaff_programs_set(w.s, NULL, 0, &w.err), 0);
    CHECK_INT(kstaff_programs(w.s, names, KIOSK_PROGRAMS_MAX, &n, &w.err), 0);
    CHECK_INT(n, 6);
    CHECK_STR(names[5], "general");
    world_close(&w);
}

/* Runs every test. */
int main(void)
{
    RUN(test_pin_hash_and_verify);
    RUN(test_backoff_doubling);
    RUN(test_backoff_survives_restart);
    RUN(test_try_saved_first);
    RUN(test_programs);
    return ktest_summary();
}
