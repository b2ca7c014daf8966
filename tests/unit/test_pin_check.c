/*
 * test_pin_check.c - the staff PIN checked off the screen's thread (issue
 * 16, item 7; kiosk/core/staff.h "a PIN checked off the screen's thread",
 * kiosk/core/flow.h): the three steps give what kstaff_check_pin gives, the
 * flow shows "checking" as soon as pin-ok returns and opens staff mode only
 * once the hash said so, btn-back while checking leaves with the try
 * counted, and PIN hashes stored at other limits (or with Argon2i) keep
 * opening the pad and are replaced by today's at the first right PIN (never
 * over a PIN set meanwhile).  Every hash costs about 0.2 s: few of them.
 */
#include <sodium.h>
#include <time.h>

#include "flow.h"
#include "ktest.h"
#include "staff.h"
#include "store.h"

#define PIN "246813"
#define HASH_KEY "staff.pin_hash"

typedef struct world {
    char dir[64];
    kclock clock;
    kclock_virtual vclock;
    kstore *s;
    kerr err;
} world;

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    ktest_tmpdir(w->dir, sizeof w->dir);
    kclock_virtual_init(&w->clock, &w->vclock, 1700000000000LL, NULL);
    if (kstore_open(&w->s, w->dir, &w->clock, &w->err) != 0) {
        fprintf(stderr, "cannot open store: %s\n", w->err.msg);
        exit(1);
    }
}

static void world_close(world *w)
{
    char cmd[128];
    kstore_close(w->s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", w->dir);
}

static void stored_hash(world *w, char *buf, unsigned cap)
{
    buf[0] = '\0';
    kstore_setting_get(w->s, HASH_KEY, buf, cap, NULL);
}

/* Types digits on the flow's PIN pad, then pin-ok. */
static void type_pin(kflow *f, const char *pin, int64_t *now)
{
    char id[8];
    for (const char *p = pin; *p; p++) {
        snprintf(id, sizeof id, "pin-%c", *p);
        kflow_tap(f, id, *now += 300);
    }
    kflow_tap(f, "pin-ok", *now += 300);
}

/* The three steps, the middle one on its own thread, agree with the
 * one-call check for a wrong and a right PIN; the copies are wiped. */
static void test_steps_on_a_thread(void)
{
    world w;
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, NULL, PIN, &w.err), 0);
    kstaff st;
    kstaff_init(&st, w.s);
    kstaff_check c;
    kstaff_result r;
    CHECK_INT(kstaff_check_begin(&st, "111111", 1000, &c, &r, &w.err), 0);
    CHECK(c.pending);
    CHECK_INT(st.failures, 1);          /* counted (and saved) before the hash */
    kstaff_check_start(&c);
    CHECK_INT(kstaff_check_end(&st, &c, 1200, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_WRONG);
    CHECK_INT(r.tries_left, KIOSK_PIN_TRIES - 1);
    CHECK(!c.pending && !c.pin[0] && !c.hash[0]);

    CHECK_INT(kstaff_check_begin(&st, PIN, 2000, &c, &r, &w.err), 0);
    CHECK(c.pending);
    kstaff_check_start(&c);
    struct timespec nap = {0, 1000000};
    for (int i = 0; i < 60000 && !kstaff_check_done(&c); i++)
        nanosleep(&nap, NULL);          /* the caller's thread is free meanwhile */
    CHECK(kstaff_check_done(&c));
    CHECK_INT(kstaff_check_end(&st, &c, 2300, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_OK);
    CHECK_INT(st.failures, 0);
    CHECK(!c.pin[0] && !c.hash[0]);
    /* locked: nothing to hash, the answer comes from begin */
    kstaff_init(&st, w.s);
    for (int i = 0; i < KIOSK_PIN_TRIES; i++)
        kstaff_check_pin(&st, "000000", 3000 + i, &r, &w.err);
    CHECK_INT(r.status, KSTAFF_LOCKED);
    CHECK_INT(kstaff_check_begin(&st, PIN, 4000, &c, &r, &w.err), 0);
    CHECK(!c.pending);
    CHECK_INT(r.status, KSTAFF_LOCKED);
    world_close(&w);
}

/* The flow: pin-ok returns with the screen on "checking" (the hash has not
 * been taken into account yet, however fast it was), staff opens only once
 * the result is applied; a wrong PIN goes back to the pad. */
static void test_flow_checking(void)
{
    world w;
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, NULL, PIN, &w.err), 0);
    kflow f;
    int64_t now = 0;
    kflow_init(&f, w.s, now, NULL);
    CHECK(kflow_hold(&f, "staff-corner", now += 3000));
    CHECK_STR(kflow_screen_name(f.screen), "staff-pin");
    type_pin(&f, "999999", &now);
    CHECK_STR(kflow_screen_name(f.screen), "checking");
    CHECK(f.pin_check.pending);
    CHECK(kflow_deadline(&f) > 0 && kflow_deadline(&f) <= now + KFLOW_CHECK_POLL_MS);
    /* taps on other things answer nothing while checking */
    CHECK_INT(kflow_tap(&f, "pin-ok", now += 50), 0);
    CHECK_STR(kflow_screen_name(f.screen), "checking");
    CHECK_INT(kflow_settle(&f), 1);
    CHECK_STR(kflow_screen_name(f.screen), "staff-pin");
    CHECK_INT(f.staff.result.status, KSTAFF_WRONG);
    CHECK_INT(kflow_settle(&f), 0);     /* nothing left */

    type_pin(&f, PIN, &now);
    CHECK_STR(kflow_screen_name(f.screen), "checking");
    /* the tick that finds the thread done applies the result */
    struct timespec nap = {0, 2000000};
    for (int i = 0; i < 30000 && f.screen == KS_CHECKING; i++) {
        nanosleep(&nap, NULL);
        kflow_tick(&f, now += 2);
    }
    CHECK_STR(kflow_screen_name(f.screen), "staff");
    CHECK(!f.pin_check.pending);
    world_close(&w);
}

/* btn-back while checking: welcome at once; the try is still counted (a
 * wrong one stays on the back-off), a right one ends the back-off, and
 * staff mode never opens by itself afterwards. */
static void test_flow_back_while_checking(void)
{
    world w;
    world_open(&w);
    CHECK_INT(kstaff_set_pin(w.s, NULL, PIN, &w.err), 0);
    kflow f;
    int64_t now = 0;
    kflow_init(&f, w.s, now, NULL);
    kflow_hold(&f, "staff-corner", now += 3000);
    type_pin(&f, "999999", &now);
    CHECK_STR(kflow_screen_name(f.screen), "checking");
    CHECK_INT(kflow_tap(&f, "btn-back", now += 100), 1);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    CHECK_INT(kflow_settle(&f), 1);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    char v[32] = "";
    kstore_setting_get(w.s, "staff.pin_failures", v, sizeof v, NULL);
    CHECK_STR(v, "1");

    kflow_hold(&f, "staff-corner", now += 3000);
    type_pin(&f, PIN, &now);
    kflow_tap(&f, "btn-back", now += 100);
    kflow_settle(&f);
    CHECK_STR(kflow_screen_name(f.screen), "welcome");
    kstore_setting_get(w.s, "staff.pin_failures", v, sizeof v, NULL);
    CHECK_STR(v, "0");
    world_close(&w);
}

/* A hash stored at other limits, and an Argon2i one (older kiosks, other
 * builds): the PIN opens the pad, the stored hash becomes today's Argon2id
 * and still opens it; a wrong PIN changes nothing stored. */
static void test_older_hashes_migrate(void)
{
    for (int kind = 0; kind < 2; kind++) {
        world w;
        world_open(&w);
        char old[crypto_pwhash_STRBYTES], now_hash[crypto_pwhash_STRBYTES];
        int made = kind == 0
                       ? crypto_pwhash_argon2id_str(old, PIN, strlen(PIN),
                                                    crypto_pwhash_argon2id_OPSLIMIT_MIN + 1,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE / 2)
                       : crypto_pwhash_argon2i_str(old, PIN, strlen(PIN),
                                                   crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE);
        CHECK_INT(made, 0);
        CHECK_INT(kstore_setting_set(w.s, HASH_KEY, old, &w.err), 0);
        kstaff st;
        kstaff_init(&st, w.s);
        kstaff_result r;
        CHECK_INT(kstaff_check_pin(&st, "135790", 1000, &r, &w.err), 0);
        CHECK_INT(r.status, KSTAFF_WRONG);
        stored_hash(&w, now_hash, sizeof now_hash);
        CHECK_STR(now_hash, old);               /* a wrong PIN migrates nothing */
        CHECK_INT(kstaff_check_pin(&st, PIN, 2000, &r, &w.err), 0);
        CHECK_INT(r.status, KSTAFF_OK);
        stored_hash(&w, now_hash, sizeof now_hash);
        CHECK(strcmp(now_hash, old) != 0);
        CHECK(strncmp(now_hash, "$argon2id$", 10) == 0);
        CHECK_INT(crypto_pwhash_str_needs_rehash(now_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                 crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
        CHECK_INT(kstaff_check_pin(&st, PIN, 3000, &r, &w.err), 0);
        CHECK_INT(r.status, KSTAFF_OK);
        world_close(&w);
    }
}

/* A PIN set from the command line while a try was being hashed wins: the
 * try's right answer does not write its rehash over the new PIN. */
static void test_rehash_never_over_a_new_pin(void)
{
    world w;
    world_open(&w);
    char old[crypto_pwhash_STRBYTES], after[crypto_pwhash_STRBYTES];
    CHECK_INT(crypto_pwhash_argon2i_str(old, PIN, strlen(PIN),
                                        crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE), 0);
    CHECK_INT(kstore_setting_set(w.s, HASH_KEY, old, &w.err), 0);
    kstaff st;
    kstaff_init(&st, w.s);
    kstaff_check c;
    kstaff_result r;
    CHECK_INT(kstaff_check_begin(&st, PIN, 1000, &c, &r, &w.err), 0);
    kstaff_check_start(&c);
    CHECK_INT(kstaff_set_pin(w.s, NULL, "97531864", &w.err), 0);   /* meanwhile */
    char newer[crypto_pwhash_STRBYTES];
    stored_hash(&w, newer, sizeof newer);
    CHECK_INT(kstaff_check_end(&st, &c, 1500, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_OK);     /* right when it was typed */
    stored_hash(&w, after, sizeof after);
    CHECK_STR(after, newer);
    kstaff_init(&st, w.s);
    CHECK_INT(kstaff_check_pin(&st, "97531864", 2000, &r, &w.err), 0);
    CHECK_INT(r.status, KSTAFF_OK);
    world_close(&w);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    RUN(test_steps_on_a_thread);
    RUN(test_flow_checking);
    RUN(test_flow_back_while_checking);
    RUN(test_older_hashes_migrate);
    RUN(test_rehash_never_over_a_new_pin);
    return ktest_summary();
}
